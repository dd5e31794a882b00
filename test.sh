#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine that has the .NET SDK: installs what the tests
# start for real (HAProxy, nginx, OpenSSH, git and git-flow, PostgreSQL's server), then runs every
# test project. Safe to run again: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")"

packages=(haproxy nginx-light openssh-server openssh-client git git-flow procps chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Package post-install scripts may start system services; the tests start their own on free ports.
dotnet build Workflows.sln -c Release -warnaserror --nologo -v quiet
# The designer's own unit tests (its npm packages were installed by the server's build).
(cd src/Designer && npx vitest run)

log="$(mktemp)"
status=0
dotnet test Workflows.sln -c Release --no-build --nologo -v minimal "$@" 2>&1 | tee "$log" || status=$?
# One closing line for people and CI: totals over every test project.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed"
exit "$status"
