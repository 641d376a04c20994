"""The REST API of the partner directory: CRUD, authentication, filters, search, bad input, schema."""

import json
import re

import pytest
import yaml
from rest_framework.test import APIClient

from accord.core.testing import assert_refused, token_client
from accord.partners import services
from accord.partners.models import Organization, OrganizationIdentifier, OrganizationName, Person

ORGS = "/api/v1/organizations/"
PEOPLE = "/api/v1/people/"


@pytest.fixture
def api(users):
    """An API client authenticated with the editor's token, as another system would be."""
    return token_client(users["editor"])


@pytest.fixture
def lntu(users, tenants):
    return services.organization_create(
        acting_user=users["editor"],
        data={
            "kind": "university",
            "name": "Liaoning Technical University",
            "name_language": "en",
            "country": "CN",
            "subdivision": "CN-LN",
            "city": "Fuxin",
        },
        names=[
            {"name": "辽宁工程技术大学", "language": "zh-Hans", "kind": "official"},
            {"name": "LNTU", "language": "en", "kind": "abbreviation"},
        ],
        identifiers=[{"scheme": "pic", "value": "123456789"}],
    )


@pytest.fixture
def directory(users, tenants, lntu):
    """A few partners in several countries and scripts, besides the home organisations."""
    editor = users["editor"]
    made = {"lntu": lntu}
    made["halong"] = services.organization_create(
        acting_user=editor,
        data={
            "kind": "college",
            "name": "Trường Cao đẳng Việt Hàn Quảng Ninh",
            "name_language": "vi",
            "country": "VN",
            "subdivision": "VN-13",
        },
    )
    made["hanoi"] = services.organization_create(
        acting_user=editor,
        data={
            "kind": "university",
            "name": "Đại học Quốc gia Hà Nội",
            "name_language": "vi",
            "country": "VN",
            "subdivision": "VN-HN",
        },
    )
    made["gxnu"] = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Guangxi Normal University", "country": "CN", "subdivision": "CN-GX"},
    )
    made["jica"] = services.organization_create(
        acting_user=editor,
        data={"kind": "agency", "name": "Japan International Cooperation Agency", "country": "JP"},
        names=[{"name": "JICA", "language": "en", "kind": "abbreviation"}],
    )
    return made


def _names(response) -> set[str]:
    body = response.json()
    return {row["name"] for row in body["results"]}


def _counts() -> tuple[int, int, int, int]:
    return (
        Organization.objects.count(),
        OrganizationName.objects.count(),
        OrganizationIdentifier.objects.count(),
        Person.objects.count(),
    )


def _refused(api, body, field, method="post", url=ORGS):
    """Send ``body``; assert 400 naming ``field`` and that no row was written."""
    return assert_refused(api, url, body, field, counts=_counts, method=method)[field]


# --- authentication -------------------------------------------------------------------------


def test_anonymous_request_is_refused(db, tenants):
    response = APIClient().get(ORGS)

    assert response.status_code in (401, 403)


def test_token_authentication_lists_the_directory(api, directory):
    response = api.get(ORGS)

    assert response.status_code == 200
    assert "Liaoning Technical University" in _names(response)


def test_a_wrong_token_is_refused(db, tenants):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(ORGS)

    assert response.status_code in (401, 403)
    assert "token" in response.json()["detail"].lower()


def test_session_authentication_works_and_writes_need_the_csrf_token(users, directory):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["editor"])
    body = {"kind": "school", "name": "Trường THPT Bãi Cháy"}

    listed = client.get(ORGS)
    without_csrf = client.post(ORGS, body, format="json")
    client.get("/partners/organisations/new/")  # a page with a form sets the CSRF cookie
    with_csrf = client.post(ORGS, body, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert listed.status_code == 200 and "Guangxi Normal University" in _names(listed)
    assert without_csrf.status_code == 403
    assert with_csrf.status_code == 201, with_csrf.content
    assert Organization.objects.filter(name="Trường THPT Bãi Cháy").count() == 1


def test_a_viewer_token_can_read_but_not_write(users, directory):
    client = token_client(users["viewer"])

    read = client.get(ORGS)
    write = client.post(ORGS, {"kind": "school", "name": "Trường THPT Bãi Cháy"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert not Organization.objects.filter(name="Trường THPT Bãi Cháy").exists()


# --- CRUD -----------------------------------------------------------------------------------


def test_create_an_organisation_with_names_identifiers_and_facts(api, users, tenants):
    body = {
        "kind": "university",
        "name": "Osaka University",
        "name_language": "en",
        "country": "JP",
        "subdivision": "JP-27",
        "website": "https://www.osaka-u.ac.jp/",
        "names": [
            {"name": "大阪大学", "language": "ja", "kind": "official"},
            {"name": "Handai", "language": "ja", "kind": "short"},
        ],
        "identifiers": [{"scheme": "schac", "value": "osaka-u.ac.jp"}],
        "facts": [{"metric": "students", "year": 2024, "value": "23000", "source": "osaka-u.ac.jp"}],
    }

    response = api.post(ORGS, body, format="json")

    assert response.status_code == 201, response.content
    org = Organization.objects.get(pk=response.json()["id"])
    assert org.owner == tenants["qn"]
    assert {(n.name, n.language, n.kind) for n in org.names.all()} == {
        ("大阪大学", "ja", "official"),
        ("Handai", "ja", "short"),
    }
    assert [(i.scheme, i.value) for i in org.identifiers.all()] == [("schac", "osaka-u.ac.jp")]
    fact = org.facts.get()
    assert (fact.metric, fact.year, int(fact.value)) == ("students", 2024, 23000)
    assert org.history.get().history_user == users["editor"]


def test_read_an_organisation_shows_its_nested_rows(api, lntu):
    response = api.get(f"{ORGS}{lntu.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Liaoning Technical University"
    assert {n["name"] for n in body["names"]} == {"辽宁工程技术大学", "LNTU"}
    assert body["identifiers"] == [{"id": lntu.identifiers.get().pk, "scheme": "pic", "value": "123456789"}]
    assert "allow_similar" not in body


def test_update_an_organisation_and_its_names(api, lntu):
    abbreviation = lntu.names.get(name="LNTU")

    response = api.patch(
        f"{ORGS}{lntu.pk}/",
        {
            "city": "Fuxin, Liaoning",
            "names": [
                {"id": abbreviation.pk, "DELETE": True},
                {"name": "Liaoning Gongcheng Jishu Daxue", "language": "zh-Hans", "kind": "alias"},
            ],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    lntu.refresh_from_db()
    assert lntu.city == "Fuxin, Liaoning"
    assert set(lntu.names.values_list("name", flat=True)) == {"辽宁工程技术大学", "Liaoning Gongcheng Jishu Daxue"}
    assert {n["name"] for n in response.json()["names"]} == {"辽宁工程技术大学", "Liaoning Gongcheng Jishu Daxue"}


def test_adding_a_name_the_organisation_already_has_is_refused(api, lntu):
    message = _refused(
        api,
        {"names": [{"name": "LNTU", "language": "en", "kind": "alias"}]},
        "names",
        method="patch",
        url=f"{ORGS}{lntu.pk}/",
    )

    assert "LNTU" in json.dumps(message)


def test_delete_an_organisation(api, users, tenants):
    org = services.organization_create(
        acting_user=users["editor"], data={"kind": "company", "name": "Công ty Than Hòn Gai"}
    )

    response = api.delete(f"{ORGS}{org.pk}/")

    assert response.status_code == 204
    assert not Organization.objects.filter(pk=org.pk).exists()


def test_delete_an_organisation_with_people_is_refused(api, users, lntu):
    services.person_create(acting_user=users["editor"], data={"name": "Zhang Wei", "affiliation": lntu})

    response = api.delete(f"{ORGS}{lntu.pk}/")

    assert response.status_code == 400
    assert "people" in json.dumps(response.json())
    assert Organization.objects.filter(pk=lntu.pk).exists()


def test_people_crud(api, users, lntu):
    created = api.post(
        PEOPLE,
        {
            "honorific": "Prof.",
            "name": "Wang Fang",
            "position": "Vice-rector",
            "affiliation": lntu.pk,
            "email": "wang.fang@lntu.edu.cn",
            "languages": "zh-Hans, en",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    person = Person.objects.get(pk=pk)
    assert person.owner == users["editor"].home_organization
    assert person.affiliation == lntu

    changed = api.patch(f"{PEOPLE}{pk}/", {"position": "Rector"}, format="json")
    listed = api.get(PEOPLE, {"q": "wang"})
    deleted = api.delete(f"{PEOPLE}{pk}/")

    assert changed.status_code == 200 and changed.json()["position"] == "Rector"
    assert [row["name"] for row in listed.json()["results"]] == ["Wang Fang"]
    assert deleted.status_code == 204
    assert not Person.objects.filter(pk=pk).exists()


def test_people_search_ignores_case_and_diacritics(api, users, tenants):
    services.person_create(
        acting_user=users["editor"], data={"name": "Nguyễn Thị Thu Hương", "position": "Trưởng phòng"}
    )
    services.person_create(acting_user=users["editor"], data={"name": "Tanaka Hiroshi"})

    found = api.get(PEOPLE, {"q": "NGUYEN thi huong"})

    assert [row["name"] for row in found.json()["results"]] == ["Nguyễn Thị Thu Hương"]


def test_people_of_another_tenant_are_invisible(api, users, tenants):
    theirs = services.person_create(acting_user=users["other"], data={"name": "Nguyễn Văn Hải"})

    listed = api.get(PEOPLE)
    detail = api.get(f"{PEOPLE}{theirs.pk}/")

    assert "Nguyễn Văn Hải" not in {row["name"] for row in listed.json()["results"]}
    assert detail.status_code == 404


def test_an_organisation_of_another_tenant_cannot_be_changed(api, users, tenants):
    theirs = services.organization_create(
        acting_user=users["other"], data={"kind": "school", "name": "Trường THPT Ngô Quyền"}
    )

    response = api.patch(f"{ORGS}{theirs.pk}/", {"city": "Hải Phòng"}, format="json")

    assert response.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.city == ""


# --- filters and search ---------------------------------------------------------------------


def test_filter_by_kind(api, directory):
    assert _names(api.get(ORGS, {"kind": "agency"})) == {"Japan International Cooperation Agency"}


def test_filter_by_country_and_subdivision(api, directory):
    in_china = _names(api.get(ORGS, {"country": "CN"}))
    in_guangxi = _names(api.get(ORGS, {"country": "CN", "subdivision": "cn-gx"}))

    assert in_china == {"Liaoning Technical University", "Guangxi Normal University"}
    assert in_guangxi == {"Guangxi Normal University"}


def test_country_filter_still_works_after_the_schema_was_generated(api, directory):
    api.get("/api/schema/")

    in_china = api.get(ORGS, {"country": "CN"})

    assert in_china.status_code == 200, in_china.content
    assert _names(in_china) == {"Liaoning Technical University", "Guangxi Normal University"}


def test_filter_home_organisations(api, directory, tenants):
    home = _names(api.get(ORGS, {"is_home": "true"}))
    partners = _names(api.get(ORGS, {"is_home": "false"}))

    assert home == {org.name for org in tenants.values()}
    assert "Liaoning Technical University" in partners and not home & partners


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quang ninh", "Trường Cao đẳng Việt Hàn Quảng Ninh"),
        ("QUẢNG NINH", "Trường Cao đẳng Việt Hàn Quảng Ninh"),
        ("dai hoc", "Đại học Quốc gia Hà Nội"),
        ("lntu", "Liaoning Technical University"),
        ("辽宁", "Liaoning Technical University"),
        ("jica", "Japan International Cooperation Agency"),
    ],
)
def test_search_ignores_case_and_diacritics_and_covers_other_names(api, directory, query, expected):
    found = _names(api.get(ORGS, {"q": query}))

    assert expected in found


def test_search_does_not_find_unrelated_rows(api, directory):
    found = _names(api.get(ORGS, {"q": "lntu"}))

    assert found == {"Liaoning Technical University"}


# --- near duplicates ------------------------------------------------------------------------


def test_a_close_name_is_answered_with_409_and_the_candidates(api, lntu):
    before = _counts()

    response = api.post(
        ORGS,
        {"kind": "university", "name": "Liaoning University of Engineering and Technology", "country": "CN"},
        format="json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "similar"
    assert [c["id"] for c in body["similar"]] == [lntu.pk]
    assert body["similar"][0]["name"] == "Liaoning Technical University"
    assert _counts() == before


def test_allow_similar_creates_the_organisation_anyway(api, lntu):
    response = api.post(
        ORGS,
        {
            "kind": "university",
            "name": "Liaoning University of Engineering and Technology",
            "country": "CN",
            "allow_similar": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Organization.objects.filter(name="Liaoning University of Engineering and Technology").exists()


# --- bad input: 400 naming the field, nothing written ----------------------------------------


def test_invalid_country_is_refused(api, tenants):
    message = _refused(api, {"kind": "university", "name": "Université X", "country": "XX"}, "country")

    assert "XX" in json.dumps(message, ensure_ascii=False)


def test_subdivision_of_another_country_is_refused(api, tenants):
    message = _refused(
        api,
        {"kind": "university", "name": "Guangxi University", "country": "VN", "subdivision": "CN-GX"},
        "subdivision",
    )

    assert "CN-GX" in json.dumps(message, ensure_ascii=False)


def test_malformed_website_is_refused(api, tenants):
    _refused(api, {"kind": "university", "name": "Kyoto University", "website": "not a url"}, "website")


def test_malformed_email_of_a_person_is_refused(api, tenants):
    _refused(api, {"name": "Tanaka Hiroshi", "email": "tanaka.at.example"}, "email", url=PEOPLE)


def test_empty_name_is_refused(api, tenants):
    _refused(api, {"kind": "university", "name": "   "}, "name")


def test_empty_name_of_a_person_is_refused(api, tenants):
    _refused(api, {"name": ""}, "name", url=PEOPLE)


def test_empty_other_name_is_refused(api, tenants):
    _refused(
        api, {"kind": "university", "name": "Kyoto University", "names": [{"name": "", "language": "ja"}]}, "names"
    )


def test_duplicate_identifier_is_refused(api, lntu):
    messages = _refused(
        api,
        {
            "kind": "university",
            "name": "Kitami Institute of Technology",
            "country": "JP",
            "identifiers": [{"scheme": "pic", "value": "123456789"}],
        },
        "identifiers",
    )

    assert messages == ["Row 1: pic, 123456789 is already recorded for another organisation."]


def test_duplicate_identifier_on_update_changes_nothing(api, users, lntu):
    other = services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Osaka University"}
    )

    _refused(
        api,
        {"city": "Suita", "identifiers": [{"scheme": "pic", "value": "123456789"}]},
        "identifiers",
        method="patch",
        url=f"{ORGS}{other.pk}/",
    )

    other.refresh_from_db()
    assert other.city == ""


def test_pic_must_have_nine_digits(api, tenants):
    message = _refused(
        api,
        {"kind": "university", "name": "Kyoto University", "identifiers": [{"scheme": "pic", "value": "12345"}]},
        "identifiers",
    )

    assert "nine digits" in json.dumps(message)


def test_a_list_instead_of_an_object_is_refused(api, tenants):
    before = _counts()

    response = api.post(ORGS, [{"kind": "university", "name": "Kyoto University"}], format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert _counts() == before


def test_a_string_for_names_is_refused(api, tenants):
    _refused(api, {"kind": "university", "name": "Kyoto University", "names": "京都大学"}, "names")


def test_an_unknown_kind_is_refused(api, tenants):
    _refused(api, {"kind": "spaceport", "name": "Kyoto University"}, "kind")


def test_malformed_json_is_refused(api, tenants):
    before = _counts()

    response = api.generic("POST", ORGS, '{"kind": "university", "name": ', content_type="application/json")

    assert response.status_code == 400
    assert _counts() == before


# --- schema and docs ------------------------------------------------------------------------


def test_openapi_schema_names_both_paths(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations/" in schema["paths"]
    assert "/api/v1/people/" in schema["paths"]
    assert "/api/v1/organizations/{id}/" in schema["paths"]


def test_openapi_schema_as_json(api):
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert {"/api/v1/organizations/", "/api/v1/people/"} <= set(schema["paths"])


def test_api_docs_page_loads_nothing_from_outside(client, users):
    client.force_login(users["viewer"])

    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), html
    assert "cdn" not in html.lower()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references, html
    assert all(ref.startswith("/static/") for ref in references if not ref.startswith("#")), references
