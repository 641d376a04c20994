"""Writes to funding schemes, allocations (with the quota invariant) and projects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.tenancy import ADD, CHANGE, DELETE, scope_ids
from accord.core.text import fold
from accord.funding.models import (
    Allocation,
    AllocationUnit,
    FundingScheme,
    Project,
    ProjectOutput,
    ProjectPartner,
    ProjectRole,
)
from accord.partners.models import Organization

SCHEME_FIELDS = ["name", "kind", "owner", "funder", "unit", "currency", "total", "starts_on", "ends_on", "description"]
ALLOCATION_FIELDS = ["recipient", "quantity", "period", "note"]
PROJECT_FIELDS = [
    "acronym",
    "title",
    "owner",
    "funder",
    "scheme",
    "reference",
    "budget",
    "currency",
    "starts_on",
    "ends_on",
    "status",
    "themes",
    "summary",
]
_TEXT = {"description", "currency", "period", "note", "reference", "themes", "summary", "acronym"}
Rows = Iterable[Mapping[str, Any]] | None


def _pk(value):
    return getattr(value, "pk", value)


def _apply(obj, fields, data: Mapping[str, Any]) -> None:
    for field in fields:
        if field in data:
            value = data[field]
            if value is None and field in _TEXT:
                value = ""
            setattr(obj, field, value)


# Schemes ---------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(*, acting_user, data: Mapping[str, Any]) -> FundingScheme:
    core.require(acting_user, ADD)
    scheme = FundingScheme()
    _apply(scheme, SCHEME_FIELDS, data)
    if scheme.owner_id is None and getattr(acting_user, "home_organization_id", None):
        scheme.owner = acting_user.home_organization
    core.check_owner(acting_user, scheme.owner)
    core.require_visible(acting_user, Organization, [scheme.funder_id], "funder")
    return core.save(scheme, acting_user)


@transaction.atomic
def scheme_update(*, scheme: FundingScheme, acting_user, data: Mapping[str, Any], expected_updated_at=None):
    core.require_row(acting_user, scheme, CHANGE)
    scheme = FundingScheme.objects.select_for_update().get(pk=scheme.pk)
    core.check_version(scheme, expected_updated_at)
    old_unit, old_currency = scheme.unit, scheme.currency
    _apply(scheme, SCHEME_FIELDS, data)
    if "owner" in data:
        core.check_owner(acting_user, scheme.owner)
    if "funder" in data:
        core.require_visible(acting_user, Organization, [scheme.funder_id], "funder")
    if scheme.unit != old_unit and scheme.allocations.exists():
        raise ValidationError({"unit": [_("The unit cannot change once the scheme has allocations.")]})
    if (
        scheme.unit == AllocationUnit.AMOUNT
        and (scheme.currency or "").strip().upper() != old_currency
        and scheme.allocations.exists()
    ):
        raise ValidationError({"currency": [_("The currency cannot change once the scheme has allocations.")]})
    if scheme.total is not None:
        given = _given(scheme.allocations.filter(parent__isnull=True))
        if given > scheme.total:
            raise ValidationError(
                {"total": [_("%(given)s is already allocated; the total cannot be less.") % {"given": _fmt(given)}]}
            )
    return core.save(scheme, acting_user)


@transaction.atomic
def scheme_delete(*, scheme: FundingScheme, acting_user) -> None:
    core.require_row(acting_user, scheme, DELETE)
    if (
        scheme.allocations.filter(mobilities__isnull=False).exists()
        or scheme.allocations.filter(calls__isnull=False).exists()
    ):
        raise ValidationError(_("Mobilities or calls use this scheme's allocations; unlink them first."))
    for allocation in scheme.allocations.order_by("-parent_id"):
        core.delete(allocation, acting_user)
    core.delete(scheme, acting_user)


# Allocations -----------------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _given(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def _may_allocate(user, scheme: FundingScheme, parent: Allocation | None) -> None:
    """The scheme's owner allocates anywhere in it; a recipient passes on what it was given."""
    if FundingScheme.objects.restrict(user, CHANGE).filter(pk=scheme.pk).exists():
        return
    if parent is not None and (user.is_superuser or parent.recipient_id in scope_ids(user)):
        core.require(user, ADD)
        return
    raise PermissionDenied(_("Only the scheme's owner, or the recipient of an allocation, may allocate from it."))


def _check_room(scheme: FundingScheme, parent: Allocation | None, quantity: Decimal, exclude_pk=None) -> None:
    """The allocations under ``parent`` (or at the top of ``scheme``) fit in it, with ``quantity`` more.

    The caller holds a lock on the parent (or the scheme), so two allocations written at once
    cannot both see the same room.
    """
    if parent is not None:
        siblings = parent.children.all()
        limit, label = parent.quantity, _("the allocation to %(name)s") % {"name": parent.recipient}
    else:
        siblings = scheme.allocations.filter(parent__isnull=True)
        limit, label = scheme.total, _("the scheme's total")
    if limit is None:
        return
    if exclude_pk:
        siblings = siblings.exclude(pk=exclude_pk)
    given = _given(siblings)
    if given + quantity > limit:
        raise ValidationError(
            {
                "quantity": [
                    _("%(limit)s is %(total)s, of which %(given)s is already allocated; at most %(room)s remains.")
                    % {
                        "limit": label,
                        "total": _fmt(limit),
                        "given": _fmt(given),
                        "room": _fmt(max(limit - given, Decimal(0))),
                    }
                ]
            }
        )


def _lock(scheme: FundingScheme, parent: Allocation | None):
    scheme = FundingScheme.objects.select_for_update().get(pk=scheme.pk)
    if parent is not None:
        parent = Allocation.objects.select_for_update(of=("self",)).select_related("recipient").get(pk=parent.pk)
    return scheme, parent


@transaction.atomic
def allocation_create(
    *, acting_user, scheme: FundingScheme, data: Mapping[str, Any], parent: Allocation | None = None
) -> Allocation:
    """Allocate ``data["quantity"]`` of ``scheme`` (or of ``parent``) to ``data["recipient"]``."""
    if parent is not None and parent.scheme_id != scheme.pk:
        raise ValidationError({"parent": [_("An allocation is passed on within its own scheme.")]})
    _may_allocate(acting_user, scheme, parent)
    scheme, parent = _lock(scheme, parent)
    allocation = Allocation(scheme=scheme, parent=parent)
    _apply(allocation, ALLOCATION_FIELDS, data)
    core.require_visible(acting_user, Organization, [allocation.recipient_id], "recipient")
    allocation.full_clean()
    _check_room(scheme, parent, allocation.quantity)
    return core.save(allocation, acting_user, validate=False)


@transaction.atomic
def allocation_update(
    *, allocation: Allocation, acting_user, data: Mapping[str, Any], expected_updated_at=None
) -> Allocation:
    core.require_row(acting_user, allocation, CHANGE)
    scheme, parent = _lock(allocation.scheme, allocation.parent)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    core.check_version(allocation, expected_updated_at)
    _apply(allocation, ALLOCATION_FIELDS, data)
    if "recipient" in data:
        core.require_visible(acting_user, Organization, [allocation.recipient_id], "recipient")
    allocation.full_clean()
    _check_room(scheme, parent, allocation.quantity, exclude_pk=allocation.pk)
    below = _given(allocation.children.all())
    if allocation.quantity < below:
        raise ValidationError(
            {
                "quantity": [
                    _("%(given)s of it is passed on to others; the quantity cannot be less.") % {"given": _fmt(below)}
                ]
            }
        )
    return core.save(allocation, acting_user, validate=False)


@transaction.atomic
def allocation_delete(*, allocation: Allocation, acting_user) -> None:
    core.require_row(acting_user, allocation, DELETE)
    if allocation.children.exists():
        raise ValidationError(_("Parts of this allocation are passed on; delete those first."))
    if allocation.mobilities.exists() or allocation.calls.exists():
        raise ValidationError(_("Mobilities or calls use this allocation; unlink them first."))
    core.delete(allocation, acting_user)


# Projects --------------------------------------------------------------------------------


def _refresh_search(project: Project) -> None:
    parts = [project.acronym, project.title, project.reference, project.themes, project.summary[:500]]
    parts += list(project.partners.values_list("organization__name", flat=True))
    text = " | ".join(fold(p) for p in parts if p)
    Project.objects.filter(pk=project.pk).update(search_text=text)
    project.search_text = text


def _coordinator_errors(project: Project, partners: list[Mapping[str, Any]]) -> list[str]:
    """A project has one coordinator: the rows given, with the partners they leave as they are."""
    existing = {p.pk: p for p in project.partners.all()}
    mentioned = {int(r["id"]) for r in partners if r.get("id") and int(r["id"]) in existing}
    taken = any(p.role == ProjectRole.COORDINATOR for pk, p in existing.items() if pk not in mentioned)
    errors = []
    for number, row in enumerate(partners, start=1):
        if row.get("DELETE"):
            continue
        kept = existing.get(int(row["id"])) if row.get("id") else None
        role = row.get("role", kept.role if kept else ProjectRole.PARTNER)
        if role != ProjectRole.COORDINATOR:
            continue
        if taken:
            errors.append(
                _("Row %(row)s: a project has one coordinator, and another partner already is.") % {"row": number}
            )
        taken = True
    return errors


def _save_children(project: Project, user, partners: Rows, outputs: Rows) -> None:
    # The rows are read more than once below; a generator would be empty the second time.
    partners = list(partners) if partners is not None else None
    outputs = list(outputs) if outputs is not None else None
    if partners is not None:
        coordinators = _coordinator_errors(project, partners)
        if coordinators:
            raise ValidationError({"partners": coordinators})
        # Handing the coordination over: the old coordinator steps down before the new one is
        # saved, whatever the order of the rows, or the database's one-coordinator rule would trip.
        stepping_down = [
            int(r["id"]) for r in partners if r.get("id") and "role" in r and r["role"] != ProjectRole.COORDINATOR
        ]
        if stepping_down:
            ProjectPartner.objects.filter(project=project, pk__in=stepping_down, role=ProjectRole.COORDINATOR).update(
                role=ProjectRole.PARTNER
            )
    core.require_visible(
        user, Organization, [_pk(r.get("organization")) for r in partners or [] if not r.get("DELETE")], "partners"
    )
    errors: dict[str, list[str]] = {}
    for rows, model, fields, label in (
        (partners, ProjectPartner, ["organization", "role", "budget_share"], "partners"),
        (outputs, ProjectOutput, ["kind", "title", "due_on", "delivered_on", "note"], "outputs"),
    ):
        if rows is None:
            continue
        try:
            core.sync_children(
                parent=project, model=model, fk_name="project", rows=rows, fields=fields, user=user, label=label
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not errors:
        # Checked on every save, so a lower budget cannot slip under the shares already given.
        coordinators = project.partners.filter(role="coordinator").count()
        if coordinators > 1:
            errors.setdefault("partners", []).append(_("A project has one coordinator."))
        shares = project.partners.aggregate(total=Sum("budget_share"))["total"]
        if shares is not None and project.budget is not None and shares > project.budget:
            errors.setdefault("partners", []).append(
                _("The partners' shares (%(shares)s) exceed the budget (%(budget)s).")
                % {"shares": _fmt(shares), "budget": _fmt(project.budget)}
            )
    if errors:
        raise ValidationError(errors)


def _set_engagements(project: Project, user, engagements) -> None:
    from accord.engagements.models import Engagement

    ids = [_pk(e) for e in engagements]
    core.require_visible(user, Engagement, ids, "engagements")
    project.engagements.set(ids)


@transaction.atomic
def project_create(
    *, acting_user, data: Mapping[str, Any], partners: Rows = None, outputs: Rows = None, engagements=None
) -> Project:
    core.require(acting_user, ADD)
    project = Project()
    _apply(project, PROJECT_FIELDS, data)
    if project.owner_id is None and getattr(acting_user, "home_organization_id", None):
        project.owner = acting_user.home_organization
    core.check_owner(acting_user, project.owner)
    core.require_visible(acting_user, Organization, [project.funder_id], "funder")
    core.require_visible(acting_user, FundingScheme, [project.scheme_id], "scheme")
    core.save(project, acting_user)
    _save_children(project, acting_user, partners, outputs)
    if engagements is not None:
        _set_engagements(project, acting_user, engagements)
    _refresh_search(project)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    acting_user,
    data: Mapping[str, Any],
    partners: Rows = None,
    outputs: Rows = None,
    engagements=None,
    expected_updated_at=None,
) -> Project:
    core.require_row(acting_user, project, CHANGE)
    project = Project.objects.select_for_update().get(pk=project.pk)
    core.check_version(project, expected_updated_at)
    _apply(project, PROJECT_FIELDS, data)
    if "owner" in data:
        core.check_owner(acting_user, project.owner)
    if "funder" in data:
        core.require_visible(acting_user, Organization, [project.funder_id], "funder")
    if "scheme" in data:
        core.require_visible(acting_user, FundingScheme, [project.scheme_id], "scheme")
    core.save(project, acting_user)
    _save_children(project, acting_user, partners, outputs)
    if engagements is not None:
        _set_engagements(project, acting_user, engagements)
    _refresh_search(project)
    return project


@transaction.atomic
def project_delete(*, project: Project, acting_user) -> None:
    core.require_row(acting_user, project, DELETE)
    for child in [*project.partners.all(), *project.outputs.all(), *project.citations.all()]:
        core.delete(child, acting_user)
    project.engagements.clear()
    core.delete(project, acting_user)
