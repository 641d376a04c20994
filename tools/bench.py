"""`make bench`: generate the bench data on SQLite and PostgreSQL, run the scenarios, write the figures.

For each database — SQLite at var/bench/bench.sqlite3 and the PostgreSQL database accord_bench on
127.0.0.1:5432 (created when missing) — it migrates, generates the data set (``manage.py
bench_generate``; a database already generated with the same seed and scale, as its meta JSON
says, is reused), runs ``python -m accord.bench.scenarios run`` in a subprocess whose
DATABASE_URL points at that database, and collects the results. Then it writes
docs/performance.json and docs/performance.md (other scales than "ministry": var/bench/).

Scales other than "ministry" use their own databases (var/bench/bench-tiny.sqlite3,
accord_bench_tiny…), so a quick run never replaces the ministry-scale data. Query counts are
compared with those of a tiny-scale run, which shows whether they depend on the number of rows.

It never touches your own database: a DATABASE_URL in the environment that is not a bench
database is refused (exit status 2) unless --force is given, in which case that database alone
is benchmarked (and the generator still refuses a database holding records of its own).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from accord.bench.scenarios import (  # noqa: E402 - after the path is set
    REQUEST_STEPS,
    ForeignDatabase,
    bench_database_name,
    evaluate,
    is_bench_database,
    refuse_foreign,
)

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DEFAULT_SEED = 20260101


def var_dir() -> Path:
    return Path(os.environ.get("ACCORD_VAR_DIR", BASE / "var"))


def log(message: str) -> None:
    print(message, flush=True)


# --- databases ------------------------------------------------------------------------------------


def sqlite_url(scale: str) -> str:
    name = bench_database_name(scale).replace("accord_bench", "bench").replace("_", "-", 1)
    return f"sqlite:///{var_dir() / 'bench' / (name + '.sqlite3')}"


def postgres_url(scale: str) -> str:
    return f"{PG_SERVER.rstrip('/')}/{bench_database_name(scale)}"


def vendor_of(url: str) -> str:
    return "sqlite" if urlparse(url).scheme.startswith("sqlite") else "postgresql"


def _pg_connect(url: str, dbname: str = "postgres"):
    import psycopg

    parsed = urlparse(url)
    return psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=dbname,
        connect_timeout=5,
        autocommit=True,
    )


def ensure_postgres(url: str, *, recreate: bool = False) -> None:
    """Create the bench database when missing (or drop and create it again: it is the bench's own)."""
    name = urlparse(url).path.lstrip("/")
    if not is_bench_database(url):
        raise ForeignDatabase(f"{name} is not a bench database")
    with _pg_connect(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def wipe(url: str) -> None:
    """Start the bench's own database afresh (never called on a database given with --force)."""
    if not is_bench_database(url):
        raise ForeignDatabase(f"{url} is not a bench database")
    if vendor_of(url) == "sqlite":
        path = Path(urlparse(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        ensure_postgres(url, recreate=True)


def shown_database(url: str) -> str:
    """The database as the report names it: the SQLite file relative to the project, or the PostgreSQL name."""
    path = "/" + urlparse(url).path.lstrip("/")
    if vendor_of(url) == "sqlite":
        return os.path.relpath(path, BASE) if path.startswith(str(BASE) + "/") else path
    return path.lstrip("/")


def database_version(url: str) -> str:
    if vendor_of(url) == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    try:
        with _pg_connect(url, urlparse(url).path.lstrip("/")) as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - only for the report
        return f"PostgreSQL (unknown: {exc})"


# --- steps ----------------------------------------------------------------------------------------


def env_for(url: str) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    env.pop("ACCORD_BENCH_URLS", None)
    return env


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=env_for(url))


def meta_path(url: str) -> Path:
    if vendor_of(url) == "sqlite":
        path = Path(urlparse(url).path)
        return path.with_suffix(".meta.json")
    return var_dir() / "bench" / f"{urlparse(url).path.lstrip('/')}.meta.json"


VERIFY = """
import json, sys
from accord.partners.models import Organization, OrganizationIdentifier
meta = json.load(open(sys.argv[-1]))
marker = OrganizationIdentifier.objects.filter(scheme="other", value="bench:ministry").exists()
expected = meta.get("counts", {}).get("partners.Organization")
found = Organization.objects.count()
sys.exit(0 if marker and (expected is None or expected == found) else 1)
"""


def holds_meta(url: str, meta_file: Path, scale: str, seed: int) -> bool:
    """Whether the database already holds the data of ``meta_file`` for this seed and scale."""
    if not meta_file.exists():
        return False
    try:
        meta = json.loads(meta_file.read_text())
    except ValueError:
        return False
    if str(meta.get("scale")) != str(scale) or int(meta.get("seed", -1)) != seed:
        return False
    if meta.get("database") and meta["database"] != vendor_of(url):
        return False
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + VERIFY, str(meta_file)],
        cwd=BASE,
        env=env_for(url),
        capture_output=True,
    )
    return done.returncode == 0


def prepare(url: str, scale: str, seed: int, *, forced: bool) -> tuple[dict, float | None]:
    """Migrate and generate (or reuse) the data; the meta JSON and the generation time (None if reused)."""
    meta_file = meta_path(url)
    meta_file.parent.mkdir(parents=True, exist_ok=True)
    if vendor_of(url) == "postgresql" and not forced:
        ensure_postgres(url)
    if vendor_of(url) == "sqlite":
        Path(urlparse(url).path).parent.mkdir(parents=True, exist_ok=True)
    if manage(url, "migrate", "--noinput", "-v0").returncode != 0:
        raise RuntimeError("migrate failed")
    if holds_meta(url, meta_file, scale, seed):
        log(f"  reusing the data generated earlier (scale {scale}, seed {seed}, {meta_file})")
        # A migration may have added indexes since: the planner's statistics are refreshed.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\nfrom accord.bench.generate import analyze; analyze()",
            ],
            cwd=BASE,
            env=env_for(url),
            check=True,
        )
        return json.loads(meta_file.read_text()), None
    if not forced and meta_file.exists():
        # The bench's own database holds another seed or scale (or a broken run): start it afresh.
        log("  the bench database holds other data: starting it afresh")
        wipe(url)
        if manage(url, "migrate", "--noinput", "-v0").returncode != 0:
            raise RuntimeError("migrate failed")
    meta_file.unlink(missing_ok=True)
    started = time.perf_counter()
    log(f"  generating scale {scale}, seed {seed}")
    done = manage(url, "bench_generate", "--scale", str(scale), "--seed", str(seed), "--meta", str(meta_file))
    if done.returncode != 0:
        raise RuntimeError(f"bench_generate failed (exit status {done.returncode})")
    return json.loads(meta_file.read_text()), round(time.perf_counter() - started, 1)


def run_scenarios(url: str, meta_file: Path, output: Path, options: list[str], *, forced: bool) -> list[dict]:
    command = [
        sys.executable,
        "-m",
        "accord.bench.scenarios",
        "run",
        "--meta",
        str(meta_file),
        "--output",
        str(output),
        *options,
    ]
    if forced:
        command.append("--force")
    done = subprocess.run(command, cwd=BASE, env=env_for(url))
    if done.returncode != 0:
        raise RuntimeError(f"the scenarios failed (exit status {done.returncode})")
    return json.loads(output.read_text())["scenarios"]


def machine_info(urls: list[str]) -> dict:
    import sqlite3

    import django

    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1_048_576, 1)
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu or platform.processor(),
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for url in urls:
        if vendor_of(url) == "postgresql":
            info["postgresql"] = database_version(url).removeprefix("PostgreSQL ")
    return info


# --- the command ----------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default=None, help='scale of the data set (default "ministry", or BENCH_SCALE)')
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", DEFAULT_SEED)))
    parser.add_argument("--quick", action="store_true", help='scale "tiny" and few repetitions (development, CI)')
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each page (default 20; quick 3)")
    parser.add_argument("--only", nargs="*", help="run only these steps of the scenarios")
    parser.add_argument("--output-dir", default=None, help="where the JSON and Markdown go")
    parser.add_argument("--no-small", action="store_true", help="skip the tiny-scale run that checks query counts")
    parser.add_argument("--force", action="store_true", help="benchmark the DATABASE_URL given even if not a bench db")
    return parser.parse_args(argv)


def merge_earlier_scenarios(data: dict, previous: Path, scale: str, seed: int) -> None:
    """With ``--only``, the scenarios not run again keep their figures from the last run (said in their note)."""
    try:
        earlier = json.loads(previous.read_text())
    except ValueError:
        return
    if earlier.get("scale") != scale or earlier.get("seed") != seed:
        return
    data["full_run_seconds"] = earlier.get("full_run_seconds") if earlier.get("only") else earlier.get("seconds")
    for vendor, run in data["databases"].items():
        before = earlier.get("databases", {}).get(vendor, {}).get("scenarios")
        if not before or "scenarios" not in run:
            continue
        fresh = {result["key"]: result for result in run["scenarios"]}
        merged = []
        for result in before:
            if result["key"] in fresh:
                merged.append(fresh.pop(result["key"]))
            else:
                note = f"measured in the run of {earlier.get('generated_at', '?')}"
                if "measured in the run of" not in result.get("note", ""):  # kept from an earlier merge
                    result["note"] = "; ".join(filter(None, [result.get("note"), note]))
                merged.append(result)
        run["scenarios"] = merged + list(fresh.values())


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    started = time.perf_counter()
    scale = "tiny" if args.quick else (args.scale or os.environ.get("BENCH_SCALE") or "ministry")
    given = os.environ.get("DATABASE_URL")
    try:
        refuse_foreign(given, force=args.force)
    except ForeignDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    forced = bool(given) and not is_bench_database(given)
    if given:
        urls = [given]
    else:
        urls = []
        if args.database in ("sqlite", "both"):
            urls.append(sqlite_url(scale))
        if args.database in ("postgresql", "both"):
            urls.append(postgres_url(scale))
    quick = args.quick
    runs = args.runs or (3 if quick else 20)
    options = ["--runs", str(runs), "--warmup", "1" if quick else "2"]
    if quick:
        options += ["--heavy-runs", "2", "--tabular-runs", "1", "--export-rows", "1000", "--import-rows", "300"]
        options += ["--throughput-seconds", "2"]
    else:
        options += ["--heavy-runs", "5", "--tabular-runs", "1", "--import-budget", "30"]
    if args.only:
        options += ["--only", *args.only]
    out_dir = (
        Path(args.output_dir) if args.output_dir else (BASE / "docs" if scale == "ministry" else var_dir() / "bench")
    )
    stem = "performance" if scale == "ministry" else f"performance-{scale}"
    data: dict = {
        "generated_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "scale": scale,
        "seed": args.seed,
        "quick": quick,
        "databases": {},
    }
    failures = 0
    for url in urls:
        vendor = vendor_of(url)
        log(f"\n=== {vendor}: {shown_database(url)} (scale {scale}) ===")
        run: dict = {"database": shown_database(url), "vendor": vendor}
        data["databases"][vendor] = run
        try:
            meta, seconds = prepare(url, scale, args.seed, forced=forced)
            run["version"] = database_version(url)
            run["meta"] = meta
            run["generation_seconds"] = seconds
            results_file = var_dir() / "bench" / f"results-{vendor}-{scale}.json"
            run["scenarios"] = run_scenarios(url, meta_path(url), results_file, options, forced=forced)
            if scale != "tiny" and not args.no_small and not forced:
                small_url = sqlite_url("tiny") if vendor == "sqlite" else postgres_url("tiny")
                log(f"  query counts at tiny scale ({vendor})")
                prepare(small_url, "tiny", args.seed, forced=False)
                small = run_scenarios(
                    small_url,
                    meta_path(small_url),
                    var_dir() / "bench" / f"results-{vendor}-tiny-queries.json",
                    ["--runs", "1", "--warmup", "1", "--heavy-runs", "1", "--only", *REQUEST_STEPS],
                    forced=False,
                )
                counts = {r["key"]: r.get("queries") for r in small}
                for result in run["scenarios"]:
                    if result.get("group") in ("list", "detail", "timeline", "dashboard", "report"):
                        result["queries_small"] = counts.get(result["key"])
                        evaluate(result)
        except Exception as exc:  # noqa: BLE001 - one database failing still reports the other
            run["error"] = f"{type(exc).__name__}: {exc}"
            log(f"  FAILED: {run['error']}")
            failures += 1
    previous = out_dir / f"{stem}.json"
    if args.only and previous.exists():
        merge_earlier_scenarios(data, previous, scale, args.seed)
    if not given and args.database != "both" and previous.exists():
        # Only one database was run: keep the other's figures from the last run at this scale.
        try:
            earlier = json.loads(previous.read_text())
        except ValueError:
            earlier = {}
        if earlier.get("scale") == scale and earlier.get("seed") == args.seed:
            for vendor, run in earlier.get("databases", {}).items():
                if vendor not in data["databases"]:
                    run.setdefault("note", f"from the run of {earlier.get('generated_at', '?')}")
                    if run.get("database", "").startswith("/"):
                        run["database"] = shown_database(f"{vendor}:///{run['database'].lstrip('/')}")
                    data["databases"][vendor] = run
            data["databases"] = dict(sorted(data["databases"].items(), key=lambda item: item[0] != "sqlite"))
            urls = urls + [sqlite_url(scale) if v == "sqlite" else postgres_url(scale) for v in earlier["databases"]]
    data["machine"] = machine_info(urls)
    data["seconds"] = round(time.perf_counter() - started, 1)
    if args.only:
        data["only"] = list(args.only)
    from accord.bench.report import write_json, write_markdown

    write_json(out_dir / f"{stem}.json", data)
    write_markdown(out_dir / f"{stem}.md", data)
    log(f"\nwrote {out_dir / (stem + '.json')} and {out_dir / (stem + '.md')} in {data['seconds']:.0f} s")
    missed = [
        f"{vendor}: {r['key']}"
        for vendor, run in data["databases"].items()
        for r in run.get("scenarios", [])
        if r.get("met") is False
    ]
    if missed:
        log("targets not met: " + ", ".join(missed))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
