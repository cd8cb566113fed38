"""What every part of the orchestrator shares: the set-up's fixed values, logging, encodings."""

import base64
import os
import socket
import sys
import time
import urllib.parse

BENCHES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password-1234"
EMAIL = "bench@example.com"
RETURN_URL = "https://bench.example/cb"
PS = "Contacts.Read"
PEER_REDIRECT = "https://client.example/callback"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    log(f"FAILED: {msg}")
    raise SystemExit(1)


def urlenc(s):
    """docs/protocol.md urlenc: every byte outside A-Z a-z 0-9 . - _ ~, upper-case hex."""
    return urllib.parse.quote(s, safe=".-_~")


def basic(user, password):
    raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def human(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)
