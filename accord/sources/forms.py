"""Forms of the source pages: a source (with its file), a story, a citation, a confirmed deletion."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accord.core.forms import VersionedFormMixin, bootstrap
from accord.core.tenancy import CHANGE, VIEW, scope_ids
from accord.partners.models import Organization
from accord.sources.models import Source, Story


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _owners(user):
    owners = Organization.objects.filter(is_home=True)
    if not user.is_superuser:
        owners = owners.filter(id__in=scope_ids(user))
    return owners.order_by("sort_name")


class SourceForm(VersionedFormMixin, forms.ModelForm):
    """A source; a new one may come with its file (kept privately, served to its readers only)."""

    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A copy of the article, letter or report. Only people who may see the source can download it."),
    )

    class Meta:
        model = Source
        fields = ["kind", "title", "url", "publisher", "published_on", "language", "text", "story", "owner"]
        widgets = {"published_on": DateInput(), "text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["story"].queryset = Story.objects.restrict(user, VIEW).order_by("title")
        self.fields["owner"].queryset = _owners(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        if self.instance.pk:
            # The file of a source is kept as it was first recorded.
            del self.fields["upload"]
        bootstrap(self)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        limit = settings.ACCORD_DOCUMENT_MAX_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class StoryForm(VersionedFormMixin, forms.ModelForm):
    """A story and the sources that tell it."""

    sources = forms.ModelMultipleChoiceField(
        label=_("Sources telling this story"),
        queryset=Source.objects.none(),
        required=False,
        help_text=_("Choose the versions of the story, for example the same article in Vietnamese and in English."),
    )

    class Meta:
        model = Story
        fields = ["title", "summary", "owner"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sources = self.fields["sources"]
        sources.queryset = Source.objects.restrict(user, CHANGE).order_by("-published_on", "-id")
        sources.widget.attrs["size"] = 12
        if self.instance.pk and not self.is_bound:
            self.initial["sources"] = list(self.instance.sources.values_list("pk", flat=True))
        self.fields["owner"].queryset = _owners(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        bootstrap(self)


class VisibleSourceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": _("Choose a source you can see.")}


class CitationForm(forms.Form):
    """Cite a source on a record: the source, the passage that supports the record, a note."""

    source = VisibleSourceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        error_messages={"required": _("Choose a source you can see.")},
    )
    passage = forms.CharField(label=_("Quoted passage"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.restrict(user, VIEW)
        bootstrap(self, small=True)


class SourceDeleteForm(forms.Form):
    confirm = forms.BooleanField(label=_("Also remove the citations of this source"), required=False)
