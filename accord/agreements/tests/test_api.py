"""The REST API of agreements: CRUD with nested rows, lifecycle actions, commitments, documents,
bad input, the permission matrix and the OpenAPI schema.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh).
"""

from __future__ import annotations

import datetime
import hashlib

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accord.agreements import services
from accord.agreements.choices import AgreementStatus, EventKind
from accord.agreements.models import (
    ActivityType,
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementParty,
    AgreementTitle,
    Commitment,
    Evidence,
)
from accord.core.testing import (
    ROLES,
    Op,
    api_operations,
    assert_refused,
    assert_written_or_not,
    cases,
    covered_operations,
    queries_of,
    session_client,
    token_client,
)
from accord.partners import services as partner_services

AGREEMENTS = "/api/v1/agreements/"
COMMITMENTS = "/api/v1/commitments/"
DOCUMENTS = "/api/v1/agreement-documents/"
D = datetime.date

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 4


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every test runs on 15 January 2026, whatever the clock says."""
    real = timezone.localdate
    day = D(2026, 1, 15)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: day if value is None else real(value, timezone)
    )
    return day


@pytest.fixture
def api(users):
    """The editor of Quảng Ninh DoET, with a token, as another system would call."""
    return token_client(users["editor"])


@pytest.fixture
def partners(users):
    editor = users["editor"]
    return {
        "lntu": partner_services.organization_create(
            acting_user=editor,
            data={
                "kind": "university",
                "name": "Liaoning Technical University",
                "country": "CN",
                "subdivision": "CN-LN",
            },
        ),
        "gxnu": partner_services.organization_create(
            acting_user=editor,
            data={"kind": "university", "name": "Guangxi Normal University", "country": "CN", "subdivision": "CN-GX"},
        ),
        "kumoh": partner_services.organization_create(
            acting_user=editor,
            data={"kind": "university", "name": "Kumoh National Institute of Technology", "country": "KR"},
        ),
    }


def _make(user, owner, partner, title, *, signed_on=None, commitments=None, **data):
    agreement = services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, "owner": owner, **data},
        titles=[{"language": "vi", "title": f"Biên bản ghi nhớ: {title}"}],
        parties=[{"organization": owner, "role": "signatory"}, {"organization": partner, "role": "signatory"}],
        commitments=commitments
        if commitments is not None
        else [
            {
                "activity_type": ActivityType.objects.get(code="student_exchange"),
                "description": "Exchange of students in mining engineering",
                "quantity_per_year": 4,
                "unit": "students",
                "subject_areas": "0724",
            }
        ],
    )
    if signed_on:
        agreement = services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)
    return agreement


@pytest.fixture
def records(users, tenants, partners):
    """A draft and an active agreement of Quảng Ninh DoET, a commitment with evidence, a document;
    and an active agreement of Hải Phòng DoET."""
    editor = users["editor"]
    draft = _make(
        editor, tenants["qn"], partners["gxnu"], "Cooperation with Guangxi Normal University", expires_on=D(2031, 5, 31)
    )
    active = _make(
        editor,
        tenants["qn"],
        partners["lntu"],
        "MoU on student exchange with LNTU",
        signed_on=D(2025, 1, 10),
        expires_on=D(2035, 1, 9),
        reference="QN-2025-07",
    )
    commitment = active.commitments.get()
    evidence = services.evidence_add(
        commitment=commitment,
        acting_user=editor,
        data={"happened_on": D(2025, 10, 1), "note": "Two LNTU students arrived in Hạ Long", "quantity": 2},
    )
    document = services.document_add(
        agreement=active, acting_user=editor, upload=SimpleUploadedFile("mou-signed.pdf", PDF), kind="signed"
    )
    theirs = _make(
        users["other"],
        tenants["hp"],
        partners["lntu"],
        "Hải Phòng MoU with LNTU",
        signed_on=D(2024, 6, 1),
        expires_on=D(2034, 5, 31),
    )
    return {
        "draft": draft,
        "active": active,
        "commitment": commitment,
        "evidence": evidence,
        "document": document,
        "theirs": theirs,
        **partners,
    }


def _counts() -> dict[str, int]:
    models = (Agreement, AgreementTitle, AgreementParty, Commitment, Evidence, AgreementDocument, AgreementEvent)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["history"] = Agreement.history.model.objects.count()
    return counts


def _body(partners, tenants, **overrides):
    """A good agreement as another system would send it."""
    body = {
        "kind": "mou",
        "title": "MoU with Kumoh National Institute of Technology",
        "title_language": "en",
        "reference": "QN-2026-01",
        "signed_on": "2026-03-02",
        "expires_on": "2031-03-01",
        "titles": [{"language": "vi", "title": "Biên bản ghi nhớ với Học viện Công nghệ Quốc gia Kumoh"}],
        "parties": [
            {"organization": tenants["qn"].pk, "role": "signatory", "signatory_name": "Giám đốc Sở GD&ĐT"},
            {"organization": partners["kumoh"].pk, "role": "signatory", "signatory_name": "President of Kumoh"},
        ],
        "commitments": [
            {
                "activity_type": "student_exchange",
                "description": "Semester exchange in electronics",
                "direction": "both",
                "quantity_per_year": "5",
                "unit": "students",
                "academic_years": "2026/2027, 2027/2028",
                "subject_areas": "0714, 0613",
                "language": "ko",
                "cefr_level": "B1",
                "eqf_levels": "6",
            }
        ],
    }
    body.update(overrides)
    return body


def _refused(api, body, field, *, method="post", url=AGREEMENTS):
    """Send ``body``; assert a 400 that names ``field`` and that nothing was written."""
    return assert_refused(api, url, body, field, counts=_counts, method=method)[field]


# --- CRUD with nested rows -----------------------------------------------------------------


def test_create_an_agreement_with_titles_parties_and_commitments(api, users, tenants, partners):
    # when
    response = api.post(AGREEMENTS, _body(partners, tenants), format="json")

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    agreement = Agreement.objects.get(pk=body["id"])
    assert agreement.owner == tenants["qn"]  # the caller's home organisation when none is given
    assert agreement.status == AgreementStatus.DRAFT
    assert body["status"] == "draft" and body["health"] == "not_in_force"
    assert [(t["language"], t["title"]) for t in body["titles"]] == [
        ("vi", "Biên bản ghi nhớ với Học viện Công nghệ Quốc gia Kumoh")
    ]
    assert [(p["organization"], p["organization_name"]) for p in body["parties"]] == [
        (tenants["qn"].pk, "Quảng Ninh Department of Education and Training"),
        (partners["kumoh"].pk, "Kumoh National Institute of Technology"),
    ]
    [commitment] = body["commitments"]
    assert commitment["activity_type"] == "student_exchange"
    assert commitment["activity_label"] == "Student exchange"
    assert commitment["quantity_per_year"] == "5.00"
    assert commitment["fulfilment"]["state"] == "not_started"
    assert body["url"].endswith(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert agreement.commitments.get().subject_areas == "0714, 0613"
    assert agreement.history.count() == 1
    assert agreement.history.first().history_user == users["editor"]
    assert [e["kind"] for e in body["events"]] == [EventKind.CREATED]


def test_read_an_agreement_shows_its_nested_rows_health_and_fulfilment(api, records):
    response = api.get(f"{AGREEMENTS}{records['active'].pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "MoU on student exchange with LNTU"
    assert body["status"] == "active"
    assert body["reference"] == "QN-2025-07"
    assert body["signed_on"] == "2025-01-10" and body["expires_on"] == "2035-01-09"
    assert body["renewal_starts_on"] == "2034-07-13"
    assert {p["organization_name"] for p in body["parties"]} == {
        "Quảng Ninh Department of Education and Training",
        "Liaoning Technical University",
    }
    assert body["titles"][0]["title"] == "Biên bản ghi nhớ: MoU on student exchange with LNTU"
    fulfilment = body["commitments"][0]["fulfilment"]
    assert fulfilment["target"] == "4.00"
    assert fulfilment["last"] == "2025-10-01"
    # the timeline is in date order: the signature (2025) before the record was entered
    assert [e["kind"] for e in body["events"]] == ["signed", "created", "document_added"]
    assert [e["date"] for e in body["events"]] == sorted(e["date"] for e in body["events"])
    assert body["predecessor"] is None and body["successor"] is None


def test_list_shows_only_the_agreements_of_the_callers_organisations(users, records):
    mine = token_client(users["viewer"]).get(AGREEMENTS).json()
    theirs = token_client(users["other"]).get(AGREEMENTS).json()

    assert {row["title"] for row in mine["results"]} == {
        "Cooperation with Guangxi Normal University",
        "MoU on student exchange with LNTU",
    }
    assert {row["title"] for row in theirs["results"]} == {"Hải Phòng MoU with LNTU"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "guangxi"}, {"Cooperation with Guangxi Normal University"}),
        ({"q": "BIEN BAN GHI NHO lntu"}, {"MoU on student exchange with LNTU"}),  # another title, no diacritics
        ({"q": "qn-2025-07"}, {"MoU on student exchange with LNTU"}),
        ({"status": "draft"}, {"Cooperation with Guangxi Normal University"}),
        ({"kind": "mou"}, {"Cooperation with Guangxi Normal University", "MoU on student exchange with LNTU"}),
        ({"kind": "moa"}, set()),
        ({"health": "active"}, {"MoU on student exchange with LNTU"}),
        ({"health": "at_risk"}, set()),
        ({"expiring": "3300"}, {"MoU on student exchange with LNTU"}),  # 9 January 2035 is 3282 days away
        ({"expiring": "3000"}, set()),
        (
            {"activity": "student_exchange"},
            {"Cooperation with Guangxi Normal University", "MoU on student exchange with LNTU"},
        ),
    ],
)
def test_filter_and_search_the_list(api, records, query, expected):
    response = api.get(AGREEMENTS, query)

    assert response.status_code == 200, response.content
    assert {row["title"] for row in response.json()["results"]} == expected


def test_filter_by_partner(api, records):
    response = api.get(AGREEMENTS, {"partner": records["lntu"].pk})

    assert {row["title"] for row in response.json()["results"]} == {"MoU on student exchange with LNTU"}


def test_update_the_fields_and_the_nested_rows(api, records):
    # given
    agreement = records["draft"]
    title = agreement.titles.get()
    party = agreement.parties.get(organization=records["gxnu"])
    commitment = agreement.commitments.get()

    # when: rename, change a party's signatory, drop the commitment, add another and a French title
    response = api.patch(
        f"{AGREEMENTS}{agreement.pk}/",
        {
            "title": "Framework agreement with Guangxi Normal University",
            "kind": "framework",
            "titles": [
                {"id": title.pk, "title": "Thỏa thuận khung với ĐH Sư phạm Quảng Tây"},
                {"language": "fr", "title": "Accord-cadre avec l'Université normale du Guangxi"},
            ],
            "parties": [{"id": party.pk, "signatory_name": "Vice-president for international affairs"}],
            "commitments": [
                {"id": commitment.pk, "DELETE": True},
                {"activity_type": "language_training", "description": "Chinese language courses", "cefr_level": "A2"},
            ],
        },
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert agreement.title == "Framework agreement with Guangxi Normal University"
    assert agreement.kind == "framework"
    assert dict(agreement.titles.values_list("language", "title")) == {
        "vi": "Thỏa thuận khung với ĐH Sư phạm Quảng Tây",
        "fr": "Accord-cadre avec l'Université normale du Guangxi",
    }
    assert agreement.parties.get(pk=party.pk).signatory_name == "Vice-president for international affairs"
    assert agreement.parties.count() == 2
    assert list(agreement.commitments.values_list("activity_type__code", "cefr_level")) == [("language_training", "A2")]
    assert {c["activity_type"] for c in response.json()["commitments"]} == {"language_training"}


def test_put_replaces_the_fields_and_keeps_rows_not_mentioned(api, records):
    agreement = records["draft"]

    response = api.put(
        f"{AGREEMENTS}{agreement.pk}/",
        {
            "kind": "research",
            "title": "Joint research on coal mining safety",
            "expires_on": "2030-12-31",
            "status": "negotiating",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert (agreement.kind, agreement.title, agreement.expires_on) == (
        "research",
        "Joint research on coal mining safety",
        D(2030, 12, 31),
    )
    assert agreement.status == AgreementStatus.NEGOTIATING
    assert agreement.parties.count() == 2
    assert agreement.commitments.count() == 1


def test_the_status_of_an_agreement_is_not_set_by_hand(api, records):
    errors = _refused(api, {"status": "active"}, "status", method="patch", url=f"{AGREEMENTS}{records['draft'].pk}/")

    assert "sign" in " ".join(errors)
    assert Agreement.objects.get(pk=records["draft"].pk).status == AgreementStatus.DRAFT


def test_an_unchanged_status_may_be_sent_back(api, records):
    agreement = records["active"]
    current = api.get(f"{AGREEMENTS}{agreement.pk}/").json()

    response = api.patch(
        f"{AGREEMENTS}{agreement.pk}/", {"status": current["status"], "notes": "Checked in 2026."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Agreement.objects.get(pk=agreement.pk).notes == "Checked in 2026."


def test_delete_a_draft(api, records):
    agreement = records["draft"]

    response = api.delete(f"{AGREEMENTS}{agreement.pk}/")

    assert response.status_code == 204
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not Commitment.objects.filter(agreement_id=agreement.pk).exists()


def test_a_signed_agreement_cannot_be_deleted(api, records):
    before = _counts()

    response = api.delete(f"{AGREEMENTS}{records['active'].pk}/")

    assert response.status_code == 400
    assert "terminate" in " ".join(response.json()["non_field_errors"])
    assert _counts() == before


# --- lifecycle -----------------------------------------------------------------------------


def test_sign_a_draft(api, users, records):
    agreement = records["draft"]

    response = api.post(
        f"{AGREEMENTS}{agreement.pk}/sign/", {"signed_on": "2026-05-20", "effective_on": "2026-09-01"}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["signed_on"], body["effective_on"]) == ("active", "2026-05-20", "2026-09-01")
    [signature] = [e for e in body["events"] if e["kind"] == "signed"]
    assert (signature["date"], signature["actor"]) == ("2026-05-20", users["editor"].username)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_signing_twice_is_refused(api, records):
    before = _counts()

    response = api.post(f"{AGREEMENTS}{records['active'].pk}/sign/", {"signed_on": "2026-05-20"}, format="json")

    assert response.status_code == 400
    assert _counts() == before


def test_signing_without_a_date_names_the_field(api, records):
    _refused(api, {}, "signed_on", url=f"{AGREEMENTS}{records['draft'].pk}/sign/")

    assert Agreement.objects.get(pk=records["draft"].pk).status == AgreementStatus.DRAFT


def test_terminate_an_active_agreement(api, records):
    agreement = records["active"]

    response = api.post(
        f"{AGREEMENTS}{agreement.pk}/terminate/",
        {"terminated_on": "2026-06-30", "reason": "The mining engineering programme closed."},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["terminated_on"], body["termination_reason"]) == (
        "terminated",
        "2026-06-30",
        "The mining engineering programme closed.",
    )
    assert body["health"] == "not_in_force"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"terminated_on": "2026-06-30", "reason": "   "}, "reason"),
        ({"reason": "Closed."}, "terminated_on"),
        ({"terminated_on": "2024-12-31", "reason": "Closed."}, "terminated_on"),  # before the signature
    ],
    ids=["blank reason", "no date", "before the signature"],
)
def test_a_bad_termination_names_the_field_and_changes_nothing(api, records, body, field):
    _refused(api, body, field, url=f"{AGREEMENTS}{records['active'].pk}/terminate/")

    assert Agreement.objects.get(pk=records["active"].pk).status == AgreementStatus.ACTIVE


def test_renew_creates_the_successor_and_links_both(api, records):
    agreement = records["active"]

    response = api.post(f"{AGREEMENTS}{agreement.pk}/renew/", {"expires_on": "2040-01-09"}, format="json")

    assert response.status_code == 201, response.content
    successor = response.json()
    assert successor["status"] == "draft"
    assert successor["predecessor"] == agreement.pk
    assert successor["expires_on"] == "2040-01-09"
    assert [c["activity_type"] for c in successor["commitments"]] == ["student_exchange"]
    assert {p["organization"] for p in successor["parties"]} == set(
        agreement.parties.values_list("organization_id", flat=True)
    )
    old = api.get(f"{AGREEMENTS}{agreement.pk}/").json()
    assert old["successor"] == successor["id"]
    assert old["status"] == "active"
    assert [e["parameters"] for e in old["events"] if e["kind"] == "renewed"] == [{"successor": str(successor["id"])}]


def test_signing_the_renewal_supersedes_the_old_agreement(api, records):
    agreement = records["active"]
    successor = api.post(f"{AGREEMENTS}{agreement.pk}/renew/", {"expires_on": "2040-01-09"}, format="json").json()

    signed = api.post(f"{AGREEMENTS}{successor['id']}/sign/", {"signed_on": "2035-01-05"}, format="json")

    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "active"
    old = api.get(f"{AGREEMENTS}{agreement.pk}/").json()
    assert old["status"] == "superseded"
    assert [e["date"] for e in old["events"] if e["kind"] == "superseded"] == ["2035-01-05"]


def test_renew_and_sign_at_once(api, records):
    agreement = records["active"]

    response = api.post(
        f"{AGREEMENTS}{agreement.pk}/renew/",
        {"expires_on": "2040-01-09", "signed_on": "2035-01-05", "title": "MoU with LNTU 2035–2040"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["title"]) == ("active", "MoU with LNTU 2035–2040")
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUPERSEDED


def test_renewing_twice_is_refused(api, records):
    api.post(f"{AGREEMENTS}{records['active'].pk}/renew/", {"expires_on": "2040-01-09"}, format="json")
    before = _counts()

    response = api.post(f"{AGREEMENTS}{records['active'].pk}/renew/", {"expires_on": "2040-01-09"}, format="json")

    assert response.status_code == 400
    assert _counts() == before


# --- bad input: a 400 naming the field, nothing written -------------------------------------


def test_expiry_before_the_signature_is_refused(api, tenants, partners):
    errors = _refused(api, _body(partners, tenants, signed_on="2026-03-02", expires_on="2026-03-01"), "expires_on")

    assert "after the signature" in " ".join(errors)


def test_fewer_than_two_parties_is_refused(api, tenants, partners):
    body = _body(partners, tenants, parties=[{"organization": partners["kumoh"].pk}])

    errors = _refused(api, body, "parties")

    assert "two parties" in " ".join(errors)


def test_no_parties_at_all_is_refused(api, tenants, partners):
    body = _body(partners, tenants)
    del body["parties"]

    _refused(api, body, "parties")


def test_the_same_organisation_twice_is_refused(api, tenants, partners):
    body = _body(
        partners,
        tenants,
        parties=[
            {"organization": tenants["qn"].pk},
            {"organization": partners["kumoh"].pk},
            {"organization": partners["kumoh"].pk, "role": "partner"},
        ],
    )

    errors = _refused(api, body, "parties")

    assert "twice" in " ".join(errors)


def test_removing_a_party_below_two_is_refused_on_update(api, records):
    agreement = records["draft"]
    party = agreement.parties.get(organization=records["gxnu"])

    _refused(
        api,
        {"parties": [{"id": party.pk, "DELETE": True}]},
        "parties",
        method="patch",
        url=f"{AGREEMENTS}{agreement.pk}/",
    )

    assert agreement.parties.count() == 2


def _commitment_refused(api, tenants, partners, field, value):
    body = _body(partners, tenants)
    body["commitments"][0][field] = value
    errors = _refused(api, body, "commitments")
    assert field in str(errors), errors
    return str(errors)


def test_a_negative_quantity_is_refused(api, tenants, partners):
    _commitment_refused(api, tenants, partners, "quantity_per_year", "-2")


@pytest.mark.parametrize("value", ["613", "06131", "06a3", "0613, 71"])
def test_an_isced_code_that_is_not_four_digits_is_refused(api, tenants, partners, value):
    _commitment_refused(api, tenants, partners, "subject_areas", value)


@pytest.mark.parametrize("value", ["D1", "C3", "b1", "A0"])
def test_a_cefr_level_outside_a1_to_c2_is_refused(api, tenants, partners, value):
    _commitment_refused(api, tenants, partners, "cefr_level", value)


@pytest.mark.parametrize("value", ["2025-2026", "2025/2027", "2025", "2026/2025, 2025/2026"])
def test_an_academic_year_not_of_the_form_2025_2026_is_refused(api, tenants, partners, value):
    message = _commitment_refused(api, tenants, partners, "academic_years", value)

    assert "2025/2026" in message


def test_an_unknown_activity_type_is_refused(api, tenants, partners):
    _commitment_refused(api, tenants, partners, "activity_type", "space_tourism")


def test_a_quantity_without_a_unit_is_refused(api, tenants, partners):
    body = _body(partners, tenants)
    body["commitments"][0]["unit"] = ""

    errors = _refused(api, body, "commitments")

    assert "unit" in str(errors)


def test_a_party_the_caller_cannot_see_is_refused(users, tenants, partners):
    hidden = partner_services.organization_create(
        acting_user=users["other"],
        data={"kind": "school", "name": "Trường THPT Ngô Quyền", "country": "VN", "shared": False},
    )
    body = _body(partners, tenants, parties=[{"organization": tenants["qn"].pk}, {"organization": hidden.pk}])

    _refused(token_client(users["editor"]), body, "parties")


def test_an_owner_outside_the_callers_organisations_is_refused(api, tenants, partners):
    _refused(api, _body(partners, tenants, owner=tenants["hp"].pk), "owner")


def test_an_owner_below_the_callers_organisation_is_accepted(api, tenants, partners):
    response = api.post(AGREEMENTS, _body(partners, tenants, owner=tenants["hlu"].pk), format="json")

    assert response.status_code == 201, response.content
    assert Agreement.objects.get(pk=response.json()["id"]).owner == tenants["hlu"]


def test_a_reference_used_twice_by_the_same_owner_is_refused(api, records, tenants, partners):
    errors = _refused(api, _body(partners, tenants, reference="QN-2025-07"), "reference")

    assert "QN-2025-07" in " ".join(errors)


def test_the_same_reference_may_be_used_by_another_organisation(api, records, tenants, partners):
    response = api.post(
        AGREEMENTS, _body(partners, tenants, reference="QN-2025-07", owner=tenants["hlu"].pk), format="json"
    )

    assert response.status_code == 201, response.content


# --- commitments and evidence --------------------------------------------------------------


def test_commitments_list_with_fulfilment_and_filter_by_agreement(api, records):
    listed = api.get(COMMITMENTS).json()["results"]
    filtered = api.get(COMMITMENTS, {"agreement": records["active"].pk}).json()["results"]

    assert len(listed) == 2  # the draft's and the active agreement's, not Hải Phòng's
    assert [c["id"] for c in filtered] == [records["commitment"].pk]
    assert filtered[0]["agreement"] == records["active"].pk
    assert filtered[0]["fulfilment"]["last"] == "2025-10-01"


def test_the_evidence_of_a_commitment(api, users, records):
    services.evidence_add(
        commitment=records["commitment"],
        acting_user=users["editor"],
        data={"happened_on": D(2026, 2, 14), "note": "Joint Lunar New Year class"},
    )

    response = api.get(f"{COMMITMENTS}{records['commitment'].pk}/evidence/")

    assert response.status_code == 200
    assert [(e["happened_on"], e["note"]) for e in response.json()] == [
        ("2026-02-14", "Joint Lunar New Year class"),
        ("2025-10-01", "Two LNTU students arrived in Hạ Long"),
    ]


def test_commitments_are_written_with_their_agreement_only(api, records):
    response = api.post(COMMITMENTS, {"agreement": records["draft"].pk, "activity_type": "conference"}, format="json")

    assert response.status_code == 405
    assert records["draft"].commitments.count() == 1


# --- documents -----------------------------------------------------------------------------


def _upload(client, agreement, name, content, **extra):
    return client.post(
        DOCUMENTS,
        {"agreement": agreement.pk, "kind": "signed", "file": SimpleUploadedFile(name, content), **extra},
        format="multipart",
    )


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_a_document_and_read_its_metadata(api, records, settings):
    response = _upload(api, records["draft"], "Biên bản ký kết.png", PNG, language="vi")

    assert response.status_code == 201, response.content
    body = response.json()
    document = AgreementDocument.objects.get(pk=body["id"])
    assert (body["filename"], body["content_type"], body["size"], body["sha256"], body["language"]) == (
        "Biên bản ký kết.png",
        "image/png",
        len(PNG),
        hashlib.sha256(PNG).hexdigest(),
        "vi",
    )
    assert "file" not in body  # the stored path is never shown
    assert body["download_url"].endswith(
        reverse("agreements:document_download", args=[records["draft"].pk, document.pk])
    )
    assert AgreementEvent.objects.filter(agreement=records["draft"], kind=EventKind.DOCUMENT_ADDED).exists()


def test_download_a_document_through_the_api(api, records):
    response = api.get(f"{DOCUMENTS}{records['document'].pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="mou-signed.pdf"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_the_download_link_serves_the_file_to_a_signed_in_reader(client, users, records):
    link = token_client(users["viewer"]).get(f"{DOCUMENTS}{records['document'].pk}/").json()["download_url"]
    client.force_login(users["viewer"])

    response = client.get(link)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content"), [("mou.pdf", EXE), ("mou.docx", b"PK\x03\x04not really a zip"), ("mou.pdf", b"")]
)
def test_a_document_of_a_forbidden_type_is_refused(api, records, settings, name, content):
    before = _counts()
    files = _stored_files(settings)

    response = _upload(api, records["draft"], name, content)

    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert _counts() == before
    assert _stored_files(settings) == files


def test_a_document_too_large_is_refused(api, records, settings):
    settings.ACCORD_DOCUMENT_MAX_BYTES = 1024
    before = _counts()
    files = _stored_files(settings)

    response = _upload(api, records["draft"], "scan.pdf", PDF + b"0" * 2048)

    assert response.status_code == 400
    assert "limit" in " ".join(response.json()["file"])
    assert _counts() == before
    assert _stored_files(settings) == files


def test_a_document_for_an_agreement_of_another_tenant_is_refused(users, records):
    before = _counts()

    response = _upload(token_client(users["editor"]), records["theirs"], "mou.pdf", PDF)

    assert response.status_code == 400
    assert "agreement" in response.json()
    assert _counts() == before


def test_delete_a_document_removes_the_file(api, records, settings, django_capture_on_commit_callbacks):
    document = records["document"]
    path = settings.MEDIA_ROOT / document.file.name
    assert path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"{DOCUMENTS}{document.pk}/")

    assert response.status_code == 204
    assert not AgreementDocument.objects.filter(pk=document.pk).exists()
    assert not path.exists()


def test_documents_cannot_be_changed_in_place(api, records):
    response = api.patch(f"{DOCUMENTS}{records['document'].pk}/", {"kind": "draft"}, format="multipart")

    assert response.status_code == 405
    assert AgreementDocument.objects.get(pk=records["document"].pk).kind == "signed"


# --- permission matrix ---------------------------------------------------------------------


def _agreement_post(user, records, tenants):
    home = getattr(user, "home_organization", None) or tenants["qn"]
    return {
        "kind": "mou",
        "title": "MoU with Kumoh National Institute of Technology",
        "parties": [{"organization": home.pk}, {"organization": records["kumoh"].pk}],
    }


PAYLOADS = {
    ("agreement-list", "post"): _agreement_post,
    ("agreement-detail", "put"): lambda u, r, t: {"kind": "moa", "title": "MoA with Guangxi Normal University"},
    ("agreement-detail", "patch"): lambda u, r, t: {"notes": "Waiting for the partner's draft."},
    ("agreement-sign", "post"): lambda u, r, t: {"signed_on": "2026-05-20"},
    ("agreement-terminate", "post"): lambda u, r, t: {"terminated_on": "2026-06-30", "reason": "The programme closed."},
    ("agreement-renew", "post"): lambda u, r, t: {"expires_on": "2040-01-09"},
    ("agreement-document-list", "post"): lambda u, r, t: {
        "agreement": r["active"].pk,
        "kind": "translation",
        "file": SimpleUploadedFile("translation.pdf", PDF),
    },
}

# Statuses in the order of ROLES. Anonymous calls get 403, not 401: session authentication
# comes first and sends no WWW-Authenticate challenge. The other tenant does not learn that
# Quảng Ninh's records exist (404), and may not attach a document to one (400: no such agreement).
READ = (403, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404)
CREATE = (403, 403, 201, 201, 201, 201)
CHANGE = (403, 403, 200, 200, 200, 404)
DELETE = (403, 403, 204, 204, 204, 404)
RENEW = (403, 403, 201, 201, 201, 404)
UPLOAD = (403, 403, 201, 201, 201, 400)

API_TABLE = [
    (Op("agreement-list"), "get", READ),
    (Op("agreement-list"), "post", CREATE),
    (Op("agreement-detail", "active"), "get", READ_OWNED),
    (Op("agreement-detail", "draft"), "put", CHANGE),
    (Op("agreement-detail", "draft"), "patch", CHANGE),
    (Op("agreement-detail", "draft"), "delete", DELETE),
    (Op("agreement-sign", "draft"), "post", CHANGE),
    (Op("agreement-terminate", "active"), "post", CHANGE),
    (Op("agreement-renew", "active"), "post", RENEW),
    (Op("commitment-list"), "get", READ),
    (Op("commitment-detail", "commitment"), "get", READ_OWNED),
    (Op("commitment-evidence", "commitment"), "get", READ_OWNED),
    (Op("agreement-document-list"), "get", READ),
    (Op("agreement-document-list"), "post", UPLOAD),
    (Op("agreement-document-detail", "document"), "get", READ_OWNED),
    (Op("agreement-document-detail", "document"), "delete", DELETE),
    (Op("agreement-document-download", "document"), "get", READ_OWNED),
]


def _state():
    """What a write would change: every agreement, document and event."""
    return (
        set(Agreement.objects.values_list("pk", "status", "title", "notes", "updated_at")),
        set(AgreementDocument.objects.values_list("pk", "kind")),
        AgreementEvent.objects.count(),
    )


@pytest.mark.parametrize(("op", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, tenants, records, op, method, role, expected):
    # given
    user = users.get(role)
    client = session_client(user)
    payload = PAYLOADS.get((op.name, method))
    data = payload(user, records, tenants) if payload else None
    fmt = "multipart" if op.name.startswith("agreement-document") else "json"
    before = _state()

    # when
    call = getattr(client, method)
    response = call(op.resolve(records), data, format=fmt) if data else call(op.resolve(records))

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(_state, before, expected, method)


def test_every_api_operation_of_agreements_has_permission_rows():
    assert api_operations({"agreement", "commitment", "agreement-document"}) == covered_operations(API_TABLE)


def test_the_other_tenant_sees_no_row_of_quang_ninh_in_any_list(users, records):
    client = token_client(users["other"])

    agreements = client.get(AGREEMENTS).json()["results"]
    commitments = client.get(COMMITMENTS).json()["results"]
    documents = client.get(DOCUMENTS).json()["results"]

    assert [a["title"] for a in agreements] == ["Hải Phòng MoU with LNTU"]
    assert {c["agreement"] for c in commitments} == {records["theirs"].pk}
    assert documents == []


def test_the_oversight_body_reads_but_a_unit_does_not_read_upwards(users, tenants, records, partners):
    unit_agreement = _make(users["unit"], tenants["hlu"], partners["kumoh"], "Ha Long University MoU with Kumoh")

    seen_by_doet = {a["title"] for a in token_client(users["viewer"]).get(AGREEMENTS).json()["results"]}
    seen_by_unit = {a["title"] for a in token_client(users["unit"]).get(AGREEMENTS).json()["results"]}

    assert unit_agreement.title in seen_by_doet
    assert seen_by_unit == {"Ha Long University MoU with Kumoh"}


def test_a_wrong_token_is_refused(db, tenants):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get(AGREEMENTS).status_code in (401, 403)


# --- a bounded number of queries -----------------------------------------------------------


def _more_agreements(users, tenants, partners, count):
    for number in range(count):
        agreement = _make(
            users["editor"],
            tenants["qn"],
            partners["kumoh"],
            f"Exchange agreement {number}",
            signed_on=D(2025, 2, 1),
            expires_on=D(2030, 1, 31),
        )
        services.evidence_add(
            commitment=agreement.commitments.get(),
            acting_user=users["editor"],
            data={"happened_on": D(2025, 11, 1), "note": "Students exchanged", "quantity": 1},
        )
        services.document_add(
            agreement=agreement, acting_user=users["editor"], upload=SimpleUploadedFile("mou.pdf", PDF), kind="signed"
        )


@pytest.mark.parametrize("url", [AGREEMENTS, COMMITMENTS, DOCUMENTS])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, tenants, records, url):
    client = token_client(users["viewer"])
    client.get(url)
    first, few = queries_of(client, url)
    assert first.status_code == 200
    _more_agreements(users, tenants, records, 6)

    response, many = queries_of(client, url)

    assert response.json()["count"] > 6
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 11  # one more since commitments count mobilities


@pytest.mark.parametrize(
    "url",
    [
        lambda r: f"{AGREEMENTS}{r['active'].pk}/",
        lambda r: f"{COMMITMENTS}{r['commitment'].pk}/",
        lambda r: f"{COMMITMENTS}{r['commitment'].pk}/evidence/",
        lambda r: f"{DOCUMENTS}{r['document'].pk}/",
    ],
    ids=["agreement", "commitment", "evidence", "document"],
)
def test_details_ask_a_bounded_number_of_queries(users, records, django_assert_max_num_queries, url):
    client = token_client(users["viewer"])

    with django_assert_max_num_queries(10):
        response = client.get(url(records))

    assert response.status_code == 200


# --- schema --------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_agreement_operations(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    for path, method in [
        ("/api/v1/agreements/", "post"),
        ("/api/v1/agreements/{id}/", "patch"),
        ("/api/v1/agreements/{id}/sign/", "post"),
        ("/api/v1/agreements/{id}/terminate/", "post"),
        ("/api/v1/agreements/{id}/renew/", "post"),
        ("/api/v1/commitments/{id}/evidence/", "get"),
        ("/api/v1/agreement-documents/", "post"),
        ("/api/v1/agreement-documents/{id}/download/", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    assert "multipart/form-data" in paths["/api/v1/agreement-documents/"]["post"]["requestBody"]["content"]
    sign = paths["/api/v1/agreements/{id}/sign/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert sign == {"$ref": "#/components/schemas/SignRequest"}
    assert "put" not in paths["/api/v1/agreement-documents/{id}/"]
    assert "post" not in paths["/api/v1/commitments/"]


def test_the_openapi_schema_builds_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)

    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
