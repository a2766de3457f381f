#!/usr/bin/env bash
# Memory of each node of a local 3-node cluster kept overloaded (many more closed-loop clients than
# it serves without queueing), sampled over time. The nodes compact their logs (--snapshot-every),
# so a node's memory should stay flat: see docs/bounds.md for the bounds and what is not bounded.
#   benchmarks/memory-over-time.sh [seconds, default 600] [clients, default 256] [sample every N s, default 30]
# Prints one row per sample: seconds since start, then each node's resident set in MB (a node that is
# not running at that moment shows "-"), then the cluster's own summary and exit code at the end.
# With dotnet-counters on PATH (or its path in DOTNET_COUNTERS; `dotnet tool install --tool-path DIR
# dotnet-counters --version 10.0.750501`), it also prints each node's managed heap over time: the
# generation 2 and large-object heaps after the last garbage collection (what survives collections,
# so what would grow if something leaked), and the memory the GC has committed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
clients=${2:-256}
every=${3:-30}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Raft.Net -c Release -v q -nologo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet Raft.Net/bin/Release/net10.0/raft-net.dll cluster --clients "$clients" --keys 64 --duration "${seconds}s" \
  --snapshot-every 5000 --data "$work/data" >"$work/cluster.out" 2>&1 &
cluster=$!

rss_of() { # resident set (MB) of the node process whose data directory is $1, or "-"
  local pid
  pid=$(pgrep -f -- "--data $1( |$)" | head -n 1 || true)
  if [[ -n "$pid" && -r /proc/$pid/status ]]; then
    awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status"
  else
    printf -- "-"
  fi
}

counters=${DOTNET_COUNTERS:-$(command -v dotnet-counters || true)}
if [[ -n "$counters" ]]; then
  for n in 1 2 3; do # attach to each node once it runs (nodes are not killed in this run)
    ( for _ in $(seq 100); do
        pid=$(pgrep -f -- "--data $work/data/n$n( |$)" | head -n 1 || true)
        if [[ -n "$pid" ]]; then
          exec "$counters" collect -p "$pid" --counters System.Runtime --format csv -o "$work/n$n.csv" --refresh-interval "$every" >/dev/null 2>&1
        fi
        sleep 0.2
      done ) &
  done
fi

echo "$(nproc) cores; ${clients} clients for ${seconds}s; RSS in MB, sampled every ${every}s"
printf '%8s %8s %8s %8s %s\n' seconds n1 n2 n3 loadavg
start=$SECONDS
while kill -0 "$cluster" 2>/dev/null; do
  printf '%8d %8s %8s %8s %s\n' $((SECONDS - start)) "$(rss_of "$work/data/n1")" "$(rss_of "$work/data/n2")" "$(rss_of "$work/data/n3")" "$(cut -d' ' -f1 /proc/loadavg)"
  sleep "$every"
done
status=0
wait "$cluster" || status=$?
tail -n 25 "$work/cluster.out"
echo "raft-net cluster exit code: $status"
if [[ -n "$counters" ]]; then
  sleep 2 # dotnet-counters writes its file when the node exits
  for n in 1 2 3; do
    [[ -s "$work/n$n.csv" ]] || { echo "n$n: no counters recorded"; continue; }
    echo "n$n managed heap after the last collection (MB): sample, gen2 + large objects, committed by the GC"
    awk -F, -v every="$every" '
      /last_collection\.heap\.size/ && /generation=(gen2|loh)\]/ { live[$1] += $5; if (!($1 in seen)) { seen[$1] = 1; order[++count] = $1 } }
      /last_collection\.memory\.committed_size/ { committed[$1] = $5 }
      END { for (i = 1; i <= count; i++) printf "%8d %8.1f %8.1f\n", (i - 1) * every, live[order[i]] / 1048576, committed[order[i]] / 1048576 }' "$work/n$n.csv"
  done
fi
