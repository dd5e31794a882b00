#!/bin/sh
# Restarts the app of one fleet host: stops it by its pid file (never by name), stays down for
# <down ms> (a real restart is not instant), starts it detached with setsid + nohup and records
# the new pid. A release named in <root>/fail-restart (one per line) fails to start, as a release
# with a broken configuration on that host would.
# usage: restart-app.sh <deploy root> <address> <port> <down ms>
set -e
root=$1
address=$2
port=$3
down_ms=${4:-0}
here=$(dirname "$0")
pidfile="$root/app.pid"

alive() {
  # A killed child of a non-reaping init stays a zombie: count it as stopped.
  kill -0 "$1" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != "Z" ]
}

if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  if alive "$pid"; then
    kill "$pid"
    n=0
    while alive "$pid"; do
      n=$((n + 1))
      if [ $n -gt 200 ]; then echo "app $pid did not stop" >&2; exit 1; fi
      sleep 0.02
    done
  fi
  rm -f "$pidfile"
fi

if [ "$down_ms" -gt 0 ]; then
  sleep "$(awk "BEGIN { print $down_ms / 1000 }")"
fi

release=$(basename "$(readlink "$root/current")")
if [ -f "$root/fail-restart" ] && grep -qxF "$release" "$root/fail-restart"; then
  echo "app failed to start: release $release is broken on this host" >&2
  exit 1
fi

setsid nohup node "$here/app.js" "$root" "$address" "$port" >>"$root/app.log" 2>&1 </dev/null &
echo $! >"$pidfile"
echo "started app $release (pid $!) on $address:$port"
