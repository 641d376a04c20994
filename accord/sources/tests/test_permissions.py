"""Who may reach which page of the sources, and who sees which sources, stories and citations.

The permission matrix is data: each row names a route, a method, the records it acts on and
the status every kind of user gets. A new route gets its permission tests by adding a row,
and a test fails when a route has no row.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, and ``other``, an editor of Hải Phòng DoET (another tenant).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

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
from accord.sources import services
from accord.sources.models import Citation, Source, Story
from accord.sources.tests.test_views import PDF, make_agreement, make_source, partner, rows_of


def _source_form(title: str) -> dict:
    return {"kind": "article", "title": title, "url": "https://baoquangninh.vn/hop-tac", "language": "vi"}


# What each write sends; a function of the records.
PAYLOADS = {
    "sources:source_create": lambda r: _source_form("Hợp tác giáo dục Quảng Ninh – Liêu Ninh"),
    "sources:source_update": lambda r: _source_form("Hợp tác giáo dục (bản sửa)"),
    "sources:source_delete": lambda r: {"confirm": "on"},
    "sources:story_create": lambda r: {"title": "The Fuxin exchange"},
    "sources:story_update": lambda r: {"title": "The Fuxin exchange, 2024", "sources": [r["source"].pk]},
    "sources:citation_add": lambda r: {"source": r["source"].pk, "passage": "mười giáo viên"},
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
# A partner of the shared directory kept by Quảng Ninh: the other tenant sees it but may not
# change it, so may not cite on it either.
SHARED_CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 403)
SHARED_CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 403)

PAGE_TABLE = [
    (Url("sources:index"), "get", REDIRECT),
    (Url("sources:source_list"), "get", READ),
    (Url("sources:source_create"), "get", WRITE_PAGE),
    (Url("sources:source_create"), "post", WRITE_DONE),
    (Url("sources:source_export", ("csv",)), "get", READ),
    (Url("sources:source_export", ("xlsx",)), "get", READ),
    (Url("sources:source_detail", ("source",)), "get", READ_OWNED),
    (Url("sources:source_update", ("source",)), "get", CHANGE_PAGE),
    (Url("sources:source_update", ("source",)), "post", CHANGE_DONE),
    (Url("sources:source_delete", ("source",)), "get", CHANGE_PAGE),
    (Url("sources:source_delete", ("source",)), "post", CHANGE_DONE),
    (Url("sources:source_file", ("source",)), "get", READ_OWNED),
    (Url("sources:story_list"), "get", READ),
    (Url("sources:story_create"), "get", WRITE_PAGE),
    (Url("sources:story_create"), "post", WRITE_DONE),
    (Url("sources:story_detail", ("story",)), "get", READ_OWNED),
    (Url("sources:story_update", ("story",)), "get", CHANGE_PAGE),
    (Url("sources:story_update", ("story",)), "post", CHANGE_DONE),
    (Url("sources:citation_add", ("partners.organization", "partner")), "get", SHARED_CHANGE_PAGE),
    (Url("sources:citation_add", ("partners.organization", "partner")), "post", SHARED_CHANGE_DONE),
    (Url("sources:citation_add", ("agreements.agreement", "agreement")), "get", CHANGE_PAGE),
    (Url("sources:citation_add", ("agreements.agreement", "agreement")), "post", CHANGE_DONE),
    (Url("sources:citation_add", ("agreements.commitment", "commitment")), "post", CHANGE_DONE),
    (Url("sources:citation_delete", ("citation",)), "get", CHANGE_PAGE),
    (Url("sources:citation_delete", ("citation",)), "post", CHANGE_DONE),
]


@pytest.fixture
def records(users, tenants):
    """The records the URLs name, all kept by Quảng Ninh DoET, with a partner of the shared directory."""
    editor = users["editor"]
    lntu = partner(editor, "Liaoning Technical University", country="CN")
    agreement = make_agreement(
        editor, "Teacher exchange with Liaoning", [tenants["qn"], lntu], commitments=["staff_exchange"]
    )
    story = services.story_create(acting_user=editor, title="Quảng Ninh teachers in Fuxin")
    source = make_source(
        editor,
        "Giáo viên Quảng Ninh sang Phụ Tân",
        language="vi",
        story=story,
        upload=SimpleUploadedFile("bao.pdf", PDF),
    )
    citation = services.citation_add(acting_user=editor, record=lntu, source=source, passage="Phụ Tân")
    return {
        "partner": lntu,
        "agreement": agreement,
        "commitment": agreement.commitments.get(),
        "story": story,
        "source": source,
        "citation": citation,
    }


def _state():
    """What a write would change: every source, story and citation with its last change."""
    return (
        set(Source.objects.values_list("pk", "title", "story_id", "updated_at")),
        set(Story.objects.values_list("pk", "title", "updated_at")),
        set(Citation.objects.values_list("pk", "updated_at")),
    )


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    data = PAYLOADS[url.name](records) if method == "post" and url.name in PAYLOADS else {}
    before = _state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(_state, before, expected, method)


def test_every_route_of_the_sources_has_permission_rows():
    from accord.sources.urls import urlpatterns

    assert route_names("sources", urlpatterns) == covered_routes(PAGE_TABLE)


# --- a user never sees a source, story or citation of another tenant ------------------------------


@pytest.fixture
def two_tenants(users, tenants):
    """A source and a story of Quảng Ninh, and of Hải Phòng, each cited on its home organisation
    (which both tenants see in the shared directory)."""
    made = {}
    for key, user in (("qn", users["editor"]), ("hp", users["other"])):
        story = services.story_create(acting_user=user, title=f"Bạch Đằng story of {key}")
        source = make_source(
            user, f"Bạch Đằng report of {key}", story=story, upload=SimpleUploadedFile(f"{key}.pdf", PDF)
        )
        citation = services.citation_add(
            acting_user=user, record=user.home_organization, source=source, passage=f"passage of {key}"
        )
        made[key] = {"story": story, "source": source, "citation": citation, "home": user.home_organization}
    return made


SIDES = ["viewer", "editor", "manager", "admin", "other"]


def _mine_and_theirs(who, made):
    return (made["hp"], made["qn"]) if who == "other" else (made["qn"], made["hp"])


@pytest.mark.parametrize("who", SIDES)
def test_lists_search_exports_and_citations_show_only_the_users_own_sources(client, users, two_tenants, who):
    mine, theirs = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    pages = {
        "list": client.get(reverse("sources:source_list")).content.decode(),
        "search": client.get(reverse("sources:source_list"), {"q": "bach dang"}).content.decode(),
        "stories": client.get(reverse("sources:story_list")).content.decode(),
        "own home organisation": client.get(mine["home"].get_absolute_url()).content.decode(),
    }
    their_home = client.get(theirs["home"].get_absolute_url())
    exported = {row["title"] for row in rows_of(client.get(reverse("sources:source_export", args=["csv"])))}

    for label, html in pages.items():
        assert mine["source"].title in html or mine["story"].title in html, label
        assert theirs["source"].title not in html and theirs["story"].title not in html, label
    assert exported == {mine["source"].title}
    assert their_home.status_code == 200
    assert theirs["source"].title not in their_home.content.decode()
    assert "passage of" not in their_home.content.decode()


@pytest.mark.parametrize("who", SIDES)
def test_a_source_story_file_or_citation_of_another_tenant_is_not_found(client, users, two_tenants, who):
    mine, theirs = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    for name, pk in (
        ("source_detail", theirs["source"].pk),
        ("source_file", theirs["source"].pk),
        ("story_detail", theirs["story"].pk),
        ("citation_delete", theirs["citation"].pk),
    ):
        assert client.get(reverse(f"sources:{name}", args=[pk])).status_code == 404, name
    response = client.get(reverse("sources:source_file", args=[mine["source"].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_a_school_sees_its_own_sources_and_not_those_of_its_department(client, users, tenants, two_tenants):
    # given a source of Ha Long University, below Quảng Ninh DoET
    department = two_tenants["qn"]["source"]
    school = make_source(users["unit"], "Ha Long University summer school", publisher="HLU")

    # when the school's editor and the department's viewer look
    unit, viewer = Client(), Client()
    unit.force_login(users["unit"])
    viewer.force_login(users["viewer"])

    # then the department oversees the school, and the school sees only its own
    assert school.title in viewer.get(reverse("sources:source_list")).content.decode()
    assert viewer.get(school.get_absolute_url()).status_code == 200
    listing = unit.get(reverse("sources:source_list")).content.decode()
    assert school.title in listing and department.title not in listing
    assert unit.get(department.get_absolute_url()).status_code == 404
    # nor may the school cite the department's source on its own university
    response = unit.post(
        reverse("sources:citation_add", args=["partners.organization", tenants["hlu"].pk]), {"source": department.pk}
    )
    assert response.status_code == 400 and "Choose a source you can see." in response.content.decode()
    assert not Citation.objects.filter(object_id=tenants["hlu"].pk, source=department).exists()


def test_the_forms_offer_only_owners_stories_and_sources_of_the_users_scope(client, users, tenants, two_tenants):
    client.force_login(users["unit"])

    source_form = client.get(reverse("sources:source_create")).content.decode()
    story_form = client.get(reverse("sources:story_create")).content.decode()

    owner_select = source_form[
        source_form.index('name="owner"') : source_form.index("</select>", source_form.index('name="owner"'))
    ]
    assert tenants["hlu"].name in owner_select and tenants["qn"].name not in owner_select
    assert two_tenants["qn"]["story"].title not in source_form
    assert two_tenants["qn"]["source"].title not in story_form and two_tenants["hp"]["source"].title not in story_form
