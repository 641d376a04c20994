"""Reads of agreements: restricted to the user, with health and fulfilment computed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accord.agreements.choices import AgreementHealth, AgreementStatus, Fulfilment
from accord.agreements.models import Agreement, AgreementParty, Commitment, Evidence
from accord.core.tenancy import VIEW


def academic_year_of(day: datetime.date) -> str:
    """The academic year a day falls in; years start in September (``2025/2026``)."""
    start = settings.ACCORD_ACADEMIC_YEAR_START_MONTH
    first = day.year if day.month >= start else day.year - 1
    return f"{first}/{first + 1}"


def academic_year_bounds(year: str) -> tuple[datetime.date, datetime.date]:
    first = int(year.split("/")[0])
    start = settings.ACCORD_ACADEMIC_YEAR_START_MONTH
    return datetime.date(first, start, 1), datetime.date(first + 1, start, 1) - datetime.timedelta(days=1)


def last_evidence():
    """Each agreement's latest note of evidence, as a subquery (``annotate(last_evidence=…)``).

    A subquery, not ``Max`` over a join: a list filtered and ordered by the database needs no
    GROUP BY over every column of the agreement.
    """
    from django.db.models import Max, OuterRef, Subquery

    # MAX, not ORDER BY … LIMIT 1: PostgreSQL answers the latter by walking every note of evidence
    # newest first until one of the agreement turns up (minutes for 50,000 agreements).
    latest = (
        Evidence.objects.filter(commitment__agreement=OuterRef("pk"))
        .order_by()
        .values("commitment__agreement")
        .annotate(last=Max("happened_on"))
        .values("last")
    )
    return Subquery(latest)


def _agreements(user, action: str) -> QuerySet[Agreement]:
    return (
        Agreement.objects.restrict(user, action)
        # The successor is read by health(); joined here so a list does not ask once per row.
        .select_related("owner", "successor")
        .annotate(last_evidence=last_evidence())
        .order_by(*Agreement._meta.ordering)
    )


def agreement_list(*, user, action: str = VIEW) -> QuerySet[Agreement]:
    return _agreements(user, action).prefetch_related(
        Prefetch("parties", queryset=AgreementParty.objects.select_related("organization").order_by("id"))
    )


def _engagements_seen_by(user):
    from accord.engagements.models import Engagement  # the engagements app builds on this one

    return Engagement.objects.restrict(user, VIEW).order_by("starts_on", "id")


def agreement_detail(*, user, pk: int) -> Agreement:
    return (
        _agreements(user, VIEW)
        .select_related("predecessor")
        .prefetch_related(
            "titles",
            "documents",
            Prefetch(
                "parties", queryset=AgreementParty.objects.select_related("organization", "signatory").order_by("id")
            ),
            Prefetch(
                "commitments",
                queryset=Commitment.objects.select_related("activity_type").prefetch_related(
                    Prefetch("evidence", queryset=Evidence.objects.order_by("-happened_on", "-id")),
                    counted_mobilities(),
                ),
            ),
            "events__actor",
            # The engagements it was signed at, as far as the reader may see them.
            Prefetch("signed_at", queryset=_engagements_seen_by(user)),
        )
        .get(pk=pk)
    )


def renewal_chain(agreement: Agreement) -> list[Agreement]:
    """Every agreement of the partnership, oldest first: predecessors, this one, successors."""
    chain = [agreement]
    seen = {agreement.pk}
    current = agreement
    while current.predecessor_id and current.predecessor_id not in seen:
        current = Agreement.objects.select_related("predecessor").get(pk=current.predecessor_id)
        chain.insert(0, current)
        seen.add(current.pk)
    current = agreement
    while True:
        successor = Agreement.objects.filter(predecessor=current).first()
        if successor is None or successor.pk in seen:
            break
        chain.append(successor)
        seen.add(successor.pk)
        current = successor
    return chain


def health(agreement: Agreement, today: datetime.date | None = None) -> str:
    """Active, dormant (no evidence for a year), at risk (in its renewal window), lapsed, or not in force."""
    today = today or timezone.localdate()
    if agreement.status == AgreementStatus.EXPIRED and not _has_successor(agreement):
        return AgreementHealth.LAPSED
    if agreement.status != AgreementStatus.ACTIVE:
        return AgreementHealth.NOT_IN_FORCE
    if agreement.expires_on and agreement.expires_on < today:
        return AgreementHealth.LAPSED
    if agreement.expires_on and agreement.renewal_window_starts <= today:
        return AgreementHealth.AT_RISK
    last = getattr(agreement, "last_evidence", None)
    started = agreement.effective_on or agreement.signed_on
    latest = max(d for d in (last, started) if d) if (last or started) else None
    if latest and (today - latest).days > settings.ACCORD_DORMANT_DAYS:
        return AgreementHealth.DORMANT
    return AgreementHealth.ACTIVE


def _has_successor(agreement: Agreement) -> bool:
    try:
        return agreement.successor is not None
    except Agreement.successor.RelatedObjectDoesNotExist:
        return False


def health_q(value: str, today: datetime.date | None = None) -> Q:
    """The same rule as ``health`` as a database condition (the list needs ``last_evidence``)."""
    today = today or timezone.localdate()
    active = Q(status=AgreementStatus.ACTIVE)
    dormant_since = today - datetime.timedelta(days=settings.ACCORD_DORMANT_DAYS)
    in_window = Q(expires_on__isnull=False) & Q(expires_on__gte=today)
    if value == AgreementHealth.ACTIVE:
        return (
            active
            & ~health_q(AgreementHealth.LAPSED, today)
            & ~health_q(AgreementHealth.AT_RISK, today)
            & ~health_q(AgreementHealth.DORMANT, today)
        )
    if value == AgreementHealth.LAPSED:
        return (active & Q(expires_on__lt=today)) | Q(status=AgreementStatus.EXPIRED, successor__isnull=True)
    if value == AgreementHealth.AT_RISK:
        return active & in_window & Q(renewal_starts_on__lte=today)
    if value == AgreementHealth.DORMANT:
        quiet = Q(last_evidence__isnull=True) | Q(last_evidence__lt=dormant_since)
        old = Q(effective_on__lt=dormant_since) | Q(effective_on__isnull=True, signed_on__lt=dormant_since)
        return active & quiet & old & (Q(expires_on__isnull=True) | Q(renewal_starts_on__gt=today))
    return Q()


@dataclass
class FulfilmentState:
    state: str
    done: Decimal
    target: Decimal | None
    percent: int
    year: str
    last: datetime.date | None

    @property
    def label(self) -> str:
        return str(Fulfilment(self.state).label)


def counted_mobilities() -> Prefetch:
    """The mobilities that fulfil commitments (not cancelled), as ``commitment.counted_mobilities``."""
    from accord.mobility.models import Mobility, MobilityStatus

    return Prefetch(
        "mobilities",
        queryset=Mobility.objects.exclude(status=MobilityStatus.CANCELLED)
        .only("id", "commitment_id", "academic_year", "months", "planned_start", "actual_start")
        .order_by("id"),
        to_attr="counted_mobilities",
    )


def fulfilment(commitment: Commitment, today: datetime.date | None = None) -> FulfilmentState:
    """How far a commitment is kept this academic year, from its (prefetched) evidence and mobilities.

    A mobility that fulfils the commitment counts one person (or its months, for a commitment
    counted in months) in the academic year it starts; a note of evidence counts its quantity,
    or one when it gives none.
    """
    today = today or timezone.localdate()
    year = academic_year_of(today)
    start, end = academic_year_bounds(year)
    evidence = list(commitment.evidence.all())
    mobilities = getattr(commitment, "counted_mobilities", None)
    if mobilities is None:
        mobilities = list(counted_mobilities().queryset.filter(commitment=commitment))
    this_year = [e for e in evidence if start <= e.happened_on <= end]
    stays = [m for m in mobilities if m.academic_year == year]
    dates = [e.happened_on for e in evidence] + [min(m.actual_start or m.planned_start, today) for m in mobilities]
    return _fulfilment_state(
        commitment,
        today,
        year,
        started=bool(evidence or mobilities),
        last=max(dates, default=None),
        noted=sum((e.quantity or Decimal(0) for e in this_year), Decimal(0)),
        notes=len(this_year),
        stays=len(stays),
        stay_months=sum((m.months for m in stays), Decimal(0)),
    )


def _fulfilment_state(commitment, today, year, *, started, last, noted, notes, stays, stay_months) -> FulfilmentState:
    """The rule of ``fulfilment`` on figures already summed (by Python or by the database)."""
    target = commitment.quantity_per_year
    from_stays = Decimal(stay_months or 0) if commitment.unit == "months" else Decimal(stays)
    if target:
        if not noted and notes:
            noted = Decimal(notes)
        done = Decimal(noted or 0) + from_stays
        percent = min(100, int(done * 100 / target)) if target else 0
    else:
        done = Decimal(notes) + from_stays
        percent = 100 if done else 0
    if not started:
        state = Fulfilment.NOT_STARTED
    elif last and (today - last).days > 365:
        state = Fulfilment.LAPSED
    elif percent >= 100:
        state = Fulfilment.FULFILLED
    else:
        state = Fulfilment.IN_PROGRESS
    return FulfilmentState(state, done, target, percent, year, last)


def fulfilment_counts(commitments: QuerySet, today: datetime.date | None = None) -> dict[str, int]:
    """How many of ``commitments`` are in each state of ``fulfilment``, counted by the database.

    The rule of ``fulfilment`` written once more as one SQL statement (its notes of evidence and
    its stays summed per commitment, the state decided by a CASE, the states counted): no
    commitment, note or stay is loaded, whatever their number. ``test_services`` checks that both
    agree in every state.
    """
    from django.db import connection

    from accord.mobility.models import Mobility, MobilityStatus

    today = today or timezone.localdate()
    year = academic_year_of(today)
    start, end = academic_year_bounds(year)
    cutoff = today - datetime.timedelta(days=365)  # "no evidence in 12 months": older than this
    q = connection.ops.quote_name
    ids_sql, ids_params = commitments.order_by().values("pk").query.sql_with_params()
    evidence, mobility, commitment = Evidence._meta.db_table, Mobility._meta.db_table, Commitment._meta.db_table
    sql = f"""
        SELECT state, COUNT(*) FROM (
            SELECT CASE
                WHEN n.cid IS NULL AND s.cid IS NULL THEN %s
                WHEN (n.last_day IS NULL OR n.last_day < %s) AND (s.last_day IS NULL OR s.last_day < %s) THEN %s
                WHEN COALESCE(c.{q("quantity_per_year")}, 0) > 0 AND
                    (CASE WHEN COALESCE(n.noted, 0) = 0 THEN COALESCE(n.notes, 0) ELSE n.noted END
                     + CASE WHEN c.{q("unit")} = %s THEN COALESCE(s.stay_months, 0) ELSE COALESCE(s.stays, 0) END)
                    >= c.{q("quantity_per_year")} THEN %s
                WHEN COALESCE(c.{q("quantity_per_year")}, 0) = 0 AND
                    (COALESCE(n.notes, 0)
                     + CASE WHEN c.{q("unit")} = %s THEN COALESCE(s.stay_months, 0) ELSE COALESCE(s.stays, 0) END)
                    > 0 THEN %s
                ELSE %s
            END AS state
            FROM {q(commitment)} c
            LEFT JOIN (
                SELECT {q("commitment_id")} AS cid, MAX({q("happened_on")}) AS last_day,
                    SUM(CASE WHEN {q("happened_on")} BETWEEN %s AND %s THEN COALESCE({q("quantity")}, 0) ELSE 0 END)
                        AS noted,
                    SUM(CASE WHEN {q("happened_on")} BETWEEN %s AND %s THEN 1 ELSE 0 END) AS notes
                FROM {q(evidence)} WHERE {q("commitment_id")} IN ({ids_sql}) GROUP BY {q("commitment_id")}
            ) n ON n.cid = c.{q("id")}
            LEFT JOIN (
                SELECT {q("commitment_id")} AS cid,
                    MAX(COALESCE({q("actual_start")}, {q("planned_start")})) AS last_day,
                    SUM(CASE WHEN {q("academic_year")} = %s THEN 1 ELSE 0 END) AS stays,
                    SUM(CASE WHEN {q("academic_year")} = %s THEN {q("months")} ELSE 0 END) AS stay_months
                FROM {q(mobility)}
                WHERE {q("commitment_id")} IN ({ids_sql}) AND {q("status")} <> %s
                GROUP BY {q("commitment_id")}
            ) s ON s.cid = c.{q("id")}
            WHERE c.{q("id")} IN ({ids_sql})
        ) states GROUP BY state
    """
    params = [
        Fulfilment.NOT_STARTED, cutoff, cutoff, Fulfilment.LAPSED,
        "months", Fulfilment.FULFILLED, "months", Fulfilment.FULFILLED, Fulfilment.IN_PROGRESS,
        start, end, start, end, *ids_params,
        year, year, *ids_params, MobilityStatus.CANCELLED,
        *ids_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {state: count for state, count in cursor.fetchall()}
