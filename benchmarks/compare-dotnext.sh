#!/usr/bin/env bash
# Side by side on this machine: our 3-node cluster (raft-net bench) and DotNext.Net.Cluster 6.12
# (benchmarks/DotNextComparison), both 3 processes on loopback, closed-loop clients over a real
# client hop, 64-byte writes. The two are run alternately for each client count, so that a change
# in the machine's load hits both; the load average is printed with every row.
#   benchmarks/compare-dotnext.sh [seconds per run, default 10] [client counts, default "1 32 128"]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
counts=${2:-"1 32 128"}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Raft.Net -c Release -v q -nologo >/dev/null
dotnet build benchmarks/DotNextComparison -c Release -v q -nologo >/dev/null
ours=(dotnet Raft.Net/bin/Release/net10.0/raft-net.dll bench --duration "${seconds}s" --write-bytes 64 --no-reelection)
theirs=(dotnet benchmarks/DotNextComparison/bin/Release/net10.0/dotnext-bench.dll bench --duration "${seconds}s" --kills 0)

row() { # the row of a bench's table for one client count: ops/s p50 p99
  awk -v n="$1" '$1 == n && $2 ~ /^[0-9.]+$/ { print $2, $3, $4; found = 1 } END { if (!found) print "- - -" }'
}

echo "$(nproc) cores, ${seconds}s per run, 64-byte writes, fsync on (ours: before every acknowledgement; DotNext: its WAL's defaults)"
printf '%-8s | %-28s | %-28s | %s\n' clients "ours ops/s  p50ms  p99ms" "DotNext ops/s  p50ms  p99ms" "loadavg (1 min) before each"
for n in $counts; do
  load_ours=$(cut -d' ' -f1 /proc/loadavg)
  read -r o_ops o_p50 o_p99 < <("${ours[@]}" --clients "$n" | row "$n")
  load_theirs=$(cut -d' ' -f1 /proc/loadavg)
  read -r t_ops t_p50 t_p99 < <("${theirs[@]}" --clients "$n" | row "$n")
  printf '%-8s | %9s %6s %6s        | %9s %6s %6s           | %s, %s\n' "$n" "$o_ops" "$o_p50" "$o_p99" "$t_ops" "$t_p50" "$t_p99" "$load_ours" "$load_theirs"
done

echo
echo "re-election after killing the leader:"
printf '  ours:    '; dotnet Raft.Net/bin/Release/net10.0/raft-net.dll bench --duration 1s --clients 1 --write-bytes 64 | grep '^re-election' || echo "not measured"
printf '  DotNext: '; dotnet benchmarks/DotNextComparison/bin/Release/net10.0/dotnext-bench.dll bench --duration 1s --clients 1 --kills 5 | grep '^re-election' || echo "not measured"
