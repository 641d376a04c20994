"""The benchmark scenarios, run in process against a generated bench database.

Each scenario returns a dict of figures: the times of N runs after a warm-up (median and p95,
in milliseconds of server time: the whole Django handler, middleware and template included, the
WSGI server excluded), the number of SQL queries of one run, the peak of Python memory during
one run (tracemalloc, in MB; measured in a separate run because tracing slows everything down)
and, where the scenario has one, its reference and the ratio to it.

``tools/bench.py`` (``make bench``) runs ``python -m accord.bench.scenarios run`` in a
subprocess whose ``DATABASE_URL`` points at the bench database; the test suite calls
:func:`run_all` at a tiny scale. The module also holds the small HTTP load generator used for
the throughput scenario (``python -m accord.bench.scenarios load …``).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import http.client
import io
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

# --- which databases are bench databases ----------------------------------------------------------

BENCH_SQLITE_DIR = "bench"
BENCH_PG_PREFIX = "accord_bench"


def bench_database_name(scale: str) -> str:
    """The PostgreSQL database (and SQLite file stem) of a scale: ``accord_bench`` for "ministry"."""
    if scale in ("", "ministry"):
        return BENCH_PG_PREFIX
    safe = "".join(c if c.isalnum() else "_" for c in str(scale).lower())
    return f"{BENCH_PG_PREFIX}_{safe}"


def is_bench_database(url: str) -> bool:
    """Whether ``url`` names a database of the bench: ``var/…/bench/bench*.sqlite3`` or ``accord_bench*``."""
    parsed = urlparse(url or "")
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path)
        return path.parent.name == BENCH_SQLITE_DIR and path.name.startswith("bench") and path.suffix == ".sqlite3"
    if parsed.scheme.startswith("postgres"):
        return (parsed.path or "/").lstrip("/").startswith(BENCH_PG_PREFIX)
    return False


class ForeignDatabase(Exception):
    """The database given is not one of the bench's own."""


def refuse_foreign(url: str | None, force: bool = False) -> None:
    """Refuse a ``DATABASE_URL`` that is not a bench database (the user's own data), unless forced."""
    if not url or force or is_bench_database(url):
        return
    from django.utils.translation import gettext as _

    shown = _hide_password(url)
    raise ForeignDatabase(
        _(
            "DATABASE_URL points at %(url)s, which is not a bench database (var/bench/bench*.sqlite3 or a "
            "PostgreSQL database named accord_bench…). The bench writes generated data and would mix it with "
            "your records; unset DATABASE_URL to use the bench's own databases, or pass --force if this "
            "database is really meant for the bench."
        )
        % {"url": shown}
    )


def _hide_password(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


# --- the targets of issue 7 -----------------------------------------------------------------------

LIST_P95_MS = 50
DETAIL_P95_MS = 30
DASHBOARD_MS = 300
REPORT_MS = 1000
REFERENCE_TIME_RATIO = 1.5
THROUGHPUT_RATIO = 0.5
EXPORT_ROWS_PER_S = 20_000
IMPORT_ROWS_PER_S = 5_000
TABULAR_RATIO = 0.5
SELECTION_MS = 2000
PEAK_MB = 300


def _check(name: str, target: str, value, met: bool | None) -> dict:
    return {"name": name, "target": target, "value": value, "met": met}


def evaluate(result: dict) -> dict:
    """Write the targets next to the figures of ``result`` (``checks`` and ``met``)."""
    group = result.get("group")
    checks = []
    p95 = result.get("p95_ms")
    ratio = result.get("ratio")

    def at_most(name, value, limit, unit=""):
        if value is None:
            return _check(name, f"≤ {limit}{unit}", None, None)
        return _check(name, f"≤ {limit}{unit}", value, value <= limit)

    def at_least(name, value, limit, unit=""):
        if value is None:
            return _check(name, f"≥ {limit}{unit}", None, None)
        return _check(name, f"≥ {limit}{unit}", value, value >= limit)

    if group == "list":
        checks.append(at_most("p95", p95, LIST_P95_MS, " ms"))
    elif group in ("detail", "timeline"):
        checks.append(at_most("p95", p95, DETAIL_P95_MS, " ms"))
    elif group == "dashboard":
        checks.append(at_most("p95", p95, DASHBOARD_MS, " ms"))
        checks.append(at_most("ratio", ratio, REFERENCE_TIME_RATIO, "×"))
    elif group == "report":
        checks.append(at_most("p95", p95, REPORT_MS, " ms"))
        checks.append(at_most("ratio", ratio, REFERENCE_TIME_RATIO, "×"))
    elif group == "throughput":
        checks.append(at_least("ratio", ratio, THROUGHPUT_RATIO, "×"))
    elif group == "export":
        checks.append(at_least("rows/s", result.get("rows_per_s"), EXPORT_ROWS_PER_S))
        checks.append(at_least("ratio", ratio, TABULAR_RATIO, "×"))
    elif group == "import":
        checks.append(at_least("rows/s", result.get("rows_per_s"), IMPORT_ROWS_PER_S))
        checks.append(at_least("ratio", ratio, TABULAR_RATIO, "×"))
    elif group == "selection":
        checks.append(at_most("p95", p95, SELECTION_MS, " ms"))
    if group != "throughput":
        checks.append(at_most("peak memory", result.get("peak_mb"), PEAK_MB, " MB"))
    small = result.get("queries_small")
    if small is not None and result.get("queries") is not None:
        checks.append(_check("queries vs tiny scale", f"= {small}", result["queries"], result["queries"] == small))
    result["checks"] = checks
    decided = [c["met"] for c in checks if c["met"] is not None]
    result["met"] = all(decided) if decided and not result.get("error") else (False if result.get("error") else None)
    return result


# --- measuring ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs is the 19th fastest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class QueryCounter:
    """Counts every statement sent to the database (``execute_wrapper``), whatever their number."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(fn: Callable[[], Any], *, many: bool = False) -> int:
    """Queries of one call of ``fn``: CaptureQueriesContext, or a counting wrapper for bulk work."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if many:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            fn()
        return counter.count
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """The peak of memory allocated by Python during one call of ``fn`` (tracemalloc), in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_048_576


def measure(
    fn: Callable[[], Any], *, runs: int, warmup: int = 1, many_queries: bool = False, budget: float | None = None
) -> dict:
    """Warm up, time ``runs`` calls, then count the queries of one call and trace the memory of another.

    With a ``budget`` (seconds), a slow scenario gets fewer runs (at least 3) so the bench keeps its time;
    when one run alone takes longer than the budget, that first run is the only one: its queries are
    counted as it runs and its memory is not traced (``peak_mb`` None, ``note`` says why).
    """
    if budget and warmup:
        counter = QueryCounter()
        started = time.perf_counter()
        from django.db import connection

        with connection.execute_wrapper(counter):
            fn()
        first = time.perf_counter() - started
        if first > budget:
            return {
                "runs": 1,
                "times_ms": [round(first * 1000, 3)],
                "median_ms": _rounded(first * 1000),
                "p95_ms": _rounded(first * 1000),
                "queries": counter.count,
                "peak_mb": None,
                "note": f"one run takes {first:,.0f} s, more than the {budget:g} s budget: measured once, cold, "
                "memory not traced",
            }
        warmup -= 1
        runs = max(min(3, runs), min(runs, int(budget / max(first, 1e-6))))
    for _ in range(warmup):
        started = time.perf_counter()
        fn()
        if budget:
            runs = max(min(3, runs), min(runs, int(budget / max(time.perf_counter() - started, 1e-6))))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    queries = count_queries(fn, many=many_queries)
    peak = peak_memory_mb(fn)
    return {
        "runs": runs,
        "times_ms": [round(t, 3) for t in times],
        "median_ms": _rounded(statistics.median(times)),
        "p95_ms": _rounded(percentile(times, 0.95)),
        "queries": queries,
        "peak_mb": _rounded(peak),
    }


def time_only(fn: Callable[[], Any], *, runs: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "runs": runs,
        "times_ms": [round(t, 3) for t in times],
        "median_ms": _rounded(statistics.median(times)),
        "p95_ms": _rounded(percentile(times, 0.95)),
    }


class Rollback(Exception):
    """Raised inside a transaction so that nothing a scenario writes is kept."""


def rolled_back(fn: Callable[[], Any]) -> Callable[[], Any]:
    from django.db import transaction

    def run():
        try:
            with transaction.atomic():
                fn()
                raise Rollback
        except Rollback:
            pass

    return run


# --- the scenarios --------------------------------------------------------------------------------


class Bench:
    """The scenarios over one generated database, described by the generator's meta JSON."""

    def __init__(
        self,
        meta: dict,
        *,
        runs: int = 20,
        warmup: int = 2,
        heavy_runs: int = 5,
        tabular_runs: int = 2,
        export_rows: int = 100_000,
        import_rows: int = 100_000,
        import_budget: float = 60.0,
        budget: float = 45.0,
        throughput_seconds: float = 10.0,
        throughput_connections: int = 4,
        report_year: int | None = None,
        language: str = "vi",
        log: Callable[[str], None] | None = None,
    ):
        from django.contrib.auth import get_user_model

        self.meta = meta
        self.ids = meta["ids"]
        self.runs = runs
        self.warmup = warmup
        self.heavy_runs = heavy_runs
        self.tabular_runs = tabular_runs
        self.export_rows = export_rows
        self.import_rows = import_rows
        self.import_budget = import_budget
        self.budget = budget
        self.throughput_seconds = throughput_seconds
        self.throughput_connections = throughput_connections
        self.report_year = report_year or (datetime.date.today().year - 1)
        self.language = language
        self.log = log or (lambda message: None)
        User = get_user_model()
        self.users = {role: User.objects.get(username=name) for role, name in meta["users"].items()}

    # -- helpers

    def client(self, role: str):
        from django.test import Client

        client = Client()
        client.force_login(self.users[role])
        return client

    def _get(self, role: str, path: str, api: bool = False) -> Callable[[], Any]:
        client = self.client(role)
        headers = {"HTTP_ACCEPT": "application/json"} if api else {}

        def call():
            response = client.get(path, **headers)
            if response.status_code != 200:
                raise AssertionError(f"GET {path} answered {response.status_code}")
            if response.streaming:
                b"".join(response.streaming_content)
            else:
                response.content  # noqa: B018 - the body is part of the work
            return response

        return call

    def request(self, key: str, group: str, label: str, role: str, path: str, *, api: bool = False) -> dict:
        self.log(f"  {key}: GET {path}")
        figures = measure(self._get(role, path, api), runs=self.runs, warmup=self.warmup, budget=self.budget)
        return {"key": key, "group": group, "label": label, "how": f"GET {path}", "user": role, **figures}

    # -- list pages and API lists

    def _mobility_filter(self) -> tuple[str, str]:
        from accord.mobility.models import Mobility

        mobility = Mobility.objects.select_related("partner").get(pk=self.ids["mobility"])
        return mobility.partner.country, mobility.academic_year

    def scenario_lists(self) -> list[dict]:
        from django.urls import reverse

        query = urlencode({"q": self.meta["ids"]["organization_query"]})
        expiring = urlencode({"expiring": 90, "within": self.ids["province"]})
        country, year = self._mobility_filter()
        mobility = urlencode({"country": country, "academic_year": year})
        return [
            self.request(
                "organizations_search_page",
                "list",
                "Organisations by a name fragment (page)",
                "ministry",
                f"{reverse('partners:organization_list')}?{query}",
            ),
            self.request(
                "organizations_search_api",
                "list",
                "Organisations by a name fragment (API)",
                "ministry",
                f"{reverse('organization-list')}?{query}",
                api=True,
            ),
            self.request(
                "agreements_expiring_page",
                "list",
                "Agreements expiring within 90 days, province (page)",
                "province",
                f"{reverse('agreements:agreement_list')}?{expiring}",
            ),
            self.request(
                "agreements_expiring_api",
                "list",
                "Agreements expiring within 90 days, province (API)",
                "province",
                f"{reverse('agreement-list')}?{expiring}",
                api=True,
            ),
            self.request(
                "mobilities_country_year_page",
                "list",
                "Mobilities by country and year (page)",
                "ministry",
                f"{reverse('mobility:mobility_list')}?{mobility}",
            ),
            self.request(
                "mobilities_country_year_api",
                "list",
                "Mobilities by country and year (API)",
                "ministry",
                f"{reverse('mobility-list')}?{mobility}",
                api=True,
            ),
        ]

    # -- detail pages and the timeline

    def _typical_partner(self) -> int:
        from accord.agreements.models import Agreement, AgreementParty

        owner = Agreement.objects.values_list("owner_id", flat=True).get(pk=self.ids["agreement"])
        partner = (
            AgreementParty.objects.filter(agreement_id=self.ids["agreement"])
            .exclude(organization_id=owner)
            .values_list("organization_id", flat=True)
            .first()
        )
        return partner or self.ids["school"]

    def scenario_details(self) -> list[dict]:
        from django.urls import reverse

        return [
            self.request(
                "organization_detail",
                "detail",
                "Organisation page (a typical partner)",
                "ministry",
                reverse("partners:organization_detail", args=[self._typical_partner()]),
            ),
            self.request(
                "agreement_detail",
                "detail",
                "Agreement page",
                "ministry",
                reverse("agreements:agreement_detail", args=[self.ids["agreement"]]),
            ),
            self.request(
                "engagement_detail",
                "detail",
                "Engagement page",
                "ministry",
                reverse("engagements:engagement_detail", args=[self.ids["engagement"]]),
            ),
            self.request(
                "mobility_detail",
                "detail",
                "Mobility page",
                "ministry",
                reverse("mobility:mobility_detail", args=[self.ids["mobility"]]),
            ),
            self.request(
                "partner_timeline",
                "timeline",
                "Timeline of the busiest partner (organisation page)",
                "ministry",
                reverse("partners:organization_detail", args=[self.ids["busiest_partner"]]),
            ),
        ]

    # -- the dashboard and the annual report, against hand-written SQL

    def _with_reference(self, result: dict, reference: Callable[[], Any], label: str, runs: int) -> dict:
        figures = time_only(reference, runs=runs, warmup=self.warmup)
        result["reference"] = {"label": label, **figures, "queries": count_queries(reference)}
        if result.get("median_ms") and figures["median_ms"]:
            result["ratio"] = round(result["median_ms"] / figures["median_ms"], 3)
            result["ratio_kind"] = "time"
        return result

    def scenario_dashboard(self) -> dict:
        from django.urls import reverse

        ministry = self.ids["ministry"]
        path = f"{reverse('reports:dashboard')}?{urlencode({'organization': ministry})}"
        self.log(f"  dashboard: GET {path}")
        figures = measure(self._get("ministry", path), runs=self.heavy_runs * 2, warmup=1, budget=self.budget)
        result = {
            "key": "dashboard",
            "group": "dashboard",
            "label": "Dashboard of the ministry (consolidated)",
            "how": f"GET {path}",
            "user": "ministry",
            **figures,
        }
        today = datetime.date.today()
        from accord.partners.models import Organization
        from accord.reports import figures as dashboard_figures

        organization, user = Organization.objects.get(pk=ministry), self.users["ministry"]
        computation = time_only(lambda: dashboard_figures.dashboard(user, organization), runs=3, warmup=0)
        result["figures_median_ms"] = computation["median_ms"]
        result["note"] = (result.get("note", "") + "; " if result.get("note") else "") + (
            f"of which the figures alone (accord.reports.figures.dashboard, no template): "
            f"{computation['median_ms']:,.1f} ms median"
        )
        return self._with_reference(
            result,
            lambda: dashboard_reference(ministry, today),
            "hand-written SQL, same figures",
            self.heavy_runs * 2,
        )

    def scenario_report(self) -> dict:
        from accord.partners.models import Organization
        from accord.reports import annual

        organization = Organization.objects.get(pk=self.ids["ministry"])
        user = self.users["ministry"]
        year, language = self.report_year, self.language
        self.log(f"  annual_report: build({year}, {language})")
        figures = measure(
            lambda: annual.build(user, organization, year, language),
            runs=self.heavy_runs,
            warmup=1,
            many_queries=True,
            budget=self.budget,
        )
        result = {
            "key": "annual_report",
            "group": "report",
            "label": f"Annual report {year} of the ministry",
            "how": f"accord.reports.annual.build(…, {year}, {language!r}) in process",
            "user": "ministry",
            **figures,
        }
        return self._with_reference(
            result,
            lambda: annual_report_reference(organization.pk, year),
            "hand-written SQL, same figures",
            self.heavy_runs,
        )

    # -- XLSX export and import

    def scenario_export(self) -> dict:
        from accord.core.tabular import _safe, xlsx_response
        from accord.mobility import selectors
        from accord.mobility.models import Mobility
        from accord.mobility.tabular import EXPORT_COLUMNS, mobility_rows

        user = self.users["ministry"]
        ordering = Mobility._meta.ordering
        available = selectors.mobility_list(user=user).count()
        rows = min(self.export_rows, available)

        # The first ``rows`` mobilities in list order (all of them when there are fewer): the app's own
        # export of a list filtered to those, written as the export view writes it.
        def limited():
            return selectors.mobility_list(user=user).order_by(*ordering)[:rows]

        def export():
            response = xlsx_response("mobilities", EXPORT_COLUMNS, mobility_rows(limited(), user), title="Mobilities")
            return len(response.content)

        self.log(f"  xlsx_export: {rows} mobilities")
        figures = measure(export, runs=self.tabular_runs, warmup=0, many_queries=True)
        cells = [EXPORT_COLUMNS] + [[_safe(v) for v in row] for row in mobility_rows(limited(), user)]

        def reference():
            import openpyxl

            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet(title="Mobilities")
            for row in cells:
                sheet.append(row)
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.tell()

        result = {
            "key": "xlsx_export",
            "group": "export",
            "label": f"XLSX export of {rows:,} mobilities",
            "how": "mobility export code path (selector, mobility_rows, xlsx_response) in process",
            "user": "ministry",
            "rows": rows,
            **figures,
        }
        result["rows_per_s"] = round(rows / (figures["median_ms"] / 1000), 1) if figures["median_ms"] else None
        ref = time_only(reference, runs=self.tabular_runs, warmup=0)
        ref["rows_per_s"] = round(rows / (ref["median_ms"] / 1000), 1) if ref["median_ms"] else None
        result["reference"] = {"label": "openpyxl write-only, the same cells", **ref}
        if result["rows_per_s"] and ref["rows_per_s"]:
            result["ratio"] = round(result["rows_per_s"] / ref["rows_per_s"], 3)
            result["ratio_kind"] = "rate"
        return result

    def import_file(self, rows: int) -> bytes:
        """An XLSX workbook of ``rows`` valid outgoing mobilities, in the columns of the app's own export."""
        import openpyxl

        from accord.mobility.tabular import IMPORT_COLUMNS, _organizations
        from accord.partners.models import Organization

        user = self.users["ministry"]
        lookup = _organizations(user)
        owner = Organization.objects.get(pk=self.ids["ministry"])
        owner_name = owner.name
        if len(lookup.by_name.get(_fold(owner_name), ())) != 1:
            raise RuntimeError(f"the ministry's name {owner_name!r} is not unique among organisations")
        homes = set(Organization.objects.filter(is_home=True).values_list("pk", flat=True))
        hosts = []
        for pk, obj in lookup.objects.items():
            if pk not in homes and len(lookup.by_name.get(_fold(obj.name), ())) == 1:
                hosts.append(obj.name)
            if len(hosts) >= 200:
                break
        if not hosts:
            raise RuntimeError("no partner with a unique name to import mobilities to")
        categories = ["student", "lecturer", "staff"]
        levels = ["bachelor", "master", "doctorate"]
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(title="Mobilities")
        sheet.append(IMPORT_COLUMNS)
        base = datetime.date(self.report_year, 9, 1)
        for n in range(rows):
            start = base + datetime.timedelta(days=n % 200)
            values = {
                "direction": "outgoing",
                "category": categories[n % 3],
                "full_name": f"Nguyễn Văn Bench {n}",
                "email": f"bench{n}@example.edu.vn",
                "student_number": f"B{n:07d}",
                "date_of_birth": datetime.date(2000 + n % 5, 1 + n % 12, 1 + n % 28),
                "gender": "F" if n % 2 else "M",
                "nationality": "VN",
                "fictitious": "yes",
                "home_organization": owner_name,
                "host_organization": hosts[n % len(hosts)],
                "planned_start": start,
                "planned_end": start + datetime.timedelta(days=120),
                "level": levels[n % 3],
                "subject_area": "0613",
                "funding_amount": 1000 + n % 500,
                "funding_note": "bench",
                "note": "",
                "owner": owner_name,
            }
            sheet.append([values.get(column) for column in IMPORT_COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def scenario_import(self) -> dict:
        from django.test.utils import override_settings

        from accord.core.tabular import read_table, run_import
        from accord.mobility.tabular import mobility_importer

        user = self.users["ministry"]

        def importing(data: bytes) -> Callable[[], None]:
            def do_import():
                # The import page's code path, in preview (commit=False): every row goes through the
                # service and the whole transaction is rolled back, so nothing is kept. The upload
                # limit (ACCORD_IMPORT_MAX_BYTES) is lifted for the bench's large file.
                with override_settings(ACCORD_IMPORT_MAX_BYTES=max(len(data) + 1, 5 * 1024 * 1024)):
                    header, table = read_table("mobilities.xlsx", data)
                    importer = mobility_importer(user)
                    header = importer.check_header(header)
                    report = run_import(header, table, importer, commit=False)
                if report.errors:
                    raise AssertionError(f"the bench import file has errors: {report.errors[:3]}")

            return do_import

        requested = rows = self.import_rows
        note = ""
        if self.import_budget and requested > 2000:
            # A calibration on 1,000 rows: when the whole file would take longer than the budget,
            # the rate is measured on as many rows as fit in it (the targets are rates).
            started = time.perf_counter()
            importing(self.import_file(1000))()
            rate = 1000 / (time.perf_counter() - started)
            if requested / rate > self.import_budget:
                rows = max(2000, int(rate * self.import_budget) // 1000 * 1000)
                note = (
                    f"{requested:,} rows would take about {requested / rate:,.0f} s at the calibrated "
                    f"{rate:,.0f} rows/s: measured on {rows:,} rows to keep the bench within its time budget"
                )
        data = self.import_file(rows)
        do_import = importing(data)
        self.log(f"  xlsx_import: {rows} mobilities ({len(data) / 1_048_576:.1f} MB)")
        figures = measure(do_import, runs=self.tabular_runs, warmup=0, many_queries=True)

        def reference():
            import openpyxl

            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
            count = 0
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                count += len(row)
            workbook.close()
            return count

        result = {
            "key": "xlsx_import",
            "group": "import",
            "label": f"XLSX import of {rows:,} mobilities with validation (preview)",
            "note": note,
            "requested_rows": requested,
            "how": "mobility import code path (read_table, mobility_importer, run_import commit=False) in process",
            "user": "ministry",
            "rows": rows,
            "file_mb": round(len(data) / 1_048_576, 2),
            **figures,
        }
        result["rows_per_s"] = round(rows / (figures["median_ms"] / 1000), 1) if figures["median_ms"] else None
        ref = time_only(reference, runs=self.tabular_runs, warmup=0)
        ref["rows_per_s"] = round(rows / (ref["median_ms"] / 1000), 1) if ref["median_ms"] else None
        result["reference"] = {"label": "openpyxl read-only, the same cells", **ref}
        if result["rows_per_s"] and ref["rows_per_s"]:
            result["ratio"] = round(result["rows_per_s"] / ref["rows_per_s"], 3)
            result["ratio_kind"] = "rate"
        return result

    # -- the selection of the big call

    def scenario_selection(self) -> dict:
        from accord.mobility import services
        from accord.mobility.models import Call

        call = Call.objects.get(pk=self.ids["call"])
        applications = call.applications.count()
        user = self.users["ministry"]
        self.log(f"  selection: call {call.pk}, {applications} applications")
        figures = measure(
            rolled_back(lambda: services.selection_run(call=call, acting_user=user)),
            runs=self.heavy_runs,
            warmup=1,
            many_queries=True,
            budget=self.budget,
        )
        return {
            "key": "selection",
            "group": "selection",
            "label": f"Selection of a call with {applications:,} applications",
            "how": "accord.mobility.services.selection_run in a rolled-back transaction",
            "user": "ministry",
            "rows": applications,
            **figures,
        }

    # -- API throughput under gunicorn

    def scenario_throughput(self) -> dict:
        from rest_framework.authtoken.models import Token

        user = self.users["ministry"]
        token, _created = Token.objects.get_or_create(user=user)
        port = free_port()
        env = dict(os.environ, ACCORD_BENCH_URLS="1")
        base = Path(__file__).resolve().parents[2]
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "accord.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ]
        self.log(f"  api_throughput: gunicorn on 127.0.0.1:{port}, {self.throughput_seconds:g} s per target")
        server = subprocess.Popen(gunicorn, cwd=base, env=env)
        try:
            wait_for_port(port, server)
            api = "/api/v1/organizations/"
            bare = "/bench/organizations/"
            # Both workers load the whole application on their first requests: warm both paths first.
            for path, auth in ((api, True), (bare, False)):
                load("127.0.0.1", port, path, token.key if auth else None, seconds=2, connections=2, warmup=0)
            results = {}
            for name, path, auth in (("api", api, True), ("bare", bare, False)):
                results[name] = run_load_process(
                    port,
                    path,
                    token.key if auth else None,
                    seconds=self.throughput_seconds,
                    connections=self.throughput_connections,
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        app, ref = results["api"], results["bare"]
        result = {
            "key": "api_throughput",
            "group": "throughput",
            "label": "API list throughput under gunicorn (2 workers)",
            "how": f"GET {api} (token, {ref.get('rows', '?')} rows a page) with {self.throughput_connections} "
            f"connections from another process for {self.throughput_seconds:g} s",
            "user": "ministry",
            "requests_per_s": app["requests_per_s"],
            "median_ms": app["median_ms"],
            "p95_ms": app["p95_ms"],
            "requests": app["requests"],
            "failures": app["failures"],
            "reference": {
                "label": f"bare Django view, same rows as JSON (GET {bare})",
                "requests_per_s": ref["requests_per_s"],
                "median_ms": ref["median_ms"],
                "p95_ms": ref["p95_ms"],
                "requests": ref["requests"],
                "failures": ref["failures"],
            },
        }
        if app["requests_per_s"] and ref["requests_per_s"]:
            result["ratio"] = round(app["requests_per_s"] / ref["requests_per_s"], 3)
            result["ratio_kind"] = "rate"
        if app["failures"] or ref["failures"]:
            result["error"] = f"failed requests: API {app['failures']}, bare view {ref['failures']}"
        return result

    # -- everything

    def run(self, only: set[str] | None = None, skip: set[str] | None = None) -> list[dict]:
        steps = [
            ("lists", self.scenario_lists),
            ("details", self.scenario_details),
            ("dashboard", self.scenario_dashboard),
            ("annual_report", self.scenario_report),
            ("selection", self.scenario_selection),
            ("xlsx_export", self.scenario_export),
            ("xlsx_import", self.scenario_import),
            ("api_throughput", self.scenario_throughput),
        ]
        results: list[dict] = []
        for name, step in steps:
            if (only and name not in only) or (skip and name in skip):
                continue
            started = time.perf_counter()
            try:
                produced = step()
            except Exception as exc:  # a failing scenario is reported, the others still run
                produced = {"key": name, "group": name, "label": name, "error": f"{type(exc).__name__}: {exc}"}
            for result in produced if isinstance(produced, list) else [produced]:
                results.append(evaluate(result))
            self.log(f"    done in {time.perf_counter() - started:.1f} s")
        return results


def _fold(text: str) -> str:
    from accord.core.text import fold

    return fold(text)


STEPS = ("lists", "details", "dashboard", "annual_report", "selection", "xlsx_export", "xlsx_import", "api_throughput")
REQUEST_STEPS = ("lists", "details", "dashboard", "annual_report")


def run_all(meta: dict, **options) -> list[dict]:
    """Run every scenario (or those of ``only=``) and return their evaluated figures."""
    only = options.pop("only", None)
    skip = options.pop("skip", None)
    return Bench(meta, **options).run(only=set(only) if only else None, skip=set(skip) if skip else None)


# --- hand-written SQL references ------------------------------------------------------------------


def _table(label: str) -> str:
    from django.apps import apps

    return apps.get_model(label)._meta.db_table


def _owners_sql(cursor, org_id: int) -> list[int]:
    org = _table("partners.Organization")
    cursor.execute(
        f"WITH RECURSIVE tree(id) AS (SELECT id FROM {org} WHERE id = %s "
        f"UNION SELECT o.id FROM {org} o JOIN tree t ON o.parent_id = t.id WHERE o.is_home) SELECT id FROM tree",
        [org_id],
    )
    return [row[0] for row in cursor.fetchall()]


def _in(ids) -> str:
    return "(" + ",".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


def _academic_year(today: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    from accord.agreements.selectors import academic_year_bounds, academic_year_of

    year = academic_year_of(today)
    start, end = academic_year_bounds(year)
    return year, start, end


def dashboard_reference(org_id: int, today: datetime.date) -> dict:
    """The dashboard's figures in a few hand-written queries (same rules as accord.reports.figures)."""
    from django.conf import settings
    from django.db import connection

    agreement = _table("agreements.Agreement")
    party = _table("agreements.AgreementParty")
    commitment = _table("agreements.Commitment")
    evidence = _table("agreements.Evidence")
    org = _table("partners.Organization")
    mobility = _table("mobility.Mobility")
    allocation = _table("funding.Allocation")
    scheme = _table("funding.FundingScheme")
    engagement = _table("engagements.Engagement")
    action = _table("engagements.FollowUpAction")
    plan = _table("plans.Plan")
    task = _table("plans.Task")
    year, year_start, year_end = _academic_year(today)
    dormant_since = today - datetime.timedelta(days=settings.ACCORD_DORMANT_DAYS)
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        owners = _in(_owners_sql(cursor, org_id))
        cursor.execute(
            f"SELECT o.country, COUNT(DISTINCT p.agreement_id), COUNT(DISTINCT p.organization_id) "
            f"FROM {party} p JOIN {agreement} a ON a.id = p.agreement_id JOIN {org} o ON o.id = p.organization_id "
            f"WHERE a.owner_id IN {owners} AND a.status = 'active' AND p.organization_id <> a.owner_id "
            f"AND o.country <> '' GROUP BY o.country"
        )
        out["by_country"] = cursor.fetchall()
        cursor.execute(
            f"SELECT a.kind, COUNT(*) FROM {agreement} a WHERE a.owner_id IN {owners} AND a.status = 'active' "
            f"GROUP BY a.kind"
        )
        out["by_kind"] = cursor.fetchall()
        out["active"] = sum(n for _kind, n in out["by_kind"])
        cursor.execute(
            f"SELECT "
            f"SUM(CASE WHEN a.status = 'active' AND a.expires_on IS NOT NULL AND a.expires_on >= %s "
            f"AND a.renewal_starts_on <= %s THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN a.status = 'active' AND (e.last IS NULL OR e.last < %s) "
            f"AND (a.effective_on < %s OR (a.effective_on IS NULL AND a.signed_on < %s)) "
            f"AND (a.expires_on IS NULL OR a.renewal_starts_on > %s) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN (a.status = 'active' AND a.expires_on < %s) OR (a.status = 'expired' AND NOT EXISTS "
            f"(SELECT 1 FROM {agreement} s WHERE s.predecessor_id = a.id)) THEN 1 ELSE 0 END) "
            f"FROM {agreement} a LEFT JOIN (SELECT c.agreement_id, MAX(v.happened_on) AS last FROM {commitment} c "
            f"JOIN {evidence} v ON v.commitment_id = c.id GROUP BY c.agreement_id) e ON e.agreement_id = a.id "
            f"WHERE a.owner_id IN {owners}",
            [today, today, dormant_since, dormant_since, dormant_since, today, today],
        )
        out["health"] = cursor.fetchone()
        cursor.execute(
            f"SELECT a.signed_on, COUNT(*) FROM {agreement} a WHERE a.owner_id IN {owners} "
            f"AND a.signed_on IS NOT NULL AND a.status NOT IN ('draft', 'negotiating') GROUP BY a.signed_on"
        )
        per_year: dict[int, int] = {}
        for signed, n in cursor.fetchall():
            signed_year = signed.year if hasattr(signed, "year") else int(str(signed)[:4])
            per_year[signed_year] = per_year.get(signed_year, 0) + n
        out["signed_per_year"] = sorted(per_year.items())
        # Commitment fulfilment: evidence and counted mobilities per commitment, classified in SQL.
        cursor.execute(
            f"SELECT state, COUNT(*) FROM (SELECT CASE "
            f"WHEN COALESCE(ev.n, 0) = 0 AND COALESCE(mo.n, 0) = 0 THEN 'not_started' "
            f"WHEN COALESCE(ev.last, mo.last) < %s AND COALESCE(mo.last, ev.last) < %s THEN 'lapsed' "
            f"WHEN c.quantity_per_year > 0 AND (CASE WHEN COALESCE(ev.qty, 0) > 0 THEN ev.qty "
            f"ELSE COALESCE(ev.year_n, 0) END + CASE WHEN c.unit = 'months' THEN COALESCE(mo.months, 0) "
            f"ELSE COALESCE(mo.year_n, 0) END) >= c.quantity_per_year THEN 'fulfilled' "
            f"WHEN (c.quantity_per_year IS NULL OR c.quantity_per_year = 0) "
            f"AND COALESCE(ev.year_n, 0) + COALESCE(mo.year_n, 0) > 0 THEN 'fulfilled' "
            f"ELSE 'in_progress' END AS state "
            f"FROM {commitment} c JOIN {agreement} a ON a.id = c.agreement_id "
            f"LEFT JOIN (SELECT commitment_id, COUNT(*) AS n, MAX(happened_on) AS last, "
            f"SUM(CASE WHEN happened_on BETWEEN %s AND %s THEN 1 ELSE 0 END) AS year_n, "
            f"SUM(CASE WHEN happened_on BETWEEN %s AND %s THEN COALESCE(quantity, 0) ELSE 0 END) AS qty "
            f"FROM {evidence} GROUP BY commitment_id) ev ON ev.commitment_id = c.id "
            f"LEFT JOIN (SELECT commitment_id, COUNT(*) AS n, MAX(COALESCE(actual_start, planned_start)) AS last, "
            f"SUM(CASE WHEN academic_year = %s THEN 1 ELSE 0 END) AS year_n, "
            f"SUM(CASE WHEN academic_year = %s THEN months ELSE 0 END) AS months "
            f"FROM {mobility} WHERE commitment_id IS NOT NULL AND status <> 'cancelled' GROUP BY commitment_id) mo "
            f"ON mo.commitment_id = c.id "
            f"WHERE a.owner_id IN {owners} AND a.status = 'active') states GROUP BY state",
            [
                today - datetime.timedelta(days=365),
                today - datetime.timedelta(days=365),
                year_start,
                year_end,
                year_start,
                year_end,
                year,
                year,
            ],
        )
        out["commitments"] = dict(cursor.fetchall())
        cursor.execute(
            f"SELECT m.direction, m.category, o.country, COUNT(*), SUM(m.months) FROM {mobility} m "
            f"JOIN {org} o ON o.id = m.partner_id WHERE m.owner_id IN {owners} AND m.status <> 'cancelled' "
            f"AND m.academic_year = %s GROUP BY m.direction, m.category, o.country",
            [year],
        )
        out["mobility_this_year"] = cursor.fetchall()
        cursor.execute(
            f"SELECT m.direction, m.academic_year, COUNT(*), SUM(m.months) FROM {mobility} m "
            f"WHERE m.owner_id IN {owners} AND m.status <> 'cancelled' GROUP BY m.direction, m.academic_year"
        )
        out["mobility_per_year"] = cursor.fetchall()
        cursor.execute(
            f"SELECT al.id, s.name, al.quantity, "
            f"(SELECT COALESCE(SUM(ch.quantity), 0) FROM {allocation} ch WHERE ch.parent_id = al.id), "
            f"(SELECT COUNT(*) FROM {mobility} m WHERE m.allocation_id = al.id AND m.status <> 'cancelled') "
            f"FROM {allocation} al JOIN {scheme} s ON s.id = al.scheme_id WHERE al.recipient_id IN {owners} "
            f"ORDER BY s.name, al.id"
        )
        out["quotas"] = cursor.fetchall()
        first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        cursor.execute(
            f"SELECT e.kind, COUNT(*) FROM {engagement} e WHERE e.owner_id IN {owners} AND NOT e.cancelled "
            f"AND e.starts_on <= %s AND (e.ends_on >= %s OR (e.ends_on IS NULL AND e.starts_on >= %s)) "
            f"GROUP BY e.kind",
            [last, first, first],
        )
        out["engagements"] = cursor.fetchall()
        cursor.execute(
            f"SELECT SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN status = 'open' AND due_on < %s THEN 1 ELSE 0 END) FROM {action} "
            f"WHERE owner_id IN {owners}",
            [today],
        )
        out["actions"] = cursor.fetchone()
        cursor.execute(
            f"SELECT p.id, COUNT(t.id), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END), AVG(t.progress) "
            f"FROM {plan} p LEFT JOIN {task} t ON t.plan_id = p.id WHERE p.owner_id IN {owners} "
            f"AND p.starts_on <= %s AND p.ends_on >= %s GROUP BY p.id",
            [today, today],
        )
        out["plans"] = cursor.fetchall()
    return out


def annual_report_reference(org_id: int, year: int) -> dict:
    """The annual report's figures in a few hand-written queries (same rules as accord.reports.annual)."""
    from django.db import connection

    agreement = _table("agreements.Agreement")
    party = _table("agreements.AgreementParty")
    event = _table("agreements.AgreementEvent")
    org = _table("partners.Organization")
    mobility = _table("mobility.Mobility")
    programme = _table("mobility.Programme")
    engagement = _table("engagements.Engagement")
    engagement_org = _table("engagements.EngagementOrganization")
    action = _table("engagements.FollowUpAction")
    project = _table("funding.Project")
    project_partner = _table("funding.ProjectPartner")
    allocation = _table("funding.Allocation")
    scheme = _table("funding.FundingScheme")
    plan = _table("plans.Plan")
    task = _table("plans.Task")
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        owner_ids = _owners_sql(cursor, org_id)
        owners = _in(owner_ids)
        in_force = (
            f"SELECT id FROM {agreement} WHERE owner_id IN {owners} AND signed_on <= %s "
            f"AND status NOT IN ('draft', 'negotiating') AND (expires_on IS NULL OR expires_on >= %s) "
            f"AND (terminated_on IS NULL OR terminated_on >= %s)"
        )
        of_year = (
            f"SELECT id FROM {engagement} WHERE owner_id IN {owners} AND NOT cancelled "
            f"AND starts_on >= %s AND starts_on <= %s"
        )
        stays = (
            f"FROM {mobility} m WHERE m.owner_id IN {owners} AND m.status <> 'cancelled' "
            f"AND COALESCE(m.actual_start, m.planned_start) BETWEEN %s AND %s"
        )
        projects = (
            f"SELECT id FROM {project} WHERE owner_id IN {owners} AND status IN ('running', 'completed') "
            f"AND (starts_on IS NULL OR starts_on <= %s) AND (ends_on IS NULL OR ends_on >= %s)"
        )
        cursor.execute(
            f"SELECT x.org, o.name, o.country, SUM(x.agreements), SUM(x.engagements), SUM(x.mobilities), "
            f"SUM(x.projects) FROM ("
            f"SELECT organization_id AS org, 1 AS agreements, 0 AS engagements, 0 AS mobilities, 0 AS projects "
            f"FROM {party} WHERE agreement_id IN ({in_force}) UNION ALL "
            f"SELECT organization_id, 0, 1, 0, 0 FROM {engagement_org} WHERE engagement_id IN ({of_year}) UNION ALL "
            f"SELECT m.partner_id, 0, 0, COUNT(*), 0 {stays} GROUP BY m.partner_id UNION ALL "
            f"SELECT organization_id, 0, 0, 0, 1 FROM {project_partner} WHERE project_id IN ({projects})"
            f") x JOIN {org} o ON o.id = x.org WHERE x.org NOT IN {owners} GROUP BY x.org, o.name, o.country "
            f"ORDER BY o.country, o.name",
            [end, start, start, start, end, start, end, end, start],
        )
        out["partners"] = cursor.fetchall()
        countries: dict[str, int] = {}
        for row in out["partners"]:
            countries[row[2]] = countries.get(row[2], 0) + 1
        out["partners_by_country"] = countries
        cursor.execute(
            f"SELECT e.date, e.kind, a.title, a.reference, a.kind, ow.name, "
            f"(SELECT COUNT(*) FROM {party} p WHERE p.agreement_id = a.id AND p.organization_id NOT IN {owners}) "
            f"FROM {event} e JOIN {agreement} a ON a.id = e.agreement_id JOIN {org} ow ON ow.id = a.owner_id "
            f"WHERE a.owner_id IN {owners} AND e.date BETWEEN %s AND %s "
            f"AND e.kind IN ('signed', 'renewed', 'auto_renewed', 'expired', 'terminated') ORDER BY e.date, e.id",
            [start, end],
        )
        out["agreement_events"] = cursor.fetchall()
        cursor.execute(
            f"SELECT e.kind, COUNT(*) FROM {engagement} e WHERE e.id IN ({of_year}) GROUP BY e.kind", [start, end]
        )
        out["engagements_by_kind"] = cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) FROM {action} "
            f"WHERE engagement_id IN ({of_year})",
            [start, end],
        )
        out["actions"] = cursor.fetchone()
        cursor.execute(
            f"SELECT m.direction, o.country, m.category, m.programme_id, p.name, COUNT(*) "
            f"FROM {mobility} m JOIN {org} o ON o.id = m.partner_id LEFT JOIN {programme} p ON p.id = m.programme_id "
            f"WHERE m.owner_id IN {owners} AND m.status <> 'cancelled' "
            f"AND COALESCE(m.actual_start, m.planned_start) BETWEEN %s AND %s "
            f"GROUP BY m.direction, o.country, m.category, m.programme_id, p.name",
            [start, end],
        )
        out["mobility"] = cursor.fetchall()
        cursor.execute(
            f"SELECT id, acronym, title, budget, currency FROM {project} WHERE id IN ({projects}) "
            f"ORDER BY starts_on, acronym, id",
            [end, start],
        )
        out["projects"] = cursor.fetchall()
        cursor.execute(
            f"SELECT al.id, s.name, al.quantity, al.period, "
            f"(SELECT COUNT(*) FROM {mobility} m WHERE m.allocation_id = al.id AND m.status <> 'cancelled') "
            f"FROM {allocation} al JOIN {scheme} s ON s.id = al.scheme_id WHERE al.recipient_id IN {owners}"
        )
        out["quotas"] = cursor.fetchall()
        cursor.execute(
            f"SELECT p.id, COUNT(t.id), SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) FROM {plan} p "
            f"LEFT JOIN {task} t ON t.plan_id = p.id WHERE p.owner_id IN {owners} AND p.starts_on <= %s "
            f"AND p.ends_on >= %s GROUP BY p.id",
            [end, start],
        )
        out["plans"] = cursor.fetchall()
    return out


# --- the load generator (a second process on loopback) --------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:g} s")


def load(
    host: str, port: int, path: str, token: str | None, *, seconds: float, connections: int, warmup: float = 1.0
) -> dict:
    """Send GET ``path`` from ``connections`` threads for ``seconds``; requests/s and latencies."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    latencies: list[float] = []
    failures: list[str] = []
    rows: list[int] = []
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        bad: list[str] = []
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                status, body = 0, str(exc).encode()
            elapsed = (time.perf_counter() - began) * 1000
            if now < start_at:
                continue
            if status == 200:
                mine.append(elapsed)
                if not rows:
                    try:
                        data = json.loads(body)
                        found = data.get("results", data.get("rows")) if isinstance(data, dict) else data
                        with lock:
                            rows.append(len(found) if isinstance(found, list) else 0)
                    except ValueError:
                        pass
            else:
                bad.append(f"{status}: {body[:200]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "path": path,
        "seconds": seconds,
        "connections": connections,
        "requests": len(latencies),
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "requests_per_s": round(len(latencies) / seconds, 1),
        "median_ms": _rounded(statistics.median(latencies)) if latencies else None,
        "p95_ms": _rounded(percentile(latencies, 0.95)) if latencies else None,
        "rows": rows[0] if rows else None,
    }


def run_load_process(port: int, path: str, token: str | None, *, seconds: float, connections: int) -> dict:
    """Run :func:`load` in a separate Python process (so that it does not share the GIL with the server)."""
    command = [
        sys.executable,
        "-m",
        "accord.bench.scenarios",
        "load",
        "--port",
        str(port),
        "--path",
        path,
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
    ]
    env = dict(os.environ)
    if token:
        env["ACCORD_BENCH_TOKEN"] = token
    base = Path(__file__).resolve().parents[2]
    done = subprocess.run(command, cwd=base, env=env, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


# --- the command line -----------------------------------------------------------------------------


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m accord.bench.scenarios", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the scenarios against DATABASE_URL (a bench database)")
    run.add_argument("--meta", required=True, help="the generator's meta JSON")
    run.add_argument("--output", required=True, help="where to write the results JSON")
    run.add_argument("--runs", type=int, default=20)
    run.add_argument("--warmup", type=int, default=2)
    run.add_argument("--heavy-runs", type=int, default=5)
    run.add_argument("--tabular-runs", type=int, default=2)
    run.add_argument("--export-rows", type=int, default=100_000)
    run.add_argument("--import-rows", type=int, default=100_000)
    run.add_argument(
        "--import-budget", type=float, default=60.0, help="seconds an import run may take (0: import every row)"
    )
    run.add_argument("--throughput-seconds", type=float, default=10.0)
    run.add_argument("--only", nargs="*", choices=STEPS)
    run.add_argument("--skip", nargs="*", choices=STEPS)
    run.add_argument("--force", action="store_true", help="accept a DATABASE_URL that is not a bench database")
    loader = sub.add_parser("load", help="the load generator (token in ACCORD_BENCH_TOKEN)")
    loader.add_argument("--host", default="127.0.0.1")
    loader.add_argument("--port", type=int, required=True)
    loader.add_argument("--path", required=True)
    loader.add_argument("--seconds", type=float, default=10.0)
    loader.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)

    if args.command == "load":
        result = load(
            args.host,
            args.port,
            args.path,
            os.environ.get("ACCORD_BENCH_TOKEN") or None,
            seconds=args.seconds,
            connections=args.connections,
        )
        print(json.dumps(result))
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    try:
        refuse_foreign(os.environ.get("DATABASE_URL"), force=args.force)
    except ForeignDatabase as exc:
        print(exc, file=sys.stderr)
        return 2
    meta = json.loads(Path(args.meta).read_text())
    results = run_all(
        meta,
        runs=args.runs,
        warmup=args.warmup,
        heavy_runs=args.heavy_runs,
        tabular_runs=args.tabular_runs,
        export_rows=args.export_rows,
        import_rows=args.import_rows,
        import_budget=args.import_budget,
        throughput_seconds=args.throughput_seconds,
        only=args.only,
        skip=args.skip,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    Path(args.output).write_text(json.dumps({"scenarios": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
