#!/bin/bash
# A/B timing of the working tree against a base revision, for changes smaller than this shared
# machine's noise (10-30% between runs minutes apart). Each round runs bench/run.py in both trees
# at the same time, one per core (taskset), and swaps the cores next round, so both sides see
# the same machine load. Prints, per program and side, the MIPS of every round.
#
#     bench/ab.sh REV [ROUNDS] [run.py args..]     e.g. bench/ab.sh HEAD 4 --repeat 3
set -euo pipefail
base=${1:?usage: bench/ab.sh REV [ROUNDS] [run.py args..]}
rounds=${2:-4}
shift $(( $# < 2 ? $# : 2 ))
here=$(git rev-parse --show-toplevel)
tree=$(mktemp -d)/base
git -C "$here" worktree add --detach --quiet "$tree" "$base"
trap 'git -C "$here" worktree remove --force "$tree"' EXIT
out=$(mktemp -d)

side() {  # NAME DIR CORE ROUND ARGS..: one bench run, as "name program MIPS" lines
  local name=$1 dir=$2 core=$3 round=$4
  shift 4
  (cd "$dir" && taskset -c "$core" python bench/run.py "$@" 2>&1) |
    awk -v n="$name" 'NR > 2 && NF > 5 {print n, $1, $4}' > "$out/$name.$round"
}

for round in $(seq "$rounds"); do
  core=$(( round % 2 ))
  side base "$tree" "$core" "$round" "$@" &
  side new "$here" $(( 1 - core )) "$round" "$@" &
  wait
done
cat "$out"/* | sort -k2,2 -k1,1 -s |
  awk '{k = $2 " " $1; v[k] = v[k] " " $3} END {for (k in v) print k ":" v[k]}' | sort
