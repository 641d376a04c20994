"""The annual international cooperation report of a home organisation, consolidated over those under it.

The report covers one calendar year and is computed in a fixed number of queries per section,
whatever the number of records. Each section is a function ``section_<key>(ctx)`` returning a
:class:`Section`: tables of typed values (numbers stay numbers, dates stay dates) that the
workbook, the printable page and the API all render, the figures that sum it up, and the
sources cited on the records it counts.

What each section counts:

- partners: organisations (other than the ones reported on) that were party to an agreement in
  force in the year, took part in an engagement held in the year, were the other side of a stay
  starting in the year, or were partners of a project running in the year; by country;
- agreements: the events of the year on the agreements kept: signed, renewed (by hand or
  automatically), expired, terminated;
- engagements: those starting in the year and not cancelled, by kind (delegations received and
  sent first), with their heads of delegation, the agreements signed there and the follow-up
  actions agreed;
- mobility: stays starting in the year (actual start, else planned), not cancelled, incoming and
  outgoing, by the partner's country, by category and by programme; numbers only, no names;
- projects: running or completed projects whose dates overlap the year (no date: always);
  budgets per currency;
- quotas: allocations received from outside the organisations reported on, whose period (or the
  scheme's dates) covers the year, with what is used of them (``funding.selectors.usage_for``);
- plans: plans whose period overlaps the year, their tasks, and their indicators with the actual
  (``plans.selectors.actuals``).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accord.reports.scope import owners as scope_owners

SECTION_KEYS = ("partners", "agreements", "engagements", "mobility", "projects", "quotas", "plans")

TEXT, INT, DECIMAL, DATE, PERCENT = "text", "int", "decimal", "date", "percent"


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None


@dataclass
class SourceRef:
    id: int
    title: str
    kind: str
    publisher: str
    published_on: datetime.date | None
    url: str
    cited: int


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    sources: list[SourceRef] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    organization_id: int
    organization: str
    owners: list[str]
    year: int
    language: str
    generated_at: datetime.datetime
    title: str
    sections: list[Section]


@dataclass
class Context:
    user: Any
    organization: Any
    owners: frozenset[int]
    year: int
    language: str

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


# ---------------------------------------------------------------------------------------------
# Which years a report can be asked for


def earliest_year(owner_ids) -> int | None:
    """The year of the earliest record kept by these organisations, or None without any."""
    from accord.agreements.models import Agreement, AgreementEvent
    from accord.engagements.models import Engagement
    from accord.funding.models import Project
    from accord.mobility.models import Mobility
    from accord.plans.models import Plan

    owner_ids = list(owner_ids)
    found = [
        Agreement.objects.filter(owner_id__in=owner_ids).aggregate(d=Min("signed_on"))["d"],
        AgreementEvent.objects.filter(agreement__owner_id__in=owner_ids).aggregate(d=Min("date"))["d"],
        Engagement.objects.filter(owner_id__in=owner_ids).aggregate(d=Min("starts_on"))["d"],
        Mobility.objects.filter(owner_id__in=owner_ids).aggregate(d=Min("planned_start"))["d"],
        Project.objects.filter(owner_id__in=owner_ids).aggregate(d=Min("starts_on"))["d"],
        Plan.objects.filter(owner_id__in=owner_ids).aggregate(d=Min("starts_on"))["d"],
    ]
    years = [d.year for d in found if d is not None]
    return min(years) if years else None


def year_error(owner_ids, year: int) -> str | None:
    """Why a report for ``year`` cannot be made (outside the data), or None."""
    this_year = timezone.localdate().year
    if year > this_year:
        return _("The year %(year)s has not begun; choose %(last)s or earlier.") % {"year": year, "last": this_year}
    first = earliest_year(owner_ids)
    if first is None:
        if year != this_year:
            return _("There are no records yet; only a report for %(year)s can be made.") % {"year": this_year}
        return None
    if year < first:
        return _("The earliest record is from %(first)s; choose a year from %(first)s to %(last)s.") % {
            "first": first,
            "last": this_year,
        }
    return None


# ---------------------------------------------------------------------------------------------
# Helpers


def _org_labels(ids) -> dict[int, tuple[str, str]]:
    """Name (in the report's language, as ``Organization.label``) and country of each organisation.

    Read as plain rows, in batches (a ministry's report names tens of thousands of partners; SQLite
    takes at most 32,766 parameters in a statement): two queries per batch.
    """
    from django.utils.translation import get_language

    from accord.partners.models import NameKind, Organization, OrganizationName

    ids = sorted({i for i in ids if i})
    language = (get_language() or "en").split("-")[0]
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), LABEL_BATCH):
        batch = ids[start : start + LABEL_BATCH]
        translated: dict[int, dict[str, str]] = defaultdict(dict)
        for org_id, kind, name, name_language in (
            OrganizationName.objects.filter(organization_id__in=batch, kind__in=[NameKind.OFFICIAL, NameKind.SHORT])
            .order_by("id")
            .values_list("organization_id", "kind", "name", "language")
        ):
            if name_language.split("-")[0] == language:
                translated[org_id].setdefault(kind, name)
        for org_id, name, name_language, country in Organization.objects.filter(pk__in=batch).values_list(
            "pk", "name", "name_language", "country"
        ):
            names = translated.get(org_id, {})
            if name_language.split("-")[0] != language:
                name = names.get(NameKind.OFFICIAL) or names.get(NameKind.SHORT) or name
            found[org_id] = (name, country)
    return found


LABEL_BATCH = 5000


def _country(code: str) -> str:
    from accord.partners import geo

    return geo.country_name(code) if code else _("Country not known")


CITED_IN_LIST = 2000  # records of a kind asked for by id; more: every citation of the kind, filtered here


def _cited(ctx: Context, records: list[tuple[type, set[int]]], extra_source_ids=()) -> list[SourceRef]:
    """The sources the user may see that are cited on these records (one query), plus ``extra_source_ids``."""
    from django.contrib.contenttypes.models import ContentType

    from accord.sources.models import Citation, Source

    condition = Q(pk__in=[])
    types = ContentType.objects.get_for_models(*[model for model, _ids in records]) if records else {}
    wanted: dict[int, set[int]] = {}
    for model, ids in records:
        if not ids:
            continue
        type_id = types[model].pk
        wanted[type_id] = set(ids)
        if len(ids) > CITED_IN_LIST:
            # A ministry's tens of thousands of records: every citation of the kind, kept below
            # (an IN list that long is slow, and past SQLite's 32,766 parameters, refused).
            condition |= Q(content_type_id=type_id)
        else:
            condition |= Q(content_type_id=type_id, object_id__in=sorted(ids))
    counts: Counter[int] = Counter()
    sources: dict[int, Any] = {}
    for citation in Citation.objects.restrict(ctx.user).filter(condition).select_related("source"):
        if citation.object_id not in wanted.get(citation.content_type_id, ()):
            continue
        counts[citation.source_id] += 1
        sources[citation.source_id] = citation.source
    extra = {pk for pk in extra_source_ids if pk}
    if extra - set(sources):
        for source in Source.objects.restrict(ctx.user).filter(pk__in=extra - set(sources)):
            sources[source.pk] = source
    for pk in extra:
        if pk in sources:
            counts[pk] += 1
    refs = [
        SourceRef(
            id=s.pk,
            title=s.title,
            kind=s.get_kind_display(),
            publisher=s.publisher,
            published_on=s.published_on,
            url=s.url,
            cited=counts[s.pk],
        )
        for s in sources.values()
    ]
    refs.sort(key=lambda r: (r.published_on or datetime.date.min, r.title, r.id))
    return refs


def _overlaps(start_field: str, end_field: str, ctx: Context) -> Q:
    return (Q(**{f"{start_field}__isnull": True}) | Q(**{f"{start_field}__lte": ctx.end})) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": ctx.start})
    )


def agreements_in_force(ctx: Context):
    from accord.agreements.choices import AgreementStatus
    from accord.agreements.models import Agreement

    return (
        Agreement.objects.filter(owner_id__in=ctx.owners, signed_on__lte=ctx.end)
        .exclude(status__in=[AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING])
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=ctx.start))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=ctx.start))
    )


def engagements_of_year(ctx: Context):
    from accord.engagements.models import Engagement

    return Engagement.objects.filter(
        owner_id__in=ctx.owners, cancelled=False, starts_on__gte=ctx.start, starts_on__lte=ctx.end
    )


def mobilities_of_year(ctx: Context):
    from accord.mobility.models import Mobility, MobilityStatus

    return (
        Mobility.objects.filter(owner_id__in=ctx.owners)
        .exclude(status=MobilityStatus.CANCELLED)
        # Started in the year (the actual start, else the planned one), written so that the index
        # on (actual_start, planned_start) answers it: no mobility of other years is read.
        .filter(
            Q(actual_start__range=(ctx.start, ctx.end))
            | Q(actual_start__isnull=True, planned_start__range=(ctx.start, ctx.end))
        )
    )


def projects_of_year(ctx: Context):
    from accord.funding.models import Project, ProjectStatus

    return Project.objects.filter(
        owner_id__in=ctx.owners, status__in=[ProjectStatus.RUNNING, ProjectStatus.COMPLETED]
    ).filter(_overlaps("starts_on", "ends_on", ctx))


YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _period_covers(period: str, scheme_start, scheme_end, ctx: Context) -> bool:
    """Whether an allocation's period (such as 2025/2026 or 2025–2030), else its scheme's dates, covers the year."""
    years = [int(y) for y in YEAR.findall(period or "")]
    if years:
        return min(years) <= ctx.year <= max(years)
    return (scheme_start is None or scheme_start <= ctx.end) and (scheme_end is None or scheme_end >= ctx.start)


def _total_row(label: str, rows: list[list[Any]], numeric_from: int) -> list[Any]:
    width = len(rows[0]) if rows else numeric_from
    totals: list[Any] = [label] + [None] * (numeric_from - 1)
    for index in range(numeric_from, width):
        values = [r[index] for r in rows if isinstance(r[index], int | Decimal)]
        totals.append(sum(values) if values else None)
    return totals


# ---------------------------------------------------------------------------------------------
# Sections


def section_partners(ctx: Context) -> Section:
    from accord.agreements.models import AgreementParty
    from accord.engagements.models import EngagementOrganization
    from accord.funding.models import ProjectPartner
    from accord.partners.models import Organization

    # Counted per partner by the database, the records of the year given as subqueries.
    per: dict[int, Counter] = defaultdict(Counter)
    for key, rows in (
        ("agreements", AgreementParty.objects.filter(agreement__in=agreements_in_force(ctx).values("pk"))),
        ("engagements", EngagementOrganization.objects.filter(engagement__in=engagements_of_year(ctx).values("pk"))),
        ("projects", ProjectPartner.objects.filter(project__in=projects_of_year(ctx).values("pk"))),
    ):
        for org_id, n in rows.values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"):
            per[org_id][key] += n
    for org_id, n in (
        mobilities_of_year(ctx).values("partner_id").annotate(n=Count("id")).values_list("partner_id", "n")
    ):
        per[org_id]["mobilities"] += n
    for org_id in list(per):
        if org_id in ctx.owners:
            del per[org_id]
    labels = _org_labels(per)
    partner_rows = []
    for org_id, counts in per.items():
        name, country = labels.get(org_id, ("", ""))
        partner_rows.append(
            [
                name,
                _country(country),
                counts["agreements"],
                counts["engagements"],
                counts["mobilities"],
                counts["projects"],
            ]
        )
    partner_rows.sort(key=lambda r: (r[1], r[0]))
    by_country: Counter[str] = Counter(labels.get(org_id, ("", ""))[1] for org_id in per)
    country_rows = sorted(([_country(code), n] for code, n in by_country.items()), key=lambda r: (-r[1], r[0]))
    tables = [
        Table(
            "by_country",
            _("Partners by country"),
            [Column(_("Country")), Column(_("Partners"), INT)],
            country_rows,
            [_("Total"), len(per)],
        ),
        Table(
            "partners",
            _("Partners"),
            [
                Column(_("Organisation")),
                Column(_("Country")),
                Column(_("Agreements in force"), INT),
                Column(_("Engagements"), INT),
                Column(_("Mobilities"), INT),
                Column(_("Projects"), INT),
            ],
            partner_rows,
            _total_row(_("Total"), partner_rows, 2) if partner_rows else None,
        ),
    ]
    sources = _cited(ctx, [(Organization, set(per))])
    return Section(
        "partners",
        _("Partners"),
        tables,
        sources,
        {"partners": len(per), "countries": {code: n for code, n in by_country.items()}},
    )


def section_agreements(ctx: Context) -> Section:
    from accord.agreements.choices import AgreementKind, EventKind
    from accord.agreements.models import Agreement, AgreementEvent, AgreementParty

    groups = {
        EventKind.SIGNED: "signed",
        EventKind.RENEWED: "renewed",
        EventKind.AUTO_RENEWED: "renewed",
        EventKind.EXPIRED: "expired",
        EventKind.TERMINATED: "terminated",
    }
    events = list(
        AgreementEvent.objects.filter(
            agreement__owner_id__in=ctx.owners, date__gte=ctx.start, date__lte=ctx.end, kind__in=list(groups)
        )
        .select_related("agreement")
        .order_by("date", "id")
    )
    agreement_ids = {e.agreement_id for e in events}
    owner_ids = {e.agreement.owner_id for e in events}
    parties: dict[int, list[int]] = defaultdict(list)
    for agreement_id, org_id in AgreementParty.objects.filter(agreement_id__in=agreement_ids).values_list(
        "agreement_id", "organization_id"
    ):
        if org_id not in ctx.owners:
            parties[agreement_id].append(org_id)
    labels = _org_labels(owner_ids | {o for ids in parties.values() for o in ids})
    counts: Counter[str] = Counter(groups[e.kind] for e in events)
    kind_labels = dict(AgreementKind.choices)
    rows = [
        [
            e.date,
            str(EventKind(e.kind).label),
            e.agreement.title,
            e.agreement.reference,
            str(kind_labels.get(e.agreement.kind, e.agreement.kind)),
            labels.get(e.agreement.owner_id, ("", ""))[0],
            "; ".join(labels.get(o, ("", ""))[0] for o in parties[e.agreement_id]),
        ]
        for e in events
    ]
    names = {
        "signed": _("Signed"),
        "renewed": _("Renewed"),
        "expired": _("Expired"),
        "terminated": _("Terminated"),
    }
    summary = [[names[key], counts[key]] for key in ("signed", "renewed", "expired", "terminated")]
    tables = [
        Table(
            "summary",
            _("Agreements in the year"),
            [Column(_("Event")), Column(_("Agreements"), INT)],
            summary,
            [_("Total"), sum(counts.values())],
        ),
        Table(
            "events",
            _("Events"),
            [
                Column(_("Date"), DATE),
                Column(_("Event")),
                Column(_("Title")),
                Column(_("Reference")),
                Column(_("Kind")),
                Column(_("Kept by")),
                Column(_("Partners")),
            ],
            rows,
        ),
    ]
    sources = _cited(ctx, [(Agreement, agreement_ids)])
    figures = {key: counts[key] for key in ("signed", "renewed", "expired", "terminated")}
    return Section("agreements", _("Agreements"), tables, sources, figures)


def section_engagements(ctx: Context) -> Section:
    from django.db.models import Prefetch

    from accord.engagements.models import (
        ActionStatus,
        Engagement,
        EngagementKind,
        FollowUpAction,
        Participant,
        ParticipantRole,
    )

    engagements = list(
        engagements_of_year(ctx)
        .select_related("host")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(role=ParticipantRole.HEAD).select_related("person"),
                to_attr="heads",
            ),
            "agreements",
            "actions",
        )
        .order_by("starts_on", "id")
    )
    kinds = Counter(e.kind for e in engagements)
    order = [EngagementKind.INCOMING_DELEGATION, EngagementKind.OUTGOING_DELEGATION] + [
        k
        for k in EngagementKind.values
        if k not in (EngagementKind.INCOMING_DELEGATION, EngagementKind.OUTGOING_DELEGATION)
    ]
    summary = [[str(EngagementKind(k).label), kinds[k]] for k in order if kinds[k]]
    rows = []
    signed = actions = open_actions = 0
    action_ids: set[int] = set()
    for e in engagements:
        heads = "; ".join(" ".join(part for part in (p.person.honorific, p.person.name) if part) for p in e.heads)
        agreements = list(e.agreements.all())
        done = list(e.actions.all())
        signed += len(agreements)
        actions += len(done)
        open_actions += sum(1 for a in done if a.status == ActionStatus.OPEN)
        action_ids.update(a.pk for a in done)
        rows.append(
            [
                e.starts_on,
                e.ends_on or e.starts_on,
                str(EngagementKind(e.kind).label),
                e.title,
                _country(e.country) if e.country else "",
                e.host.label() if e.host_id else "",
                heads,
                len(agreements),
                "; ".join(a.title for a in agreements),
                len(done),
                "; ".join(a.title for a in done),
            ]
        )
    tables = [
        Table(
            "by_kind",
            _("Engagements by kind"),
            [Column(_("Kind")), Column(_("Engagements"), INT)],
            summary,
            [_("Total"), len(engagements)],
        ),
        Table(
            "engagements",
            _("Engagements"),
            [
                Column(_("From"), DATE),
                Column(_("To"), DATE),
                Column(_("Kind")),
                Column(_("Title")),
                Column(_("Country")),
                Column(_("Host")),
                Column(_("Heads of delegation")),
                Column(_("Agreements signed there"), INT),
                Column(_("Agreements")),
                Column(_("Follow-up actions"), INT),
                Column(_("Actions")),
            ],
            rows,
            [_("Total"), None, None, None, None, None, None, signed, None, actions, None] if rows else None,
        ),
    ]
    sources = _cited(ctx, [(Engagement, {e.pk for e in engagements}), (FollowUpAction, action_ids)])
    figures = {
        "received": kinds[EngagementKind.INCOMING_DELEGATION],
        "sent": kinds[EngagementKind.OUTGOING_DELEGATION],
        "total": len(engagements),
        "by_kind": dict(kinds),
        "agreements_signed": signed,
        "actions": actions,
        "open_actions": open_actions,
    }
    return Section("engagements", _("Engagements"), tables, sources, figures)


def section_mobility(ctx: Context) -> Section:
    from accord.mobility.models import Category, Direction, Programme

    stays = mobilities_of_year(ctx)
    by_country: dict[str, Counter] = defaultdict(Counter)
    by_category: dict[str, Counter] = defaultdict(Counter)
    by_programme: dict[int | None, Counter] = defaultdict(Counter)
    programme_names: dict[int | None, str] = {}
    totals: Counter[str] = Counter()
    for direction, country, category, programme_id, programme_name, n in (
        stays.values("direction", "partner__country", "category", "programme_id", "programme__name")
        .annotate(n=Count("id"))
        .values_list("direction", "partner__country", "category", "programme_id", "programme__name", "n")
    ):
        by_country[country or ""][direction] += n
        by_category[category][direction] += n
        by_programme[programme_id][direction] += n
        programme_names[programme_id] = programme_name or _("No programme")
        totals[direction] += n

    def rows_of(groups: dict, label) -> list[list[Any]]:
        rows = [
            [label(key), c[Direction.INCOMING], c[Direction.OUTGOING], c[Direction.INCOMING] + c[Direction.OUTGOING]]
            for key, c in groups.items()
        ]
        rows.sort(key=lambda r: (-r[3], r[0]))
        return rows

    columns = [Column(_("Incoming"), INT), Column(_("Outgoing"), INT), Column(_("Total"), INT)]
    total_row = [_("Total"), totals[Direction.INCOMING], totals[Direction.OUTGOING], sum(totals.values())]
    category_labels = dict(Category.choices)
    tables = [
        Table(
            "by_country",
            _("Mobility by country"),
            [Column(_("Country"))] + columns,
            rows_of(by_country, _country),
            list(total_row),
        ),
        Table(
            "by_category",
            _("Mobility by category"),
            [Column(_("Category"))] + columns,
            rows_of(by_category, lambda k: str(category_labels.get(k, k))),
            list(total_row),
        ),
        Table(
            "by_programme",
            _("Mobility by programme"),
            [Column(_("Programme"))] + columns,
            rows_of(by_programme, lambda k: programme_names[k]),
            list(total_row),
        ),
    ]
    sources = _cited(ctx, [(Programme, {k for k in by_programme if k})])
    figures = {
        "incoming": totals[Direction.INCOMING],
        "outgoing": totals[Direction.OUTGOING],
        "by_country": {k: dict(v) for k, v in by_country.items()},
        "by_category": {k: dict(v) for k, v in by_category.items()},
        "by_programme": {k: dict(v) for k, v in by_programme.items()},
    }
    return Section("mobility", _("Mobility"), tables, sources, figures)


def section_projects(ctx: Context) -> Section:
    from accord.funding.models import Project, ProjectStatus

    projects = list(
        projects_of_year(ctx).select_related("owner", "funder", "scheme").order_by("starts_on", "acronym", "id")
    )
    labels = _org_labels({p.owner_id for p in projects} | {p.funder_id for p in projects if p.funder_id})
    status_labels = dict(ProjectStatus.choices)
    rows = [
        [
            p.acronym,
            p.title,
            labels.get(p.owner_id, ("", ""))[0],
            labels.get(p.funder_id, ("", ""))[0] if p.funder_id else "",
            p.scheme.name if p.scheme_id else "",
            str(status_labels.get(p.status, p.status)),
            p.starts_on,
            p.ends_on,
            p.budget,
            p.currency,
        ]
        for p in projects
    ]
    budgets: dict[str, Decimal] = defaultdict(Decimal)
    per_currency: Counter[str] = Counter()
    for p in projects:
        if p.budget is not None:
            budgets[p.currency] += p.budget
            per_currency[p.currency] += 1
    budget_rows = [[currency, per_currency[currency], budgets[currency]] for currency in sorted(budgets)]
    tables = [
        Table(
            "projects",
            _("Projects"),
            [
                Column(_("Acronym")),
                Column(_("Title")),
                Column(_("Kept by")),
                Column(_("Funder")),
                Column(pgettext("funding", "Scheme")),
                Column(_("Status")),
                Column(_("From"), DATE),
                Column(_("To"), DATE),
                Column(_("Budget"), DECIMAL),
                Column(_("Currency")),
            ],
            rows,
        ),
        Table(
            "budgets",
            _("Budgets by currency"),
            [Column(_("Currency")), Column(_("Projects"), INT), Column(_("Budget"), DECIMAL)],
            budget_rows,
        ),
    ]
    sources = _cited(ctx, [(Project, {p.pk for p in projects})])
    figures = {"projects": len(projects), "budgets": dict(budgets)}
    return Section("projects", _("Projects and funding"), tables, sources, figures)


def section_quotas(ctx: Context) -> Section:
    from accord.funding.models import Allocation, AllocationUnit, FundingScheme
    from accord.funding.selectors import usage_for

    candidates = (
        Allocation.objects.filter(recipient_id__in=ctx.owners)
        .filter(Q(parent__isnull=True) | ~Q(parent__recipient_id__in=ctx.owners))
        .select_related("scheme", "parent")
        .order_by("scheme__name", "id")
    )
    allocations = [a for a in candidates if _period_covers(a.period, a.scheme.starts_on, a.scheme.ends_on, ctx)]
    usage = usage_for(allocations)
    labels = _org_labels(
        {a.recipient_id for a in allocations}
        | {a.scheme.funder_id for a in allocations}
        | {a.parent.recipient_id if a.parent_id else a.scheme.owner_id for a in allocations}
    )
    unit_labels = dict(AllocationUnit.choices)
    rows = []
    summary: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for a in allocations:
        use = usage[a.pk]
        giver = a.parent.recipient_id if a.parent_id else a.scheme.owner_id
        rows.append(
            [
                a.scheme.name,
                labels.get(a.scheme.funder_id, ("", ""))[0],
                labels.get(giver, ("", ""))[0],
                labels.get(a.recipient_id, ("", ""))[0],
                a.period,
                str(unit_labels.get(a.scheme.unit, a.scheme.unit)),
                a.scheme.currency,
                use.quantity,
                use.passed_on,
                use.used,
                use.remaining,
                use.percent,
            ]
        )
        key = (a.scheme.unit, a.scheme.currency)
        summary[key][0] += use.quantity
        summary[key][1] += use.used
    summary_rows = [
        [str(unit_labels.get(unit, unit)), currency, values[0], values[1]]
        for (unit, currency), values in sorted(summary.items())
    ]
    tables = [
        Table(
            "summary",
            _("Quotas received and used"),
            [Column(_("Unit")), Column(_("Currency")), Column(_("Received"), DECIMAL), Column(_("Used"), DECIMAL)],
            summary_rows,
        ),
        Table(
            "allocations",
            _("Allocations received"),
            [
                Column(pgettext("funding", "Scheme")),
                Column(_("Funder")),
                Column(_("Given by")),
                Column(_("Recipient")),
                Column(_("Period")),
                Column(_("Unit")),
                Column(_("Currency")),
                Column(_("Received"), DECIMAL),
                Column(_("Passed on"), DECIMAL),
                Column(_("Used"), DECIMAL),
                Column(_("Remaining"), DECIMAL),
                Column(_("Used (%)"), PERCENT),
            ],
            rows,
        ),
    ]
    sources = _cited(ctx, [(FundingScheme, {a.scheme_id for a in allocations})])
    figures = {
        "allocations": len(allocations),
        "received": {f"{unit} {currency}".strip(): v[0] for (unit, currency), v in summary.items()},
        "used": {f"{unit} {currency}".strip(): v[1] for (unit, currency), v in summary.items()},
    }
    return Section("quotas", _("Quotas received and used"), tables, sources, figures)


def section_plans(ctx: Context) -> Section:
    from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskStatus
    from accord.plans.selectors import actuals, plan_progress

    plans = list(
        Plan.objects.filter(owner_id__in=ctx.owners, starts_on__lte=ctx.end, ends_on__gte=ctx.start).order_by(
            "starts_on", "id"
        )
    )
    plan_ids = [p.pk for p in plans]
    tasks = list(
        Task.objects.filter(plan_id__in=plan_ids).prefetch_related("responsible").order_by("plan", "position", "id")
    )
    indicators = list(
        Indicator.objects.filter(plan_id__in=plan_ids).select_related("plan", "task").order_by("plan", "position", "id")
    )
    values = actuals(indicators)
    tasks_of: dict[int, list] = defaultdict(list)
    for t in tasks:
        tasks_of[t.plan_id].append(t)
    labels = _org_labels({p.owner_id for p in plans})
    as_of = min(timezone.localdate(), ctx.end)
    plan_rows = []
    for p in plans:
        progress = plan_progress(p, tasks_of[p.pk], today=as_of)
        plan_rows.append(
            [
                p.number,
                p.title,
                labels.get(p.owner_id, ("", ""))[0],
                p.starts_on,
                p.ends_on,
                progress.tasks,
                progress.done,
                progress.overdue,
                progress.mean_progress,
            ]
        )
    numbers = {p.pk: p.number or p.title for p in plans}
    status_labels = dict(TaskStatus.choices)
    task_rows = [
        [
            numbers[t.plan_id],
            t.position,
            t.title,
            "; ".join(o.label() for o in t.responsible.all()),
            t.deadline,
            str(status_labels.get(t.status, t.status)),
            t.progress,
        ]
        for t in tasks
    ]
    rule_labels = dict(IndicatorRule.choices)
    indicator_rows = []
    for i in indicators:
        actual = values.get(i.pk)
        value = actual.value if actual else None
        indicator_rows.append(
            [
                numbers[i.plan_id],
                i.name,
                i.unit,
                i.target,
                value,
                actual.percent_of(i.target) if actual else None,
                str(rule_labels.get(i.rule, i.rule)),
            ]
        )
    tables = [
        Table(
            "plans",
            _("Plans"),
            [
                Column(_("Number")),
                Column(_("Title")),
                Column(_("Issued by")),
                Column(_("From"), DATE),
                Column(_("To"), DATE),
                Column(_("Tasks"), INT),
                Column(_("Done"), INT),
                Column(_("Overdue"), INT),
                Column(_("Mean progress (%)"), PERCENT),
            ],
            plan_rows,
        ),
        Table(
            "tasks",
            _("Tasks"),
            [
                Column(_("Plan")),
                Column(_("No."), INT),
                Column(_("Task")),
                Column(_("Responsible")),
                Column(_("Deadline"), DATE),
                Column(_("Status")),
                Column(_("Progress (%)"), PERCENT),
            ],
            task_rows,
        ),
        Table(
            "indicators",
            _("Indicators"),
            [
                Column(_("Plan")),
                Column(_("Indicator")),
                Column(_("Unit")),
                Column(_("Target"), DECIMAL),
                Column(_("Actual"), DECIMAL),
                Column(_("Achieved (%)"), PERCENT),
                Column(_("How the actual is obtained")),
            ],
            indicator_rows,
        ),
    ]
    extra = {p.document_id for p in plans} | {i.evidence_source_id for i in indicators}
    sources = _cited(ctx, [(Plan, set(plan_ids))], extra_source_ids=extra)
    figures = {
        "plans": len(plans),
        "tasks": len(tasks),
        "tasks_done": sum(1 for t in tasks if t.status == TaskStatus.DONE),
        "indicators": {i.pk: (i.target, values[i.pk].value if i.pk in values else None) for i in indicators},
    }
    return Section("plans", _("Plan tasks and indicators"), tables, sources, figures)


# ---------------------------------------------------------------------------------------------
# The whole report


def build(user, organization, year: int, language: str, progress=None) -> Report:
    """Compute the report in ``language``; ``progress(percent, step)`` is told after each section."""
    import accord.reports.annual as module

    owner_ids = scope_owners(user, organization)
    with translation.override(language):
        ctx = Context(user, organization, owner_ids, year, language)
        labels = _org_labels(owner_ids)
        sections = []
        for index, key in enumerate(SECTION_KEYS):
            if progress:
                progress(int(index * 70 / len(SECTION_KEYS)), key)
            sections.append(getattr(module, f"section_{key}")(ctx))
        name = labels.get(organization.pk, (organization.name, ""))[0]
        return Report(
            organization_id=organization.pk,
            organization=name,
            owners=sorted(labels[o][0] for o in owner_ids if o in labels),
            year=year,
            language=language,
            generated_at=timezone.now(),
            title=_("International cooperation report %(year)s") % {"year": year},
            sections=sections,
        )


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a report or a part of it (dates as ISO text, decimals as text)."""
    if isinstance(value, Report | Section | Table | Column | SourceRef):
        return {k: plain(v) for k, v in value.__dict__.items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
