"""Erasmus Without Paper: IIA v7 export with its iia-hash, Institutions and OUnits, IIA import.

Ha Long University (daihochalong.edu.vn), a unit of Quảng Ninh DoET's tenancy, has an
exchange agreement with Osaka University (osaka-u.ac.jp), which runs its own accord
tenant. Quảng Ninh exports the agreement; Osaka imports it as a partner would. The spec's
own example and the spec's XSLT (run with Saxon) are the references for the hash; the EWP
schemas (read from ``shared/ewp/xsd``, never from the network) are the reference for every
document.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import etree
from saxonche import PySaxonProcessor

from accord.agreements import ewp, ewp_hash, services
from accord.agreements.choices import AgreementStatus, Direction
from accord.agreements.models import ActivityType, Agreement, AgreementEvent, Commitment
from accord.partners import services as partner_services
from accord.partners.models import Organization, OrganizationIdentifier

D = datetime.date
SHARED = Path(settings.BASE_DIR).parent / "shared" / "ewp"
XSD = SHARED / "xsd"
RAW = "https://raw.githubusercontent.com/erasmus-without-paper/"
SPEC_EXAMPLE = XSD / "ewp-specs-api-iias/stable-v7/endpoints/get-response-example.xml"
SPEC_EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
NS = {"i": ewp.IIAS_NS, "h": ewp.INSTITUTIONS_NS, "u": ewp.OUNITS_NS, "c": ewp.CONTACT_NS}
SCHEMA_FILES = {
    "iias": "ewp-specs-api-iias/stable-v7/endpoints/get-response.xsd",
    "institutions": "ewp-specs-api-institutions/stable-v2/response.xsd",
    "ounits": "ewp-specs-api-ounits/stable-v2/response.xsd",
}
_schemas: dict[str, xmlschema.XMLSchema] = {}


def _offline(uri: str) -> str:
    return (XSD / uri[len(RAW) :]).as_uri() if uri.startswith(RAW) else uri


def assert_valid(name: str, data: bytes) -> None:
    """Validate against the EWP schema read from the local copy only (allow="local")."""
    if name not in _schemas:
        _schemas[name] = xmlschema.XMLSchema(str(XSD / SCHEMA_FILES[name]), uri_mapper=_offline, allow="local")
    errors = [str(e) for e in _schemas[name].iter_errors(etree.fromstring(data))]
    assert errors == []


@pytest.fixture(scope="module")
def stylesheet():
    """The specification's transform_version_7.xsl, compiled by Saxon (XSLT 2.0)."""
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(SHARED / "transform_version_7.xsl")
    )

    def run(xml: bytes) -> list[tuple[str, str, bool]]:
        """(iia-id, text-to-hash, valid-for-approval) of each IIA, as the stylesheet writes them."""
        node = processor.parse_xml(xml_text=xml.decode("utf-8"))
        output = etree.fromstring(executable.transform_to_string(xdm_node=node).encode("utf-8"))
        return [
            (iia.findtext("iia-id"), iia.findtext("text-to-hash") or "", iia.find("valid-for-approval") is None)
            for iia in output.iter("iia")
        ]

    return run


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ours(xml: bytes) -> list[tuple[str, str, bool]]:
    return [(h.iia_id, h.text, h.valid_for_approval) for h in ewp_hash.document_hashes(etree.fromstring(xml))]


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture
def world(users, tenants, make_user):
    """Ha Long University and Osaka University with their SCHAC codes; Osaka is a tenant of its own."""
    editor = users["editor"]
    partner_services.organization_update(
        organization=tenants["hlu"],
        acting_user=editor,
        data={"city": "Hạ Long", "website": "https://daihochalong.edu.vn"},
        identifiers=[{"scheme": "schac", "value": "daihochalong.edu.vn"}, {"scheme": "pic", "value": "123456789"}],
        names=[
            {"name": "Trường Đại học Hạ Long", "language": "vi", "kind": "official"},
            {"name": "UHL", "language": "", "kind": "abbreviation"},
        ],
    )
    osaka = partner_services.organization_create(
        acting_user=users["admin"],
        data={
            "kind": "university",
            "name": "Osaka University",
            "name_language": "en",
            "country": "JP",
            "is_home": True,
        },
        identifiers=[{"scheme": "schac", "value": "osaka-u.ac.jp"}],
    )
    signatory = partner_services.person_create(
        acting_user=editor,
        data={
            "name": "Nguyễn Thị Lan",
            "position": "Rector",
            "owner": tenants["hlu"],
            "email": "rector@daihochalong.edu.vn",
        },
    )
    return {
        "hlu": tenants["hlu"],
        "osaka": osaka,
        "signatory": signatory,
        "osaka_editor": make_user("editor", org=osaka, username="osaka-editor"),
    }


COMMITMENTS = [
    {
        "activity_type": "student_exchange",
        "direction": "both",
        "quantity_per_year": Decimal(5),
        "unit": "students",
        "academic_years": "2025/2026, 2026/2027, 2028/2029",
        "subject_areas": "0613, 0714",
        "language": "en",
        "cefr_level": "B2",
        "eqf_levels": "6, 7",
        "description": "One semester, tuition waived.",
    },
    {
        "activity_type": "staff_exchange",
        "direction": "outgoing",
        "quantity_per_year": Decimal(2),
        "unit": "staff",
        "academic_years": "2025/2026",
        "subject_areas": "0613",
        "language": "ja",
        "cefr_level": "A2",
        "eqf_levels": "",
        "description": "",
    },
    {
        "activity_type": "internship",
        "direction": "incoming",
        "quantity_per_year": Decimal(3),
        "unit": "students",
        "academic_years": "2026/2027, 2027/2028",
        "subject_areas": "",
        "language": "",
        "cefr_level": "",
        "eqf_levels": "6",
        "description": "Hospitality traineeships in Hạ Long Bay hotels.",
    },
    {
        "activity_type": "joint_research",
        "direction": "both",
        "quantity_per_year": None,
        "unit": "",
        "academic_years": "",
        "subject_areas": "",
        "language": "",
        "cefr_level": "",
        "eqf_levels": "",
        "description": "Research on coastal tourism.",
    },
]


def _rows(specs):
    types = {a.code: a for a in ActivityType.objects.all()}
    return [{**spec, "activity_type": types[spec["activity_type"]], "position": n} for n, spec in enumerate(specs)]


@pytest.fixture
def agreement(world, users):
    return services.agreement_create(
        acting_user=users["editor"],
        data={
            "kind": "student_exchange",
            "title": "Exchange agreement HLU–Osaka",
            "owner": world["hlu"],
            "reference": "HLU/2025/07",
        },
        parties=[
            {"organization": world["hlu"], "role": "signatory", "signatory": world["signatory"]},
            {"organization": world["osaka"], "role": "signatory", "signatory_name": "Prof. Tanaka Hiroshi"},
        ],
        commitments=_rows(COMMITMENTS),
    )


def _export(client, user, agreement):
    client.force_login(user)
    return client.get(reverse("agreements:agreement_ewp", args=[agreement.pk]))


def _specs(xml: bytes):
    root = etree.fromstring(xml)
    return [
        {
            "kind": etree.QName(spec).localname,
            "from": spec.findtext("i:sending-hei-id", namespaces=NS),
            "to": spec.findtext("i:receiving-hei-id", namespaces=NS),
            "years": (
                spec.findtext("i:receiving-first-academic-year-id", namespaces=NS),
                spec.findtext("i:receiving-last-academic-year-id", namespaces=NS),
            ),
            "per_year": spec.findtext("i:mobilities-per-year", namespaces=NS),
            "languages": [
                (s.findtext("i:language", namespaces=NS), s.findtext("i:cefr-level", namespaces=NS))
                for s in spec.findall("i:recommended-language-skill", namespaces=NS)
            ],
            "isced": [
                (a.findtext("i:isced-f-code", namespaces=NS), a.findtext("i:isced-clarification", namespaces=NS))
                for a in spec.findall("i:subject-area", namespaces=NS)
            ],
            "eqf": [e.text for e in spec.findall("i:eqf-level", namespaces=NS)],
            "other": spec.findtext("i:other-info-terms", namespaces=NS),
        }
        for spec in root.find("i:iia/i:cooperation-conditions", namespaces=NS)
    ]


# --- the iia-hash -------------------------------------------------------------------------------


def test_our_hash_reproduces_the_iia_hash_printed_in_the_spec_example():
    # given the specification's own get-response, which carries its iia-hash
    document = etree.parse(str(SPEC_EXAMPLE))
    printed = document.findtext("i:iia/i:iia-hash", namespaces=NS)

    # when
    hashes = ewp_hash.document_hashes(document)

    # then
    assert printed == SPEC_EXAMPLE_HASH
    assert [h.hash for h in hashes] == [SPEC_EXAMPLE_HASH]
    assert hashes[0].iia_id == "0f7a5682-faf7-49a7-9cc7-ec486c49a281"
    assert hashes[0].text.startswith("_iia-id_1=0f7a5682-faf7-49a7-9cc7-ec486c49a281__iia-id_2=1954991_")


def test_our_text_to_hash_is_what_the_spec_xslt_writes_for_the_spec_example(stylesheet):
    # given
    xml = SPEC_EXAMPLE.read_bytes()

    # when
    theirs = stylesheet(xml)

    # then: the same text, so the same hash, and Saxon's hash is the one printed in the example
    assert ours(xml) == theirs
    assert sha256(theirs[0][1]) == SPEC_EXAMPLE_HASH


TRICKY = f"""<?xml version="1.0" encoding="UTF-8"?>
<iias-get-response xmlns="{ewp.IIAS_NS}" xmlns:c="{ewp.CONTACT_NS}" xmlns:x="urn:example:other">
  <iia>
    <partner><hei-id>a.example.edu</hei-id><iia-id>  spaced id </iia-id></partner>
    <partner><hei-id>b.example.edu</hei-id></partner>
    <in-effect>false</in-effect>
    <cooperation-conditions terminated-as-a-whole="1">
      <student-studies-mobility-spec x:note="on the specification itself">
        <sending-hei-id>a.example.edu</sending-hei-id>
        <sending-contact kind="k"><c:contact-name xml:lang="vi">Nguyễn Văn A</c:contact-name></sending-contact>
        <receiving-hei-id>b.example.edu</receiving-hei-id>
        <receiving-first-academic-year-id not-yet-defined="true">2020/2021</receiving-first-academic-year-id>
        <receiving-last-academic-year-id>2021/2022</receiving-last-academic-year-id>
        <mobilities-per-year not-yet-defined="true">1</mobilities-per-year>
        <recommended-language-skill not-yet-defined="1"><language>fr</language></recommended-language-skill>
        <recommended-language-skill><language zeta="z" xml:lang="en" alpha="a" x:mid="m">en<!-- a comment -->g</language><cefr-level>B2</cefr-level></recommended-language-skill>
        <subject-area><isced-f-code v6-value="03">0314</isced-f-code><isced-clarification><![CDATA[a & b < c]]></isced-clarification></subject-area>
        <subject-area><isced-f-code v6-value="">0613</isced-f-code><isced-clarification/></subject-area>
        <other-info-terms>
  several
  lines  </other-info-terms>
        <blended not-yet-defined="false">false</blended>
      </student-studies-mobility-spec>
    </cooperation-conditions>
  </iia>
  <iia>
    <partner><hei-id>c.example.edu</hei-id><iia-id>second</iia-id></partner>
    <partner><hei-id>d.example.edu</hei-id><iia-id>third</iia-id></partner>
    <in-effect>true</in-effect>
    <cooperation-conditions>
      <staff-teacher-mobility-spec>
        <sending-hei-id>c.example.edu</sending-hei-id>
        <receiving-hei-id>d.example.edu</receiving-hei-id>
        <receiving-contact><c:contact-name>Ms X</c:contact-name></receiving-contact>
        <mobilities-per-year>3</mobilities-per-year>
      </staff-teacher-mobility-spec>
    </cooperation-conditions>
  </iia>
</iias-get-response>
""".encode()


def test_our_text_to_hash_follows_the_xslt_in_its_corners(stylesheet):
    # given a document using what the stylesheet treats specially: untrimmed values, a missing
    # partner iia-id, contacts, not-yet-defined, v6-value, CDATA, comments, foreign attributes,
    # and terminated-as-a-whole (which the stylesheet looks up in the whole document)
    theirs = stylesheet(TRICKY)

    # when
    mine = ours(TRICKY)

    # then
    assert mine == theirs
    first, second = (text for _id, text, _valid in mine)
    assert first.startswith("_@terminated-as-a-whole@__iia-id_1=  spaced id __iia-id_2=__")
    assert "isced-f-code=03_" in first and "mobilities-per-year" not in first and "Nguyễn" not in first
    assert "language.zeta=z@__@student-studies-mobility-spec.recommended-language-skill.language.lang=en@_" in first
    assert second.startswith("_@terminated-as-a-whole@_")
    assert [valid for _id, _text, valid in mine] == [False, False]


# --- export of one agreement ------------------------------------------------------------------


def test_exported_iia_is_valid_and_carries_the_hash_the_spec_xslt_gives(client, users, agreement, stylesheet):
    # when
    response = _export(client, users["viewer"], agreement)

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert_valid("iias", response.content)
    root = etree.fromstring(response.content)
    printed = root.findtext("i:iia/i:iia-hash", namespaces=NS)
    [(iia_id, text, valid)] = stylesheet(response.content)
    assert printed == sha256(text) == ewp_hash.document_hashes(root)[0].hash
    assert (iia_id, valid) == (str(agreement.pk), True)


def test_export_turns_mobility_commitments_into_one_way_specifications(client, users, agreement):
    # when
    response = _export(client, users["viewer"], agreement)

    # then: "both" is two specifications, gaps in the years split a specification, research is left out
    hlu, osaka = "daihochalong.edu.vn", "osaka-u.ac.jp"
    student = {
        "per_year": "5",
        "languages": [("en", "B2")],
        "isced": [("0613", ""), ("0714", "")],
        "eqf": ["6", "7"],
        "other": "One semester, tuition waived.",
        "kind": "student-studies-mobility-spec",
    }
    assert _specs(response.content) == [
        {**student, "from": hlu, "to": osaka, "years": ("2025/2026", "2026/2027")},
        {**student, "from": hlu, "to": osaka, "years": ("2028/2029", "2028/2029")},
        {**student, "from": osaka, "to": hlu, "years": ("2025/2026", "2026/2027")},
        {**student, "from": osaka, "to": hlu, "years": ("2028/2029", "2028/2029")},
        {
            "kind": "student-traineeship-mobility-spec",
            "from": osaka,
            "to": hlu,
            "years": ("2026/2027", "2027/2028"),
            "per_year": "3",
            "languages": [],
            "isced": [],
            "eqf": ["6"],
            "other": "Hospitality traineeships in Hạ Long Bay hotels.",
        },
        {
            "kind": "staff-teacher-mobility-spec",
            "from": hlu,
            "to": osaka,
            "years": ("2025/2026", "2025/2026"),
            "per_year": "2",
            "languages": [("ja", "A2")],
            "isced": [("0613", "")],
            "eqf": [],
            "other": None,
        },
    ]


def test_export_names_our_side_first_with_the_signatories_and_is_in_effect_only_once_active(
    client, users, agreement, stylesheet
):
    # given a draft
    draft = etree.fromstring(_export(client, users["viewer"], agreement).content)
    draft_hash = draft.findtext("i:iia/i:iia-hash", namespaces=NS)

    # when it is signed
    services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2025, 7, 1))
    response = _export(client, users["viewer"], agreement)
    signed = etree.fromstring(response.content)

    # then
    assert draft.findtext("i:iia/i:in-effect", namespaces=NS) == "false"
    assert signed.findtext("i:iia/i:in-effect", namespaces=NS) == "true"
    first, second = signed.findall("i:iia/i:partner", namespaces=NS)
    assert first.findtext("i:hei-id", namespaces=NS) == "daihochalong.edu.vn"
    assert first.findtext("i:iia-id", namespaces=NS) == str(agreement.pk)
    assert first.findtext("i:iia-code", namespaces=NS) == "HLU/2025/07"
    assert first.findtext("i:signing-contact/c:contact-name", namespaces=NS) == "Nguyễn Thị Lan"
    assert first.findtext("i:signing-contact/c:email", namespaces=NS) == "rector@daihochalong.edu.vn"
    assert first.findtext("i:signing-date", namespaces=NS) == "2025-07-01"
    assert second.findtext("i:hei-id", namespaces=NS) == "osaka-u.ac.jp"
    assert second.find("i:iia-id", namespaces=NS) is None
    assert second.findtext("i:signing-contact/c:contact-name", namespaces=NS) == "Prof. Tanaka Hiroshi"
    # in-effect and contacts are not part of the hash, so signing does not change it
    assert (
        signed.findtext("i:iia/i:iia-hash", namespaces=NS) == draft_hash == sha256(stylesheet(response.content)[0][1])
    )
    assert_valid("iias", response.content)


def test_changing_a_condition_changes_the_hash_as_the_xslt_says(client, users, agreement, stylesheet):
    # given
    before = etree.fromstring(_export(client, users["viewer"], agreement).content).findtext(
        "i:iia/i:iia-hash", namespaces=NS
    )
    staff = agreement.commitments.get(activity_type__code="staff_exchange")

    # when
    services.agreement_update(
        agreement=agreement,
        acting_user=users["editor"],
        data={},
        commitments=[{"id": staff.pk, "quantity_per_year": Decimal(4)}],
    )
    response = _export(client, users["viewer"], agreement)

    # then
    after = etree.fromstring(response.content).findtext("i:iia/i:iia-hash", namespaces=NS)
    assert after != before
    assert after == sha256(stylesheet(response.content)[0][1])


def test_export_of_a_party_without_schac_is_refused_naming_the_party(client, users, world, tenants):
    # given an agreement with a partner that has no SCHAC code
    ntu = partner_services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Nha Trang University", "country": "VN"}
    )
    plain = services.agreement_create(
        acting_user=users["editor"],
        data={"kind": "mou", "title": "MoU", "owner": world["hlu"]},
        parties=[{"organization": world["hlu"]}, {"organization": ntu}],
    )

    # when
    response = _export(client, users["viewer"], plain)

    # then
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nha Trang University has no SCHAC identifier" in text
    assert "Ha Long University" not in text


def test_export_refuses_commitments_ewp_cannot_express_and_says_which(client, users, world):
    # given: a staff exchange counted in months, and a student exchange without language or years
    months = {**COMMITMENTS[1], "quantity_per_year": Decimal(6), "unit": "months"}
    bare = {**COMMITMENTS[0], "language": "", "cefr_level": "", "academic_years": ""}
    agreement = services.agreement_create(
        acting_user=users["editor"],
        data={"kind": "mou", "title": "MoU", "owner": world["hlu"]},
        parties=[{"organization": world["hlu"]}, {"organization": world["osaka"]}],
        commitments=_rows([months, bare]),
    )

    # when
    response = _export(client, users["viewer"], agreement)

    # then
    assert response.status_code == 400
    text = response.content.decode()
    assert "Commitment 1 (Lecturer/expert exchange) counts months" in text
    assert "Commitment 2 (Student exchange) has no language of instruction" in text
    assert "Commitment 2 (Student exchange) has no academic years" in text


def test_commitment_without_years_takes_those_of_the_agreement(client, users, world):
    # given
    rows = _rows([{**COMMITMENTS[1], "academic_years": ""}])
    agreement = services.agreement_create(
        acting_user=users["editor"],
        data={
            "kind": "mou",
            "title": "MoU",
            "owner": world["hlu"],
            "effective_on": D(2025, 10, 1),
            "expires_on": D(2028, 6, 30),
        },
        parties=[{"organization": world["hlu"]}, {"organization": world["osaka"]}],
        commitments=rows,
    )

    # when
    response = _export(client, users["viewer"], agreement)

    # then
    assert [s["years"] for s in _specs(response.content)] == [("2025/2026", "2027/2028")]


@pytest.mark.parametrize(
    ("who", "status"),
    [("viewer", 200), ("editor", 200), ("manager", 200), ("admin", 200), ("unit", 200), ("other", 404)],
)
def test_who_gets_the_iia_xml(client, users, agreement, who, status):
    # when
    response = _export(client, users[who], agreement)

    # then: the tenant and Ha Long University itself see it; Hải Phòng does not learn it exists
    assert response.status_code == status


def test_a_unit_does_not_get_the_xml_of_its_oversight_body(client, users, world, tenants):
    # given an agreement kept by Quảng Ninh DoET
    qn = services.agreement_create(
        acting_user=users["editor"],
        data={"kind": "mou", "title": "MoU", "owner": tenants["qn"]},
        parties=[{"organization": world["hlu"]}, {"organization": world["osaka"]}],
    )

    # when
    response = _export(client, users["unit"], qn)

    # then
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, agreement):
    # when
    response = client.get(reverse("agreements:agreement_ewp", args=[agreement.pk]))

    # then
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_iia_xml_takes_the_same_few_queries_however_many_commitments(
    client, users, agreement, django_assert_max_num_queries
):
    # given twenty more mobility commitments
    services.agreement_update(
        agreement=agreement, acting_user=users["editor"], data={}, commitments=_rows([COMMITMENTS[1]] * 20)
    )
    client.force_login(users["viewer"])

    # then
    with django_assert_max_num_queries(8):
        response = client.get(reverse("agreements:agreement_ewp", args=[agreement.pk]))
    assert response.status_code == 200
    assert len(_specs(response.content)) == 6 + 20


# --- institutions and units ---------------------------------------------------------------------


@pytest.fixture
def faculty(world, users):
    faculty = partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "other", "name": "Faculty of Tourism", "parent": world["hlu"], "owner": world["hlu"]},
        names=[{"name": "Khoa Du lịch", "language": "vi", "kind": "official"}],
        allow_similar=True,
    )
    department = partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "other", "name": "Department of Hotel Management", "parent": faculty, "owner": world["hlu"]},
        allow_similar=True,
    )
    return faculty, department


def test_institutions_lists_our_home_organisations_with_a_schac_code(client, users, world, faculty):
    # given
    client.force_login(users["viewer"])

    # when
    response = client.get(reverse("agreements:ewp_institutions"))

    # then: only Ha Long University has a SCHAC code among Quảng Ninh's organisations
    assert response.status_code == 200
    assert_valid("institutions", response.content)
    root = etree.fromstring(response.content)
    [hei] = root.findall("h:hei", namespaces=NS)
    assert hei.findtext("h:hei-id", namespaces=NS) == "daihochalong.edu.vn"
    assert [(o.get("type"), o.text) for o in hei.findall("h:other-id", namespaces=NS)] == [("pic", "123456789")]
    assert [n.text for n in hei.findall("h:name", namespaces=NS)] == ["Ha Long University", "Trường Đại học Hạ Long"]
    assert hei.findtext("h:abbreviation", namespaces=NS) == "UHL"
    assert hei.findtext("h:root-ounit-id", namespaces=NS) == str(world["hlu"].pk)
    assert {o.text for o in hei.findall("h:ounit-id", namespaces=NS)} == {
        str(world["hlu"].pk),
        *(str(u.pk) for u in faculty),
    }


def test_institutions_of_another_tenant_stay_out(client, users, world):
    # given Osaka's editor
    client.force_login(world["osaka_editor"])

    # when
    response = client.get(reverse("agreements:ewp_institutions"))
    hp = client.get(reverse("agreements:ewp_institutions"), {"hei_id": "daihochalong.edu.vn"})

    # then
    assert [h.text for h in etree.fromstring(response.content).iterfind("h:hei/h:hei-id", namespaces=NS)] == [
        "osaka-u.ac.jp"
    ]
    assert etree.fromstring(hp.content).findall("h:hei", namespaces=NS) == []
    assert_valid("institutions", hp.content)


def test_ounits_form_a_tree_rooted_at_the_institution(client, users, world, faculty):
    # given
    client.force_login(users["unit"])

    # when
    response = client.get(reverse("agreements:ewp_ounits"))

    # then
    assert response.status_code == 200
    assert_valid("ounits", response.content)
    units = {
        u.findtext("u:ounit-id", namespaces=NS): (
            u.findtext("u:name", namespaces=NS),
            u.findtext("u:parent-ounit-id", namespaces=NS),
        )
        for u in etree.fromstring(response.content).findall("u:ounit", namespaces=NS)
    }
    hlu, (fac, dept) = world["hlu"], faculty
    assert units == {
        str(hlu.pk): ("Ha Long University", None),
        str(fac.pk): ("Faculty of Tourism", str(hlu.pk)),
        str(dept.pk): ("Department of Hotel Management", str(fac.pk)),
    }


def test_ounits_of_an_organisation_without_units_is_an_empty_valid_response(client, world):
    # given
    client.force_login(world["osaka_editor"])

    # when
    response = client.get(reverse("agreements:ewp_ounits"))

    # then
    assert response.status_code == 200
    assert etree.fromstring(response.content).findall("u:ounit", namespaces=NS) == []
    assert_valid("ounits", response.content)


# --- import ------------------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "iia.xml"):
    return client.post(reverse("agreements:ewp_import"), {"file": SimpleUploadedFile(name, data, "application/xml")})


def _token(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode()).group(1)


def _confirm(client, token: str):
    return client.post(reverse("agreements:ewp_import"), {"token": token})


def _counts():
    return (
        Agreement.objects.count(),
        Commitment.objects.count(),
        Organization.objects.count(),
        OrganizationIdentifier.objects.count(),
    )


def _commitment_tuple(c) -> tuple:
    return (
        c["activity_type"],
        c["direction"],
        Decimal(c["quantity_per_year"]),
        c["unit"],
        [y.strip() for y in c["academic_years"].split(",")],
        [s.strip() for s in c["subject_areas"].split(",") if s.strip()],
        c["language"],
        c["cefr_level"],
        [e.strip() for e in c["eqf_levels"].split(",") if e.strip()],
        c["description"],
    )


MIRROR = {"outgoing": "incoming", "incoming": "outgoing", "both": "both"}


def test_round_trip_export_then_import_by_the_partner_gives_the_same_commitments(client, users, agreement, world):
    # given Quảng Ninh's export
    xml = _export(client, users["viewer"], agreement).content
    client.force_login(world["osaka_editor"])
    before = _counts()

    # when Osaka uploads it: a preview, and nothing written
    preview = _upload(client, xml)

    # then
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="import-preview"' in page and "Ha Long University" in page and 'id="new-partners"' not in page
    assert "hash-mismatch" not in page
    assert _counts() == before

    # when Osaka confirms
    response = _confirm(client, _token(preview))

    # then: one draft kept by Osaka with both universities, and the same commitments seen from Osaka
    assert response.status_code == 302
    imported = Agreement.objects.exclude(pk=agreement.pk).get()
    assert (imported.owner, imported.status) == (world["osaka"], AgreementStatus.DRAFT)
    assert response["Location"] == imported.get_absolute_url()
    parties = {p.organization: (p.signatory_name, p.signed_on) for p in imported.parties.all()}
    assert parties == {world["osaka"]: ("Prof. Tanaka Hiroshi", None), world["hlu"]: ("Nguyễn Thị Lan", None)}
    expected = sorted(
        _commitment_tuple({**c, "direction": MIRROR[c["direction"]]})
        for c in COMMITMENTS
        if c["activity_type"] != "joint_research"
    )
    got = sorted(
        _commitment_tuple(
            {
                **{
                    f: getattr(c, f)
                    for f in (
                        "direction",
                        "quantity_per_year",
                        "unit",
                        "academic_years",
                        "subject_areas",
                        "language",
                        "cefr_level",
                        "eqf_levels",
                        "description",
                    )
                },
                "activity_type": c.activity_type.code,
            }
        )
        for c in imported.commitments.select_related("activity_type")
    )
    assert got == expected
    assert AgreementEvent.objects.filter(agreement=imported, kind="imported").exists()
    assert f"iia-id {agreement.pk} at daihochalong.edu.vn" in imported.notes


def test_reimporting_our_own_export_keeps_the_directions(client, users, agreement, world):
    # given Quảng Ninh's own export, uploaded by an editor of Quảng Ninh
    xml = _export(client, users["viewer"], agreement).content
    client.force_login(users["editor"])

    # when
    preview = _upload(client, xml)
    _confirm(client, _token(preview))

    # then
    imported = Agreement.objects.exclude(pk=agreement.pk).get()
    assert imported.owner == world["hlu"]
    directions = {(c.activity_type.code, c.direction) for c in imported.commitments.all()}
    assert directions == {
        ("student_exchange", Direction.BOTH),
        ("staff_exchange", Direction.OUTGOING),
        ("internship", Direction.INCOMING),
    }


def test_importing_the_spec_example_creates_the_unknown_partner_on_confirmation(client, users, tenants):
    # given Hải Phòng DoET answers to the SCHAC code of the example's second partner
    partner_services.organization_update(
        organization=tenants["hp"],
        acting_user=users["other"],
        data={},
        identifiers=[{"scheme": "schac", "value": "hibo.no"}],
    )
    client.force_login(users["other"])
    before = _counts()

    # when
    preview = _upload(client, SPEC_EXAMPLE.read_bytes())

    # then: the unknown University of Warsaw is announced, not created
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="new-partners"' in page and "uw.edu.pl" in page
    assert page.count('class="planned-commitment"') == 5
    assert _counts() == before

    # when
    _confirm(client, _token(preview))

    # then
    warsaw = Organization.objects.get(identifiers__scheme="schac", identifiers__value="uw.edu.pl")
    assert (warsaw.kind, warsaw.owner) == ("university", tenants["hp"])
    imported = Agreement.objects.get()
    assert imported.owner == tenants["hp"]
    assert {p.organization for p in imported.parties.all()} == {tenants["hp"], warsaw}
    rows = {
        (
            c.activity_type.code,
            c.direction,
            c.quantity_per_year,
            c.academic_years.split(", ")[0],
            c.language,
            c.cefr_level,
            c.eqf_levels,
        )
        for c in imported.commitments.all()
    }
    assert rows == {
        ("student_exchange", "incoming", Decimal(2), "2014/2015", "en", "B1", "7, 8"),
        ("internship", "incoming", Decimal(10), "2014/2015", "", "", ""),
        ("staff_exchange", "incoming", Decimal(2), "2016/2017", "en", "C1", ""),
        ("staff_exchange", "outgoing", Decimal(2), "2016/2017", "en", "C1", ""),
        ("staff_exchange", "outgoing", Decimal(2), "2016/2017", "en", "B2", ""),
    }
    studies = imported.commitments.get(activity_type__code="student_exchange")
    assert studies.academic_years.split(", ")[-1] == "2020/2021"
    assert "no B1" in studies.description and "Total months per year: 5" in studies.description
    # the Norwegian requirement had no place in our languages: it is kept in the description
    traineeship = imported.commitments.get(activity_type__code="internship")
    assert "Also recommended: no B1" in traineeship.description
    assert "Total months per year: 10" in traineeship.description


HOSTILE = {
    "malformed": (b"<iias-get-response><iia></iias-get-response>", "not well-formed XML"),
    "billion laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'.encode()
            for n in range(1, 10)
        )
        + b"]>\n<lolz>&lol9;</lolz>",
        "declares a DTD or entities",
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<iias-get-response xmlns="' + ewp.IIAS_NS.encode() + b'">&x;</iias-get-response>',
        "declares a DTD or entities",
    ),
    "another document": (
        SPEC_EXAMPLE.parent.parent.parent.parent.joinpath(
            "ewp-specs-api-institutions/stable-v2/response-example.xml"
        ).read_bytes(),
        "is not an EWP IIA get-response",
    ),
    "schema-invalid": (
        SPEC_EXAMPLE.read_bytes().replace(
            b"<mobilities-per-year>10</mobilities-per-year>", b"<mobilities-per-year>ten</mobilities-per-year>"
        ),
        "does not follow the EWP schema",
    ),
    "empty": (b"   ", "The file is empty"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_bad_documents_get_a_clear_message_and_write_nothing(client, users, tenants, case):
    # given
    partner_services.organization_update(
        organization=tenants["hp"],
        acting_user=users["other"],
        data={},
        identifiers=[{"scheme": "schac", "value": "hibo.no"}],
    )
    client.force_login(users["other"])
    data, message = HOSTILE[case]
    before = _counts()

    # when
    response = _upload(client, data)

    # then
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-errors"' in page and message in page
    assert "root:x:0:0" not in page
    assert 'name="token"' not in page
    assert _counts() == before


def test_the_parser_refuses_the_billion_laughs_as_a_dtd_without_expanding_it():
    # when
    with pytest.raises(ewp.EwpError) as refused:
        ewp.parse_document(HOSTILE["billion laughs"][0])

    # then
    assert "refused for safety" in refused.value.messages[0]


def test_a_document_where_we_are_neither_partner_is_refused(client, users):
    # given Hải Phòng has no SCHAC code
    client.force_login(users["other"])

    # when
    response = _upload(client, SPEC_EXAMPLE.read_bytes())

    # then
    assert response.status_code == 400
    assert (
        "neither uw.edu.pl nor hibo.no is the SCHAC identifier of one of your organisations"
        in response.content.decode()
    )


def test_an_expired_or_forged_token_writes_nothing(client, users, agreement, world):
    # given
    client.force_login(world["osaka_editor"])
    before = _counts()

    # when
    response = _confirm(client, "0" * 32)

    # then
    assert response.status_code == 302
    assert _counts() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("viewer", 403), ("editor", 200), ("manager", 200), ("admin", 200), ("unit", 200), ("other", 200)],
)
def test_who_may_import(client, users, who, status):
    # when
    client.force_login(users[who])
    response = client.get(reverse("agreements:ewp_import"))

    # then
    assert response.status_code == status


def test_a_viewer_cannot_confirm_an_import(client, users, agreement, world):
    # given a preview prepared by Osaka's editor, then a viewer trying the token
    xml = _export(client, users["viewer"], agreement).content
    client.force_login(world["osaka_editor"])
    token = _token(_upload(client, xml))
    before = _counts()

    # when
    viewer = users["viewer"]
    client.force_login(viewer)
    response = _confirm(client, token)

    # then
    assert response.status_code == 403
    assert _counts() == before


def test_a_document_whose_hash_does_not_match_its_conditions_is_flagged_in_the_preview(client, users, agreement, world):
    # given Quảng Ninh's export, altered after the hash was computed
    xml = _export(client, users["viewer"], agreement).content
    altered = xml.replace(
        b"<mobilities-per-year>3</mobilities-per-year>", b"<mobilities-per-year>30</mobilities-per-year>"
    )
    client.force_login(world["osaka_editor"])

    # when
    response = _upload(client, altered)

    # then: the draft can still be made, but the reader is warned
    assert response.status_code == 200
    assert "hash-mismatch" in response.content.decode()


def test_a_mobility_between_other_institutions_is_refused(client, users, agreement, world):
    # given a schema-valid document whose traineeship comes from a third institution
    xml = _export(client, users["viewer"], agreement).content
    foreign = xml.replace(
        b"<sending-hei-id>osaka-u.ac.jp</sending-hei-id>\n        <receiving-hei-id>daihochalong.edu.vn</receiving-hei-id>\n"
        b"        <receiving-first-academic-year-id>2026/2027",
        b"<sending-hei-id>uw.edu.pl</sending-hei-id>\n        <receiving-hei-id>daihochalong.edu.vn</receiving-hei-id>\n"
        b"        <receiving-first-academic-year-id>2026/2027",
    )
    assert foreign != xml
    client.force_login(world["osaka_editor"])
    before = _counts()

    # when
    response = _upload(client, foreign)

    # then
    assert response.status_code == 400
    assert "it goes from uw.edu.pl to daihochalong.edu.vn, which are not the two partners" in response.content.decode()
    assert _counts() == before


@pytest.mark.parametrize("route", ["ewp_institutions", "ewp_ounits", "ewp_import"])
def test_anonymous_users_are_sent_to_sign_in_for_every_ewp_page(client, route):
    # when
    response = client.get(reverse(f"agreements:{route}"))

    # then
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "sees_hlu"),
    [("viewer", True), ("editor", True), ("manager", True), ("admin", True), ("unit", True), ("other", False)],
)
def test_every_role_gets_the_institutions_and_units_of_its_own_tenancy_only(
    client, users, world, faculty, who, sees_hlu
):
    # given
    client.force_login(users[who])

    # when
    institutions = client.get(reverse("agreements:ewp_institutions"))
    units = client.get(reverse("agreements:ewp_ounits"))

    # then
    assert (institutions.status_code, units.status_code) == (200, 200)
    assert (b"daihochalong.edu.vn" in institutions.content) is sees_hlu
    assert (b"Faculty of Tourism" in units.content) is sees_hlu


def test_without_the_schemas_the_import_says_so_and_writes_nothing(client, users, agreement, world, settings, tmp_path):
    # given a server where the EWP schemas are not where they are looked for
    settings.ACCORD_EWP_XSD_DIR = str(tmp_path / "nowhere")
    xml = _export(client, users["viewer"], agreement).content
    client.force_login(world["osaka_editor"])
    before = _counts()

    # when
    response = _upload(client, xml)

    # then
    assert response.status_code == 400
    assert "The EWP schemas are not installed on this server" in response.content.decode()
    assert _counts() == before
