"""A small HTTP client with a cookie jar (enough for the set-up flows; the load itself is wrk's and
the driver's)."""

import html
import http.client
import re
import urllib.parse


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
