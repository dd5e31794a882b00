"""The old rollout, as a competent Fabric 2 user would write it, for the rollout benchmark.

    fab proxy.group2          # group2 live, group1 drained and out
    fab deploy --ref TAG      # deploy TAG to the group HAProxy reports out
    fab proxy.flip            # the out group live, then the live group drained and out
    fab deploy --ref TAG
    fab proxy.all             # every group live
    fab rollout --ref TAG     # the five above in one process (what the benchmark times)

`--mode serial` deploys the hosts of a group one after another; `--mode parallel` runs one
command on the whole group at once through fabric's ThreadingGroup. The fleet comes from the JSON
file named by GANTRY_FLEET (written by `Gantry.Benchmarks -- rollout`). HAProxy is driven through
its runtime API on the admin socket: drain, wait until the server has no sessions, maintenance;
ready, wait until its health check says UP. Host keys are checked against the fleet's known_hosts
file, never accepted blindly. SSH connections are opened once per host and reused.

Needs Debian's python3-fabric (Fabric 2): apt-get install -y python3-fabric; run it as
/usr/bin/python3 -m fabric (Debian's `fab` script is in the separate package fabric).
"""

import json
import os
import re
import resource
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request

import paramiko
from fabric import Connection, ThreadingGroup
from invoke import Collection, task

POLL = 0.05

_fleet = None
_connections = {}


def fleet():
    global _fleet
    if _fleet is None:
        with open(os.environ["GANTRY_FLEET"], encoding="utf-8") as f:
            _fleet = json.load(f)
    return _fleet


def connection(host):
    """One SSH connection per host for the whole process, with the host key pinned."""
    if host["name"] not in _connections:
        f = fleet()
        c = Connection(host["address"], user=f["user"], port=f["ssh_port"],
                       connect_kwargs={"key_filename": f["key_file"], "look_for_keys": False, "allow_agent": False})
        c.client.load_host_keys(f["known_hosts"])
        c.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        _connections[host["name"]] = c
    return _connections[host["name"]]


# --- HAProxy runtime API -------------------------------------------------------------------

def haproxy(command):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(fleet()["haproxy_socket"])
        s.sendall((command + "\n").encode())
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode()


def servers():
    """name -> (status, current sessions) of every server of the backend, from `show stat`."""
    lines = haproxy("show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    pxname, svname, scur, status = (header.index(k) for k in ("pxname", "svname", "scur", "status"))
    result = {}
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) > status and fields[pxname] == fleet()["backend"] and fields[svname] not in ("FRONTEND", "BACKEND"):
            result[fields[svname]] = (fields[status], int(fields[scur] or 0))
    return result


def set_state(names, state):
    for name in names:
        reply = haproxy(f"set server {fleet()['backend']}/{name} state {state}").strip()
        if reply:
            raise RuntimeError(f"haproxy: set server {name} state {state}: {reply}")


def wait_until(condition, what, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL)


def group_names(group):
    return [h["name"] for h in fleet()["groups"][group]]


def bring_live(group):
    names = [n for n in group_names(group) if servers()[n][0] != "UP"]
    if not names:
        return
    set_state(names, "ready")
    wait_until(lambda: all(servers()[n][0] == "UP" for n in names), f"{group} UP", fleet()["health_timeout"])


def take_out(group):
    names = [n for n in group_names(group) if not servers()[n][0].startswith("MAINT")]
    if not names:
        return
    set_state(names, "drain")
    wait_until(lambda: all(servers()[n][1] == 0 for n in names), f"{group} drained", fleet()["drain_timeout"])
    set_state(names, "maint")


def out_group():
    state = servers()
    out = [g for g in fleet()["groups"] if all(state[n][0].startswith("MAINT") for n in group_names(g))]
    if len(out) != 1:
        raise RuntimeError(f"expected exactly one group out, found {out or 'none'}")
    return out[0]


# --- deploy --------------------------------------------------------------------------------

def resolve(ref):
    """stable = the highest vX.Y.Z tag on origin (no pre-release), like Gantry's git.latest-tag."""
    if ref != "stable":
        return ref
    out = subprocess.run(["git", "ls-remote", "--tags", "--refs", fleet()["origin"]],
                         capture_output=True, text=True, check=True).stdout
    tags = [line.split("refs/tags/", 1)[1] for line in out.splitlines()]
    stable = [t for t in tags if re.fullmatch(r"v\d+\.\d+\.\d+", t)]
    return max(stable, key=lambda t: tuple(int(p) for p in t[1:].split(".")))


def deploy_script(ref):
    """One script for every host: releases/REF from origin, current switched, revisions.log, restart.
    On a real fleet every host has the same root and restart; here they share one machine, so the
    host picks its own from the address it was reached on."""
    cases = "\n".join(
        f"  {h['address']}) root={shlex.quote(h['root'])}; restart={shlex.quote(h['restart'])};;"
        for group in fleet()["groups"].values() for h in group)
    return f"""set -e
case "$(echo "$SSH_CONNECTION" | cut -d' ' -f3)" in
{cases}
  *) echo "unknown host $SSH_CONNECTION" >&2; exit 1;;
esac
cd "$root"
mkdir -p releases
rm -rf releases/{ref} releases/{ref}.tmp
git -c advice.detachedHead=false clone --quiet --depth 1 --branch {ref} {shlex.quote(fleet()['origin'])} releases/{ref}.tmp
touch releases/{ref}.tmp/.gantry-complete
mv -T releases/{ref}.tmp releases/{ref}
prev=$(readlink current || true)
ln -sfn releases/{ref} current.tmp && mv -T current.tmp current
printf '%s\\t%s\\t%s\\t%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" deploy {ref} "${{prev##*/}}" >> revisions.log
sh -c "$restart"
"""


def wait_healthy(host):
    url = f"http://{host['address']}:{host['port']}/health"

    def healthy():
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    wait_until(healthy, f"{url} healthy", 20)


def deploy_group(group, ref, mode):
    hosts = fleet()["groups"][group]
    script = deploy_script(ref)
    if mode == "parallel":
        ThreadingGroup.from_connections([connection(h) for h in hosts]).run(script, hide=True)
        for h in hosts:
            wait_healthy(h)
    else:
        for h in hosts:
            connection(h).run(script, hide=True)
            wait_healthy(h)


# --- tasks ---------------------------------------------------------------------------------

@task(name="group2")
def proxy_group2(c):
    """group2 live, group1 out."""
    bring_live("group2")
    take_out("group1")


@task(name="flip")
def proxy_flip(c):
    """The out group live, then the live group out."""
    out = out_group()
    live = [g for g in fleet()["groups"] if g != out]
    bring_live(out)
    for g in live:
        take_out(g)


@task(name="all")
def proxy_all(c):
    for g in fleet()["groups"]:
        bring_live(g)


@task
def deploy(c, ref, target="out", mode="parallel"):
    """Deploy REF to the out group (or a named one)."""
    deploy_group(out_group() if target == "out" else target, resolve(ref), mode)


@task
def rollout(c, ref, mode="parallel"):
    """proxy.group2, deploy out, proxy.flip, deploy out, proxy.all."""
    started = time.monotonic()
    ref = resolve(ref)
    proxy_group2(c)
    deploy(c, ref, "out", mode)
    proxy_flip(c)
    deploy(c, ref, "out", mode)
    proxy_all(c)
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(f"cpu {used.ru_utime + used.ru_stime:.3f}s")
    print(f"rollout {ref} ({mode}) took {time.monotonic() - started:.3f}s")


proxy = Collection("proxy", proxy_group2, proxy_flip, proxy_all)
ns = Collection(proxy, deploy, rollout)
