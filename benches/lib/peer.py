"""The peer: oidc-provider from npm (benches/peer/provider.mjs, in-memory storage), its tokens
through its development interactions, and the same introspection and rotating refresh rows."""

import html
import http.client
import json
import os
import re
import secrets
import time
import urllib.parse

from browser import Browser, hidden
from common import BENCHES, PEER_REDIRECT, basic, fail, free_port, log, urlenc
from procs import memory_kib, start, stop


def peer_flow(b, secret, i):
    """One authorization code flow through the provider's development interactions; the tokens."""
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": "bench", "redirect_uri": PEER_REDIRECT,
        "scope": "openid offline_access", "prompt": "consent", "state": f"s{i}"})
    path = f"/auth?{query}"
    for _ in range(12):
        status, headers, page = b.request("GET", path)
        if status in (302, 303):
            location = headers["Location"]
            if location.startswith(PEER_REDIRECT):
                params = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
                if "code" not in params:
                    fail(f"oidc-provider refused: {location}")
                status, _, body = b.request(
                    "POST", "/token", {"grant_type": "authorization_code", "code": params["code"][0],
                                       "redirect_uri": PEER_REDIRECT},
                    {"Authorization": basic("bench", secret)})
                if status != 200:
                    fail(f"oidc-provider /token answered {status}: {body[:300]}")
                return json.loads(body)
            path = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
            continue
        if status != 200:
            fail(f"oidc-provider {path} answered {status}: {page[:300]}")
        prompt = hidden(page, "prompt")
        form = {"prompt": prompt}
        if prompt == "login":
            form.update(login="bench-user", password="x")
        m = re.search(r'<form[^>]*action="([^"]+)"', page)
        status, headers, page = b.request("POST", html.unescape(m.group(1)), form)
        if status not in (302, 303):
            fail(f"oidc-provider interaction answered {status}: {page[:300]}")
        path = urllib.parse.urlsplit(headers["Location"])._replace(scheme="", netloc="").geturl()
    fail("oidc-provider: the authorization flow did not end in a code")


def run_peer(runner, paths, work, args, results):
    port = free_port()
    secret = secrets.token_hex(16)
    env = dict(os.environ, PEER_PORT=str(port), PEER_CLIENT_SECRET=secret, NODE_ENV="production")
    proc = start([paths["node"], os.path.join(BENCHES, "peer", "provider.mjs")], env=env,
                 log_path=os.path.join(work, "peer.log"), cwd=os.path.join(BENCHES, "peer"))
    try:
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                fail(f"oidc-provider exited; see {work}/peer.log")
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/.well-known/openid-configuration")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                fail("oidc-provider did not start")
            time.sleep(0.2)
        b = Browser(port)
        n = args.connections
        log(f"peer: obtaining {n} refresh-token chains and 16 access tokens from oidc-provider")
        flows = [peer_flow(b, secret, i) for i in range(n + 16)]
        chains = [f["refresh_token"] for f in flows[:n]]
        access = [f["access_token"] for f in flows[n:]]
        spec = ["method POST", "path /token/introspection",
                f"header Authorization: {basic('bench', secret)}",
                "header Content-Type: application/x-www-form-urlencoded",
                'expect "active":true'] + [f"body token={urlenc(t)}" for t in access]
        for name, fn in [
            ("introspect", lambda: runner.wrk_row(port, spec, "peer-introspect")),
            ("refresh-oauth", lambda: runner.driver_row(
                "oauth", port, chains, ["--path", "/token", "--client-id", "bench",
                                        "--client-secret", secret], "peer-refresh")),
        ]:
            log(f"peer: {name}")
            r = fn()
            r.pop("survivors", None)
            r.update(db="oidc-provider", row=f"peer {name}",
                     what="/token/introspection" if name == "introspect" else "/token refresh_token (rotating)",
                     base=name)
            hwm, _ = memory_kib(proc.pid)
            results["rows"].append(r)
            log(f"peer: {name}: {r['rps']:.0f} req/s p50 {r['p50']:.2f} ms p99 {r['p99']:.2f} ms "
                f"errors {r['errors']}")
        results["memory"]["oidc-provider"] = [("end", memory_kib(proc.pid)[0], 0)]
    finally:
        stop(proc)

