"""Forms of the mobility pages: the mobility itself, a status change, the exchange balance's choice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.agreements.forms import DateInput
from accord.agreements.models import Agreement, Commitment
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import VIEW
from accord.engagements.forms import home_organizations, visible_organizations
from accord.funding.models import Allocation
from accord.mobility.models import Mobility, Programme
from accord.partners import geo
from accord.partners.models import Person

PERSONAL_FIELDS = ["full_name", "email", "student_number", "date_of_birth", "gender", "nationality", "person"]


def _organization_label(org) -> str:
    return f"{org.name} ({org.country})" if org.country else org.name


class MobilityForm(VersionedFormMixin, forms.ModelForm):
    """A mobility; without the right to see the person, the personal fields and the owner stay as they are."""

    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    allow_over_quota = forms.BooleanField(
        label=_("Record it anyway, beyond the quota"),
        required=False,
        help_text=_("Tick only after reading the warning about the quota."),
    )

    class Meta:
        model = Mobility
        fields = [
            "owner",
            "direction",
            "category",
            "full_name",
            "email",
            "student_number",
            "date_of_birth",
            "gender",
            "nationality",
            "fictitious",
            "person",
            "home_organization",
            "host_organization",
            "programme",
            "agreement",
            "commitment",
            "allocation",
            "funding_amount",
            "funding_note",
            "level",
            "subject_area",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "note",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, personal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["nationality"].choices = [("", "—"), *geo.country_choices()]
        organizations = visible_organizations(user)
        for name in ("home_organization", "host_organization"):
            self.fields[name].queryset = organizations
            self.fields[name].label_from_instance = _organization_label
            self.fields[name].required = False
        self.fields["home_organization"].help_text = _("Empty for an outgoing stay: the owner sends.")
        self.fields["host_organization"].help_text = _("Empty for an incoming stay: the owner hosts.")
        self.fields["person"].queryset = Person.objects.restrict(user, VIEW).order_by("sort_name")
        self.fields["programme"].queryset = Programme.objects.restrict(user, VIEW).order_by("name")
        self.fields["agreement"].queryset = Agreement.objects.restrict(user, VIEW).order_by("title")
        self.fields["commitment"].queryset = (
            Commitment.objects.restrict(user, VIEW).select_related("agreement", "activity_type").order_by("agreement")
        )
        self.fields["commitment"].label_from_instance = lambda c: f"{c.agreement.title} · {c}"
        self.fields["allocation"].queryset = Allocation.objects.restrict(user, VIEW).select_related(
            "recipient", "scheme"
        )
        if not personal:
            # The record's people are not the user's to see: neither the fields nor the owner
            # (which would let them move the record to where they could) are on the form.
            for name in [*PERSONAL_FIELDS, "owner"]:
                del self.fields[name]
        bootstrap(self)

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"loaded_at", "allow_over_quota"}}
        if "owner" in data and data["owner"] is None:
            data.pop("owner")
        for name in ("home_organization", "host_organization"):
            # Empty: the owner's side is filled in by the service (new) or stays as it is (edit).
            if name in data and data[name] is None:
                data.pop(name)
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)


class DayForm(forms.Form):
    """The day a stay actually started or ended; empty for the planned day."""

    day = forms.DateField(label=_("On"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)
