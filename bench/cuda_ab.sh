#!/bin/bash
# A/B timing of revisions of the cuda backend on a GPU machine, which has no git history: copy
# each revision here first, then run the copies there, interleaved, so every variant sees the
# same card in the same minutes. A variant is a revision, or REV@NAME=VALUE to run it with a
# tuning constant of runtime/cuda.py changed (cuda_check.py --set).
#
#     bench/cuda_ab.sh prepare main zero-slot        # here: copies into bench/ab_trees/
#     bench/cuda_ab.sh run 2 main zero-slot zero-slot@BLOCK=64    # there (carry bench/ab_trees)
#
# `run ROUNDS VARIANT..` lists, per round and variant, each GPU-sized program's interactions and
# result, and its device phases (cuda_check.py --phases); logs go to $OUT (or /tmp/cuda_ab).
set -uo pipefail
trees=bench/ab_trees
files="hvmlang stdlib bench/cuda_check.py bench/programs_gpu tests/test_examples.py \
tests/rule_nets.py tests/golden/run examples"

prepare() {  # REV..: one copy of the files cuda_check.py needs per revision
  for rev in "$@"; do
    rm -rf "${trees:?}/$rev" && mkdir -p "$trees/$rev" &&
      git archive "$rev" $files | tar -x -C "$trees/$rev" || exit 2
  done
}

run() {  # ROUNDS VARIANT..: device phases of every variant, round after round
  local rounds=$1 root out=${OUT:-/tmp/cuda_ab}
  shift
  root=$(pwd) && mkdir -p "$out"
  for round in $(seq "$rounds"); do
    for variant in "$@"; do
      local rev=${variant%%@*} set=() log="$out/${variant//[^A-Za-z0-9_.-]/_}.$round.log"
      [[ $variant == *@* ]] && set=(--set "${variant#*@}")
      [ -d "$trees/$rev" ] || { echo "cuda_ab.sh: no copy of $rev (prepare it)" >&2; exit 2; }
      (cd "$trees/$rev" && PYTHONPATH=.:$root/.devdeps CUDA_CHECK_MEM=25769803776 \
        timeout 150 python3 bench/cuda_check.py "${set[@]}" --phases bench/programs_gpu/*.hvm \
        2>&1) > "$log" || echo "$round $variant failed: $(tail -1 "$log")"
      awk -v tag="$round $variant" '/interactions in|device phase/ {print tag, $0}' "$log"
    done
  done
}

case ${1:-} in
  prepare) shift && prepare "$@" ;;
  run) shift && run "$@" ;;
  *) echo "usage: bench/cuda_ab.sh prepare REV.. | run ROUNDS VARIANT.." >&2; exit 2 ;;
esac
