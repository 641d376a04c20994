"""Forms of the agreement pages: the agreement with its parties, commitments and titles, and the
small forms of the record page (lifecycle, evidence, documents)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.agreements.choices import AgreementStatus, DocumentKind
from accord.agreements.models import (
    ActivityType,
    Agreement,
    AgreementParty,
    AgreementTitle,
    Commitment,
    Evidence,
)
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import VIEW, scope_ids
from accord.core.widgets import Picked, fill_picker_labels, use_picker
from accord.partners.languages import language_choices
from accord.partners.models import Organization, Person

EDITABLE_STAGES = (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AgreementForm(VersionedFormMixin, forms.ModelForm):
    """The agreement itself; its stage (draft or in negotiation) is chosen only until it is signed."""

    status = forms.ChoiceField(
        label=_("Stage"),
        choices=[(s.value, s.label) for s in EDITABLE_STAGES],
        required=False,
        help_text=_("Sign it from its page once every party has signed."),
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "title_language",
            "kind",
            "reference",
            "owner",
            "signed_on",
            "effective_on",
            "expires_on",
            "auto_renewal",
            "renewal_lead_days",
            "summary",
            "notes",
        ]
        widgets = {
            "signed_on": DateInput(),
            "effective_on": DateInput(),
            "expires_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        owners = Organization.objects.filter(is_home=True)
        if not user.is_superuser:
            owners = owners.filter(id__in=scope_ids(user))
        self.fields["owner"].queryset = owners.order_by("sort_name")
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.order_fields(["title", "title_language", "kind", "reference", "owner", "status"])
        if self.instance.pk and self.instance.status not in EDITABLE_STAGES:
            del self.fields["status"]
        elif self.instance.pk:
            self.initial.setdefault("status", self.instance.status)
        bootstrap(self)


def _choices(queryset, label=str) -> list[tuple]:
    return [("", "—"), *((obj.pk, label(obj)) for obj in queryset)]


def _organization_label(org: Organization) -> str:
    return f"{org.name} ({org.country})" if org.country else org.name


class ChoicesForm(forms.ModelForm):
    """A row of a formset whose selects share choices read once for the whole formset."""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (queryset, options) in (choices or {}).items():
            field = self.fields[name]
            field.queryset = queryset  # what is accepted
            if isinstance(options, Picked):
                # Among many records: a picker, its chosen records read once for the whole formset.
                field.label_from_instance = options.label
                use_picker(field, options.kind)
                field.widget.labels = {}
            else:
                field.choices = options  # what is shown, read once


def _wide(rem: int) -> dict:
    # Rows of a formset sit in a table that scrolls sideways; selects keep a readable width.
    return {"style": f"min-width: {rem}rem"}


class PartyForm(ChoicesForm):
    class Meta:
        model = AgreementParty
        fields = ["organization", "role", "signatory", "signatory_name", "signed_on"]
        widgets = {
            "organization": forms.Select(attrs=_wide(16)),
            "role": forms.Select(attrs=_wide(8)),
            "signatory": forms.Select(attrs=_wide(10)),
            "signatory_name": forms.TextInput(attrs=_wide(10)),
            "signed_on": DateInput(),
        }


class CommitmentForm(ChoicesForm):
    class Meta:
        model = Commitment
        fields = [
            "activity_type",
            "description",
            "direction",
            "quantity_per_year",
            "unit",
            "academic_years",
            "subject_areas",
            "language",
            "cefr_level",
            "eqf_levels",
        ]
        widgets = {
            "activity_type": forms.Select(attrs=_wide(12)),
            "description": forms.TextInput(attrs=_wide(12)),
            "direction": forms.Select(attrs=_wide(9)),
            "unit": forms.Select(attrs=_wide(7)),
            "language": forms.Select(attrs=_wide(9)),
            "cefr_level": forms.Select(attrs=_wide(5)),
            "academic_years": forms.TextInput(attrs={"placeholder": "2025/2026", **_wide(8)}),
            "subject_areas": forms.TextInput(attrs={"placeholder": "0613, 0714", **_wide(7)}),
            "eqf_levels": forms.TextInput(attrs={"placeholder": "6, 7", **_wide(4)}),
            "quantity_per_year": forms.NumberInput(attrs={"step": "any", "min": "0", **_wide(6)}),
        }


class TitleForm(forms.ModelForm):
    class Meta:
        model = AgreementTitle
        fields = ["language", "title"]


def _formset(form, model, extra):
    factory = inlineformset_factory(Agreement, model, form=form, extra=extra, can_delete=True)

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

        def live_forms(self):
            """The filled rows that stay (neither removed nor left empty)."""
            return [
                f
                for f in self.forms
                if getattr(f, "cleaned_data", None)
                and not f.cleaned_data.get("DELETE")
                and (f.has_changed() or f.instance.pk)
            ]

        def rows(self) -> list[dict]:
            """The formset as rows for the agreement services (``accord.core.services.sync_children``)."""
            rows = []
            for f in self.forms:
                if not f.has_changed() and not f.instance.pk:
                    continue
                row = {k: v for k, v in f.cleaned_data.items() if k not in {"id", "agreement", "DELETE"}}
                row["id"] = f.instance.pk
                row["DELETE"] = f.cleaned_data.get("DELETE", False)
                rows.append(row)
            return rows

    return Formset


class PartyFormSet(_formset(PartyForm, AgreementParty, 2)):
    @staticmethod
    def shared_choices(user) -> dict:
        organizations = Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True).order_by("sort_name")
        people = Person.objects.restrict(user, VIEW).order_by("sort_name")
        return {
            "organization": (organizations, Picked("organizations", _organization_label)),
            "signatory": (people, Picked("people")),
        }

    def clean(self):
        if any(self.errors):
            return
        organizations = [
            f.cleaned_data["organization"] for f in self.live_forms() if f.cleaned_data.get("organization")
        ]
        if len({o.pk for o in organizations}) != len(organizations):
            raise ValidationError(_("The same organisation is given twice."))
        if len(organizations) < 2:
            raise ValidationError(_("An agreement has at least two parties."))
        super().clean()


class CommitmentFormSet(_formset(CommitmentForm, Commitment, 1)):
    @staticmethod
    def shared_choices(user) -> dict:
        types = ActivityType.objects.all()
        # str() of an activity type is its label in the reader's language.
        return {"activity_type": (types, _choices(types))}

    def rows(self) -> list[dict]:
        rows = super().rows()
        for position, row in enumerate(r for r in rows if not r["DELETE"]):
            row["position"] = position
        return rows


TitleFormSet = _formset(TitleForm, AgreementTitle, 1)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())
    effective_on = forms.DateField(
        label=_("In effect from"), widget=DateInput(), required=False, help_text=_("Empty: the day of signature.")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "sign")
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        bootstrap(self)


class TerminateForm(forms.Form):
    terminated_on = forms.DateField(label=_("Terminated on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "terminate")
        kwargs.setdefault("initial", {"terminated_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RenewForm(forms.Form):
    expires_on = forms.DateField(
        label=_("New expiry date"), widget=DateInput(), required=False, help_text=_("Empty: no end date.")
    )
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=DateInput(),
        required=False,
        help_text=_("Give it if the renewal is already signed; otherwise it starts as a draft."),
    )
    title = forms.CharField(label=_("New title"), max_length=500, required=False, help_text=_("Empty: the same title."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "renew")
        super().__init__(*args, **kwargs)
        bootstrap(self)


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["happened_on", "note", "quantity", "url"]
        widgets = {
            "happened_on": DateInput(),
            "note": forms.TextInput(),
            "quantity": forms.NumberInput(attrs={"step": "any", "min": "0"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"happened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The form is one line under the commitment: the labels are in the fields.
            field.widget.attrs.update({"aria-label": field.label, "placeholder": field.label})
        bootstrap(self, small=True)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, DOCX, PNG or JPEG)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices, initial=DocumentKind.SIGNED)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *language_choices()]
        bootstrap(self)
