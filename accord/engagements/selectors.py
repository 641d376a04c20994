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


def partner_timeline(*, user, organization) -> Timeline:
    """Everything the user may see with ``organization``, year by year, newest year first.

    Agreements signed, renewed and expired; engagements it took part in; actions agreed
    there; projects it takes part in or funds; sources citing it. A fixed number of queries whatever the history's length.
    """
    from accord.agreements.models import Agreement, AgreementEvent
    from accord.sources.models import Citation, Source

    entries: list[TimelineEntry] = []
    agreements = Agreement.objects.restrict(user, VIEW).filter(parties__organization=organization)
    for event in (
        AgreementEvent.objects.filter(
            agreement__in=agreements, kind__in=["signed", "renewed", "expired", "terminated", "auto_renewed"]
        )
        .select_related("agreement", "agreement__successor")
        .order_by("date", "id")
    ):
        day = event.date
        if event.kind == "renewed":
            # The event is dated when the renewal was started in accord; with the partner it
            # happened when the successor was signed.
            successor = getattr(event.agreement, "successor", None)
            if successor is not None and successor.signed_on:
                day = successor.signed_on
        entries.append(
            TimelineEntry(
                day,
                "agreement",
                event.agreement.title,
                event.agreement.get_absolute_url(),
                event.get_kind_display(),
            )
        )
    engagements = (
        Engagement.objects.restrict(user, VIEW)
        .filter(Q(organizations__organization=organization) | Q(host=organization))
        .distinct()
        .order_by("starts_on")
    )
    agreed_on: dict[int, datetime.date] = {}
    for engagement in engagements:
        agreed_on[engagement.pk] = engagement.last_day
        entries.append(
            TimelineEntry(
                engagement.starts_on,
                "engagement",
                engagement.title,
                engagement.get_absolute_url(),
                engagement.get_kind_display(),
            )
        )
    for action in FollowUpAction.objects.restrict(user, VIEW).filter(engagement_id__in=list(agreed_on)).order_by("id"):
        # An action with neither a due nor a done day is placed on the day it was agreed.
        day = action.done_on or action.due_on or agreed_on[action.engagement_id]
        entries.append(
            TimelineEntry(day, "action", action.title, action.get_absolute_url(), action.get_status_display())
        )
    from accord.funding.models import Project

    for project in (
        Project.objects.restrict(user, VIEW)
        .filter(Q(partners__organization=organization) | Q(funder=organization))
        .distinct()
        .order_by("id")
    ):
        day = project.starts_on or project.created_at.date()
        entries.append(
            TimelineEntry(day, "project", str(project), project.get_absolute_url(), project.get_status_display())
        )
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(organization))
    for citation in (
        Citation.objects.filter(
            content_type=content_type, object_id=organization.pk, source__in=Source.objects.restrict(user, VIEW)
        )
        .select_related("source")
        .order_by("id")
    ):
        source = citation.source
        day = source.published_on or source.created_at.date()
        entries.append(TimelineEntry(day, "source", source.title, source.get_absolute_url(), source.publisher))
    entries.sort(key=lambda e: (e.date, e.kind, e.label))
    by_year: dict[int, TimelineYear] = {}
    for entry in entries:
        by_year.setdefault(entry.date.year, TimelineYear(entry.date.year)).entries.append(entry)
    years = [by_year[y] for y in sorted(by_year, reverse=True)]
    return Timeline(years, entries[0].date if entries else None, entries[-1].date if entries else None, len(entries))


def calendar_months(queryset: QuerySet[Engagement]) -> list[tuple[datetime.date, list[Engagement]]]:
    """Engagements grouped by the month they start in, in date order."""
    months: dict[datetime.date, list[Engagement]] = defaultdict(list)
    for engagement in queryset.order_by("starts_on", "id"):
        months[engagement.starts_on.replace(day=1)].append(engagement)
    return sorted(months.items())
