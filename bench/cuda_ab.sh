#!/bin/bash
# A/B timing of revisions of the cuda backend on a GPU machine, which has no git history: copy
# each revision here first, then run the copies there, interleaved, so every variant sees the
# same card in the same minutes. A variant is a revision, or REV@NAME=VALUE to run it with a
# tuning constant of runtime/cuda.py changed (cuda_check.py --set), or REV^NAME=VALUE, prepared
# as a copy of REV with the constant NAME of a runtime/cuda_*.py device module set to VALUE (the
# kernel compiles its constants in, so they cannot be set at run time).
#
#     bench/cuda_ab.sh prepare main zero-slot main^LS=12    # here: copies into bench/ab_trees/
#     bench/cuda_ab.sh run 2 main zero-slot zero-slot@BLOCK=64 main^LS=12    # there (carry
#                                                                            # bench/ab_trees)
#
# `run ROUNDS VARIANT..` lists, per round and variant, each GPU-sized program's interactions and
# result, and its device phases (cuda_check.py --phases), then `table`s them: MIPS of each
# program's largest phase, round after round. Logs go to $OUT (or /tmp/cuda_ab).
set -uo pipefail
trees=bench/ab_trees out=${OUT:-/tmp/cuda_ab}
files="hvmlang stdlib bench/cuda_check.py bench/programs_gpu tests/test_examples.py \
tests/rule_nets.py tests/golden/run examples"

prepare() {  # REV.. or REV^NAME=VALUE..: one copy of the files cuda_check.py needs per revision
  for tree in "$@"; do
    local rev=${tree%%^*} set=${tree#*^} kernels
    rm -rf "${trees:?}/$tree" && mkdir -p "$trees/$tree" &&
      git archive "$rev" $files | tar -x -C "$trees/$tree" || exit 2
    [ "$tree" = "$rev" ] && continue
    local name=${set%%=*}
    kernels=$(cd "$trees/$tree" && grep -l "^$name = " hvmlang/runtime/cuda_*.py | head -1)
    [ -n "$kernels" ] || { echo "no $name in hvmlang/runtime/cuda_*.py" >&2; exit 2; }
    sed -i "s/^$name = .*/$name = ${set#*=}/" "$trees/$tree/$kernels"
  done
}

log_of() {  # VARIANT ROUND: the file its run's output goes to
  echo "$out/${1//[^A-Za-z0-9_.-]/_}.$2.log"
}

run() {  # ROUNDS VARIANT..: device phases of every variant, round after round
  local rounds=$1 root
  shift
  root=$(pwd) && mkdir -p "$out"
  for round in $(seq "$rounds"); do
    for variant in "$@"; do
      local rev=${variant%%@*} set=() log
      log=$(log_of "$variant" "$round")
      [[ $variant == *@* ]] && set=(--set "${variant#*@}")
      [ -d "$trees/$rev" ] || { echo "cuda_ab.sh: no copy of $rev (prepare it)" >&2; exit 2; }
      (cd "$trees/$rev" && PYTHONPATH=.:$root/.devdeps CUDA_CHECK_MEM=25769803776 \
        timeout 150 python3 bench/cuda_check.py "${set[@]}" --phases bench/programs_gpu/*.hvm \
        2>&1) > "$log" || echo "$round $variant failed: $(tail -1 "$log")"
      awk -v tag="$round $variant" '/interactions in|device phase/ {print tag, $0}' "$log"
    done
  done
  table "$rounds" "$@"
}

table() {  # ROUNDS VARIANT..: MIPS of each program's largest device phase, a column a program,
  #          rounds separated by "/", "!" where a result differs from the first variant's
  local rounds=$1 log
  shift
  for variant in "$@"; do
    for round in $(seq "$rounds"); do
      log=$(log_of "$variant" "$round")
      [ -f "$log" ] || continue          # a variant that failed to run
      awk -v v="$variant" -v r="$round" '
        /interactions in/ {p = $1; sub(":", "", p); res[p] = $NF; top[p] = -1; order[++n] = p}
        /device phase/ {i = $3; gsub(",", "", i)
                        if (i + 0 > top[p]) {top[p] = i + 0; mips[p] = $7}}
        END {for (k = 1; k <= n; k++) print v, r, order[k], mips[order[k]], res[order[k]]}' \
        "$log"
    done
  done | awk '
    !($3 in col) {col[$3] = ++ncol; name[ncol] = $3}
    !($1 in row) {row[$1] = ++nrow; label[nrow] = $1}
    !($3 in first) {first[$3] = $5}
    {cell = $4 ($5 == first[$3] ? "" : "!"); key = row[$1] SUBSEP col[$3]
     if (key in t) t[key] = t[key] " / " cell; else t[key] = cell}
    END {printf "%-24s", "variant"; for (c = 1; c <= ncol; c++) printf "  %-22s", name[c]
         print ""
         for (r = 1; r <= nrow; r++) {printf "%-24s", label[r]
           for (c = 1; c <= ncol; c++) printf "  %-22s", t[r SUBSEP c]; print ""}}'
}

case ${1:-} in
  prepare) shift && prepare "$@" ;;
  run) shift && run "$@" ;;
  table) shift && table "$@" ;;
  *) echo "usage: bench/cuda_ab.sh prepare REV.. | run|table ROUNDS VARIANT.." >&2; exit 2 ;;
esac
