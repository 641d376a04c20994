"""Reads of engagements, actions, the calendar and each partner's timeline."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accord.core.tenancy import VIEW
from accord.engagements.models import (
    ActionStatus,
    Engagement,
    EngagementOrganization,
    FollowUpAction,
    Participant,
)


def engagement_list(*, user, action: str = VIEW) -> QuerySet[Engagement]:
    open_actions = FollowUpAction.objects.filter(engagement=OuterRef("pk"), status=ActionStatus.OPEN)
    return (
        Engagement.objects.restrict(user, action)
        .select_related("owner", "host", "series", "parent")
        .annotate(has_open_actions=Exists(open_actions))
        .prefetch_related(
            Prefetch(
                "organizations", queryset=EngagementOrganization.objects.select_related("organization").order_by("id")
            )
        )
    )


def engagement_detail(*, user, pk: int) -> Engagement:
    return (
        Engagement.objects.restrict(user, VIEW)
        .select_related("owner", "host", "series", "parent")
        .prefetch_related(
            "titles",
            Prefetch(
                "organizations", queryset=EngagementOrganization.objects.select_related("organization").order_by("id")
            ),
            Prefetch(
                "participants", queryset=Participant.objects.select_related("person", "organization").order_by("id")
            ),
            Prefetch("parts", queryset=Engagement.objects.restrict(user, VIEW).order_by("starts_on")),
            Prefetch(
                "actions",
                queryset=FollowUpAction.objects.select_related("responsible", "owner").order_by("due_on", "id"),
            ),
            "agreements",
        )
        .get(pk=pk)
    )


def action_list(*, user, action: str = VIEW) -> QuerySet[FollowUpAction]:
    return FollowUpAction.objects.restrict(user, action).select_related("owner", "responsible", "engagement")


def overdue_q(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=ActionStatus.OPEN, due_on__lt=today)


@dataclass
class TimelineEntry:
    date: datetime.date
    kind: str
    label: str
    url: str
    detail: str = ""


@dataclass
class TimelineYear:
    year: int
    entries: list[TimelineEntry] = field(default_factory=list)
    count: int = 0  # entries of the year, listed or not
    loaded: bool = True  # False: only counted; its entries are listed on asking for the year


@dataclass
class Timeline:
    years: list[TimelineYear]
    first: datetime.date | None
    latest: datetime.date | None
    count: int

    @property
    def span(self) -> str:
        if not self.first:
            return ""
        return f"{self.first.year}–{self.latest.year}" if self.latest.year != self.first.year else str(self.first.year)


TIMELINE_BUDGET = 150  # entries listed at once: the newest years up to this many; older years are counted


def _timeline_sources(user, organization) -> dict[str, QuerySet]:
    """What the timeline lists, each kind as a queryset with its ``day`` on the timeline."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Case, DateField, F, When
    from django.db.models.functions import Coalesce, TruncDate

    from accord.agreements.models import Agreement, AgreementEvent
    from accord.funding.models import Project, ProjectPartner
    from accord.sources.models import Citation, Source

    utc = datetime.UTC
    agreements = Agreement.objects.restrict(user, VIEW).filter(parties__organization=organization)
    events = AgreementEvent.objects.filter(
        agreement__in=agreements.values("pk"), kind__in=["signed", "renewed", "expired", "terminated", "auto_renewed"]
    ).annotate(
        # A renewal is dated when it was started in accord; with the partner it happened when the
        # successor was signed.
        day=Case(
            When(
                kind="renewed", agreement__successor__signed_on__isnull=False, then=F("agreement__successor__signed_on")
            ),
            default=F("date"),
            output_field=DateField(),
        )
    )
    # One IN over a UNION, not "IN (…) OR host = …": PostgreSQL answers the OR with a scan of
    # every engagement, the UNION from the two indexes.
    taking_part = (
        EngagementOrganization.objects.filter(organization=organization)
        .order_by()
        .values("engagement_id")
        .union(Engagement.objects.filter(host=organization).order_by().values("pk"))
    )
    engagements = Engagement.objects.restrict(user, VIEW).filter(pk__in=taking_part).annotate(day=F("starts_on"))
    # An action with neither a due nor a done day is placed on the day it was agreed.
    actions = (
        FollowUpAction.objects.restrict(user, VIEW)
        .filter(engagement__in=engagements.values("pk"))
        .annotate(day=Coalesce("done_on", "due_on", "engagement__ends_on", "engagement__starts_on"))
    )
    partnering = (
        ProjectPartner.objects.filter(organization=organization)
        .order_by()
        .values("project_id")
        .union(Project.objects.filter(funder=organization).order_by().values("pk"))
    )
    projects = (
        Project.objects.restrict(user, VIEW)
        .filter(pk__in=partnering)
        .annotate(day=Coalesce("starts_on", TruncDate("created_at", tzinfo=utc)))
    )
    citations = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(type(organization)),
        object_id=organization.pk,
        source__in=Source.objects.restrict(user, VIEW).values("pk"),
    ).annotate(day=Coalesce("source__published_on", TruncDate("source__created_at", tzinfo=utc)))
    return {"agreement": events, "engagement": engagements, "action": actions, "project": projects, "source": citations}


def _timeline_entries(kind: str, queryset: QuerySet) -> list[TimelineEntry]:
    if kind == "agreement":
        return [
            TimelineEntry(e.day, kind, e.agreement.title, e.agreement.get_absolute_url(), e.get_kind_display())
            for e in queryset.select_related("agreement").order_by("day", "id")
        ]
    if kind == "engagement":
        return [
            TimelineEntry(e.day, kind, e.title, e.get_absolute_url(), e.get_kind_display())
            for e in queryset.order_by("day", "id")
        ]
    if kind == "action":
        return [
            TimelineEntry(a.day, kind, a.title, a.get_absolute_url(), a.get_status_display())
            for a in queryset.order_by("day", "id")
        ]
    if kind == "project":
        return [
            TimelineEntry(p.day, kind, str(p), p.get_absolute_url(), p.get_status_display())
            for p in queryset.order_by("day", "id")
        ]
    return [
        TimelineEntry(c.day, "source", c.source.title, c.source.get_absolute_url(), c.source.publisher)
        for c in queryset.select_related("source").order_by("day", "id")
    ]


def partner_timeline(*, user, organization, year: int | None = None, budget: int | None = None) -> Timeline:
    """Everything the user may see with ``organization``, year by year, newest year first.

    Agreements signed, renewed and expired; engagements it took part in; actions agreed
    there; projects it takes part in or funds; sources citing it. Every year is counted; the
    entries are listed for the newest years up to ``budget`` entries (at least the newest year)
    and for ``year`` when asked, so that the busiest partner's page reads a bounded number of
    rows. A fixed number of queries whatever the history's length.
    """
    from django.db.models import Count, Max, Min
    from django.db.models.functions import ExtractYear

    budget = TIMELINE_BUDGET if budget is None else budget
    sources = _timeline_sources(user, organization)
    counts: dict[int, int] = defaultdict(int)
    first = latest = None
    for queryset in sources.values():
        for row in (
            queryset.annotate(on_year=ExtractYear("day"))
            .values("on_year")
            .annotate(n=Count("pk", distinct=True), first=Min("day"), last=Max("day"))
            .order_by()
        ):
            counts[row["on_year"]] += row["n"]
            first = min(first, row["first"]) if first else row["first"]
            latest = max(latest, row["last"]) if latest else row["last"]
    newest_first = sorted(counts, reverse=True)
    recent: list[int] = []  # the newest years, up to the budget (at least one)
    shown = 0
    for each in newest_first:
        if recent and shown + counts[each] > budget:
            break
        recent.append(each)
        shown += counts[each]
    asked = year if year in counts and year not in recent else None
    listed = {*recent, asked} - {None}
    by_year = {each: TimelineYear(each, count=counts[each], loaded=each in listed) for each in newest_first}
    if recent:
        wanted = Q(day__gte=datetime.date(recent[-1], 1, 1))
        if asked:
            wanted |= Q(day__gte=datetime.date(asked, 1, 1), day__lte=datetime.date(asked, 12, 31))
        entries = [e for kind, queryset in sources.items() for e in _timeline_entries(kind, queryset.filter(wanted))]
        entries.sort(key=lambda e: (e.date, e.kind, e.label))
        for entry in entries:
            by_year[entry.date.year].entries.append(entry)
    return Timeline([by_year[y] for y in newest_first], first, latest, sum(counts.values()))


def calendar_months(queryset: QuerySet[Engagement]) -> list[tuple[datetime.date, list[Engagement]]]:
    """Engagements grouped by the month they start in, in date order."""
    months: dict[datetime.date, list[Engagement]] = defaultdict(list)
    for engagement in queryset.order_by("starts_on", "id"):
        months[engagement.starts_on.replace(day=1)].append(engagement)
    return sorted(months.items())
