#!/usr/bin/env bash
# Side by side: the simulator of an older commit against this tree, on the issue's reference
# workload (explore, 5 nodes, 4 clients, chaos, 10 s of virtual time per seed, one job).
#   benchmarks/compare-simulator.sh OLD_COMMIT [SEEDS] [ROUNDS]
# Builds both in Release, then alternates old/new ROUNDS times so that a busy machine hurts both
# alike, and prints wall seeds/s and CPU seconds of each round. Checks that both builds did the
# same work (same commits, client operations and messages): a speed-up must not change a run.
set -euo pipefail
old=${1:?usage: benchmarks/compare-simulator.sh OLD_COMMIT [SEEDS] [ROUNDS]}
seeds=${2:-300}
rounds=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/old-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$top" worktree add --detach "$work/old-src" "$old" >/dev/null
dotnet build -c Release "$work/old-src/Raft.Simulation" -o "$work/old" >/dev/null
dotnet build -c Release "$top/Raft.Simulation" -o "$work/new" >/dev/null

echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg)"
echo "explore --nodes 5 --clients 4 --faults chaos --seeds $seeds --jobs 1"
for round in $(seq 1 "$rounds"); do
  for build in old new; do
    out=$( { /usr/bin/time -f "cpu %U+%S" dotnet "$work/$build/raft-sim.dll" explore --nodes 5 --clients 4 --faults chaos --seeds "$seeds" --jobs 1; } 2>&1 )
    rate=$(echo "$out" | sed -n 's/.*(\([0-9.]*\) seeds\/s).*/\1/p')
    cpu=$(echo "$out" | sed -n 's/^cpu \(.*\)/\1/p')
    work_done=$(echo "$out" | grep -E '^(commits|client ops|messages)' | tr -s ' ' | paste -sd';')
    printf 'round %s %-3s %7s seeds/s  cpu %ss  %s\n' "$round" "$build" "$rate" "$cpu" "$work_done"
  done
done
