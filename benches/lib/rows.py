"""The main rows on one fresh database: the ceiling, check, introspect, both rotating refreshes,
consent and sign-in; and the request specs and driver arguments the scale rows share."""

import os

from common import PS, RETURN_URL, basic, log, urlenc
from database import Database
from flows import Client
from procs import stop
from server import Assent


# Consent forms fetched for the consent row, per second of its run: a form is decided once, so a
# faster row runs out and its repeated forms answer 409 (counted as errors, never hidden).
CONSENT_FORMS_PER_SEC = 6000


def check_spec(a, tokens, path="/delegation/check", permission=True):
    lines = ["method POST", f"path {path}",
             f"header Authorization: {basic(a.rp_id, a.rp_secret)}",
             "header Content-Type: application/x-www-form-urlencoded",
             'expect "active":true']
    for t in tokens:
        body = f"token={urlenc(t['delt'])}"
        if permission:
            body += f"&permission={PS}"
        lines.append(f"body {body}")
    return lines


def live_args(a):
    return ["--appid", a.appid, "--secret", a.secret, "--ps", PS, "--ru", RETURN_URL]


def oauth_args(a):
    return ["--path", "/oauth2/token", "--client-id", a.appid, "--client-secret", a.secret]


# The rows run again on SQLite with `database.sqlite_synchronous = "full"` (every commit synced).
FULL_ROWS = ("ceiling", "refresh-live", "refresh-oauth", "consent")


def run_backend(runner, binary, server_url, work, args, results, synchronous=None, tag=None):
    """The main rows on one fresh database; with `synchronous`, SQLite's durability mode; `tag`
    names another binary (the baseline) in the labels."""
    suffix = "".join(f"-{t}" for t in (synchronous, tag) if t)
    db = Database(server_url, work, f"main{suffix}")
    label = f"{db.label}{suffix}"
    a = Assent(binary, db, work, f"{label}-main")
    # The sign-in row sends 64 sign-ins of one account at once: the limiter reserves an attempt
    # per password in flight (at most 5 per account, 20 per IP by default, so that parallel
    # guesses get no more than the limit), which would refuse most of them with 429 before any
    # argon2id ran. The bench raises these two limits so that the row measures the hashing.
    path = os.path.join(work, f"{label}.toml")
    with open(path, "w") as f:
        if synchronous:
            f.write(f'[database]\nsqlite_synchronous = "{synchronous}"\n')
        f.write("[security]\nsign_in_max_failures_per_account = 1000000\n"
                "sign_in_max_failures_per_ip = 1000000\n")
    a.env["ASSENT_CONFIG"] = path
    try:
        log(f"{label}: seeding with the CLI, starting the server")
        a.seed()
        a.serve()
        c = Client(a, runner.driver)
        c.sign_in()
        consent_bodies = []
        if not args.rows or "consent" in args.rows:
            forms = int((args.duration + args.warmup) * CONSENT_FORMS_PER_SEC)
            log(f"{label}: fetching {forms} consent forms for the consent row")
            consent_bodies = c.consent_forms(forms)
        c.consent_form()
        n = args.connections
        log(f"{label}: obtaining {n} Live and {n} OAuth chains and 16 delegation tokens over HTTP")
        check_tokens = c.consent_tokens(16)
        live_chains = [t["reft"] for t in c.consent_tokens(n)]
        oauth_chains = [t["refresh_token"] for t in c.oauth_tokens(n)]
        a.record_memory("setup")
        rows = [
            ("ceiling", "GET /healthz",
             lambda: runner.wrk_row(a.port, ["method GET", "path /healthz", "expect ok"], "ceiling")),
            ("check", "POST /delegation/check",
             lambda: runner.wrk_row(a.port, check_spec(a, check_tokens), "check")),
            ("introspect", "POST /oauth2/introspect",
             lambda: runner.wrk_row(a.port, check_spec(a, check_tokens, "/oauth2/introspect", False),
                                    "introspect")),
            ("refresh-live", "GET /consent/refresh (rotating)",
             lambda: runner.driver_row("live", a.port, live_chains, live_args(a), "refresh-live",
                                                a.db)),
            ("refresh-oauth", "POST /oauth2/token refresh_token (rotating)",
             lambda: runner.driver_row("oauth", a.port, oauth_chains, oauth_args(a), "refresh-oauth",
                                                a.db)),
            ("consent", "POST /consent (Allow, signed in; each form once)",
             lambda: runner.wrk_row(a.port, [
                 "method POST", "path /consent",
                 f"header Cookie: assent_session={c.browser.cookies['assent_session']}",
                 "header Content-Type: application/x-www-form-urlencoded",
                 "status 200", "expect RequestApproved"] + [f"body {b}" for b in consent_bodies],
                 "consent", once=True)),
            ("sign-in", "POST /signin (argon2id 19 MiB, t=2)",
             lambda: runner.wrk_row(a.port, [
                 "method POST", "path /signin",
                 f"header Cookie: assent_pre={c.signin_form[0]}",
                 "header Content-Type: application/x-www-form-urlencoded",
                 "status 303", f"body {c.signin_form[1]}"], "sign-in")),
        ]
        for name, what, fn in rows:
            if args.rows and name not in args.rows:
                continue
            if synchronous and name not in FULL_ROWS:
                continue
            log(f"{label}: {name}")
            before = a.counts()
            r = fn()
            after = a.counts()
            if before and after and after[1] > before[1]:
                # Statements per request answered, warm-up included, on the server's side.
                r["qpr"] = (after[0] - before[0]) / (after[1] - before[1])
            r.pop("survivors", None)
            r.update(db=label, row=name, what=what)
            results["rows"].append(r)
            a.record_memory(name)
            log(f"{label}: {name}: {r['rps']:.0f} req/s p50 {r['p50']:.2f} ms p99 {r['p99']:.2f} ms "
                f"errors {r['errors']} | server VmHWM {a.memory[-1][1] / 1024:.1f} MiB")
        results["memory"][f"{label} main"] = a.memory
    finally:
        stop(a.proc)
        db.drop()
