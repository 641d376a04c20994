"""Organisation services: create, near duplicates, merge, concurrent edits, delete, history."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.core.history import history
from accord.core.services import ConflictError
from accord.partners import selectors, services
from accord.partners.filters import search_q
from accord.partners.models import (
    Organization,
    OrganizationFact,
    OrganizationIdentifier,
    OrganizationName,
    Person,
)

CHILDREN = [
    (OrganizationName, "organization"),
    (OrganizationIdentifier, "organization"),
    (OrganizationFact, "organization"),
]


def _search(user, query: str) -> set[str]:
    return set(selectors.organization_list(user=user).filter(search_q(query)).values_list("name", flat=True))


def _lntu(user):
    return services.organization_create(
        acting_user=user,
        data={
            "kind": "university",
            "name": "Liaoning Technical University",
            "name_language": "en",
            "country": "CN",
            "subdivision": "CN-LN",
        },
        names=[
            {"name": "辽宁工程技术大学", "language": "zh-Hans", "kind": "official"},
            {"name": "LNTU", "language": "en", "kind": "abbreviation"},
        ],
    )


# --- create ---------------------------------------------------------------------------------


def test_create_with_names_makes_every_name_searchable(editor):
    org = services.organization_create(
        acting_user=editor,
        data={
            "kind": "college",
            "name": "Quang Ninh Teachers' Training College",
            "country": "VN",
            "subdivision": "VN-13",
        },
        names=[
            {"name": "Trường Đại học Hạ Long", "language": "vi", "kind": "former"},
            {"name": "UHL", "language": "en", "kind": "abbreviation"},
        ],
        identifiers=[{"scheme": "national", "value": "HLU-0042"}],
        # "Trường Đại học Hạ Long" is close to the home organisation Ha Long University.
        allow_similar=True,
    )

    assert "truong dai hoc ha long" in org.search_text
    assert org.name in _search(editor, "dai hoc")
    assert org.name in _search(editor, "ĐẠI HỌC hạ long")
    assert org.name in _search(editor, "uhl")
    assert org.name in _search(editor, "hlu-0042")
    assert org.owner == editor.home_organization
    assert org.names.count() == 2


def test_create_with_a_bad_child_row_writes_nothing(editor):
    before = Organization.objects.count(), OrganizationName.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.organization_create(
            acting_user=editor,
            data={"kind": "university", "name": "Kyoto University", "country": "JP"},
            names=[{"name": "京都大学", "language": "ja"}, {"name": "", "language": "en"}],
        )

    assert "names" in caught.value.message_dict
    assert any("Row 2" in m for m in caught.value.message_dict["names"])
    assert (Organization.objects.count(), OrganizationName.objects.count()) == before


def test_a_viewer_cannot_create(users):
    with pytest.raises(PermissionDenied):
        services.organization_create(
            acting_user=users["viewer"], data={"kind": "school", "name": "Trường THPT Hòn Gai"}
        )

    assert not Organization.objects.filter(name="Trường THPT Hòn Gai").exists()


# --- near duplicates ------------------------------------------------------------------------


def test_a_close_name_is_refused_with_the_existing_organisation(editor):
    lntu = _lntu(editor)

    with pytest.raises(services.SimilarOrganizationsExist) as caught:
        services.organization_create(
            acting_user=editor, data={"kind": "university", "name": "Liaoning University of Engineering and Technology"}
        )

    assert [c.organization for c in caught.value.candidates] == [lntu]
    assert "Liaoning Technical University" in caught.value.messages[0]
    assert not Organization.objects.filter(name="Liaoning University of Engineering and Technology").exists()


def test_a_close_other_name_is_detected_too(editor):
    lntu = _lntu(editor)

    similar = services.organization_similar(names=["辽宁工程技术大学"], user=editor)

    assert [c.organization for c in similar] == [lntu]


def test_names_sharing_only_generic_words_are_not_similar(editor):
    services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Hanoi University", "country": "VN"}
    )

    similar = services.organization_similar(names=["Osaka University"], user=editor)
    created = services.organization_create(acting_user=editor, data={"kind": "university", "name": "Osaka University"})

    assert similar == []
    assert created.pk


def test_allow_similar_creates_the_near_duplicate(editor):
    _lntu(editor)

    org = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Liaoning University of Engineering and Technology"},
        allow_similar=True,
    )

    assert Organization.objects.filter(pk=org.pk).exists()


# --- merge ----------------------------------------------------------------------------------


@pytest.fixture
def duplicates(users):
    """The same university entered twice, with units, people, identifiers and facts on each."""
    editor = users["editor"]
    target = _lntu(editor)
    source = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Liaoning Univ. of Engineering & Technology", "country": "CN"},
        names=[
            {"name": "LNTU", "language": "en", "kind": "abbreviation"},  # the target has it already
            {"name": "Liaoning Gongcheng Jishu Daxue", "language": "und-Latn", "kind": "alias"},
        ],
        identifiers=[{"scheme": "pic", "value": "999888777"}],
        facts=[{"metric": "students", "year": 2024, "value": 30000, "source": "lntu.edu.cn"}],
        allow_similar=True,
    )
    unit = services.organization_create(
        acting_user=editor,
        data={"kind": "other", "name": "School of Foreign Languages (LNTU)", "parent": source},
        allow_similar=True,
    )
    person = services.person_create(acting_user=editor, data={"name": "Zhang Wei", "affiliation": source})
    return {"source": source, "target": target, "unit": unit, "person": person}


def test_merge_moves_names_identifiers_facts_units_and_people(editor, duplicates):
    source, target = duplicates["source"], duplicates["target"]

    services.organization_merge(source=source, target=target, acting_user=editor)

    target.refresh_from_db()
    source.refresh_from_db()
    names = {(n.name, n.kind) for n in target.names.all()}
    assert ("Liaoning Univ. of Engineering & Technology", "alias") in names
    assert ("Liaoning Gongcheng Jishu Daxue", "alias") in names
    assert [n for n, _kind in names].count("LNTU") == 1
    assert list(target.identifiers.values_list("value", flat=True)) == ["999888777"]
    assert target.facts.get().value == 30000
    assert list(target.units.all()) == [duplicates["unit"]]
    assert Person.objects.get(pk=duplicates["person"].pk).affiliation == target
    assert source.merged_into == target
    assert not source.names.exists() and not source.identifiers.exists() and not source.facts.exists()
    assert "liaoning gongcheng jishu daxue" in target.search_text


def test_merged_organisation_leaves_the_list_and_its_name_finds_the_target(editor, duplicates):
    source, target = duplicates["source"], duplicates["target"]

    services.organization_merge(source=source, target=target, acting_user=editor)

    found = _search(editor, "univ of engineering")
    assert found == {"Liaoning Technical University"}


def test_merged_organisation_page_redirects_to_the_target(editor_client, editor, duplicates):
    source, target = duplicates["source"], duplicates["target"]
    services.organization_merge(source=source, target=target, acting_user=editor)

    response = editor_client.get(source.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()


def test_merge_keeps_the_history_of_both(users, duplicates):
    source, target = duplicates["source"], duplicates["target"]

    services.organization_merge(source=source, target=target, acting_user=users["manager"])

    source_history = history(source, related=CHILDREN)
    target_history = history(target, related=CHILDREN)
    assert source_history[-1].action == "created" and source_history[-1].user == users["editor"]
    merged = [e for e in source_history if any(c.field == "merged into" for c in e.changes)]
    assert merged and merged[0].user == users["manager"]
    assert {c.after for c in merged[0].changes if c.field == "merged into"} == {"Liaoning Technical University"}
    assert any(e.action == "created" and e.label == "Liaoning Technical University" for e in target_history)
    assert any(
        e.label == "Liaoning Univ. of Engineering & Technology" and e.user == users["manager"] for e in target_history
    )


def test_merging_a_home_organisation_is_refused(editor, tenants, users):
    admin = users["admin"]
    target = services.organization_create(
        acting_user=admin, data={"kind": "university", "name": "Ha Long University (old record)"}, allow_similar=True
    )

    with pytest.raises(ValidationError):
        services.organization_merge(source=tenants["hlu"], target=target, acting_user=admin)

    tenants["hlu"].refresh_from_db()
    assert tenants["hlu"].merged_into is None
    assert not target.names.exists()


def test_merging_into_itself_or_into_its_own_unit_is_refused(editor, duplicates):
    source, unit = duplicates["source"], duplicates["unit"]

    with pytest.raises(ValidationError):
        services.organization_merge(source=source, target=source, acting_user=editor)
    with pytest.raises(ValidationError):
        services.organization_merge(source=source, target=unit, acting_user=editor)

    source.refresh_from_db()
    assert source.merged_into is None


def test_merging_an_organisation_of_another_tenant_is_refused(users, duplicates):
    with pytest.raises(PermissionDenied):
        services.organization_merge(
            source=duplicates["source"], target=duplicates["target"], acting_user=users["other"]
        )

    assert Organization.objects.get(pk=duplicates["source"].pk).merged_into is None


# --- concurrent edits -----------------------------------------------------------------------


def test_update_with_a_stale_version_raises_conflict_and_changes_nothing(editor, users):
    org = _lntu(editor)
    seen = org.updated_at
    services.organization_update(organization=org, acting_user=users["manager"], data={"city": "Fuxin"})

    with pytest.raises(ConflictError):
        services.organization_update(
            organization=org,
            acting_user=editor,
            data={"city": "Huludao"},
            names=[{"name": "Liaoning Polytechnic", "language": "en", "kind": "former"}],
            expected_updated_at=seen,
        )

    org.refresh_from_db()
    assert org.city == "Fuxin"
    assert not org.names.filter(name="Liaoning Polytechnic").exists()


def test_update_with_the_current_version_succeeds(editor):
    org = _lntu(editor)
    org.refresh_from_db()

    services.organization_update(
        organization=org, acting_user=editor, data={"city": "Fuxin"}, expected_updated_at=org.updated_at
    )

    org.refresh_from_db()
    assert org.city == "Fuxin"


def test_update_version_check_is_not_fooled_by_an_older_timestamp(editor):
    org = _lntu(editor)
    org.refresh_from_db()

    with pytest.raises(ConflictError):
        services.organization_update(
            organization=org,
            acting_user=editor,
            data={"city": "Fuxin"},
            expected_updated_at=org.updated_at - timedelta(seconds=5),
        )


def test_update_with_a_bad_subdivision_changes_nothing(editor):
    org = _lntu(editor)

    with pytest.raises(ValidationError) as caught:
        services.organization_update(
            organization=org, acting_user=editor, data={"subdivision": "VN-13", "city": "Fuxin"}
        )

    assert "subdivision" in caught.value.message_dict
    org.refresh_from_db()
    assert (org.subdivision, org.city) == ("CN-LN", "")


# --- delete ---------------------------------------------------------------------------------


def test_delete_is_refused_while_people_are_affiliated(editor):
    org = _lntu(editor)
    services.person_create(acting_user=editor, data={"name": "Li Na", "affiliation": org})

    with pytest.raises(ValidationError) as caught:
        services.organization_delete(organization=org, acting_user=editor)

    assert "people" in caught.value.messages[0]
    assert Organization.objects.filter(pk=org.pk).exists()
    assert org.names.count() == 2


def test_delete_removes_the_organisation_and_its_child_rows(editor):
    org = _lntu(editor)
    pk = org.pk

    services.organization_delete(organization=org, acting_user=editor)

    assert not Organization.objects.filter(pk=pk).exists()
    assert not OrganizationName.objects.filter(organization_id=pk).exists()
    deleted = [e for e in history(Organization(pk=pk), related=CHILDREN) if e.action == "deleted"]
    assert {e.label for e in deleted} == {"Liaoning Technical University", "辽宁工程技术大学", "LNTU"}
    assert all(e.user == editor for e in deleted)


def test_delete_by_another_tenant_is_refused(users):
    org = _lntu(users["editor"])

    with pytest.raises(PermissionDenied):
        services.organization_delete(organization=org, acting_user=users["other"])

    assert Organization.objects.filter(pk=org.pk).exists()


# --- history --------------------------------------------------------------------------------


def test_history_shows_who_changed_which_field_from_what_to_what(users):
    org = _lntu(users["editor"])
    services.organization_update(
        organization=org,
        acting_user=users["manager"],
        data={"city": "Fuxin", "kind": "college"},
        names=[{"name": "Fuxin Mining Institute", "language": "en", "kind": "former"}],
    )
    services.organization_update(organization=org, acting_user=users["editor"], data={"city": "Huludao"})

    entries = history(org, related=CHILDREN)

    changes = [
        (e.user, e.kind, c.field, c.before, c.after) for e in entries if e.action == "changed" for c in e.changes
    ]
    assert (users["editor"], "organisation", "city", "Fuxin", "Huludao") in changes
    assert (users["manager"], "organisation", "city", "", "Fuxin") in changes
    assert (users["manager"], "organisation", "kind", "University", "College") in changes
    added = [e for e in entries if e.kind == "name" and e.label == "Fuxin Mining Institute"]
    assert [(e.action, e.user) for e in added] == [("created", users["manager"])]
    assert entries[0].user == users["editor"]


def test_links_to_another_tenants_private_organisation_are_refused(users, tenants):
    from django.core.exceptions import ValidationError as DjangoValidationError

    from accord.partners.models import Organization, Person

    hidden = Organization.objects.create(kind="company", name="Private of Hai Phong", owner=tenants["hp"], shared=False)
    before = (Organization.objects.count(), Person.objects.count())

    with pytest.raises(DjangoValidationError) as unit_error:
        services.organization_create(
            acting_user=users["editor"], data={"kind": "other", "name": "A unit", "parent": hidden}
        )
    with pytest.raises(DjangoValidationError) as person_error:
        services.person_create(acting_user=users["editor"], data={"name": "Someone", "affiliation": hidden})

    assert "parent" in unit_error.value.message_dict
    assert "affiliation" in person_error.value.message_dict
    assert (Organization.objects.count(), Person.objects.count()) == before
