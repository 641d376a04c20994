"""Reads of programmes, calls, applications and mobilities: privacy, exchange balance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accord.core.tenancy import CHANGE, VIEW, scope_ids, user_can
from accord.mobility.models import Application, Call, Direction, Mobility, MobilityStatus, Programme


def programme_list(*, user, action: str = VIEW) -> QuerySet[Programme]:
    return Programme.objects.restrict(user, action).select_related("owner", "funder")


def call_list(*, user, action: str = VIEW) -> QuerySet[Call]:
    return (
        Call.objects.restrict(user, action)
        .select_related("owner", "programme", "host")
        .annotate(application_count=Count("applications", distinct=True))
        # An annotation drops the model's ordering; calls closing last come first.
        .order_by("-closes_on", "-id")
    )


def application_list(*, user, action: str = VIEW) -> QuerySet[Application]:
    return Application.objects.restrict(user, action).select_related("call", "call__owner", "home_unit")


def mobility_list(*, user, action: str = VIEW) -> QuerySet[Mobility]:
    return Mobility.objects.restrict(user, action).select_related(
        "owner", "home_organization", "host_organization", "partner", "programme"
    )


YEARS_BACK = 40  # academic years offered in the filters, before the next one


def academic_years(user, today=None) -> list[str]:
    """The academic years in which ``user`` may see a mobility, newest first.

    One query asking, for each academic year from next year back ``YEARS_BACK`` years, whether
    a visible mobility exists in it (an index seek per year and owner), instead of reading the
    distinct years of every visible mobility (a million rows for a ministry).
    """
    from django.db.models import Exists
    from django.utils import timezone

    from accord.agreements.selectors import academic_year_of
    from accord.partners.models import Organization

    first = int(academic_year_of(today or timezone.localdate()).split("/")[0]) + 1
    candidates = [f"{y}/{y + 1}" for y in range(first, first - YEARS_BACK - 1, -1)]
    visible = Mobility.objects.restrict(user, VIEW).order_by()
    found = (
        Organization.objects.order_by()
        .annotate(**{f"y{i}": Exists(visible.filter(academic_year=year)) for i, year in enumerate(candidates)})
        .values(*(f"y{i}" for i in range(len(candidates))))[:1]
    )
    row = next(iter(found), None)
    return [year for i, year in enumerate(candidates) if row and row[f"y{i}"]]


def may_see_personal(user, owner_id: int) -> bool:
    """Names and personal data: editors and above of the owner organisation only.

    Oversight bodies (a department above a university) and viewers see the records and
    their figures, not who the people are.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user_can(user, CHANGE) and owner_id == user.home_organization_id


def personal_owner_ids(user) -> frozenset[int]:
    """The owners whose people ``user`` may see by name (for filters on personal fields)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return scope_ids(user) | frozenset({0})
    if not user_can(user, CHANGE) or not user.home_organization_id:
        return frozenset()
    return frozenset({user.home_organization_id})


def display_name(user, record) -> str:
    """The person's name if the user may see it, else a neutral label with the record's number."""
    owner_id = record.call.owner_id if isinstance(record, Application) else record.owner_id
    if may_see_personal(user, owner_id):
        return record.full_name
    if isinstance(record, Application):
        return _("Applicant no. %(number)s") % {"number": record.pk}
    return _("Participant no. %(number)s") % {"number": record.pk}


# Exchange balance ------------------------------------------------------------------------


@dataclass
class BalanceRow:
    key: int
    label: str
    year: str
    incoming_people: int = 0
    outgoing_people: int = 0
    incoming_months: Decimal = Decimal(0)
    outgoing_months: Decimal = Decimal(0)

    @property
    def people_balance(self) -> int:
        return self.incoming_people - self.outgoing_people

    @property
    def months_balance(self) -> Decimal:
        return self.incoming_months - self.outgoing_months


@dataclass
class Balance:
    rows: list[BalanceRow] = field(default_factory=list)

    @property
    def totals(self) -> BalanceRow:
        total = BalanceRow(0, _("Total"), "")
        for row in self.rows:
            total.incoming_people += row.incoming_people
            total.outgoing_people += row.outgoing_people
            total.incoming_months += row.incoming_months
            total.outgoing_months += row.outgoing_months
        return total


def exchange_balance(queryset: QuerySet[Mobility], by: str = "partner") -> Balance:
    """Incoming against outgoing, in people and months, per ``by`` (partner or agreement) and academic year.

    Cancelled mobilities do not count. One grouped query whatever the number of mobilities.
    """
    if by not in {"partner", "agreement"}:
        raise ValueError(by)
    label_field = "partner__name" if by == "partner" else "agreement__title"
    grouped = (
        queryset.exclude(status=MobilityStatus.CANCELLED)
        .filter(**{f"{by}__isnull": False})
        .values(f"{by}_id", label_field, "academic_year", "direction")
        .annotate(people=Count("id"), months=Sum("months"))
        .order_by()
    )
    rows: dict[tuple[int, str], BalanceRow] = {}
    for item in grouped:
        key = (item[f"{by}_id"], item["academic_year"])
        row = rows.setdefault(key, BalanceRow(key[0], item[label_field], key[1]))
        if item["direction"] == Direction.INCOMING:
            row.incoming_people += item["people"]
            row.incoming_months += item["months"] or Decimal(0)
        else:
            row.outgoing_people += item["people"]
            row.outgoing_months += item["months"] or Decimal(0)
    for row in rows.values():
        # SQLite sums decimals as floats (5.90000000000000); months are kept to one decimal.
        row.incoming_months = Decimal(row.incoming_months).quantize(Decimal("0.1"))
        row.outgoing_months = Decimal(row.outgoing_months).quantize(Decimal("0.1"))
    ordered = sorted(rows.values(), key=lambda r: (r.label.casefold(), r.year))
    return Balance(ordered)


def mobility_counts(queryset: QuerySet[Mobility]) -> dict[str, dict[str, int]]:
    """People per direction and category (for viewers and oversight, who do not see names)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        queryset.exclude(status=MobilityStatus.CANCELLED)
        .values("direction", "category")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["direction"]][row["category"]] = row["n"]
    return dict(counts)


def commitment_mobility_q(start, end) -> Q:
    """Mobilities that count for a commitment in an academic year: not cancelled, starting within it."""
    return Q(planned_start__range=(start, end)) & ~Q(status=MobilityStatus.CANCELLED)
