#!/usr/bin/env bash
# Measures how the checks catch each classic mutant of Raft.Core (docs/test-teeth.md).
# Run from the root of a scratch copy of the repository, never from a worktree you commit from:
# it patches Raft.Core, builds, measures and reverts, one mutant at a time.
#   docs/mutants/measure.sh [mutant.patch ...]     (default: every docs/mutants/*.patch)
# Environment: SEEDS (explore seeds, default 200), RUNS (property case counts, default "12 300").
# Prints one line per mutant: name, explore's first failing seed, and for each case count the
# property verdict (found at case K, or missed).
set -u
seeds=${SEEDS:-200}
runs=${RUNS:-12 300}
patches=("$@")
[ ${#patches[@]} -eq 0 ] && patches=(docs/mutants/*.patch)
export DOTNET_GCHeapHardLimit=0x200000000 # 8 GB: a runaway mutant must not take the machine
for patch in "${patches[@]}"; do
  name=$(basename "$patch" .patch)
  patch -s -p1 < "$patch" || { echo "$name: patch does not apply"; continue; }
  if ! dotnet build Raft.Tests -c Release -v q -nologo > "/tmp/measure-$name.build.log" 2>&1; then
    echo "$name: build failed (see /tmp/measure-$name.build.log)"
    patch -s -R -p1 < "$patch"; continue
  fi
  explore=$(timeout 600 Raft.Simulation/bin/Release/net10.0/raft-sim explore --seeds "$seeds" --no-shrink --jobs 1 2>&1 \
    | grep -m1 -o 'FIRST VIOLATION: seed [0-9]*: [A-Za-z]*' || echo "missed in $seeds seeds")
  line="$name | explore: ${explore#FIRST VIOLATION: }"
  for n in $runs; do
    out=$(RAFT_PROPERTY_RUNS=$n timeout 1200 dotnet test Raft.Tests -c Release --no-build -nologo \
      --filter "FullyQualifiedName~SafetyProperties.No_run_violates_any_checked_property|FullyQualifiedName~SafetyProperties.Acknowledged_writes" \
      --blame-hang-timeout 600s 2>&1)
    found=$(echo "$out" | grep -o 'found at case [0-9]*' | sort -t' ' -k4 -n | head -1)
    prop=$(echo "$out" | grep -m1 -oE '^ *[A-Za-z]+ violated' | tr -d ' ')
    if [ -n "$found" ]; then verdict="$prop ${found}"; elif echo "$out" | grep -q 'Passed!'; then verdict="missed"; else verdict="other: $(echo "$out" | grep -m1 -E 'Failed|error|Inconclusive' | head -c 120)"; fi
    line="$line | props($n): $verdict"
  done
  echo "$line"
  patch -s -R -p1 < "$patch"
done
