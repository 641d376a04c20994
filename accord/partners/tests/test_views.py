"""The organisation and people pages as a user works with them: sort, filter, page, edit."""

import re

from django.urls import reverse

from accord.partners import services
from accord.partners.models import Organization

LIST = reverse("partners:organization_list")


def _names_in_table(html: str) -> list[str]:
    table = html[html.index('id="organization-table"') :]
    return re.findall(r'<tr>\s*<td><a href="/partners/organisations/\d+/">([^<]+)</a>', table)


def make(user, name, **data):
    return services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, **data}, allow_similar=True
    )


def test_names_sort_as_a_reader_expects_whatever_their_diacritics(client, users, tenants):
    editor = users["editor"]
    for name in [
        "Zhejiang University",
        "Đại học Đà Lạt",
        "Quang Trung University",
        "Quảng Bình University",
        "Osaka University",
    ]:
        make(editor, name)
    client.force_login(editor)

    names = _names_in_table(client.get(LIST, {"kind": "university", "o": "name"}).content.decode())

    assert names.index("Đại học Đà Lạt") < names.index("Osaka University")
    assert (
        names.index("Quảng Bình University")
        < names.index("Quang Trung University")
        < names.index("Zhejiang University")
    )
    reverse_names = _names_in_table(client.get(LIST, {"kind": "university", "o": "-name"}).content.decode())
    assert reverse_names == list(reversed(names))


def test_filter_by_subdivision_and_home_flag(client, users, tenants):
    make(users["editor"], "Hạ Long Bay School", kind="school", country="VN", subdivision="VN-13")
    make(users["editor"], "Lạng Sơn College", kind="college", country="VN", subdivision="VN-09")
    client.force_login(users["viewer"])

    by_subdivision = _names_in_table(client.get(LIST, {"subdivision": "vn-13", "is_home": "false"}).content.decode())
    homes = _names_in_table(client.get(LIST, {"is_home": "true"}).content.decode())

    assert by_subdivision == ["Hạ Long Bay School"]
    assert set(homes) == {t.name for t in tenants.values()}


def test_htmx_gets_only_the_table_and_pages_keep_the_filters(client, users, tenants):
    for number in range(30):
        make(users["editor"], f"Partner school {number:02d}", kind="school")
    client.force_login(users["viewer"])

    partial = client.get(LIST, {"kind": "school", "page": 2}, HTTP_HX_REQUEST="true").content.decode()
    full = client.get(LIST, {"kind": "school"}).content.decode()

    assert "<html" not in partial and "<html" in full
    assert "Page 2 of 2" in partial
    assert len(_names_in_table(partial)) == 5
    assert 'hx-get="?kind=school&page=1"' in partial


def test_an_invalid_field_is_named_and_nothing_is_saved(client, users, tenants):
    client.force_login(users["editor"])
    before = Organization.objects.count()
    data = {
        "name": "",
        "kind": "university",
        "country": "VN",
        "subdivision": "CN-GX",
        "website": "not a url",
        "shared": "on",
        **{
            f"{p}-{k}": v
            for p in ("names", "identifiers", "facts")
            for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }

    response = client.post(reverse("partners:organization_create"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page
    assert "Enter a valid URL." in page
    assert Organization.objects.count() == before


def test_a_subdivision_of_another_country_is_refused_at_the_field(client, users, tenants):
    client.force_login(users["editor"])
    data = {
        "name": "Somewhere College",
        "kind": "college",
        "country": "CN",
        "subdivision": "VN-13",
        "shared": "on",
        **{
            f"{p}-{k}": v
            for p in ("names", "identifiers", "facts")
            for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }

    response = client.post(reverse("partners:organization_create"), data)

    assert response.status_code == 400
    assert not Organization.objects.filter(name="Somewhere College").exists()


def test_concurrent_edit_is_detected_and_not_overwritten(client, users, tenants):
    org = make(users["editor"], "Kitami Institute of Technology", country="JP")
    client.force_login(users["editor"])
    form_page = client.get(reverse("partners:organization_update", args=[org.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', form_page).group(1)
    # Someone else saves first.
    services.organization_update(organization=org, acting_user=users["admin"], data={"city": "Kitami"})

    response = client.post(
        reverse("partners:organization_update", args=[org.pk]),
        {
            "name": "Kitami Institute of Technology",
            "kind": "university",
            "country": "JP",
            "city": "Somewhere else",
            "shared": "on",
            "loaded_at": loaded_at,
            **{
                f"{p}-{k}": v
                for p in ("names", "identifiers", "facts")
                for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
            },
        },
    )

    org.refresh_from_db()
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert org.city == "Kitami"


def test_a_blank_owner_on_edit_keeps_the_current_owner(client, users, tenants):
    org = make(users["editor"], "Asahikawa University", owner=tenants["hlu"])
    client.force_login(users["editor"])

    response = client.post(
        reverse("partners:organization_update", args=[org.pk]),
        {
            "name": "Asahikawa University",
            "kind": "university",
            "owner": "",
            "shared": "on",
            **{
                f"{p}-{k}": v
                for p in ("names", "identifiers", "facts")
                for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
            },
        },
    )

    org.refresh_from_db()
    assert response.status_code == 302
    assert org.owner == tenants["hlu"]
