"""One Assent under test: its environment, seeding with the `assent` CLI (the catalogue, an
application, a user; for the scale rows `assent bench-seed`), `assent serve` on a loopback port,
and the server's memory after each row."""

import http.client
import json
import os
import subprocess
import time

from common import EMAIL, PASSWORD, PS, RETURN_URL, fail, free_port
from procs import memory_kib, start

CATALOGUE = ('[[provider]]\nrp_id = "rp_bench"\nname = "Bench contacts"\n\n'
             '  [[provider.offer]]\n  name = "Contacts"\n  actions = [\n'
             '    { name = "Read", description = "Read your contacts" },\n'
             '    { name = "Write", description = "Change your contacts" },\n'
             '  ]\n')


class Assent:
    def __init__(self, binary, db, work, tag):
        self.binary, self.db, self.work, self.tag = binary, db, work, tag
        self.env = dict(os.environ)
        self.env.pop("ASSENT_CONFIG", None)
        self.env.update({"ASSENT_DATABASE_URL": db.url, "ASSENT_WORKERS": "2",
                         "ASSENT_METRICS_BIND": "127.0.0.1:0"})
        if db.key:
            self.env["ASSENT_SERVER_KEY"] = db.key
        self.proc = None
        self.port = None
        self.memory = []  # (row, VmHWM KiB, VmRSS KiB) after each row

    def cli(self, args, stdin=None, timeout=None):
        env = dict(self.env, ASSENT_LOG="warn")
        try:
            p = subprocess.run([self.binary] + args, input=stdin, capture_output=True, text=True,
                               env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            fail(f"assent {' '.join(args)}: no answer within {timeout} s")
        if p.returncode != 0:
            fail(f"assent {' '.join(args)}: {p.stderr.strip()}")
        return json.loads(p.stdout.strip().splitlines()[-1])

    def seed(self):
        self.cli(["migrate"])
        catalogue = os.path.join(self.work, "catalogue.toml")
        with open(catalogue, "w") as f:
            f.write(CATALOGUE)
        applied = self.cli(["catalogue", "apply", catalogue])
        self.rp_id = applied["providers"][0]["rp_id"]
        self.rp_secret = applied["providers"][0]["secret"]
        app = self.cli(["app", "create", "--name", "Bench site", "--return-url", RETURN_URL,
                        "--privacy-url", "https://bench.example/privacy"])
        self.appid, self.secret = app["appid"], app["secret"]
        self.cli(["user", "create", "--email", EMAIL, "--name", "Bench", "--password-stdin"],
                 stdin=PASSWORD + "\n")

    def bench_seed(self, families):
        """`families` more grant families of the bench site (filler users, one per 10 families),
        through the hidden `assent bench-seed`; its JSON line (with the database's totals)."""
        return self.cli(["bench-seed", "--families", str(families), "--app", self.appid,
                         "--permission", PS], timeout=1800)

    def serve(self):
        self.port = free_port()
        self.metrics_port = free_port()
        env = dict(self.env, ASSENT_BIND=f"127.0.0.1:{self.port}",
                   ASSENT_METRICS_BIND=f"127.0.0.1:{self.metrics_port}")
        log_path = os.path.join(self.work, f"assent-{self.tag}.log")
        self.proc = start([self.binary, "serve"], env=env, log_path=log_path)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail(f"assent exited with {self.proc.returncode}; see {log_path}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        fail("assent did not answer /healthz within 60 s")

    def counts(self):
        """(SQL statements completed, HTTP requests answered) so far, from the server's own
        /metrics; None when it has no statement counter (an older build as the baseline)."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=5)
            c.request("GET", "/metrics")
            text = c.getresponse().read().decode()
        except OSError:
            return None
        statements, requests, seen = 0.0, 0.0, False
        for line in text.splitlines():
            if line.startswith("assent_db_statements_total "):
                statements, seen = float(line.split()[-1]), True
            elif line.startswith("assent_http_requests_total{"):
                requests += float(line.split()[-1])
        return (statements, requests) if seen else None

    def record_memory(self, row):
        hwm, rss = memory_kib(self.proc.pid)
        self.memory.append((row, hwm, rss))
