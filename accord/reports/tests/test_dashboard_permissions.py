"""Who may open which dashboard, on the page and in the API.

Every role of the root conftest against every route: the dashboard of the user's own
organisation, of one under it, and of another tenant. An organisation the user may not see
is a 404, on the page and in the API, and nothing of it shows.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.reports.tests.test_dashboard import build_world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "editor", "manager", "admin", "other", "unit")
LOGIN = "login"
DENIED = "denied"  # the API's answer to a request without credentials

# (route, organisation asked for or None) → what each role gets
MATRIX = [
    ("reports:index", None, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    ("reports:dashboard", None, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}),
    (
        "reports:dashboard",
        "qn",
        {"anonymous": LOGIN, "viewer": 200, "editor": 200, "manager": 200, "admin": 200, "other": 404, "unit": 404},
    ),
    (
        "reports:dashboard",
        "hlu",
        {"anonymous": LOGIN, "viewer": 200, "editor": 200, "manager": 200, "admin": 200, "other": 404, "unit": 200},
    ),
    (
        "reports:dashboard",
        "qui",
        {"anonymous": LOGIN, "viewer": 200, "editor": 200, "manager": 200, "admin": 200, "other": 404, "unit": 404},
    ),
    (
        "reports:dashboard",
        "hp",
        {"anonymous": LOGIN, "viewer": 404, "editor": 404, "manager": 404, "admin": 404, "other": 200, "unit": 404},
    ),
    ("api-dashboard", None, {"anonymous": DENIED, **dict.fromkeys(ROLES[1:], 200)}),
    (
        "api-dashboard",
        "qn",
        {"anonymous": DENIED, "viewer": 200, "editor": 200, "manager": 200, "admin": 200, "other": 404, "unit": 404},
    ),
    (
        "api-dashboard",
        "hlu",
        {"anonymous": DENIED, "viewer": 200, "editor": 200, "manager": 200, "admin": 200, "other": 404, "unit": 200},
    ),
    (
        "api-dashboard",
        "hp",
        {"anonymous": DENIED, "viewer": 404, "editor": 404, "manager": 404, "admin": 404, "other": 200, "unit": 404},
    ),
]

CASES = [(route, org, role, outcome[role]) for route, org, outcome in MATRIX for role in ROLES]


def address(route: str) -> str:
    if route == "api-dashboard":
        return "/api/v1/reports/dashboard/"
    return reverse(route)


@pytest.mark.parametrize(("route", "org", "role", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_permission_matrix(route, org, role, expected, tenants, users, client):
    build_world(tenants)
    if role != "anonymous":
        client.force_login(users[role])
    params = {"organization": tenants[org].pk} if org else {}
    response = client.get(address(route), params)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    elif expected == DENIED:
        assert response.status_code in (401, 403)
        assert "organization" not in response.json()
    else:
        assert response.status_code == expected
    if expected == 404:
        # Nothing of the organisation asked for leaks into the answer.
        assert tenants[org].name.encode() not in response.content
    if expected == 200:
        shown = tenants[org] if org else users[role].home_organization
        if route == "api-dashboard":
            assert response.json()["organization_id"] == shown.pk
        else:
            assert response.context["organization"] == shown


def test_other_tenants_records_never_count(tenants, users, client):
    # Given Hải Phòng's agreement with a Thai university
    build_world(tenants)
    # When Quảng Ninh's admin and HLU's editor read their dashboards
    for role in ("admin", "unit"):
        client.force_login(users[role])
        data = client.get("/api/v1/reports/dashboard/").json()
        # Then no Thai partner, Hải Phòng quota or plan appears
        assert "TH" not in {row["key"] for row in data["agreements_by_country"]}
        assert "Hải Phòng places" not in {q["scheme"] for q in data["quotas"]}
        assert tenants["hp"].pk not in data["owners"]
    client.force_login(users["unit"])
    assert client.get("/api/v1/reports/dashboard/").json()["owners"] == [tenants["hlu"].pk]


def test_a_user_without_home_organisation_gets_404(make_user, client, tenants):
    from accord.accounts.models import User

    user = User.objects.create_user(username="lost", password="pw-for-tests-only", role="viewer")
    client.force_login(user)
    assert client.get(reverse("reports:dashboard")).status_code == 404
    assert client.get("/api/v1/reports/dashboard/").status_code in (403, 404)
