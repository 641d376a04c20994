"""Who may reach which mobility page, who sees which stays, and who sees the people's names.

The permission matrix is data: each row names a route, a method, the statuses every kind of user
gets, and whether an accepted request writes. A route of accord/mobility/views.py without a row
fails the coverage test.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of Quảng Ninh
DoET; ``other``, an editor of Hải Phòng DoET (another tenant); ``unit``, an editor of Ha Long
University, a school under Quảng Ninh DoET.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
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
from accord.mobility import services
from accord.mobility.models import Mobility
from accord.mobility.tests.test_views import csv_rows, make_mobility, mobility_form, names_in, organization

D = datetime.date
ROLES = ROLES_WITH_UNIT


def _import_file(records, tenants):
    body = (
        "direction,category,full_name,host_organization,planned_start,planned_end\n"
        "outgoing,student,Vũ Thu Trang,Osaka University of Education,2025-10-01,2026-02-28\n"
    )
    return {"file": SimpleUploadedFile("mobilities.csv", body.encode(), content_type="text/csv")}


PAYLOADS = {
    "mobility:mobility_create": lambda r, t: mobility_form(r["osaka"]),
    "mobility:mobility_update": lambda r, t: mobility_form(r["osaka"], full_name="Nguyễn Thị Lan", note="Updated"),
    "mobility:mobility_import": _import_file,
}

# Statuses in the order of ROLES: anonymous, viewer, editor, manager, admin, other, unit.
READ = (LOGIN, 200, 200, 200, 200, 200, 200)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302, 302)
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405, 405)

# (url, method, statuses, an accepted request writes)
PAGE_TABLE = [
    (Url("mobility:index"), "get", READ, False),
    (Url("mobility:mobility_list"), "get", READ, False),
    (
        Url("mobility:mobility_list", query="q=osaka&direction=outgoing&country=JP&academic_year=2025/2026&o=-date"),
        "get",
        READ,
        False,
    ),
    (Url("mobility:mobility_create"), "get", WRITE_PAGE, False),
    (Url("mobility:mobility_create"), "post", WRITE_DONE, True),
    (Url("mobility:mobility_export", ("csv",)), "get", READ, False),
    (Url("mobility:mobility_export", ("xlsx",)), "get", READ, False),
    (Url("mobility:mobility_import"), "get", WRITE_PAGE, False),
    (Url("mobility:mobility_import"), "post", WRITE_PAGE, False),  # the preview writes nothing
    (Url("mobility:mobility_detail", ("lan",)), "get", READ_OWNED, False),
    (Url("mobility:mobility_update", ("lan",)), "get", CHANGE_PAGE, False),
    (Url("mobility:mobility_update", ("lan",)), "post", CHANGE_DONE, True),
    (Url("mobility:mobility_delete", ("lan",)), "get", CHANGE_PAGE, False),
    (Url("mobility:mobility_delete", ("lan",)), "post", CHANGE_DONE, True),
    (Url("mobility:mobility_transition", ("lan", "confirm")), "get", POST_ONLY, False),
    (Url("mobility:mobility_transition", ("lan", "confirm")), "post", CHANGE_DONE, True),
    (Url("mobility:balance"), "get", READ, False),
    (Url("mobility:balance", query="by=agreement&academic_year=2025/2026"), "get", READ, False),
    (Url("mobility:balance_export", ("csv",)), "get", READ, False),
    (Url("mobility:balance_export", ("xlsx",)), "get", READ, False),
]


@pytest.fixture
def records(users):
    editor = users["editor"]
    # Shared: every tenant's editors may send their own people there.
    osaka = organization(editor, "Osaka University of Education", "JP", shared=True)
    lan = make_mobility(editor, osaka, D(2025, 10, 1), D(2026, 2, 28), name="Nguyễn Thị Lan")
    return {"osaka": osaka, "lan": lan}


def _state():
    return set(Mobility.objects.values_list("pk", "status", "note", "updated_at"))


@pytest.mark.parametrize(("url", "method", "role", "expected", "writes"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, tenants, records, url, method, role, expected, writes):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    data = PAYLOADS[url.name](records, tenants) if method == "post" and url.name in PAYLOADS else {}
    before = _state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(_state, before, expected, method, writes=writes)


def test_every_route_of_the_mobility_views_has_permission_rows():
    from accord.mobility import views
    from accord.mobility.urls import urlpatterns

    mine = route_names("mobility", urlpatterns, module=views)

    assert mine == covered_routes(PAGE_TABLE)
    assert len(mine) == 11


# --- tenants: a user never sees another tenant's stays ---------------------------------------------


@pytest.fixture
def two_tenants(users, tenants):
    osaka = organization(users["editor"], "Osaka University of Education", "JP", shared=True)
    qn = make_mobility(users["editor"], osaka, D(2025, 10, 1), D(2026, 2, 28), name="Quảng Ninh student")
    hp = make_mobility(users["other"], osaka, D(2025, 10, 1), D(2026, 2, 28), name="Hải Phòng student")
    return {"osaka": osaka, "qn": qn, "hp": hp}


@pytest.mark.parametrize("who", ["viewer", "editor", "manager", "admin", "other"])
def test_lists_exports_and_the_balance_show_only_the_users_own_tenant(client, users, two_tenants, who):
    mine, theirs = (two_tenants["hp"], two_tenants["qn"]) if who == "other" else (two_tenants["qn"], two_tenants["hp"])
    client.force_login(users[who])

    listed = client.get(reverse("mobility:mobility_list")).content.decode()
    exported = csv_rows(client.get(reverse("mobility:mobility_export", args=["csv"])))
    balance = csv_rows(client.get(reverse("mobility:balance_export", args=["csv"])))

    assert f"/mobility/{mine.pk}/" in listed and f"/mobility/{theirs.pk}/" not in listed
    assert [int(r["id"]) for r in exported] == [mine.pk]
    assert [(r["name"], r["outgoing_people"]) for r in balance] == [
        ("Osaka University of Education", "1"),
        ("Total", "1"),
    ]
    assert client.get(theirs.get_absolute_url()).status_code == 404
    response = client.post(reverse("mobility:mobility_transition", args=[theirs.pk, "confirm"]))
    assert response.status_code in (403, 404)
    assert Mobility.objects.get(pk=theirs.pk).status == "nominated"


# --- privacy: names and personal data by role -----------------------------------------------------


@pytest.fixture
def people(users, tenants):
    """A stay kept by Quảng Ninh DoET and one kept by Ha Long University, with personal data."""
    osaka = organization(users["editor"], "Osaka University of Education", "JP", shared=True)
    personal = {
        "email": "private-mail@example.org",
        "student_number": "SV-7788",
        "date_of_birth": D(2004, 3, 9),
        "gender": "f",
        "nationality": "VN",
    }
    qn = make_mobility(users["editor"], osaka, D(2025, 10, 1), D(2026, 2, 28), name="Đỗ Quỳnh Anh", **personal)
    hlu = make_mobility(
        users["unit"],
        osaka,
        D(2025, 10, 1),
        D(2026, 2, 28),
        name="Hoàng Minh Châu",
        **{**personal, "email": "chau@example.org", "student_number": "HLU-4455"},
    )
    hlu = services.mobility_update(mobility=hlu, acting_user=users["unit"], data={"full_name": "Hoàng Minh Châu Jr"})
    return {"osaka": osaka, "qn": qn, "hlu": hlu}


SECRETS = {
    "qn": ["Đỗ Quỳnh Anh", "private-mail@example.org", "SV-7788", "2004-03-09"],
    "hlu": ["Hoàng Minh Châu", "chau@example.org", "HLU-4455", "2004-03-09"],
}
# Who sees the names of which stay: editors and above of the organisation that keeps it.
SEES = [
    ("viewer", "qn", False),
    ("editor", "qn", True),
    ("manager", "qn", True),
    ("admin", "qn", True),
    ("editor", "hlu", False),  # the department oversees the school, and sees figures only
    ("viewer", "hlu", False),
    ("unit", "hlu", True),
]


@pytest.mark.parametrize(("who", "stay", "sees"), SEES)
def test_names_and_personal_data_only_for_the_owners_editors(client, users, people, who, stay, sees):
    mobility = people[stay]
    client.force_login(users[who])

    detail = client.get(mobility.get_absolute_url()).content.decode()
    listed = client.get(reverse("mobility:mobility_list")).content.decode()
    exported = {int(r["id"]): r for r in csv_rows(client.get(reverse("mobility:mobility_export", args=["csv"])))}

    placeholder = f"Participant no. {mobility.pk}"
    row = exported[mobility.pk]
    if sees:
        assert all(secret in detail for secret in SECRETS[stay])
        assert mobility.full_name in names_in(listed)
        assert row["full_name"] == mobility.full_name and row["student_number"] and row["date_of_birth"]
    else:
        assert not any(secret in detail for secret in SECRETS[stay]), "the record page shows personal data"
        assert placeholder in detail and placeholder in names_in(listed)
        assert not any(secret in listed for secret in SECRETS[stay]), "the list shows personal data"
        personal = ("full_name", "email", "student_number", "date_of_birth", "gender", "nationality")
        assert all(row[c] == "" for c in personal), "the export shows personal data"
        assert row["direction"] == "outgoing" and row["host_organization"] == "Osaka University of Education"


@pytest.mark.parametrize(("who", "stay", "sees"), SEES)
def test_a_search_by_name_finds_only_stays_whose_names_the_user_may_see(client, users, people, who, stay, sees):
    mobility = people[stay]
    client.force_login(users[who])
    name_word = mobility.full_name.split()[-1] if stay == "qn" else "Châu"

    listed = client.get(reverse("mobility:mobility_list"), {"q": name_word}).content.decode()
    by_number = client.get(reverse("mobility:mobility_list"), {"q": SECRETS[stay][2]}).content.decode()
    exported = csv_rows(client.get(reverse("mobility:mobility_export", args=["csv"]), {"q": name_word}))

    found = f"/mobility/{mobility.pk}/" in listed
    assert found is sees
    assert (f"/mobility/{mobility.pk}/" in by_number) is sees
    assert (mobility.pk in [int(r["id"]) for r in exported]) is sees


def test_the_department_editor_edits_a_schools_stay_without_seeing_or_changing_the_person(client, users, people):
    hlu = people["hlu"]
    client.force_login(users["editor"])
    url = reverse("mobility:mobility_update", args=[hlu.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        mobility_form(
            people["osaka"], full_name="Someone Else", owner=users["editor"].home_organization.pk, note="Checked"
        ),
    )

    assert not any(secret in page for secret in SECRETS["hlu"])
    assert 'name="full_name"' not in page and 'name="owner"' not in page
    assert response.status_code == 302
    saved = Mobility.objects.get(pk=hlu.pk)
    assert saved.note == "Checked"
    assert saved.full_name == "Hoàng Minh Châu Jr" and saved.owner == hlu.owner


def test_the_history_hides_personal_changes_from_those_who_may_not_see_them(client, users, people):
    hlu = people["hlu"]
    department, school = Client(), Client()
    department.force_login(users["editor"])
    school.force_login(users["unit"])

    hidden = department.get(hlu.get_absolute_url()).content.decode()
    shown = school.get(hlu.get_absolute_url()).content.decode()

    history = shown[shown.index('id="history"') :]
    assert "Hoàng Minh Châu Jr" in history
    assert "Hoàng Minh Châu" not in hidden[hidden.index('id="history"') :]


def test_viewers_and_the_oversight_body_see_the_counts(client, users, people):
    client.force_login(users["viewer"])

    html = client.get(reverse("mobility:index")).content.decode()
    listed = client.get(reverse("mobility:mobility_list")).content.decode()

    assert '<td class="text-end outgoing">2</td></tr></tfoot>' in html
    assert "Figures: 0 incoming, 2 outgoing" in listed
