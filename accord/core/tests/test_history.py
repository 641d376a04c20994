"""Every change is recorded with who, when, and the values before and after."""

from accord.core.history import history
from accord.partners import services
from accord.partners.models import OrganizationName


def test_history_shows_who_changed_which_field_from_what_to_what(users, tenants):
    editor = users["editor"]
    org = services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Kitami Institute of Technology", "country": "JP"}
    )
    services.organization_update(
        organization=org, acting_user=users["admin"], data={"city": "Kitami", "subdivision": "JP-01"}
    )

    entries = history(org)

    latest, created = entries[0], entries[-1]
    assert latest.user == users["admin"] and latest.action == "changed"
    assert {(c.field, c.before, c.after) for c in latest.changes} >= {
        ("city", "", "Kitami"),
        ("subdivision", "", "JP-01"),
    }
    assert created.user == editor and created.action == "created"
    assert ("name", "", "Kitami Institute of Technology") in {(c.field, c.before, c.after) for c in created.changes}


def test_history_includes_child_rows_and_deletions(users, tenants):
    editor = users["editor"]
    org = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Osaka University", "country": "JP"},
        names=[{"name": "大阪大学", "language": "ja", "kind": "official"}],
    )
    name = org.names.get()
    services.organization_update(organization=org, acting_user=editor, data={}, names=[{"id": name.pk, "DELETE": True}])

    entries = history(org, related=[(OrganizationName, "organization")])

    actions = [(e.kind, e.label, e.action) for e in entries]
    assert ("name", "大阪大学", "deleted") in actions
    assert ("name", "大阪大学", "created") in actions


def test_history_names_related_records_and_choices_in_words(users, tenants):
    org = services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Center X", "parent": tenants["qui"]}
    )

    created = history(org)[-1]
    changes = {c.field: c.after for c in created.changes}

    assert changes["part of"] == tenants["qui"].name
    assert changes["kind"] == "University"
    assert changes["shared in the directory"] == "yes"


def test_history_page_section_is_on_the_record_page(client, users, tenants):
    client.force_login(users["viewer"])
    org = services.organization_create(
        acting_user=users["editor"], data={"kind": "school", "name": "Trường THPT Hòn Gai"}
    )

    page = client.get(org.get_absolute_url()).content.decode()

    assert 'id="history"' in page
    assert users["editor"].username in page
