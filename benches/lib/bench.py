#!/usr/bin/env python3
"""The orchestrator of benches/run (standard library only).

For each database: a fresh database, the catalogue, an application and a user created with the
`assent` CLI, the server started with ASSENT_WORKERS=2 on a loopback port, the tokens obtained over
HTTP the way a website and a browser obtain them, then one bounded load run per row. Stateless rows
are driven by wrk (benches/lua/spec.lua); rotation rows (each request carries the refresh token of
the previous answer) by benches/driver. Then the scale runs on a second fresh database, with
10,000 and 1,000,000 grant families seeded in bulk by the hidden `assent bench-seed`, and the
oidc-provider peer. Prints one table and a summary; also writes them to benches/results/.

The parts, one job each: common (fixed values, logging), procs (processes we start), browser (a
cookie-jar HTTP client), database (fresh databases), server (one Assent: CLI seeding, serve),
flows (tokens over HTTP), load (wrk and driver runs), rows (the main rows), scale (the scale rows),
peer (oidc-provider), report (the table and the targets).
"""

import argparse
import datetime
import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the sources

from common import BENCHES
from load import Runner
from peer import run_peer
from procs import stop_all
from report import report
from rows import run_backend
from scale import run_scale


def main():
    ap = argparse.ArgumentParser(prog="benches/run")
    ap.add_argument("--database-url", action="append", default=None,
                    help="postgres://... (a server: a fresh database is created on it) or 'sqlite'; "
                         "repeatable; default: sqlite then $ASSENT_BENCH_PG_URL")
    ap.add_argument("--quick", action="store_true", help="a short smoke run")
    ap.add_argument("--duration", type=float, default=None)
    ap.add_argument("--warmup", type=float, default=None)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="wrk and driver threads")
    ap.add_argument("--no-scale", action="store_true")
    ap.add_argument("--rows", type=lambda v: [r for r in v.split(",") if r], default=None,
                    help="only these main rows (comma-separated names), e.g. for profiling")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--baseline", default=None,
                    help="another assent binary whose main rows run first, for ratios in one run")
    ap.add_argument("--no-full", action="store_true",
                    help="skip the SQLite rows with sqlite_synchronous = full")
    ap.add_argument("--assent", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--node", default="node")
    ap.add_argument("--work", required=True)
    ap.add_argument("--command", default="benches/run")
    args = ap.parse_args()
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    args.scale_sizes = [1_000, 20_000] if args.quick else [10_000, 1_000_000]
    urls = args.database_url or ["sqlite", os.environ.get("ASSENT_BENCH_PG_URL",
                                                          "postgres://postgres@127.0.0.1:5432/postgres")]
    paths = {"wrk": args.wrk, "driver": args.driver, "work": args.work, "node": args.node}
    runner = Runner(args, paths)
    results = {"rows": [], "memory": {}}
    load_start, started = os.getloadavg()[0], time.time()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: (stop_all(), sys.exit(130)))
    try:
        for url in urls:
            server_url = None if url == "sqlite" or url.startswith("sqlite:") else url
            if args.baseline:
                run_backend(runner, args.baseline, server_url, args.work, args, results,
                            tag="baseline")
            run_backend(runner, args.assent, server_url, args.work, args, results)
            if server_url is None and not args.no_full:
                run_backend(runner, args.assent, None, args.work, args, results, synchronous="full")
        if not args.no_scale:
            for url in urls:
                server_url = None if url == "sqlite" or url.startswith("sqlite:") else url
                run_scale(runner, args.assent, server_url, args.work, args, results)
        if not args.no_peer:
            run_peer(runner, paths, args.work, args, results)
    finally:
        stop_all()
    meta = {"date": datetime.date.today().isoformat(), "cores": os.cpu_count(),
            "command": args.command, "load_start": load_start, "load_end": os.getloadavg()[0],
            "minutes": (time.time() - started) / 60}
    text = report(results, args, meta)
    print(text)
    os.makedirs(os.path.join(BENCHES, "results"), exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(BENCHES, "results", f"{stamp}.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(BENCHES, "results", f"{stamp}.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
