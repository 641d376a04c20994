"""The global search: the page, the header's suggestions (an htmx fragment) and the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from accord.core import search as global_search
from accord.core.tenancy import scope_ids


def _context(request, limit: int) -> dict:
    query = global_search.clean_query(request.GET.get("q"))
    groups = global_search.search(request.user, query, limit=limit)
    return {
        "query": query,
        "search_query": query,
        "searchable": global_search.searchable(query),
        "min_length": global_search.MIN_LENGTH,
        "groups": groups,
        "total": sum(group.total for group in groups),
        "page_url": global_search.page_url(query),
    }


@login_required
def search_page(request):
    """Every kind's matches, ``PAGE_LIMIT`` each, with a link to the kind's list for the rest."""
    return render(request, "core/search.html", _context(request, global_search.PAGE_LIMIT))


@login_required
def search_suggest(request):
    """The suggestions under the header's search box, a few per kind."""
    return render(request, "core/_search_suggestions.html", _context(request, global_search.SUGGEST_LIMIT))


PICK_LIMIT = 20
HOMES = "homes"


def pick_message(query: str | None, total: int) -> str:
    """What the picker's status line says after a search."""
    if not global_search.searchable(query):
        count = global_search.MIN_LENGTH
        return ngettext("Type at least %(counter)s letter.", "Type at least %(counter)s letters.", count) % {
            "counter": count
        }
    if total > PICK_LIMIT:
        return str(
            _("%(shown)s of %(total)s matches shown; type more to narrow them.") % {"shown": PICK_LIMIT, "total": total}
        )
    return ngettext("%(count)s match.", "%(count)s matches.", total) % {"count": total}


@login_required
def pick(request, kind: str):
    """The records of ``kind`` matching ``?q=`` that the user may see, for a picker (JSON).

    ``{"results": [{"id", "label", "detail"}], "total": N}``: at most ``PICK_LIMIT`` rows, the
    best matches first (see accord.core.search); fewer than two letters find nothing.
    """
    narrow = None
    if kind == HOMES:  # the home organisations a user may give records to
        kind = "organizations"
        narrow = Q(is_home=True) if request.user.is_superuser else Q(is_home=True, pk__in=scope_ids(request.user))
    if kind not in {k.key for k in global_search.KINDS}:
        raise Http404(_("There is nothing to pick of this kind."))
    groups = global_search.search(request.user, request.GET.get("q"), limit=PICK_LIMIT, kinds=[kind], narrow=narrow)
    group = groups[0] if groups else None
    return JsonResponse(
        {
            "results": [
                {"id": result.pk, "label": result.title, "detail": result.subtitle}
                for result in (group.results if group else [])
            ],
            "total": group.total if group else 0,
            "message": pick_message(request.GET.get("q"), group.total if group else 0),
        }
    )


# --- API -----------------------------------------------------------------------------------------


class SearchResultSerializer(serializers.Serializer):
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text=_("The record's page."))


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(kind.key, kind.label) for kind in global_search.KINDS])
    label = serializers.CharField()
    total = serializers.IntegerField(help_text=_("How many records of this kind match, shown or not."))
    more_url = serializers.CharField(allow_null=True, help_text=_("The list of this kind filtered by the query."))
    results = SearchResultSerializer(many=True)


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    groups = SearchGroupSerializer(many=True)


class SearchParametersSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)
    limit = serializers.IntegerField(
        required=False, default=global_search.SUGGEST_LIMIT, min_value=1, max_value=global_search.MAX_LIMIT
    )
    kind = serializers.MultipleChoiceField(
        required=False, choices=[(kind.key, kind.label) for kind in global_search.KINDS]
    )


class SearchViewSet(viewsets.GenericViewSet):
    """Search organisations (by any of their names), people, agreements, engagements, projects, plans
    and sources at once, ignoring case and accents; only the records the user may see.

    Queries shorter than two letters find nothing.
    """

    serializer_class = SearchSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("The words to find.")),
            OpenApiParameter("limit", int, description=_("Results per kind, from 1 to 50 (5 if not given).")),
            OpenApiParameter(
                "kind",
                str,
                many=True,
                enum=[kind.key for kind in global_search.KINDS],
                description=_("Only these kinds."),
            ),
        ],
        responses={200: SearchSerializer},
    )
    def list(self, request):
        data = {"q": request.query_params.get("q", ""), "limit": request.query_params.get("limit")}
        if data["limit"] in (None, ""):
            data.pop("limit")
        kinds = request.query_params.getlist("kind")
        if kinds:
            data["kind"] = kinds
        parameters = SearchParametersSerializer(data=data)
        parameters.is_valid(raise_exception=True)
        values = parameters.validated_data
        query = global_search.clean_query(values["q"])
        groups = global_search.search(
            request.user, query, limit=values["limit"], kinds=list(values["kind"]) if values.get("kind") else None
        )
        return Response(SearchSerializer({"query": query, "groups": groups}).data)
