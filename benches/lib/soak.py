#!/usr/bin/env python3
"""A soak of the storage sweeper (benches/soak): rotating Live refreshes for a while against one
Assent on a fresh SQLite file whose [retention] times are short, and the database's size every
so often. With the sweeper on, the size grows until the retention time is reached and then stays
flat; with it off (--no-sweep) it grows all along."""

import argparse
import os
import sqlite3
import subprocess
import sys
import time

sys.dont_write_bytecode = True

from common import log
from database import Database
from flows import Client
from procs import stop_all
from rows import live_args
from server import Assent


def sizes(path):
    def size(p):
        try:
            return os.path.getsize(p)
        except OSError:
            return 0
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT COUNT(*) FROM refresh_tokens").fetchone()[0]
    finally:
        con.close()
    return size(path), size(path + "-wal"), rows


def main():
    ap = argparse.ArgumentParser(prog="benches/soak")
    ap.add_argument("--assent", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--retention-secs", type=int, default=60)
    ap.add_argument("--every-secs", type=int, default=20)
    ap.add_argument("--sample-secs", type=int, default=30)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--no-sweep", action="store_true")
    args = ap.parse_args()
    db = Database(None, args.work, "soak")
    a = Assent(args.assent, db, args.work, "soak")
    config = os.path.join(args.work, "soak.toml")
    with open(config, "w") as f:
        f.write(f"[retention]\nconsumed_refresh_secs = {args.retention_secs}\n"
                f"ended_grant_secs = {args.retention_secs}\n"
                f"history_secs = {args.retention_secs}\n"
                f"sweep_every_secs = {0 if args.no_sweep else args.every_secs}\n")
    a.env["ASSENT_CONFIG"] = config
    try:
        a.seed()
        a.serve()
        c = Client(a, args.driver)
        c.sign_in()
        c.consent_form()
        chains = [t["reft"] for t in c.consent_tokens(args.connections)]
        chain_file = os.path.join(args.work, "soak.chains")
        with open(chain_file, "w") as f:
            f.write("\n".join(chains) + "\n")
        seconds = args.minutes * 60
        driver = subprocess.Popen(
            [args.driver, "live", "--addr", f"127.0.0.1:{a.port}", "--chains", chain_file,
             "--duration", str(seconds), "--warmup", "0", "--threads", "1",
             "--save", os.path.join(args.work, "soak.saved")] + live_args(a),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.time()
        print("| minute | database file | WAL | refresh_tokens rows |")
        print("|---:|---:|---:|---:|")
        while driver.poll() is None:
            db_bytes, wal_bytes, rows = sizes(db.path)
            print(f"| {(time.time() - started) / 60:.1f} | {db_bytes / 1e6:.2f} MB | "
                  f"{wal_bytes / 1e6:.2f} MB | {rows:,} |", flush=True)
            time.sleep(args.sample_secs)
        out, err = driver.communicate()
        last = out.strip().splitlines()[-1] if out.strip() else err[-500:]
        log(f"driver: {last}")
    finally:
        stop_all()
        db.drop()


if __name__ == "__main__":
    main()
