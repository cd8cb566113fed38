"""The processes the orchestrator starts (servers, the peer): started in their own session, stopped
by pid, and their memory read from /proc."""

import os
import signal
import subprocess

_children = []


def start(cmd, env=None, log_path=None, cwd=None):
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                            start_new_session=True)
    _children.append(proc)
    return proc


def stop(proc, timeout=15):
    """Stop one process we started (SIGTERM, then SIGKILL), by its pid."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def stop_all():
    for proc in reversed(_children):
        stop(proc, timeout=5)


def memory_kib(pid):
    """(VmHWM, VmRSS) of a process in KiB."""
    found = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    name, value = line.split(":", 1)
                    found[name] = int(value.split()[0])
    except FileNotFoundError:
        return (0, 0)
    return (found.get("VmHWM", 0), found.get("VmRSS", 0))
