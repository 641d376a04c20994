"""Writes to engagements, their participants and follow-up actions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.tenancy import ADD, CHANGE, DELETE
from accord.core.text import fold
from accord.engagements.models import (
    ActionStatus,
    CalendarFeed,
    DatePrecision,
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    EngagementTitle,
    FollowUpAction,
    Participant,
    end_of_month,
)
from accord.partners.models import Organization, Person

ENGAGEMENT_FIELDS = [
    "kind",
    "title",
    "title_language",
    "owner",
    "starts_on",
    "ends_on",
    "precision",
    "cancelled",
    "city",
    "country",
    "online",
    "host",
    "parent",
    "series",
    "allocation",
    "headcount",
    "summary",
]
ACTION_FIELDS = ["title", "description", "engagement", "owner", "responsible", "due_on", "due_precision"]
Rows = Iterable[Mapping[str, Any]] | None


class ParticipantOrganizationMissing(ValidationError):
    """A participant represents an organisation that is not taking part; the form offers to add it."""

    def __init__(self, organizations: list[Organization]):
        self.organizations = organizations
        super().__init__(
            {
                "participants": [
                    _("%(names)s is not taking part in this engagement. Add it to the organisations first.")
                    % {"names": ", ".join(o.name for o in organizations)}
                ]
            }
        )


_require_row = core.require_row


_check_owner = core.check_owner


_visible = core.require_visible


def _pk(value):
    return getattr(value, "pk", value)


def _refresh_search(engagement: Engagement) -> None:
    parts = [engagement.title, engagement.city, engagement.summary[:500]]
    parts += list(engagement.titles.values_list("title", flat=True))
    parts += list(engagement.organizations.values_list("organization__name", flat=True))
    text = " | ".join(fold(p) for p in parts if p)
    Engagement.objects.filter(pk=engagement.pk).update(search_text=text)
    engagement.search_text = text


def _check_participants(engagement: Engagement) -> None:
    taking_part = set(engagement.organizations.values_list("organization_id", flat=True))
    if engagement.host_id:
        taking_part.add(engagement.host_id)
    missing_ids = {
        p.organization_id
        for p in engagement.participants.all()
        if p.organization_id and p.organization_id not in taking_part
    }
    # A person of a unit (a faculty, a centre) represents the organisation the unit belongs to.
    for org_id in list(missing_ids):
        ancestor = Organization.objects.filter(pk=org_id).values_list("parent_id", flat=True).first()
        seen = {org_id}
        while ancestor and ancestor not in seen:
            if ancestor in taking_part:
                missing_ids.discard(org_id)
                break
            seen.add(ancestor)
            ancestor = Organization.objects.filter(pk=ancestor).values_list("parent_id", flat=True).first()
    if missing_ids:
        raise ParticipantOrganizationMissing(list(Organization.objects.filter(pk__in=missing_ids).order_by("name")))


def _save_children(engagement, user, titles: Rows, organizations: Rows, participants: Rows) -> None:
    _visible(
        user,
        Organization,
        [_pk(r.get("organization")) for r in organizations or [] if not r.get("DELETE")],
        "organizations",
    )
    _visible(user, Person, [_pk(r.get("person")) for r in participants or [] if not r.get("DELETE")], "participants")
    errors: dict[str, list[str]] = {}
    for rows, model, fields, label in (
        (titles, EngagementTitle, ["language", "title"], "titles"),
        (organizations, EngagementOrganization, ["organization", "role"], "organizations"),
        (participants, Participant, ["person", "organization", "role"], "participants"),
    ):
        if rows is None:
            continue
        prepared = []
        for row in rows:
            row = dict(row)
            # A participant represents their affiliation unless told otherwise.
            if label == "participants" and not row.get("organization") and row.get("person") and not row.get("DELETE"):
                person = row["person"] if isinstance(row["person"], Person) else Person.objects.get(pk=row["person"])
                row["organization"] = person.affiliation
            prepared.append(row)
        try:
            core.sync_children(
                parent=engagement,
                model=model,
                fk_name="engagement",
                rows=prepared,
                fields=fields,
                user=user,
                label=label,
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    _check_participants(engagement)


def _check_allocation(user, engagement: Engagement) -> None:
    from accord.funding.models import Allocation

    _visible(user, Allocation, [engagement.allocation_id], "allocation")


def _apply(engagement: Engagement, data: Mapping[str, Any]) -> None:
    for field in ENGAGEMENT_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field in {"title_language", "city", "country", "summary"}:
                value = ""
            setattr(engagement, field, value)


@transaction.atomic
def engagement_create(
    *,
    acting_user,
    data: Mapping[str, Any],
    titles: Rows = None,
    organizations: Rows = None,
    participants: Rows = None,
    agreements: Iterable | None = None,
) -> Engagement:
    """Record an engagement with the organisations and people taking part, all or nothing."""
    core.require(acting_user, ADD)
    engagement = Engagement()
    _apply(engagement, data)
    if engagement.owner_id is None and getattr(acting_user, "home_organization_id", None):
        engagement.owner = acting_user.home_organization
    _check_owner(acting_user, engagement.owner)
    _visible(acting_user, Organization, [engagement.host_id], "host")
    _visible(acting_user, Engagement, [engagement.parent_id], "parent")
    _visible(acting_user, EngagementSeries, [engagement.series_id], "series")
    _check_allocation(acting_user, engagement)
    core.save(engagement, acting_user)
    _save_children(engagement, acting_user, titles, organizations, participants)
    if agreements is not None:
        engagement_set_agreements(engagement=engagement, acting_user=acting_user, agreements=agreements)
    _refresh_search(engagement)
    return engagement


@transaction.atomic
def engagement_update(
    *,
    engagement: Engagement,
    acting_user,
    data: Mapping[str, Any],
    titles: Rows = None,
    organizations: Rows = None,
    participants: Rows = None,
    agreements: Iterable | None = None,
    expected_updated_at=None,
) -> Engagement:
    _require_row(acting_user, engagement, CHANGE)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    core.check_version(engagement, expected_updated_at)
    _apply(engagement, data)
    if "owner" in data:
        _check_owner(acting_user, engagement.owner)
    if "host" in data:
        _visible(acting_user, Organization, [engagement.host_id], "host")
    if "series" in data:
        _visible(acting_user, EngagementSeries, [engagement.series_id], "series")
    if "allocation" in data:
        _check_allocation(acting_user, engagement)
    if "parent" in data:
        _visible(acting_user, Engagement, [engagement.parent_id], "parent")
        ancestor = engagement.parent
        while ancestor is not None:
            if ancestor.pk == engagement.pk:
                raise ValidationError({"parent": [_("An engagement cannot be part of itself or of one of its parts.")]})
            ancestor = ancestor.parent
    core.save(engagement, acting_user)
    _save_children(engagement, acting_user, titles, organizations, participants)
    if agreements is not None:
        engagement_set_agreements(engagement=engagement, acting_user=acting_user, agreements=agreements)
    _refresh_search(engagement)
    return engagement


def engagement_set_agreements(*, engagement: Engagement, acting_user, agreements: Iterable) -> None:
    """The agreements signed at this engagement (seen from the agreement as ``signed_at``)."""
    from accord.agreements.models import Agreement

    ids = [_pk(a) for a in agreements]
    _visible(acting_user, Agreement, ids, "agreements")
    engagement.agreements.set(ids)


@transaction.atomic
def engagement_delete(*, engagement: Engagement, acting_user) -> None:
    _require_row(acting_user, engagement, DELETE)
    for child in [*engagement.titles.all(), *engagement.participants.all(), *engagement.organizations.all()]:
        core.delete(child, acting_user)
    core.delete(engagement, acting_user)


@transaction.atomic
def series_create(*, acting_user, name: str, owner=None, description: str = "") -> EngagementSeries:
    core.require(acting_user, ADD)
    owner = owner or acting_user.home_organization
    _check_owner(acting_user, owner)
    return core.save(EngagementSeries(name=name, owner=owner, description=description), acting_user)


def _apply_action(action: FollowUpAction, data: Mapping[str, Any]) -> None:
    for field in ACTION_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field in {"description", "due_precision"}:
                value = "" if field == "description" else DatePrecision.DAY
            setattr(action, field, value)


@transaction.atomic
def action_create(*, acting_user, data: Mapping[str, Any]) -> FollowUpAction:
    """A follow-up action; a new one may not be due in a month that has already passed."""
    core.require(acting_user, ADD)
    action = FollowUpAction()
    _apply_action(action, data)
    if action.owner_id is None:
        action.owner = action.engagement.owner if action.engagement_id else acting_user.home_organization
    _check_owner(acting_user, action.owner)
    _visible(acting_user, Engagement, [action.engagement_id], "engagement")
    _visible(acting_user, Person, [action.responsible_id], "responsible")
    if action.due_on and action.due_precision == DatePrecision.MONTH:
        if end_of_month(action.due_on) < timezone.localdate().replace(day=1):
            raise ValidationError({"due_on": [_("That month has passed; a new action needs a month to come.")]})
    return core.save(action, acting_user)


@transaction.atomic
def action_update(
    *, action: FollowUpAction, acting_user, data: Mapping[str, Any], expected_updated_at=None
) -> FollowUpAction:
    _require_row(acting_user, action, CHANGE)
    action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    core.check_version(action, expected_updated_at)
    _apply_action(action, data)
    if "owner" in data:
        _check_owner(acting_user, action.owner)
    if "engagement" in data:
        _visible(acting_user, Engagement, [action.engagement_id], "engagement")
    _visible(acting_user, Person, [action.responsible_id], "responsible")
    return core.save(action, acting_user)


@transaction.atomic
def action_complete(
    *, action: FollowUpAction, acting_user, done_on: datetime.date | None = None, fulfilled_by=None
) -> FollowUpAction:
    """Close an action as done, optionally linking the engagement or record that fulfilled it."""
    _require_row(acting_user, action, CHANGE)
    action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.OPEN:
        raise ValidationError(_("Only an open action can be closed."))
    if fulfilled_by is not None:
        model = type(fulfilled_by)
        if (
            hasattr(model.objects, "restrict")
            and not model.objects.restrict(acting_user).filter(pk=fulfilled_by.pk).exists()
        ):
            raise ValidationError({"fulfilled_by": [_("Choose a record you can see.")]})
        action.fulfilled_type = ContentType.objects.get_for_model(model)
        action.fulfilled_id = fulfilled_by.pk
    action.status = ActionStatus.DONE
    action.done_on = done_on or timezone.localdate()
    return core.save(action, acting_user)


@transaction.atomic
def action_cancel(*, action: FollowUpAction, acting_user) -> FollowUpAction:
    _require_row(acting_user, action, CHANGE)
    action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.OPEN:
        raise ValidationError(_("Only an open action can be cancelled."))
    action.status = ActionStatus.CANCELLED
    return core.save(action, acting_user)


@transaction.atomic
def action_reopen(*, action: FollowUpAction, acting_user) -> FollowUpAction:
    _require_row(acting_user, action, CHANGE)
    action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    action.status, action.done_on, action.fulfilled_type, action.fulfilled_id = ActionStatus.OPEN, None, None, None
    return core.save(action, acting_user)


@transaction.atomic
def action_delete(*, action: FollowUpAction, acting_user) -> None:
    _require_row(acting_user, action, DELETE)
    core.delete(action, acting_user)


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> CalendarFeed:
    """Revoke the user's calendar address and give them a new one; the old one answers 404."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)
