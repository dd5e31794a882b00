#!/usr/bin/env bash
# Builds a local NuGet feed holding the gantry .NET tool (Gantry.Cli, designer files inside), then:
#   dotnet tool install --global Gantry.Cli --add-source FEED
# Usage: deploy/pack.sh [FEED]   (default: artifacts/feed in the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
feed="${1:-$root/artifacts/feed}"
mkdir -p "$feed"
dotnet pack "$root/src/Cli/Cli.csproj" -c Release --nologo -v quiet -o "$feed"
echo "feed: $feed"
echo "install: dotnet tool install --global Gantry.Cli --add-source $feed"
