"""A readable history of a record: who changed what, when, from which value to which.

The rows come from django-simple-history, which writes one snapshot per create, update and
delete. Here consecutive snapshots are compared to show the before and after of each field,
in a fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HIDDEN_FIELDS = {"search_text", "updated_at", "created_at", "id"}
HIDDEN = _("(a record you cannot see)")
ACTIONS = {
    "+": pgettext_lazy("history action", "created"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "deleted"),
}


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class Entry:
    when: Any
    user: Any
    action: str
    kind: str
    label: str
    changes: list[Change] = field(default_factory=list)


def _tracked(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS and f.editable or f.name == "merged_into"
    ]


def _display(f: models.Field, value, names: dict) -> Any:
    if value in (None, ""):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value}")
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    return value


def history(
    obj: models.Model, related: list[tuple[type[models.Model], str]] | None = None, limit: int = 200, user=None
) -> list[Entry]:
    """Entries for ``obj`` and for its child rows (``related``: model and foreign-key name).

    With ``user``, a linked record is named only if the user may see it; the others show as
    hidden, so a history never reveals what the record's page would not.
    """
    sources = [(type(obj), obj.history.model.objects.filter(id=obj.pk))]
    for model, fk in related or []:
        sources.append((model, model.history.model.objects.filter(**{f"{fk}_id": obj.pk})))
    rows_by_model = []
    fk_ids: dict[type[models.Model], set] = defaultdict(set)
    for model, rows in sources:
        rows = list(rows.select_related("history_user").order_by("history_date", "history_id")[: limit * 2])
        rows_by_model.append((model, rows))
        for f in _tracked(model):
            if f.is_relation:
                fk_ids[f.related_model].update(getattr(r, f.attname) for r in rows if getattr(r, f.attname))
    names = {}
    for model, ids in fk_ids.items():
        rows = model._default_manager.filter(pk__in=ids)
        if user is not None and hasattr(rows, "restrict"):
            for pk in ids:
                names[(model, pk)] = HIDDEN
            rows = rows.restrict(user)
        for related_obj in rows:
            names[(model, related_obj.pk)] = str(related_obj)
    entries: list[Entry] = []
    for model, rows in rows_by_model:
        previous: dict[Any, Any] = {}
        fields = _tracked(model)
        for row in rows:
            before = previous.get(row.id)
            changes = []
            if row.history_type == "~" and before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(row, f.attname)
                    if old != new:
                        changes.append(Change(str(f.verbose_name), _display(f, old, names), _display(f, new, names)))
                if not changes:
                    previous[row.id] = row
                    continue
            elif row.history_type == "+":
                for f in fields:
                    value = getattr(row, f.attname)
                    if value not in (None, "", False) and f.attname != f"{related_fk(model, related)}_id":
                        changes.append(Change(str(f.verbose_name), "", _display(f, value, names)))
            previous[row.id] = row
            entries.append(
                Entry(
                    when=row.history_date,
                    user=row.history_user,
                    action=str(ACTIONS.get(row.history_type, row.history_type)),
                    kind=str(model._meta.verbose_name),
                    label=_label(model, row),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def related_fk(model, related) -> str:
    for m, fk in related or []:
        if m is model:
            return fk
    return ""


def _label(model, row) -> str:
    for attr in ("name", "value", "username", "title", "filename"):
        if hasattr(row, attr):
            return str(getattr(row, attr))
    return str(row.id)
