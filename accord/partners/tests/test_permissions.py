"""Who may reach which page and API operation of the partner directory, and who sees which rows.

The permission matrix is data: each row names a route, a method, the record it acts on and
the status every kind of user gets. A new route gets its permission tests by adding a row.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, and ``other``, an editor of Hải Phòng DoET (another tenant).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accord.core.testing import (
    LOGIN,
    ROLES,
    Url,
    assert_status,
    assert_written_or_not,
    cases,
    covered_routes,
    route_names,
    signed_in,
)
from accord.partners import services
from accord.partners.models import Organization, Person


@dataclass(frozen=True)
class ApiUrl:
    """An API operation: the collection, or one record of the ``records`` fixture."""

    collection: str
    target: str | None = None

    def resolve(self, records) -> str:
        base = f"/api/v1/{self.collection}/"
        return f"{base}{records[self.target].pk}/" if self.target else base

    def __str__(self) -> str:
        return f"/api/v1/{self.collection}/" + (f"<{self.target}>/" if self.target else "")


# What each write sends; a function of the records and the home organisations.
def _org_form(tenants, *, name, owner="qn"):
    management = {
        f"{prefix}-{key}": value
        for prefix in ("names", "identifiers", "facts")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    return {
        "name": name,
        "kind": "university",
        "country": "ES",
        "owner": tenants[owner].pk,
        "shared": "on",
        **management,
    }


PAYLOADS = {
    "partners:organization_create": lambda r, t: _org_form(t, name="Universidad de Zaragoza", owner="qn"),
    "partners:organization_update": lambda r, t: _org_form(t, name="Liaoning Technical University (LNTU)"),
    "partners:person_create": lambda r, t: {"name": "Trần Văn Minh", "position": "Lecturer"},
    "partners:person_update": lambda r, t: {"name": "Nguyễn Thị Lan", "position": "Vice-rector", "owner": t["qn"].pk},
    ("organizations", "post"): lambda r, t: {"kind": "university", "name": "Universidad de Zaragoza", "country": "ES"},
    ("organizations", "put"): lambda r, t: {"kind": "university", "name": "Liaoning Technical University (LNTU)"},
    ("organizations", "patch"): lambda r, t: {"city": "Fuxin"},
    ("people", "post"): lambda r, t: {"name": "Trần Văn Minh"},
    ("people", "put"): lambda r, t: {"name": "Nguyễn Thị Lan", "position": "Vice-rector"},
    ("people", "patch"): lambda r, t: {"position": "Vice-rector"},
}

# The other tenant's editor creates in Hải Phòng: the form would refuse a Quảng Ninh owner.
OTHER_PAYLOADS = {
    "partners:organization_create": lambda r, t: _org_form(t, name="Universidad de Zaragoza", owner="hp"),
}

# The statuses of each row are in the order of ROLES: anonymous, viewer, editor, manager,
# admin, other.
READ = (LOGIN, 200, 200, 200, 200, 200)
REDIRECT = (LOGIN, 302, 302, 302, 302, 302)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302)
# A record of Quảng Ninh: readable by all of Quảng Ninh; the other tenant reads a shared
# organisation but may not change it, and does not learn that the others exist.
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404)
CHANGE_SHARED_PAGE = (LOGIN, 403, 200, 200, 200, 403)
CHANGE_SHARED_DONE = (LOGIN, 403, 302, 302, 302, 403)
CHANGE_HIDDEN_PAGE = (LOGIN, 403, 200, 200, 200, 404)
CHANGE_HIDDEN_DONE = (LOGIN, 403, 302, 302, 302, 404)

PAGE_TABLE = [
    (Url("partners:index"), "get", REDIRECT),
    (Url("partners:organization_list"), "get", READ),
    (Url("partners:organization_list", query="q=liaoning"), "get", READ),
    (Url("partners:organization_create"), "get", WRITE_PAGE),
    (Url("partners:organization_create"), "post", WRITE_DONE),
    (Url("partners:organization_export", ("csv",)), "get", READ),
    (Url("partners:organization_export", ("xlsx",)), "get", READ),
    (Url("partners:organization_import"), "get", WRITE_PAGE),
    (Url("partners:organization_import"), "post", (LOGIN, 403, 400, 400, 400, 400)),  # no file: refused, not saved
    # The duplicate check is an htmx fragment: a sign-in page would be swapped into the form.
    (Url("partners:organization_similar", query="name=Liaoning"), "get", (403, 200, 200, 200, 200, 200)),
    (Url("partners:subdivision_options", query="country=VN"), "get", READ),
    (Url("partners:organization_detail", ("shared",)), "get", READ),
    (Url("partners:organization_detail", ("private",)), "get", READ_OWNED),
    (Url("partners:organization_update", ("shared",)), "get", CHANGE_SHARED_PAGE),
    (Url("partners:organization_update", ("shared",)), "post", CHANGE_SHARED_DONE),
    (Url("partners:organization_update", ("private",)), "get", CHANGE_HIDDEN_PAGE),
    (Url("partners:organization_delete", ("shared",)), "get", CHANGE_SHARED_PAGE),
    (Url("partners:organization_delete", ("shared",)), "post", CHANGE_SHARED_DONE),
    (Url("partners:organization_delete", ("private",)), "get", CHANGE_HIDDEN_PAGE),
    (Url("partners:organization_delete", ("private",)), "post", CHANGE_HIDDEN_DONE),
    (Url("partners:organization_merge", ("shared",)), "get", CHANGE_SHARED_PAGE),
    (Url("partners:organization_merge", ("private",)), "get", CHANGE_HIDDEN_PAGE),
    (Url("partners:person_list"), "get", READ),
    (Url("partners:person_list", query="q=lan"), "get", READ),
    (Url("partners:person_create"), "get", WRITE_PAGE),
    (Url("partners:person_create"), "post", WRITE_DONE),
    (Url("partners:person_export", ("csv",)), "get", READ),
    (Url("partners:person_export", ("xlsx",)), "get", READ),
    (Url("partners:person_detail", ("person",)), "get", READ_OWNED),
    (Url("partners:person_update", ("person",)), "get", CHANGE_HIDDEN_PAGE),
    (Url("partners:person_update", ("person",)), "post", CHANGE_HIDDEN_DONE),
    (Url("partners:person_delete", ("person",)), "get", CHANGE_HIDDEN_PAGE),
    (Url("partners:person_delete", ("person",)), "post", CHANGE_HIDDEN_DONE),
]

# Anonymous API calls get 403, not 401: session authentication comes first and sends no
# WWW-Authenticate challenge.
API_READ = (403, 200, 200, 200, 200, 200)
API_READ_OWNED = (403, 200, 200, 200, 200, 404)
API_CREATE = (403, 403, 201, 201, 201, 201)
API_CHANGE_SHARED = (403, 403, 200, 200, 200, 403)
API_CHANGE_HIDDEN = (403, 403, 200, 200, 200, 404)
API_DELETE_SHARED = (403, 403, 204, 204, 204, 403)
API_DELETE_HIDDEN = (403, 403, 204, 204, 204, 404)

API_TABLE = [
    (ApiUrl("organizations"), "get", API_READ),
    (ApiUrl("organizations", "shared"), "get", API_READ),
    (ApiUrl("organizations", "private"), "get", API_READ_OWNED),
    (ApiUrl("organizations"), "post", API_CREATE),
    (ApiUrl("organizations", "shared"), "put", API_CHANGE_SHARED),
    (ApiUrl("organizations", "shared"), "patch", API_CHANGE_SHARED),
    (ApiUrl("organizations", "shared"), "delete", API_DELETE_SHARED),
    (ApiUrl("organizations", "private"), "put", API_CHANGE_HIDDEN),
    (ApiUrl("organizations", "private"), "patch", API_CHANGE_HIDDEN),
    (ApiUrl("organizations", "private"), "delete", API_DELETE_HIDDEN),
    (ApiUrl("people"), "get", API_READ),
    (ApiUrl("people", "person"), "get", API_READ_OWNED),
    (ApiUrl("people"), "post", API_CREATE),
    (ApiUrl("people", "person"), "put", API_CHANGE_HIDDEN),
    (ApiUrl("people", "person"), "patch", API_CHANGE_HIDDEN),
    (ApiUrl("people", "person"), "delete", API_DELETE_HIDDEN),
]


@pytest.fixture
def records(users, tenants):
    """The records the URLs name, all kept by Quảng Ninh DoET."""
    editor = users["editor"]
    shared = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN", "subdivision": "CN-LN"},
    )
    private = services.organization_create(
        acting_user=editor, data={"kind": "company", "name": "Cái Lân Port Logistics", "country": "VN", "shared": False}
    )
    person = services.person_create(
        acting_user=editor, data={"name": "Nguyễn Thị Lan", "position": "Head of the international office"}
    )
    return {"shared": shared, "private": private, "person": person}


def _state():
    """What a write would change: every organisation and person with its last change."""
    return (
        set(Organization.objects.values_list("pk", "name", "city", "updated_at")),
        set(Person.objects.values_list("pk", "name", "position", "updated_at")),
    )


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, tenants, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    payloads = OTHER_PAYLOADS if role == "other" and url.name in OTHER_PAYLOADS else PAYLOADS
    data = payloads[url.name](records, tenants) if method == "post" and url.name in payloads else {}
    before = _state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(_state, before, expected, method)


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, tenants, records, url, method, role, expected):
    # given
    client = signed_in(APIClient(), users, role)
    path = url.resolve(records)
    payload = PAYLOADS.get((url.collection, method))
    data = payload(records, tenants) if payload else None
    before = _state()

    # when
    response = getattr(client, method)(path, data, format="json") if data else getattr(client, method)(path)

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(_state, before, expected, method)


def test_every_route_of_the_partner_directory_has_permission_rows():
    from accord.partners.urls import urlpatterns

    assert route_names("partners", urlpatterns) == covered_routes(PAGE_TABLE)


def test_every_api_operation_has_permission_rows():
    covered = {(url.collection, url.target is not None, method) for url, method, _statuses in API_TABLE}
    operations = {("get", False), ("post", False), ("get", True), ("put", True), ("patch", True), ("delete", True)}

    for collection in ("organizations", "people"):
        assert {(target, method) for c, target, method in covered if c == collection} == {
            (target, method) for method, target in operations
        }


# --- a user never sees a row of another organisation ----------------------------------------


@dataclass
class Side:
    """One tenant's view: who looks, what they keep, and what the other tenant keeps."""

    user: object
    mine_org: Organization
    mine_person: Person
    theirs_org: Organization
    theirs_person: Person


@pytest.fixture
def two_tenants(users, tenants):
    """An unshared organisation and two people kept by each of Quảng Ninh and Hải Phòng.

    Their names share the word "Bạch" so that one search matches both sides.
    """
    qn, hp = users["editor"], users["other"]
    made = {
        "qn_org": services.organization_create(
            acting_user=qn,
            data={"kind": "company", "name": "Bạch Đằng Shipping Training (Quảng Ninh)", "shared": False},
            allow_similar=True,
        ),
        "hp_org": services.organization_create(
            acting_user=hp,
            data={"kind": "company", "name": "Bạch Đằng Shipping Training (Hải Phòng)", "shared": False},
            allow_similar=True,
        ),
        "qn_person": services.person_create(acting_user=qn, data={"name": "Bạch Văn Ninh", "email": "ninh@qn.example"}),
        "hp_person": services.person_create(acting_user=hp, data={"name": "Bạch Thị Hải", "email": "hai@hp.example"}),
    }
    assert made["hp_org"].owner == tenants["hp"] and made["hp_person"].owner == tenants["hp"]
    return made


def _side(name, users, made) -> Side:
    if name == "other":
        return Side(users["other"], made["hp_org"], made["hp_person"], made["qn_org"], made["qn_person"])
    return Side(users[name], made["qn_org"], made["qn_person"], made["hp_org"], made["hp_person"])


SIDES = ["viewer", "editor", "manager", "admin", "other"]


def _csv_names(response) -> set[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["name"] for row in csv.DictReader(io.StringIO(text))}


def _xlsx_names(response) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("name")
    return {row[column] for row in rows[1:]}


def _results(response) -> str:
    """The result table of a list page, without the search form that repeats the query."""
    assert response.status_code == 200
    return response.content.decode().split('id="results"', 1)[1]


def _api_ids(response) -> set[int]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("who", SIDES)
def test_lists_and_search_show_only_the_users_own_rows(client, users, two_tenants, who):
    side = _side(who, users, two_tenants)
    client.force_login(side.user)

    pages = {
        "organisations": client.get(reverse("partners:organization_list")),
        "organisation search": client.get(reverse("partners:organization_list"), {"q": "bach dang"}),
        "people": client.get(reverse("partners:person_list")),
        "people search": client.get(reverse("partners:person_list"), {"q": "BẠCH"}),
        "home": client.get(reverse("core:home")),
    }
    if who != "viewer":  # the choices of the forms list what the user can see
        pages["new person form"] = client.get(reverse("partners:person_create"))
        pages["new organisation form"] = client.get(reverse("partners:organization_create"))

    for label, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, label
        assert side.theirs_org.name not in html, label
        assert side.theirs_person.name not in html, label
    assert side.mine_org.name in _results(pages["organisation search"])
    assert side.mine_person.name in _results(pages["people search"])


@pytest.mark.parametrize("who", SIDES)
def test_detail_pages_of_the_other_tenant_are_not_found(client, users, two_tenants, who):
    side = _side(who, users, two_tenants)
    client.force_login(side.user)

    for name, record in (("organization", side.theirs_org), ("person", side.theirs_person)):
        for page in ("detail", "update", "delete"):
            assert client.get(reverse(f"partners:{name}_{page}", args=[record.pk])).status_code == 404, (name, page)
    assert client.get(reverse("partners:organization_detail", args=[side.mine_org.pk])).status_code == 200
    assert client.get(reverse("partners:person_detail", args=[side.mine_person.pk])).status_code == 200


@pytest.mark.parametrize("who", SIDES)
@pytest.mark.parametrize("query", [{}, {"q": "bach"}], ids=["all", "search"])
def test_exports_hold_only_the_users_own_rows(client, users, two_tenants, who, query):
    side = _side(who, users, two_tenants)
    client.force_login(side.user)

    exported = {
        "organisations.csv": _csv_names(client.get(reverse("partners:organization_export", args=["csv"]), query)),
        "organisations.xlsx": _xlsx_names(client.get(reverse("partners:organization_export", args=["xlsx"]), query)),
        "people.csv": _csv_names(client.get(reverse("partners:person_export", args=["csv"]), query)),
        "people.xlsx": _xlsx_names(client.get(reverse("partners:person_export", args=["xlsx"]), query)),
    }

    for label in ("organisations.csv", "organisations.xlsx"):
        assert side.mine_org.name in exported[label], label
        assert side.theirs_org.name not in exported[label], label
    for label in ("people.csv", "people.xlsx"):
        assert side.mine_person.name in exported[label], label
        assert side.theirs_person.name not in exported[label], label


@pytest.mark.parametrize("who", SIDES)
def test_the_api_lists_and_retrieves_only_the_users_own_rows(users, two_tenants, who):
    side = _side(who, users, two_tenants)
    client = APIClient()
    client.force_login(side.user)

    organizations = _api_ids(client.get("/api/v1/organizations/", {"page_size": 1000}))
    searched = _api_ids(client.get("/api/v1/organizations/", {"q": "bach dang"}))
    people = _api_ids(client.get("/api/v1/people/"))
    people_searched = _api_ids(client.get("/api/v1/people/", {"q": "bach"}))

    assert side.mine_org.pk in organizations and side.theirs_org.pk not in organizations
    assert searched == {side.mine_org.pk}
    assert side.mine_person.pk in people and side.theirs_person.pk not in people
    assert people_searched == {side.mine_person.pk}
    assert client.get(f"/api/v1/organizations/{side.theirs_org.pk}/").status_code == 404
    assert client.get(f"/api/v1/people/{side.theirs_person.pk}/").status_code == 404
    assert client.get(f"/api/v1/organizations/{side.mine_org.pk}/").status_code == 200
    assert client.get(f"/api/v1/people/{side.mine_person.pk}/").status_code == 200


# --- oversight: a department sees its schools, a school does not see its department ---------


@pytest.fixture
def people_of_three_tenants(users, tenants, make_user):
    """A person kept by each of Quảng Ninh DoET, Ha Long University and QUI."""
    return {
        "qn": services.person_create(acting_user=users["editor"], data={"name": "Vũ Thị Hồng (DoET)"}),
        "hlu": services.person_create(acting_user=users["unit"], data={"name": "Đỗ Văn Hải (Ha Long University)"}),
        "qui": services.person_create(
            acting_user=make_user("editor", org="qui"), data={"name": "Lương Minh Tuấn (QUI)"}
        ),
    }


def _what_user_sees_of(user, person) -> dict[str, bool]:
    """Where ``person`` shows for ``user``: every page, export and API call that lists people."""
    client, api = Client(), APIClient()
    client.force_login(user)
    api.force_login(user)
    return {
        "list": person.name in _results(client.get(reverse("partners:person_list"))),
        "search": person.name in _results(client.get(reverse("partners:person_list"), {"q": person.name})),
        "detail": client.get(person.get_absolute_url()).status_code == 200,
        "export": person.name in _xlsx_names(client.get(reverse("partners:person_export", args=["xlsx"]))),
        "api list": person.pk in _api_ids(api.get("/api/v1/people/")),
        "api retrieve": api.get(f"/api/v1/people/{person.pk}/").status_code == 200,
    }


def test_the_department_viewer_sees_the_people_of_the_schools_below_it(users, people_of_three_tenants):
    for owner in ("qn", "hlu", "qui"):
        seen = _what_user_sees_of(users["viewer"], people_of_three_tenants[owner])
        assert all(seen.values()), (owner, seen)


def test_a_school_editor_does_not_see_the_people_of_its_department_or_of_another_school(users, people_of_three_tenants):
    own = _what_user_sees_of(users["unit"], people_of_three_tenants["hlu"])
    department = _what_user_sees_of(users["unit"], people_of_three_tenants["qn"])
    sibling = _what_user_sees_of(users["unit"], people_of_three_tenants["qui"])

    assert all(own.values()), own
    assert not any(department.values()), department
    assert not any(sibling.values()), sibling


def test_a_school_editor_cannot_change_the_departments_people_nor_its_unshared_organisations(client, users, records):
    school = signed_in(client, users, "unit")
    before = _state()

    edit_person = school.post(reverse("partners:person_update", args=[records["person"].pk]), {"name": "Changed"})
    delete_private = school.post(reverse("partners:organization_delete", args=[records["private"].pk]))
    edit_shared = school.get(reverse("partners:organization_update", args=[records["shared"].pk]))

    assert edit_person.status_code == 404
    assert delete_private.status_code == 404
    assert edit_shared.status_code == 403
    assert _state() == before
