"""Who may reach which page of the agreements, and who sees which agreements and documents.

The permission matrix is data: each row names a route, a method, the record it acts on and
the status every kind of user gets. A new route gets its permission tests by adding a row.
The EWP routes have their own tests.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, and ``other``, an editor of Hải Phòng DoET (another tenant).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accord.agreements import services
from accord.agreements.models import Agreement, AgreementDocument, AgreementParty, Commitment, Evidence
from accord.agreements.tests.test_views import PDF, TODAY, activity, agreement_form, days, make_agreement, partner
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

EWP_ROUTES = {"agreement_ewp", "ewp_institutions", "ewp_ounits", "ewp_import"}


def _update_form(records, tenants):
    draft = records["draft"]
    parties = list(draft.parties.order_by("id"))
    data = agreement_form(
        title="Memorandum on staff exchange (amended)",
        parties=[(p.organization, p.role) for p in parties],
    )
    data["parties-INITIAL_FORMS"] = str(len(parties))
    data.update({f"parties-{i}-id": p.pk for i, p in enumerate(parties)})
    return data


def _evidence(records, tenants):
    prefix = f"evidence-{records['commitment'].pk}"
    return {f"{prefix}-happened_on": TODAY, f"{prefix}-note": "Three students went to Fuxin", f"{prefix}-quantity": "3"}


# What each write sends; a function of the records and the home organisations.
PAYLOADS = {
    "agreements:agreement_create": lambda r, t: agreement_form(
        parties=[(t["qn"], "signatory"), (r["lntu"], "partner")]
    ),
    "agreements:agreement_update": _update_form,
    "agreements:agreement_sign": lambda r, t: {"sign-signed_on": TODAY},
    "agreements:agreement_terminate": lambda r, t: {
        "terminate-terminated_on": TODAY,
        "terminate-reason": "The partner closed the programme.",
    },
    "agreements:agreement_renew": lambda r, t: {"renew-expires_on": days(2000)},
    "agreements:document_upload": lambda r, t: {
        "document-file": SimpleUploadedFile("MoU.pdf", PDF),
        "document-kind": "signed",
    },
    "agreements:evidence_add": _evidence,
}

# The other tenant's editor creates in Hải Phòng, with Hải Phòng as a party.
OTHER_PAYLOADS = {
    "agreements:agreement_create": lambda r, t: agreement_form(
        parties=[(t["hp"], "signatory"), (r["lntu"], "partner")]
    ),
}

# The statuses of each row are in the order of ROLES: anonymous, viewer, editor, manager,
# admin, other.
READ = (LOGIN, 200, 200, 200, 200, 200)
REDIRECT = (LOGIN, 302, 302, 302, 302, 302)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302)
# A record of Quảng Ninh: readable by all of Quảng Ninh, changed by its editors; the other
# tenant does not learn that it exists.
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405)

PAGE_TABLE = [
    (Url("agreements:index"), "get", REDIRECT),
    (Url("agreements:agreement_list"), "get", READ),
    (Url("agreements:agreement_list", query="q=liaoning&expiring=90&health=at_risk"), "get", READ),
    (Url("agreements:agreement_create"), "get", WRITE_PAGE),
    (Url("agreements:agreement_create"), "post", WRITE_DONE),
    (Url("agreements:agreement_export", ("csv",)), "get", READ),
    (Url("agreements:agreement_export", ("xlsx",)), "get", READ),
    (Url("agreements:agreement_detail", ("active",)), "get", READ_OWNED),
    (Url("agreements:agreement_detail", ("draft",)), "get", READ_OWNED),
    (Url("agreements:agreement_update", ("draft",)), "get", CHANGE_PAGE),
    (Url("agreements:agreement_update", ("draft",)), "post", CHANGE_DONE),
    (Url("agreements:agreement_delete", ("draft",)), "get", CHANGE_PAGE),
    (Url("agreements:agreement_delete", ("draft",)), "post", CHANGE_DONE),
    (Url("agreements:agreement_sign", ("draft",)), "get", POST_ONLY),
    (Url("agreements:agreement_sign", ("draft",)), "post", CHANGE_DONE),
    (Url("agreements:agreement_terminate", ("active",)), "get", POST_ONLY),
    (Url("agreements:agreement_terminate", ("active",)), "post", CHANGE_DONE),
    (Url("agreements:agreement_renew", ("active",)), "get", POST_ONLY),
    (Url("agreements:agreement_renew", ("active",)), "post", CHANGE_DONE),
    (Url("agreements:document_upload", ("active",)), "get", POST_ONLY),
    (Url("agreements:document_upload", ("active",)), "post", CHANGE_DONE),
    (Url("agreements:document_download", ("active", "document")), "get", READ_OWNED),
    (Url("agreements:document_delete", ("active", "document")), "get", CHANGE_PAGE),
    (Url("agreements:document_delete", ("active", "document")), "post", CHANGE_DONE),
    (Url("agreements:evidence_add", ("commitment",)), "get", POST_ONLY),
    (Url("agreements:evidence_add", ("commitment",)), "post", CHANGE_DONE),
    (Url("agreements:evidence_delete", ("evidence",)), "get", CHANGE_PAGE),
    (Url("agreements:evidence_delete", ("evidence",)), "post", CHANGE_DONE),
]


@pytest.fixture
def records(users, tenants):
    """The records the URLs name, all kept by Quảng Ninh DoET, with a partner of the shared directory."""
    editor = users["editor"]
    lntu = partner(editor, "Liaoning Technical University", country="CN")
    draft = make_agreement(editor, "Memorandum on staff exchange", [tenants["qn"], lntu])
    active = make_agreement(
        editor,
        "Student exchange with Liaoning",
        [tenants["qn"], lntu],
        signed_on=days(-100),
        expires_on=days(60),
        commitments=[("student_exchange", {"quantity_per_year": 4, "unit": "students"})],
    )
    commitment = active.commitments.get()
    evidence = services.evidence_add(
        commitment=commitment, acting_user=editor, data={"happened_on": days(-3), "note": "Two students went"}
    )
    document = services.document_add(
        agreement=active, acting_user=editor, upload=SimpleUploadedFile("MoU.pdf", PDF), kind="signed"
    )
    return {
        "lntu": lntu,
        "draft": draft,
        "active": active,
        "commitment": commitment,
        "evidence": evidence,
        "document": document,
    }


def _state():
    """What a write would change: every agreement with its last change, and every child row."""
    return (
        set(Agreement.objects.values_list("pk", "title", "status", "updated_at")),
        set(AgreementParty.objects.values_list("pk", "updated_at")),
        set(Commitment.objects.values_list("pk", "updated_at")),
        set(Evidence.objects.values_list("pk", "updated_at")),
        set(AgreementDocument.objects.values_list("pk", "updated_at")),
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


def test_every_route_of_the_agreements_has_permission_rows():
    from accord.agreements.urls import urlpatterns

    assert route_names("agreements", urlpatterns, exclude=EWP_ROUTES) == covered_routes(PAGE_TABLE)


# --- a user never sees an agreement or a document of another tenant ----------------------------


@pytest.fixture
def two_tenants(users, tenants):
    """An agreement of Quảng Ninh and one of Hải Phòng with the same shared partner, each with a document."""
    lntu = partner(users["editor"], "Liaoning Technical University", country="CN")
    made = {}
    for key, user, home in (("qn", users["editor"], tenants["qn"]), ("hp", users["other"], tenants["hp"])):
        agreement = make_agreement(
            user, f"Bạch Đằng exchange of {home.name}", [home, lntu], signed_on=days(-10), expires_on=days(60)
        )
        document = services.document_add(
            agreement=agreement, acting_user=user, upload=SimpleUploadedFile(f"{key}.pdf", PDF), kind="signed"
        )
        made[key] = (agreement, document)
    return made


SIDES = ["viewer", "editor", "manager", "admin", "other"]


def _mine_and_theirs(who, made):
    return (made["hp"], made["qn"]) if who == "other" else (made["qn"], made["hp"])


def _results(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('id="results"', 1)[1]


@pytest.mark.parametrize("who", SIDES)
def test_lists_search_and_exports_show_only_the_users_own_agreements(client, users, two_tenants, who):
    (mine, _doc), (theirs, _their_doc) = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    pages = {
        "list": _results(client.get(reverse("agreements:agreement_list"))),
        "search": _results(client.get(reverse("agreements:agreement_list"), {"q": "bach dang"})),
        "expiring": _results(client.get(reverse("agreements:agreement_list"), {"expiring": "90"})),
        "partner page": client.get(
            reverse("partners:organization_detail", args=[mine.parties.last().organization_id])
        ).content.decode(),
    }
    export = client.get(reverse("agreements:agreement_export", args=["csv"]), {"q": "bach"})
    exported = {
        row["title"] for row in csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
    }

    for label, html in pages.items():
        assert mine.title in html, label
        assert theirs.title not in html, label
    assert exported == {mine.title}


@pytest.mark.parametrize("who", SIDES)
def test_an_agreement_or_document_of_another_tenant_is_not_found(client, users, two_tenants, who):
    (mine, my_document), (theirs, their_document) = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    for name, args in (
        ("agreement_detail", [theirs.pk]),
        ("document_download", [theirs.pk, their_document.pk]),
        ("document_download", [mine.pk, their_document.pk]),  # not even under one's own agreement
    ):
        assert client.get(reverse(f"agreements:{name}", args=args)).status_code == 404, name
    response = client.get(reverse("agreements:document_download", args=[mine.pk, my_document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_school_sees_its_own_agreements_and_not_those_of_its_department(client, users, tenants, two_tenants):
    # given an agreement of Ha Long University, below Quảng Ninh DoET
    department, _document = two_tenants["qn"]
    lntu = department.parties.last().organization
    school = make_agreement(users["unit"], "Ha Long summer school", [tenants["hlu"], lntu], expires_on=days(400))

    # when the school's editor and the department's viewer look
    unit, viewer = Client(), Client()
    unit.force_login(users["unit"])
    viewer.force_login(users["viewer"])

    # then the department oversees the school, and the school sees only its own
    assert school.title in _results(viewer.get(reverse("agreements:agreement_list")))
    assert viewer.get(school.get_absolute_url()).status_code == 200
    assert school.title in _results(unit.get(reverse("agreements:agreement_list")))
    assert department.title not in _results(unit.get(reverse("agreements:agreement_list")))
    assert unit.get(department.get_absolute_url()).status_code == 404
    assert (
        unit.post(reverse("agreements:agreement_sign", args=[department.pk]), {"sign-signed_on": TODAY}).status_code
        == 404
    )


def test_the_form_offers_only_owners_and_people_of_the_users_scope(client, users, tenants):
    from accord.partners import services as partner_services

    hidden_person = partner_services.person_create(acting_user=users["other"], data={"name": "Phạm Thị Hải Phòng"})
    client.force_login(users["unit"])

    html = client.get(reverse("agreements:agreement_create")).content.decode()

    assert hidden_person.name not in html
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]
    assert tenants["hlu"].name in owner_select and tenants["qn"].name not in owner_select


def test_an_editor_cannot_give_a_party_the_user_may_not_see(client, users, tenants):
    from accord.partners import services as partner_services

    hidden = partner_services.organization_create(
        acting_user=users["other"], data={"kind": "company", "name": "Cát Bi Logistics", "shared": False}
    )
    client.force_login(users["editor"])
    before = Agreement.objects.count()

    response = client.post(
        reverse("agreements:agreement_create"),
        agreement_form(
            parties=[(tenants["qn"], "signatory"), (hidden, "partner")],
            commitments=[{"activity_type": activity("student_exchange").pk}],
        ),
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Agreement.objects.count() == before
