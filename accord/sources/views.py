"""Pages of sources, stories and the citations of sources on records.

Views validate input and call the services; they never write. A source's file is served
only through ``source_file``, to the users who may see the source.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accord.core.history import history
from accord.core.tabular import csv_response, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, user_can
from accord.core.views import FilteredListView, form_errors, private_file_response, save_with_service
from accord.partners.filters import search_q
from accord.partners.languages import language_choices
from accord.sources import selectors, services
from accord.sources.filters import SourceFilter, StoryFilter
from accord.sources.forms import CitationForm, SourceDeleteForm, SourceForm, StoryForm
from accord.sources.models import Citation, Source, SourceKind, Story
from accord.sources.templatetags.citations import CITABLE_MODELS, citations_context, record_url

SOURCE_OPTIONS_LIMIT = 50


def _is_fragment(request) -> bool:
    return bool(request.htmx and not request.htmx.boosted)


@login_required
def index(request):
    return redirect("sources:source_list")


# --- lists and export --------------------------------------------------------------------------


class SourceListView(FilteredListView):
    template_name = "sources/source_list.html"
    partial_template = "sources/_source_table.html"
    filterset_class = SourceFilter

    def get_queryset(self):
        return selectors.source_list(user=self.request.user).order_by(*Source._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = user_can(self.request.user, ADD)
        if not _is_fragment(self.request):
            context.update(
                kinds=SourceKind.choices,
                languages=language_choices(),
                stories=Story.objects.restrict(self.request.user).order_by("title").only("pk", "title"),
            )
        return context


class StoryListView(FilteredListView):
    template_name = "sources/story_list.html"
    partial_template = "sources/_story_table.html"
    filterset_class = StoryFilter

    def get_queryset(self):
        user = self.request.user
        visible = Source.objects.restrict(user).order_by("language", "-published_on", "id")
        return (
            Story.objects.restrict(user)
            .select_related("owner")
            .prefetch_related(Prefetch("sources", queryset=visible))
            .order_by(*Story._meta.ordering)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = user_can(self.request.user, ADD)
        return context


EXPORT_COLUMNS = [
    "id",
    "kind",
    "title",
    "url",
    "publisher",
    "published_on",
    "language",
    "story",
    "owner",
    "citations",
    "file",
]


def export_rows(queryset):
    """One row per source, in the columns of ``EXPORT_COLUMNS``; a fixed number of queries."""
    for source in queryset.iterator(chunk_size=2000):
        yield [
            source.pk,
            source.kind,
            source.title,
            source.url,
            source.publisher,
            source.published_on,
            source.language,
            source.story.title if source.story_id else "",
            source.owner.name,
            source.citation_count,
            source.filename,
        ]


@login_required
def source_export(request, fmt: str):
    queryset = selectors.source_list(user=request.user).order_by(*Source._meta.ordering)
    filterset = SourceFilter(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    rows = export_rows(queryset)
    if fmt == "csv":
        return csv_response("sources", EXPORT_COLUMNS, rows)
    return xlsx_response("sources", EXPORT_COLUMNS, rows, title=_("Sources"))


# --- a source ----------------------------------------------------------------------------------


def _citing_records(user, citations: list[Citation]) -> tuple[list[dict], int]:
    """The records citing a source that ``user`` may open, and how many others there are.

    One query per kind of record (at most five), whatever the number of citations.
    """
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for citation in citations:
        ids_by_type[citation.content_type_id].add(citation.object_id)
    visible: dict[tuple[int, int], object] = {}
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or model._meta.label_lower not in CITABLE_MODELS:
            continue
        queryset = model.objects.restrict(user, VIEW).filter(pk__in=ids)
        if model._meta.label_lower == "agreements.commitment":
            queryset = queryset.select_related("agreement", "activity_type")
        for record in queryset:
            visible[(content_type_id, record.pk)] = record
    rows, hidden = [], 0
    for citation in citations:
        record = visible.get((citation.content_type_id, citation.object_id))
        if record is None:
            hidden += 1
            continue
        rows.append(
            {
                "citation": citation,
                "record": record,
                "kind": record._meta.verbose_name,
                "label": _record_label(record),
                "url": record_url(record),
            }
        )
    return rows, hidden


def _record_label(record) -> str:
    if record._meta.label_lower == "agreements.commitment":
        return f"{record.agreement.title} — {record}"
    return str(record)


@login_required
def source_detail(request, pk: int):
    user = request.user
    source = access(Source.objects.select_related("story", "owner"), user, VIEW, pk=pk)
    citations = list(source.citations.select_related("content_type").order_by("id"))
    citing, hidden = _citing_records(user, citations)
    versions = []
    if source.story_id:
        versions = list(
            Source.objects.restrict(user)
            .filter(story_id=source.story_id)
            .exclude(pk=source.pk)
            .order_by("language", "-published_on")
        )
    can_change = Source.objects.restrict(user, CHANGE).filter(pk=source.pk).exists()
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "citing": citing,
            "hidden_citations": hidden,
            "versions": versions,
            "can_change": can_change,
            "can_delete": can_change and user_can(user, DELETE),
            "history": history(source, user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_edit(request, pk: int | None = None):
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Source.objects, request.user, CHANGE, pk=pk)
    initial = {}
    if instance is None and request.GET.get("story"):
        initial["story"] = request.GET["story"]
    is_post = request.method == "POST"
    form = SourceForm(
        request.POST if is_post else None,
        request.FILES if is_post else None,
        instance=instance,
        initial=initial,
        user=request.user,
    )

    def write():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"loaded_at", "upload"}}
        if data.get("owner") is None:
            # A blank owner keeps the current one (or, for a new record, the user's organisation).
            data.pop("owner", None)
        if instance is None:
            return services.source_create(acting_user=request.user, data=data, upload=form.cleaned_data.get("upload"))
        return services.source_update(
            source=instance, acting_user=request.user, data=data, expected_updated_at=form.loaded_version()
        )

    if request.method == "POST" and form.is_valid():
        # The service names the stored file "file"; the form calls the upload "upload".
        saved, source = save_with_service(form, write, aliases={"file": "upload"})
        if saved:
            messages.success(request, _("“%(title)s” was saved.") % {"title": source.title})
            return redirect(source)
    return render(
        request,
        "sources/source_form.html",
        {"form": form, "source": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_delete(request, pk: int):
    """Ask before deleting; a cited source goes only with its citations, once the user confirms."""
    user = request.user
    source = access(Source.objects, user, DELETE, pk=pk)
    citations = list(source.citations.select_related("content_type").order_by("id"))
    citing, hidden = _citing_records(user, citations)
    form = SourceDeleteForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.source_delete(source=source, acting_user=user, remove_citations=form.cleaned_data["confirm"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": source.title})
            return redirect("sources:source_list")
    return render(
        request,
        "sources/source_delete.html",
        {"source": source, "citing": citing, "hidden_citations": hidden, "form": form, "error": error},
        status=400 if error else 200,
    )


@login_required
def source_file(request, pk: int):
    """The file, to the source's readers only: never served from a public media URL."""
    source = access(Source.objects, request.user, VIEW, pk=pk)
    return private_file_response(source.file, filename=source.filename)


# --- stories -----------------------------------------------------------------------------------


@login_required
def story_detail(request, pk: int):
    """The sources of a story side by side, each with its language."""
    user = request.user
    story = access(Story.objects.select_related("owner"), user, VIEW, pk=pk)
    sources = list(Source.objects.restrict(user).filter(story=story).order_by("language", "-published_on", "id"))
    can_change = Story.objects.restrict(user, CHANGE).filter(pk=story.pk).exists()
    return render(
        request,
        "sources/story_detail.html",
        {"story": story, "sources": sources, "can_change": can_change, "history": history(story, user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_edit(request, pk: int | None = None):
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Story.objects, request.user, CHANGE, pk=pk)
    form = StoryForm(request.POST if request.method == "POST" else None, instance=instance, user=request.user)

    def write():
        data = form.cleaned_data
        if instance is None:
            return services.story_create(
                acting_user=request.user,
                title=data["title"],
                summary=data["summary"],
                owner=data.get("owner"),
                sources=list(data["sources"]),
            )
        return services.story_update(
            story=instance,
            acting_user=request.user,
            data={"title": data["title"], "summary": data["summary"], "owner": data.get("owner")},
            sources=list(data["sources"]),
            expected_updated_at=form.loaded_version(),
        )

    if request.method == "POST" and form.is_valid():
        saved, story = save_with_service(form, write)
        if saved:
            messages.success(request, _("“%(title)s” was saved.") % {"title": story.title})
            return redirect(story)
    return render(
        request,
        "sources/story_form.html",
        {"form": form, "story": instance},
        status=400 if request.method == "POST" else 200,
    )


# --- citations ---------------------------------------------------------------------------------


def _citable_record(request, model: str, pk: int):
    """The record named by ``model`` (app_label.model_name, from the allow-list) and ``pk`` that
    the user may change: 404 when they may not see it, 403 when they may only read it."""
    if model not in CITABLE_MODELS:
        raise Http404
    model_class = apps.get_model(model)
    return access(model_class.objects, request.user, CHANGE, pk=pk)


def _source_options(user, query: str, selected: str = ""):
    sources = Source.objects.restrict(user).order_by("-published_on", "-id")
    if query:
        sources = sources.filter(search_q(query))
    options = list(sources.only("pk", "title", "publisher", "published_on", "language")[:SOURCE_OPTIONS_LIMIT])
    if selected.isdigit() and all(str(s.pk) != selected for s in options):
        options += list(Source.objects.restrict(user).filter(pk=selected))
    return options


@login_required
@require_http_methods(["GET", "POST"])
def citation_add(request, model: str, pk: int):
    """Cite a source on a record. With htmx, the form and the refreshed citations are fragments."""
    user = request.user
    record = _citable_record(request, model, pk)
    if request.method == "GET" and request.GET.get("part") == "options":
        options = _source_options(user, request.GET.get("q", ""))
        return render(request, "sources/_source_options.html", {"options": options})
    form = CitationForm(request.POST if request.method == "POST" else None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.citation_add(
                    acting_user=user,
                    record=record,
                    source=form.cleaned_data["source"],
                    passage=form.cleaned_data["passage"].strip(),
                    note=form.cleaned_data["note"].strip(),
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                if _is_fragment(request):
                    return render(
                        request, "sources/_citations.html", citations_context(request, record, can_change=True)
                    )
                messages.success(request, _("The source was cited."))
                return redirect(record_url(record))
        status = 400
    form.options = _source_options(user, request.GET.get("q", ""), request.POST.get("source", ""))
    context = citations_context(request, record, can_change=True, form=form)
    if _is_fragment(request):
        template = "sources/_citations.html" if request.method == "POST" else "sources/_citation_form.html"
        return render(request, template, context, status=status)
    context["record_label"] = _record_label(record)
    context["record_link"] = record_url(record)
    return render(request, "sources/citation_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def citation_delete(request, pk: int):
    user = request.user
    citation = access(Citation.objects.select_related("source", "content_type"), user, VIEW, pk=pk)
    model = citation.content_type.model_class()
    if model is None or model._meta.label_lower not in CITABLE_MODELS:
        raise Http404
    record = access(model.objects, user, CHANGE, pk=citation.object_id)
    if request.method == "POST":
        services.citation_delete(citation=citation, acting_user=user)
        if _is_fragment(request):
            return render(request, "sources/_citations.html", citations_context(request, record, can_change=True))
        messages.success(request, _("The citation was removed."))
        return redirect(record_url(record))
    return render(
        request,
        "sources/citation_delete.html",
        {"citation": citation, "record_label": _record_label(record), "record_link": record_url(record)},
    )
