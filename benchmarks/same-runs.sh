#!/usr/bin/env bash
# Proof that a change to the simulator or the core changes no run: builds an older commit beside
# this tree, runs explore with --results on both over several profiles (the reference workload,
# membership with snapshots, PreVote, CheckQuorum with lease reads, teaching bugs, the old driver
# bug...), and compares every seed's line: digest of the whole trace, verdict and figures.
#   benchmarks/same-runs.sh OLD_COMMIT
# Prints one line per profile and exits 1 if any seed differs.
set -euo pipefail
old=${1:?usage: benchmarks/same-runs.sh OLD_COMMIT}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$work/old-src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$top" worktree add --detach "$work/old-src" "$old" >/dev/null
dotnet build -c Release "$work/old-src/Raft.Simulation" -o "$work/old" >/dev/null
dotnet build -c Release "$top/Raft.Simulation" -o "$work/new" >/dev/null

profiles=(
  "--nodes 5 --clients 4 --faults chaos --seeds 300"
  "--nodes 3 --seeds 300"
  "--nodes 5 --membership --snapshot-every 20 --seeds 200"
  "--nodes 5 --prevote --seeds 200"
  "--nodes 3 --check-quorum --reads lease --seeds 200"
  "--nodes 3 --faults none --seeds 100"
  "--nodes 3 --long-delays 0.05 --reads log --max-entries 4 --seeds 150"
  "--nodes 7 --clients 4 --prevote --check-quorum --seeds 60"
  "--nodes 3 --driver-bug release-before-sync --seeds 60"
  "--nodes 5 --bug vote-without-log-check --seeds 100"
  "--nodes 3 --bug reply-before-persist --seeds 100"
  "--nodes 5 --bug commit-old-term-by-counting --seeds 60"
  "--nodes 3 --bug forget-vote-on-restart --seeds 60"
  "--nodes 3 --bug skip-prev-log-term-check --seeds 60"
  "--nodes 3 --bug leader-ignores-higher-term --seeds 60"
  "--nodes 3 --bug apply-before-commit --seeds 60"
  "--nodes 5 --prevote --bug pre-vote-adopts-term --seeds 60"
  "--nodes 3 --check-quorum --reads lease --bug read-without-quorum-check --seeds 60"
  "--nodes 5 --membership --bug overlapping-membership-changes --seeds 60"
  "--nodes 5 --membership --snapshot-every 20 --bug snapshot-forgets-configuration --seeds 100"
)
status=0
for i in "${!profiles[@]}"; do
  for build in old new; do
    # shellcheck disable=SC2086
    dotnet "$work/$build/raft-sim.dll" explore ${profiles[$i]} --jobs 2 --no-shrink --results "$work/$build-$i.ndjson" >/dev/null 2>&1 || true
  done
  seeds=$(grep -c '"kind":"seed"' "$work/new-$i.ndjson" || true)
  if diff <(grep '"kind":"seed"' "$work/old-$i.ndjson") <(grep '"kind":"seed"' "$work/new-$i.ndjson") >/dev/null; then
    printf 'same     %4s seeds  %s\n' "$seeds" "${profiles[$i]}"
  else
    printf 'DIFFERS  %4s seeds  %s\n' "$seeds" "${profiles[$i]}"
    status=1
  fi
done
exit $status
