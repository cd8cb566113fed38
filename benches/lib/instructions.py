#!/usr/bin/env python3
"""Instructions per request under callgrind (benches/instructions): a figure that does not move with
the machine's load, for comparing two builds where throughput runs are too noisy to tell.

For each database and each binary (the one built here, and --baseline if given): a fresh database
seeded as for benches/run, `assent serve` under `valgrind --tool=callgrind`, the tokens obtained over
HTTP the same way, then per row some warm-up requests, the counters zeroed (callgrind_control -z),
N requests one after another on one keep-alive connection, and a dump (callgrind_control -d). The
figure is the dump's total instructions (every thread of the server) divided by N. Only Assent's own
instructions count: PostgreSQL's work is not in it.
"""

import argparse
import glob
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True

from common import PS, RETURN_URL, basic, fail, log, urlenc
from database import Database
from flows import Client
from procs import stop, stop_all
from server import Assent


class CallgrindAssent(Assent):
    """An Assent whose `serve` runs under callgrind (the CLI seeding runs natively)."""

    def __init__(self, binary, db, work, tag):
        super().__init__(binary, db, work, tag)
        self.out = os.path.join(work, f"callgrind-{tag}.out")

    def serve(self):
        wrapper = os.path.join(self.work, f"serve-{self.tag}.sh")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec valgrind -q --tool=callgrind --callgrind-out-file={self.out} '
                    f'{self.binary} "$@"\n')
        os.chmod(wrapper, 0o755)
        real, self.binary = self.binary, wrapper
        try:
            super().serve()
        finally:
            self.binary = real


def dumped_total(pattern, before):
    """The total instructions of the newest dump matching `pattern` not in `before`."""
    deadline = time.time() + 60
    while time.time() < deadline:
        new = [p for p in glob.glob(pattern) if p not in before]
        for path in new:
            with open(path) as f:
                for line in f:
                    if line.startswith(("totals:", "summary:")):
                        return int(line.split()[1])
        time.sleep(0.2)
    fail(f"no callgrind dump appeared for {pattern}")


def measure(binary, server_url, work, tag, requests, driver):
    db = Database(server_url, work, tag)
    a = CallgrindAssent(binary, db, work, f"{db.label}-{tag}")
    try:
        a.seed()
        a.serve()
        c = Client(a, driver)
        c.sign_in()
        # A consent form is decided once: one undecided form per consent request measured (and
        # per warm-up one), fetched before any grant (afterwards the consent is remembered).
        forms = c.consent_forms(20 + requests // 4)
        c.consent_form()
        checks = c.consent_tokens(16)
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)

        def call(method, path, body=None, headers=None, want=200):
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            if r.status != want:
                fail(f"{method} {path}: {r.status} {data[:200]!r}")
            return data

        form = "application/x-www-form-urlencoded"
        rp = {"Authorization": basic(a.rp_id, a.rp_secret), "Content-Type": form}
        client = {"Authorization": basic(a.appid, a.secret), "Content-Type": form}
        signed_in = {"Cookie": f"assent_session={c.browser.cookies['assent_session']}",
                     "Content-Type": form}
        oauth_rt = [c.oauth_tokens(1)[0]["refresh_token"]]
        live_rt = [c.consent_tokens(1)[0]["reft"]]

        def refresh_oauth(_):
            body = urllib.parse.urlencode({"grant_type": "refresh_token",
                                           "refresh_token": oauth_rt[0]})
            oauth_rt[0] = json.loads(call("POST", "/oauth2/token", body, client))["refresh_token"]

        def refresh_live(_):
            query = (f"ps={urlenc(PS)}&reft={urlenc(live_rt[0])}&ru={urlenc(RETURN_URL)}"
                     f"&app={c.verifier()}")
            field = json.loads(call("GET", "/consent/refresh?" + query))["ConsentToken"]
            live_rt[0] = c.open_tokens([field])[0]["reft"]

        rows = [
            ("ceiling", requests, lambda _: call("GET", "/healthz")),
            ("check", requests, lambda i: call(
                "POST", "/delegation/check",
                f"token={urlenc(checks[i % 16]['delt'])}&permission={PS}", rp)),
            ("introspect", requests, lambda i: call(
                "POST", "/oauth2/introspect", f"token={urlenc(checks[i % 16]['delt'])}", rp)),
            ("refresh-live", requests // 4, refresh_live),
            ("refresh-oauth", requests // 4, refresh_oauth),
            ("consent", requests // 4, lambda _: call("POST", "/consent", forms.pop(),
                                                      signed_in)),
        ]
        out = {}
        for name, n, fn in rows:
            for i in range(20):
                fn(i)
            subprocess.run(["callgrind_control", "-z", str(a.proc.pid)], capture_output=True,
                           check=True)
            for i in range(n):
                fn(i)
            before = set(glob.glob(a.out + "*"))
            subprocess.run(["callgrind_control", "-d", name, str(a.proc.pid)],
                           capture_output=True, check=True)
            out[name] = dumped_total(a.out + "*", before) / n
            log(f"{db.label} {tag}: {name}: {out[name]:,.0f} instructions per request")
        return db.label, out
    finally:
        stop(a.proc)
        db.drop()


def main():
    ap = argparse.ArgumentParser(prog="benches/instructions")
    ap.add_argument("--database-url", action="append", required=True)
    ap.add_argument("--assent", required=True)
    ap.add_argument("--baseline", default=None)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    builds = [("this", args.assent)] + ([("baseline", args.baseline)] if args.baseline else [])
    table = []
    try:
        for url in args.database_url:
            server_url = None if url == "sqlite" or url.startswith("sqlite:") else url
            figures = {}
            for tag, binary in builds:
                label, figures[tag] = measure(binary, server_url, args.work, tag, args.requests,
                                              args.driver)
            for row in figures["this"]:
                line = [label, row, f"{figures['this'][row]:,.0f}"]
                if args.baseline:
                    base = figures["baseline"][row]
                    line += [f"{base:,.0f}", f"{figures['this'][row] / base:.3f}"]
                table.append(line)
    finally:
        stop_all()
    head = ["database", "row", "this build"] + (["baseline", "ratio"] if args.baseline else [])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for line in table:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
