"""Reads of funding: schemes, allocations with what is used and what remains, projects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from accord.core.tenancy import VIEW
from accord.funding.models import Allocation, AllocationUnit, FundingScheme, Project


def scheme_list(*, user, action: str = VIEW) -> QuerySet[FundingScheme]:
    return FundingScheme.objects.restrict(user, action).select_related("owner", "funder")


def project_list(*, user, action: str = VIEW) -> QuerySet[Project]:
    return Project.objects.restrict(user, action).select_related("owner", "funder", "scheme")


def allocation_list(*, user, action: str = VIEW) -> QuerySet[Allocation]:
    return Allocation.objects.restrict(user, action).select_related("scheme", "recipient", "parent__recipient")


@dataclass
class Usage:
    """An allocation's figures. ``used`` counts what uses it directly and through its children."""

    quantity: Decimal
    passed_on: Decimal  # given to the allocations under it
    used_here: Decimal  # mobilities, selected applicants and trainees linked to it directly
    used: Decimal  # used_here plus what is used under it
    remaining: Decimal  # quantity − passed_on − used_here: what it can still use or pass on

    @property
    def percent(self) -> int:
        if not self.quantity:
            return 100 if self.used or self.passed_on else 0
        return min(100, int((self.passed_on + self.used_here) * 100 / self.quantity))

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0


def direct_use(allocation_ids, unit_of: dict[int, str]) -> dict[int, Decimal]:
    """What uses each allocation directly, in a fixed number of queries.

    Places and people: mobilities not cancelled, applications selected but not yet nominated
    (a nominated one is counted by its mobility), and the participants of training courses
    linked to it (their head-count when no participants are listed). Amounts: the funding
    amounts of the mobilities.
    """
    from accord.engagements.models import Engagement
    from accord.mobility.models import Application, ApplicationStatus, Mobility, MobilityStatus

    ids = list(allocation_ids)
    used: dict[int, Decimal] = defaultdict(Decimal)
    if not ids:
        return used
    mobilities = (
        Mobility.objects.filter(allocation_id__in=ids)
        .exclude(status=MobilityStatus.CANCELLED)
        .values("allocation_id")
        .annotate(people=Count("id"), amount=Sum("funding_amount"))
    )
    for row in mobilities:
        if unit_of.get(row["allocation_id"]) == AllocationUnit.AMOUNT:
            used[row["allocation_id"]] += row["amount"] or Decimal(0)
        else:
            used[row["allocation_id"]] += row["people"]
    applications = (
        Application.objects.filter(call__allocation_id__in=ids, status=ApplicationStatus.SELECTED)
        .values("call__allocation_id")
        .annotate(n=Count("id"))
    )
    for row in applications:
        if unit_of.get(row["call__allocation_id"]) != AllocationUnit.AMOUNT:
            used[row["call__allocation_id"]] += row["n"]
    engagements = (
        Engagement.objects.filter(allocation_id__in=ids, cancelled=False)
        .annotate(n=Count("participants", filter=Q(participants__role="trainee")))
        .values_list("allocation_id", "n", "headcount")
    )
    for allocation_id, trainees, headcount in engagements:
        if unit_of.get(allocation_id) != AllocationUnit.AMOUNT:
            used[allocation_id] += trainees or headcount or 0
    return used


def usage_for(allocations) -> dict[int, Usage]:
    """Usage of each allocation given, rolled up through every allocation of their schemes."""
    allocations = list(allocations)
    if not allocations:
        return {}
    scheme_ids = {a.scheme_id for a in allocations}
    rows = list(
        Allocation.objects.filter(scheme_id__in=scheme_ids).values_list("id", "parent_id", "quantity", "scheme__unit")
    )
    unit_of = {pk: unit for pk, _parent, _q, unit in rows}
    quantity = {pk: q for pk, _parent, q, _unit in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent, _q, _unit in rows:
        children[parent].append(pk)
    here = direct_use(quantity, unit_of)
    result: dict[int, Usage] = {}

    def visit(pk: int) -> Decimal:
        below = sum((visit(child) for child in children.get(pk, ())), Decimal(0))
        passed = sum((quantity[child] for child in children.get(pk, ())), Decimal(0))
        used_here = Decimal(here.get(pk, 0))
        result[pk] = Usage(quantity[pk], passed, used_here, used_here + below, quantity[pk] - passed - used_here)
        return used_here + below

    for root in children.get(None, ()):
        visit(root)
    return {a.pk: result[a.pk] for a in allocations if a.pk in result}


def remaining(allocation: Allocation) -> Decimal:
    return usage_for([allocation])[allocation.pk].remaining


def scheme_detail(*, user, pk: int) -> FundingScheme:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(scheme_list(user=user), pk=pk)


def allocation_tree(*, user, scheme: FundingScheme) -> list[tuple[int, Allocation, Usage]]:
    """The scheme's allocations the user may see, depth-first, with their depth and usage."""
    visible = list(allocation_list(user=user).filter(scheme=scheme).order_by("id"))
    usage = usage_for(visible)
    by_parent: dict[int | None, list[Allocation]] = defaultdict(list)
    ids = {a.pk for a in visible}
    for allocation in visible:
        # An allocation whose parent is hidden from the user is shown at the top.
        by_parent[allocation.parent_id if allocation.parent_id in ids else None].append(allocation)
    out: list[tuple[int, Allocation, Usage]] = []

    def walk(parent, depth):
        for allocation in by_parent.get(parent, ()):
            out.append((depth, allocation, usage[allocation.pk]))
            walk(allocation.pk, depth + 1)

    walk(None, 0)
    return out
