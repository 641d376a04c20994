"""Writes to sources, stories and citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.files import read_document
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW
from accord.core.text import fold
from accord.sources.models import Citation, Source, Story

SOURCE_FIELDS = ["kind", "title", "url", "publisher", "published_on", "language", "text", "story", "owner"]


_require_row = core.require_row


_check_owner = core.check_owner


def _apply(source: Source, data: Mapping[str, Any]) -> None:
    for field in SOURCE_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field not in {"published_on", "story", "owner"}:
                value = ""
            setattr(source, field, value)


def _refresh(source: Source) -> None:
    text = " | ".join(fold(p) for p in [source.title, source.publisher, source.url, source.text[:5000]] if p)
    Source.objects.filter(pk=source.pk).update(search_text=text)
    source.search_text = text


@transaction.atomic
def source_create(*, acting_user, data: Mapping[str, Any], upload=None) -> Source:
    core.require(acting_user, ADD)
    source = Source()
    _apply(source, data)
    if source.owner_id is None:
        source.owner = acting_user.home_organization
    _check_owner(acting_user, source.owner)
    if source.story_id and not Story.objects.restrict(acting_user).filter(pk=source.story_id).exists():
        raise ValidationError({"story": [_("Choose a story you can see.")]})
    if not (source.url or source.text or upload):
        raise ValidationError({"url": [_("Give the address, the text or a file of the source.")]})
    if upload is not None:
        data, _content_type = read_document(upload)
        source.filename = (upload.name or "source").rsplit("/", 1)[-1][:255]
        source.file.save(source.filename, ContentFile(data), save=False)
    core.save(source, acting_user, exclude=["file"])
    _refresh(source)
    return source


@transaction.atomic
def source_update(*, source: Source, acting_user, data: Mapping[str, Any], expected_updated_at=None) -> Source:
    _require_row(acting_user, source, CHANGE)
    source = Source.objects.select_for_update().get(pk=source.pk)
    core.check_version(source, expected_updated_at)
    _apply(source, data)
    if "owner" in data:
        _check_owner(acting_user, source.owner)
    core.save(source, acting_user, exclude=["file"])
    _refresh(source)
    return source


@transaction.atomic
def source_delete(*, source: Source, acting_user, remove_citations: bool = False) -> None:
    """Delete a source. A cited source is deleted only when the user confirmed that its
    citations go too, so no record is ever left citing nothing."""
    _require_row(acting_user, source, DELETE)
    citations = list(source.citations.all())
    if citations and not remove_citations:
        raise ValidationError(
            _("This source is cited by %(count)s record(s); confirm to remove those citations too.")
            % {"count": len(citations)},
            code="cited",
        )
    for citation in citations:
        core.delete(citation, acting_user)
    core.delete(source, acting_user)


@transaction.atomic
def story_create(*, acting_user, title: str, summary: str = "", owner=None, sources=()) -> Story:
    core.require(acting_user, ADD)
    owner = owner or acting_user.home_organization
    _check_owner(acting_user, owner)
    story = core.save(Story(title=title, summary=summary, owner=owner), acting_user)
    for source in sources:
        _require_row(acting_user, source, CHANGE)
        source.story = story
        core.save(source, acting_user, validate=False)
    return story


@transaction.atomic
def citation_add(*, acting_user, record, source: Source, passage: str = "", note: str = "") -> Citation:
    """Cite ``source`` on ``record``: the user must be able to change the record and see the source."""
    model = type(record)
    core.require(acting_user, CHANGE)
    if not model.objects.restrict(acting_user, CHANGE).filter(pk=record.pk).exists():
        raise PermissionDenied(_("You cannot change this record."))
    if not Source.objects.restrict(acting_user, VIEW).filter(pk=source.pk).exists():
        raise ValidationError({"source": [_("Choose a source you can see.")]})
    content_type = ContentType.objects.get_for_model(model)
    if Citation.objects.filter(source=source, content_type=content_type, object_id=record.pk, passage=passage).exists():
        raise ValidationError({"source": [_("This record already cites this passage.")]})
    citation = Citation(source=source, content_type=content_type, object_id=record.pk, passage=passage, note=note)
    return core.save(citation, acting_user)


@transaction.atomic
def citation_delete(*, citation: Citation, acting_user) -> None:
    model = citation.content_type.model_class()
    core.require(acting_user, CHANGE)
    if not model.objects.restrict(acting_user, CHANGE).filter(pk=citation.object_id).exists():
        raise PermissionDenied(_("You cannot change this record."))
    core.delete(citation, acting_user)


@transaction.atomic
def story_update(
    *, story: Story, acting_user, data: Mapping[str, Any], sources=None, expected_updated_at=None
) -> Story:
    """Change a story; with ``sources``, make them the versions of the story the user may change.

    Sources the user may not change keep their place in the story: nobody unlinks what they
    cannot edit.
    """
    _require_row(acting_user, story, CHANGE)
    story = Story.objects.select_for_update().get(pk=story.pk)
    core.check_version(story, expected_updated_at)
    for field in ("title", "summary", "owner"):
        if field in data and (field != "owner" or data[field] is not None):
            setattr(story, field, data[field] if data[field] is not None else "")
    if "owner" in data and data["owner"] is not None:
        _check_owner(acting_user, story.owner)
    core.save(story, acting_user)
    if sources is not None:
        wanted = {source.pk: source for source in sources}
        changeable = Source.objects.restrict(acting_user, CHANGE)
        refused = set(wanted) - set(changeable.filter(pk__in=wanted).values_list("pk", flat=True))
        if refused:
            raise ValidationError({"sources": [_("Choose sources you may change.")]})
        for source in changeable.filter(story=story).exclude(pk__in=wanted):
            source.story = None
            core.save(source, acting_user, validate=False)
        for source in Source.objects.filter(pk__in=wanted).exclude(story=story):
            source.story = story
            core.save(source, acting_user, validate=False)
    return story
