#!/bin/bash
# One call on the GPU machine: correctness against the expected outputs, device phases, and
# the bench tables of the cuda and cpu backends. Logs go to $OUT (or /tmp/cuda_out).
# Usage: bench/cuda_device.sh [check] [counters] [phases] [trace] [sweep] [nofence] [acqrel]
#        [resources] [maxreg64] [maxreg128] [bench] [cpu] [parallel] [profile] [memory] [span]
# (default: check counters phases bench cpu)
export PYTHONPATH=.devdeps:. PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/cuda_out}; mkdir -p "$OUT"
steps=${*:-check counters phases bench cpu}
nvidia-smi --query-gpu=name,memory.total,clocks.sm --format=csv,noheader | tee "$OUT/gpu.txt"
gpu=(bench/programs_gpu/*.hvm)

edit_experiment() {  # NAME FILE SED: the device phases with runtime/FILE edited by SED, in a copy
  rm -rf "/tmp/$1" && cp -r . "/tmp/$1" && (cd "/tmp/$1" &&
    sed -i "$3" "hvmlang/runtime/$2" &&
    timeout 100 python3 bench/cuda_check.py --phases "${gpu[@]}" 2>&1) | tee "$OUT/$1.log"
}
fence_experiment() {  # NAME PTX: the device phases with FENCE_PTX = PTX
  edit_experiment "$1" cuda_asm.py "s/^FENCE_PTX = .*/FENCE_PTX = \"$2\"/"
}
maxreg_experiment() {  # N: the device phases with the step kernel limited to N registers
  edit_experiment "maxreg$1" cuda_kernels.py \
    "s/^          cache=True)/          cache=True, max_registers=$1)/"
}
for s in $steps; do
  case $s in
    check)  timeout 200 python3 bench/cuda_check.py 2>&1 | tee "$OUT/check.log" | grep -v " ok$" ;;
    counters) timeout 200 python3 bench/cuda_check.py --counters bench/programs/*.hvm 2>&1 \
              | tee "$OUT/counters.log" ;;
    phases) timeout 200 python3 bench/cuda_check.py --phases bench/programs/*.hvm "${gpu[@]}" \
              2>&1 | tee "$OUT/phases.log" ;;
    trace)  timeout 200 python3 bench/cuda_check.py --phases bench/programs/*.hvm "${gpu[@]}" \
              --trace "$OUT" 2>&1 | tee "$OUT/trace.log" ;;
    sweep)  for set in "STEPS=64" "STEPS=1024" "MAX_THREADS=32768" "MAX_THREADS=262144" "SOFT=4" \
                       "SOFT=16" "CPU_QUOTA=131072" "CPU_QUOTA=2097152"; do
              timeout 100 python3 bench/cuda_check.py --set $set --phases "${gpu[@]}" 2>&1 \
                | tee -a "$OUT/sweep.log"
            done ;;
    nofence) fence_experiment nofence "" ;;                  # experiment only: no fences
    acqrel) fence_experiment acqrel "fence.acq_rel.gpu;" ;;  # release/acquire, not membar.gl
    resources) python3 bench/cuda_check.py --resources 2>&1 | tee "$OUT/resources.log" ;;
    maxreg64) maxreg_experiment 64 ;;
    maxreg128) maxreg_experiment 128 ;;
    bench)  timeout 150 python3 bench/run.py -b cuda --repeat 3 2>&1 | tee "$OUT/bench_cuda.log"
            timeout 200 python3 bench/run.py -b cuda --repeat 2 -m 25769803776 \
              --dir bench/programs_gpu 2>&1 | tee "$OUT/bench_cuda_gpu.log" ;;
    cpu)    timeout 100 python3 bench/run.py -b cpu --repeat 3 2>&1 | tee "$OUT/bench_cpu.log"
            timeout 150 python3 bench/run.py -b cpu --repeat 1 -m 25769803776 \
              --dir bench/programs_gpu 2>&1 | tee "$OUT/bench_cpu_gpu.log" ;;
    profile) for p in "${gpu[@]}"; do
               CUDA_CHECK_MEM=25769803776 timeout 150 python3 bench/cuda_profile.py launches "$p"
             done 2>&1 | tee "$OUT/profile.log"
             timeout 150 python3 bench/cuda_profile.py stalls bench/programs_gpu/sum_rec24.hvm \
               2>&1 | tee -a "$OUT/profile.log" ;;
    memory) for threads in 131072 16384; do   # local memory's L1 hits, full and few threads
              CUDA_CHECK_MEM=25769803776 timeout 150 python3 bench/cuda_profile.py memory \
                bench/programs_gpu/sum_rec24.hvm --skip 30 --set MAX_THREADS=$threads
            done 2>&1 | tee "$OUT/memory.log" ;;
    span)   for threads in 84480 16896; do   # 20 and 4 warps an SM of an H100's 132
              timeout 150 python3 bench/memory_span.py $threads
            done 2>&1 | tee "$OUT/span.log" ;;
    parallel) timeout 200 python3 bench/run.py --compare -t 16 --repeat 3 2>&1 \
              | tee "$OUT/bench_parallel.log" ;;
  esac
done
