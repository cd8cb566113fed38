#!/usr/bin/env python3
"""The orchestrator of benches/run (standard library only).

For each database: a fresh database, the catalogue, an application and a user created with the
`assent` CLI, the server started with ASSENT_WORKERS=2 on a loopback port, the tokens obtained over
HTTP the way a website and a browser obtain them, then one bounded load run per row. Stateless rows
are driven by wrk (benches/lua/spec.lua); rotation rows (each request carries the refresh token of
the previous answer) by benches/driver. Then the scale runs on a second fresh database, with
10,000 and 1,000,000 grants and token families bulk-seeded through SQL, and the oidc-provider peer.
Prints one table and a summary; also writes them to benches/results/.
"""

import argparse
import base64
import datetime
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

BENCHES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench-password-1234"
EMAIL = "bench@example.com"
RETURN_URL = "https://bench.example/cb"
PS = "Contacts.Read"
PEER_REDIRECT = "https://client.example/callback"

# Targets of issue 8 (2 cores, load generator on the same machine).
CHECK_RPS, CHECK_CEILING_SHARE, CHECK_P99_MS = 20_000, 0.30, 10.0
REFRESH_RPS, CONSENT_RPS, SCALE_MAX, RSS_MAX_MIB, PEER_MIN = 2_000, 1_000, 1.3, 100, 5.0

_children = []


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fail(msg):
    log(f"FAILED: {msg}")
    raise SystemExit(1)


def urlenc(s):
    """docs/protocol.md urlenc: every byte outside A-Z a-z 0-9 . - _ ~, upper-case hex."""
    return urllib.parse.quote(s, safe=".-_~")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


# ---------------------------------------------------------------------------------------------
# A small HTTP client with a cookie jar (enough for the set-up flows; the load itself is wrk's).

class Browser:
    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict) or isinstance(body, list):
            body = urllib.parse.urlencode(body)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for raw in resp.headers.get_all("Set-Cookie") or []:
            pair = raw.split(";", 1)[0]
            name, _, value = pair.partition("=")
            attrs = raw.lower()
            if value == "" or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return resp.status, resp.headers, data.decode("utf-8", "replace")


def hidden(page, name):
    """The value of the input named `name` in an HTML page (attributes in any order)."""
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(r'name="%s"' % re.escape(name), tag):
            m = re.search(r'value="([^"]*)"', tag)
            if m:
                return html.unescape(m.group(1))
    return None


def basic(user, password):
    raw = f"{user}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


# ---------------------------------------------------------------------------------------------
# Load generators.

class Runner:
    def __init__(self, args, paths):
        self.args = args
        self.wrk = paths["wrk"]
        self.driver = paths["driver"]
        self.work = paths["work"]

    def wrk_row(self, port, spec_lines, name):
        spec = os.path.join(self.work, f"{name}.spec")
        with open(spec, "w") as f:
            f.write("\n".join(spec_lines) + "\n")
        base = [self.wrk, f"-t{self.args.threads}", f"-c{self.args.connections}",
                "--timeout", "10s", "-s", os.path.join(BENCHES, "lua", "spec.lua"),
                f"http://127.0.0.1:{port}"]

        def run(seconds):
            cmd = base[:1] + [f"-d{max(1, round(seconds))}s"] + base[1:] + ["--", spec]
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
            line = next((l for l in p.stdout.splitlines() if l.startswith("BENCH ")), None)
            if p.returncode != 0 or line is None:
                fail(f"wrk failed for {name}: {p.stdout[-2000:]} {p.stderr[-2000:]}")
            return json.loads(line[6:])

        if self.args.warmup > 0:
            run(self.args.warmup)
        r = run(self.args.duration)
        secs = r["duration_us"] / 1e6
        errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + r["status"] + r["unexpected"]
        return {"rps": r["requests"] / secs, "p50": r["p50_us"] / 1000, "p99": r["p99_us"] / 1000,
                "errors": errors, "requests": r["requests"],
                "error_detail": {k: r[k] for k in ("connect", "read", "write", "timeout", "status",
                                                     "unexpected") if r[k]}}

    def driver_row(self, mode, port, chains, extra, name):
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
        if r["broken_chains"]:
            detail["broken_chains"] = r["broken_chains"]
        return {"rps": r["rps"], "p50": r["p50_ms"], "p99": r["p99_ms"], "errors": r["errors"],
                "requests": r["requests"], "error_detail": detail, "survivors": survivors}


# ---------------------------------------------------------------------------------------------
# Assent: database, CLI seeding, server, tokens.

class Database:
    """A fresh database: a temporary SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, server_url, work, tag):
        self.server_url = server_url
        self.pg = server_url is not None
        self.key = secrets.token_hex(32) if self.pg else None
        if self.pg:
            self.name = f"assent_bench_{os.getpid()}_{tag}_{secrets.token_hex(3)}"
            parts = urllib.parse.urlsplit(server_url)
            self.admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
            self.psql_admin(f"CREATE DATABASE {self.name}")
        else:
            self.dir = tempfile.mkdtemp(prefix=f"assent-bench-{tag}-", dir=work)
            self.path = os.path.join(self.dir, "assent.db")
            self.url = f"sqlite://{self.path}"

    @property
    def label(self):
        return "postgres" if self.pg else "sqlite"

    def psql_admin(self, sql):
        p = subprocess.run(["psql", self.admin_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                           capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"psql: {p.stderr.strip()}")

    def sql(self, script, timeout=900):
        """Run an SQL script with the backend's own client."""
        if self.pg:
            cmd = ["psql", self.url, "-v", "ON_ERROR_STOP=1", "-qAt"]
        else:
            cmd = ["sqlite3", "-bail", self.path]
            script = ".timeout 20000\n" + script
        p = subprocess.run(cmd, input=script, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            fail(f"{cmd[0]}: {p.stderr.strip()[-2000:]}")
        return p.stdout

    def drop(self):
        if self.pg:
            try:
                self.psql_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            except SystemExit:
                pass
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


class Assent:
    def __init__(self, binary, db, work, tag):
        self.binary, self.db, self.work, self.tag = binary, db, work, tag
        self.env = dict(os.environ)
        self.env.pop("ASSENT_CONFIG", None)
        self.env.update({"ASSENT_DATABASE_URL": db.url, "ASSENT_WORKERS": "2"})
        if db.key:
            self.env["ASSENT_SERVER_KEY"] = db.key
        self.proc = None
        self.port = None
        self.memory = []  # (row, VmHWM KiB, VmRSS KiB) after each row

    def cli(self, args, stdin=None):
        env = dict(self.env, ASSENT_LOG="warn")
        p = subprocess.run([self.binary] + args, input=stdin, capture_output=True, text=True,
                           env=env)
        if p.returncode != 0:
            fail(f"assent {' '.join(args)}: {p.stderr.strip()}")
        return json.loads(p.stdout.strip().splitlines()[-1])

    def seed(self):
        self.cli(["migrate"])
        catalogue = os.path.join(self.work, "catalogue.toml")
        with open(catalogue, "w") as f:
            f.write('[[provider]]\nrp_id = "rp_bench"\nname = "Bench contacts"\n\n'
                    '  [[provider.offer]]\n  name = "Contacts"\n  actions = [\n'
                    '    { name = "Read", description = "Read your contacts" },\n'
                    '    { name = "Write", description = "Change your contacts" },\n'
                    '  ]\n')
        applied = self.cli(["catalogue", "apply", catalogue])
        self.rp_id = applied["providers"][0]["rp_id"]
        self.rp_secret = applied["providers"][0]["secret"]
        app = self.cli(["app", "create", "--name", "Bench site", "--return-url", RETURN_URL,
                        "--privacy-url", "https://bench.example/privacy"])
        self.appid, self.secret = app["appid"], app["secret"]
        self.cli(["user", "create", "--email", EMAIL, "--name", "Bench", "--password-stdin"],
                 stdin=PASSWORD + "\n")

    def serve(self):
        self.port = free_port()
        env = dict(self.env, ASSENT_BIND=f"127.0.0.1:{self.port}")
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

    def record_memory(self, row):
        hwm, rss = memory_kib(self.proc.pid)
        self.memory.append((row, hwm, rss))

    def verifier(self):
        """A fresh app verifier (docs/protocol.md section 2), urlenc-ed once more for a URL."""
        import hashlib
        import hmac
        sign_key = hashlib.sha256(("SIGNATURE" + self.secret).encode()).digest()[:16]
        data = f"appid={self.appid}&ts={int(time.time())}"
        sig = base64.b64encode(hmac.new(sign_key, data.encode(), hashlib.sha256).digest()).decode()
        return urlenc(f"{data}&sig={urlenc(sig)}")

    def sign_in(self):
        b = Browser(self.port)
        status, _, page = b.request("GET", "/signin")
        csrf = hidden(page, "csrf")
        if status != 200 or not csrf:
            fail(f"GET /signin: {status}")
        form = {"email": EMAIL, "password": PASSWORD, "csrf": csrf, "next": "/"}
        self.signin_form = (b.cookies.get("assent_pre"), urllib.parse.urlencode(form))
        status, _, _ = b.request("POST", "/signin", form)
        if status != 303 or "assent_session" not in b.cookies:
            fail(f"POST /signin answered {status}")
        self.browser = b

    def consent_form(self):
        """The consent page's form (before any grant: afterwards the consent is remembered)."""
        path = (f"/consent?ps={urlenc(PS)}&ru={urlenc(RETURN_URL)}&app={self.verifier()}"
                f"&appctx=bench")
        status, _, page = self.browser.request("GET", path)
        if status != 200 or hidden(page, "request") is None:
            fail(f"GET /consent answered {status}: {page[:300]}")
        form = [("csrf", hidden(page, "csrf")), ("request", hidden(page, "request")),
                ("decision", "allow"), ("permission", PS), (f"expiry.{PS}", "30")]
        self.consent_body = urllib.parse.urlencode(form)
        return self.consent_body

    def consent_tokens(self, n):
        """n grant families through the consent form; their opened ConsentTokens."""
        values = []
        for _ in range(n):
            status, _, page = self.browser.request(
                "POST", "/consent", self.consent_body,
                {"Content-Type": "application/x-www-form-urlencoded"})
            value = hidden(page, "ConsentToken")
            if status != 200 or not value:
                fail(f"POST /consent answered {status}: {page[:300]}")
            values.append(value)
        return self.open_tokens(values)

    def open_tokens(self, values):
        p = subprocess.run([DRIVER[0], "open", "--secret", self.secret],
                           input="\n".join(values) + "\n", capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"driver open: {p.stderr}")
        return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

    def oauth_tokens(self, n):
        """n grant families through the OAuth authorization code flow; their token responses."""
        out = []
        for i in range(n):
            query = urllib.parse.urlencode({
                "response_type": "code", "client_id": self.appid, "redirect_uri": RETURN_URL,
                "scope": PS, "state": f"s{i}"})
            status, _, page = self.browser.request("GET", f"/oauth2/authorize?{query}")
            if status != 200 or hidden(page, "request") is None:
                fail(f"GET /oauth2/authorize answered {status}: {page[:300]}")
            form = [("csrf", hidden(page, "csrf")), ("request", hidden(page, "request")),
                    ("decision", "allow"), ("permission", PS), (f"expiry.{PS}", "30")]
            status, headers, body = self.browser.request("POST", "/oauth2/authorize", form)
            location = headers.get("Location", "")
            code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code")
            if status not in (302, 303) or not code:
                fail(f"POST /oauth2/authorize answered {status} {location}: {body[:300]}")
            status, _, body = self.browser.request(
                "POST", "/oauth2/token",
                {"grant_type": "authorization_code", "code": code[0], "redirect_uri": RETURN_URL},
                {"Authorization": basic(self.appid, self.secret)})
            if status != 200:
                fail(f"POST /oauth2/token (code) answered {status}: {body[:300]}")
            out.append(json.loads(body))
        return out

    def application_row_id(self):
        q = f"SELECT id FROM applications WHERE appid = '{self.appid}';"
        return int(self.db.sql(q).strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Bulk seeding for the scale rows: users, token families, grants, refresh tokens and audit
# events, in one SQL statement per table (no HTTP).

def seed_filler(db, app_row_id, start, end):
    """Filler rows number start..end (inclusive): one family, one grant, one refresh token and
    one audit event each, spread over (end / 10) filler users. Ids are random 63-bit values, as
    Assent makes them."""
    now = int(time.time())
    users_before = max(1, (start - 1) // 10) if start > 1 else 0
    users_after = max(1, end // 10)
    if db.pg:
        uid = "('x' || substr(md5('u' || n), 1, 15))::bit(60)::bigint"
        script = f"""
BEGIN;
INSERT INTO users (id, lid, email, name, password_hash, created_at, password_changed_at)
  SELECT {uid}, lpad(to_hex(n), 16, '0'), 'filler' || n || '@bench.invalid', 'Filler', '!', {now}, {now}
  FROM generate_series({users_before + 1}, {users_after}) AS n;
CREATE TEMP TABLE filler AS SELECT n AS seq,
  ('x' || substr(md5('f' || n), 1, 15))::bit(60)::bigint AS fid,
  ('x' || substr(md5('g' || n), 1, 15))::bit(60)::bigint AS gid,
  ('x' || substr(md5('r' || n), 1, 15))::bit(60)::bigint AS rid,
  ('x' || substr(md5('a' || n), 1, 15))::bit(60)::bigint AS eid,
  ('x' || substr(md5('u' || (1 + n % {users_after})), 1, 15))::bit(60)::bigint AS uid,
  {now} - (n % 2592000) AS at
  FROM generate_series({start}, {end}) AS n;
INSERT INTO token_families (id, user_id, application_id, protocol, resource, created_at, last_used_at)
  SELECT fid, uid, {app_row_id}, CASE WHEN seq % 2 = 0 THEN 'live' ELSE 'oauth' END, NULL, at, at FROM filler;
INSERT INTO grants (id, family_id, user_id, application_id, permission, resource, granted_at, expires_at)
  SELECT gid, fid, uid, {app_row_id}, 'Contacts.Read', NULL, at, at + 7776000 FROM filler;
INSERT INTO refresh_tokens (id, family_id, token_hash, generation, issued_at)
  SELECT rid, fid, encode(sha256(('filler-' || seq)::bytea), 'hex'), 0, at FROM filler;
INSERT INTO audit_events (id, at, kind, user_id, application_id, family_id, detail)
  SELECT eid, at, 'grant', uid, {app_row_id}, fid, 'granted Contacts.Read via live' FROM filler;
COMMIT;
ANALYZE;
"""
    else:
        script = f"""
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE s(n) AS (SELECT {users_before + 1} UNION ALL SELECT n + 1 FROM s WHERE n < {users_after})
INSERT INTO users (id, lid, email, name, password_hash, created_at, password_changed_at)
  SELECT (random() & 9223372036854775807), printf('%016x', n), 'filler' || n || '@bench.invalid',
         'Filler', '!', {now}, {now} FROM s;
CREATE TEMP TABLE filler_users AS SELECT id, CAST(substr(email, 7, instr(email, '@') - 7) AS INTEGER) AS n
  FROM users WHERE email LIKE 'filler%@bench.invalid';
CREATE INDEX temp.filler_users_n ON filler_users(n);
CREATE TEMP TABLE filler (seq INTEGER PRIMARY KEY, fid INTEGER, gid INTEGER, rid INTEGER, eid INTEGER, uid INTEGER, at INTEGER);
WITH RECURSIVE s(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM s WHERE n < {end})
INSERT INTO filler SELECT n, (random() & 9223372036854775807), (random() & 9223372036854775807),
  (random() & 9223372036854775807), (random() & 9223372036854775807),
  (SELECT id FROM filler_users WHERE filler_users.n = 1 + s.n % {users_after}), {now} - (n % 2592000) FROM s;
INSERT INTO token_families (id, user_id, application_id, protocol, resource, created_at, last_used_at)
  SELECT fid, uid, {app_row_id}, CASE WHEN seq % 2 = 0 THEN 'live' ELSE 'oauth' END, NULL, at, at FROM filler;
INSERT INTO grants (id, family_id, user_id, application_id, permission, resource, granted_at, expires_at)
  SELECT gid, fid, uid, {app_row_id}, 'Contacts.Read', NULL, at, at + 7776000 FROM filler;
INSERT INTO refresh_tokens (id, family_id, token_hash, generation, issued_at)
  SELECT rid, fid, lower(hex(randomblob(32))), 0, at FROM filler;
INSERT INTO audit_events (id, at, kind, user_id, application_id, family_id, detail)
  SELECT eid, at, 'grant', uid, {app_row_id}, fid, 'granted Contacts.Read via live' FROM filler;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""
    db.sql(script)


def count_rows(db):
    out = db.sql("SELECT (SELECT count(*) FROM token_families) || ' ' || (SELECT count(*) FROM grants)"
                 " || ' ' || (SELECT count(*) FROM refresh_tokens);")
    fam, grants, refresh = (int(x) for x in out.strip().splitlines()[-1].split())
    return fam, grants, refresh


# ---------------------------------------------------------------------------------------------
# The rows.

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


def run_backend(runner, binary, server_url, work, args, results):
    """The main rows on one fresh database."""
    db = Database(server_url, work, "main")
    label = db.label
    a = Assent(binary, db, work, f"{label}-main")
    try:
        log(f"{label}: seeding with the CLI, starting the server")
        a.seed()
        a.serve()
        a.sign_in()
        a.consent_form()
        n = args.connections
        log(f"{label}: obtaining {n} Live and {n} OAuth chains and 16 delegation tokens over HTTP")
        check_tokens = a.consent_tokens(16)
        live_chains = [t["reft"] for t in a.consent_tokens(n)]
        oauth_chains = [t["refresh_token"] for t in a.oauth_tokens(n)]
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
             lambda: runner.driver_row("live", a.port, live_chains, live_args(a), "refresh-live")),
            ("refresh-oauth", "POST /oauth2/token refresh_token (rotating)",
             lambda: runner.driver_row("oauth", a.port, oauth_chains, oauth_args(a), "refresh-oauth")),
            ("consent", "POST /consent (Allow, signed in)",
             lambda: runner.wrk_row(a.port, [
                 "method POST", "path /consent",
                 f"header Cookie: assent_session={a.browser.cookies['assent_session']}",
                 "header Content-Type: application/x-www-form-urlencoded",
                 "status 200", "expect RequestApproved", f"body {a.consent_body}"], "consent")),
            ("sign-in", "POST /signin (argon2id 19 MiB, t=2)",
             lambda: runner.wrk_row(a.port, [
                 "method POST", "path /signin",
                 f"header Cookie: assent_pre={a.signin_form[0]}",
                 "header Content-Type: application/x-www-form-urlencoded",
                 "status 303", f"body {a.signin_form[1]}"], "sign-in")),
        ]
        for name, what, fn in rows:
            if args.rows and name not in args.rows:
                continue
            log(f"{label}: {name}")
            r = fn()
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


def run_scale(runner, binary, server_url, work, args, results):
    """check and both refresh rows with SMALL then LARGE grant families bulk-seeded."""
    db = Database(server_url, work, "scale")
    label = db.label
    a = Assent(binary, db, work, f"{label}-scale")
    try:
        a.seed()
        a.serve()
        a.sign_in()
        a.consent_form()
        n = args.connections
        check_tokens = a.consent_tokens(16)
        live_chains = [t["reft"] for t in a.consent_tokens(n)]
        oauth_chains = [t["refresh_token"] for t in a.oauth_tokens(n)]
        app_row = a.application_row_id()
        seeded = 0
        for size in args.scale_sizes:
            log(f"{label}: bulk-seeding up to {size:,} filler grant families through SQL")
            t0 = time.time()
            seed_filler(db, app_row, seeded + 1, size)
            seeded = size
            fam, grants, refresh = count_rows(db)
            log(f"{label}: seeded in {time.time() - t0:.0f} s: {fam:,} families, {grants:,} grants, "
                f"{refresh:,} refresh tokens")
            tag = human(size)
            for name, fn in [
                ("check", lambda: runner.wrk_row(a.port, check_spec(a, check_tokens), f"check-{tag}")),
                ("refresh-live", lambda: runner.driver_row("live", a.port, live_chains, live_args(a),
                                                           f"refresh-live-{tag}")),
                ("refresh-oauth", lambda: runner.driver_row("oauth", a.port, oauth_chains,
                                                            oauth_args(a), f"refresh-oauth-{tag}")),
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


def human(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# ---------------------------------------------------------------------------------------------
# The peer: oidc-provider.

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


# ---------------------------------------------------------------------------------------------
# Report.

def fmt_row(r, ceilings):
    ceiling = ceilings.get(r["db"])
    share = f"{r['rps'] / ceiling * 100:.1f} %" if ceiling and r["row"] != "ceiling" else (
        "100 %" if r["row"] == "ceiling" else "–")
    err = str(r["errors"])
    if r.get("error_detail"):
        err += " (" + ", ".join(f"{k} {v}" for k, v in r["error_detail"].items()) + ")"
    return (f"| {r['db']} | {r['row']} | {r['what']} | {r['rps']:,.0f} | {r['p50']:.2f} | "
            f"{r['p99']:.2f} | {err} | {share} |")


def report(results, args, meta):
    rows = results["rows"]
    ceilings = {r["db"]: r["rps"] for r in rows if r["row"] == "ceiling"}
    out = []
    out.append(f"{meta['date']} · {meta['cores']} cores · `{meta['command']}` · "
               f"{args.connections} connections, {args.duration:g} s per row after {args.warmup:g} s "
               f"warm-up, wrk -t{args.threads} · load average {meta['load_start']:.1f} at the start, "
               f"{meta['load_end']:.1f} at the end · {meta['minutes']:.1f} min")
    out.append("")
    out.append("| db | row | request | req/s | p50 ms | p99 ms | errors | of ceiling |")
    out.append("|---|---|---|---:|---:|---:|---|---:|")
    out += [fmt_row(r, ceilings) for r in rows]
    out.append("")
    verdicts = []

    def verdict(ok, text):
        verdicts.append(f"- {'PASS' if ok else 'MISS'}: {text}")

    by = {(r["db"], r["row"]): r for r in rows}
    dbs = [d for d in ("sqlite", "postgres") if (d, "ceiling") in by]
    out.append("Scale (p50 with the larger seed / p50 with the smaller seed):")
    for d in dbs:
        for base in ("check", "refresh-live", "refresh-oauth"):
            scaled = [r for r in rows if r["db"] == d and r.get("base") == base and "scale" in r]
            if len(scaled) >= 2:
                lo, hi = scaled[0], scaled[-1]
                ratio = hi["p50"] / lo["p50"]
                out.append(f"- {d} {base}: {hi['p50']:.2f} ms / {lo['p50']:.2f} ms = {ratio:.2f}x "
                           f"({human(hi['scale'])} vs {human(lo['scale'])})")
                verdict(ratio <= SCALE_MAX, f"{d} {base} scale median ratio {ratio:.2f} <= {SCALE_MAX}")
    out.append("")
    out.append("Memory (server VmHWM, peak resident set):")
    peak = 0
    for name, samples in results["memory"].items():
        if not samples:
            continue
        hwm = max(s[1] for s in samples) / 1024
        if name != "oidc-provider":
            peak = max(peak, hwm)
        before_signin = [s[1] for s in samples if s[0] not in ("sign-in",)]
        extra = ""
        if any(s[0] == "sign-in" for s in samples) and before_signin:
            extra = f" (before the sign-in row: {max(before_signin) / 1024:.1f} MiB)"
        out.append(f"- {name}: {hwm:.1f} MiB{extra}")
    if peak:
        verdict(peak < RSS_MAX_MIB, f"peak RSS {peak:.1f} MiB < {RSS_MAX_MIB} MiB")
    out.append("")
    peer_rows = {r["base"]: r for r in rows if r["db"] == "oidc-provider"}
    if peer_rows:
        out.append("Peer (Assent req/s / oidc-provider req/s):")
        for d in dbs:
            for base in ("introspect", "refresh-oauth"):
                if base in peer_rows and (d, base) in by:
                    ratio = by[(d, base)]["rps"] / peer_rows[base]["rps"]
                    out.append(f"- {d} {base}: {by[(d, base)]['rps']:,.0f} / "
                               f"{peer_rows[base]['rps']:,.0f} = {ratio:.2f}x")
                    verdict(ratio >= PEER_MIN, f"{d} {base} {ratio:.2f}x oidc-provider >= {PEER_MIN}x")
        out.append("")
    for d in dbs:
        c = by.get((d, "check"))
        if c:
            share = c["rps"] / ceilings[d]
            verdict(c["rps"] >= CHECK_RPS and share >= CHECK_CEILING_SHARE and c["p99"] < CHECK_P99_MS,
                    f"{d} check {c['rps']:,.0f} req/s >= {CHECK_RPS:,}, {share * 100:.0f} % of ceiling "
                    f">= {CHECK_CEILING_SHARE * 100:.0f} %, p99 {c['p99']:.2f} ms < {CHECK_P99_MS:g} ms")
        for base in ("refresh-live", "refresh-oauth"):
            r = by.get((d, base))
            if r:
                verdict(r["rps"] >= REFRESH_RPS and r["errors"] == 0,
                        f"{d} {base} {r['rps']:,.0f} req/s >= {REFRESH_RPS:,}, errors {r['errors']} = 0")
        r = by.get((d, "consent"))
        if r:
            verdict(r["rps"] >= CONSENT_RPS, f"{d} consent {r['rps']:,.0f} req/s >= {CONSENT_RPS:,}")
    out.append("Targets:")
    out += verdicts
    return "\n".join(out)


DRIVER = [None]


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
    DRIVER[0] = args.driver
    paths = {"wrk": args.wrk, "driver": args.driver, "work": args.work, "node": args.node}
    runner = Runner(args, paths)
    results = {"rows": [], "memory": {}}
    load_start, started = os.getloadavg()[0], time.time()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: (stop_all(), sys.exit(130)))
    try:
        for url in urls:
            server_url = None if url == "sqlite" or url.startswith("sqlite:") else url
            run_backend(runner, args.assent, server_url, args.work, args, results)
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
