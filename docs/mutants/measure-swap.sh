#!/usr/bin/env bash
# Faster variant of measure.sh for the properties only: the mutants change method bodies of
# Raft.Core and nothing of its public surface, so each can be built once as Raft.Core.dll alone
# and swapped into a copy of a built test directory, without rebuilding the tests.
#   docs/mutants/measure-swap.sh TESTBIN MUTANTDLLS [name ...]
# TESTBIN: a scratch copy of Raft.Tests/bin/Release/net10.0 (it is modified).
# MUTANTDLLS: a folder with one subfolder per mutant holding its Raft.Core.dll, built with
#   patch -p1 < docs/mutants/NAME.patch && dotnet build Raft.Core -c Release -o MUTANTDLLS/NAME
# Environment: RUNS (default "12 300"); a larger count is skipped once a smaller one found the mutant.
set -u
bin=$1; dlls=$2; shift 2
runs=${RUNS:-12 300}
names=("$@")
[ ${#names[@]} -eq 0 ] && names=($(cd "$dlls" && ls -d m*/ | tr -d /))
export DOTNET_GCHeapHardLimit=0x200000000 # 8 GB: a runaway mutant must not take the machine
[ -f "$bin/Raft.Core.dll.orig" ] || cp "$bin/Raft.Core.dll" "$bin/Raft.Core.dll.orig"
for name in "${names[@]}"; do
  cp "$dlls/$name/Raft.Core.dll" "$bin/Raft.Core.dll"
  line="$name"; found=""
  for n in $runs; do
    if [ -n "$found" ]; then line="$line | props($n): (found at $found already)"; continue; fi
    start=$(date +%s)
    out=$(RAFT_PROPERTY_RUNS=$n timeout 1800 dotnet test "$bin/Raft.Tests.dll" \
      --filter "FullyQualifiedName~SafetyProperties.No_run_violates_any_checked_property|FullyQualifiedName~SafetyProperties.Acknowledged_writes" 2>&1)
    took=$(( $(date +%s) - start ))
    case_=$(echo "$out" | grep -o 'found at case [0-9]*' | sort -t' ' -k4 -n | head -1)
    prop=$(echo "$out" | grep -m1 -oE '^ *[A-Za-z]+ violated' | tr -d ' ')
    if [ -n "$case_" ]; then verdict="$prop $case_"; found="$n cases"
    elif echo "$out" | grep -q 'Passed!'; then verdict="missed"
    else verdict="other: $(echo "$out" | grep -m1 -E 'Failed |Inconclusive|error' | head -c 150)"; fi
    line="$line | props($n): $verdict (${took}s)"
  done
  echo "$line"
done
cp "$bin/Raft.Core.dll.orig" "$bin/Raft.Core.dll"
