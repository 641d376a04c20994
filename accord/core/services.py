"""Helpers every app's services use: permission checks, history attribution, child rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from accord.core.tenancy import user_can


class ConflictError(ValidationError):
    """The record changed after the user loaded it; saving would overwrite someone's work."""


def require(user, action: str) -> None:
    if not user_can(user, action):
        raise PermissionDenied(_("Your role does not allow this."))


def require_row(user, obj: models.Model, action: str, message: str | None = None) -> None:
    """The user's role allows ``action`` and ``obj`` is among the rows they may act on."""
    require(user, action)
    if not type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(message or _("You cannot change this record."))


def require_visible(user, model: type[models.Model], ids, field: str, message: str | None = None) -> None:
    """Links to rows the user cannot see are refused as if those rows did not exist."""
    ids = {i for i in ids if i}
    if not ids or user.is_superuser:
        return
    seen = set(model._default_manager.restrict(user).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - seen:
        raise ValidationError({field: [message or _("Choose from the records you can see.")]})


def check_owner(user, owner, message: str | None = None) -> None:
    """Records are given only to the user's home organisation or one below it."""
    from accord.core.tenancy import scope_ids

    if owner is None:
        raise ValidationError({"owner": [message or _("Choose the organisation that keeps this record.")]})
    if not user.is_superuser and owner.pk not in scope_ids(user):
        raise PermissionDenied(_("You cannot give records to an organisation outside your own."))


def check_version(obj: models.Model, expected) -> None:
    """Refuse to save over a change made since ``expected`` (the ``updated_at`` the user saw)."""
    if expected is None:
        return
    current = type(obj)._default_manager.filter(pk=obj.pk).values_list("updated_at", flat=True).first()
    if current is not None and expected.microsecond == 0:
        # A client that keeps whole seconds only is compared at that precision; every other
        # comparison is exact, so two saves within the same second are still told apart.
        current = current.replace(microsecond=0)
    if current is not None and current != expected:
        raise ConflictError(
            _("Someone else changed this record while you were editing it. Reload the page to see their change."),
            code="conflict",
        )


def save(obj: models.Model, user, *, validate: bool = True, exclude: Iterable[str] | None = None) -> models.Model:
    """Validate and save ``obj``, attributing the history row to ``user``."""
    if validate:
        obj.full_clean(exclude=list(exclude or ()))
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj.save()
    return obj


def delete(obj: models.Model, user) -> None:
    obj._history_user = user if getattr(user, "is_authenticated", False) else None
    obj.delete()


def sync_children(
    *,
    parent: models.Model,
    model: type[models.Model],
    fk_name: str,
    rows: Iterable[Mapping[str, Any]],
    fields: Iterable[str],
    user,
    label: str,
) -> None:
    """Make ``parent``'s child rows of ``model`` match ``rows``.

    Each row is a mapping of ``fields``; a row with an ``id`` updates that child, one with
    ``DELETE`` true removes it, others are created. Children not mentioned are kept. Errors
    name the row: ``{"names": ["Row 2: name: This field cannot be blank."]}``.
    """
    fields = list(fields)
    existing = {child.pk: child for child in model._default_manager.filter(**{fk_name: parent})}
    errors: list[str] = []
    to_save: list[models.Model] = []
    to_delete: list[models.Model] = []
    for number, row in enumerate(rows, start=1):
        pk = row.get("id")
        if pk:
            child = existing.get(int(pk))
            if child is None:
                errors.append(_("Row %(row)s: no such entry.") % {"row": number})
                continue
            if row.get("DELETE"):
                to_delete.append(child)
                continue
        elif row.get("DELETE"):
            continue
        else:
            child = model(**{fk_name: parent})
        for field in fields:
            if field in row:
                setattr(child, field, row[field])
        to_save.append(child)
    deleted_ids = {child.pk for child in to_delete}
    for child in to_delete:
        delete(child, user)
    for number, child in enumerate(to_save, start=1):
        try:
            # Unique constraints are checked below, once, with messages that name the row.
            child.full_clean(exclude=[fk_name], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.extend(_("Row %(row)s: %(message)s") % {"row": number, "message": m} for m in _flatten(exc))
    # Uniqueness is checked after the deletions, among the new rows together and against
    # the children that stay as they are.
    seen: set[tuple] = set()
    saved_ids = {child.pk for child in to_save if child.pk}
    kept = [child for pk, child in existing.items() if pk not in deleted_ids and pk not in saved_ids]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            others = [f for f in constraint.fields if f != fk_name]
            recorded = (
                {tuple(getattr(child, f) for f in others) for child in kept if _meets(constraint, child)}
                if fk_name in constraint.fields
                else set()
            )
            for number, child in enumerate(to_save, start=1):
                if not _meets(constraint, child):
                    continue  # a conditional constraint (one coordinator) says nothing of the other rows
                key = tuple(getattr(child, f) for f in others)
                if (constraint.name, key) in seen:
                    errors.append(_("Row %(row)s: this entry is given twice.") % {"row": number})
                elif key in recorded:
                    errors.append(
                        _("Row %(row)s: %(value)s is already recorded.")
                        % {"row": number, "value": ", ".join(str(k) for k in key if k not in (None, ""))}
                    )
                seen.add((constraint.name, key))
                if fk_name not in constraint.fields:
                    clash = model._default_manager.filter(**dict(zip(others, key, strict=True))).exclude(pk=child.pk)
                    if constraint.condition is not None:
                        clash = clash.filter(constraint.condition)
                    clash = clash.exclude(pk__in=deleted_ids)
                    if clash.exists():
                        errors.append(
                            _("Row %(row)s: %(value)s is already recorded for another organisation.")
                            % {"row": number, "value": ", ".join(str(k) for k in key)}
                        )
    if errors:
        raise ValidationError({label: errors})
    for child in to_save:
        save(child, user, validate=False)


def _meets(constraint: models.UniqueConstraint, child: models.Model) -> bool:
    """Whether ``child`` is among the rows a (conditional) unique constraint applies to."""
    if constraint.condition is None:
        return True
    values = {}
    for field in child._meta.concrete_fields:
        values[field.name] = values[field.attname] = getattr(child, field.attname)
    return constraint.condition.check(values)


def _flatten(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {message}" for field, errs in exc.message_dict.items() for message in errs]
    return list(exc.messages)
