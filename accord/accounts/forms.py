from django import forms
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.core.forms import bootstrap
from accord.core.tenancy import ADMINISTER, ROLE_RANK, Role, scope_ids, user_can
from accord.partners.models import Organization


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "home_organization", "role", "language", "is_active"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.filter(is_home=True)
        if not acting_user.is_superuser:
            orgs = orgs.filter(id__in=scope_ids(acting_user))
        self.fields["home_organization"].queryset = orgs.order_by("name")
        self.fields["home_organization"].required = True
        self.fields["email"].required = True
        if not acting_user.is_superuser:
            limit = ROLE_RANK.get(acting_user.role, 0)
            self.fields["role"].choices = [
                (value, label)
                for value, label in Role.choices
                if ROLE_RANK[value] <= limit and (value != Role.ADMIN or user_can(acting_user, ADMINISTER))
            ]
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["language"].disabled = True
        else:
            del self.fields["is_active"]
        bootstrap(self)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
