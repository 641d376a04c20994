"""Fixtures shared by every test: a small tenancy tree and one user per role.

Quảng Ninh DoET oversees Ha Long University and Quang Ninh University of Industry;
Hải Phòng DoET is another tenant whose rows Quảng Ninh users must never see.
"""

import os

import pytest

from accord.core.tenancy import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

# The helpers the tests share (permission matrices, API clients) assert too: let pytest explain their failures.
pytest.register_assert_rewrite("accord.core.testing")


@pytest.fixture(autouse=True)
def _media_and_var(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _vocabularies(request):
    """Tests that run against a flushed database (live server, transactional) would lose the
    activity types that a migration loads; put them back for every test that uses the database."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from accord.agreements.choices import ensure_activity_types

    ensure_activity_types()


@pytest.fixture
def tenants(db):
    """The home organisations: {"qn": DoET, "hlu": …, "qui": …, "hp": …}."""
    from accord.partners.models import Organization

    qn = Organization.objects.create(
        kind="government_body",
        name="Quảng Ninh Department of Education and Training",
        name_language="en",
        country="VN",
        subdivision="VN-13",
        is_home=True,
    )
    hlu = Organization.objects.create(
        kind="university", name="Ha Long University", country="VN", subdivision="VN-13", is_home=True, parent=qn
    )
    qui = Organization.objects.create(
        kind="university",
        name="Quang Ninh University of Industry",
        country="VN",
        subdivision="VN-13",
        is_home=True,
        parent=qn,
    )
    hp = Organization.objects.create(
        kind="government_body",
        name="Hải Phòng Department of Education and Training",
        country="VN",
        subdivision="VN-HP",
        is_home=True,
    )
    from accord.partners.services import organization_refresh_search

    for org in (qn, hlu, qui, hp):
        org.owner = org
        org.save()
        organization_refresh_search(org)
    return {"qn": qn, "hlu": hlu, "qui": qui, "hp": hp}


@pytest.fixture
def make_user(db, tenants):
    from accord.accounts.models import User

    def make(role=Role.EDITOR, org="qn", username=None, **extra):
        home = tenants[org] if isinstance(org, str) else org
        return User.objects.create_user(
            username=username or f"{org}-{role}",
            password="pw-for-tests-only",
            email=f"{username or org + '-' + role}@example.org",
            home_organization=home,
            role=role,
            **extra,
        )

    return make


@pytest.fixture
def users(make_user):
    """One user per role in Quảng Ninh DoET, plus an editor of Hải Phòng DoET and of Ha Long University."""
    made = {role.value: make_user(role.value) for role in Role}
    made["other"] = make_user(Role.EDITOR, org="hp")
    made["unit"] = make_user(Role.EDITOR, org="hlu")
    return made


@pytest.fixture
def editor(users):
    return users["editor"]


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
