"""What a user does in the browser: sign in, switch language, search, create, export.

Each test drives Debian's Chromium against the live server (see accord/conftest.py) and
asserts what the user sees on the page; the database is read only to confirm what was saved.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import expect

from accord.accounts.models import User
from accord.partners import services
from accord.partners.models import Organization

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-only"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def sign_in(page, live_server, user) -> None:
    """Start the page signed in as ``user`` (the login form itself is tested once, below)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def sign_in_through_form(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def open_organisations(page, live_server) -> None:
    page.goto(live_server.url + "/partners/organisations/")
    expect(page.locator("#organization-table")).to_be_visible()


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def make_organisation(user, name: str, **data) -> Organization:
    data = {"name": name, "kind": "university", **data}
    names = data.pop("names", None)
    return services.organization_create(acting_user=user, data=data, names=names, allow_similar=True)


def test_static_files_are_served_and_applied(page, live_server, editor):
    # Given a signed-in user
    sign_in(page, live_server, editor)
    statuses = {}
    page.on("response", lambda response: statuses.__setitem__(response.url, response.status))

    # When the home page opens
    page.goto(live_server.url + "/")

    # Then every stylesheet and script came from /static/ with 200, and they took effect
    assets = [url for url in statuses if "/static/" in url]
    assert any(url.endswith("bootstrap.min.css") for url in assets)
    assert any(url.endswith("htmx.min.js") for url in assets)
    assert any(url.endswith("accord.js") for url in assets)
    assert {url: statuses[url] for url in assets} == {url: 200 for url in assets}
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    navbar_colour = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_colour not in {"rgba(0, 0, 0, 0)", "transparent"}


def test_sign_in_through_the_form_lands_on_home(page, live_server, users, tenants):
    # Given the sign-in page
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # When a user signs in with user name and password
    page.get_by_label("Username").fill("qn-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Then the home page of their organisation greets them
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("h1")).to_have_text(f"International cooperation of {tenants['qn'].name}")
    expect(page.locator("nav")).to_contain_text("qn-editor")


def test_wrong_password_keeps_the_user_on_the_sign_in_page(page, live_server, users):
    page.goto(live_server.url + "/accounts/login/")

    page.get_by_label("Username").fill("qn-editor")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".alert-danger")).to_have_text("The user name or password is wrong.")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_language_choice_is_kept_by_the_user_across_sessions(page, live_server, editor):
    # Given a user signed in, reading the interface in English
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/partners/organisations/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # When they choose Tiếng Việt in the navbar's language selector
    with page.expect_navigation():
        page.locator("#language-form select[name=language]").select_option("vi")

    # Then the page they were on is shown in Vietnamese, and the choice is saved on the user
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(re.compile(r"/partners/organisations/$"))
    assert User.objects.get(pk=editor.pk).language == "vi"
    heading = translated("vi", "Organisations")
    if heading != "Organisations":  # the Vietnamese catalogue is being filled
        expect(page.locator("h1")).to_have_text(heading)

    # When they sign out, and sign in again from a browser that forgot every cookie
    page.get_by_role("button", name=editor.username).click()
    page.locator("form[action$='/accounts/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_in_through_form(page, live_server, editor.username)

    # Then the interface is Vietnamese again, because the user keeps the choice
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#language-form select[name=language]")).to_have_value("vi")


def test_search_updates_the_list_in_place_and_opens_the_organisation(page, live_server, editor, tenants):
    # Given the organisation list with every home organisation in it
    sign_in(page, live_server, editor)
    open_organisations(page, live_server)
    table = page.locator("#organization-table")
    expect(table).to_contain_text(tenants["hp"].name)
    page.evaluate("window.sameDocument = true")

    # When the user types a query without its diacritics
    page.get_by_role("searchbox", name="Search").fill("quang ninh")

    # Then htmx swaps the table in place and records the query in the address bar
    expect(page).to_have_url(re.compile(r"/partners/organisations/\?(.*&)?q=quang(\+|%20)ninh(&|$)"))
    expect(page.locator("#result-count")).to_have_text("2 organisations")
    expect(table).not_to_contain_text(tenants["hp"].name)
    expect(table).not_to_contain_text(tenants["hlu"].name)
    expect(table).to_contain_text(tenants["qui"].name)
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded instead of updated"

    # When they open the Quảng Ninh Department of Education and Training
    # (its name is also in the "Part of" column of the university it oversees)
    table.locator("tbody td:first-child").get_by_role("link", name=tenants["qn"].name).click()

    # Then its page shows its name
    expect(page).to_have_url(re.compile(rf"/partners/organisations/{tenants['qn'].pk}/$"))
    expect(page.locator("h1")).to_contain_text(tenants["qn"].name)


def test_create_an_organisation_with_names_in_other_languages(page, live_server, editor):
    # Given the "New organisation" form
    sign_in(page, live_server, editor)
    open_organisations(page, live_server)
    page.get_by_role("link", name="New organisation").click()
    expect(page.locator("h1")).to_have_text("New organisation")

    # When the user fills it in: main name, a Vietnamese and a Japanese name and an abbreviation
    page.locator("#id_name").fill("Osaka University of Education")
    page.locator("#id_name_language").select_option("en")
    page.locator("#id_kind").select_option("university")
    page.locator("#id_city").fill("Kashiwara")
    page.locator("#id_names-0-name").fill("Trường Đại học Giáo dục Osaka")
    page.locator("#id_names-0-language").select_option("vi")
    page.locator("#id_names-1-name").fill("大阪教育大学")
    page.locator("#id_names-1-language").select_option("ja")
    page.locator("[data-formset-add=names]").click()
    expect(page.locator("#id_names-TOTAL_FORMS")).to_have_value("3")
    page.locator("#id_names-2-name").fill("OKU")
    page.locator("#id_names-2-language").select_option("en")
    page.locator("#id_names-2-kind").select_option("abbreviation")

    # …chooses Japan, and then Osaka among the subdivisions htmx loads for Japan
    subdivision = page.locator("#id_subdivision")
    expect(subdivision.locator("option[value='JP-27']")).to_have_count(0)
    page.locator("#id_country").select_option("JP")
    expect(subdivision.locator("option[value='JP-27']")).to_have_count(1)
    expect(subdivision.locator("option[value='VN-13']")).to_have_count(0)
    subdivision.select_option("JP-27")
    page.locator("#save").click()

    # Then its page shows every name, Osaka and Japan
    expect(page.locator("h1")).to_have_text("Osaka University of Education")
    expect(page.locator(".alert-success")).to_contain_text("Osaka University of Education was saved.")
    names = page.locator("#names")
    expect(names.locator("td[lang=vi]")).to_have_text("Trường Đại học Giáo dục Osaka")
    expect(names.locator("td[lang=ja]")).to_have_text("大阪教育大学")
    expect(names).to_contain_text("OKU")
    expect(page.locator("main")).to_contain_text("Osaka · Japan")

    # And the list has it, found also by its Vietnamese name
    open_organisations(page, live_server)
    row = page.locator("#organization-table tr", has_text="Osaka University of Education")
    expect(row).to_contain_text("Japan")
    expect(row).to_contain_text("大阪教育大学")
    page.get_by_role("searchbox", name="Search").fill("giao duc osaka")
    expect(page.locator("#result-count")).to_have_text("1 organisation")


def test_export_the_list_to_xlsx(page, live_server, editor, tmp_path):
    # Given an organisation with a Japanese name in the directory
    org = make_organisation(
        editor,
        "Osaka University of Education",
        country="JP",
        subdivision="JP-27",
        names=[{"name": "大阪教育大学", "language": "ja", "kind": "official"}],
    )
    sign_in(page, live_server, editor)
    open_organisations(page, live_server)

    # When the user clicks "Export XLSX"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value

    # Then the file opens in a spreadsheet program with the organisation's row
    assert download.suggested_filename == "organisations.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    by_name = {row[header.index("name")]: row for row in rows[1:]}
    assert org.name in by_name
    row = by_name[org.name]
    assert row[header.index("country")] == "JP"
    assert row[header.index("subdivision")] == "JP-27"
    assert "大阪教育大学" in row[header.index("other_names")]


def test_near_duplicate_is_flagged_and_can_be_created_anyway(page, live_server, editor):
    # Given "Liaoning Technical University" in the directory
    existing = make_organisation(editor, "Liaoning Technical University", country="CN")
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/partners/organisations/new/")

    # When the user creates "Liaoning University of Engineering and Technology"
    page.locator("#id_name").fill("Liaoning University of Engineering and Technology")
    page.locator("#id_kind").select_option("university")
    page.locator("#id_country").select_option("CN")
    page.locator("#save").click()

    # Then the form warns about the existing one, with a link to it, and creates nothing yet
    warning = page.locator("#similar-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("An organisation with a close name already exists.")
    link = warning.get_by_role("link", name="Liaoning Technical University")
    expect(link).to_have_attribute("href", existing.get_absolute_url())
    assert not Organization.objects.filter(name="Liaoning University of Engineering and Technology").exists()

    # When they confirm it is a different organisation
    page.get_by_role("button", name="Create it anyway").click()

    # Then it is created and its page opens
    expect(page.locator("h1")).to_have_text("Liaoning University of Engineering and Technology")
    expect(page.locator(".alert-success")).to_contain_text("was saved.")
    open_organisations(page, live_server)
    expect(page.locator("#organization-table")).to_contain_text("Liaoning University of Engineering and Technology")
    expect(page.locator("#organization-table")).to_contain_text("Liaoning Technical University")


@pytest.mark.skipif(
    not os.environ.get("ACCORD_SCREENSHOTS"), reason="set ACCORD_SCREENSHOTS=1 to rewrite docs/screenshots"
)
def test_screenshots_of_home_and_organisation_list(page, live_server, transactional_db, settings, tmp_path):
    # Given the demo data of the seed articles, seen by an editor of Quảng Ninh DoET
    import io

    from accord.accounts.models import User
    from accord.partners.demo import load_demo

    load_demo(stdout=io.StringIO())
    editor = User.objects.get(username="qn-editor")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, editor)

    # When the home page and the organisation list are shown at 1280×800
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_contain_text(editor.home_organization.name)
    page.screenshot(path=SCREENSHOTS / "home.png", full_page=True)
    open_organisations(page, live_server)
    expect(page.locator("#organization-table")).to_contain_text("Liaoning Technical University")
    page.screenshot(path=SCREENSHOTS / "organisations.png", full_page=True)

    # Then both pictures are written
    assert (SCREENSHOTS / "home.png").stat().st_size > 10_000
    assert (SCREENSHOTS / "organisations.png").stat().st_size > 10_000
