"""Forms of the programme, call and application pages. They validate input; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.agreements.forms import DateInput
from accord.agreements.models import Agreement, Commitment
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import CHANGE, VIEW, scope_ids
from accord.funding.models import Allocation
from accord.mobility.models import Application, Call, Programme, StudyLevel
from accord.mobility.services import APPLICATION_FIELDS, CALL_FIELDS, PROGRAMME_FIELDS
from accord.partners.models import Organization

# What identifies the applicant: shown and edited only by those who may see people's names.
PERSONAL_FIELDS = ("full_name", "email", "student_number", "date_of_birth", "gender")


def home_organizations(user):
    owners = Organization.objects.filter(is_home=True)
    if not user.is_superuser:
        owners = owners.filter(id__in=scope_ids(user))
    return owners.order_by("sort_name")


def visible_organizations(user):
    return Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True).order_by("sort_name")


def _commitment_label(commitment: Commitment) -> str:
    return f"{commitment.agreement.title} — {commitment}"


class CommitmentChoiceMixin:
    def label_from_instance(self, obj):
        return _commitment_label(obj)


class CommitmentChoiceField(CommitmentChoiceMixin, forms.ModelChoiceField):
    pass


class CommitmentMultipleChoiceField(CommitmentChoiceMixin, forms.ModelMultipleChoiceField):
    pass


def visible_commitments(user):
    return (
        Commitment.objects.restrict(user, VIEW)
        .select_related("agreement", "activity_type")
        .order_by("agreement__title", "position", "id")
    )


class ProgrammeForm(VersionedFormMixin, forms.ModelForm):
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    agreements = forms.ModelMultipleChoiceField(
        label=_("Agreements it implements"),
        queryset=Agreement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    commitments = CommitmentMultipleChoiceField(
        label=_("Commitments it fulfils"),
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["funder"].queryset = visible_organizations(user)
        self.fields["partners"].queryset = visible_organizations(user)
        self.fields["agreements"].queryset = Agreement.objects.restrict(user, VIEW).order_by("title")
        self.fields["commitments"].queryset = visible_commitments(user)
        self.fields["years_home"].help_text = _("For a joint training such as 2+2: 2 years at home, 2 abroad.")
        self.fields["subject_areas"].help_text = _("ISCED-F codes separated by commas, such as 0613, 0714.")
        if self.instance.pk:
            self.initial.setdefault("partners", [o.pk for o in self.instance.partners.all()])
            self.initial.setdefault("agreements", [a.pk for a in self.instance.agreements.all()])
            self.initial.setdefault("commitments", [c.pk for c in self.instance.commitments.all()])
        bootstrap(self)


class CallForm(VersionedFormMixin, forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Levels of study"),
        choices=StudyLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level."),
    )
    commitment = CommitmentChoiceField(
        label=_("Commitment fulfilled"), queryset=Commitment.objects.none(), required=False
    )

    class Meta:
        model = Call
        fields = CALL_FIELDS
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "mobility_starts_on": DateInput(),
            "mobility_ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.restrict(user, CHANGE).order_by("name")
        self.fields["host"].queryset = visible_organizations(user)
        self.fields["agreement"].queryset = Agreement.objects.restrict(user, VIEW).order_by("title")
        self.fields["commitment"].queryset = visible_commitments(user)
        self.fields["allocation"].queryset = (
            Allocation.objects.restrict(user, VIEW).select_related("recipient", "scheme").order_by("scheme__name", "id")
        )
        self.fields["subject_areas"].help_text = _("ISCED-F codes separated by commas; empty for every field.")
        if self.instance.pk and not self.is_bound:
            self.initial["levels"] = self.instance.level_list
        bootstrap(self)

    def clean_levels(self):
        return ",".join(self.cleaned_data.get("levels") or [])


class ApplicationForm(VersionedFormMixin, forms.ModelForm):
    """An application; the applicant's identity is left out for those who may not see it."""

    class Meta:
        model = Application
        fields = APPLICATION_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "submitted_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, call: Call, personal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.call = call
        if not personal:
            for name in PERSONAL_FIELDS:
                self.fields.pop(name)
        self.fields["home_unit"].queryset = visible_organizations(user)
        self.fields["gpa"].help_text = _("On the call's scale: 0 to %(scale)s.") % {"scale": call.gpa_scale.normalize()}
        self.fields["submitted_on"].help_text = _("Between %(opens)s and %(closes)s.") % {
            "opens": call.opens_on.isoformat(),
            "closes": call.closes_on.isoformat(),
        }
        if call.other_label and "other_score" in self.fields:
            self.fields["other_score"].label = call.other_label
        bootstrap(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF, DOCX, PNG or JPEG)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV, UTF-8)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
