#!/usr/bin/env bash
# Rolls a release out to 2 groups x 100 sandbox hosts with the repository's rolling-deploy workflow,
# in a throwaway workspace with a fresh SQLite store, and prints wall time and peak RSS.
# Usage: bench/many-hosts/run.sh [path/to/gantry]   (default: the Release build of src/Cli)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gantry="${1:-$root/src/Cli/bin/Release/net10.0/gantry}"
workspace="$(mktemp -d)"
trap 'rm -rf "$workspace"' EXIT
mkdir -p "$workspace/workflows/environments"
cp "$root"/workflows/*.yaml "$workspace/workflows/"
cp "$root/bench/many-hosts/sandbox200.yaml" "$workspace/workflows/environments/"
cd "$workspace"
uptime
/usr/bin/time -f "wall %e s, max RSS %M KB" "$gantry" run rolling-deploy --env sandbox200 | grep -E '✓|✗|^run '
