"""Forms of the funding pages: schemes, allocations, and projects with their partners and outputs."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accord.agreements.forms import ChoicesForm, DateInput
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.money import currency_choices
from accord.engagements.forms import home_organizations, visible_engagements, visible_organizations
from accord.engagements.models import Engagement
from accord.funding import selectors
from accord.funding.models import Allocation, FundingScheme, Project, ProjectOutput, ProjectPartner, ProjectRole


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 code, chosen from a list; a code typed in lower case is read in upper case."""

    default_error_messages = {"invalid_choice": _("“%(value)s” is not an ISO 4217 currency code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Currency"))
        kwargs.setdefault("required", False)
        super().__init__(choices=self._choices_with_blank, **kwargs)

    @staticmethod
    def _choices_with_blank():
        return [("", "—"), *currency_choices()]

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def _organization_label(org) -> str:
    return f"{org.name} ({org.country})" if org.country else org.name


class SchemeForm(VersionedFormMixin, forms.ModelForm):
    currency = CurrencyField(help_text=_("Needed when the scheme allocates amounts of money."))

    class Meta:
        model = FundingScheme
        fields = ["name", "kind", "owner", "funder", "unit", "currency", "total", "starts_on", "ends_on", "description"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["funder"].queryset = visible_organizations(user)
        self.fields["funder"].label_from_instance = _organization_label
        bootstrap(self)


class AllocationForm(VersionedFormMixin, forms.ModelForm):
    """A quantity of a scheme (or of an allocation) given to a recipient."""

    class Meta:
        model = Allocation
        fields = ["recipient", "quantity", "period", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = visible_organizations(user)
        self.fields["recipient"].label_from_instance = _organization_label
        scheme = self.instance.scheme if self.instance.scheme_id else None
        if scheme is not None:
            self.fields["quantity"].label = _("Quantity (%(unit)s)") % {
                "unit": scheme.currency if scheme.unit == "amount" else scheme.get_unit_display()
            }
        bootstrap(self)


class ProjectForm(VersionedFormMixin, forms.ModelForm):
    currency = CurrencyField(help_text=_("The currency of the budget and the partners' shares."))
    engagements = forms.ModelMultipleChoiceField(
        label=_("Engagements"),
        queryset=Engagement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Project
        fields = [
            "acronym",
            "title",
            "owner",
            "funder",
            "scheme",
            "reference",
            "status",
            "budget",
            "currency",
            "starts_on",
            "ends_on",
            "themes",
            "summary",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["funder"].queryset = visible_organizations(user)
        self.fields["funder"].label_from_instance = _organization_label
        self.fields["scheme"].queryset = selectors.scheme_list(user=user).order_by("name")
        self.fields["engagements"].queryset = visible_engagements(user)
        self.fields["engagements"].label_from_instance = lambda e: f"{e.title} ({e.starts_on:%Y-%m-%d})"
        if self.instance.pk and not self.is_bound:
            self.initial["engagements"] = [e.pk for e in self.instance.engagements.all()]
        bootstrap(self)


def _wide(rem: int) -> dict:
    return {"style": f"min-width: {rem}rem"}


class PartnerRowForm(ChoicesForm):
    class Meta:
        model = ProjectPartner
        fields = ["organization", "role", "budget_share"]
        widgets = {"organization": forms.Select(attrs=_wide(18)), "role": forms.Select(attrs=_wide(10))}


class OutputRowForm(forms.ModelForm):
    class Meta:
        model = ProjectOutput
        fields = ["kind", "title", "due_on", "delivered_on", "note"]
        widgets = {
            "kind": forms.Select(attrs=_wide(8)),
            "title": forms.TextInput(attrs=_wide(16)),
            "due_on": DateInput(),
            "delivered_on": DateInput(),
            "note": forms.TextInput(attrs=_wide(10)),
        }


def _formset(form, model, extra):
    factory = inlineformset_factory(Project, model, form=form, extra=extra, can_delete=True)

    class Formset(factory):
        def __init__(self, *args, user=None, **kwargs):
            if issubclass(form, ChoicesForm):
                kwargs["form_kwargs"] = {"choices": self.shared_choices(user)}
            super().__init__(*args, **kwargs)
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
                row = {k: v for k, v in f.cleaned_data.items() if k not in {"id", "project", "DELETE"}}
                row["id"] = f.instance.pk
                row["DELETE"] = f.cleaned_data.get("DELETE", False)
                rows.append(row)
            return rows

    return Formset


class PartnerFormSet(_formset(PartnerRowForm, ProjectPartner, 3)):
    @staticmethod
    def shared_choices(user) -> dict:
        organizations = visible_organizations(user)
        return {"organization": (organizations, [("", "—"), *((o.pk, _organization_label(o)) for o in organizations)])}

    def clean(self):
        super().clean()
        coordinators = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("role") == ProjectRole.COORDINATOR
        ]
        if len(coordinators) > 1:
            raise forms.ValidationError(_("A project has one coordinator."))


OutputFormSet = _formset(OutputRowForm, ProjectOutput, 2)
