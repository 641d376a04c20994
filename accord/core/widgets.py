"""A search-as-you-type picker for choices among many records (partners, people, agreements…).

A plain ``<select>`` of a field whose queryset holds 100,000 organisations renders and sends
every one of them: seconds per page at the scale of a ministry. ``PickerSelect`` renders only
the chosen record(s) and marks the select with ``data-picker``: the URL of the picker endpoint
(``core:pick``, which searches the records the reader may see, see accord.core.search) and
``static/core/picker.js`` puts a search box before it that fills the select with the matches
as the user types. The select stays a native control (keyboard, screen readers) and the field
validates the submitted value against its own queryset, as before: the picker only chooses
which options are rendered.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _


def picker_url(kind: str) -> str:
    return reverse("core:pick", args=[kind])


class PickerMixin:
    kind = ""
    # The labels of the chosen records when a formset read them for all its rows at once
    # (``fill_picker_labels``); None: the widget reads its own chosen records.
    labels: dict[str, str] | None = None

    def __init__(self, attrs=None, *, kind: str):
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attrs = context["widget"]["attrs"]
        attrs["data-picker"] = picker_url(self.kind)
        attrs["data-picker-placeholder"] = _("Type to search…")
        return context

    def optgroups(self, name, value, attrs=None):
        """Only the empty choice and the chosen records, never the whole queryset."""
        chosen = {str(v) for v in value if v not in (None, "")}
        queryset = getattr(self.choices, "queryset", None)
        options = []
        if queryset is None:  # plain choices: fall back to the usual rendering
            return super().optgroups(name, value, attrs)
        field = self.choices.field
        if not self.allow_multiple_selected and field.empty_label is not None:
            options.append(("", field.empty_label))
        if chosen and self.labels is not None:
            options.extend((value, self.labels[value]) for value in sorted(chosen) if value in self.labels)
        elif chosen:
            wanted = [v for v in chosen if v.isdigit()]
            for obj in queryset.filter(pk__in=wanted):
                options.append((obj.pk, field.label_from_instance(obj)))
        groups = []
        for index, (option_value, label) in enumerate(options):
            selected = str(option_value) in chosen
            groups.append((None, [self.create_option(name, option_value, label, selected, index, attrs=attrs)], index))
        return groups


class PickerSelect(PickerMixin, forms.Select):
    pass


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    pass


def use_picker(field: forms.ModelChoiceField, kind: str) -> None:
    """Render ``field`` (a model choice field, single or multiple) as a picker of ``kind``."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (PickerSelectMultiple if multiple else PickerSelect)(attrs=field.widget.attrs, kind=kind)
    widget.is_required = field.widget.is_required
    widget.choices = field.choices
    field.widget = widget


OWNER_PICKER_ABOVE = 30  # home organisations: up to this many, a plain select is quicker to use


def use_owner_picker(field: forms.ModelChoiceField, user) -> None:
    """The "kept by" field of a form: a plain select for a school or a province with a few
    schools, a picker for a ministry with hundreds of home organisations below it."""
    from accord.core.tenancy import scope_ids

    if user.is_superuser or len(scope_ids(user)) > OWNER_PICKER_ABOVE:
        use_picker(field, "homes")


def chosen_records(queryset, value) -> list:
    """The record a filter names (``?partner=12``), for its picker to render; none for anything else."""
    return list(queryset.filter(pk=value)) if str(value or "").isdigit() else []


class Picked:
    """A formset's shared choice shown as a picker of ``kind`` (see ``ChoicesForm``)."""

    def __init__(self, kind: str, label=str):
        self.kind = kind
        self.label = label


def fill_picker_labels(forms) -> None:
    """Read the chosen records of every picker of a formset's rows in one query per field."""
    from collections import defaultdict

    chosen: dict[str, set[str]] = defaultdict(set)
    fields: dict[str, forms.ModelChoiceField] = {}
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field.widget, PickerMixin) and field.widget.labels is not None:
                fields.setdefault(name, field)
                value = form[name].value()
                values = value if isinstance(value, list | tuple) else [value]
                chosen[name].update(str(getattr(v, "pk", v)) for v in values if v not in (None, ""))
    for name, field in fields.items():
        ids = [v for v in chosen[name] if v.isdigit()]
        labels = (
            {str(obj.pk): field.label_from_instance(obj) for obj in field.queryset.filter(pk__in=ids)} if ids else {}
        )
        for form in forms:
            if name in form.fields:
                form.fields[name].widget.labels = labels
