#!/bin/sh
# Restarts the tiny app of one fake host: stop it by its pid file (never by name), start it
# detached with setsid + nohup, record the new pid.
# usage: restart-app.sh <deploy root> <address> <port>
set -e
root=$1
address=$2
port=$3
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
      if [ $n -gt 100 ]; then echo "app $pid did not stop" >&2; exit 1; fi
      sleep 0.05
    done
  fi
  rm -f "$pidfile"
fi

setsid nohup node "$here/app.js" "$root" "$address" "$port" >>"$root/app.log" 2>&1 </dev/null &
echo $! >"$pidfile"
echo "started app (pid $!) on $address:$port"
