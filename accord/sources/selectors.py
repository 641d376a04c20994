"""Reads of sources and the citations shown on records."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from accord.core.tenancy import VIEW
from accord.sources.models import Citation, Source, Story


def source_list(*, user, action: str = VIEW) -> QuerySet[Source]:
    return (
        Source.objects.restrict(user, action)
        .select_related("story", "owner")
        .annotate(citation_count=Count("citations"))
    )


def story_list(*, user) -> QuerySet[Story]:
    return Story.objects.restrict(user, VIEW).select_related("owner").prefetch_related("sources")


def citations_for(*, user, record) -> list[Citation]:
    """The citations on ``record`` whose sources the user may see (one query)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return list(
        Citation.objects.filter(
            content_type=content_type, object_id=record.pk, source__in=Source.objects.restrict(user, VIEW)
        )
        .select_related("source")
        .order_by("id")
    )


def citations_for_records(*, user, records) -> dict[tuple[type, int], list[Citation]]:
    """The visible citations of many records at once, keyed by (model, pk): one query for a
    page that shows many records (an agreement and its commitments)."""
    records = [r for r in records if r is not None and r.pk is not None]
    found: dict[tuple[type, int], list[Citation]] = {(type(r), r.pk): [] for r in records}
    if not records:
        return found
    by_type: dict[ContentType, list[int]] = {}
    models = {}
    for record in records:
        content_type = ContentType.objects.get_for_model(type(record))
        by_type.setdefault(content_type, []).append(record.pk)
        models[content_type.pk] = type(record)
    condition = Q()
    for content_type, ids in by_type.items():
        condition |= Q(content_type=content_type, object_id__in=ids)
    for citation in (
        Citation.objects.filter(condition, source__in=Source.objects.restrict(user, VIEW))
        .select_related("source")
        .order_by("id")
    ):
        found[(models[citation.content_type_id], citation.object_id)].append(citation)
    return found
