"""The two load generators, one bounded run each: wrk with benches/lua/spec.lua for the stateless
rows, benches/driver for the rotating refresh rows. Each returns one row's figures."""

import json
import os
import subprocess

from common import BENCHES, fail, log


class Runner:
    def __init__(self, args, paths):
        self.args = args
        self.wrk = paths["wrk"]
        self.driver = paths["driver"]
        self.work = paths["work"]

    def wrk_row(self, port, spec_lines, name, once=False):
        """One wrk row. With `once`, each body is sent at most once over the warm-up and the run
        together (consent forms are decided once): the warm-up gets the first share of the bodies,
        the run the rest."""
        def write(path, lines):
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            return path

        spec = write(os.path.join(self.work, f"{name}.spec"), spec_lines)
        warm_spec = spec
        if once and self.args.warmup > 0:
            head = [l for l in spec_lines if not l.startswith("body ")]
            bodies = [l for l in spec_lines if l.startswith("body ")]
            cut = int(len(bodies) * self.args.warmup / (self.args.warmup + self.args.duration))
            warm_spec = write(os.path.join(self.work, f"{name}.warm.spec"), head + bodies[:cut])
            spec = write(spec, head + bodies[cut:])
        base = [self.wrk, f"-t{self.args.threads}", f"-c{self.args.connections}",
                "--timeout", "10s", "-s", os.path.join(BENCHES, "lua", "spec.lua"),
                f"http://127.0.0.1:{port}"]

        def run(seconds, spec=spec):
            cmd = base[:1] + [f"-d{max(1, round(seconds))}s"] + base[1:] + ["--", spec]
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            line = next((l for l in p.stdout.splitlines() if l.startswith("BENCH ")), None)
            if p.returncode != 0 or line is None:
                fail(f"wrk failed for {name}: {p.stdout[-2000:]} {p.stderr[-2000:]}")
            return json.loads(line[6:])

        if self.args.warmup > 0:
            run(self.args.warmup, warm_spec)
        r = run(self.args.duration)
        secs = r["duration_us"] / 1e6
        errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"] + r["unexpected"]
        return {"rps": r["requests"] / secs, "p50": r["p50_us"] / 1000, "p99": r["p99_us"] / 1000,
                "errors": errors, "requests": r["requests"],
                "error_detail": {k: r[k] for k in ("connect", "read", "write", "timeout", "status",
                                                     "unexpected") if r[k]}}

    def driver_row(self, mode, port, chains, extra, name, db=None):
        """With `db` (Assent's Database), checks afterwards that the rotations the database
        consumed are exactly the successful answers the driver counted."""
        before = db.consumed_refresh_tokens() if db else None
        chain_file = os.path.join(self.work, f"{name}.chains")
        with open(chain_file, "w") as f:
            f.write("\n".join(chains) + "\n")
        save = os.path.join(self.work, f"{name}.saved")
        cmd = [self.driver, mode, "--addr", f"127.0.0.1:{port}", "--chains", chain_file,
               "--duration", str(self.args.duration), "--warmup", str(self.args.warmup),
               "--threads", str(self.args.threads), "--save", save] + extra
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=self.args.duration + self.args.warmup + 60)
        if p.returncode != 0 or not p.stdout.strip():
            fail(f"driver failed for {name}: {p.stderr[-2000:]}")
        r = json.loads(p.stdout.strip().splitlines()[-1])
        if p.stderr.strip():
            log(f"{name}: " + " | ".join(p.stderr.strip().splitlines()[:3]))
        with open(save) as f:
            survivors = [l.strip() for l in f if l.strip()]
        detail = {}
        if db:
            consumed = db.consumed_refresh_tokens() - before
            if consumed != r["answered_ok"]:
                fail(f"{name}: the database consumed {consumed} refresh tokens, but the driver "
                     f"counted {r['answered_ok']} successful answers")
            log(f"{name}: {consumed} refresh tokens consumed = {r['answered_ok']} answers")
        if r["broken_chains"]:
            detail["broken_chains"] = r["broken_chains"]
        return {"rps": r["rps"], "p50": r["p50_ms"], "p99": r["p99_ms"], "errors": r["errors"],
                "requests": r["requests"], "error_detail": detail, "survivors": survivors}
