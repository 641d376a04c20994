"""Forms of the engagement pages: the engagement with its titles, organisations and participants,
the follow-up actions, and the small forms of the record pages."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.agreements.forms import ChoicesForm, DateInput
from accord.agreements.models import Agreement
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import VIEW, scope_ids
from accord.core.widgets import Picked, fill_picker_labels, use_owner_picker, use_picker
from accord.engagements.models import (
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    EngagementTitle,
    FollowUpAction,
    Participant,
)
from accord.partners import geo
from accord.partners.models import Organization, Person

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class DayOrMonthField(forms.DateField):
    """A date, or a month written ``2025-09`` (read as its first day)."""

    def to_python(self, value):
        if isinstance(value, str):
            match = _MONTH.match(value)
            if match:
                try:
                    return datetime.date(int(match.group(1)), int(match.group(2)), 1)
                except ValueError as exc:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return super().to_python(value)


def _choices(queryset, label=str) -> list[tuple]:
    return [("", "—"), *((obj.pk, label(obj)) for obj in queryset)]


def _organization_label(org: Organization) -> str:
    return f"{org.name} ({org.country})" if org.country else org.name


def _wide(rem: int) -> dict:
    return {"style": f"min-width: {rem}rem"}


def home_organizations(user):
    """The home organisations a user may give records to: their own and those below it."""
    owners = Organization.objects.filter(is_home=True)
    if not user.is_superuser:
        owners = owners.filter(id__in=scope_ids(user))
    return owners.order_by("sort_name")


def visible_organizations(user):
    return Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True).order_by("sort_name")


def visible_engagements(user):
    return Engagement.objects.restrict(user, VIEW).order_by("-starts_on", "-id")


class EngagementForm(VersionedFormMixin, forms.ModelForm):
    """The engagement itself; a month is enough for what is only planned."""

    starts_on = DayOrMonthField(label=_("From"), widget=DateInput())
    ends_on = DayOrMonthField(
        label=_("To"), widget=DateInput(), required=False, help_text=_("Empty: a single day (or the month).")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements signed there"),
        queryset=Agreement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = Engagement
        fields = [
            "title",
            "title_language",
            "kind",
            "owner",
            "precision",
            "starts_on",
            "ends_on",
            "cancelled",
            "online",
            "city",
            "country",
            "host",
            "parent",
            "series",
            "headcount",
            "allocation",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from accord.funding.selectors import allocation_list

        # A training course under a quota: only the allocations the user may see are offered.
        self.fields["allocation"].queryset = allocation_list(user=user).order_by("scheme__name", "recipient__sort_name")
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["country"].choices = [("", "—"), *geo.country_choices()]
        self.fields["host"].queryset = visible_organizations(user)
        parents = visible_engagements(user)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.initial.setdefault("agreements", [a.pk for a in self.instance.agreements.all()])
        self.fields["parent"].queryset = parents
        self.fields["series"].queryset = EngagementSeries.objects.restrict(user, VIEW).order_by("name")
        self.fields["agreements"].queryset = Agreement.objects.restrict(user, VIEW).order_by("-signed_on", "title")
        use_picker(self.fields["host"], "organizations")
        use_picker(self.fields["parent"], "engagements")
        use_picker(self.fields["agreements"], "agreements")
        self.fields["precision"].help_text = _("For what is only planned, a month is enough: give any day of it.")
        self.fields["headcount"].help_text = _("When the people are not named one by one.")
        bootstrap(self)


class OrganizationRowForm(ChoicesForm):
    class Meta:
        model = EngagementOrganization
        fields = ["organization", "role"]
        widgets = {"organization": forms.Select(attrs=_wide(18)), "role": forms.Select(attrs=_wide(9))}


class ParticipantRowForm(ChoicesForm):
    class Meta:
        model = Participant
        fields = ["person", "organization", "role"]
        widgets = {
            "person": forms.Select(attrs=_wide(14)),
            "organization": forms.Select(attrs=_wide(16)),
            "role": forms.Select(attrs=_wide(10)),
        }
        help_texts = {"organization": ""}


class TitleRowForm(forms.ModelForm):
    class Meta:
        model = EngagementTitle
        fields = ["language", "title"]


def _formset(form, model, extra):
    factory = inlineformset_factory(Engagement, model, form=form, extra=extra, can_delete=True)

    class Formset(factory):
        def __init__(self, *args, user=None, **kwargs):
            if issubclass(form, ChoicesForm):
                kwargs["form_kwargs"] = {"choices": self.shared_choices(user)}
            super().__init__(*args, **kwargs)
            fill_picker_labels(self.forms)
            for f in self.forms:
                bootstrap(f, small=True)

        @staticmethod
        def shared_choices(user) -> dict:
            return {}

        def rows(self) -> list[dict]:
            """The formset as rows for the services (``accord.core.services.sync_children``)."""
            rows = []
            for f in self.forms:
                if not f.has_changed() and not f.instance.pk:
                    continue
                row = {k: v for k, v in f.cleaned_data.items() if k not in {"id", "engagement", "DELETE"}}
                row["id"] = f.instance.pk
                row["DELETE"] = f.cleaned_data.get("DELETE", False)
                rows.append(row)
            return rows

    return Formset


class OrganizationFormSet(_formset(OrganizationRowForm, EngagementOrganization, 2)):
    @staticmethod
    def shared_choices(user) -> dict:
        organizations = visible_organizations(user)
        return {"organization": (organizations, Picked("organizations", _organization_label))}


class ParticipantFormSet(_formset(ParticipantRowForm, Participant, 3)):
    @staticmethod
    def shared_choices(user) -> dict:
        organizations = visible_organizations(user)
        people = Person.objects.restrict(user, VIEW).order_by("sort_name")
        return {
            "person": (people, Picked("people")),
            "organization": (organizations, Picked("organizations", _organization_label)),
        }


TitleFormSet = _formset(TitleRowForm, EngagementTitle, 1)


class SeriesForm(forms.ModelForm):
    class Meta:
        model = EngagementSeries
        fields = ["name", "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        bootstrap(self)


class ActionForm(VersionedFormMixin, forms.ModelForm):
    """A follow-up action: what, by whom, by when (a day, or only a month)."""

    due_on = DayOrMonthField(label=_("Due"), widget=DateInput(), required=False)

    class Meta:
        model = FollowUpAction
        fields = ["title", "description", "engagement", "owner", "responsible", "due_precision", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"due_precision": _("Due by")}

    def __init__(self, *args, user, engagement: Engagement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: the organisation keeping the engagement, or yours.")
        use_owner_picker(self.fields["owner"], user)
        self.fields["responsible"].queryset = Person.objects.restrict(user, VIEW).order_by("sort_name")
        use_picker(self.fields["responsible"], "people")
        if engagement is not None:
            # The small form under an engagement: the engagement is given.
            self.fields["engagement"].queryset = Engagement.objects.filter(pk=engagement.pk)
            self.fields["engagement"].widget = forms.HiddenInput()
            self.initial["engagement"] = engagement.pk
        else:
            self.fields["engagement"].queryset = visible_engagements(user)
            use_picker(self.fields["engagement"], "engagements")
        if self.instance.pk:
            # Changing the engagement of an action would move it between records; it stays.
            del self.fields["engagement"]
        self.fields["due_on"].help_text = _("For a month, choose “Month only” and give any day of it.")
        bootstrap(self)


class CompleteForm(forms.Form):
    """Closing an action as done, with the engagement that fulfilled it if there is one."""

    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    fulfilled_by = forms.ModelChoiceField(
        label=_("Fulfilled by the engagement"), queryset=Engagement.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("prefix", "done")
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["fulfilled_by"].queryset = visible_engagements(user)
        self.fields["fulfilled_by"].label_from_instance = lambda e: f"{e.title} ({e.starts_on:%Y-%m-%d})"
        use_picker(self.fields["fulfilled_by"], "engagements")
        bootstrap(self)

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(_("An action cannot be done in the future."))
        return done_on
