"""Writes to user accounts: managers add, change and deactivate the users of their organisations."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.accounts.models import User
from accord.core import services as core
from accord.core.tenancy import ADMINISTER, MANAGE_USERS, ROLE_RANK, Role, scope_ids, user_can


def _check_role_and_org(acting_user, role: str, home_organization) -> None:
    if acting_user.is_superuser:
        return
    if home_organization is None or home_organization.pk not in scope_ids(acting_user):
        raise PermissionDenied(_("You can manage only the users of your own organisations."))
    if role == Role.ADMIN and not user_can(acting_user, ADMINISTER):
        raise PermissionDenied(_("Only administrators can make administrators."))
    if ROLE_RANK.get(role, 0) > ROLE_RANK.get(acting_user.role, 0):
        raise PermissionDenied(_("You cannot give a role above your own."))


@transaction.atomic
def user_create(
    *,
    acting_user,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    home_organization,
    role: str,
    language: str = "",
    request=None,
) -> User:
    """Create a user with no password and send them a link to choose one."""
    core.require(acting_user, MANAGE_USERS)
    _check_role_and_org(acting_user, role, home_organization)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        home_organization=home_organization,
        role=role,
        language=language,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Another user has this e-mail address.")})
    core.save(user, acting_user, validate=False)
    if email:
        transaction.on_commit(lambda: _send_welcome(user, request))
    return user


class _WelcomeForm(PasswordResetForm):
    """Mails the set-password link to one new user.

    Django's reset form skips users whose password is unusable, which a new user's is
    until they open the link, so the recipient is named here rather than looked up.
    """

    def __init__(self, user: User):
        super().__init__({"email": user.email})
        self.user = user

    def get_users(self, email):
        return [self.user] if self.user.is_active else []


def _send_welcome(user: User, request) -> None:
    form = _WelcomeForm(user)
    if form.is_valid():
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="accounts/email/welcome_subject.txt",
            email_template_name="accounts/email/welcome.txt",
            domain_override=None if request else "localhost",
        )


@transaction.atomic
def user_update(
    *,
    acting_user,
    user: User,
    role: str,
    home_organization,
    is_active: bool,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    core.require(acting_user, MANAGE_USERS)
    if not User.objects.restrict(acting_user, MANAGE_USERS).filter(pk=user.pk).exists():
        raise PermissionDenied(_("You can manage only the users of your own organisations."))
    _check_role_and_org(acting_user, role, home_organization)
    if not acting_user.is_superuser and ROLE_RANK.get(user.role, 0) > ROLE_RANK.get(acting_user.role, 0):
        raise PermissionDenied(_("You cannot change a user whose role is above your own."))
    if user.pk == acting_user.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    user.role, user.home_organization, user.is_active = role, home_organization, is_active
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.full_clean(exclude=["password"])
    return core.save(user, acting_user, validate=False)


def user_set_language(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user._history_user = user
        user.save(update_fields=["language"])
