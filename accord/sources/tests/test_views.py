"""The source pages as a user works with them: find, record, attach, group into stories, cite, delete;
and the history of the cooperation on a partner's page."""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.agreements import services as agreement_services
from accord.agreements.models import ActivityType
from accord.engagements import services as engagement_services
from accord.partners import services as partner_services
from accord.sources import services
from accord.sources.models import Citation, Source, Story

LIST = reverse("sources:source_list")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def make_source(user, title: str, **data) -> Source:
    """A source through the service; an article with an address unless told otherwise."""
    upload = data.pop("upload", None)
    values = {"kind": "article", "url": f"https://baoquangninh.vn/{abs(hash(title))}", **data, "title": title}
    return services.source_create(acting_user=user, data=values, upload=upload)


def partner(user, name: str, country: str = "JP"):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country}, allow_similar=True
    )


def make_agreement(user, title: str, parties, *, signed_on=None, expires_on=None, commitments=()):
    agreement = agreement_services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, "expires_on": expires_on},
        parties=[{"organization": org, "role": "signatory"} for org in parties],
        commitments=[
            {"activity_type": ActivityType.objects.get(code=code), "position": i} for i, code in enumerate(commitments)
        ],
    )
    if signed_on:
        agreement = agreement_services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)
    return agreement


def cite_url(record) -> str:
    return reverse("sources:citation_add", args=[record._meta.label_lower, record.pk])


def rows_of(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def titles_in_table(html: str) -> list[str]:
    table = html[html.index('id="source-table"') :]
    return re.findall(r'<td><a href="/sources/\d+/" lang="[^"]*">([^<]+)</a>', table)


@pytest.fixture
def lntu(editor):
    return partner(editor, "Liaoning Technical University", country="CN")


@pytest.fixture
def library(users, tenants):
    """Sources of Quảng Ninh (one in a story, one cited) and one of Hải Phòng."""
    editor = users["editor"]
    story = services.story_create(acting_user=editor, title="Quảng Ninh teachers in Fuxin")
    vietnamese = make_source(
        editor,
        "Giáo viên Quảng Ninh sang Phụ Tân",
        publisher="Báo Quảng Ninh",
        published_on=datetime.date(2024, 5, 3),
        language="vi",
        kind="article",
        story=story,
    )
    english = make_source(
        editor,
        "Quang Ninh teachers visit Fuxin",
        publisher="Liaoning Daily",
        published_on=datetime.date(2024, 5, 6),
        language="en",
        kind="article",
        story=story,
    )
    letter = make_source(
        editor,
        "Letter of intent from Kitami",
        publisher="Kitami Institute of Technology",
        published_on=datetime.date(2019, 11, 20),
        language="ja",
        kind="letter",
        text="We wish to continue our cooperation.",
        url="",
    )
    theirs = make_source(users["other"], "Hải Phòng port training report", publisher="Hải Phòng DoET", language="vi")
    services.citation_add(acting_user=editor, record=tenants["qn"], source=letter, passage="continue our cooperation")
    return {"story": story, "vi": vietnamese, "en": english, "letter": letter, "theirs": theirs}


# --- the list and the export -----------------------------------------------------------------------


def test_the_index_opens_the_list(client, users):
    client.force_login(users["viewer"])

    response = client.get(reverse("sources:index"))

    assert response.status_code == 302 and response["Location"] == LIST


def test_the_list_shows_the_users_sources_newest_first_with_their_story_and_citations(client, users, library):
    client.force_login(users["viewer"])

    html = client.get(LIST).content.decode()

    assert titles_in_table(html) == [library["en"].title, library["vi"].title, library["letter"].title]
    row = html[html.index(f'data-source="{library["letter"].pk}"') :].split("</tr>", 1)[0]
    assert "Letter" in row and "Kitami Institute of Technology" in row and '<td class="text-end">1</td>' in row
    assert library["story"].title in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "giao vien quang ninh"}, ["vi"]),  # folded: no diacritics needed
        ({"kind": "letter"}, ["letter"]),
        ({"language": "en"}, ["en"]),
        ({"publisher": "liaoning"}, ["en"]),
        ({"date_from": "2024-05-04"}, ["en"]),
        ({"date_from": "2019-01-01", "date_to": "2024-05-05"}, ["vi", "letter"]),
        ({"cited": "true"}, ["letter"]),
        ({"cited": "false"}, ["en", "vi"]),
    ],
)
def test_the_filters_narrow_the_list_and_the_export_alike(client, users, library, query, expected):
    client.force_login(users["viewer"])

    html = client.get(LIST, query).content.decode()
    exported = rows_of(client.get(reverse("sources:source_export", args=["csv"]), query))

    titles = [library[key].title for key in expected]
    assert titles_in_table(html) == titles
    assert [row["title"] for row in exported] == titles


def test_the_story_filter_keeps_the_versions_of_one_story(client, users, library):
    client.force_login(users["viewer"])

    html = client.get(LIST, {"story": library["story"].pk}).content.decode()

    assert titles_in_table(html) == [library["en"].title, library["vi"].title]


def test_a_bad_filter_value_shows_nothing_rather_than_everything(client, users, library):
    client.force_login(users["viewer"])

    response = client.get(LIST, {"date_from": "not a date"})

    assert response.status_code == 200
    assert titles_in_table(response.content.decode()) == []


def test_htmx_gets_only_the_table(client, users, library):
    client.force_login(users["viewer"])

    html = client.get(LIST, {"q": "kitami"}, HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in html and 'id="source-table"' in html
    assert titles_in_table(html) == [library["letter"].title]


def test_the_xlsx_export_has_one_row_per_source_with_its_story_and_citation_count(client, users, library):
    client.force_login(users["viewer"])

    response = client.get(reverse("sources:source_export", args=["xlsx"]))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    by_title = {row[header.index("title")]: row for row in rows[1:]}
    assert set(by_title) == {library[k].title for k in ("vi", "en", "letter")}
    assert by_title[library["vi"].title][header.index("story")] == library["story"].title
    assert by_title[library["letter"].title][header.index("citations")] == 1
    assert by_title[library["letter"].title][header.index("language")] == "ja"


# --- recording a source ---------------------------------------------------------------------------


def test_an_editor_records_a_source_with_a_file_that_only_its_readers_can_download(client, users, tenants):
    # given
    client.force_login(users["editor"])

    # when
    response = client.post(
        reverse("sources:source_create"),
        {
            "kind": "minutes",
            "title": "Minutes of the working session with Kitami",
            "publisher": "Quảng Ninh DoET",
            "published_on": "2025-03-14",
            "language": "vi",
            "upload": SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"),
        },
    )

    # then
    source = Source.objects.get(title="Minutes of the working session with Kitami")
    assert response.status_code == 302 and response["Location"] == source.get_absolute_url()
    assert source.owner == tenants["qn"] and source.filename == "bien-ban.pdf"
    assert "bien-ban" not in source.file.name  # stored under a random name
    page = client.get(source.get_absolute_url()).content.decode()
    file_url = reverse("sources:source_file", args=[source.pk])
    assert f'href="{file_url}"' in page and "/_media_not_public/" not in page
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "bien-ban.pdf" in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"
    client.force_login(users["other"])
    assert client.get(file_url).status_code == 404


def test_a_source_needs_an_address_a_text_or_a_file(client, users):
    client.force_login(users["editor"])

    response = client.post(reverse("sources:source_create"), {"kind": "article", "title": "Nothing to go on"})

    assert response.status_code == 400
    assert "Give the address, the text or a file of the source." in response.content.decode()
    assert not Source.objects.filter(title="Nothing to go on").exists()


def test_a_file_over_the_limit_is_refused(client, users, settings):
    settings.ACCORD_DOCUMENT_MAX_BYTES = 10
    client.force_login(users["editor"])

    response = client.post(
        reverse("sources:source_create"),
        {"kind": "report", "title": "Annual report", "upload": SimpleUploadedFile("report.pdf", PDF)},
    )

    assert response.status_code == 400 and "the limit is" in response.content.decode()
    assert not Source.objects.filter(title="Annual report").exists()


def test_a_file_that_is_not_a_document_is_refused_on_the_file_field(client, users):
    client.force_login(users["editor"])

    response = client.post(
        reverse("sources:source_create"),
        {"kind": "report", "title": "Annual report", "upload": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 program")},
    )

    html = response.content.decode()
    assert response.status_code == 400 and "Only PDF, Word (DOCX), PNG and JPEG files can be attached." in html
    assert html.index("Only PDF, Word") > html.index('name="upload"')  # shown under the file field
    assert not Source.objects.filter(title="Annual report").exists()


def test_a_source_without_a_file_has_no_download(client, users, library):
    client.force_login(users["viewer"])

    assert client.get(reverse("sources:source_file", args=[library["vi"].pk])).status_code == 404


def test_an_editor_changes_a_source_and_the_change_is_in_its_history(client, users, library):
    source = library["letter"]
    client.force_login(users["editor"])
    form = client.get(reverse("sources:source_update", args=[source.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', form).group(1)

    response = client.post(
        reverse("sources:source_update", args=[source.pk]),
        {
            "kind": "letter",
            "title": "Letter of intent from Kitami Institute of Technology",
            "publisher": "Kitami Institute of Technology",
            "published_on": "2019-11-20",
            "language": "ja",
            "text": "We wish to continue our cooperation.",
            "loaded_at": loaded_at,
        },
    )

    assert response.status_code == 302
    page = client.get(source.get_absolute_url()).content.decode()
    assert "<h1" in page and "Letter of intent from Kitami Institute of Technology</h1>" in page
    change = page[page.index('id="history"') :].split("</table>", 1)[0]
    assert "Letter of intent from Kitami</td>" in change  # the title before the change


def test_the_source_page_shows_the_records_citing_it_and_the_other_versions_of_its_story(
    client, users, tenants, library
):
    client.force_login(users["viewer"])

    letter = client.get(library["letter"].get_absolute_url()).content.decode()
    vietnamese = client.get(library["vi"].get_absolute_url()).content.decode()

    citing = letter[letter.index('id="citing"') :]
    assert tenants["qn"].name in citing and "continue our cooperation" in citing
    versions = vietnamese[vietnamese.index('id="versions"') :]
    assert library["en"].title in versions and "English" in versions


def test_a_citing_record_the_user_cannot_open_is_counted_not_named(client, users, tenants, library):
    # given a source of Ha Long University, cited on the university and on a partner that only
    # Quảng Ninh DoET (above it) may see
    school = users["unit"]
    own = make_source(school, "Ha Long University newsletter", publisher="HLU")
    services.citation_add(acting_user=school, record=tenants["hlu"], source=own, passage="summer school")
    hidden_partner = partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "company", "name": "Vịnh Bay Tours", "shared": False},
        allow_similar=True,
    )
    services.citation_add(acting_user=users["editor"], record=hidden_partner, source=own, passage="bay tours")

    # when the school's editor opens its source
    client.force_login(school)
    html = client.get(own.get_absolute_url()).content.decode()

    # then the organisation it cannot see is not named
    assert tenants["hlu"].name in html
    assert "Vịnh Bay Tours" not in html and "1 record you cannot open" in html


# --- deleting a source --------------------------------------------------------------------------


def test_an_uncited_source_is_deleted_after_one_question(client, users, library):
    client.force_login(users["editor"])
    url = reverse("sources:source_delete", args=[library["vi"].pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert "No record cites this source" in page
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Source.objects.filter(pk=library["vi"].pk).exists()


def test_a_cited_source_is_not_deleted_without_confirmation(client, users, tenants, library):
    # given
    letter = library["letter"]
    client.force_login(users["editor"])
    url = reverse("sources:source_delete", args=[letter.pk])
    before = (set(Source.objects.values_list("pk", "updated_at")), set(Citation.objects.values_list("pk")))

    # when
    page = client.get(url).content.decode()
    response = client.post(url)

    # then the page named the citing records, and nothing was written
    citing = page[page.index('id="citing"') :]
    assert tenants["qn"].name in citing and 'name="confirm"' in page
    assert response.status_code == 400 and "confirm to remove those citations" in response.content.decode()
    assert (set(Source.objects.values_list("pk", "updated_at")), set(Citation.objects.values_list("pk"))) == before


def test_a_confirmed_deletion_removes_the_source_and_its_citations(client, users, tenants, library):
    letter = library["letter"]
    client.force_login(users["editor"])

    response = client.post(reverse("sources:source_delete", args=[letter.pk]), {"confirm": "on"})

    assert response.status_code == 302
    assert not Source.objects.filter(pk=letter.pk).exists()
    assert not Citation.objects.filter(source_id=letter.pk).exists()
    page = client.get(tenants["qn"].get_absolute_url())
    html = page.content.decode()
    block = html[html.index('id="citations-partners-organization-') :].split("</section>", 1)[0]
    assert page.status_code == 200 and "No source cited." in block and letter.title not in block


# --- stories --------------------------------------------------------------------------------------


def test_an_editor_groups_sources_into_a_story_shown_side_by_side_with_their_languages(client, users, library):
    # given
    client.force_login(users["editor"])
    vi = make_source(users["editor"], "Hội thảo giáo dục Việt – Nhật", language="vi", publisher="Báo Quảng Ninh")
    ja = make_source(users["editor"], "ベトナム・日本教育会議", language="ja", publisher="北見新聞")

    # when
    response = client.post(
        reverse("sources:story_create"),
        {
            "title": "The Vietnam–Japan education seminar",
            "summary": "One seminar, two newspapers.",
            "sources": [vi.pk, ja.pk],
        },
    )

    # then
    story = Story.objects.get(title="The Vietnam–Japan education seminar")
    assert response.status_code == 302 and response["Location"] == story.get_absolute_url()
    assert set(story.sources.values_list("pk", flat=True)) == {vi.pk, ja.pk}
    html = client.get(story.get_absolute_url()).content.decode()
    versions = html[html.index('id="versions"') :]
    assert versions.count('class="card h-100 version"') == 2
    assert 'data-language="vi"' in versions and 'data-language="ja"' in versions
    assert "Vietnamese" in versions and "Japanese" in versions and "北見新聞" in versions
    listing = client.get(reverse("sources:story_list")).content.decode()
    row = listing[listing.index(f'data-story="{story.pk}"') :].split("</tr>", 1)[0]
    assert "<td>2</td>" in row and "Japanese" in row and "Vietnamese" in row


def test_editing_a_story_changes_its_sources(client, users, library):
    story = library["story"]
    client.force_login(users["editor"])

    response = client.post(
        reverse("sources:story_update", args=[story.pk]),
        {
            "title": "Quảng Ninh teachers in Fuxin, 2024",
            "summary": "",
            "sources": [library["vi"].pk, library["letter"].pk],
        },
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Quảng Ninh teachers in Fuxin, 2024"
    assert set(story.sources.values_list("pk", flat=True)) == {library["vi"].pk, library["letter"].pk}


def test_a_story_cannot_take_a_source_of_another_tenant(client, users, library):
    client.force_login(users["editor"])

    response = client.post(
        reverse("sources:story_create"), {"title": "Borrowed story", "sources": [library["theirs"].pk]}
    )

    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Story.objects.filter(title="Borrowed story").exists()
    assert Source.objects.get(pk=library["theirs"].pk).story_id is None


def test_the_story_search_finds_a_story_by_the_words_of_its_sources(client, users, library):
    client.force_login(users["viewer"])

    html = client.get(reverse("sources:story_list"), {"q": "phu tan"}).content.decode()
    none = client.get(reverse("sources:story_list"), {"q": "kitami"}).content.decode()

    assert library["story"].title in html
    assert library["story"].title not in none


# --- citations ------------------------------------------------------------------------------------


def test_an_editor_cites_a_source_on_an_organisation_and_it_shows_with_its_passage(client, users, tenants, library):
    # given
    org = tenants["qn"]
    client.force_login(users["editor"])

    # when
    response = client.post(
        cite_url(org), {"source": library["vi"].pk, "passage": "Mười giáo viên sang Phụ Tân", "note": "p. 3"}
    )

    # then
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    html = client.get(org.get_absolute_url()).content.decode()
    block = html[html.index('id="citations-partners-organization-') :]
    assert library["vi"].title in block and "Báo Quảng Ninh" in block and "May 3, 2024" in block
    assert re.search(r"<blockquote[^>]*>Mười giáo viên sang Phụ Tân</blockquote>", block)
    assert "p. 3" in block and 'href="' + library["vi"].get_absolute_url() + '"' in block


def test_with_htmx_citing_returns_the_refreshed_citations(client, users, lntu, library):
    client.force_login(users["editor"])

    response = client.post(
        cite_url(lntu), {"source": library["en"].pk, "passage": "teachers from Quang Ninh"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="citations-partners-organization-{lntu.pk}"' in html and "teachers from Quang Ninh" in html
    assert Citation.objects.filter(object_id=lntu.pk, source=library["en"]).count() == 1


def test_a_source_the_user_cannot_see_cannot_be_cited(client, users, lntu, library):
    client.force_login(users["editor"])

    plain = client.post(cite_url(lntu), {"source": library["theirs"].pk, "passage": "port training"})
    htmx = client.post(cite_url(lntu), {"source": library["theirs"].pk}, HTTP_HX_REQUEST="true")

    assert plain.status_code == 400 and "Choose a source you can see." in plain.content.decode()
    assert htmx.status_code == 400 and "Choose a source you can see." in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert not Citation.objects.filter(object_id=lntu.pk).exists()


def test_a_passage_cited_twice_is_refused(client, users, tenants, library):
    client.force_login(users["editor"])

    response = client.post(
        cite_url(tenants["qn"]), {"source": library["letter"].pk, "passage": "continue our cooperation"}
    )

    assert response.status_code == 400 and "already cites this passage" in response.content.decode()
    assert Citation.objects.filter(source=library["letter"]).count() == 1


@pytest.mark.parametrize("model", ["partners.person", "accounts.user", "sources.source", "nonsense"])
def test_only_records_of_the_allow_list_can_cite(client, users, tenants, library, model):
    client.force_login(users["editor"])

    response = client.post(
        reverse("sources:citation_add", args=[model, tenants["qn"].pk]), {"source": library["vi"].pk}
    )

    assert response.status_code == 404
    assert Citation.objects.count() == 1


def test_the_form_offers_only_sources_the_user_can_see_and_can_be_searched(client, users, lntu, library):
    client.force_login(users["editor"])

    form = client.get(cite_url(lntu), HTTP_HX_REQUEST="true").content.decode()
    options = client.get(cite_url(lntu), {"part": "options", "q": "kitami"}, HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in form and 'name="source"' in form and 'name="passage"' in form
    assert library["vi"].title in form and library["theirs"].title not in form
    assert library["letter"].title in options and library["vi"].title not in options


def test_without_javascript_the_citation_form_is_a_page(client, users, lntu, library):
    client.force_login(users["editor"])

    html = client.get(cite_url(lntu)).content.decode()

    assert "<html" in html and lntu.name in html and 'name="source"' in html


def test_a_commitment_and_its_agreement_show_their_own_citations(client, users, tenants, lntu, library):
    # given
    editor = users["editor"]
    agreement = make_agreement(
        editor, "Teacher exchange with Liaoning", [tenants["qn"], lntu], commitments=["staff_exchange"]
    )
    commitment = agreement.commitments.get()
    client.force_login(editor)

    # when
    client.post(cite_url(commitment), {"source": library["vi"].pk, "passage": "ten teachers a year"})
    client.post(cite_url(agreement), {"source": library["en"].pk, "passage": "the memorandum was signed"})

    # then
    html = client.get(agreement.get_absolute_url()).content.decode()
    card = html[html.index(f'id="commitment-{commitment.pk}"') :]
    card = card[: card.index('id="documents"')]
    assert "ten teachers a year" in card and "the memorandum was signed" not in card
    top = html[html.index('id="agreement-sources"') : html.index('id="commitments"')]
    assert "the memorandum was signed" in top and "ten teachers a year" not in top


def test_a_citation_is_removed_with_htmx_or_from_its_page(client, users, tenants, library):
    org = tenants["qn"]
    citation = Citation.objects.get(source=library["letter"])
    other = services.citation_add(acting_user=users["editor"], record=org, source=library["vi"], passage="second")
    client.force_login(users["editor"])

    fragment = client.post(reverse("sources:citation_delete", args=[citation.pk]), HTTP_HX_REQUEST="true")
    page = client.get(reverse("sources:citation_delete", args=[other.pk]))
    plain = client.post(reverse("sources:citation_delete", args=[other.pk]))

    assert fragment.status_code == 200 and "continue our cooperation" not in fragment.content.decode()
    assert "second" in fragment.content.decode()
    assert page.status_code == 200 and library["vi"].title in page.content.decode()
    assert plain.status_code == 302 and plain["Location"] == org.get_absolute_url()
    assert not Citation.objects.exists()
    assert Source.objects.filter(pk=library["letter"].pk).exists()


def test_a_viewer_reads_citations_but_is_not_offered_to_cite(client, users, tenants, library):
    client.force_login(users["viewer"])

    html = client.get(tenants["qn"].get_absolute_url()).content.decode()

    assert "continue our cooperation" in html
    assert "Cite a source" not in html and reverse("sources:citation_delete", args=[1])[:-2] not in html


def test_a_citation_of_a_source_the_user_cannot_see_is_not_shown(client, users, tenants, library):
    # given a Hải Phòng editor cites their own report on a shared partner
    shared = partner(users["editor"], "Kitami Institute of Technology")
    services.citation_add(acting_user=users["editor"], record=shared, source=library["vi"], passage="visible")
    hp_shared = partner(users["other"], "Dalian Maritime University", country="CN")
    services.citation_add(acting_user=users["other"], record=hp_shared, source=library["theirs"], passage="port")

    # when
    client.force_login(users["viewer"])
    html = client.get(hp_shared.get_absolute_url()).content.decode()

    # then
    assert "Dalian Maritime University" in html
    assert library["theirs"].title not in html and "port</blockquote>" not in html


# --- the history of the cooperation ------------------------------------------------------------------


@pytest.fixture
def long_partner(users, tenants, library):
    """Liaoning, a partner since 2002: an agreement signed in 2002 that expired in 2007, one signed
    in 2025, engagements in 2010 and 2025, an action agreed at the 2025 one, a source of 2024."""
    editor, qn = users["editor"], tenants["qn"]
    lntu = partner(editor, "Liaoning Technical University", country="CN")
    old = make_agreement(editor, "Memorandum of 2002", [qn, lntu], signed_on=datetime.date(2002, 9, 5))
    agreement_services.agreement_update(
        agreement=old, acting_user=editor, data={"expires_on": datetime.date(2007, 9, 4)}
    )
    agreement_services.agreement_expire_due()
    new = make_agreement(editor, "Memorandum of 2025", [qn, lntu], signed_on=datetime.date(2025, 3, 1))
    visit = engagement_services.engagement_create(
        acting_user=editor,
        data={
            "kind": "incoming_delegation",
            "title": "Liaoning delegation in Hạ Long",
            "starts_on": datetime.date(2010, 6, 1),
        },
        organizations=[{"organization": lntu, "role": "guest"}],
    )
    session = engagement_services.engagement_create(
        acting_user=editor,
        data={"kind": "working_session", "title": "Working session in Fuxin", "starts_on": datetime.date(2025, 3, 1)},
        organizations=[{"organization": lntu, "role": "host"}],
    )
    action = engagement_services.action_create(
        acting_user=editor,
        data={"title": "Send the list of teachers", "engagement": session, "due_on": datetime.date(2025, 4, 30)},
    )
    services.citation_add(acting_user=editor, record=lntu, source=library["vi"], passage="Phụ Tân")
    return {"org": lntu, "old": old, "new": new, "visit": visit, "session": session, "action": action}


def _years(html: str) -> list[str]:
    part = html[html.index('id="timeline-years"') :]
    return re.findall(r'<details class="timeline-year[^"]*" data-year="(\d+)"', part)


def _year(card: str, year: int) -> str:
    years = card[card.index('id="timeline-years"') :]
    return years[years.index(f'data-year="{year}"') :].split("</details>", 1)[0]


def test_the_partner_page_tells_the_history_of_the_cooperation_year_by_year(client, users, long_partner, library):
    # given
    client.force_login(users["viewer"])

    # when
    html = client.get(long_partner["org"].get_absolute_url()).content.decode()

    # then the span, the first and latest contact, and the years newest first
    card = html[html.index('id="cooperation-history"') :]
    assert re.search(r'id="timeline-span">2002–2025<', card)
    assert 'id="first-contact">Sept. 5, 2002<' in card and 'id="latest-contact">April 30, 2025<' in card
    assert _years(card) == ["2025", "2024", "2010", "2007", "2002"]
    counts = dict(re.findall(r'<tr data-year="(\d+)"><th[^>]*>\d+</th><td class="text-end">(\d+)</td>', card))
    assert counts == {"2025": "3", "2024": "1", "2010": "1", "2007": "1", "2002": "1"}
    # and each year's entries in the order they happened
    year_2025 = _year(card, 2025)
    assert re.findall(r'data-kind="(\w+)"', year_2025) == ["agreement", "engagement", "action"]
    assert year_2025.index("Memorandum of 2025") < year_2025.index("Working session in Fuxin")
    assert year_2025.index("Working session in Fuxin") < year_2025.index("Send the list of teachers")
    assert "Memorandum of 2002" in _year(card, 2002) and "Signed" in _year(card, 2002)
    assert "Memorandum of 2002" in _year(card, 2007) and "Expired" in _year(card, 2007)
    assert "Liaoning delegation in Hạ Long" in _year(card, 2010)
    assert library["vi"].title in _year(card, 2024) and 'data-kind="source"' in _year(card, 2024)
    assert f'href="{long_partner["new"].get_absolute_url()}"' in year_2025


def test_the_history_leaves_out_what_the_user_may_not_see(client, users, long_partner):
    # given Hải Phòng's own agreement with the same partner
    other = users["other"]
    make_agreement(
        other,
        "Hải Phòng memorandum of 1999",
        [other.home_organization, long_partner["org"]],
        signed_on=datetime.date(1999, 1, 4),
    )

    # when
    client.force_login(users["viewer"])
    mine = client.get(long_partner["org"].get_absolute_url()).content.decode()
    client.force_login(other)
    theirs = client.get(long_partner["org"].get_absolute_url()).content.decode()

    # then
    assert "Hải Phòng memorandum of 1999" not in mine and "2002–2025" in mine
    assert "Hải Phòng memorandum of 1999" in theirs and "Memorandum of 2002" not in theirs
    assert re.search(r'id="timeline-span">1999<', theirs)


def test_a_partner_without_history_says_so(client, users, lntu):
    client.force_login(users["viewer"])

    html = client.get(lntu.get_absolute_url()).content.decode()

    assert "Nothing recorded with this partner yet." in html
