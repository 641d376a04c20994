"""The dashboard's figures against the records, counted here again in plain Python.

``build_world`` makes generated data for Quảng Ninh DoET (with Ha Long University and QUI
under it) and for Hải Phòng DoET; ``expected`` recounts every figure from the rows, without
the dashboard's code. The same recount runs on the demo data. Each figure's link is followed
and the list it opens must show as many rows as the figure says.
"""

from __future__ import annotations

import datetime
import html
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accord.accounts.models import User
from accord.agreements.choices import AgreementKind
from accord.agreements.models import ActivityType, Agreement, AgreementParty, Commitment, Evidence
from accord.engagements.models import Engagement, FollowUpAction
from accord.funding.models import Allocation, FundingScheme
from accord.mobility.models import Mobility
from accord.partners.models import Organization
from accord.plans.models import Indicator, Plan, Task
from accord.reports import figures

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/"
API = "/api/v1/reports/dashboard/"
PARTNER_COUNTRIES = {"jp": "JP", "kr": "KR", "cn": "CN", "fr": "FR", "th": "TH"}


def academic_year_start(day: datetime.date) -> datetime.date:
    first = day.year if day.month >= 9 else day.year - 1
    return datetime.date(first, 9, 1)


def academic_year(day: datetime.date) -> str:
    first = academic_year_start(day).year
    return f"{first}/{first + 1}"


# --- generated data -----------------------------------------------------------------------------


def partners() -> dict[str, Organization]:
    found = {}
    for key, country in PARTNER_COUNTRIES.items():
        found[key], _ = Organization.objects.get_or_create(
            name=f"University of {country}", defaults={"kind": "university", "country": country}
        )
    return found


def add_agreement(owner, partner_orgs, *, status="active", kind="mou", signed, expires=None, effective=None, n=0):
    agreement = Agreement.objects.create(
        owner=owner,
        kind=kind,
        title=f"{owner.name} {kind} {status} {n} {signed}",
        status=status,
        signed_on=signed,
        effective_on=effective,
        expires_on=expires,
    )
    AgreementParty.objects.create(agreement=agreement, organization=owner)
    for org in partner_orgs:
        AgreementParty.objects.create(agreement=agreement, organization=org)
    return agreement


def add_mobility(
    owner, partner, *, direction, category="student", start, days=120, status="confirmed", allocation=None
):
    home, host = (partner, owner) if direction == "incoming" else (owner, partner)
    return Mobility.objects.create(
        owner=owner,
        direction=direction,
        category=category,
        full_name="Test Person",
        home_organization=home,
        host_organization=host,
        planned_start=start,
        planned_end=start + datetime.timedelta(days=days),
        status=status,
        allocation=allocation,
    )


def build_for(owner, p, today, *, scale=1, allocation=None):
    """Records of one home organisation: every health, commitments in each state, stays, engagements, actions."""
    ay = academic_year_start(today)
    activity = ActivityType.objects.get(code="student_exchange")
    for n in range(scale):
        healthy = add_agreement(
            owner,
            [p["jp"], p["kr"]],
            signed=today - datetime.timedelta(days=30),
            expires=today + datetime.timedelta(days=5 * 365),
            n=n,
        )
        at_risk = add_agreement(
            owner,
            [p["jp"]],
            kind="student_exchange",
            signed=today - datetime.timedelta(days=700),
            expires=today + datetime.timedelta(days=60),
            n=n,
        )
        dormant = add_agreement(owner, [p["cn"]], signed=today - datetime.timedelta(days=3 * 365), expires=None, n=n)
        add_agreement(
            owner,
            [p["fr"]],
            status="expired",
            signed=today - datetime.timedelta(days=6 * 365),
            expires=today - datetime.timedelta(days=365),
            n=n,
        )
        add_agreement(owner, [p["kr"]], status="draft", signed=None, n=n)
        # Commitments: fulfilled, in progress, not started, lapsed.
        kept = Commitment.objects.create(
            agreement=healthy, activity_type=activity, quantity_per_year=2, unit="students"
        )
        Evidence.objects.create(commitment=kept, happened_on=ay, note="two students", quantity=2)
        going = Commitment.objects.create(
            agreement=healthy, activity_type=activity, quantity_per_year=5, unit="students"
        )
        Evidence.objects.create(commitment=going, happened_on=ay, note="one", quantity=1)
        Commitment.objects.create(agreement=at_risk, activity_type=activity, quantity_per_year=3, unit="students")
        old = Commitment.objects.create(agreement=dormant, activity_type=activity, quantity_per_year=1, unit="students")
        Evidence.objects.create(commitment=old, happened_on=today - datetime.timedelta(days=800), note="long ago")
        # Stays: this academic year in and out, one cancelled, one the year before.
        this_year = ay + datetime.timedelta(days=20)
        add_mobility(owner, p["jp"], direction="incoming", start=this_year, allocation=None)
        add_mobility(owner, p["kr"], direction="outgoing", start=this_year, allocation=allocation)
        add_mobility(owner, p["kr"], direction="outgoing", category="lecturer", start=this_year, days=30)
        add_mobility(owner, p["cn"], direction="outgoing", start=this_year, status="cancelled", allocation=allocation)
        add_mobility(owner, p["jp"], direction="incoming", start=ay - datetime.timedelta(days=100), days=200)
        # Engagements: two this year, one cancelled, one the year before; actions open, overdue and done.
        year = today.year
        visit = Engagement.objects.create(
            owner=owner, kind="incoming_delegation", title="Visit", starts_on=datetime.date(year, 3, 2)
        )
        Engagement.objects.create(
            owner=owner,
            kind="conference",
            title="Conference",
            starts_on=datetime.date(year - 1, 12, 30),
            ends_on=datetime.date(year, 1, 2),
        )
        Engagement.objects.create(
            owner=owner, kind="conference", title="Called off", starts_on=datetime.date(year, 5, 5), cancelled=True
        )
        Engagement.objects.create(
            owner=owner, kind="site_visit", title="Last year", starts_on=datetime.date(year - 1, 5, 5)
        )
        FollowUpAction.objects.create(
            owner=owner, engagement=visit, title="Overdue", due_on=today - datetime.timedelta(days=3)
        )
        FollowUpAction.objects.create(owner=owner, title="Later", due_on=today + datetime.timedelta(days=30))
        FollowUpAction.objects.create(
            owner=owner, title="Done", status="done", due_on=today - datetime.timedelta(days=9)
        )


def build_world(tenants, *, scale=1, today=None):
    today = today or timezone.localdate()
    p = partners()
    qn, hlu, qui, hp = tenants["qn"], tenants["hlu"], tenants["qui"], tenants["hp"]
    scheme = FundingScheme.objects.create(
        name="AI talents", kind="quota_plan", owner=qn, funder=p["cn"], unit="people", total=Decimal(20)
    )
    top = Allocation.objects.create(scheme=scheme, recipient=qn, quantity=Decimal(10))
    to_hlu = Allocation.objects.create(scheme=scheme, parent=top, recipient=hlu, quantity=Decimal(4))
    hp_scheme = FundingScheme.objects.create(
        name="Hải Phòng places", kind="quota_plan", owner=hp, funder=p["th"], unit="places", total=Decimal(5)
    )
    hp_allocation = Allocation.objects.create(scheme=hp_scheme, recipient=hp, quantity=Decimal(5))
    build_for(qn, p, today, scale=scale, allocation=top)
    build_for(hlu, p, today, scale=scale, allocation=to_hlu)
    build_for(qui, p, today, scale=scale)
    build_for(hp, p, today, scale=scale, allocation=hp_allocation)
    # hp also works with Thailand, which Quảng Ninh never does.
    add_agreement(
        hp, [p["th"]], signed=today - datetime.timedelta(days=10), expires=today + datetime.timedelta(days=900)
    )
    for owner, start, end in (
        (qn, today - datetime.timedelta(days=300), today + datetime.timedelta(days=300)),
        (hlu, today - datetime.timedelta(days=30), today + datetime.timedelta(days=30)),
        (qui, today - datetime.timedelta(days=900), today - datetime.timedelta(days=400)),  # ended
        (hp, today - datetime.timedelta(days=10), today + datetime.timedelta(days=10)),
    ):
        plan = Plan.objects.create(owner=owner, title=f"Plan of {owner.name}", starts_on=start, ends_on=end)
        for position in range(2 + scale):
            Task.objects.create(
                plan=plan,
                position=position,
                title=f"Task {position}",
                status="done" if position == 0 else "in_progress",
                progress=100 if position == 0 else 40,
                deadline=today - datetime.timedelta(days=1) if position == 1 else None,
            )
        Task.objects.create(plan=plan, position=99, title="Dropped", status="cancelled")
        Indicator.objects.create(
            plan=plan, name="Teachers trained", unit="people", target=Decimal(100), rule="manual", actual_entered=40
        )
        Indicator.objects.create(plan=plan, name="Agreements signed", target=Decimal(10), rule="agreements_signed")
        Indicator.objects.create(plan=plan, name="Students abroad", target=Decimal(10), rule="outgoing_students")
        Indicator.objects.create(
            plan=plan, task=plan.tasks.first(), name="Engagements", target=Decimal(2), rule="engagements_linked"
        )
    return p


# --- the independent recount --------------------------------------------------------------------


def below(org_id: int) -> set[int]:
    homes = list(Organization.objects.filter(is_home=True).values_list("id", "parent_id"))
    found, changed = {org_id}, True
    while changed:
        changed = False
        for pk, parent in homes:
            if parent in found and pk not in found:
                found.add(pk)
                changed = True
    return found


def agreement_state(agreement, last_evidence, today) -> str:
    """Health by the written rule: lapsed, due for renewal, dormant, active, or not in force."""
    if agreement.status == "expired" and not Agreement.objects.filter(predecessor=agreement).exists():
        return "lapsed"
    if agreement.status != "active":
        return "not_in_force"
    if agreement.expires_on and agreement.expires_on < today:
        return "lapsed"
    if agreement.expires_on and agreement.expires_on - datetime.timedelta(days=agreement.renewal_lead_days) <= today:
        return "at_risk"
    started = agreement.effective_on or agreement.signed_on
    dates = [d for d in (last_evidence, started) if d]
    if started and dates and (today - max(dates)).days > 365:
        return "dormant"
    return "active"


def commitment_state(commitment, today) -> str:
    ay_start = academic_year_start(today)
    ay_end = datetime.date(ay_start.year + 1, 8, 31)
    year = academic_year(today)
    evidence = list(commitment.evidence.all())
    stays = [m for m in commitment.mobilities.all() if m.status != "cancelled"]
    if not evidence and not stays:
        return "not_started"
    dates = [e.happened_on for e in evidence] + [min(m.actual_start or m.planned_start, today) for m in stays]
    if (today - max(dates)).days > 365:
        return "lapsed"
    noted = [e for e in evidence if ay_start <= e.happened_on <= ay_end]
    counted = [m for m in stays if m.academic_year == year]
    if commitment.quantity_per_year:
        done = sum((e.quantity or 0 for e in noted), Decimal(0)) or Decimal(len(noted))
        done += sum((m.months for m in counted), Decimal(0)) if commitment.unit == "months" else len(counted)
        return "fulfilled" if done >= commitment.quantity_per_year else "in_progress"
    return "fulfilled" if (noted or counted) else "in_progress"


def expected(org_id: int, today: datetime.date) -> dict:
    return expected_for(below(org_id), today)


def expected_for(owners: set[int], today: datetime.date) -> dict:
    agreements = [a for a in Agreement.objects.prefetch_related("parties__organization") if a.owner_id in owners]
    last = defaultdict(lambda: None)
    for evidence in Evidence.objects.select_related("commitment"):
        key = evidence.commitment.agreement_id
        last[key] = max(d for d in (last[key], evidence.happened_on) if d)
    active = [a for a in agreements if a.status == "active"]
    country_agreements, country_partners = defaultdict(set), defaultdict(set)
    for agreement in active:
        for party in agreement.parties.all():
            if party.organization_id != agreement.owner_id and party.organization.country:
                country_agreements[party.organization.country].add(agreement.pk)
                country_partners[party.organization.country].add(party.organization_id)
    states = Counter(agreement_state(a, last[a.pk], today) for a in agreements)
    commitments = Counter(
        commitment_state(c, today)
        for c in Commitment.objects.filter(agreement_id__in=[a.pk for a in active]).prefetch_related(
            "evidence", "mobilities"
        )
    )
    year = academic_year(today)
    stays = [m for m in Mobility.objects.select_related("partner") if m.owner_id in owners and m.status != "cancelled"]
    flows = defaultdict(lambda: defaultdict(int))
    months = defaultdict(Decimal)
    for m in stays:
        direction = m.direction
        flows["year"][(m.academic_year, direction)] += 1
        if m.academic_year == year:
            flows["country"][(m.partner.country, direction)] += 1
            flows["category"][(m.category, direction)] += 1
            flows["total"][direction] += 1
            months[direction] += m.months
    first, last_day = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    engagements = Counter(
        e.kind
        for e in Engagement.objects.all()
        if e.owner_id in owners and not e.cancelled and e.starts_on <= last_day and (e.ends_on or e.starts_on) >= first
    )
    actions = [a for a in FollowUpAction.objects.all() if a.owner_id in owners]
    plans = {}
    for plan in Plan.objects.prefetch_related("tasks"):
        if plan.owner_id in owners and plan.starts_on <= today <= plan.ends_on:
            live = [t for t in plan.tasks.all() if t.status != "cancelled"]
            plans[plan.pk] = (
                len(live),
                sum(1 for t in live if t.status == "done"),
                sum(1 for t in live if t.status != "done" and t.deadline and t.deadline < today),
            )
    allocations = {a.pk: a.quantity for a in Allocation.objects.all() if a.recipient_id in owners}
    return {
        "owners": owners,
        "active": len(active),
        "by_country": {c: (len(country_agreements[c]), len(country_partners[c])) for c in country_agreements},
        "by_kind": Counter(a.kind for a in active),
        "health": {k: states.get(k, 0) for k in ("at_risk", "dormant", "lapsed")},
        "signed": Counter(
            str(a.signed_on.year) for a in agreements if a.signed_on and a.status not in ("draft", "negotiating")
        ),
        "commitments": commitments,
        "flows": flows,
        "months": months,
        "engagements": engagements,
        "open_actions": sum(1 for a in actions if a.status == "open"),
        "overdue_actions": sum(1 for a in actions if a.status == "open" and a.due_on and a.due_on < today),
        "plans": plans,
        "allocations": allocations,
    }


def assert_matches(board, exp) -> None:
    assert set(board.owners) == exp["owners"]
    assert board.active_agreements.value == exp["active"]
    assert {r.key: (r.agreements, r.partners) for r in board.agreements_by_country} == exp["by_country"]
    assert {f.key: f.value for f in board.agreements_by_kind} == dict(exp["by_kind"])
    assert {f.key: f.value for f in board.agreement_health} == exp["health"]
    assert {f.key: f.value for f in board.agreements_signed_per_year} == dict(exp["signed"])
    assert {f.key: f.value for f in board.commitments if f.value} == dict(exp["commitments"])
    flows = exp["flows"]
    got_country = {}
    for row in board.mobility_by_country:
        got_country.update({(row.key, "incoming"): row.incoming, (row.key, "outgoing"): row.outgoing})
    assert {k: v for k, v in got_country.items() if v} == dict(flows["country"])
    got_category = {}
    for row in board.mobility_by_category:
        got_category.update({(row.key, "incoming"): row.incoming, (row.key, "outgoing"): row.outgoing})
    assert {k: v for k, v in got_category.items() if v} == dict(flows["category"])
    got_year = {}
    for row in board.mobility_per_year:
        got_year.update({(row.key, "incoming"): row.incoming, (row.key, "outgoing"): row.outgoing})
    assert {k: v for k, v in got_year.items() if v} == dict(flows["year"])
    totals = board.mobility_totals
    assert (totals.incoming, totals.outgoing) == (flows["total"]["incoming"], flows["total"]["outgoing"])
    assert totals.balance == flows["total"]["incoming"] - flows["total"]["outgoing"]
    assert totals.incoming_months == exp["months"]["incoming"].quantize(Decimal("0.1"))
    assert totals.outgoing_months == exp["months"]["outgoing"].quantize(Decimal("0.1"))
    assert {f.key: f.value for f in board.engagements_by_kind} == dict(exp["engagements"])
    assert board.engagements_total.value == sum(exp["engagements"].values())
    assert {f.key: f.value for f in board.actions} == {
        "open": exp["open_actions"],
        "overdue": exp["overdue_actions"],
    }
    assert {p.id: (p.tasks, p.done, p.overdue) for p in board.plans} == exp["plans"]
    assert {q.id: q.quantity for q in board.quotas} == exp["allocations"]


def figure_links(content: str) -> list[tuple[str, str, int]]:
    """Every figure on the page that names the number of rows of its list: (name, address, count)."""
    found = []
    for tag in re.findall(r"<a [^>]*class=\"[^\"]*figure-link[^\"]*\"[^>]*>", content):
        href = html.unescape(re.search(r'href="([^"]*)"', tag).group(1))
        name = re.search(r'data-figure="([^"]*)"', tag).group(1)
        count = int(re.search(r'data-count="([^"]*)"', tag).group(1))
        found.append((name, href, count))
    return found


def follow_every_figure(client, content: str) -> int:
    links = figure_links(content)
    assert links
    for name, href, count in links:
        response = client.get(href)
        assert response.status_code == 200, (name, href)
        assert response.context["page_obj"].paginator.count == count, (name, href)
    return len(links)


# --- generated data -----------------------------------------------------------------------------


@pytest.fixture
def world(tenants):
    return build_world(tenants)


def test_every_figure_of_the_consolidated_dashboard_equals_the_recount(world, tenants, users):
    # Given the records of Quảng Ninh DoET, the two universities under it and Hải Phòng DoET
    today = timezone.localdate()

    # When the DoET's dashboard is computed for its admin
    board = figures.dashboard(users["admin"], tenants["qn"], today)

    # Then each figure is what the rows say, and the hand-made records are there
    assert_matches(board, expected(tenants["qn"].pk, today))
    assert board.active_agreements.value == 3 * 3
    assert {f.key: f.value for f in board.agreement_health} == {"at_risk": 3, "dormant": 3, "lapsed": 3}
    assert {f.key: f.value for f in board.commitments} == {
        "not_started": 3,
        "in_progress": 3,
        "fulfilled": 3,
        "lapsed": 3,
    }
    assert (board.mobility_totals.incoming, board.mobility_totals.outgoing) == (3, 6)
    assert "TH" not in {r.key for r in board.agreements_by_country}
    assert {f.key: f.value for f in board.actions} == {"open": 6, "overdue": 3}
    assert len(board.plans) == 2  # QUI's plan has ended


def test_consolidation_sums_exactly_the_organisations_below(world, tenants, users, make_user):
    # Given the dashboards of HLU, QUI and Hải Phòng seen by their own editors, and the DoET's own records
    today = timezone.localdate()
    own = {
        key: figures.dashboard(make_user("editor", org=key, username=f"own-{key}"), tenants[key], today)
        for key in ("hlu", "qui", "hp")
    }
    qn_own = expected_for({tenants["qn"].pk}, today)

    # When the DoET's consolidated dashboard is computed
    qn = figures.dashboard(users["admin"], tenants["qn"], today)

    # Then each figure is the DoET's own plus HLU's plus QUI's, and Hải Phòng is never counted
    hlu, qui, hp = own["hlu"], own["qui"], own["hp"]
    assert_matches(hlu, expected(tenants["hlu"].pk, today))
    assert_matches(qui, expected(tenants["qui"].pk, today))
    assert set(qn.owners) == {tenants["qn"].pk, tenants["hlu"].pk, tenants["qui"].pk}
    assert qn.active_agreements.value == qn_own["active"] + hlu.active_agreements.value + qui.active_agreements.value
    for index, figure in enumerate(qn.agreement_health):
        assert figure.value == (
            qn_own["health"][figure.key] + hlu.agreement_health[index].value + qui.agreement_health[index].value
        )
    by_kind = Counter(qn_own["by_kind"])
    for board in (hlu, qui):
        by_kind.update({f.key: f.value for f in board.agreements_by_kind})
    assert {f.key: f.value for f in qn.agreements_by_kind} == dict(by_kind)
    for direction in ("incoming", "outgoing"):
        assert getattr(qn.mobility_totals, direction) == (
            qn_own["flows"]["total"][direction]
            + getattr(hlu.mobility_totals, direction)
            + getattr(qui.mobility_totals, direction)
        )
    assert qn.engagements_total.value == (
        sum(qn_own["engagements"].values()) + hlu.engagements_total.value + qui.engagements_total.value
    )
    assert qn.actions[0].value == qn_own["open_actions"] + hlu.actions[0].value + qui.actions[0].value
    assert qn.actions[1].value == qn_own["overdue_actions"] + hlu.actions[1].value + qui.actions[1].value
    assert {p.id for p in qn.plans} == set(qn_own["plans"]) | {p.id for p in hlu.plans} | {p.id for p in qui.plans}
    assert {q.id for q in qn.quotas} == set(qn_own["allocations"]) | {q.id for q in hlu.quotas}
    # Hải Phòng's records stay out: its Thai partner, its quota, its plan
    assert "TH" not in {r.key for r in qn.agreements_by_country}
    assert "TH" in {r.key for r in hp.agreements_by_country}
    assert not {q.id for q in hp.quotas} & {q.id for q in qn.quotas}
    assert not {p.id for p in hp.plans} & {p.id for p in qn.plans}
    assert hp.active_agreements.value == 4


def test_each_figure_opens_the_list_of_exactly_its_rows(world, tenants, users, client):
    # Given the admin of Quảng Ninh DoET on the consolidated dashboard
    client.force_login(users["admin"])
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()

    # When they follow each figure, the list shows as many rows as the figure said
    followed = follow_every_figure(client, content)
    assert followed >= 20
    # And a figure shown for one university under it links to that university's rows
    response = client.get(URL, {"organization": tenants["hlu"].pk})
    assert follow_every_figure(client, response.content.decode()) >= 15


def test_the_page_shows_the_figures_and_their_tables(world, tenants, users, client):
    client.force_login(users["viewer"])
    response = client.get(URL)
    content = response.content.decode()
    board = response.context["board"]
    assert response.context["organization"] == tenants["qn"]
    assert 'id="partner-map"' in content and 'id="chart-signed"' in content and 'id="chart-mobility"' in content
    assert 'id="chart-quotas"' in content
    # The accessible tables carry the same numbers as the charts.
    for year in board.agreements_signed_per_year:
        assert f'<th scope="row" class="fw-normal">{year.label}</th><td class="text-end">{year.value}</td>' in content
    charts = response.context["charts"]
    assert charts["mobility"]["incoming"] == [r.incoming for r in board.mobility_per_year]
    assert charts["map"]["partners"]["392"] == 1  # Japan: the one Japanese partner organisation
    assert charts["map"]["agreements"]["392"] == 6  # in the healthy and the at-risk agreement of each
    assert charts["map"]["names"]["704"]
    # The organisation select offers the DoET and the universities under it, never Hải Phòng
    choices = {o.pk for o in response.context["choices"]}
    assert choices == {tenants["qn"].pk, tenants["hlu"].pk, tenants["qui"].pk}


def test_dashboard_speaks_the_users_language(world, tenants, make_user, client):
    user = make_user("viewer", username="vi-viewer", language="vi")
    client.force_login(user)
    response = client.get(URL)
    content = response.content.decode()
    charts = response.context["charts"]
    assert "Nhật" in content  # Japan, named by pycountry in Vietnamese
    assert charts["map"]["names"]["392"] == "Nhật"
    # The labels that have their Vietnamese translation are shown in it
    with translation.override("vi"):
        mou = str(AgreementKind.MOU.label)
    assert mou != "Memorandum of understanding"
    assert mou in {f.label for f in response.context["board"].agreements_by_kind}
    assert '<html lang="vi">' in content


def test_api_returns_the_same_figures(world, tenants, users, client):
    client.force_login(users["viewer"])
    page = client.get(URL).context["board"]
    data = client.get(API).json()
    assert data["organization_id"] == tenants["qn"].pk
    assert data["active_agreements"]["value"] == page.active_agreements.value
    assert {r["key"]: r["agreements"] for r in data["agreements_by_country"]} == {
        r.key: r.agreements for r in page.agreements_by_country
    }
    assert data["mobility_totals"]["incoming"] == page.mobility_totals.incoming
    assert data["mobility_totals"]["balance"] == page.mobility_totals.balance
    assert {f["key"]: f["value"] for f in data["agreement_health"]} == {f.key: f.value for f in page.agreement_health}
    assert len(data["plans"]) == len(page.plans)
    assert [Decimal(q["quantity"]) for q in data["quotas"]] == [q.quantity for q in page.quotas]
    hlu = client.get(API, {"organization": tenants["hlu"].pk}).json()
    assert hlu["owners"] == [tenants["hlu"].pk]


def test_api_is_in_the_openapi_schema(client, users):
    client.force_login(users["viewer"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/reports/dashboard/"]["get"]
    assert any(p["name"] == "organization" for p in operation["parameters"])
    assert "active_agreements" in schema["components"]["schemas"]["Dashboard"]["properties"]


@pytest.mark.parametrize("value", ["abc", "-3", "0", "99999", "1.5"])
def test_bad_organization_parameter_is_a_404(value, users, client):
    client.force_login(users["admin"])
    assert client.get(URL, {"organization": value}).status_code == 404
    assert client.get(API, {"organization": value}).status_code == 404


# --- demo data ----------------------------------------------------------------------------------


def load_demo_data():
    from accord.agreements.demo import load_demo_agreements
    from accord.engagements.demo import load_demo_engagements
    from accord.funding.demo import load_demo_funding
    from accord.mobility.demo import load_demo_mobility
    from accord.partners.demo import load_demo

    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)
    load_demo_funding(acting_user=admin, stdout=None)
    load_demo_mobility(acting_user=admin, stdout=None)
    try:
        from accord.plans.demo import load_demo_plans
    except ImportError:  # the plans demo comes with the plans area
        return
    load_demo_plans(acting_user=admin, stdout=None)


@pytest.mark.parametrize("username", ["qn-editor", "hlu-editor", "hp-manager"])
def test_demo_dashboards_equal_the_recount(username, client):
    # Given the demo data
    load_demo_data()
    user = User.objects.get(username=username)
    today = timezone.localdate()

    # When the user's dashboard is computed
    board = figures.dashboard(user, user.home_organization, today)

    # Then every figure is what the rows say, and the links open lists of as many rows
    assert_matches(board, expected(user.home_organization_id, today))
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    follow_every_figure(client, response.content.decode())


def test_demo_quang_ninh_dashboard_shows_real_figures():
    load_demo_data()
    user = User.objects.get(username="qn-editor")
    board = figures.dashboard(user, user.home_organization)
    assert len(board.owners) >= 3  # the DoET, HLU and QUI
    assert board.active_agreements.value > 0
    assert board.agreements_by_country
    assert board.quotas
    assert board.mobility_per_year
