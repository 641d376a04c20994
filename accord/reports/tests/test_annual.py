"""The annual report's figures on generated data, each counted by hand from what the test created.

``populate`` creates, for each home organisation of the conftest (Quảng Ninh DoET, the two
universities under it, and Hải Phòng DoET, another tenant), records inside and outside the
report's year, and writes down in a ledger what each should count for. The report's figures
are compared with the ledger: per organisation, and consolidated over Quảng Ninh and the
organisations under it (exactly the sum of the three, nothing of Hải Phòng).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.agreements.models import Agreement, AgreementEvent, AgreementParty
from accord.engagements.models import Engagement, EngagementOrganization, FollowUpAction, Participant
from accord.funding.models import Allocation, FundingScheme, Project, ProjectPartner
from accord.mobility.models import Mobility, Programme
from accord.partners.models import Organization, Person
from accord.plans.models import Indicator, Plan, Task
from accord.reports import annual
from accord.reports.models import JobStatus, ReportJob
from accord.sources.models import Citation, Source

pytestmark = pytest.mark.django_db

YEAR = 2025
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
OWN_PARTNER_COUNTRY = {"qn": "TH", "hlu": "KR", "qui": "KR", "hp": "US"}
UNDER_QN = ("qn", "hlu", "qui")


def D(y, m, d):  # noqa: N802 - reads like a date literal
    return datetime.date(y, m, d)


@dataclass
class Ledger:
    """What one organisation's records should count for in the report of YEAR."""

    events: Counter = field(default_factory=Counter)
    engagements: Counter = field(default_factory=Counter)
    partners: set = field(default_factory=set)
    mobility_country: Counter = field(default_factory=Counter)  # (direction, country)
    mobility_category: Counter = field(default_factory=Counter)
    mobility_programme: Counter = field(default_factory=Counter)  # (direction, programme id or None)
    projects: int = 0
    budgets: Counter = field(default_factory=Counter)
    sources: dict = field(default_factory=lambda: defaultdict(set))  # section → source titles


def _cite(source, record):
    from django.contrib.contenttypes.models import ContentType

    Citation.objects.create(
        source=source, content_type=ContentType.objects.get_for_model(record), object_id=record.pk, passage="p"
    )


def _partners():
    made = {}
    for code, country in (("jp", "JP"), ("cn", "CN"), ("fr", "FR"), ("vn", "VN")):
        made[code] = Organization.objects.create(kind="university", name=f"Partner {code}", country=country)
    return made


def populate(tenants, n: int = 1, partners=None) -> dict[str, Ledger]:
    """Records of every home organisation; ``n`` copies of each, to show counts scale and queries do not."""
    partners = partners or _partners()
    jp, cn, fr, vn = partners["jp"], partners["cn"], partners["fr"], partners["vn"]
    ledgers = {key: Ledger() for key in tenants}
    Y = YEAR
    for key, org in tenants.items():
        led = ledgers[key]
        own = Organization.objects.create(
            kind="university", name=f"Own partner of {key}", country=OWN_PARTNER_COUNTRY[key]
        )
        for i in range(n):
            tag = f"{key}-{i}"
            source = Source.objects.create(title=f"Source {tag}", owner=org, published_on=D(Y, 2, 1))

            def agreement(title, status, signed_on, expires_on=None, terminated_on=None, parties=(), **extra):
                a = Agreement.objects.create(
                    kind="mou",
                    title=f"{title} {tag}",
                    owner=org,
                    status=status,
                    signed_on=signed_on,
                    expires_on=expires_on,
                    terminated_on=terminated_on,
                    **extra,
                )
                AgreementParty.objects.create(agreement=a, organization=org)
                for p in parties:
                    AgreementParty.objects.create(agreement=a, organization=p)
                return a

            # Agreements: signed in the year (counted, in force).
            a1 = agreement("Signed", "active", D(Y, 3, 1), parties=(jp, own))
            AgreementEvent.objects.create(agreement=a1, kind="signed", date=D(Y, 3, 1))
            led.events["signed"] += 1
            led.partners |= {jp.pk, own.pk}
            _cite(source, a1)
            led.sources["agreements"].add(source.title)
            # Expired in the year (in force until then).
            a2 = agreement("Expired", "expired", D(Y - 1, 6, 1), expires_on=D(Y, 6, 30), parties=(cn,))
            AgreementEvent.objects.create(agreement=a2, kind="signed", date=D(Y - 1, 6, 1))
            AgreementEvent.objects.create(agreement=a2, kind="expired", date=D(Y, 6, 30))
            led.events["expired"] += 1
            led.partners.add(cn.pk)
            # Terminated in the year.
            a3 = agreement("Terminated", "terminated", D(Y - 2, 1, 1), terminated_on=D(Y, 5, 1), parties=(fr,))
            AgreementEvent.objects.create(agreement=a3, kind="terminated", date=D(Y, 5, 1))
            led.events["terminated"] += 1
            led.partners.add(fr.pk)
            # Renewed automatically in the year.
            a4 = agreement("Renewed", "active", D(Y - 3, 1, 1), expires_on=D(Y + 3, 1, 1), parties=(jp,))
            AgreementEvent.objects.create(agreement=a4, kind="auto_renewed", date=D(Y, 1, 1))
            led.events["renewed"] += 1
            # Not counted: a draft, one signed the next year, an event of last year.
            agreement("Draft", "draft", None, parties=(vn,))
            a6 = agreement("Next year", "active", D(Y + 1, 1, 10), parties=(vn,))
            AgreementEvent.objects.create(agreement=a6, kind="signed", date=D(Y + 1, 1, 10))
            AgreementEvent.objects.create(agreement=a4, kind="renewed", date=D(Y - 1, 12, 31))

            # Engagements: a delegation received with its head, an agreement and two actions.
            e1 = Engagement.objects.create(
                kind="incoming_delegation", title=f"Visit {tag}", owner=org, starts_on=D(Y, 4, 10)
            )
            EngagementOrganization.objects.create(engagement=e1, organization=cn, role="guest")
            head = Person.objects.create(name=f"Head {tag}", owner=org, affiliation=cn)
            member = Person.objects.create(name=f"Member {tag}", owner=org, affiliation=cn)
            Participant.objects.create(engagement=e1, person=head, organization=cn, role="head")
            Participant.objects.create(engagement=e1, person=member, organization=cn, role="member")
            e1.agreements.add(a1)
            FollowUpAction.objects.create(title=f"Follow {tag}", engagement=e1, owner=org, status="open")
            FollowUpAction.objects.create(title=f"Done {tag}", engagement=e1, owner=org, status="done")
            led.engagements.update({"received": 1, "total": 1, "agreements_signed": 1, "actions": 2, "open": 1})
            _cite(source, e1)
            led.sources["engagements"].add(source.title)
            # A delegation sent.
            e2 = Engagement.objects.create(
                kind="outgoing_delegation", title=f"Trip {tag}", owner=org, starts_on=D(Y, 9, 1)
            )
            EngagementOrganization.objects.create(engagement=e2, organization=jp, role="host")
            led.engagements.update({"sent": 1, "total": 1})
            # Not counted: cancelled, last year.
            Engagement.objects.create(
                kind="conference", title=f"Off {tag}", owner=org, starts_on=D(Y, 11, 1), cancelled=True
            )
            Engagement.objects.create(kind="working_session", title=f"Old {tag}", owner=org, starts_on=D(Y - 1, 12, 31))

            # Mobility.
            programme = Programme.objects.create(name=f"Programme {tag}", kind="exchange", owner=org)
            _cite(source, programme)
            led.sources["mobility"].add(source.title)

            def stay(direction, category, planned_start, **extra):
                home, host = (org, extra.pop("partner")) if direction == "outgoing" else (extra.pop("partner"), org)
                return Mobility.objects.create(
                    owner=org,
                    direction=direction,
                    category=category,
                    full_name=f"Person {tag}",
                    home_organization=home,
                    host_organization=host,
                    planned_start=planned_start,
                    planned_end=planned_start + datetime.timedelta(days=120),
                    **extra,
                )

            stay("outgoing", "student", D(Y, 9, 1), partner=fr, programme=programme, status="confirmed")
            led.mobility_country[("outgoing", "FR")] += 1
            led.mobility_category[("outgoing", "student")] += 1
            led.mobility_programme[("outgoing", programme.pk)] += 1
            led.partners.add(fr.pk)
            # Planned last December, started in January: counted by its actual start.
            stay("incoming", "volunteer", D(Y - 1, 12, 1), partner=jp, actual_start=D(Y, 1, 5), status="ongoing")
            led.mobility_country[("incoming", "JP")] += 1
            led.mobility_category[("incoming", "volunteer")] += 1
            led.mobility_programme[("incoming", None)] += 1
            # Not counted: cancelled, next year.
            stay("incoming", "student", D(Y, 3, 1), partner=cn, status="cancelled")
            stay("outgoing", "trainee", D(Y + 1, 2, 1), partner=cn)

            # Projects.
            p1 = Project.objects.create(
                acronym=f"P1{tag}",
                title="Running",
                owner=org,
                status="running",
                starts_on=D(Y - 1, 1, 1),
                ends_on=D(Y + 1, 12, 31),
                budget=Decimal("1000.50"),
                currency="EUR",
            )
            ProjectPartner.objects.create(project=p1, organization=fr)
            _cite(source, p1)
            led.sources["projects"].add(source.title)
            Project.objects.create(
                acronym=f"P4{tag}", title="Open", owner=org, status="running", budget=Decimal(5000), currency="USD"
            )
            led.projects += 2
            led.budgets["EUR"] += Decimal("1000.50")
            led.budgets["USD"] += Decimal(5000)
            Project.objects.create(
                acronym=f"P2{tag}",
                title="Ended",
                owner=org,
                status="completed",
                starts_on=D(Y - 2, 1, 1),
                ends_on=D(Y - 1, 12, 31),
            )
            Project.objects.create(
                acronym=f"P3{tag}", title="Proposed", owner=org, status="proposed", starts_on=D(Y, 1, 1)
            )
    return ledgers


def quotas(tenants, partners):
    """Quảng Ninh receives 20 places and passes 8 to HLU and 5 to QUI; HLU uses 2 of them."""
    Y = YEAR
    scheme = FundingScheme.objects.create(
        name="Places",
        kind="quota_plan",
        owner=tenants["qn"],
        funder=partners["jp"],
        unit="places",
        total=100,
        starts_on=D(Y, 1, 1),
        ends_on=D(Y, 12, 31),
    )
    top = Allocation.objects.create(scheme=scheme, recipient=tenants["qn"], quantity=20)
    to_hlu = Allocation.objects.create(scheme=scheme, parent=top, recipient=tenants["hlu"], quantity=8)
    Allocation.objects.create(scheme=scheme, parent=top, recipient=tenants["qui"], quantity=5)
    for _ in range(2):
        Mobility.objects.create(
            owner=tenants["hlu"],
            direction="outgoing",
            category="staff",
            full_name="Q",
            home_organization=tenants["hlu"],
            host_organization=partners["jp"],
            planned_start=D(Y + 1, 3, 1),
            planned_end=D(Y + 1, 4, 1),
            allocation=to_hlu,
        )
    old = FundingScheme.objects.create(
        name="Old", kind="quota_plan", owner=tenants["qn"], funder=partners["jp"], unit="people"
    )
    Allocation.objects.create(scheme=old, recipient=tenants["qn"], quantity=3, period="2019/2020")
    other = FundingScheme.objects.create(
        name="HP places", kind="quota_plan", owner=tenants["hp"], funder=partners["jp"], unit="places"
    )
    Allocation.objects.create(scheme=other, recipient=tenants["hp"], quantity=7)


def plans(tenants):
    """A plan of Quảng Ninh over 2025–2027 and one long over."""
    Y = YEAR
    document = Source.objects.create(title="Plan document", owner=tenants["qn"], kind="decision")
    plan = Plan.objects.create(
        owner=tenants["qn"],
        number="850/KH-SGDĐT",
        title="Integration",
        starts_on=D(Y, 1, 1),
        ends_on=D(Y + 2, 12, 31),
        document=document,
    )
    Task.objects.create(plan=plan, position=1, title="Disseminate", status="done", progress=100)
    Task.objects.create(plan=plan, position=2, title="Train", status="in_progress", progress=40, deadline=D(Y, 6, 1))
    manual = Indicator.objects.create(
        plan=plan, name="Teachers trained", target=10, rule="manual", actual_entered=4, evidence="minutes"
    )
    signed = Indicator.objects.create(plan=plan, name="Agreements signed", target=5, rule="agreements_signed")
    Plan.objects.create(
        owner=tenants["qn"], number="1/KH", title="Old", starts_on=D(Y - 5, 1, 1), ends_on=D(Y - 3, 1, 1)
    )
    return plan, manual, signed


def make_world(tenants) -> dict:
    partners = _partners()
    ledgers = populate(tenants, partners=partners)
    quotas(tenants, partners)
    return {"ledgers": ledgers, "partners": partners, "plan": plans(tenants)}


@pytest.fixture
def world(tenants):
    return make_world(tenants)


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="report-admin")


def _sum(ledgers, keys) -> Ledger:
    total = Ledger()
    for key in keys:
        led = ledgers[key]
        total.events += led.events
        total.engagements += led.engagements
        total.partners |= led.partners
        total.mobility_country += led.mobility_country
        total.mobility_category += led.mobility_category
        total.mobility_programme += led.mobility_programme
        total.projects += led.projects
        total.budgets += led.budgets
        for section, titles in led.sources.items():
            total.sources[section] |= titles
    return total


def _check(report, expected: Ledger):
    sections = {s.key: s for s in report.sections}
    agreements = sections["agreements"].figures
    assert {k: agreements[k] for k in ("signed", "renewed", "expired", "terminated")} == {
        k: expected.events[k] for k in ("signed", "renewed", "expired", "terminated")
    }
    summary = sections["agreements"].tables[0]
    assert summary.totals[1] == sum(expected.events.values())
    assert len(sections["agreements"].tables[1].rows) == sum(expected.events.values())

    engagements = sections["engagements"].figures
    assert engagements["received"] == expected.engagements["received"]
    assert engagements["sent"] == expected.engagements["sent"]
    assert engagements["total"] == expected.engagements["total"]
    assert engagements["agreements_signed"] == expected.engagements["agreements_signed"]
    assert engagements["actions"] == expected.engagements["actions"]
    assert engagements["open_actions"] == expected.engagements["open"]
    assert len(sections["engagements"].tables[1].rows) == expected.engagements["total"]

    partners = sections["partners"].figures
    assert partners["partners"] == len(expected.partners)
    countries = Counter(Organization.objects.get(pk=pk).country for pk in expected.partners)
    assert partners["countries"] == dict(countries)

    mobility = sections["mobility"].figures
    got_country = Counter({(d, c): n for c, per in mobility["by_country"].items() for d, n in per.items()})
    assert got_country == expected.mobility_country
    got_category = Counter({(d, c): n for c, per in mobility["by_category"].items() for d, n in per.items()})
    assert got_category == expected.mobility_category
    got_programme = Counter({(d, p): n for p, per in mobility["by_programme"].items() for d, n in per.items()})
    assert got_programme == expected.mobility_programme
    incoming = sum(n for (d, _c), n in expected.mobility_country.items() if d == "incoming")
    outgoing = sum(n for (d, _c), n in expected.mobility_country.items() if d == "outgoing")
    assert (mobility["incoming"], mobility["outgoing"]) == (incoming, outgoing)
    for table in sections["mobility"].tables:
        assert table.totals[1:] == [incoming, outgoing, incoming + outgoing]

    projects = sections["projects"].figures
    assert projects["projects"] == expected.projects
    assert projects["budgets"] == {c: v for c, v in expected.budgets.items()}

    for section, titles in expected.sources.items():
        assert {s.title for s in sections[section].sources} == titles, section


def test_each_organisation_alone_counts_its_own_records(world, tenants, admin_user, make_user):
    # given: a superuser reads any organisation alone; the universities have none under them
    for key in ("hlu", "qui", "hp"):
        user = make_user("editor", org=key, username=f"{key}-reader")

        # when
        report = annual.build(user, tenants[key], YEAR, "en")

        # then
        _check(report, world["ledgers"][key])


def test_consolidation_sums_exactly_the_organisations_below(world, tenants, admin_user):
    # when
    report = annual.build(admin_user, tenants["qn"], YEAR, "en")

    # then: Quảng Ninh, HLU and QUI, nothing of Hải Phòng
    _check(report, _sum(world["ledgers"], UNDER_QN))
    everything = " ".join(str(v) for s in report.sections for t in s.tables for r in t.rows for v in r)
    assert "hp-0" not in everything
    assert "Own partner of hp" not in everything
    assert "United States" not in everything


def test_many_records_find_the_same_sources_and_mobilities_as_few(world, tenants, admin_user, monkeypatch):
    # A ministry's report asks for the citations of tens of thousands of records by kind, not by id.
    monkeypatch.setattr(annual, "CITED_IN_LIST", 0)

    report = annual.build(admin_user, tenants["qn"], YEAR, "en")

    _check(report, _sum(world["ledgers"], UNDER_QN))


def test_quotas_received_from_outside_with_their_use(world, tenants, admin_user, make_user):
    # when
    consolidated = {s.key: s for s in annual.build(admin_user, tenants["qn"], YEAR, "en").sections}["quotas"]
    hlu_user = make_user("viewer", org="hlu", username="hlu-viewer")
    alone = {s.key: s for s in annual.build(hlu_user, tenants["hlu"], YEAR, "en").sections}["quotas"]

    # then: consolidated, the 20 places received from outside (what was passed on inside is not received
    # again), of which HLU used 2; the 2019/2020 allocation is outside the year
    rows = consolidated.tables[1].rows
    assert [(r[0], r[7], r[8], r[9]) for r in rows] == [("Places", 20, 13, 2)]
    assert consolidated.figures["allocations"] == 1
    # HLU alone received 8 from Quảng Ninh and used 2, 6 remain
    assert [(r[0], r[2], r[7], r[9], r[10]) for r in alone.tables[1].rows] == [("Places", tenants["qn"].name, 8, 2, 6)]


def test_plans_overlapping_the_year_with_tasks_and_indicators(world, tenants, admin_user):
    # when
    section = {s.key: s for s in annual.build(admin_user, tenants["qn"], YEAR, "en").sections}["plans"]

    # then
    plan_table, task_table, indicator_table = section.tables
    assert [r[0] for r in plan_table.rows] == ["850/KH-SGDĐT"]
    assert plan_table.rows[0][5:8] == [2, 1, 1]  # two tasks, one done, one overdue by the end of the year
    assert [(r[2], r[5], r[6]) for r in task_table.rows] == [("Disseminate", "Done", 100), ("Train", "In progress", 40)]
    # the manual actual is the one entered; the computed one counts the agreements signed by
    # Quảng Ninh and the universities in the plan's period (2025–2027): one in 2025 and one in 2026 each
    assert [(r[1], r[3], r[4]) for r in indicator_table.rows] == [
        ("Teachers trained", 10, Decimal(4)),
        ("Agreements signed", 5, Decimal(6)),
    ]
    assert {s.title for s in section.sources} == {"Plan document"}


def test_a_user_of_a_unit_never_sees_above_it(world, tenants, make_user):
    # given
    unit = make_user("editor", org="hlu", username="unit-reader")

    # then: the DoET is not a report it may ask for
    from django.http import Http404

    from accord.reports.scope import report_organization

    with pytest.raises(Http404):
        report_organization(unit, tenants["qn"].pk)


def test_query_count_does_not_grow_with_records(tenants, admin_user):
    # given: one copy of everything, then three more
    partners = _partners()
    populate(tenants, n=1, partners=partners)
    quotas(tenants, partners)
    plans(tenants)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            annual.build(admin_user, tenants["qn"], YEAR, "en")
        return len(queries)

    count()  # the content types are cached after the first report
    few = count()
    populate(tenants, n=3, partners=partners)

    # then
    assert count() == few
    assert few <= 50


def test_a_year_outside_the_data_is_refused(world, tenants, editor_client):
    # given: the earliest record of the generated data is from 2020 (an agreement signed in 2022 renewed…)
    first = annual.earliest_year({tenants[k].pk for k in UNDER_QN})
    this_year = datetime.date.today().year
    url = reverse("reports:annual_report")

    # when
    before = editor_client.post(url, {"organization": tenants["qn"].pk, "year": first - 1, "language": "en"})
    after = editor_client.post(url, {"organization": tenants["qn"].pk, "year": this_year + 1, "language": "en"})

    # then
    assert before.status_code == 400
    assert f"The earliest record is from {first}" in before.content.decode()
    assert after.status_code == 400
    assert "has not begun" in after.content.decode()
    assert not ReportJob.objects.exists()


def test_an_organisation_the_user_may_not_see_is_404(world, tenants, client, users):
    # given
    client.force_login(users["other"])

    # when
    response = client.post(
        reverse("reports:annual_report"), {"organization": tenants["qn"].pk, "year": YEAR, "language": "en"}
    )
    garbage = client.post(reverse("reports:annual_report"), {"organization": "x", "year": YEAR, "language": "en"})

    # then
    assert response.status_code == 404
    assert garbage.status_code == 404
    assert tenants["qn"].name not in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_job_produces_its_files(world, tenants, editor_client, settings):
    # given
    settings.TASKS = IMMEDIATE

    # when
    response = editor_client.post(
        reverse("reports:annual_report"), {"organization": tenants["qn"].pk, "year": YEAR, "language": "en"}
    )

    # then
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert job.xlsx_file and job.html_file
    page = editor_client.get(job.get_absolute_url())
    assert "download-xlsx" in page.content.decode()
    html = editor_client.get(reverse("reports:annual_download", args=[job.pk, "html"]))
    assert html.status_code == 200 and "Partners by country" in html.content.decode()


def test_a_job_that_fails_midway_says_so_and_keeps_no_file(world, tenants, editor_client, settings, monkeypatch):
    # given: the mobility section breaks
    settings.TASKS = IMMEDIATE

    def broken(ctx):
        raise RuntimeError("the mobility figures could not be read")

    monkeypatch.setattr(annual, "section_mobility", broken)

    # when
    editor_client.post(
        reverse("reports:annual_report"), {"organization": tenants["qn"].pk, "year": YEAR, "language": "en"}
    )

    # then
    job = ReportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "the mobility figures could not be read" in job.error
    assert not job.xlsx_file and not job.pdf_file and not job.html_file
    page = editor_client.get(job.get_absolute_url()).content.decode()
    assert "The report failed." in page and "the mobility figures could not be read" in page
    assert "download-xlsx" not in page
    for fmt in ("xlsx", "pdf", "html"):
        assert editor_client.get(reverse("reports:annual_download", args=[job.pk, fmt])).status_code == 404
    media = settings.MEDIA_ROOT / "reports"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_queued_job_polls_and_offers_nothing_yet(world, tenants, editor_client, users):
    # given: no worker has picked the job up
    job = ReportJob.objects.create(requested_by=users["editor"], organization=tenants["qn"], year=YEAR, language="vi")

    # when
    page = editor_client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()

    # then
    assert 'hx-trigger="every 1s"' in page
    assert "download-xlsx" not in page
    assert editor_client.get(reverse("reports:annual_download", args=[job.pk, "xlsx"])).status_code == 404
