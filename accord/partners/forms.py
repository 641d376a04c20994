from django import forms
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import ADMINISTER, VIEW, scope_ids, user_can
from accord.partners import geo
from accord.partners.models import Organization, OrganizationFact, OrganizationIdentifier, OrganizationName, Person


class OrganizationForm(VersionedFormMixin, forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"), required=False)
    subdivision = forms.ChoiceField(label=_("Subdivision"), required=False)
    allow_similar = forms.BooleanField(
        label=_("Create it anyway: it is a different organisation"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "name_language",
            "kind",
            "country",
            "subdivision",
            "city",
            "website",
            "parent",
            "owner",
            "shared",
            "is_home",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["country"].choices = [("", "—")] + geo.country_choices()
        country = (self.data.get("country") if self.is_bound else self.instance.country) or ""
        self.fields["subdivision"].choices = (
            [("", "—")] + geo.subdivision_choices(country.upper()) if country else [("", "—")]
        )
        self.fields["country"].widget.attrs.update(
            {
                "hx-get": reverse("partners:subdivision_options"),
                "hx-trigger": "change",
                "hx-target": "#id_subdivision",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["name"].widget.attrs.update(
            {
                "hx-get": reverse("partners:organization_similar"),
                "hx-trigger": "input changed delay:500ms",
                "hx-target": "#similar-live",
                "hx-vals": f'{{"exclude": "{self.instance.pk or ""}"}}',
                "autocomplete": "off",
            }
        )
        visible = Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True)
        self.fields["parent"].queryset = visible.order_by("name")
        owners = Organization.objects.filter(is_home=True)
        if not user.is_superuser:
            owners = owners.filter(id__in=scope_ids(user))
        self.fields["owner"].queryset = owners.order_by("name")
        self.fields["owner"].required = False
        if not user_can(user, ADMINISTER):
            self.fields["is_home"].disabled = True
        bootstrap(self)

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").upper()


class NameForm(forms.ModelForm):
    class Meta:
        model = OrganizationName
        fields = ["name", "language", "kind"]


class IdentifierForm(forms.ModelForm):
    class Meta:
        model = OrganizationIdentifier
        fields = ["scheme", "value"]


class FactForm(forms.ModelForm):
    class Meta:
        model = OrganizationFact
        fields = ["metric", "year", "value", "note", "source"]


def _formset(form, model, extra):
    factory = inlineformset_factory(Organization, model, form=form, extra=extra, can_delete=True)

    class Formset(factory):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for f in self.forms:
                bootstrap(f, small=True)

        def rows(self) -> list[dict]:
            """The formset as rows for ``accord.core.services.sync_children``."""
            rows = []
            for f in self.forms:
                if not f.has_changed() and not f.instance.pk:
                    continue
                row = {k: v for k, v in f.cleaned_data.items() if k not in {"id", "organization", "DELETE"}}
                row["id"] = f.instance.pk
                row["DELETE"] = f.cleaned_data.get("DELETE", False)
                rows.append(row)
            return rows

    return Formset


NameFormSet = _formset(NameForm, OrganizationName, 2)
IdentifierFormSet = _formset(IdentifierForm, OrganizationIdentifier, 1)
FactFormSet = _formset(FactForm, OrganizationFact, 1)


class PersonForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "honorific",
            "name",
            "other_names",
            "position",
            "affiliation",
            "email",
            "phone",
            "languages",
            "owner",
            "notes",
        ]
        widgets = {"other_names": forms.Textarea(attrs={"rows": 2}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].queryset = (
            Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True).order_by("name")
        )
        owners = Organization.objects.filter(is_home=True)
        if not user.is_superuser:
            owners = owners.filter(id__in=scope_ids(user))
        self.fields["owner"].queryset = owners.order_by("name")
        self.fields["owner"].required = False
        bootstrap(self)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX or CSV, UTF-8)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
