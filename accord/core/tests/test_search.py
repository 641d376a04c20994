"""The global search: one box finds organisations (by any of their names), people, agreements,
engagements, projects, plans and sources, ignoring accents and capitals, grouped by kind.

The records are made through the services, as a user would make them; the search is asked
through its selector, its page, the header's suggestions and the API.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from accord.agreements import services as agreement_services
from accord.core.search import search
from accord.engagements import services as engagement_services
from accord.funding import services as funding_services
from accord.mobility import services as mobility_services
from accord.partners import services as partner_services
from accord.partners.models import Organization, OrganizationName
from accord.plans import services as plan_services
from accord.sources import services as source_services

D = datetime.date
PAGE = reverse("core:search")
SUGGEST = reverse("core:search_suggest")
API = "/api/v1/search/"
THAI = "มหาวิทยาลัยเกษตรศาสตร์"
CHINESE = "广西师范大学"


# --- factories, through the services -------------------------------------------------------------


def organization(user, name: str, country: str = "JP", *, names=(), **data) -> Organization:
    return partner_services.organization_create(
        acting_user=user,
        data={"kind": "university", "name": name, "country": country, **data},
        names=[{"name": n, "language": lang, "kind": "official"} for n, lang in names],
        allow_similar=True,
    )


def person(user, name: str, affiliation=None, **data):
    return partner_services.person_create(acting_user=user, data={"name": name, "affiliation": affiliation, **data})


def agreement(user, title: str, parties):
    return agreement_services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title},
        parties=[{"organization": org, "role": "signatory"} for org in parties],
    )


def engagement(user, title: str, starts_on: datetime.date | None = None, **data):
    return engagement_services.engagement_create(
        acting_user=user,
        data={"kind": "incoming_delegation", "title": title, "starts_on": starts_on or D(2025, 11, 2), **data},
        organizations=[],
        participants=[],
    )


def project(user, acronym: str, title: str):
    return funding_services.project_create(acting_user=user, data={"acronym": acronym, "title": title})


def plan(user, number: str, title: str):
    return plan_services.plan_create(
        acting_user=user,
        data={"number": number, "title": title, "starts_on": D(2025, 1, 1), "ends_on": D(2030, 12, 31)},
    )


def source(user, title: str):
    return source_services.source_create(
        acting_user=user, data={"kind": "article", "title": title, "url": f"https://baoquangninh.vn/{abs(hash(title))}"}
    )


def mobility(user, full_name: str, host):
    return mobility_services.mobility_create(
        acting_user=user,
        data={
            "direction": "outgoing",
            "category": "student",
            "full_name": full_name,
            "fictitious": True,
            "host_organization": host,
            "planned_start": D(2026, 10, 1),
            "planned_end": D(2027, 3, 31),
        },
    )


@pytest.fixture
def world(users, tenants):
    """Records about Hạ Long of Quảng Ninh DoET, of Ha Long University under it, and of Hải Phòng DoET."""
    editor, unit, other = users["editor"], users["unit"], users["other"]
    made = {
        "bay": organization(editor, "Hạ Long Bay Maritime College", "VN"),
        "hidden": organization(
            editor, "Hạ Long Private Training Centre", "VN", shared=False, names=[("ศูนย์ฝึกอบรมฮาลอง", "th")]
        ),
        "kasetsart": organization(editor, "Kasetsart University", "TH", names=[(THAI, "th")]),
        "guangxi": organization(editor, "Guangxi Normal University", "CN", names=[(CHINESE, "zh-Hans")]),
        "osaka": organization(editor, "Osaka University of Education", "JP"),
    }
    made["director"] = person(editor, "Phạm Hạ Long", made["bay"], position="Rector")
    made["agreement"] = agreement(editor, "MoU on teacher training in Hạ Long", [tenants["qn"], made["osaka"]])
    made["engagement"] = engagement(editor, "Osaka delegation to Hạ Long", city="Hạ Long", country="VN")
    made["project"] = project(editor, "HALONG-EDU", "Digital schools of Hạ Long")
    made["plan"] = plan(editor, "850/KH-SGDĐT", "Kế hoạch hội nhập quốc tế ngành giáo dục Hạ Long")
    made["source"] = source(editor, "Hạ Long hosts the Osaka delegation")
    made["student"] = mobility(editor, "Hạ Long Student Nguyễn Văn A", made["osaka"])
    made["unit_agreement"] = agreement(
        unit, "Ha Long University and Osaka: student exchange", [tenants["hlu"], made["osaka"]]
    )
    made["unit_person"] = person(unit, "Lê Thị Hạ Long", tenants["hlu"])
    made["hp_engagement"] = engagement(other, "Hải Phòng visit to Hạ Long", city="Hạ Long", country="VN")
    made["hp_person"] = person(other, "Hạ Long Hải Phòng Contact")
    return made


def titles(groups) -> dict[str, list[str]]:
    return {group.kind: [result.title for result in group.results] for group in groups}


# --- the selector ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["ha long", "Hạ Long", "HA LONG", "  hạ   LONG  ", "Ha-Long"])
def test_finds_ha_long_however_it_is_typed(users, world, query):
    found = titles(search(users["editor"], query, limit=20))

    assert "Hạ Long Bay Maritime College" in found["organizations"]
    assert "Ha Long University" in found["organizations"]
    assert "Phạm Hạ Long" in found["people"]
    assert "MoU on teacher training in Hạ Long" in found["agreements"]
    assert "Osaka delegation to Hạ Long" in found["engagements"]
    assert "Digital schools of Hạ Long" in found["projects"]
    assert "Kế hoạch hội nhập quốc tế ngành giáo dục Hạ Long" in found["plans"]
    assert "Hạ Long hosts the Osaka delegation" in found["sources"]


def test_every_word_must_match_in_any_order(users, world):
    found = titles(search(users["editor"], "long maritime ha", limit=20))

    assert found == {"organizations": ["Hạ Long Bay Maritime College"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (THAI, "Kasetsart University"),
        ("เกษตรศาสตร์", "Kasetsart University"),  # part of the Thai name
        (CHINESE, "Guangxi Normal University"),
        ("广西师范", "Guangxi Normal University"),
    ],
)
def test_finds_an_organisation_by_a_name_in_another_language_and_says_which(users, world, query, expected):
    groups = search(users["viewer"], query)

    assert [group.kind for group in groups] == ["organizations"]
    result = groups[0].results[0]
    assert result.title == expected
    alias = THAI if expected.startswith("Kasetsart") else CHINESE
    assert f"also known as {alias}" in result.subtitle
    assert result.url == Organization.objects.get(name=expected).get_absolute_url()


def test_finds_an_organisation_by_a_name_row_even_before_its_search_column_is_refreshed(users, world):
    # A name written straight to the table (an import that skipped the refresh) is still found.
    OrganizationName.objects.create(organization=world["osaka"], name="大阪教育大学", language="ja")
    assert "大阪教育大学" not in Organization.objects.get(pk=world["osaka"].pk).search_text

    found = titles(search(users["viewer"], "大阪教育"))

    assert found == {"organizations": ["Osaka University of Education"]}


def test_finds_a_plan_by_its_number(users, world):
    groups = search(users["viewer"], "850/KH-SGDĐT")

    assert titles(groups) == {"plans": ["Kế hoạch hội nhập quốc tế ngành giáo dục Hạ Long"]}
    try:
        expected = world["plan"].get_absolute_url()
    except NoReverseMatch:  # the plan pages are not there yet
        expected = None
    assert groups[0].results[0].url == expected


def test_groups_come_by_kind_in_a_fixed_order_with_labels_totals_and_links(users, world):
    groups = search(users["editor"], "hạ long")

    assert [group.kind for group in groups] == [
        "organizations",
        "people",
        "agreements",
        "engagements",
        "projects",
        "plans",
        "sources",
    ]
    assert [group.label for group in groups] == [
        "Organisations",
        "People",
        "Agreements",
        "Engagements",
        "Projects",
        "Plans",
        "Sources",
    ]
    by_kind = {group.kind: group for group in groups}
    people = by_kind["people"]
    assert people.total == 2 and people.more == 0  # the director and Ha Long University's contact
    assert people.more_url == reverse("partners:person_list") + "?" + urlencode({"q": "hạ long"})
    assert world["agreement"].get_absolute_url() in [r.url for r in by_kind["agreements"].results]
    director = {r.title: r for r in people.results}["Phạm Hạ Long"]
    assert director.subtitle == "Rector · Hạ Long Bay Maritime College"
    assert director.url == world["director"].get_absolute_url()


def test_a_group_shows_a_few_and_says_how_many_more_the_list_has(client, users, tenants, world):
    editor = users["editor"]
    partner = organization(editor, "Osaka University of Education")
    for i in range(7):
        agreement(editor, f"Cooperation in Quảng Yên no. {i}", [tenants["qn"], partner])

    (group,) = search(editor, "quang yen", limit=5)

    assert (group.kind, group.total, len(group.results), group.more) == ("agreements", 7, 5, 2)
    # the link names the list filtered by the same words, and that list has the seven
    assert group.more_url == reverse("agreements:agreement_list") + "?q=quang+yen"
    client.force_login(editor)
    listed = client.get(group.more_url).content.decode()
    assert all(f"Cooperation in Quảng Yên no. {i}" in listed for i in range(7))


def test_every_see_all_link_opens_the_kinds_list_with_the_same_records(client, users, world):
    client.force_login(users["editor"])

    for group in search(users["editor"], "hạ long", limit=50):
        assert group.more_url, group.kind
        response = client.get(group.more_url)
        assert response.status_code == 200, group.more_url
        listed = response.content.decode()
        missing = [r.title for r in group.results if escape(r.title) not in listed]
        assert missing == [], f"{group.kind}: {group.more_url}"


def test_the_exact_phrase_comes_before_scattered_words(users, tenants):
    editor = users["editor"]
    partner = organization(editor, "Osaka University of Education")
    scattered = agreement(editor, "Long-term training for Ha Giang teachers", [tenants["qn"], partner])
    exact = agreement(editor, "Ha Long summer school", [tenants["qn"], partner])

    (group,) = [g for g in search(editor, "ha long") if g.kind == "agreements"]

    assert [r.title for r in group.results][:2] == [exact.title, scattered.title]


def test_mobile_students_are_never_found(users, world):
    """Who goes abroad is personal: the search does not look into mobilities or applications."""
    for role in ("editor", "admin", "viewer"):
        found = titles(search(users[role], "Nguyen Van A", limit=50))
        assert found == {}, role
        found = titles(search(users[role], "ha long student", limit=50))
        assert all("Student" not in title for kind in found.values() for title in kind), role


@pytest.mark.parametrize("query", ["", " ", "a", "Đ", "ạ", "  x  ", "-", "/", None])
def test_empty_and_one_letter_queries_find_nothing_and_ask_nothing(users, world, query, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search(users["editor"], query) == []


def test_a_very_long_query_is_cut_and_answered(users, world):
    assert search(users["editor"], "hạ long " * 400) != []
    assert search(users["editor"], "x" * 5000) == []


# --- the page and the suggestions --------------------------------------------------------------


def test_the_header_has_the_search_box_on_every_page(client, users):
    client.force_login(users["viewer"])

    html = client.get(reverse("core:home")).content.decode()

    form = re.search(r"<form[^>]*data-global-search[^>]*>.*?</form>", html, re.S).group(0)
    assert f'action="{PAGE}"' in form and 'method="get"' in form
    assert 'role="combobox"' in form and 'aria-controls="global-search-listbox"' in form
    assert f'hx-get="{SUGGEST}"' in form and 'hx-trigger="input changed delay:200ms' in form
    assert 'role="listbox"' in form and 'name="q"' in form
    assert "core/search.js" in html


def test_the_suggestions_are_grouped_options_with_links(client, users, world):
    client.force_login(users["editor"])

    html = client.get(SUGGEST, {"q": "HA LONG"}).content.decode()

    groups = re.findall(r'<div role="group" aria-labelledby="global-search-group-(\w+)"', html)
    assert groups == ["organizations", "people", "agreements", "engagements", "projects", "plans", "sources"]
    assert 'id="global-search-group-people"' in html
    options = re.findall(r'role="option"[^>]*id="([\w-]+)"(?: href="([^"]+)")?', html)
    ids = [option_id for option_id, _href in options]
    assert len(ids) == len(set(ids)), "every option has its own id for aria-activedescendant"
    agreements = [href for option_id, href in options if option_id.startswith("global-search-agreements-")]
    assert world["agreement"].get_absolute_url() in agreements
    assert f'href="{PAGE}?q=HA+LONG"' in html
    assert "Nguyễn Văn A" not in html


def test_the_suggestions_say_when_nothing_matches(client, users, world):
    client.force_login(users["editor"])

    html = client.get(SUGGEST, {"q": "zzzz"}).content.decode()

    assert "Nothing found for “zzzz”." in html
    assert 'aria-disabled="true"' in html


@pytest.mark.parametrize("query", ["", "a", "  "])
def test_the_suggestions_for_an_empty_or_one_letter_query_are_empty(client, users, world, query):
    client.force_login(users["editor"])

    response = client.get(SUGGEST, {"q": query})

    assert response.status_code == 200
    assert 'role="option"' not in response.content.decode()


def test_the_search_page_lists_each_kind_with_links_to_the_records_and_the_lists(client, users, world):
    client.force_login(users["editor"])

    html = client.get(PAGE, {"q": "Hạ Long"}).content.decode()

    sections = re.findall(r'<section class="mb-4" data-kind="(\w+)"', html)
    assert sections == ["organizations", "people", "agreements", "engagements", "projects", "plans", "sources"]
    assert f'<a href="{world["engagement"].get_absolute_url()}">Osaka delegation to Hạ Long</a>' in html
    assert f'href="{reverse("sources:source_list")}?q=H%E1%BA%A1+Long"' in html
    assert 'value="Hạ Long"' in html  # the words stay in the box


def test_the_search_page_without_words_or_with_one_letter_explains(client, users, world):
    client.force_login(users["editor"])

    assert "Accents and capitals do not matter." in client.get(PAGE).content.decode()
    assert "Type at least 2 letters." in client.get(PAGE, {"q": "h"}).content.decode()
    assert "Nothing you may see matches “qqqq”." in client.get(PAGE, {"q": "qqqq"}).content.decode()


# --- the API -----------------------------------------------------------------------------------


def test_the_api_answers_groups_of_results(client, users, world):
    client.force_login(users["viewer"])

    data = client.get(API, {"q": "hạ long", "limit": 1}).json()

    assert data["query"] == "hạ long"
    kinds = [group["kind"] for group in data["groups"]]
    assert kinds == ["organizations", "people", "agreements", "engagements", "projects", "plans", "sources"]
    people = data["groups"][1]
    assert people["label"] == "People" and people["total"] == 2 and len(people["results"]) == 1
    assert set(people["results"][0]) == {"title", "subtitle", "url"}
    assert people["more_url"].startswith(reverse("partners:person_list") + "?q=")


def test_the_api_keeps_to_the_kinds_asked(client, users, world):
    client.force_login(users["viewer"])

    data = client.get(API + "?q=ha+long&kind=sources&kind=projects").json()

    assert [group["kind"] for group in data["groups"]] == ["projects", "sources"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "ha long", "limit": "0"}, "limit"),
        ({"q": "ha long", "limit": "many"}, "limit"),
        ({"q": "x", "limit": "51"}, "limit"),
        ({"q": "ha", "kind": "mobilities"}, "kind"),
    ],
)
def test_the_api_refuses_bad_parameters_naming_them(client, users, world, query, field):
    client.force_login(users["viewer"])

    response = client.get(API, query)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("query", ["", "a", "ạ"])
def test_the_api_answers_nothing_for_an_empty_or_one_letter_query(client, users, world, query):
    client.force_login(users["viewer"])

    response = client.get(API, {"q": query})

    assert response.status_code == 200
    assert response.json()["groups"] == []


def test_the_api_search_is_in_the_openapi_schema(client, users):
    client.force_login(users["viewer"])

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "limit", "kind"}
    assert "200" in operation["responses"]


# --- a bounded number of queries -----------------------------------------------------------------

FEW, MANY = 2, 25


@pytest.fixture
def grow(users, tenants):
    """Records of every kind about Cẩm Phả, made on demand."""
    editor = users["editor"]
    made = {"count": 0}

    def to(count: int) -> None:
        while made["count"] < count:
            i = made["count"]
            org = organization(editor, f"Cẩm Phả School {i:02d}", "VN", names=[(f"Trường Cẩm Phả {i:02d}", "vi")])
            person(editor, f"Cẩm Phả Teacher {i:02d}", org, position="Teacher")
            agreement(editor, f"Cẩm Phả agreement {i:02d}", [tenants["qn"], org])
            engagement(editor, f"Cẩm Phả visit {i:02d}", city="Cẩm Phả")
            project(editor, f"CP{i:02d}", f"Cẩm Phả project {i:02d}")
            plan(editor, f"{i}/KH-CP", f"Cẩm Phả plan {i:02d}")
            source(editor, f"Cẩm Phả news {i:02d}")
            made["count"] += 1

    return to


SEARCH_BOUND = 9  # the user's scope, seven kinds and the organisations' names
# the session and user, the search, the unread notifications (on pages and fragments) and the
# header's organisation (on pages)
ROUTE_BOUNDS = [(SUGGEST, 12), (PAGE, 13), (API, 11)]


def test_the_search_runs_the_same_queries_for_few_and_many_records(users, grow, django_assert_max_num_queries):
    grow(FEW)
    with django_assert_max_num_queries(SEARCH_BOUND) as few:
        small = search(users["viewer"], "cam pha")
    grow(MANY)
    users["viewer"].__dict__.pop("_accord_scope", None)
    with django_assert_max_num_queries(SEARCH_BOUND) as many:
        large = search(users["viewer"], "cam pha")

    assert len(few.captured_queries) == len(many.captured_queries)
    assert [g.total for g in small] == [FEW] * 7 and [g.total for g in large] == [MANY] * 7


@pytest.mark.parametrize(("url", "bound"), ROUTE_BOUNDS)
def test_each_route_runs_the_same_queries_for_few_and_many_records(client, users, grow, url, bound):
    client.force_login(users["editor"])
    grow(FEW)
    assert client.get(url, {"q": "cam pha"}).status_code == 200  # fills per-process caches
    with CaptureQueriesContext(connection) as few:
        small = client.get(url, {"q": "cam pha"})
    grow(MANY)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url, {"q": "cam pha"})

    assert small.status_code == large.status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries), "\n".join(q["sql"] for q in many.captured_queries)
    assert len(many.captured_queries) <= bound
    assert str(MANY) in large.content.decode()  # the totals do grow
