"""Signing in and out, passwords, language, the API token, and managing users."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accord.accounts import services
from accord.accounts.forms import UserForm
from accord.accounts.models import User
from accord.core.forms import bootstrap
from accord.core.tenancy import MANAGE_USERS, access, user_can


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        bootstrap(form)
        return form


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        bootstrap(form)
        return form


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        bootstrap(form)
        return form


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        bootstrap(form)
        return form


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user keeps the choice on every device."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"token": token})


@login_required
@require_POST
def token_regenerate(request):
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    messages.success(request, _("A new API token was made; the old one no longer works."))
    return render(request, "accounts/profile.html", {"token": token, "new_token": token.key})


@login_required
def user_list(request):
    if not user_can(request.user, MANAGE_USERS):
        raise PermissionDenied
    users = (
        User.objects.restrict(request.user, MANAGE_USERS)
        .select_related("home_organization")
        .order_by("home_organization__name", "username")
    )
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int | None = None):
    if not user_can(request.user, MANAGE_USERS):
        raise PermissionDenied
    instance = access(User.objects, request.user, MANAGE_USERS, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=instance, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if instance is None:
                user = services.user_create(
                    acting_user=request.user,
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    home_organization=data["home_organization"],
                    role=data["role"],
                    language=data.get("language", ""),
                    request=request,
                )
                messages.success(
                    request, _("%(user)s was added and was sent a link to choose a password.") % {"user": user}
                )
            else:
                user = services.user_update(
                    acting_user=request.user,
                    user=User.objects.get(pk=instance.pk),
                    role=data["role"],
                    home_organization=data["home_organization"],
                    is_active=data["is_active"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                )
                messages.success(request, _("%(user)s was saved.") % {"user": user})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "edited": instance},
        status=400 if request.method == "POST" else 200,
    )
