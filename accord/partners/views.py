"""Pages of the partner directory. Views validate input and call services; they never write."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accord.agreements.views import agreements_of_organization
from accord.core.history import history
from accord.core.services import ConflictError
from accord.core.tabular import TableError, csv_response, read_table, run_import, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, access, user_can
from accord.core.text import fold
from accord.core.views import FilteredListView
from accord.engagements.selectors import partner_timeline
from accord.partners import geo, selectors, services
from accord.partners.filters import OrganizationFilter, PersonFilter, search_q
from accord.partners.forms import (
    FactFormSet,
    IdentifierFormSet,
    ImportForm,
    NameFormSet,
    OrganizationForm,
    PersonForm,
)
from accord.partners.models import Organization, OrganizationFact, OrganizationIdentifier, OrganizationName, Person
from accord.partners.tabular import (
    ORG_EXPORT_COLUMNS,
    ORG_IMPORT_COLUMNS,
    PERSON_EXPORT_COLUMNS,
    organization_importer,
    organization_rows,
    person_rows,
)


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names, the rest on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class OrganizationListView(FilteredListView):
    template_name = "partners/organization_list.html"
    partial_template = "partners/_organization_table.html"
    filterset_class = OrganizationFilter

    def get_queryset(self):
        return selectors.organization_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = user_can(self.request.user, ADD)
        return context


class PersonListView(FilteredListView):
    template_name = "partners/person_list.html"
    partial_template = "partners/_person_table.html"
    filterset_class = PersonFilter

    def get_queryset(self):
        return selectors.person_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = user_can(self.request.user, ADD)
        return context


def _year(value) -> int | None:
    """A year asked for in the address (``?year=2016``), or None for anything else."""
    return int(value) if value and value.isdigit() and len(value) == 4 else None


@login_required
def organization_detail(request, pk: int):
    try:
        org = selectors.organization_detail(user=request.user, pk=pk)
    except Organization.DoesNotExist as exc:
        raise Http404 from exc
    if org.merged_into_id and request.GET.get("merged") is None:
        messages.info(
            request, _("%(name)s was merged into %(target)s.") % {"name": org.name, "target": org.merged_into}
        )
        return redirect(org.merged_into)
    can_change = Organization.objects.restrict(request.user, CHANGE).filter(pk=org.pk).exists()
    agreements, agreements_more = agreements_of_organization(request.user, org)
    context = {
        "org": org,
        "agreements": agreements,
        "agreements_more": agreements_more,
        "timeline": partner_timeline(user=request.user, organization=org, year=_year(request.GET.get("year"))),
        "can_change": can_change,
        "can_delete": can_change and user_can(request.user, DELETE),
        "history": history(
            org,
            related=[
                (OrganizationName, "organization"),
                (OrganizationIdentifier, "organization"),
                (OrganizationFact, "organization"),
            ],
            user=request.user,
        ),
    }
    return render(request, "partners/organization_detail.html", context)


def _organization_form(request, instance: Organization | None):
    is_post = request.method == "POST"
    data = request.POST if is_post else None
    form = OrganizationForm(data, instance=instance, user=request.user)
    formsets = {
        "names": NameFormSet(data, instance=instance or Organization(), prefix="names"),
        "identifiers": IdentifierFormSet(data, instance=instance or Organization(), prefix="identifiers"),
        "facts": FactFormSet(data, instance=instance or Organization(), prefix="facts"),
    }
    return form, formsets


def _save_organization(request, form, formsets, instance):
    data = {k: v for k, v in form.cleaned_data.items() if k not in {"allow_similar", "loaded_at"}}
    if form.fields["is_home"].disabled:
        data.pop("is_home", None)
    if data.get("owner") is None:
        # A blank owner keeps the current one (or, for a new record, the user's organisation).
        data.pop("owner", None)
    rows = {key: fs.rows() for key, fs in formsets.items()}
    if instance is None:
        return services.organization_create(
            acting_user=request.user, data=data, allow_similar=form.cleaned_data.get("allow_similar", False), **rows
        )
    return services.organization_update(
        organization=instance, acting_user=request.user, data=data, expected_updated_at=form.loaded_version(), **rows
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk: int | None = None):
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Organization.objects, request.user, CHANGE, pk=pk)
    form, formsets = _organization_form(request, instance)
    similar = []
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        try:
            org = _save_organization(request, form, formsets, instance)
        except services.SimilarOrganizationsExist as exc:
            similar = exc.candidates
            form.data = form.data.copy()
            form.data["allow_similar"] = "on"
        except ConflictError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": org.name})
            return redirect(org)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "partners/organization_form.html",
        {"form": form, "formsets": formsets, "org": instance, "similar": similar},
        status=status,
    )


@login_required
def subdivision_options(request):
    """The subdivision select for the chosen country (htmx swaps it into the form)."""
    country = (request.GET.get("country") or "").upper()
    choices = [("", "—")] + (geo.subdivision_choices(country) if country else [])
    html = render_to_string("partners/_subdivision_select.html", {"choices": choices})
    return HttpResponse(html)


@login_required
@require_http_methods(["GET", "POST"])
def organization_delete(request, pk: int):
    org = access(Organization.objects, request.user, DELETE, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.organization_delete(organization=org, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": org.name})
            return redirect("partners:organization_list")
    return render(
        request, "partners/confirm_delete.html", {"object": org, "error": error}, status=400 if error else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_merge(request, pk: int):
    """Pick an organisation to merge this one into, confirm, and merge."""
    source = access(Organization.objects, request.user, CHANGE, pk=pk)
    query = request.GET.get("q", "")
    candidates = []
    error = None
    if query:
        candidates = list(
            selectors.organization_list(user=request.user, action=CHANGE)
            .filter(search_q(query))
            .exclude(pk=source.pk)[:20]
        )
    target = None
    if request.method == "POST":
        target = Organization.objects.restrict(request.user, CHANGE).filter(pk=request.POST.get("target")).first()
        if target is None:
            error = _("Choose the organisation to merge into.")
        elif request.POST.get("confirm"):
            try:
                services.organization_merge(source=source, target=target, acting_user=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(
                    request, _("%(source)s was merged into %(target)s.") % {"source": source, "target": target}
                )
                return redirect(target)
    return render(
        request,
        "partners/organization_merge.html",
        {"source": source, "candidates": candidates, "query": query, "target": target, "error": error},
        status=400 if error else 200,
    )


def _filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


@login_required
def organization_export(request, fmt: str):
    queryset = _filtered(request, OrganizationFilter, selectors.organization_list(user=request.user))
    rows = organization_rows(queryset)
    if fmt == "csv":
        return csv_response("organisations", ORG_EXPORT_COLUMNS, rows)
    return xlsx_response("organisations", ORG_EXPORT_COLUMNS, rows, title=_("Organisations"))


@login_required
def person_export(request, fmt: str):
    queryset = _filtered(request, PersonFilter, selectors.person_list(user=request.user))
    rows = person_rows(queryset)
    if fmt == "csv":
        return csv_response("people", PERSON_EXPORT_COLUMNS, rows)
    return xlsx_response("people", PERSON_EXPORT_COLUMNS, rows, title=_("People"))


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def organization_import(request):
    """Upload a table, see every bad row by number; nothing is written until all are good."""
    if not user_can(request.user, ADD):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": ORG_IMPORT_COLUMNS}
    status = 200
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stored = request.session.get("partners_import", {})
        if stored.get("token") != token:
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect("partners:organization_import")
        path = _upload_dir() / f"{token}"
        data = path.read_bytes() if path.exists() else b""
        report = _run_organization_import(request, stored["name"], data, commit=True)
        if report is not None and report.committed:
            path.unlink(missing_ok=True)
            request.session.pop("partners_import", None)
            count = len(report.created)
            messages.success(
                request,
                ngettext("%(count)s organisation was imported.", "%(count)s organisations were imported.", count)
                % {"count": count},
            )
            return redirect("partners:organization_list")
        context.update(report=report)
        status = 400
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.ACCORD_IMPORT_MAX_BYTES + 1)
        try:
            report = _run_organization_import(request, upload.name, data, commit=False)
        except TableError as exc:
            form.add_error("file", str(exc))
            status = 400
        else:
            context.update(report=report)
            if report.ok:
                token = uuid.uuid4().hex
                (_upload_dir() / token).write_bytes(data)
                request.session["partners_import"] = {"token": token, "name": upload.name}
                context["token"] = token
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "partners/organization_import.html", context, status=status)


def _run_organization_import(request, name: str, data: bytes, *, commit: bool):
    header, rows = read_table(name, data)
    importer = organization_importer(request.user)
    importer.check_header(header)
    return run_import(header, rows, importer, commit=commit)


@login_required
def person_detail(request, pk: int):
    try:
        person = selectors.person_detail(user=request.user, pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    can_change = Person.objects.restrict(request.user, CHANGE).filter(pk=person.pk).exists()
    return render(
        request,
        "partners/person_detail.html",
        {"person": person, "can_change": can_change, "history": history(person, user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int | None = None):
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Person.objects, request.user, CHANGE, pk=pk)
    initial = {}
    if instance is None and request.GET.get("affiliation"):
        initial["affiliation"] = request.GET["affiliation"]
    form = PersonForm(request.POST or None, instance=instance, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "loaded_at"}
        if data.get("owner") is None:
            data.pop("owner", None)
        try:
            with transaction.atomic():
                if instance is None:
                    person = services.person_create(acting_user=request.user, data=data)
                else:
                    person = services.person_update(
                        person=instance, acting_user=request.user, data=data, expected_updated_at=form.loaded_version()
                    )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": person})
            return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "partners/person_form.html", {"form": form, "person": instance}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request, pk: int):
    person = access(Person.objects, request.user, DELETE, pk=pk)
    if request.method == "POST":
        services.person_delete(person=person, acting_user=request.user)
        messages.success(request, _("%(name)s was deleted.") % {"name": person})
        return redirect("partners:person_list")
    return render(request, "partners/confirm_delete.html", {"object": person})


@login_required
def index(request):
    return redirect("partners:organization_list")


def organization_lookup(request):
    """Folded search used by the duplicate check while a name is typed (htmx)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    names = [request.GET.get("name", "")]
    exclude = request.GET.get("exclude", "")
    similar = (
        services.organization_similar(
            names=names, user=request.user, exclude_id=int(exclude) if exclude.isdigit() else None
        )
        if fold(names[0])
        else []
    )
    return render(request, "partners/_similar.html", {"similar": similar})
