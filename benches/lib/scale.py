"""The scale rows: check and both rotating refreshes on a fresh database, first with the smaller
then with the larger number of grant families, seeded in bulk by the hidden `assent bench-seed`
(the application's own code and schema, no SQL of ours)."""

import time

from common import human, log
from database import Database
from flows import Client
from procs import stop
from rows import check_spec, live_args, oauth_args
from server import Assent


def run_scale(runner, binary, server_url, work, args, results):
    """check and both refresh rows with SMALL then LARGE grant families bulk-seeded."""
    db = Database(server_url, work, "scale")
    label = db.label
    a = Assent(binary, db, work, f"{label}-scale")
    try:
        a.seed()
        a.serve()
        c = Client(a, runner.driver)
        c.sign_in()
        c.consent_form()
        n = args.connections
        check_tokens = c.consent_tokens(16)
        live_chains = [t["reft"] for t in c.consent_tokens(n)]
        oauth_chains = [t["refresh_token"] for t in c.oauth_tokens(n)]
        seeded = 0
        for size in args.scale_sizes:
            log(f"{label}: bulk-seeding up to {size:,} filler grant families with assent bench-seed")
            t0 = time.time()
            totals = a.bench_seed(size - seeded)["totals"]
            seeded = size
            fam, grants, refresh = totals["families"], totals["grants"], totals["refresh_tokens"]
            log(f"{label}: seeded in {time.time() - t0:.0f} s: {fam:,} families, {grants:,} grants, "
                f"{refresh:,} refresh tokens")
            tag = human(size)
            for name, fn in [
                ("check", lambda: runner.wrk_row(a.port, check_spec(a, check_tokens), f"check-{tag}")),
                ("refresh-live", lambda: runner.driver_row("live", a.port, live_chains, live_args(a),
                                                           f"refresh-live-{tag}", a.db)),
                ("refresh-oauth", lambda: runner.driver_row("oauth", a.port, oauth_chains,
                                                            oauth_args(a), f"refresh-oauth-{tag}",
                                                            a.db)),
            ]:
                r = fn()
                if name == "refresh-live":
                    live_chains = r.pop("survivors")
                elif name == "refresh-oauth":
                    oauth_chains = r.pop("survivors")
                r.update(db=label, row=f"{name} @{tag}", what=f"{fam:,} families", scale=size,
                         base=name)
                results["rows"].append(r)
                a.record_memory(f"{name} @{tag}")
                log(f"{label}: {name} @{tag}: {r['rps']:.0f} req/s p50 {r['p50']:.2f} ms "
                    f"p99 {r['p99']:.2f} ms errors {r['errors']}")
        results["memory"][f"{label} scale"] = a.memory
    finally:
        stop(a.proc)
        db.drop()
