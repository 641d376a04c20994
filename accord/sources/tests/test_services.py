"""Citing sources on records, and what happens to citations when a source or a record goes.

Quảng Ninh DoET keeps the article about the QUI delegation at LNTU and cites it on the
records it supports; Hải Phòng DoET keeps its own article, which Quảng Ninh cannot see.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.agreements import services as agreement_services
from accord.agreements.models import ActivityType
from accord.engagements import services as engagement_services
from accord.partners import services as partner_services
from accord.partners.models import Organization
from accord.sources import services
from accord.sources.models import Citation, Source
from accord.sources.selectors import citations_for

D = datetime.date


@pytest.fixture
def lntu(users):
    return partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN", "subdivision": "CN-LN"},
    )


@pytest.fixture
def records(users, tenants, lntu):
    """One record of each kind that can cite a source, all kept by Quảng Ninh DoET."""
    editor = users["editor"]
    agreement = agreement_services.agreement_create(
        acting_user=editor,
        data={"kind": "mou", "title": "MoU on strategic cooperation"},
        parties=[{"organization": tenants["qn"]}, {"organization": lntu}],
        commitments=[
            {
                "activity_type": ActivityType.objects.get(code="student_exchange"),
                "description": "Annual student exchange",
                "direction": "both",
            }
        ],
    )
    engagement = engagement_services.engagement_create(
        acting_user=editor,
        data={"kind": "working_session", "title": "Working session at LNTU", "starts_on": D(2025, 11, 3)},
        organizations=[{"organization": lntu, "role": "host"}],
    )
    action = engagement_services.action_create(
        acting_user=editor, data={"title": "Prepare the summer programme", "engagement": engagement}
    )
    return {
        "organization": lntu,
        "agreement": agreement,
        "commitment": agreement.commitments.get(),
        "engagement": engagement,
        "action": action,
    }


@pytest.fixture
def article(users):
    return services.source_create(
        acting_user=users["editor"],
        data={
            "title": "QUI delegation visits LNTU",
            "url": "https://example.org/qui-lntu",
            "publisher": "Quang Ninh University of Industry",
            "published_on": D(2025, 12, 3),
            "language": "en",
        },
    )


@pytest.fixture
def their_article(users):
    return services.source_create(
        acting_user=users["other"],
        data={"title": "Hải Phòng and Naju", "url": "https://example.org/hp-naju", "language": "en"},
    )


def _citation_count() -> int:
    return Citation.objects.count()


@pytest.mark.parametrize("kind", ["organization", "agreement", "commitment", "engagement", "action"])
def test_a_source_can_be_cited_on_each_kind_of_record(records, article, users, kind):
    # given
    record = records[kind]

    # when
    citation = services.citation_add(
        acting_user=users["editor"], record=record, source=article, passage="", note="Reports the 2025 visit"
    )

    # then
    assert citations_for(user=users["viewer"], record=record) == [citation]
    assert [c.note for c in record.citations.all()] == ["Reports the 2025 visit"]
    assert citation.record == record
    assert Citation.history.model.objects.get(id=citation.pk).history_user == users["editor"]


def test_the_same_passage_cannot_be_cited_twice_but_another_can(records, article, users):
    # given
    engagement = records["engagement"]
    services.citation_add(acting_user=users["editor"], record=engagement, source=article, passage="On November 3")

    # when
    with pytest.raises(ValidationError):
        services.citation_add(acting_user=users["editor"], record=engagement, source=article, passage="On November 3")
    services.citation_add(acting_user=users["editor"], record=engagement, source=article, passage="On November 2")

    # then
    assert sorted(c.passage for c in engagement.citations.all()) == ["On November 2", "On November 3"]


def test_a_source_the_user_cannot_see_is_refused(records, their_article, users):
    # when
    with pytest.raises(ValidationError) as caught:
        services.citation_add(acting_user=users["editor"], record=records["engagement"], source=their_article)

    # then
    assert "source" in caught.value.message_dict
    assert _citation_count() == 0


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_a_viewer_or_another_tenant_cannot_cite_on_a_record(records, article, their_article, users, role):
    # given
    source = their_article if role == "other" else article

    # when
    with pytest.raises(PermissionDenied):
        services.citation_add(acting_user=users[role], record=records["engagement"], source=source)

    # then
    assert _citation_count() == 0


def test_the_citations_of_a_source_another_tenant_cannot_see_are_hidden_from_them(records, article, users):
    # given
    lntu = records["organization"]
    services.citation_add(acting_user=users["editor"], record=lntu, source=article)

    # when
    theirs = citations_for(user=users["other"], record=lntu)

    # then
    assert theirs == []
    assert len(citations_for(user=users["viewer"], record=lntu)) == 1


def test_deleting_a_cited_source_without_confirmation_is_refused(records, article, users):
    # given
    services.citation_add(acting_user=users["editor"], record=records["engagement"], source=article)

    # when
    with pytest.raises(ValidationError) as caught:
        services.source_delete(source=article, acting_user=users["editor"])

    # then
    assert caught.value.code == "cited"
    assert "cited by 1 record" in caught.value.messages[0]
    assert Source.objects.filter(pk=article.pk).exists()
    assert _citation_count() == 1


def test_deleting_a_cited_source_with_confirmation_removes_its_citations_only(records, article, users):
    # given
    for kind in ("engagement", "agreement"):
        services.citation_add(acting_user=users["editor"], record=records[kind], source=article)

    # when
    services.source_delete(source=article, acting_user=users["manager"], remove_citations=True)

    # then
    assert not Source.objects.filter(pk=article.pk).exists()
    assert _citation_count() == 0
    records["engagement"].refresh_from_db()
    records["agreement"].refresh_from_db()
    deleted = Citation.history.model.objects.filter(history_type="-")
    assert {h.history_user for h in deleted} == {users["manager"]}
    assert deleted.count() == 2


def test_a_source_nobody_cites_is_deleted_at_once(article, users):
    # when
    services.source_delete(source=article, acting_user=users["editor"])

    # then
    assert not Source.objects.exists()


def test_another_tenant_cannot_delete_a_source(article, users):
    # when
    with pytest.raises(PermissionDenied):
        services.source_delete(source=article, acting_user=users["other"], remove_citations=True)

    # then
    assert Source.objects.filter(pk=article.pk).exists()


def test_deleting_a_cited_engagement_takes_its_citations_and_those_of_its_actions(records, article, users):
    # given
    services.citation_add(acting_user=users["editor"], record=records["engagement"], source=article)
    services.citation_add(acting_user=users["editor"], record=records["action"], source=article)
    kept = services.citation_add(acting_user=users["editor"], record=records["organization"], source=article)

    # when
    engagement_services.engagement_delete(engagement=records["engagement"], acting_user=users["editor"])

    # then
    assert list(Citation.objects.all()) == [kept]
    assert Source.objects.filter(pk=article.pk).exists()
    # The source is cited by one record now: deleting it asks for confirmation for that one only.
    with pytest.raises(ValidationError) as caught:
        services.source_delete(source=article, acting_user=users["editor"])
    assert "cited by 1 record" in caught.value.messages[0]


def test_deleting_a_cited_draft_agreement_takes_its_citations_and_those_of_its_commitments(records, article, users):
    # given
    services.citation_add(acting_user=users["editor"], record=records["agreement"], source=article)
    services.citation_add(acting_user=users["editor"], record=records["commitment"], source=article)

    # when
    agreement_services.agreement_delete(agreement=records["agreement"], acting_user=users["editor"])

    # then
    assert _citation_count() == 0
    assert Source.objects.filter(pk=article.pk).exists()


def test_removing_a_cited_commitment_from_an_agreement_takes_its_citation(records, article, users):
    # given
    commitment = records["commitment"]
    services.citation_add(acting_user=users["editor"], record=commitment, source=article)

    # when
    agreement_services.agreement_update(
        agreement=records["agreement"],
        acting_user=users["editor"],
        data={},
        commitments=[{"id": commitment.pk, "DELETE": True}],
    )

    # then
    assert _citation_count() == 0


def test_deleting_a_cited_organisation_takes_its_citations(users, article):
    # given
    duplicate = partner_services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Liaoning Tech. Univ.", "country": "CN"}
    )
    services.citation_add(acting_user=users["editor"], record=duplicate, source=article)

    # when
    partner_services.organization_delete(organization=duplicate, acting_user=users["editor"])

    # then
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    assert _citation_count() == 0


def test_merging_organisations_moves_their_citations_to_the_one_kept(records, article, users):
    # given
    lntu = records["organization"]
    duplicate = partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "university", "name": "Liaoning University of Engineering and Technology", "country": "CN"},
        allow_similar=True,
    )
    services.citation_add(acting_user=users["editor"], record=duplicate, source=article, note="Named so in the article")

    # when
    partner_services.organization_merge(source=duplicate, target=lntu, acting_user=users["editor"])

    # then
    assert [c.note for c in citations_for(user=users["viewer"], record=lntu)] == ["Named so in the article"]
    assert citations_for(user=users["viewer"], record=duplicate) == []


def test_citations_can_be_removed_only_by_who_may_change_the_record(records, article, users):
    # given
    citation = services.citation_add(acting_user=users["editor"], record=records["engagement"], source=article)

    # when
    with pytest.raises(PermissionDenied):
        services.citation_delete(citation=citation, acting_user=users["viewer"])
    services.citation_delete(citation=citation, acting_user=users["editor"])

    # then
    assert _citation_count() == 0
    assert Source.objects.filter(pk=article.pk).exists()


def test_a_source_needs_an_address_a_text_or_a_file(users):
    # when
    with pytest.raises(ValidationError) as caught:
        services.source_create(acting_user=users["editor"], data={"title": "A rumour"})

    # then
    assert "url" in caught.value.message_dict
    assert not Source.objects.exists()


def test_a_story_gathers_the_versions_of_an_article(users):
    # given
    versions = [
        services.source_create(
            acting_user=users["editor"],
            data={"title": title, "url": "https://baoquangninh.vn/article.html", "language": language},
        )
        for title, language in [("International integration", "en"), ("Intégration internationale", "fr")]
    ]

    # when
    story = services.story_create(acting_user=users["editor"], title="International integration", sources=versions)

    # then
    assert {s.language for s in story.sources.all()} == {"en", "fr"}
    assert story.owner == users["editor"].home_organization
