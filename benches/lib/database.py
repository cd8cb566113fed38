"""A fresh database per run: a temporary SQLite file, or a new database on a PostgreSQL server
(created and dropped with psql; the database named in the URL is never touched)."""

import os
import secrets
import shutil
import subprocess
import tempfile
import urllib.parse

from common import fail


class Database:
    """A fresh database: a temporary SQLite file, or a new database on a PostgreSQL server."""

    def __init__(self, server_url, work, tag):
        self.server_url = server_url
        self.pg = server_url is not None
        self.key = secrets.token_hex(32) if self.pg else None
        if self.pg:
            self.name = f"assent_bench_{os.getpid()}_{tag.replace('-', '_')}_{secrets.token_hex(3)}"
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

    def consumed_refresh_tokens(self):
        """How many refresh tokens are consumed (each successful rotation consumes one)."""
        sql = "SELECT count(*) FROM refresh_tokens WHERE consumed_at IS NOT NULL"
        if self.pg:
            p = subprocess.run(["psql", self.url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                               capture_output=True, text=True)
            if p.returncode != 0:
                fail(f"psql: {p.stderr.strip()}")
            return int(p.stdout.strip())
        import sqlite3
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql).fetchone()[0]
        finally:
            conn.close()

    def drop(self):
        if self.pg:
            try:
                self.psql_admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            except SystemExit:
                pass
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
