"""Reads of sources and the citations shown on records."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet

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
