"""Who may reach which funding page, and who sees which schemes, allocations and projects.

The permission matrix is data: each row names a route, a method, the records it acts on and the
status every kind of user gets. A new route gets its permission tests by adding a row; a route
without a row fails the coverage test.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of Quảng
Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an editor of Ha
Long University, below Quảng Ninh DoET). Quảng Ninh's scheme gives 30 places to Ha Long
University, which passes 5 on to a practice school: the university sees the scheme and may
pass its part on, but may not change the scheme nor what it was given.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accord.core.testing import (
    LOGIN,
    ROLES_WITH_UNIT,
    Url,
    assert_status,
    assert_written_or_not,
    cases,
    covered_routes,
    route_names,
    signed_in,
)
from accord.engagements.tests.test_views import management, organization
from accord.funding.tests.test_views import (
    allocate,
    csv_rows,
    funding_state,
    make_project,
    make_scheme,
    project_form,
    scheme_form,
)

ROLES = ROLES_WITH_UNIT


def _scheme_update(r):
    return scheme_form(
        name="AI talents (amended)", kind="quota_plan", funder=r["guangxi"].pk, unit="places", total="100"
    )


def _project_update(r):
    return project_form(acronym=r["project"].acronym, title="Music education in Vietnam (amended)")


# What each write sends; a function of the records.
PAYLOADS = {
    "funding:scheme_create": lambda r: scheme_form(funder=r["guangxi"].pk, total="12"),
    "funding:scheme_update": _scheme_update,
    "funding:allocation_create": lambda r: {"recipient": r["school"].pk, "quantity": "1"},
    "funding:allocation_update": lambda r: {"recipient": r["school"].pk, "quantity": "4", "note": "One returned"},
    "funding:project_create": lambda r: project_form(
        acronym="EDUVN", title="Teacher education network", partners=[(r["guangxi"], "partner", "")]
    ),
    "funding:project_update": _project_update,
}

# The statuses of each row are in the order of ROLES: anonymous, viewer, editor, manager, admin,
# other, unit.
READ = (LOGIN, 200, 200, 200, 200, 200, 200)
REDIRECT = (LOGIN, 302, 302, 302, 302, 302, 302)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302, 302)
# Quảng Ninh's scheme: Ha Long University sees it (it received part of it) but may not change it.
READ_SCHEME = (LOGIN, 200, 200, 200, 200, 404, 200)
OWNER_PAGE = (LOGIN, 403, 200, 200, 200, 404, 403)
OWNER_DONE = (LOGIN, 403, 302, 302, 302, 404, 403)
# What Ha Long University received, passed on or keeps: it may act on it as well.
RECIPIENT_PAGE = (LOGIN, 403, 200, 200, 200, 404, 200)
RECIPIENT_DONE = (LOGIN, 403, 302, 302, 302, 404, 302)
# An allocation to Quang Ninh University of Industry: out of Ha Long University's sight.
SIBLING_PAGE = (LOGIN, 403, 200, 200, 200, 404, 404)
SIBLING_DONE = (LOGIN, 403, 302, 302, 302, 404, 404)
# Quảng Ninh's own project: neither Hải Phòng nor the university below see it.
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404, 404)
# The university's project: overseen by the department, out of Hải Phòng's sight.
READ_UNITS = (LOGIN, 200, 200, 200, 200, 404, 200)
CHANGE_UNITS = (LOGIN, 403, 200, 200, 200, 404, 200)

PAGE_TABLE = [
    (Url("funding:index"), "get", REDIRECT),
    (Url("funding:scheme_list"), "get", READ),
    (Url("funding:scheme_list", query="q=guangxi&kind=quota_plan&funder={guangxi}&o=-total"), "get", READ),
    (Url("funding:scheme_create"), "get", WRITE_PAGE),
    (Url("funding:scheme_create"), "post", WRITE_DONE),
    (Url("funding:scheme_export", ("csv",)), "get", READ),
    (Url("funding:scheme_export", ("xlsx",)), "get", READ),
    (Url("funding:scheme_detail", ("scheme",)), "get", READ_SCHEME),
    (Url("funding:scheme_update", ("scheme",)), "get", OWNER_PAGE),
    (Url("funding:scheme_update", ("scheme",)), "post", OWNER_DONE),
    (Url("funding:scheme_delete", ("scheme",)), "get", OWNER_PAGE),
    (Url("funding:scheme_delete", ("scheme",)), "post", OWNER_DONE),
    (Url("funding:allocation_create", ("scheme",)), "get", OWNER_PAGE),
    (Url("funding:allocation_create", ("scheme",)), "post", OWNER_DONE),
    (Url("funding:allocation_create", ("scheme",), query="parent={hlu_part}"), "get", RECIPIENT_PAGE),
    (Url("funding:allocation_create", ("scheme",), query="parent={hlu_part}"), "post", RECIPIENT_DONE),
    (Url("funding:allocation_create", ("scheme",), query="parent={qui_part}"), "get", SIBLING_PAGE),
    (Url("funding:allocation_export", ("scheme", "csv")), "get", READ_SCHEME),
    (Url("funding:allocation_export", ("scheme", "xlsx")), "get", READ_SCHEME),
    (Url("funding:allocation_update", ("hlu_part",)), "get", OWNER_PAGE),
    (Url("funding:allocation_update", ("school_part",)), "get", RECIPIENT_PAGE),
    (Url("funding:allocation_update", ("school_part",)), "post", RECIPIENT_DONE),
    (Url("funding:allocation_update", ("qui_part",)), "get", SIBLING_PAGE),
    (Url("funding:allocation_delete", ("hlu_part",)), "get", OWNER_PAGE),
    (Url("funding:allocation_delete", ("school_part",)), "get", RECIPIENT_PAGE),
    (Url("funding:allocation_delete", ("school_part",)), "post", RECIPIENT_DONE),
    (Url("funding:allocation_delete", ("qui_part",)), "post", SIBLING_DONE),
    (Url("funding:project_list"), "get", READ),
    (Url("funding:project_list", query="q=vietmus&status=running&theme=music&year=2025&o=-budget"), "get", READ),
    (Url("funding:project_create"), "get", WRITE_PAGE),
    (Url("funding:project_create"), "post", WRITE_DONE),
    (Url("funding:project_export", ("csv",)), "get", READ),
    (Url("funding:project_export", ("xlsx",)), "get", READ),
    (Url("funding:project_detail", ("project",)), "get", READ_OWNED),
    (Url("funding:project_detail", ("hlu_project",)), "get", READ_UNITS),
    (Url("funding:project_update", ("project",)), "get", CHANGE_PAGE),
    (Url("funding:project_update", ("project",)), "post", CHANGE_DONE),
    (Url("funding:project_update", ("hlu_project",)), "get", CHANGE_UNITS),
    (Url("funding:project_delete", ("project",)), "get", CHANGE_PAGE),
    (Url("funding:project_delete", ("project",)), "post", CHANGE_DONE),
]


@pytest.fixture
def records(users, tenants):
    editor, unit = users["editor"], users["unit"]
    guangxi = organization(editor, "Guangxi Education Department", "CN")
    school = organization(unit, "Hạ Long Practice School", "VN")
    scheme = make_scheme(editor, funder=guangxi)
    hlu_part = allocate(editor, scheme, tenants["hlu"], 30)
    qui_part = allocate(editor, scheme, tenants["qui"], 20)
    school_part = allocate(unit, scheme, school, 5, parent=hlu_part)
    project = make_project(
        editor,
        "VIETMUS",
        "Music education in Vietnam",
        funder=guangxi,
        budget=Decimal("998000"),
        currency="EUR",
        themes="music",
        partners=[(school, "partner", None)],
    )
    hlu_project = make_project(unit, "REVFIN", "Renewable energy and finance", partners=[(school, "partner", None)])
    return {
        "guangxi": guangxi,
        "school": school,
        "scheme": scheme,
        "hlu_part": hlu_part,
        "qui_part": qui_part,
        "school_part": school_part,
        "project": project,
        "hlu_project": hlu_project,
    }


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    data = PAYLOADS[url.name](records) if method == "post" and url.name in PAYLOADS else {}
    before = funding_state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(funding_state, before, expected, method)


def test_every_funding_route_has_permission_rows():
    from accord.funding.urls import urlpatterns

    assert route_names("funding", urlpatterns) == covered_routes(PAGE_TABLE)


# --- a user never sees a scheme or a project of another tenant ---------------------------------------


@pytest.fixture
def two_tenants(users, tenants):
    """A scheme and a project of Quảng Ninh and of Hải Phòng, from the same shared funder."""
    japan = organization(users["editor"], "Japan International Cooperation Agency", "JP")
    made = {}
    for key, user, home in (("qn", users["editor"], tenants["qn"]), ("hp", users["other"], tenants["hp"])):
        scheme = make_scheme(user, f"JICA volunteers for {home.name}", funder=japan, total=10)
        allocation = allocate(user, scheme, home, 4)
        project = make_project(user, f"JICA-{key.upper()}", f"Japanese teaching at {home.name}", funder=japan)
        made[key] = (scheme, allocation, project)
    return made


SIDES = ["viewer", "editor", "manager", "admin", "other"]


@pytest.mark.parametrize("who", SIDES)
def test_lists_and_exports_show_only_the_users_own_schemes_and_projects(client, users, two_tenants, who):
    mine, theirs = (two_tenants["hp"], two_tenants["qn"]) if who == "other" else (two_tenants["qn"], two_tenants["hp"])
    client.force_login(users[who])

    schemes = client.get(reverse("funding:scheme_list"), {"q": "jica"}).content.decode()
    projects = client.get(reverse("funding:project_list"), {"q": "japanese"}).content.decode()
    scheme_rows = csv_rows(client.get(reverse("funding:scheme_export", args=["csv"])))
    project_rows = csv_rows(client.get(reverse("funding:project_export", args=["csv"])))

    assert mine[0].name in schemes and theirs[0].name not in schemes
    assert mine[2].title in projects and theirs[2].title not in projects
    assert [r["name"] for r in scheme_rows] == [mine[0].name]
    assert [r["title"] for r in project_rows] == [mine[2].title]
    for url in (
        theirs[0].get_absolute_url(),
        theirs[2].get_absolute_url(),
        reverse("funding:allocation_export", args=[theirs[0].pk, "csv"]),
        reverse("funding:allocation_update", args=[theirs[1].pk]),
        reverse("funding:allocation_create", args=[mine[0].pk]) + f"?parent={theirs[1].pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_forms_offer_only_schemes_and_owners_of_the_users_scope(client, users, tenants, two_tenants):
    client.force_login(users["other"])

    html = client.get(reverse("funding:project_create")).content.decode()
    scheme_select = html[html.index('name="scheme"') : html.index("</select>", html.index('name="scheme"'))]
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]

    assert two_tenants["hp"][0].name in scheme_select and two_tenants["qn"][0].name not in scheme_select
    assert tenants["hp"].name in owner_select and tenants["qn"].name not in owner_select


def test_a_project_cannot_use_a_scheme_of_another_tenant(client, users, two_tenants):
    client.force_login(users["other"])
    before = funding_state()

    response = client.post(
        reverse("funding:project_create"),
        {**project_form(acronym="HP"), "scheme": two_tenants["qn"][0].pk, **management("partners", 0)},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert funding_state() == before
