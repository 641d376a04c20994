"""Forms of the plan pages: a plan, its tasks, its indicators, and a record linked to a task."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.agreements.forms import DateInput
from accord.core.forms import VersionedFormMixin, bootstrap
from accord.engagements.forms import home_organizations, visible_organizations
from accord.plans.filters import RECORD_KINDS
from accord.plans.models import Indicator, Plan, Task
from accord.sources.models import Source


def _organization_label(org) -> str:
    return f"{org.name} ({org.country})" if org.country else org.name


def visible_sources(user):
    return Source.objects.restrict(user).order_by("-published_on", "title", "id")


class PlanForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["number", "title", "owner", "issued_on", "starts_on", "ends_on", "objectives", "document"]
        widgets = {
            "issued_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = home_organizations(user)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: your own organisation.")
        self.fields["document"].queryset = visible_sources(user)
        self.fields["document"].help_text = _("The plan itself, or the report that announces it, as a source.")
        bootstrap(self)


class TaskForm(VersionedFormMixin, forms.ModelForm):
    responsible = forms.ModelMultipleChoiceField(
        label=_("Responsible organisations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Task
        fields = ["position", "title", "description", "responsible", "deadline", "status", "progress"]
        widgets = {"deadline": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = visible_organizations(user)
        self.fields["responsible"].label_from_instance = _organization_label
        self.fields["progress"].help_text = _("From 0 to 100 %; a task marked done counts as 100 %.")
        bootstrap(self)


class IndicatorForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "position",
            "name",
            "unit",
            "target",
            "rule",
            "task",
            "actual_entered",
            "evidence",
            "evidence_source",
        ]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        plan = self.instance.plan
        self.fields["task"].queryset = plan.tasks.order_by("position", "id")
        self.fields["task"].help_text = _("Needed by the rules that count the records linked to a task.")
        self.fields["actual_entered"].help_text = _("Only for an indicator entered by hand.")
        self.fields["evidence_source"].queryset = visible_sources(user)
        bootstrap(self)


class LinkForm(forms.Form):
    """A record to link to a task: its kind and id, chosen from the search results."""

    kind = forms.ChoiceField(label=_("Kind of record"), choices=RECORD_KINDS)
    record = forms.IntegerField(label=_("Record"), min_value=1)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkSearchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of record"), choices=RECORD_KINDS, required=False)
    q = forms.CharField(label=_("Search"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self, small=True)
