"""Who may search, and what each user finds: never a row they may not see.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of Quảng
Ninh DoET; ``unit``, an editor of Ha Long University (under Quảng Ninh DoET); ``other``, an
editor of Hải Phòng DoET (another tenant). Organisations shared in the directory are seen by
everyone; every other record only inside its owner's scope.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from accord.core.search import search
from accord.core.tests.test_search import THAI, world  # noqa: F401 - the fixture

ROLES = ("anonymous", "viewer", "editor", "manager", "admin", "other", "unit")
PAGE = reverse("core:search")
SUGGEST = reverse("core:search_suggest")
API = "/api/v1/search/"
LOGIN = "login"

# route → the status each kind of user gets
MATRIX = {
    PAGE: {"anonymous": LOGIN, **{role: 200 for role in ROLES[1:]}},
    SUGGEST: {"anonymous": LOGIN, **{role: 200 for role in ROLES[1:]}},
    API: {"anonymous": 403, **{role: 200 for role in ROLES[1:]}},
}


def _client(users, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(MATRIX), ids=["page", "suggest", "api"])
def test_permission_matrix(users, world, url, role):  # noqa: F811
    response = _client(users, role).get(url, {"q": "ha long"})

    expected = MATRIX[url][role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code == expected


def test_the_api_refuses_anonymous_callers_without_a_word_about_the_records(client, world):  # noqa: F811
    response = client.get(API, {"q": "ha long"})

    assert response.status_code == 403
    assert "Hạ Long" not in response.content.decode()


def test_the_other_tenant_finds_only_the_shared_organisations(users, world, tenants):  # noqa: F811
    groups = search(users["other"], "ha long", limit=50)
    found = {group.kind: {r.title for r in group.results} for group in groups}

    # Quảng Ninh's shared partners and Ha Long University are in the directory for everyone;
    # Hải Phòng's own people and engagements are its own.
    assert found == {
        "organizations": {"Hạ Long Bay Maritime College", "Ha Long University"},
        "people": {"Hạ Long Hải Phòng Contact"},
        "engagements": {"Hải Phòng visit to Hạ Long"},
    }
    assert {group.kind: group.total for group in groups} == {"organizations": 2, "people": 1, "engagements": 1}


def test_a_private_organisation_is_not_found_by_any_of_its_names_outside_its_owner(users, world):  # noqa: F811
    for query in ("Private Training Centre", "ศูนย์ฝึกอบรมฮาลอง"):
        assert search(users["other"], query) == [], query
        assert [g.kind for g in search(users["viewer"], query)] == ["organizations"], query


@pytest.mark.parametrize("role", ["viewer", "editor", "manager", "admin"])
def test_quang_ninh_finds_its_own_and_ha_long_universitys_records_but_not_hai_phongs(users, world, role):  # noqa: F811
    found = {group.kind: {r.title for r in group.results} for group in search(users[role], "ha long", limit=50)}

    assert "Lê Thị Hạ Long" in found["people"]  # kept by Ha Long University, under Quảng Ninh
    assert "Ha Long University and Osaka: student exchange" in found["agreements"]
    assert "Hạ Long Private Training Centre" in found["organizations"]
    assert "Hạ Long Hải Phòng Contact" not in found["people"]
    assert "Hải Phòng visit to Hạ Long" not in found["engagements"]


def test_the_unit_finds_its_own_records_but_not_those_of_the_department_above(users, world):  # noqa: F811
    found = {group.kind: {r.title for r in group.results} for group in search(users["unit"], "ha long", limit=50)}

    assert found["people"] == {"Lê Thị Hạ Long"}
    assert found["agreements"] == {"Ha Long University and Osaka: student exchange"}
    assert "Hạ Long Private Training Centre" not in found["organizations"]
    assert not {"engagements", "projects", "plans", "sources"} & set(found)


@pytest.mark.parametrize("url", [PAGE, SUGGEST, API], ids=["page", "suggest", "api"])
def test_no_route_shows_the_other_tenant_a_private_record(users, world, url):  # noqa: F811
    body = _client(users, "other").get(url, {"q": "ha long", "limit": 50}).content.decode()

    for private in (
        "Hạ Long Private Training Centre",
        "Phạm Hạ Long",
        "MoU on teacher training in Hạ Long",
        "Osaka delegation to Hạ Long",
        "Digital schools of Hạ Long",
        "Kế hoạch hội nhập quốc tế",
        "Hạ Long hosts the Osaka delegation",
        "Lê Thị Hạ Long",
    ):
        assert private not in body, private
    assert "Hạ Long Bay Maritime College" in body


def test_the_see_all_count_counts_only_what_the_user_may_see(users, world):  # noqa: F811
    (organizations,) = [g for g in search(users["other"], "ha long", limit=1) if g.kind == "organizations"]
    (qn_organizations,) = [g for g in search(users["viewer"], "ha long", limit=1) if g.kind == "organizations"]

    assert organizations.total == 2
    assert qn_organizations.total == 3  # and the private centre


def test_a_user_without_a_home_organisation_finds_nothing(users, world, django_user_model):  # noqa: F811
    lost = django_user_model.objects.create_user(username="nobody", password="pw-for-tests-only")
    client = Client()
    client.force_login(lost)

    assert search(lost, "ha long") == []
    assert client.get(API, {"q": "ha long"}).status_code == 403
    assert "Nothing found for “ha long”." in client.get(SUGGEST, {"q": "ha long"}).content.decode()
    page = client.get(PAGE, {"q": THAI}).content.decode()
    assert "Kasetsart" not in page and "Nothing you may see matches" in page
