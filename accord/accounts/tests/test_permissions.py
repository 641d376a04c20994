"""Who may reach the account pages, the site-wide pages, and user management.

The permission matrix is data: each row names a route, a method and the status every kind
of user gets, so a new route gets its permission tests by adding a row. The users are those
of the root conftest: a viewer, an editor, a manager and an admin of Quảng Ninh DoET, and
``other``, an editor of Hải Phòng DoET (another tenant).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accord.accounts.models import User
from accord.core.tenancy import Role
from accord.core.testing import LOGIN, ROLES, assert_status, route_names, signed_in

#          anonymous  viewer  editor  manager  admin  other
READ = (LOGIN, 200, 200, 200, 200, 200)
PUBLIC = (200, 200, 200, 200, 200, 200)
MANAGE = (LOGIN, 403, 403, 200, 200, 403)
POST_ONLY = (405, 405, 405, 405, 405, 405)

# (route name, URL arguments, method, POST data, statuses). An argument "user:<role>" is the
# primary key of that user of the conftest.
TABLE = [
    ("core:home", (), "get", None, READ),
    ("core:search", (), "get", None, READ),  # what each role finds: core/tests/test_search_permissions.py
    ("core:search_suggest", (), "get", None, READ),
    # what each role finds with a picker: core/tests/test_picker.py
    ("core:pick", ("organizations",), "get", None, READ),
    ("core:pick", ("people",), "get", None, READ),
    ("core:pick", ("agreements",), "get", None, READ),
    ("core:pick", ("engagements",), "get", None, READ),
    ("core:pick", ("homes",), "get", None, READ),
    ("core:pick", ("mobilities",), "get", None, (LOGIN, 404, 404, 404, 404, 404)),  # never picked by search
    ("healthz", (), "get", None, PUBLIC),
    ("accounts:login", (), "get", None, (200, 302, 302, 302, 302, 302)),  # signed in: sent home
    ("accounts:logout", (), "get", None, POST_ONLY),
    ("accounts:logout", (), "post", {}, (302, 302, 302, 302, 302, 302)),
    ("accounts:password_change", (), "get", None, READ),
    ("accounts:password_reset", (), "get", None, PUBLIC),
    ("accounts:password_reset_done", (), "get", None, PUBLIC),
    ("accounts:password_reset_confirm", ("MQ", "not-a-token"), "get", None, PUBLIC),  # says the link is invalid
    ("accounts:password_reset_complete", (), "get", None, PUBLIC),
    ("accounts:set_language", (), "get", None, POST_ONLY),
    ("accounts:set_language", (), "post", {"language": "en", "next": "/"}, (302, 302, 302, 302, 302, 302)),
    ("accounts:profile", (), "get", None, READ),
    ("accounts:token_regenerate", (), "post", {}, READ),
    ("accounts:user_list", (), "get", None, MANAGE),
    ("accounts:user_create", (), "get", None, MANAGE),
    ("accounts:user_update", ("user:viewer",), "get", None, MANAGE),
    # Hải Phòng's manager would see this page; Quảng Ninh's do not learn that the user exists.
    ("accounts:user_update", ("user:hp_viewer",), "get", None, (LOGIN, 403, 403, 404, 404, 403)),
]


def _cases():
    return [
        pytest.param(
            name,
            args,
            method,
            data,
            role,
            expected,
            id=f"{method.upper()} {name}{'(' + ','.join(args) + ')' if args else ''} as {role}",
        )
        for name, args, method, data, statuses in TABLE
        for role, expected in zip(ROLES, statuses, strict=True)
    ]


@pytest.fixture
def everyone(users, make_user):
    return {**users, "hp_viewer": make_user(Role.VIEWER, org="hp")}


def _url(name, args, everyone):
    return reverse(name, args=[everyone[a.split(":", 1)[1]].pk if a.startswith("user:") else a for a in args])


@pytest.mark.parametrize(("name", "args", "method", "data", "role", "expected"), _cases())
def test_page_permissions(client, everyone, name, args, method, data, role, expected):
    # given
    client = signed_in(client, everyone, role)
    url = _url(name, args, everyone)

    # when
    response = client.post(url, data) if method == "post" else client.get(url)

    # then
    assert_status(response, expected, url)


def test_every_account_and_core_route_has_permission_rows():
    from accord.accounts.urls import urlpatterns as account_patterns
    from accord.core.urls import urlpatterns as core_patterns

    covered = {name for name, *_rest in TABLE}

    assert route_names("accounts", account_patterns) <= covered
    assert route_names("core", core_patterns) <= covered


# --- user management ---------------------------------------------------------------------


def _new_user(home, role, username="nguyen.van.an", email="an.nguyen@sgddt.quangninh.example"):
    return {
        "username": username,
        "first_name": "An",
        "last_name": "Nguyễn Văn",
        "email": email,
        "home_organization": home.pk,
        "role": role,
        "language": "vi",
    }


@pytest.mark.parametrize("home", ["qn", "hlu", "qui"])
def test_a_manager_adds_a_user_to_their_organisation_or_one_below_and_a_link_is_mailed(
    client, users, tenants, mailoutbox, django_capture_on_commit_callbacks, home
):
    # given
    client.force_login(users["manager"])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), _new_user(tenants[home], Role.EDITOR))

    # then
    assert response.status_code == 302, response.content[:1000]
    user = User.objects.get(username="nguyen.van.an")
    assert (user.home_organization, user.role, user.has_usable_password()) == (tenants[home], Role.EDITOR, False)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["an.nguyen@sgddt.quangninh.example"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", mail.body)
    assert link, mail.body


def test_the_mailed_link_lets_the_new_user_choose_a_password_and_sign_in(
    client, users, tenants, mailoutbox, django_capture_on_commit_callbacks
):
    # given: a manager added a user, who received the welcome mail
    client.force_login(users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user_create"), _new_user(tenants["hlu"], Role.VIEWER))
    client.logout()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mailoutbox[0].body).group(1)

    # when: the new user opens it and chooses a password
    form_page = client.get(link, follow=True)
    chosen = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Hạ Long bay 2025!", "new_password2": "Hạ Long bay 2025!"},
    )

    # then
    assert chosen.status_code == 302
    assert User.objects.get(username="nguyen.van.an").check_password("Hạ Long bay 2025!")


def test_a_manager_cannot_make_an_administrator(client, users, tenants, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(users["manager"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), _new_user(tenants["qn"], Role.ADMIN))
    promote = client.post(
        reverse("accounts:user_update", args=[users["editor"].pk]),
        {
            **_new_user(tenants["qn"], Role.ADMIN, username="qn-editor", email="qn-editor@example.org"),
            "is_active": "on",
        },
    )

    assert response.status_code == 400
    assert promote.status_code == 400
    assert not User.objects.filter(username="nguyen.van.an").exists()
    assert User.objects.get(pk=users["editor"].pk).role == Role.EDITOR
    assert mailoutbox == []
    form = client.get(reverse("accounts:user_create")).content.decode()
    assert 'value="admin"' not in form and 'value="manager"' in form


def test_an_administrator_can_make_an_administrator(client, users, tenants, django_capture_on_commit_callbacks):
    client.force_login(users["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), _new_user(tenants["qn"], Role.ADMIN))

    assert response.status_code == 302, response.content[:1000]
    assert User.objects.get(username="nguyen.van.an").role == Role.ADMIN


def test_a_manager_cannot_change_an_administrator(client, users, tenants):
    client.force_login(users["manager"])
    admin = users["admin"]

    response = client.post(
        reverse("accounts:user_update", args=[admin.pk]),
        {**_new_user(tenants["qn"], Role.VIEWER, username=admin.username, email=admin.email), "is_active": "on"},
    )

    assert response.status_code == 400
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_a_manager_cannot_add_a_user_to_another_tenant(
    client, users, tenants, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(users["manager"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user_create"), _new_user(tenants["hp"], Role.VIEWER))

    assert response.status_code == 400
    assert not User.objects.filter(username="nguyen.van.an").exists()
    assert mailoutbox == []


def test_a_manager_cannot_see_or_change_the_users_of_another_tenant(client, users, tenants, make_user):
    # given: a viewer of Hải Phòng
    hp_viewer = make_user(Role.VIEWER, org="hp")
    client.force_login(users["manager"])

    # when
    listed = client.get(reverse("accounts:user_list")).content.decode()
    opened = client.get(reverse("accounts:user_update", args=[hp_viewer.pk]))
    changed = client.post(
        reverse("accounts:user_update", args=[hp_viewer.pk]),
        {
            **_new_user(tenants["qn"], Role.EDITOR, username=hp_viewer.username, email=hp_viewer.email),
            "is_active": "on",
        },
    )
    moved_in = client.post(
        reverse("accounts:user_update", args=[users["viewer"].pk]),
        {**_new_user(tenants["hp"], Role.VIEWER, username="qn-viewer", email=users["viewer"].email), "is_active": "on"},
    )

    # then
    assert users["viewer"].username in listed and users["unit"].username in listed
    assert hp_viewer.username not in listed and users["other"].username not in listed
    assert opened.status_code == 404
    assert changed.status_code == 404
    assert moved_in.status_code == 400
    hp_viewer.refresh_from_db()
    users["viewer"].refresh_from_db()
    assert (hp_viewer.role, hp_viewer.home_organization) == (Role.VIEWER, tenants["hp"])
    assert users["viewer"].home_organization == tenants["qn"]


def test_a_school_manager_does_not_manage_the_users_of_its_department(client, users, tenants, make_user):
    school_manager = make_user(Role.MANAGER, org="hlu")
    client.force_login(school_manager)

    listed = client.get(reverse("accounts:user_list")).content.decode()
    opened = client.get(reverse("accounts:user_update", args=[users["viewer"].pk]))

    assert users["unit"].username in listed and users["viewer"].username not in listed
    assert opened.status_code == 404


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_cannot_add_users(client, users, tenants, mailoutbox, role):
    client.force_login(users[role])

    response = client.post(reverse("accounts:user_create"), _new_user(tenants["qn"], Role.VIEWER))
    demote = client.post(
        reverse("accounts:user_update", args=[users["manager"].pk]),
        {
            **_new_user(tenants["qn"], Role.VIEWER, username="qn-manager", email=users["manager"].email),
            "is_active": "on",
        },
    )

    assert response.status_code == 403
    assert demote.status_code == 403
    assert not User.objects.filter(username="nguyen.van.an").exists()
    assert User.objects.get(pk=users["manager"].pk).role == Role.MANAGER
    assert mailoutbox == []
