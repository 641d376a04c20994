"""Every bench scenario at a tiny scale, so that the benchmark itself cannot rot.

These tests assert that each scenario produces its figures and that ratios are computed; they
never assert timings, which depend on the machine.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.test import override_settings
from django.urls import include, path

from accord.bench import report, scenarios
from accord.urls import urlpatterns as app_urlpatterns

BASE = Path(__file__).resolve().parents[3]

# The test suite's URLs with the bench's reference view, as `make bench` mounts it for gunicorn.
urlpatterns = [*app_urlpatterns, path("bench/", include("accord.bench.urls_bench"))]

REQUEST_KEYS = {
    "organizations_search_page",
    "organizations_search_api",
    "agreements_expiring_page",
    "agreements_expiring_api",
    "mobilities_country_year_page",
    "mobilities_country_year_api",
    "organization_detail",
    "agreement_detail",
    "engagement_detail",
    "mobility_detail",
    "partner_timeline",
}
WITH_REFERENCE = {"dashboard", "annual_report", "xlsx_export", "xlsx_import"}
ALL_KEYS = REQUEST_KEYS | WITH_REFERENCE | {"selection", "api_throughput"}


@pytest.fixture
def bench_meta(db, tmp_path):
    from accord.bench.generate import generate

    meta_file = tmp_path / "bench.meta.json"
    generate("tiny", 7, meta_file, stdout=io.StringIO())
    return json.loads(meta_file.read_text())


def _run(meta, **options):
    settings = {
        "runs": 2,
        "warmup": 1,
        "heavy_runs": 1,
        "tabular_runs": 1,
        "export_rows": 120,
        "import_rows": 40,
        "import_budget": 0,
    }
    settings.update(options)
    return {r["key"]: r for r in scenarios.run_all(meta, **settings)}


def test_every_scenario_produces_its_figures(bench_meta):
    # The throughput scenario starts gunicorn, which cannot see the test database (it lives in this
    # process's transaction): it is left out here; its load generator is tested against live_server below.
    results = _run(bench_meta, skip=["api_throughput"])

    assert set(results) == ALL_KEYS - {"api_throughput"}
    for key, result in results.items():
        assert not result.get("error"), (key, result.get("error"))
        assert result["median_ms"] > 0, key
        assert result["p95_ms"] >= result["median_ms"], key
        assert isinstance(result["queries"], int) and result["queries"] > 0, key
        assert result["peak_mb"] is not None and result["peak_mb"] >= 0, key
        assert result["checks"], key
        assert result["met"] in (True, False), key
        assert any(c["name"] == "peak memory" for c in result["checks"]), key
    for key in WITH_REFERENCE:
        result = results[key]
        assert result["reference"]["median_ms"] > 0, key
        assert result["ratio"] is not None and result["ratio"] > 0, key
        assert any(c["name"] == "ratio" and c["met"] is not None for c in result["checks"]), key
    for key in ("xlsx_export", "xlsx_import"):
        assert results[key]["rows"] > 0
        assert results[key]["rows_per_s"] > 0
        assert results[key]["reference"]["rows_per_s"] > 0
    assert results["xlsx_import"]["rows"] == 40
    assert results["selection"]["rows"] >= 20


def test_the_import_keeps_nothing_and_the_selection_is_rolled_back(bench_meta):
    from accord.mobility.models import Application, Call, Mobility

    mobilities = Mobility.objects.count()
    call = Call.objects.get(pk=bench_meta["ids"]["call"])
    before = (call.status, list(Application.objects.filter(call=call).values_list("status", "rank").order_by("pk")))

    _run(bench_meta, only=["selection", "xlsx_import"])

    call.refresh_from_db()
    after = (call.status, list(Application.objects.filter(call=call).values_list("status", "rank").order_by("pk")))
    assert Mobility.objects.count() == mobilities
    assert after == before


def test_the_sql_references_compute_the_same_figures(bench_meta):
    from accord.accounts.models import User
    from accord.partners.models import Organization
    from accord.reports import annual, figures

    user = User.objects.get(username=bench_meta["users"]["ministry"])
    ministry = Organization.objects.get(pk=bench_meta["ids"]["ministry"])
    today = datetime.date.today()

    board = figures.dashboard(user, ministry, today)
    sql = scenarios.dashboard_reference(ministry.pk, today)
    assert sql["active"] == board.active_agreements.value
    assert sorted((k, n) for k, n in sql["by_kind"]) == sorted((f.key, f.value) for f in board.agreements_by_kind)
    assert list(sql["health"]) == [f.value for f in board.agreement_health]
    assert {k: n for k, n in sql["commitments"].items() if n} == {f.key: f.value for f in board.commitments if f.value}
    incoming = sum(n for direction, _c, _country, n, _m in sql["mobility_this_year"] if direction == "incoming")
    outgoing = sum(n for direction, _c, _country, n, _m in sql["mobility_this_year"] if direction == "outgoing")
    assert (incoming, outgoing) == (board.mobility_totals.incoming, board.mobility_totals.outgoing)
    assert sum(n for _d, _y, n, _m in sql["mobility_per_year"]) == sum(
        r.incoming + r.outgoing for r in board.mobility_per_year
    )
    assert sum(n for _k, n in sql["engagements"]) == board.engagements_total.value
    assert list(sql["actions"]) == [f.value for f in board.actions] or sql["actions"] == (None, None)

    year = today.year - 1
    built = annual.build(user, ministry, year, "en")
    sections = {s.key: s for s in built.sections}
    sql = scenarios.annual_report_reference(ministry.pk, year)
    assert len(sql["partners"]) == sections["partners"].figures["partners"]
    assert sql["partners_by_country"] == sections["partners"].figures["countries"]
    mobility = sections["mobility"].figures
    assert sum(n for d, *_rest, n in sql["mobility"] if d == "incoming") == mobility["incoming"]
    assert sum(n for d, *_rest, n in sql["mobility"] if d == "outgoing") == mobility["outgoing"]
    assert sum(n for _k, n in sql["engagements_by_kind"]) == sections["engagements"].figures["total"]


def test_the_load_generator_measures_a_live_server(live_server, users):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["viewer"])
    parsed = urlparse(live_server.url)
    with override_settings(ROOT_URLCONF=__name__):
        api = scenarios.load(
            parsed.hostname, parsed.port, "/api/v1/organizations/", token.key, seconds=1, connections=2, warmup=0.2
        )
        bare = scenarios.load(
            parsed.hostname, parsed.port, "/bench/organizations/", None, seconds=1, connections=2, warmup=0.2
        )
    for result in (api, bare):
        assert result["failures"] == 0, result["first_failure"]
        assert result["requests"] > 0
        assert result["requests_per_s"] > 0
        assert result["median_ms"] > 0 and result["p95_ms"] >= result["median_ms"]
    # The same rows: the API's first page and the bare view both answer the visible organisations.
    assert api["rows"] == bare["rows"] > 0


def test_the_load_generator_counts_failures(live_server):
    parsed = urlparse(live_server.url)
    result = scenarios.load(
        parsed.hostname, parsed.port, "/api/v1/organizations/", "not-a-token", seconds=0.5, connections=1, warmup=0
    )
    assert result["requests"] == 0
    assert result["failures"] > 0
    assert result["first_failure"].startswith("403")  # a bad token is refused, and counted as a failure


def test_throughput_figures_are_evaluated_as_a_ratio_of_rates():
    result = scenarios.evaluate(
        {"key": "api_throughput", "group": "throughput", "requests_per_s": 40.0, "ratio": 0.4, "reference": {}}
    )
    assert result["checks"] == [{"name": "ratio", "target": "≥ 0.5×", "value": 0.4, "met": False}]
    assert result["met"] is False


# --- refusing a database that is not the bench's ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/accord/var/bench/bench.sqlite3", True),
        ("sqlite:////srv/accord/var/bench/bench-tiny.sqlite3", True),
        ("sqlite:////srv/accord/var/accord.sqlite3", False),
        ("sqlite:////srv/accord/var/bench.sqlite3", False),
        ("postgres://postgres@127.0.0.1:5432/accord_bench", True),
        ("postgres://postgres@127.0.0.1:5432/accord_bench_tiny", True),
        ("postgres://accord:secret@127.0.0.1:5432/accord", False),
        ("mysql://root@127.0.0.1/accord_bench", False),
    ],
)
def test_bench_databases_are_recognised(url, expected):
    assert scenarios.is_bench_database(url) is expected


def test_a_foreign_database_is_refused_unless_forced():
    with pytest.raises(scenarios.ForeignDatabase, match=r"accord:\*\*\*@127.*not a bench database") as refused:
        scenarios.refuse_foreign("postgres://accord:secret@127.0.0.1:5432/accord")
    assert "secret" not in str(refused.value)
    scenarios.refuse_foreign("postgres://accord:secret@127.0.0.1:5432/accord", force=True)
    scenarios.refuse_foreign("postgres://postgres@127.0.0.1:5432/accord_bench")
    scenarios.refuse_foreign(None)


def _environment(tmp_path, url):
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["ACCORD_VAR_DIR"] = str(tmp_path / "var")
    return env


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "tools/bench.py", "--quick"],
        [sys.executable, "-m", "accord.bench.scenarios", "run", "--meta", "meta.json", "--output", "out.json"],
    ],
    ids=["make-bench", "scenarios"],
)
def test_make_bench_refuses_the_users_own_database(tmp_path, command):
    user_db = tmp_path / "accord.sqlite3"
    url = f"sqlite:///{user_db}"
    done = subprocess.run(command, cwd=BASE, env=_environment(tmp_path, url), capture_output=True, text=True)

    assert done.returncode == 2, done.stderr
    assert "not a bench database" in done.stderr
    assert "--force" in done.stderr
    assert not user_db.exists()
    assert not (tmp_path / "var" / "bench").exists()


# --- the Markdown writer ------------------------------------------------------------------------


def _sample() -> dict:
    def result(key, group, **extra):
        return scenarios.evaluate(
            {
                "key": key,
                "group": group,
                "label": f"Label of {key}",
                "how": "GET /somewhere/",
                "user": "ministry",
                "runs": 20,
                "median_ms": 12.5,
                "p95_ms": 20.25,
                "queries": 9,
                "peak_mb": 1.5,
                **extra,
            }
        )

    groups = {
        **{key: "list" for key in REQUEST_KEYS if not key.endswith("detail") and key != "partner_timeline"},
        **{key: "detail" for key in REQUEST_KEYS if key.endswith("detail")},
        "partner_timeline": "timeline",
        "dashboard": "dashboard",
        "annual_report": "report",
        "xlsx_export": "export",
        "xlsx_import": "import",
        "selection": "selection",
        "api_throughput": "throughput",
    }
    rows = []
    for key, group in sorted(groups.items()):
        extra = {}
        if key in WITH_REFERENCE:
            extra = {"reference": {"label": "SQL", "median_ms": 10.0, "rows_per_s": 30000.0}, "ratio": 1.25}
        if key == "dashboard":
            extra["ratio"] = 2.0
        if group in ("export", "import"):
            extra["rows_per_s"] = 25000.0
        if group == "throughput":
            extra = {"requests_per_s": 180.0, "reference": {"requests_per_s": 300.0}, "ratio": 0.6}
        rows.append(result(key, group, **extra))
    database = {"database": "accord_bench", "version": "x", "meta": {"counts": {"partners.Organization": 100}}}
    return {
        "generated_at": "2026-01-01T00:00:00+07:00",
        "scale": "ministry",
        "seed": 1,
        "seconds": 1200,
        "machine": {"cpu_count": 2, "memory_gb": 23.0, "python": "3.11", "sqlite": "3.46", "postgresql": "17"},
        "databases": {
            "sqlite": {**database, "scenarios": rows, "generation_seconds": 100},
            "postgresql": {**database, "scenarios": rows, "generation_seconds": None},
        },
    }


def test_the_markdown_has_a_row_for_every_scenario_on_both_databases(tmp_path):
    data = _sample()
    target = tmp_path / "performance.md"
    report.write_markdown(target, data)
    text = target.read_text()

    summary = text.split("## Summary", 1)[1].split("## SQLite", 1)[0]
    sqlite = text.split("## SQLite", 1)[1].split("## PostgreSQL", 1)[0]
    postgres = text.split("## PostgreSQL", 1)[1].split("## How each figure", 1)[0]
    assert len(ALL_KEYS) == 17
    for key in ALL_KEYS:
        label = f"Label of {key}"
        summary_rows = [line for line in summary.splitlines() if line.startswith(f"| {label} |")]
        assert len(summary_rows) == 1, key
        # One figure and its verdict per database, side by side.
        assert summary_rows[0].count("met") >= 2, summary_rows[0]
        assert sum(line.startswith(f"| {label} |") for line in sqlite.splitlines()) == 1, key
        assert sum(line.startswith(f"| {label} |") for line in postgres.splitlines()) == 1, key
    assert "1.25×" in sqlite and "0.60×" in postgres
    assert "25,000 rows/s" in sqlite and "180.0 req/s" in postgres
    dashboard = next(line for line in summary.splitlines() if line.startswith("| Label of dashboard |"))
    assert "2.00× of SQL" in dashboard and dashboard.count("**not met**") == 2
    assert "| CPUs | 2 |" in text


def test_the_hand_written_introduction_is_kept(tmp_path):
    target = tmp_path / "performance.md"
    report.write_markdown(target, _sample())
    text = target.read_text()
    start, end = text.index(report.INTRO_START), text.index(report.INTRO_END)
    target.write_text(text[: start + len(report.INTRO_START)] + "\nOur notes on the design.\n" + text[end:])

    report.write_markdown(target, _sample())

    again = target.read_text()
    assert "Our notes on the design." in again
    assert again.count(report.INTRO_START) == 1
    assert again.count("## Summary") == 1


def test_the_json_writer_keeps_every_figure(tmp_path):
    data = _sample()
    report.write_json(tmp_path / "performance.json", data)
    assert json.loads((tmp_path / "performance.json").read_text()) == json.loads(json.dumps(data, default=str))


def test_a_run_of_some_scenarios_keeps_the_others_figures_from_the_last_run(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_tool", Path(__file__).resolve().parents[3] / "tools" / "bench.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    previous = tmp_path / "performance.json"
    earlier = {
        "generated_at": "2026-11-23T20:00:00+07:00",
        "scale": "ministry",
        "seed": 7,
        "databases": {
            "sqlite": {"scenarios": [{"key": "dashboard", "p95_ms": 900}, {"key": "xlsx_import", "rate": 90}]}
        },
    }
    previous.write_text(json.dumps(earlier))
    data = {"databases": {"sqlite": {"scenarios": [{"key": "xlsx_import", "rate": 6000}]}}}

    tool.merge_earlier_scenarios(data, previous, "ministry", 7)

    dashboard, imported = data["databases"]["sqlite"]["scenarios"]
    assert (dashboard["key"], dashboard["p95_ms"]) == ("dashboard", 900)
    assert dashboard["note"] == "measured in the run of 2026-11-23T20:00:00+07:00"
    assert imported == {"key": "xlsx_import", "rate": 6000}
    other_seed = {"databases": {"sqlite": {"scenarios": [{"key": "xlsx_import", "rate": 1}]}}}
    tool.merge_earlier_scenarios(other_seed, previous, "ministry", 8)
    assert [r["key"] for r in other_seed["databases"]["sqlite"]["scenarios"]] == ["xlsx_import"]
