"""Views shared by all areas: the home page, the health check and the generic list view, and
the helpers every area's views use to call a service and to ask before deleting."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accord.core.services import ConflictError
from accord.core.tenancy import VIEW, scope_ids


def private_file_response(field_file, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Serve an uploaded file as an attachment, after the caller has checked the reader's rights.

    Uploads never have a public URL; a missing file is a 404.
    """
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def healthz(request):
    """Machine-readable state: is the database reachable and fully migrated?"""
    state = {"status": "ok", "database": {"vendor": connection.vendor, "reachable": False}}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        state["database"]["reachable"] = True
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        state["database"]["pending_migrations"] = len(pending)
        if pending:
            state["status"] = "degraded"
    except Exception as exc:  # noqa: BLE001 - any failure of the database is what we report
        state["status"] = "error"
        state["database"]["error"] = exc.__class__.__name__
        return JsonResponse(state, status=503)
    return JsonResponse(state)


@login_required
def home(request):
    from accord.partners.models import Organization, Person

    user = request.user
    organizations = Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True)
    context = {
        "organization_count": organizations.count(),
        "home_count": organizations.filter(is_home=True, id__in=scope_ids(user)).count()
        if not user.is_superuser
        else organizations.filter(is_home=True).count(),
        "person_count": Person.objects.restrict(user, VIEW).count(),
        "recent": organizations.order_by("-updated_at").select_related("owner")[:8],
    }
    return render(request, "core/home.html", context)


class FilteredListView(LoginRequiredMixin, TemplateView):
    """A list with one filterset (shared with the API), sorting, pagination and htmx.

    Subclasses name ``filterset_class``, ``template_name`` (the page) and
    ``partial_template`` (the table, which htmx swaps in place when filters change).
    """

    filterset_class = None
    partial_template: str = ""
    paginate_by = 25

    def get_queryset(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset_class(self.request.GET or None, queryset=self.get_queryset(), request=self.request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        paginator = Paginator(queryset, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filterset=filterset, page_obj=page, object_list=page.object_list, querystring=query.urlencode())
        return context

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted and self.partial_template:
            return [self.partial_template]
        return [self.template_name]


def form_errors(form, exc: ValidationError, *, formsets=None, aliases=None, mark_invalid: bool = False) -> None:
    """Put a service's ``ValidationError`` where it belongs.

    An error naming a field of the form goes on that field (``aliases`` maps the service's name
    of a field to the form's, e.g. ``{"file": "upload"}``); one naming a key of ``formsets`` goes
    on that formset's own errors; every other error goes above the form. With ``mark_invalid``,
    the widgets of the fields found wrong get Bootstrap's ``is-invalid`` class, for forms whose
    widgets got their classes before the service spoke.
    """
    formsets = formsets or {}
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            key = aliases.get(key, key)
            if key in formsets:
                formsets[key].non_form_errors().extend(errors)
            else:
                form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    if mark_invalid:
        for name in form.errors:
            if name in form.fields:
                attrs = form.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


def save_with_service(form, call, *, formsets=None, aliases=None, mark_invalid: bool = False) -> tuple[bool, Any]:
    """Run ``call()``, a service's write, for a valid ``form``.

    Returns ``(True, what call() returned)``; or, when the service refuses, ``(False, None)``
    with its reasons on the form: a ``ConflictError`` (the record changed since it was loaded)
    and a ``PermissionDenied`` above the form, any other ``ValidationError`` where
    ``form_errors`` puts it (with ``formsets``, ``aliases`` and ``mark_invalid``). The caller
    renders the form again, with a 400, when it gets ``False``.
    """
    try:
        result = call()
    except ConflictError as exc:
        form.add_error(None, exc.messages)
    except ValidationError as exc:
        form_errors(form, exc, formsets=formsets, aliases=aliases, mark_invalid=mark_invalid)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    else:
        return True, result
    return False, None


def confirm_delete(request, obj, *, cancel_url: str, delete, done_url: str, label: str, message: str | None = None):
    """Ask before deleting ``obj``, named ``label`` to the user; on POST call ``delete()``, say
    ``message`` (by default: "“label” was deleted.") and go to ``done_url``.

    A refusal from the service (``ValidationError``: the record is still in use) is shown on
    the page with a 400 and nothing is deleted.
    """
    error = None
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, message or _("“%(name)s” was deleted.") % {"name": label})
            return redirect(done_url)
    return render(
        request,
        "core/confirm_delete.html",
        {"object": obj, "label": label, "cancel_url": cancel_url, "error": error},
        status=400 if error else 200,
    )
