"""Signing in, throttling, passwords, and the language each user keeps."""

import re

import pytest
from django.urls import reverse

import accord.settings as project_settings
from accord.core.tenancy import Role

PASSWORD = "pw-for-tests-only"


def test_sign_in_lands_on_home_with_the_users_organisation(client, users, tenants):
    response = client.post(reverse("accounts:login"), {"username": "qn-editor", "password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert response.wsgi_request.user.username == "qn-editor"
    assert tenants["qn"].name in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, users):
    response = client.post(reverse("accounts:login"), {"username": "qn-editor", "password": "wrong"})

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "wrong" in response.content.decode().lower()


def test_login_is_throttled_after_repeated_failures(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "qn-editor", "password": "wrong"})

    # Even the right password is refused while the lock lasts.
    response = client.post(reverse("accounts:login"), {"username": "qn-editor", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_the_lock_is_per_user_name(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "qn-editor", "password": "wrong"})

    response = client.post(reverse("accounts:login"), {"username": "qn-viewer", "password": PASSWORD}, follow=True)

    assert response.wsgi_request.user.username == "qn-viewer"


def test_passwords_are_hashed_with_argon2_in_the_project_settings(db, django_user_model, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = django_user_model.objects.create_user("hashed", password="a long pass phrase")

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2$")


def test_sign_out_needs_a_post_and_ends_the_session(client, users):
    client.force_login(users["viewer"])

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_password_change(client, users):
    client.force_login(users["viewer"])

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-secret-42", "new_password2": "a-new-long-secret-42"},
    )

    assert response.status_code == 302
    users["viewer"].refresh_from_db()
    assert users["viewer"].check_password("a-new-long-secret-42")


def test_password_change_with_wrong_old_password_shows_the_field_error(client, users):
    client.force_login(users["viewer"])

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": "a-new-long-secret-42", "new_password2": "a-new-long-secret-42"},
    )

    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()


def test_password_reset_by_email_sets_a_new_password(client, users, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": users["viewer"].email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(set_url, {"new_password1": "reset-by-mail-77", "new_password2": "reset-by-mail-77"}, follow=True)

    assert done.status_code == 200
    users["viewer"].refresh_from_db()
    assert users["viewer"].check_password("reset-by-mail-77")


def test_password_reset_does_not_reveal_unknown_addresses(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)

    assert response.status_code == 200
    assert mailoutbox == []


@pytest.mark.parametrize("language", ["vi", "fr", "th", "en"])
def test_language_choice_is_kept_per_user(client, users, language):
    user = users["viewer"]
    client.force_login(user)

    client.post(reverse("accounts:set_language"), {"language": language, "next": "/"})
    user.refresh_from_db()
    # A new session (another device) speaks the chosen language without any cookie.
    other_device = client.__class__()
    other_device.force_login(user)
    page = other_device.get(reverse("core:home"))

    assert user.language == language
    assert f'<html lang="{language}">' in page.content.decode()


def test_unknown_language_is_ignored(client, users):
    client.force_login(users["viewer"])

    client.post(reverse("accounts:set_language"), {"language": "xx", "next": "/"})

    users["viewer"].refresh_from_db()
    assert users["viewer"].language == ""


def test_language_switch_does_not_redirect_to_another_site(client, users):
    client.force_login(users["viewer"])

    response = client.post(reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_api_token_is_shown_once_and_replaces_the_old_one(client, users):
    from rest_framework.authtoken.models import Token

    client.force_login(users["editor"])
    first = client.post(reverse("accounts:token_regenerate"))
    old_key = Token.objects.get(user=users["editor"]).key
    second = client.post(reverse("accounts:token_regenerate"))
    new_key = Token.objects.get(user=users["editor"]).key

    assert old_key in first.content.decode()
    assert new_key != old_key and new_key in second.content.decode()
    assert client.get(reverse("accounts:profile")).content.decode().count(new_key) == 0


def test_deactivated_user_cannot_sign_in(client, users):
    users["editor"].is_active = False
    users["editor"].save()

    response = client.post(reverse("accounts:login"), {"username": "qn-editor", "password": PASSWORD})

    assert not response.wsgi_request.user.is_authenticated


def test_user_changes_are_in_the_history_without_the_password(users, django_user_model):
    manager = users["manager"]
    from accord.accounts.services import user_update

    user_update(
        acting_user=manager,
        user=users["editor"],
        role=Role.VIEWER,
        home_organization=users["editor"].home_organization,
        is_active=True,
        email=users["editor"].email,
    )

    record = users["editor"].history.first()
    assert record.history_user == manager
    assert record.role == Role.VIEWER
    assert not hasattr(record, "password")
