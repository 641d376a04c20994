"""Run the whole suite on SQLite, then on PostgreSQL.

PostgreSQL is used when reachable at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test).
In CI (CI=true) it is required: an unreachable server fails the run instead of skipping it.
"""

import os
import subprocess
import sys
from urllib.parse import urlparse

import psycopg

PG_URL = os.environ.get("PG_TEST_URL", "postgres://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_reachable() -> str | None:
    parsed = urlparse(PG_URL)
    try:
        with psycopg.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            dbname=(parsed.path or "/postgres").lstrip("/") or "postgres",
            connect_timeout=3,
        ) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as exc:
        return str(exc).strip()


def pytest(label: str, database_url: str | None, extra: list[str]) -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    print(f"\n=== test suite on {label} ===", flush=True)
    args = [sys.executable, "-m", "pytest", "-n", os.environ.get("TEST_WORKERS", "2"), "-p", "no:cacheprovider", *extra]
    return subprocess.call(args, env=env)


def main() -> int:
    argv = sys.argv[1:]
    sqlite_only = "--sqlite-only" in argv
    postgres_only = "--postgres-only" in argv
    extra = [a for a in argv if a not in {"--sqlite-only", "--postgres-only"}]
    failures = 0
    if not postgres_only:
        failures += pytest("SQLite", None, extra) != 0
    if not sqlite_only:
        problem = postgres_reachable()
        if problem is None:
            failures += pytest("PostgreSQL", PG_URL, extra) != 0
        elif IN_CI or postgres_only:
            print(f"PostgreSQL is required here but unreachable at {PG_URL}: {problem}", file=sys.stderr)
            failures += 1
        else:
            print(
                f"\n*** PostgreSQL unreachable at {PG_URL} ({problem}): suite NOT run on PostgreSQL ***\n", flush=True
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
