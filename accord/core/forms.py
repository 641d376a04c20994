from django import forms
from django.utils.dateparse import parse_datetime


class VersionedFormMixin(forms.Form):
    """Carries the ``updated_at`` the user loaded, so a concurrent edit is detected on save."""

    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["loaded_at"] = instance.updated_at.isoformat()

    def loaded_version(self):
        value = self.cleaned_data.get("loaded_at") if hasattr(self, "cleaned_data") else None
        return parse_datetime(value) if value else None


def bootstrap(form: forms.BaseForm, small: bool = False) -> None:
    """Give widgets the Bootstrap classes; field errors get the invalid style."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select" + (" form-select-sm" if small else "")
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
