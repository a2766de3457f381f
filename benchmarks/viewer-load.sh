#!/usr/bin/env bash
# How fast the viewer's pages open and seek in headless Chromium (the system's chromium, or
# RAFT_CHROMIUM): a 10-second and a 110-second 5-server chaos run. Prints one line per page.
# Measure on a quiet machine: the browser's own parsing of the page dominates and needs a core.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Raft.Tests -c Release >/dev/null
dotnet test Raft.Tests -c Release --no-build --filter "FullyQualifiedName~ViewerLoadBenchmark" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E "viewer-load|skipped|Failed|error" | sed "s/^ *//" | awk '!seen[$0]++' || true
