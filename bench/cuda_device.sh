#!/bin/bash
# One call on the GPU machine: correctness against the expected outputs, device phases, and
# the bench tables of the cuda and cpu backends. Logs go to $OUT (or /tmp/cuda_out).
# Usage: bench/cuda_device.sh [check] [counters] [phases] [trace] [sweep] [nofence] [acqrel] [bench]
#        [cpu] [parallel]
# (default: check counters phases bench cpu)
export PYTHONPATH=.devdeps:. PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/cuda_out}; mkdir -p "$OUT"
steps=${*:-check counters phases bench cpu}
nvidia-smi --query-gpu=name,memory.total,clocks.sm --format=csv,noheader | tee "$OUT/gpu.txt"
gpu=(bench/programs_gpu/*.hvm)
for s in $steps; do
  case $s in
    check)  timeout 200 python3 bench/cuda_check.py 2>&1 | tee "$OUT/check.log" | grep -v " ok$" ;;
    counters) timeout 200 python3 bench/cuda_check.py --counters bench/programs/*.hvm 2>&1 \
              | tee "$OUT/counters.log" ;;
    phases) timeout 200 python3 bench/cuda_check.py --phases bench/programs/*.hvm "${gpu[@]}" \
              2>&1 | tee "$OUT/phases.log" ;;
    trace)  timeout 200 python3 bench/cuda_check.py --phases bench/programs/*.hvm "${gpu[@]}" \
              --trace "$OUT" 2>&1 | tee "$OUT/trace.log" ;;
    sweep)  for set in "STEPS=64" "STEPS=1024" "MAX_THREADS=32768" "MAX_THREADS=262144"; do
              timeout 100 python3 bench/cuda_check.py --set $set --phases "${gpu[@]}" 2>&1 \
                | tee -a "$OUT/sweep.log"
            done ;;
    nofence) # experiment only: the kernels without memory fences, in a copy of the tree
            rm -rf /tmp/nofence && cp -r . /tmp/nofence && (cd /tmp/nofence &&
              sed -i 's/^FENCE_PTX = .*/FENCE_PTX = ""/' hvmlang/runtime/cuda_kernels.py &&
              timeout 100 python3 bench/cuda_check.py --phases "${gpu[@]}" 2>&1) \
              | tee "$OUT/nofence.log" ;;
    acqrel) # experiment: release/acquire fences instead of membar.gl, in a copy of the tree
            rm -rf /tmp/acqrel && cp -r . /tmp/acqrel && (cd /tmp/acqrel &&
              sed -i 's/^FENCE_PTX = .*/FENCE_PTX = "fence.acq_rel.gpu;"/' \
                hvmlang/runtime/cuda_kernels.py &&
              timeout 100 python3 bench/cuda_check.py --phases "${gpu[@]}" 2>&1) \
              | tee "$OUT/acqrel.log" ;;
    bench)  timeout 150 python3 bench/run.py -b cuda --repeat 3 2>&1 | tee "$OUT/bench_cuda.log"
            timeout 200 python3 bench/run.py -b cuda --repeat 2 -m 17179869184 \
              --dir bench/programs_gpu 2>&1 | tee "$OUT/bench_cuda_gpu.log" ;;
    cpu)    timeout 100 python3 bench/run.py -b cpu --repeat 3 2>&1 | tee "$OUT/bench_cpu.log"
            timeout 150 python3 bench/run.py -b cpu --repeat 1 -m 17179869184 \
              --dir bench/programs_gpu 2>&1 | tee "$OUT/bench_cpu_gpu.log" ;;
    parallel) timeout 200 python3 bench/run.py --compare -t 16 --repeat 3 2>&1 \
              | tee "$OUT/bench_parallel.log" ;;
  esac
done
