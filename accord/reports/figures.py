"""The dashboard's figures: one organisation, or consolidated over the organisations below it.

Every figure counts the records the reader may see that are kept by the organisations of
``owners(user, organization)`` and, where a list can show them, carries the address of that
list filtered with ``within=<organisation>`` and its own parameters, so that following a
figure shows exactly the rows it counts. Each part is read in a fixed number of grouped
queries, whatever the number of records.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import pycountry
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core.tenancy import VIEW
from accord.partners import geo
from accord.reports.scope import owners as consolidated_owners

MONTHS = Decimal("0.1")


def list_url(name: str, organization_id: int, **params) -> str:
    """The address of a list filtered to the records kept by ``organization_id`` or under it."""
    query = {"within": organization_id}
    query.update({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse(name)}?{urlencode(query)}"


def _url_or_none(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def country_numeric(code: str) -> str:
    """ISO 3166-1 numeric code of a country (the id world-atlas gives each country), or ``""``."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.numeric if country is not None else ""


@dataclass
class Figure:
    """A number and the list it counts (``url`` is None when no list can show those rows)."""

    key: str
    label: str
    value: int | Decimal
    url: str | None = None


@dataclass
class CountryRow:
    key: str  # ISO 3166-1 alpha-2
    numeric: str  # ISO 3166-1 numeric, as in world-atlas
    label: str
    agreements: int
    partners: int
    url: str


@dataclass
class FlowRow:
    """Incoming and outgoing people and months for one country, category or academic year."""

    key: str
    label: str
    incoming: int = 0
    outgoing: int = 0
    incoming_months: Decimal = Decimal(0)
    outgoing_months: Decimal = Decimal(0)
    incoming_url: str | None = None
    outgoing_url: str | None = None

    @property
    def balance(self) -> int:
        return self.incoming - self.outgoing

    @property
    def months_balance(self) -> Decimal:
        return self.incoming_months - self.outgoing_months


@dataclass
class QuotaRow:
    id: int
    scheme: str
    recipient: str
    unit: str
    unit_label: str
    period: str
    quantity: Decimal
    passed_on: Decimal  # given to allocations under it
    used_here: Decimal  # used by its own mobilities, selected applicants and trainees
    used: Decimal  # used here and under it
    remaining: Decimal
    percent: int
    exceeded: bool
    url: str | None


@dataclass
class IndicatorRow:
    id: int
    name: str
    unit: str
    target: Decimal
    actual: Decimal | None
    computed: bool
    percent: int | None


@dataclass
class PlanRow:
    id: int
    number: str
    title: str
    owner: str
    starts_on: datetime.date
    ends_on: datetime.date
    tasks: int
    done: int
    overdue: int
    mean_progress: int
    url: str | None
    indicators: list[IndicatorRow] = field(default_factory=list)


@dataclass
class Dashboard:
    organization_id: int
    organization: str
    owners: list[int]
    today: datetime.date
    academic_year: str
    year: int
    active_agreements: Figure
    agreements_by_country: list[CountryRow]
    agreements_by_kind: list[Figure]
    agreement_health: list[Figure]
    agreements_signed_per_year: list[Figure]
    commitments: list[Figure]
    mobility_by_country: list[FlowRow]
    mobility_by_category: list[FlowRow]
    mobility_totals: FlowRow
    mobility_per_year: list[FlowRow]
    quotas: list[QuotaRow]
    engagements_by_kind: list[Figure]
    engagements_total: Figure
    actions: list[Figure]
    plans: list[PlanRow]

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("mobility_by_country", "mobility_by_category", "mobility_per_year"):
            for row, obj in zip(data[name], getattr(self, name), strict=True):
                row["balance"] = obj.balance
                row["months_balance"] = obj.months_balance
        data["mobility_totals"]["balance"] = self.mobility_totals.balance
        data["mobility_totals"]["months_balance"] = self.mobility_totals.months_balance
        return data


# --- agreements ---------------------------------------------------------------------------------


def _agreements(user, owner_ids):
    from accord.agreements.models import Agreement

    return Agreement.objects.restrict(user, VIEW).filter(owner_id__in=owner_ids)


def agreement_figures(user, org_id: int, owner_ids, today: datetime.date) -> dict:
    from accord.agreements import selectors
    from accord.agreements.choices import AgreementHealth, AgreementKind, AgreementStatus
    from accord.agreements.models import AgreementParty
    from accord.agreements.selectors import health_q

    base = _agreements(user, owner_ids)
    active = base.filter(status=AgreementStatus.ACTIVE)
    list_name = "agreements:agreement_list"

    # Partner country: any party but the organisation keeping the agreement.
    by_country = []
    grouped = (
        AgreementParty.objects.filter(agreement__in=active.values("pk"))
        .exclude(organization_id=F("agreement__owner_id"))
        .exclude(organization__country="")
        .values("organization__country")
        .annotate(agreements=Count("agreement_id", distinct=True), partners=Count("organization_id", distinct=True))
        .order_by()
    )
    for row in grouped:
        code = row["organization__country"]
        by_country.append(
            CountryRow(
                code,
                country_numeric(code),
                geo.country_name(code),
                row["agreements"],
                row["partners"],
                list_url(list_name, org_id, status=AgreementStatus.ACTIVE, country=code),
            )
        )
    by_country.sort(key=lambda r: (-r.agreements, r.label.casefold()))

    kinds = dict(AgreementKind.choices)
    by_kind = [
        Figure(
            row["kind"],
            str(kinds.get(row["kind"], row["kind"])),
            row["n"],
            list_url(list_name, org_id, status=AgreementStatus.ACTIVE, kind=row["kind"]),
        )
        for row in active.values("kind").annotate(n=Count("id", distinct=True)).order_by()
    ]
    by_kind.sort(key=lambda f: (-f.value, f.label.casefold()))

    # One pass: each agreement's latest note of evidence is a subquery, the three counts are filtered.
    last_evidence = selectors.last_evidence()
    shown = (AgreementHealth.AT_RISK, AgreementHealth.DORMANT, AgreementHealth.LAPSED)
    counted = base.annotate(last_evidence=last_evidence).aggregate(
        **{str(value): Count("id", filter=health_q(value, today)) for value in shown}
    )
    health = [
        Figure(
            str(value),
            str(AgreementHealth(value).label),
            counted[str(value)],
            list_url(list_name, org_id, health=value),
        )
        for value in shown
    ]

    signed = (
        base.filter(signed_on__isnull=False)
        .exclude(status__in=[AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING])
        .annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(n=Count("id", distinct=True))
        .order_by("year")
    )
    per_year = [Figure(str(row["year"]), str(row["year"]), row["n"]) for row in signed]

    return {
        "active_agreements": Figure(
            str(AgreementStatus.ACTIVE),
            _("Active agreements"),
            active.count(),
            list_url(list_name, org_id, status=AgreementStatus.ACTIVE),
        ),
        "agreements_by_country": by_country,
        "agreements_by_kind": by_kind,
        "agreement_health": health,
        "agreements_signed_per_year": per_year,
        "commitments": commitment_figures(active, org_id, today),
    }


def commitment_figures(active, org_id: int, today: datetime.date) -> list[Figure]:
    """The commitments of the active agreements, by how far they are kept this academic year."""
    from accord.agreements.choices import AgreementStatus, Fulfilment
    from accord.agreements.models import Commitment
    from accord.agreements.selectors import fulfilment_counts

    counts = fulfilment_counts(Commitment.objects.filter(agreement__in=active.values("pk")), today)
    # The agreements holding them: commitments have no list of their own.
    url = list_url("agreements:agreement_list", org_id, status=AgreementStatus.ACTIVE)
    return [Figure(str(value), str(label), counts.get(value, 0), url) for value, label in Fulfilment.choices]


# --- mobility -----------------------------------------------------------------------------------


def _months(value) -> Decimal:
    # SQLite sums decimals as floats; months are kept to one decimal.
    return Decimal(str(value or 0)).quantize(MONTHS)


def mobility_figures(user, org_id: int, owner_ids, today: datetime.date) -> dict:
    from accord.agreements.selectors import academic_year_of
    from accord.mobility.models import Category, Direction, Mobility, MobilityStatus

    year = academic_year_of(today)
    counted = (
        Mobility.objects.restrict(user, VIEW).filter(owner_id__in=owner_ids).exclude(status=MobilityStatus.CANCELLED)
    )
    list_name = "mobility:mobility_list"

    def link(direction, **params):
        return list_url(list_name, org_id, direction=direction, cancelled="false", **params)

    def add(row: FlowRow, item) -> None:
        if item["direction"] == Direction.INCOMING:
            row.incoming += item["people"]
            row.incoming_months += _months(item["months"])
        else:
            row.outgoing += item["people"]
            row.outgoing_months += _months(item["months"])

    this_year = (
        counted.filter(academic_year=year)
        .values("direction", "category", "partner__country")
        .annotate(people=Count("id"), months=Sum("months"))
        .order_by()
    )
    countries: dict[str, FlowRow] = {}
    categories: dict[str, FlowRow] = {}
    totals = FlowRow("", _("Total"))
    category_labels = dict(Category.choices)
    for item in this_year:
        code = item["partner__country"] or ""
        if code not in countries:
            countries[code] = FlowRow(
                code,
                geo.country_name(code) if code else _("Country not recorded"),
                incoming_url=link(Direction.INCOMING, academic_year=year, country=code) if code else None,
                outgoing_url=link(Direction.OUTGOING, academic_year=year, country=code) if code else None,
            )
        category = item["category"]
        if category not in categories:
            categories[category] = FlowRow(
                category,
                str(category_labels.get(category, category)),
                incoming_url=link(Direction.INCOMING, academic_year=year, category=category),
                outgoing_url=link(Direction.OUTGOING, academic_year=year, category=category),
            )
        add(countries[code], item)
        add(categories[category], item)
        add(totals, item)
    totals.incoming_url = link(Direction.INCOMING, academic_year=year)
    totals.outgoing_url = link(Direction.OUTGOING, academic_year=year)

    per_year: dict[str, FlowRow] = {}
    for item in (
        counted.values("direction", "academic_year").annotate(people=Count("id"), months=Sum("months")).order_by()
    ):
        key = item["academic_year"]
        if key not in per_year:
            per_year[key] = FlowRow(
                key,
                key,
                incoming_url=link(Direction.INCOMING, academic_year=key),
                outgoing_url=link(Direction.OUTGOING, academic_year=key),
            )
        add(per_year[key], item)

    return {
        "academic_year": year,
        "mobility_by_country": sorted(
            countries.values(), key=lambda r: (not r.key, -(r.incoming + r.outgoing), r.label.casefold())
        ),
        "mobility_by_category": sorted(categories.values(), key=lambda r: (-(r.incoming + r.outgoing), r.label)),
        "mobility_totals": totals,
        "mobility_per_year": [per_year[k] for k in sorted(per_year)],
    }


# --- quotas -------------------------------------------------------------------------------------


def quota_figures(user, owner_ids) -> list[QuotaRow]:
    """The allocations the organisations received, with what is used and what remains."""
    from accord.funding.models import AllocationUnit
    from accord.funding.selectors import allocation_list, usage_for

    allocations = list(allocation_list(user=user).filter(recipient_id__in=owner_ids).order_by("scheme__name", "id"))
    usage = usage_for(allocations)
    units = dict(AllocationUnit.choices)
    rows = []
    for allocation in allocations:
        use = usage[allocation.pk]
        unit = allocation.scheme.unit
        rows.append(
            QuotaRow(
                allocation.pk,
                allocation.scheme.name,
                allocation.recipient.name,
                unit,
                str(units.get(unit, unit)),
                allocation.period,
                use.quantity,
                use.passed_on,
                use.used_here,
                use.used,
                use.remaining,
                use.percent,
                use.exceeded,
                _url_or_none("funding:scheme_detail", allocation.scheme_id),
            )
        )
    return rows


# --- engagements and actions --------------------------------------------------------------------


def engagement_figures(user, org_id: int, owner_ids, today: datetime.date) -> dict:
    """Engagements of this calendar year (any day of it), not cancelled, by kind; open and overdue actions."""
    from accord.engagements.models import ActionStatus, Engagement, EngagementKind, FollowUpAction
    from accord.engagements.selectors import overdue_q

    first, last = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    this_year = (
        Engagement.objects.restrict(user, VIEW)
        .filter(owner_id__in=owner_ids, cancelled=False, starts_on__lte=last)
        .filter(Q(ends_on__gte=first) | Q(ends_on__isnull=True, starts_on__gte=first))
    )
    list_name = "engagements:engagement_list"
    dates = {"date_from": first.isoformat(), "date_to": last.isoformat(), "cancelled": "false"}
    kinds = dict(EngagementKind.choices)
    by_kind = [
        Figure(
            row["kind"],
            str(kinds.get(row["kind"], row["kind"])),
            row["n"],
            list_url(list_name, org_id, **dates, kind=row["kind"]),
        )
        for row in this_year.values("kind").annotate(n=Count("id", distinct=True)).order_by()
    ]
    by_kind.sort(key=lambda f: (-f.value, f.label.casefold()))
    total = Figure(
        "total", _("Engagements this year"), sum(f.value for f in by_kind), list_url(list_name, org_id, **dates)
    )

    actions = FollowUpAction.objects.restrict(user, VIEW).filter(owner_id__in=owner_ids)
    counts = actions.aggregate(
        open=Count("id", filter=Q(status=ActionStatus.OPEN), distinct=True),
        overdue=Count("id", filter=overdue_q(today), distinct=True),
    )
    action_list = "engagements:action_list"
    return {
        "engagements_by_kind": by_kind,
        "engagements_total": total,
        "actions": [
            Figure("open", _("Open actions"), counts["open"], list_url(action_list, org_id, status=ActionStatus.OPEN)),
            Figure("overdue", _("Overdue actions"), counts["overdue"], list_url(action_list, org_id, overdue="true")),
        ],
    }


# --- plans --------------------------------------------------------------------------------------


def plan_figures(user, owner_ids, today: datetime.date) -> list[PlanRow]:
    """The plans of the organisations whose period covers today, with their progress and indicators."""
    from accord.plans.models import Indicator, Plan, Task
    from accord.plans.selectors import actuals, plan_progress

    plans = list(
        Plan.objects.restrict(user, VIEW)
        .filter(owner_id__in=owner_ids, starts_on__lte=today, ends_on__gte=today)
        .select_related("owner")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.order_by("position", "id")),
            Prefetch("indicators", queryset=Indicator.objects.select_related("plan").order_by("position", "id")),
        )
        .order_by("starts_on", "id")
    )
    indicators = [i for plan in plans for i in plan.indicators.all()]
    found = actuals(indicators)
    rows = []
    for plan in plans:
        progress = plan_progress(plan, plan.tasks.all(), today)
        rows.append(
            PlanRow(
                plan.pk,
                plan.number,
                plan.title,
                plan.owner.name,
                plan.starts_on,
                plan.ends_on,
                progress.tasks,
                progress.done,
                progress.overdue,
                progress.mean_progress,
                _url_or_none("plans:plan_detail", plan.pk),
                [
                    IndicatorRow(
                        i.pk,
                        i.name,
                        i.unit,
                        i.target,
                        found[i.pk].value,
                        found[i.pk].computed,
                        found[i.pk].percent_of(i.target),
                    )
                    for i in plan.indicators.all()
                ],
            )
        )
    return rows


# --- the dashboard ------------------------------------------------------------------------------


def dashboard(user, organization, today: datetime.date | None = None) -> Dashboard:
    """Every figure of the dashboard of ``organization`` (consolidated over those below it)."""
    today = today or timezone.localdate()
    owner_ids = sorted(consolidated_owners(user, organization))
    org_id = organization.pk
    return Dashboard(
        organization_id=org_id,
        organization=organization.name,
        owners=owner_ids,
        today=today,
        year=today.year,
        **agreement_figures(user, org_id, owner_ids, today),
        **mobility_figures(user, org_id, owner_ids, today),
        quotas=quota_figures(user, owner_ids),
        **engagement_figures(user, org_id, owner_ids, today),
        plans=plan_figures(user, owner_ids, today),
    )


def _shorten(text: str, length: int = 48) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def map_names() -> dict[str, str]:
    """Every country's name in the UI language, by ISO 3166-1 numeric code (the map's tooltips)."""
    return {c.numeric: geo.country_name(c.alpha_2) for c in pycountry.countries}


def chart_data(board: Dashboard) -> dict:
    """What the charts draw, labelled in the UI language (read by static/reports/dashboard.js)."""
    partners_by_numeric = defaultdict(int)
    agreements_by_numeric = defaultdict(int)
    for row in board.agreements_by_country:
        if row.numeric:
            partners_by_numeric[row.numeric] += row.partners
            agreements_by_numeric[row.numeric] += row.agreements
    return {
        "map": {
            "partners": dict(partners_by_numeric),
            "agreements": dict(agreements_by_numeric),
            "names": map_names(),
            "label": _("Active partner organisations"),
            "agreementsLabel": _("Active agreements"),
        },
        "signed": {
            "labels": [f.label for f in board.agreements_signed_per_year],
            "values": [f.value for f in board.agreements_signed_per_year],
            "label": _("Agreements signed"),
        },
        "mobility": {
            "labels": [r.label for r in board.mobility_per_year],
            "incoming": [r.incoming for r in board.mobility_per_year],
            "outgoing": [r.outgoing for r in board.mobility_per_year],
            "incomingLabel": _("Incoming"),
            "outgoingLabel": _("Outgoing"),
        },
        "quotas": {
            # Two lines per bar: the scheme (shortened) and who received it.
            "labels": [[_shorten(q.scheme), q.recipient] for q in board.quotas],
            "used": [float(q.used_here + q.passed_on) for q in board.quotas],
            "remaining": [float(max(q.remaining, Decimal(0))) for q in board.quotas],
            "usedLabel": _("Used or passed on"),
            "remainingLabel": _("Remaining"),
        },
    }
