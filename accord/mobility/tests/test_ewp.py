"""Outgoing student mobilities as EWP Outgoing Mobilities v2 documents.

Ha Long University (daihochalong.edu.vn), under Quảng Ninh DoET, sends students to Osaka
University (osaka-u.ac.jp); Quảng Ninh DoET (sgddt.quangninh.gov.vn in these tests) sends some
of its own. Every document served is checked here with lxml's XMLSchema against the EWP schemas
read from ``shared/ewp/xsd`` (never from the network); the values are read back with XPath.
Names are personal data: only editors and above of the organisation keeping the mobility get them.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import xmlschema
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from accord.agreements.tests.test_views import make_agreement
from accord.mobility import services
from accord.mobility.ewp import split_name
from accord.mobility.tests.test_call_views import apply, make_call
from accord.mobility.tests.test_views import make_mobility, make_programme, organization
from accord.partners import services as partner_services

D = datetime.date
XSD = Path(settings.BASE_DIR).parent / "shared" / "ewp" / "xsd"
SCHEMA_FILE = "ewp-specs-api-omobilities/stable-v2/endpoints/get-response.xsd"
RAW = "https://raw.githubusercontent.com/erasmus-without-paper/"
XML_XSD = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"
NS = {
    "m": "https://github.com/erasmus-without-paper/ewp-specs-api-omobilities/blob/stable-v2/endpoints/get-response.xsd"
}
LIST = reverse("mobility:ewp_omobilities")
ROLES = ("anonymous", "viewer", "editor", "manager", "admin", "other", "unit")


class _Offline(etree.Resolver):
    """The schemas import each other by absolute URL; the local folder mirrors those URLs."""

    def resolve(self, url, pubid, context):
        if url.startswith(RAW):
            return self.resolve_filename(str(XSD / url[len(RAW) :]), context)
        if url == "http://www.w3.org/2001/03/xml.xsd":
            return self.resolve_filename(str(XML_XSD), context)
        return None


@pytest.fixture(scope="module")
def lxml_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline())
    return etree.XMLSchema(etree.parse(str(XSD / SCHEMA_FILE), parser))


def valid_document(schema: etree.XMLSchema, response):
    """The response's XML, after checking it is an EWP omobilities get-response."""
    assert response.status_code == 200, response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert schema.validate(root), schema.error_log
    return root


def text(root, path: str) -> list[str]:
    return [e.text for e in root.xpath(path, namespaces=NS)]


def ids(root) -> list[int]:
    return [int(t) for t in text(root, "//m:student-mobility/m:omobility-id")]


def login(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


# --- the world ---------------------------------------------------------------------------------


def set_schac(user, org, schac: str) -> None:
    partner_services.organization_update(
        organization=org, acting_user=user, data={}, identifiers=[{"scheme": "schac", "value": schac}]
    )


@pytest.fixture
def world(users, tenants):
    """SCHAC codes for Ha Long University and Quảng Ninh DoET; Osaka University with one, LNTU without."""
    set_schac(users["editor"], tenants["hlu"], "daihochalong.edu.vn")
    set_schac(users["editor"], tenants["qn"], "sgddt.quangninh.gov.vn")
    unit = users["unit"]
    osaka = organization(unit, "Osaka University")
    set_schac(unit, osaka, "osaka-u.ac.jp")
    lntu = organization(unit, "Liaoning Technical University", country="CN")
    programme = make_programme(unit, "Study in Japan", language="ja")
    return {"osaka": osaka, "lntu": lntu, "programme": programme}


START, END = D(2025, 10, 1), D(2026, 2, 28)


def student(user, host, name="Nguyễn Văn An", start=START, end=END, **data):
    fields = {
        "student_number": "HLU-2021-0042",
        "nationality": "VN",
        "gender": "f",
        "date_of_birth": D(2003, 5, 17),
        "email": "an.nguyen@student.daihochalong.edu.vn",
        "level": "bachelor",
        "subject_area": "0231",
        **data,
    }
    return make_mobility(user, host, start, end, name=name, **fields)


def url(mobility) -> str:
    return reverse("mobility:ewp_omobility", args=[mobility.pk])


# --- documents that pass the schema ------------------------------------------------------------


STEPS = {
    "nominated": ([], "nomination"),
    "confirmed": (["confirm"], "live"),
    "ongoing": (["start"], "live"),
    "completed": (["start", "complete"], "recognized"),
    "cancelled": (["cancel"], "cancelled"),
}


def move(mobility, user, steps):
    for step in steps:
        if step == "cancel":
            services.mobility_cancel(mobility=mobility, acting_user=user, reason="Visa refused")
        else:
            getattr(services, f"mobility_{step}")(mobility=mobility, acting_user=user)


@pytest.mark.parametrize("status", list(STEPS))
def test_each_status_gives_a_valid_document_with_the_ewp_status(client, users, world, lxml_schema, status):
    # given a Ha Long University student in Osaka at that point of the stay
    steps, ewp_status = STEPS[status]
    mobility = student(users["unit"], world["osaka"])
    move(mobility, users["unit"], steps)
    mobility.refresh_from_db()
    assert mobility.status == status

    # when its editor asks for the EWP document
    root = valid_document(lxml_schema, login(client, users, "unit").get(url(mobility)))

    # then it is there once, with the EWP word for its status
    assert ids(root) == [mobility.pk]
    assert text(root, "//m:student-mobility/m:status") == [ewp_status]


def test_the_document_carries_the_mobility_where_ewp_expects_it(client, users, world, lxml_schema):
    mobility = student(
        users["unit"],
        world["osaka"],
        programme=world["programme"],
        agreement=None,
    )

    root = valid_document(lxml_schema, login(client, users, "unit").get(url(mobility)))

    m = "/m:omobilities-get-response/m:student-mobility"
    assert text(root, f"{m}/m:omobility-id") == [str(mobility.pk)]
    assert text(root, f"{m}/m:sending-hei/m:hei-id") == ["daihochalong.edu.vn"]
    assert text(root, f"{m}/m:receiving-hei/m:hei-id") == ["osaka-u.ac.jp"]
    assert text(root, f"{m}/m:sending-academic-term-ewp-id") == ["2025/2026-1/1"]
    assert text(root, f"{m}/m:receiving-academic-year-id") == ["2025/2026"]
    # A Vietnamese name is written family name first.
    assert text(root, f"{m}/m:student/m:given-names") == ["Văn An"]
    assert text(root, f"{m}/m:student/m:family-name") == ["Nguyễn"]
    assert text(root, f"{m}/m:student/m:global-id") == [
        "urn:schac:personalUniqueCode:int:esi:daihochalong.edu.vn:HLU-2021-0042"
    ]
    assert text(root, f"{m}/m:student/m:birth-date") == ["2003-05-17"]
    assert text(root, f"{m}/m:student/m:citizenship") == ["VN"]
    assert text(root, f"{m}/m:student/m:gender") == ["2"]
    assert text(root, f"{m}/m:student/m:email") == ["an.nguyen@student.daihochalong.edu.vn"]
    assert text(root, f"{m}/m:activity-type") == ["student-studies"]
    assert text(root, f"{m}/m:activity-attributes") == ["long-term"]
    assert text(root, f"{m}/m:planned-arrival-date") == ["2025-10-01"]
    assert text(root, f"{m}/m:planned-departure-date") == ["2026-02-28"]
    assert text(root, f"{m}/m:eqf-level-studied-at-nomination") == ["6"]
    assert text(root, f"{m}/m:nominee-isced-f-code") == ["0231"]
    # no application, so no language level assessed
    assert text(root, f"{m}/m:nominee-language-skill/m:language") == []
    response = client.get(url(mobility))
    assert f'filename="omobility-{mobility.pk}.xml"' in response["Content-Disposition"]


def test_a_student_nominated_by_a_call_carries_the_agreement_and_the_assessed_language(
    client, users, world, lxml_schema
):
    # given a call of Ha Long University for Osaka under an agreement, and one applicant selected
    unit = users["unit"]
    agreement = make_agreement(
        unit, "Exchange with Osaka University", [users["unit"].home_organization, world["osaka"]]
    )
    call = make_call(unit, world["programme"], host=world["osaka"], agreement=agreement, places=1)
    apply(unit, call, "Hoàng Thu Hà", student_number="HLU-2022-0007", language="B2", level="bachelor")
    services.selection_run(call=call, acting_user=unit, today=D(2026, 4, 1))
    [mobility] = services.selection_confirm(call=call, acting_user=unit)

    # when its editor exports it (no nationality recorded: the name is read the Vietnamese way)
    root = valid_document(lxml_schema, login(client, users, "unit").get(url(mobility)))

    # then
    assert text(root, "//m:status") == ["nomination"]
    assert text(root, "//m:sending-hei/m:iia-id") == [str(agreement.pk)]
    assert text(root, "//m:student/m:family-name") == ["Hoàng"]
    assert text(root, "//m:student/m:given-names") == ["Thu Hà"]
    assert text(root, "//m:nominee-language-skill/m:language") == ["ja"]
    assert text(root, "//m:nominee-language-skill/m:cefr-level") == ["B2"]
    assert text(root, "//m:planned-arrival-date") == ["2026-10-01"]


def test_a_stay_across_two_academic_years_and_a_short_doctoral_stay(client, users, world, lxml_schema):
    across = student(users["unit"], world["osaka"], start=D(2025, 8, 1), end=D(2025, 12, 20))
    doctoral = student(
        users["unit"], world["osaka"], name="Trần Thị Bình", start=D(2026, 3, 1), end=D(2026, 3, 21), level="doctorate"
    )
    client = login(client, users, "unit")

    root = valid_document(lxml_schema, client.get(url(across)))
    assert root.xpath("//m:non-standard-mobility-period", namespaces=NS)
    assert text(root, "//m:sending-academic-term-ewp-id") == []
    assert text(root, "//m:receiving-academic-year-id") == ["2024/2025"]

    root = valid_document(lxml_schema, client.get(url(doctoral)))
    assert text(root, "//m:activity-attributes") == ["short-term-doctoral"]
    assert text(root, "//m:eqf-level-studied-at-nomination") == ["8"]


@pytest.mark.parametrize(
    ("name", "nationality", "given", "family"),
    [
        ("Marie Claire Dubois", "FR", "Marie Claire", "Dubois"),
        ("Tanaka, Yuki", "JP", "Yuki", "Tanaka"),
        ("Phạm Minh Đức", "", "Minh Đức", "Phạm"),  # no nationality: the sending institution is in Viet Nam
    ],
)
def test_names_are_split_by_the_stated_rule(client, users, world, lxml_schema, name, nationality, given, family):
    mobility = student(users["unit"], world["osaka"], name=name, nationality=nationality)

    root = valid_document(lxml_schema, login(client, users, "unit").get(url(mobility)))

    assert text(root, "//m:student/m:given-names") == [given]
    assert text(root, "//m:student/m:family-name") == [family]
    assert text(root, "//m:student/m:citizenship") == ([nationality] if nationality else [])


def test_without_nationality_nor_country_a_name_is_not_guessed():
    assert split_name("Anna Maria Lind", "") is None
    assert split_name("Lind, Anna Maria", "") == ("Anna Maria", "Lind")
    assert split_name("Anna Maria Lind", "SE") == ("Anna Maria", "Lind")


# --- the list export ---------------------------------------------------------------------------


def test_the_list_export_keeps_the_outgoing_students_of_the_list_the_user_may_name(client, users, world, lxml_schema):
    qn, unit = users["editor"], users["unit"]
    ours = student(qn, world["osaka"], name="Lê Hoàng Nam", student_number="QN-1")
    later = student(
        qn, world["osaka"], name="Võ Thị Mai", student_number="QN-2", start=D(2026, 10, 1), end=D(2027, 1, 31)
    )
    theirs = student(unit, world["osaka"], name="Đỗ Quang Huy", student_number="HLU-9")
    lecturer = make_mobility(qn, world["osaka"], D(2025, 11, 1), D(2025, 11, 20), category="lecturer", name="Hà Văn Tú")
    incoming = make_mobility(
        qn, world["osaka"], D(2025, 9, 1), D(2026, 1, 31), direction="incoming", name="Sato Hana", nationality="JP"
    )

    root = valid_document(lxml_schema, login(client, users, "editor").get(LIST))
    # Quảng Ninh's own outgoing students, in date order; not Ha Long's (oversight sees no names),
    # nor the lecturer, nor the incoming student.
    assert ids(root) == [ours.pk, later.pk]
    assert {theirs.pk, lecturer.pk, incoming.pk}.isdisjoint(ids(root))

    root = valid_document(lxml_schema, client.get(LIST, {"academic_year": "2026/2027"}))
    assert ids(root) == [later.pk]
    root = valid_document(lxml_schema, client.get(LIST, {"q": "Võ Thị Mai"}))
    assert ids(root) == [later.pk]
    assert 'filename="omobilities.xml"' in client.get(LIST)["Content-Disposition"]

    client.force_login(unit)
    root = valid_document(lxml_schema, client.get(LIST))
    assert ids(root) == [theirs.pk]


def test_an_empty_selection_is_a_valid_empty_document(client, users, world, lxml_schema):
    root = valid_document(lxml_schema, login(client, users, "other").get(LIST))
    assert ids(root) == []


def test_invalid_filters_are_refused_by_name(client, users, world):
    response = login(client, users, "editor").get(LIST, {"status": "travelling"})
    assert response.status_code == 400
    assert "status" in response.content.decode()


# --- refusals ----------------------------------------------------------------------------------


def test_a_host_without_schac_is_refused_naming_it_and_nothing_is_served(client, users, world):
    good = student(users["unit"], world["osaka"], name="Nguyễn Văn An")
    bad = student(users["unit"], world["lntu"], name="Trần Thị Bình", student_number="HLU-7")
    client = login(client, users, "unit")

    response = client.get(url(bad))
    body = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Liaoning Technical University" in body
    assert "SCHAC" in body
    assert f"Mobility {bad.pk} (Trần Thị Bình)" in body

    # all or nothing: the list names the one that cannot go and gives no XML
    response = client.get(LIST)
    body = response.content.decode()
    assert response.status_code == 400
    assert "<?xml" not in body
    assert f"Mobility {bad.pk}" in body
    assert f"Mobility {good.pk}" not in body


def test_a_sending_institution_without_schac_is_refused(client, world, make_user):
    qui_editor = make_user("editor", org="qui")  # Quang Ninh University of Industry has no SCHAC code
    host = organization(qui_editor, "Kyoto University")
    set_schac(qui_editor, host, "kyoto-u.ac.jp")
    mobility = student(qui_editor, host)
    client.force_login(qui_editor)

    response = client.get(url(mobility))

    assert response.status_code == 400
    assert "Quang Ninh University of Industry, the sending institution, has no SCHAC" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"name": "Madonna"}, "single word"),
        ({"student_number": ""}, "student number"),
    ],
)
def test_missing_student_data_is_named(client, users, world, data, missing):
    mobility = student(users["unit"], world["osaka"], **data)

    response = login(client, users, "unit").get(url(mobility))

    assert response.status_code == 400
    assert missing in response.content.decode()
    assert f"Mobility {mobility.pk}" in response.content.decode()


def test_an_incoming_mobility_is_not_an_outgoing_one(client, users, world):
    mobility = make_mobility(users["unit"], world["osaka"], D(2025, 9, 1), D(2026, 1, 31), direction="incoming")

    response = login(client, users, "unit").get(url(mobility))

    assert response.status_code == 400
    assert "outgoing students only" in response.content.decode()


def test_without_the_schemas_nothing_is_served_and_the_message_says_where_they_were_sought(
    client, users, world, settings, tmp_path
):
    settings.ACCORD_EWP_XSD_DIR = str(tmp_path / "nowhere")
    mobility = student(users["unit"], world["osaka"])

    response = login(client, users, "unit").get(url(mobility))

    assert response.status_code == 503
    assert "EWP schemas are not installed" in response.content.decode()
    assert "<?xml" not in response.content.decode()


def test_a_document_failing_the_schema_is_not_served(client, users, world, settings, tmp_path):
    # given schemas in which "nomination" is no longer a status
    copy = tmp_path / "xsd"
    shutil.copytree(XSD, copy)
    path = copy / SCHEMA_FILE
    path.write_text(
        path.read_text().replace('<xs:enumeration value="nomination">', '<xs:enumeration value="proposal">')
    )
    settings.ACCORD_EWP_XSD_DIR = str(copy)
    mobility = student(users["unit"], world["osaka"])

    response = login(client, users, "unit").get(url(mobility))

    assert response.status_code == 400
    body = response.content.decode()
    assert "does not follow the EWP schema" in body
    assert "<?xml" not in body


# --- who may export names ----------------------------------------------------------------------

# Statuses in the order of ROLES: anonymous, viewer, editor, manager, admin, other, unit.
HLU_OWNED = ("login", 403, 403, 403, 403, 404, 200)  # Quảng Ninh oversees Ha Long: it sees the stay, not the name
QN_OWNED = ("login", 403, 200, 200, 200, 404, 404)
LIST_EXPORT = ("login", 403, 200, 200, 200, 200, 200)


@pytest.mark.parametrize("role", ROLES)
def test_permissions_per_role(client, users, world, role):
    hlu = student(users["unit"], world["osaka"], name="Đỗ Quang Huy")
    qn = student(users["editor"], world["osaka"], name="Lê Hoàng Nam")
    index = ROLES.index(role)
    client = login(client, users, role)

    for target, expected in ((url(hlu), HLU_OWNED[index]), (url(qn), QN_OWNED[index]), (LIST, LIST_EXPORT[index])):
        response = client.get(target)
        if expected == "login":
            assert response.status_code == 302 and "login" in response["Location"], target
        else:
            assert response.status_code == expected, target
        if expected != 200:
            # a refused request never leaks the name
            assert "Đỗ Quang Huy" not in response.content.decode()
            assert "Lê Hoàng Nam" not in response.content.decode()

    # only GET
    if role != "anonymous":
        assert client.post(LIST).status_code == 405


@pytest.mark.parametrize(
    ("role", "shown_on_hlu", "shown_on_list"),
    [("viewer", False, False), ("editor", False, True), ("unit", True, True)],
)
def test_the_links_appear_only_for_who_may_export(client, users, world, role, shown_on_hlu, shown_on_list):
    hlu = student(users["unit"], world["osaka"])
    incoming = make_mobility(users["unit"], world["osaka"], D(2025, 9, 1), D(2026, 1, 31), direction="incoming")
    client = login(client, users, role)

    assert ('id="ewp-xml"' in client.get(hlu.get_absolute_url()).content.decode()) is shown_on_hlu
    assert 'id="ewp-xml"' not in client.get(incoming.get_absolute_url()).content.decode()
    listing = client.get(reverse("mobility:mobility_list"), {"status": "nominated"}).content.decode()
    assert ('id="export-ewp"' in listing) is shown_on_list
    if shown_on_list:
        assert f"{LIST}?status=nominated" in listing


# --- bounded queries ---------------------------------------------------------------------------


LIST_MAX_QUERIES = 12


def test_the_list_export_takes_as_many_queries_for_two_mobilities_as_for_twelve(
    client, users, world, lxml_schema, django_assert_max_num_queries
):
    unit = users["unit"]
    client = login(client, users, "unit")
    for n in range(2):
        student(unit, world["osaka"], name=f"Nguyễn Văn {n}", student_number=f"A{n}", programme=world["programme"])
    client.get(LIST)  # the first request fills per-process caches (the compiled schema)

    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        with CaptureQueriesContext(connection) as few:
            small = valid_document(lxml_schema, client.get(LIST))
    for n in range(2, 12):
        student(unit, world["osaka"], name=f"Nguyễn Văn {n}", student_number=f"A{n}", programme=world["programme"])
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        with CaptureQueriesContext(connection) as many:
            large = valid_document(lxml_schema, client.get(LIST))

    assert len(ids(small)) == 2 and len(ids(large)) == 12
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
