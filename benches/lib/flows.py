"""The tokens of the rows, obtained over HTTP the way a website and a browser obtain them: sign-in,
the consent form (Live protocol: ConsentTokens, opened by benches/driver) and the OAuth
authorization code flow."""

import base64
import hashlib
import hmac
import json
import subprocess
import time
import urllib.parse

from browser import Browser, hidden
from common import EMAIL, PASSWORD, PS, RETURN_URL, basic, fail, urlenc


class Client:
    """A signed-in browser on one Assent with the bench site's credentials."""

    def __init__(self, assent, driver):
        self.a = assent
        self.driver = driver
        self.browser = None
        self.signin_form = None   # (assent_pre cookie, urlencoded form) for the sign-in row
        self.consent_body = None  # the consent form's urlencoded body for the consent row
        self.consent_used = False  # whether that form was decided (a form is decided once)

    def verifier(self):
        """A fresh app verifier (docs/protocol.md section 2), urlenc-ed once more for a URL."""
        sign_key = hashlib.sha256(("SIGNATURE" + self.a.secret).encode()).digest()[:16]
        data = f"appid={self.a.appid}&ts={int(time.time())}"
        sig = base64.b64encode(hmac.new(sign_key, data.encode(), hashlib.sha256).digest()).decode()
        return urlenc(f"{data}&sig={urlenc(sig)}")

    def sign_in(self):
        b = Browser(self.a.port)
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
        self.consent_used = False
        return self.consent_body

    def consent_forms(self, n, threads=8):
        """n distinct, undecided consent forms (their urlencoded bodies) for the consent row: a
        form is decided once, so the row posts each at most once. Fetched before any grant of the
        bench site (afterwards the consent is remembered and `GET /consent` shows no form)."""
        from concurrent.futures import ThreadPoolExecutor

        def fetch(count):
            b = Browser(self.a.port)
            b.cookies = dict(self.browser.cookies)
            bodies = []
            for _ in range(count):
                path = (f"/consent?ps={urlenc(PS)}&ru={urlenc(RETURN_URL)}&app={self.verifier()}"
                        f"&appctx=bench")
                status, _, page = b.request("GET", path)
                request = hidden(page, "request")
                if status != 200 or request is None:
                    fail(f"GET /consent answered {status}: {page[:300]}")
                bodies.append(urllib.parse.urlencode([
                    ("csrf", hidden(page, "csrf")), ("request", request), ("decision", "allow"),
                    ("permission", PS), (f"expiry.{PS}", "30")]))
            return bodies

        share = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
        with ThreadPoolExecutor(threads) as pool:
            return [body for part in pool.map(fetch, share) for body in part]

    def consent_tokens(self, n):
        """n grant families through the consent form; their opened ConsentTokens. A consent form
        is decided once (docs/protocol.md section 3), so each family comes from its own request:
        the form of `consent_form` first, then the remembered consent that its grant makes
        (`GET /consent` answers RequestApproved at once), or a fresh form when there is none."""
        values = []
        body = None if self.consent_used else self.consent_body
        self.consent_used = True
        for _ in range(n):
            if body is None:
                path = (f"/consent?ps={urlenc(PS)}&ru={urlenc(RETURN_URL)}&app={self.verifier()}"
                        f"&appctx=bench")
                status, _, page = self.browser.request("GET", path)
                if status == 200 and hidden(page, "request") is not None:
                    form = [("csrf", hidden(page, "csrf")), ("request", hidden(page, "request")),
                            ("decision", "allow"), ("permission", PS), (f"expiry.{PS}", "30")]
                    body = urllib.parse.urlencode(form)
            if body is not None:
                status, _, page = self.browser.request(
                    "POST", "/consent", body,
                    {"Content-Type": "application/x-www-form-urlencoded"})
                body = None
            value = hidden(page, "ConsentToken")
            if status != 200 or not value:
                fail(f"consent answered {status}: {page[:300]}")
            values.append(value)
        return self.open_tokens(values)

    def open_tokens(self, values):
        p = subprocess.run([self.driver, "open", "--secret", self.a.secret],
                           input="\n".join(values) + "\n", capture_output=True, text=True)
        if p.returncode != 0:
            fail(f"driver open: {p.stderr}")
        return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]

    def oauth_tokens(self, n):
        """n grant families through the OAuth authorization code flow; their token responses."""
        out = []
        for i in range(n):
            query = urllib.parse.urlencode({
                "response_type": "code", "client_id": self.a.appid, "redirect_uri": RETURN_URL,
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
                {"Authorization": basic(self.a.appid, self.a.secret)})
            if status != 200:
                fail(f"POST /oauth2/token (code) answered {status}: {body[:300]}")
            out.append(json.loads(body))
        return out
