#!/bin/bash
# A/B timing of the working tree against a base revision, for changes smaller than this shared
# machine's noise (10-30% between runs minutes apart). Each round runs bench/run.py in both trees
# at the same time, one per core (taskset), and swaps the cores next round, so both sides see
# the same machine load. Prints, per program and side, the MIPS of every round. Run it with
# the Python that has hvm-lang's dependencies (the README's set-up).
#
#     bench/ab.sh REV [ROUNDS] [run.py args..]     e.g. bench/ab.sh HEAD 4 --repeat 3
set -euo pipefail
base=${1:?usage: bench/ab.sh REV [ROUNDS] [run.py args..]}
rounds=${2:-4}
shift $(( $# < 2 ? $# : 2 ))
python -c "import lark, numba" 2>/dev/null ||
  { echo "bench/ab.sh: this python lacks hvm-lang's dependencies (see the README)" >&2; exit 2; }
here=$(git rev-parse --show-toplevel)
tree=$(mktemp -d)/base
git -C "$here" worktree add --detach --quiet "$tree" "$base"
trap 'git -C "$here" worktree remove --force "$tree"' EXIT
out=$(mktemp -d)

side() {  # NAME DIR CORE ROUND ARGS..: one bench run; its output in $out/NAME.ROUND
  local name=$1 dir=$2 core=$3 round=$4
  shift 4
  (cd "$dir" && taskset -c "$core" python bench/run.py "$@") > "$out/$name.$round" 2>&1 || {
    echo "bench/ab.sh: the $name run failed:" >&2
    tail -5 "$out/$name.$round" >&2
    return 1
  }
}

for round in $(seq "$rounds"); do
  core=$(( round % 2 ))
  side base "$tree" "$core" "$round" "$@" &
  side new "$here" $(( 1 - core )) "$round" "$@" &
  wait -n && wait -n
done
for f in "$out"/*; do
  awk -v n="${f##*/}" '$2 ~ /^[0-9,]+$/ && NF > 5 {sub(/\..*/, "", n); print $1, n, $4}' "$f"
done | sort -k1,1 -k2,2 -s |
  awk '{k = $1 " " $2; v[k] = v[k] " " $3} END {for (k in v) print k ":" v[k]}' | sort
