"""The REST API of sources, stories and citations: CRUD, upload, the cited-source guard,
citations on each kind of record, bad input, the permission matrix and a bounded number of queries.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.agreements import services as agreement_services
from accord.agreements.models import ActivityType
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
from accord.engagements import services as engagement_services
from accord.partners import services as partner_services
from accord.sources import services
from accord.sources.models import Citation, Source, Story

SOURCES = "/api/v1/sources/"
STORIES = "/api/v1/stories/"
CITATIONS = "/api/v1/citations/"
D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def api(users):
    """The editor of Quảng Ninh DoET, with a token, as another system would call."""
    return token_client(users["editor"])


@pytest.fixture
def records(users, tenants):
    """Quảng Ninh DoET's records of each kind that can be cited, an article cited on the
    engagement, an uncited letter, a story; the same kind of records of Hải Phòng DoET; and an
    organisation of Hải Phòng in the shared directory (seen by Quảng Ninh, not changed by it)."""
    editor, other = users["editor"], users["other"]
    qn = tenants["qn"]
    kumoh = partner_services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Kumoh National Institute of Technology", "country": "KR"},
    )
    agreement = agreement_services.agreement_create(
        acting_user=editor,
        data={"kind": "mou", "title": "MoU with Kumoh", "owner": qn},
        parties=[{"organization": qn}, {"organization": kumoh}],
        commitments=[
            {
                "activity_type": ActivityType.objects.get(code="student_exchange"),
                "description": "Exchange of students in electronics",
                "quantity_per_year": 4,
                "unit": "students",
            }
        ],
    )
    engagement = engagement_services.engagement_create(
        acting_user=editor,
        data={
            "kind": "incoming_delegation",
            "title": "Kumoh delegation visits Quảng Ninh",
            "starts_on": D(2025, 10, 6),
        },
        organizations=[{"organization": kumoh, "role": "guest"}],
    )
    action = engagement_services.action_create(
        acting_user=editor, data={"title": "Send the draft MoU to Kumoh", "engagement": engagement}
    )
    story = services.story_create(acting_user=editor, title="Kumoh's first visit to Quảng Ninh")
    article = services.source_create(
        acting_user=editor,
        data={
            "kind": "article",
            "title": "Học viện Kumoh thăm Sở GD&ĐT Quảng Ninh",
            "url": "https://baoquangninh.vn/kumoh-tham-quang-ninh",
            "publisher": "Báo Quảng Ninh",
            "published_on": D(2025, 10, 7),
            "language": "vi",
            "story": story,
        },
    )
    letter = services.source_create(
        acting_user=editor,
        data={
            "kind": "letter",
            "title": "Letter of intent from Kumoh",
            "text": "We would welcome students of Quảng Ninh.",
        },
    )
    citation = services.citation_add(
        acting_user=editor, record=engagement, source=article, passage="Đoàn gồm 6 thành viên"
    )
    shared_theirs = partner_services.organization_create(
        acting_user=other, data={"kind": "school", "name": "Trường THPT Trần Phú", "country": "VN"}
    )
    their_source = services.source_create(
        acting_user=other, data={"kind": "article", "title": "Hải Phòng news", "url": "https://baohaiphong.vn/a"}
    )
    their_engagement = engagement_services.engagement_create(
        acting_user=other,
        data={"kind": "working_session", "title": "Hải Phòng meets Kumoh", "starts_on": D(2025, 11, 3)},
    )
    their_citation = services.citation_add(acting_user=other, record=their_engagement, source=their_source)
    return {
        "kumoh": kumoh,
        "agreement": agreement,
        "commitment": agreement.commitments.get(),
        "engagement": engagement,
        "action": action,
        "story": story,
        "article": article,
        "letter": letter,
        "citation": citation,
        "shared_theirs": shared_theirs,
        "their_source": their_source,
        "their_engagement": their_engagement,
        "their_citation": their_citation,
    }


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in (Source, Story, Citation)}
    counts["history"] = Source.history.model.objects.count() + Citation.history.model.objects.count()
    return counts


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(api, body, field, *, method="post", url=SOURCES, fmt="json"):
    """Send ``body``; assert a 400 that names ``field`` and that nothing was written."""
    return assert_refused(api, url, body, field, counts=_counts, method=method, fmt=fmt)[field]


# --- sources -------------------------------------------------------------------------------


def test_create_a_source_from_its_address(api, users, tenants):
    response = api.post(
        SOURCES,
        {
            "kind": "report",
            "title": "Report on cooperation with Korea, 2025",
            "url": "https://sogd.quangninh.gov.vn/bao-cao-2025",
            "publisher": "Sở GD&ĐT Quảng Ninh",
            "published_on": "2025-12-30",
            "language": "vi",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    source = Source.objects.get(pk=data["id"])
    assert source.owner == tenants["qn"]
    assert (data["kind"], data["published_on"], data["file_url"], data["citation_count"]) == (
        "report",
        "2025-12-30",
        None,
        0,
    )
    assert data["page_url"].endswith(reverse("sources:source_detail", args=[source.pk]))
    assert source.history.first().history_user == users["editor"]


def test_upload_a_source_with_its_file(api, settings):
    response = api.post(
        SOURCES,
        {
            "kind": "minutes",
            "title": "Minutes of the meeting with Kumoh",
            "file": SimpleUploadedFile("biên bản.pdf", PDF),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    source = Source.objects.get(pk=data["id"])
    assert data["filename"] == "biên bản.pdf"
    assert "file" not in data  # the stored path is never shown
    assert data["file_url"].endswith(reverse("sources:source_file", args=[source.pk]))
    with source.file.open("rb") as handle:
        assert handle.read() == PDF


def test_a_source_without_address_text_or_file_is_refused(api, records, settings):
    files = _stored_files(settings)

    errors = _refused(api, {"kind": "article", "title": "Something we heard"}, "url")

    assert "address" in " ".join(errors)
    assert _stored_files(settings) == files


def test_a_source_for_an_owner_outside_the_callers_organisations_is_refused(api, tenants):
    _refused(api, {"title": "Hải Phòng news", "url": "https://baohaiphong.vn/b", "owner": tenants["hp"].pk}, "owner")


def test_a_source_in_a_story_the_caller_cannot_see_is_refused(users, records):
    their_story = services.story_create(acting_user=users["other"], title="Hải Phòng's story")

    _refused(
        token_client(users["editor"]),
        {"title": "Another article", "url": "https://baoquangninh.vn/b", "story": their_story.pk},
        "story",
    )


def test_update_a_source(api, records):
    letter = records["letter"]

    response = api.patch(
        f"{SOURCES}{letter.pk}/", {"published_on": "2025-09-01", "story": records["story"].pk}, format="json"
    )

    assert response.status_code == 200, response.content
    letter.refresh_from_db()
    assert (letter.published_on, letter.story) == (D(2025, 9, 1), records["story"])


def test_the_file_of_a_source_cannot_be_replaced(api, records):
    letter = records["letter"]

    _refused(
        api,
        {"file": SimpleUploadedFile("other.pdf", PDF)},
        "file",
        method="patch",
        url=f"{SOURCES}{letter.pk}/",
        fmt="multipart",
    )

    assert not Source.objects.get(pk=letter.pk).file


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "letter"}, {"Letter of intent from Kumoh"}),
        ({"kind": "report"}, set()),
        ({"q": "hoc vien kumoh"}, {"Học viện Kumoh thăm Sở GD&ĐT Quảng Ninh"}),
        ({"q": "welcome students"}, {"Letter of intent from Kumoh"}),  # in the text
    ],
)
def test_filter_the_sources(api, records, query, expected):
    response = api.get(SOURCES, query)

    assert response.status_code == 200, response.content
    assert {row["title"] for row in response.json()["results"]} == expected


def test_filter_the_sources_of_a_story_and_count_their_citations(api, records):
    rows = api.get(SOURCES, {"story": records["story"].pk}).json()["results"]

    assert [(row["title"], row["citation_count"]) for row in rows] == [("Học viện Kumoh thăm Sở GD&ĐT Quảng Ninh", 1)]


def test_the_other_tenant_sees_only_its_own_sources_stories_and_citations(users, records):
    client = token_client(users["other"])

    sources = client.get(SOURCES).json()["results"]
    stories = client.get(STORIES).json()["results"]
    citations = client.get(CITATIONS).json()["results"]

    assert [s["title"] for s in sources] == ["Hải Phòng news"]
    assert stories == []
    assert [c["id"] for c in citations] == [records["their_citation"].pk]


def test_delete_a_source_that_is_not_cited(api, records):
    response = api.delete(f"{SOURCES}{records['letter'].pk}/")

    assert response.status_code == 204
    assert not Source.objects.filter(pk=records["letter"].pk).exists()


def test_a_cited_source_is_not_deleted_without_confirmation(api, records):
    before = _counts()

    response = api.delete(f"{SOURCES}{records['article'].pk}/")

    assert response.status_code == 400
    assert "cited by 1 record" in " ".join(response.json()["non_field_errors"])
    assert _counts() == before


def test_a_cited_source_is_deleted_with_its_citations_when_confirmed(api, records):
    article = records["article"]

    response = api.delete(f"{SOURCES}{article.pk}/?remove_citations=true")

    assert response.status_code == 204
    assert not Source.objects.filter(pk=article.pk).exists()
    assert not Citation.objects.filter(pk=records["citation"].pk).exists()
    assert records["engagement"].citations.count() == 0


# --- stories -------------------------------------------------------------------------------


def test_create_a_story_told_by_sources(api, records):
    response = api.post(
        STORIES,
        {"title": "Kumoh's letter of intent", "summary": "Kumoh offers places.", "sources": [records["letter"].pk]},
        format="json",
    )

    assert response.status_code == 201, response.content
    story = Story.objects.get(pk=response.json()["id"])
    assert Source.objects.get(pk=records["letter"].pk).story == story
    assert api.get(f"{STORIES}{story.pk}/").json()["sources"] == [records["letter"].pk]


def test_change_a_story_and_the_sources_telling_it(api, records):
    story = records["story"]

    response = api.patch(
        f"{STORIES}{story.pk}/",
        {"title": "Kumoh in Quảng Ninh, October 2025", "sources": [records["letter"].pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["sources"] == [records["letter"].pk]
    story.refresh_from_db()
    assert story.title == "Kumoh in Quảng Ninh, October 2025"
    assert list(story.sources.all()) == [records["letter"]]
    assert Source.objects.get(pk=records["article"].pk).story is None


def test_search_the_stories_by_the_words_of_their_sources(api, records):
    response = api.get(STORIES, {"q": "bao quang ninh"})

    assert [row["title"] for row in response.json()["results"]] == ["Kumoh's first visit to Quảng Ninh"]


def test_a_story_with_a_source_the_caller_cannot_see_is_refused(api, records):
    _refused(api, {"title": "A story", "sources": [records["their_source"].pk]}, "sources", url=STORIES)

    assert Source.objects.get(pk=records["their_source"].pk).story is None


def test_a_story_without_a_title_is_refused(api, records):
    _refused(api, {"title": ""}, "title", url=STORIES)


# --- citations -----------------------------------------------------------------------------

RECORD_TYPES = {
    "partners.organization": "kumoh",
    "agreements.agreement": "agreement",
    "agreements.commitment": "commitment",
    "engagements.engagement": "engagement",
    "engagements.followupaction": "action",
}


@pytest.mark.parametrize("record_type", list(RECORD_TYPES))
def test_cite_a_source_on_each_kind_of_record(api, records, record_type):
    record = records[RECORD_TYPES[record_type]]

    response = api.post(
        CITATIONS,
        {
            "record_type": record_type,
            "record_id": record.pk,
            "source": records["letter"].pk,
            "passage": "We would welcome students",
            "note": "Kumoh's intention",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["record_type"], data["record_id"], data["record_label"], data["source_title"]) == (
        record_type,
        record.pk,
        str(record),
        "Letter of intent from Kumoh",
    )
    assert [c.passage for c in record.citations.filter(source=records["letter"])] == ["We would welcome students"]


def test_list_the_citations_of_a_record(api, users, records):
    services.citation_add(acting_user=users["editor"], record=records["agreement"], source=records["letter"])

    response = api.get(CITATIONS, {"record_type": "engagements.engagement", "record_id": records["engagement"].pk})

    assert response.status_code == 200, response.content
    [row] = response.json()["results"]
    assert (row["id"], row["passage"], row["record_label"]) == (
        records["citation"].pk,
        "Đoàn gồm 6 thành viên",
        "Kumoh delegation visits Quảng Ninh",
    )
    assert row["record_url"].endswith(reverse("engagements:engagement_detail", args=[records["engagement"].pk]))
    assert len(api.get(CITATIONS).json()["results"]) == 2


def test_a_citation_on_a_record_the_reader_cannot_see_is_not_listed(users, tenants, records):
    # given: a source of Ha Long University cited by Quảng Ninh DoET on its own engagement
    unit_source = services.source_create(
        acting_user=users["unit"], data={"title": "Ha Long University news", "url": "https://daihochalong.edu.vn/a"}
    )
    services.citation_add(acting_user=users["editor"], record=records["engagement"], source=unit_source)

    # when
    seen_by_unit = token_client(users["unit"]).get(CITATIONS).json()["results"]
    seen_by_doet = token_client(users["viewer"]).get(CITATIONS, {"source": unit_source.pk}).json()["results"]

    # then: the unit sees its source but not the DoET's engagement, nor the citation on it
    assert seen_by_unit == []
    assert [c["record_id"] for c in seen_by_doet] == [records["engagement"].pk]


def test_a_citation_to_a_source_the_caller_cannot_see_is_refused(api, records):
    _refused(
        api,
        {
            "record_type": "engagements.engagement",
            "record_id": records["engagement"].pk,
            "source": records["their_source"].pk,
        },
        "source",
        url=CITATIONS,
    )


@pytest.mark.parametrize(
    ("record_type", "record"),
    [
        ("partners.organization", "shared_theirs"),  # in the shared directory, kept by Hải Phòng
        ("engagements.engagement", "their_engagement"),  # not even visible
    ],
)
def test_a_citation_on_a_record_the_caller_cannot_change_is_refused(api, records, record_type, record):
    errors = _refused(
        api,
        {"record_type": record_type, "record_id": records[record].pk, "source": records["letter"].pk},
        "record_id",
        url=CITATIONS,
    )

    assert "change" in " ".join(errors)


def test_a_citation_on_a_record_that_does_not_exist_is_refused(api, records):
    _refused(
        api,
        {"record_type": "agreements.agreement", "record_id": 987654, "source": records["letter"].pk},
        "record_id",
        url=CITATIONS,
    )


@pytest.mark.parametrize("record_type", ["accounts.user", "sources.source", "agreement", ""])
def test_a_citation_on_a_kind_of_record_outside_the_list_is_refused(api, records, record_type):
    _refused(
        api,
        {"record_type": record_type, "record_id": records["engagement"].pk, "source": records["letter"].pk},
        "record_type",
        url=CITATIONS,
    )


def test_the_same_passage_cannot_be_cited_twice(api, records):
    errors = _refused(
        api,
        {
            "record_type": "engagements.engagement",
            "record_id": records["engagement"].pk,
            "source": records["article"].pk,
            "passage": "Đoàn gồm 6 thành viên",
        },
        "source",
        url=CITATIONS,
    )

    assert "already" in " ".join(errors)


def test_delete_a_citation(api, records):
    response = api.delete(f"{CITATIONS}{records['citation'].pk}/")

    assert response.status_code == 204
    assert records["engagement"].citations.count() == 0
    assert Source.objects.filter(pk=records["article"].pk).exists()


def test_citations_cannot_be_changed_in_place(api, records):
    response = api.patch(f"{CITATIONS}{records['citation'].pk}/", {"passage": "Another passage"}, format="json")

    assert response.status_code == 405
    assert Citation.objects.get(pk=records["citation"].pk).passage == "Đoàn gồm 6 thành viên"


# --- permission matrix ---------------------------------------------------------------------


PAYLOADS = {
    ("source-list", "post"): lambda r: {"title": "Kumoh newsletter", "url": "https://kumoh.ac.kr/news/1"},
    ("source-detail", "put"): lambda r: {"kind": "report", "title": "Kumoh's report", "url": "https://kumoh.ac.kr/r"},
    ("source-detail", "patch"): lambda r: {"publisher": "Kumoh National Institute of Technology"},
    ("story-list", "post"): lambda r: {"title": "The Kumoh scholarships"},
    ("story-detail", "put"): lambda r: {"title": "Kumoh's visits", "summary": "Two visits so far."},
    ("story-detail", "patch"): lambda r: {"title": "Kumoh's visits to Quảng Ninh"},
    ("citation-list", "post"): lambda r: {
        "record_type": "engagements.engagement",
        "record_id": r["engagement"].pk,
        "source": r["letter"].pk,
        "passage": "We would welcome students",
    },
}

# Statuses in the order of ROLES. Anonymous calls get 403, not 401: session authentication
# comes first and sends no WWW-Authenticate challenge. The other tenant does not learn that
# Quảng Ninh's records exist (404), and may not cite them (400: no such source or record).
READ = (403, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404)
CREATE = (403, 403, 201, 201, 201, 201)
CITE = (403, 403, 201, 201, 201, 400)
CHANGE = (403, 403, 200, 200, 200, 404)
DELETE = (403, 403, 204, 204, 204, 404)

API_TABLE = [
    (Op("source-list"), "get", READ),
    (Op("source-list"), "post", CREATE),
    (Op("source-detail", "article"), "get", READ_OWNED),
    (Op("source-detail", "letter"), "put", CHANGE),
    (Op("source-detail", "letter"), "patch", CHANGE),
    (Op("source-detail", "letter"), "delete", DELETE),
    (Op("story-list"), "get", READ),
    (Op("story-list"), "post", CREATE),
    (Op("story-detail", "story"), "get", READ_OWNED),
    (Op("story-detail", "story"), "put", CHANGE),
    (Op("story-detail", "story"), "patch", CHANGE),
    (Op("citation-list"), "get", READ),
    (Op("citation-list"), "post", CITE),
    (Op("citation-detail", "citation"), "get", READ_OWNED),
    (Op("citation-detail", "citation"), "delete", DELETE),
]


def _state():
    """What a write would change: every source, story and citation."""
    return (
        set(Source.objects.values_list("pk", "kind", "title", "publisher", "updated_at")),
        set(Story.objects.values_list("pk", "title")),
        set(Citation.objects.values_list("pk", "passage")),
    )


@pytest.mark.parametrize(("op", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, records, op, method, role, expected):
    # given
    client = session_client(users.get(role))
    payload = PAYLOADS.get((op.name, method))
    data = payload(records) if payload else None
    before = _state()

    # when
    call = getattr(client, method)
    response = call(op.resolve(records), data, format="json") if data else call(op.resolve(records))

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(_state, before, expected, method)


def test_every_api_operation_of_sources_has_permission_rows():
    assert api_operations({"source", "story", "citation"}) == covered_operations(API_TABLE)


# --- a bounded number of queries -----------------------------------------------------------


def _more_citations(users, records, count):
    editor = users["editor"]
    for number in range(count):
        source = services.source_create(
            acting_user=editor, data={"title": f"Article {number}", "url": f"https://baoquangninh.vn/{number}"}
        )
        for key in RECORD_TYPES.values():
            services.citation_add(acting_user=editor, record=records[key], source=source, passage=f"Passage {number}")


@pytest.mark.parametrize("url", [SOURCES, STORIES, CITATIONS])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, records, url):
    # every kind of record is cited once already, so each kind's query is in both counts
    for key in ("kumoh", "agreement", "commitment", "action"):
        services.citation_add(acting_user=users["editor"], record=records[key], source=records["letter"])
    client = token_client(users["viewer"])
    client.get(url)
    first, few = queries_of(client, url)
    assert first.status_code == 200
    _more_citations(users, records, 4)
    services.story_create(acting_user=users["editor"], title="Another story", sources=[records["letter"]])

    response, many = queries_of(client, url)

    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 12


# --- schema --------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_source_operations(api):
    import yaml

    response = api.get("/api/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    assert "multipart/form-data" in paths["/api/v1/sources/"]["post"]["requestBody"]["content"]
    assert "remove_citations" in {p["name"] for p in paths["/api/v1/sources/{id}/"]["delete"]["parameters"]}
    assert {"record_type", "record_id"} <= {p["name"] for p in paths["/api/v1/citations/"]["get"]["parameters"]}
    assert "patch" not in paths["/api/v1/citations/{id}/"]
    assert "delete" not in paths["/api/v1/stories/{id}/"]
