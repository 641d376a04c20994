"""Pages of funding schemes with their allocations (quotas), and of funded projects.

Views validate input and call the services; they never write. The allocation tree of a scheme
is read in a fixed number of queries whatever its depth: the allocations, their usage, and what
uses them (calls, mobilities, training courses) are each read once for the whole tree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accord.core.history import history
from accord.core.money import money
from accord.core.tabular import csv_response, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, scope_ids, user_can
from accord.core.views import FilteredListView, save_with_service
from accord.core.views import confirm_delete as _confirm_delete
from accord.funding import selectors, services
from accord.funding.filters import ProjectFilter, SchemeFilter
from accord.funding.forms import AllocationForm, OutputFormSet, PartnerFormSet, ProjectForm, SchemeForm
from accord.funding.models import (
    Allocation,
    AllocationUnit,
    FundingScheme,
    Project,
    ProjectOutput,
    ProjectPartner,
    ProjectRole,
)
from accord.partners.models import Organization

PROJECT_STATUS_COLOURS = {
    "proposed": "info",
    "running": "primary",
    "completed": "success",
    "rejected": "secondary",
    "cancelled": "secondary",
}


def _cleaned(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k not in {"loaded_at", "engagements"}}
    if "owner" in data and data["owner"] is None:
        # A blank owner keeps the current one (or, for a new record, the user's organisation).
        data.pop("owner")
    return data


def _number(value):
    """A quantity as a spreadsheet number: whole numbers without decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


@login_required
def index(request):
    return redirect("funding:scheme_list")


# --- schemes: list and export ------------------------------------------------------------------


class SchemeListView(FilteredListView):
    template_name = "funding/scheme_list.html"
    partial_template = "funding/_scheme_table.html"
    filterset_class = SchemeFilter

    def get_queryset(self):
        return selectors.scheme_list(user=self.request.user).order_by(*FundingScheme._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = user_can(user, ADD)
        context["area"] = "schemes"
        if not (self.request.htmx and not self.request.htmx.boosted):
            visible = selectors.scheme_list(user=user).values("funder_id")
            context["funders"] = Organization.objects.filter(pk__in=visible).order_by("sort_name")
        return context


SCHEME_COLUMNS = [
    "id",
    "name",
    "kind",
    "funder",
    "unit",
    "currency",
    "total",
    "starts_on",
    "ends_on",
    "owner",
]


@login_required
def scheme_export(request, fmt: str):
    queryset = _filtered(
        request, SchemeFilter, selectors.scheme_list(user=request.user).order_by(*FundingScheme._meta.ordering)
    )
    rows = (
        [
            s.pk,
            s.name,
            s.kind,
            s.funder.name,
            s.unit,
            s.currency,
            _number(s.total),
            s.starts_on,
            s.ends_on,
            s.owner.name,
        ]
        for s in queryset
    )
    if fmt == "csv":
        return csv_response("funding-schemes", SCHEME_COLUMNS, rows)
    return xlsx_response("funding-schemes", SCHEME_COLUMNS, rows, title=_("Funding schemes"))


# --- schemes: the record page with its allocation tree -------------------------------------------


@dataclass
class TreeRow:
    """One allocation of the tree as the page shows it."""

    depth: int
    allocation: Allocation
    usage: selectors.Usage
    can_change: bool = False
    can_pass_on: bool = False
    calls: list = field(default_factory=list)
    courses: list = field(default_factory=list)
    mobilities: dict = field(default_factory=dict)

    @property
    def indent(self) -> float:
        return self.depth * 1.5

    @property
    def bar_colour(self) -> str:
        if self.usage.exceeded:
            return "bg-danger"
        return "bg-warning" if self.usage.percent >= 90 else "bg-success"


def _uses(user, ids: list[int]) -> tuple[dict, dict, dict]:
    """The calls, training courses and mobilities (counted by status) the user may see, by allocation."""
    from accord.engagements.models import Engagement
    from accord.mobility.models import Call, Mobility

    calls: dict[int, list] = defaultdict(list)
    courses: dict[int, list] = defaultdict(list)
    mobilities: dict[int, dict[str, int]] = defaultdict(dict)
    for call in Call.objects.restrict(user, VIEW).filter(allocation_id__in=ids).order_by("-academic_year", "title"):
        calls[call.allocation_id].append(call)
    for course in (
        Engagement.objects.restrict(user, VIEW).filter(allocation_id__in=ids).order_by("-starts_on", "title", "id")
    ):
        courses[course.allocation_id].append(course)
    counted = (
        Mobility.objects.restrict(user, VIEW)
        .filter(allocation_id__in=ids)
        .values("allocation_id", "status")
        .annotate(n=Count("id"))
        .order_by("allocation_id", "status")
    )
    for row in counted:
        mobilities[row["allocation_id"]][row["status"]] = row["n"]
    return calls, courses, mobilities


def _tree_rows(user, scheme: FundingScheme, can_change_scheme: bool) -> list[TreeRow]:
    tree = selectors.allocation_tree(user=user, scheme=scheme)
    ids = [allocation.pk for _depth, allocation, _usage in tree]
    changeable: set[int] = set()
    if user_can(user, CHANGE) and ids:
        changeable = set(Allocation.objects.restrict(user, CHANGE).filter(pk__in=ids).values_list("pk", flat=True))
    calls, courses, mobilities = _uses(user, ids)
    scope = scope_ids(user)
    may_add = user_can(user, ADD)
    from accord.mobility.models import MobilityStatus

    labels = dict(MobilityStatus.choices)
    rows = []
    for depth, allocation, usage in tree:
        rows.append(
            TreeRow(
                depth=depth,
                allocation=allocation,
                usage=usage,
                can_change=allocation.pk in changeable,
                # The scheme's owner allocates anywhere; a recipient passes on what it was given.
                can_pass_on=may_add and (can_change_scheme or user.is_superuser or allocation.recipient_id in scope),
                calls=calls.get(allocation.pk, []),
                courses=courses.get(allocation.pk, []),
                mobilities={labels.get(k, k): n for k, n in mobilities.get(allocation.pk, {}).items()},
            )
        )
    return rows


def _quantity(value, scheme: FundingScheme) -> str:
    """A quantity in the scheme's unit: money with its currency, places and people as numbers."""
    if value is None:
        return ""
    if scheme.unit == AllocationUnit.AMOUNT and scheme.currency:
        return money(value, scheme.currency)
    return f"{_number(value)}"


@login_required
def scheme_detail(request, pk: int):
    user = request.user
    scheme = access(FundingScheme.objects.select_related("owner", "funder"), user, VIEW, pk=pk)
    can_change = user_can(user, CHANGE) and FundingScheme.objects.restrict(user, CHANGE).filter(pk=pk).exists()
    rows = _tree_rows(user, scheme, can_change)
    # The scheme's owner (and those above it) see every allocation; a recipient sees only its own
    # branch, so the figures of the whole scheme are not shown to it.
    sees_all = user.is_superuser or scheme.owner_id in scope_ids(user)
    allocated = sum((r.allocation.quantity for r in rows if r.allocation.parent_id is None), Decimal(0))
    summary = None
    if sees_all:
        summary = {
            "allocated": _quantity(allocated, scheme),
            "remaining": _quantity(scheme.total - allocated, scheme) if scheme.total is not None else "",
            "exceeded": scheme.total is not None and allocated > scheme.total,
        }
    for row in rows:
        row.figures = {
            key: _quantity(getattr(row.usage, key), scheme)
            for key in ("quantity", "passed_on", "used_here", "used", "remaining")
        }
    top_form = None
    if can_change and user_can(user, ADD):
        top_form = AllocationForm(instance=Allocation(scheme=scheme), user=user)
    return render(
        request,
        "funding/scheme_detail.html",
        {
            "scheme": scheme,
            "rows": rows,
            "summary": summary,
            "total": _quantity(scheme.total, scheme),
            "can_change": can_change,
            "can_delete": can_change and user_can(user, DELETE),
            "top_form": top_form,
            "history": history(scheme, user=request.user),
        },
    )


# --- schemes: create, edit, delete ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(FundingScheme.objects.select_related("owner", "funder"), user, CHANGE, pk=pk)
    form = SchemeForm(request.POST if request.method == "POST" else None, instance=instance, user=user)

    def write():
        if instance is None:
            return services.scheme_create(acting_user=user, data=_cleaned(form))
        return services.scheme_update(
            scheme=instance, acting_user=user, data=_cleaned(form), expected_updated_at=form.loaded_version()
        )

    if request.method == "POST" and form.is_valid():
        saved, scheme = save_with_service(form, write, mark_invalid=True)
        if saved:
            messages.success(request, _("“%(name)s” was saved.") % {"name": scheme.name})
            return redirect(scheme)
    return render(
        request,
        "funding/scheme_form.html",
        {"form": form, "scheme": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_delete(request, pk: int):
    scheme = access(FundingScheme.objects, request.user, DELETE, pk=pk)
    return _confirm_delete(
        request,
        scheme,
        cancel_url=scheme.get_absolute_url(),
        delete=lambda: services.scheme_delete(scheme=scheme, acting_user=request.user),
        done_url=reverse("funding:scheme_list"),
        label=scheme.name,
    )


# --- allocations ------------------------------------------------------------------------------------


def _room(user, scheme: FundingScheme, parent: Allocation | None) -> str:
    """What can still be allocated at this place of the tree, for the form's heading."""
    if parent is not None:
        usage = selectors.usage_for([parent]).get(parent.pk)
        return _quantity(usage.remaining, scheme) if usage else ""
    if scheme.total is None:
        return ""
    given = sum(scheme.allocations.filter(parent__isnull=True).values_list("quantity", flat=True), Decimal(0))
    return _quantity(scheme.total - given, scheme)


@login_required
@require_http_methods(["GET", "POST"])
def allocation_create(request, pk: int):
    """Allocate part of a scheme at its top, or pass on part of an allocation (``?parent=<id>``)."""
    user = request.user
    scheme = access(FundingScheme.objects.select_related("owner", "funder"), user, VIEW, pk=pk)
    parent = None
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    if parent_id:
        if not str(parent_id).isdigit():
            raise Http404
        parent = access(
            Allocation.objects.select_related("recipient", "scheme"), user, VIEW, pk=int(parent_id), scheme=scheme
        )
    # The same rule as the service: the scheme's owner anywhere, a recipient under its allocation.
    services._may_allocate(user, scheme, parent)
    form = AllocationForm(
        request.POST if request.method == "POST" else None, instance=Allocation(scheme=scheme, parent=parent), user=user
    )
    if request.method == "POST" and form.is_valid():
        saved, allocation = save_with_service(
            form,
            lambda: services.allocation_create(acting_user=user, scheme=scheme, parent=parent, data=_cleaned(form)),
            mark_invalid=True,
        )
        if saved:
            messages.success(
                request,
                _("%(quantity)s allocated to %(recipient)s.")
                % {"quantity": _quantity(allocation.quantity, scheme), "recipient": allocation.recipient},
            )
            return redirect(allocation)
    return render(
        request,
        "funding/allocation_form.html",
        {"form": form, "scheme": scheme, "parent": parent, "allocation": None, "room": _room(user, scheme, parent)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation_update(request, pk: int):
    user = request.user
    allocation = access(
        Allocation.objects.select_related("scheme", "recipient", "parent__recipient"), user, CHANGE, pk=pk
    )
    scheme, parent = allocation.scheme, allocation.parent
    form = AllocationForm(request.POST if request.method == "POST" else None, instance=allocation, user=user)
    if request.method == "POST" and form.is_valid():
        saved, updated = save_with_service(
            form,
            lambda: services.allocation_update(
                allocation=allocation, acting_user=user, data=_cleaned(form), expected_updated_at=form.loaded_version()
            ),
            mark_invalid=True,
        )
        if saved:
            messages.success(
                request, _("The allocation to %(recipient)s was saved.") % {"recipient": updated.recipient}
            )
            return redirect(updated)
    return render(
        request,
        "funding/allocation_form.html",
        {"form": form, "scheme": scheme, "parent": parent, "allocation": allocation, "room": ""},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation_delete(request, pk: int):
    allocation = access(Allocation.objects.select_related("scheme", "recipient"), request.user, DELETE, pk=pk)
    scheme_url = allocation.scheme.get_absolute_url()
    return _confirm_delete(
        request,
        allocation,
        cancel_url=allocation.get_absolute_url(),
        delete=lambda: services.allocation_delete(allocation=allocation, acting_user=request.user),
        done_url=scheme_url,
        label=str(allocation),
    )


ALLOCATION_COLUMNS = [
    "id",
    "depth",
    "parent",
    "recipient",
    "unit",
    "quantity",
    "passed_on",
    "used_here",
    "used",
    "remaining",
    "percent",
    "exceeded",
    "period",
    "note",
]


@login_required
def allocation_export(request, pk: int, fmt: str):
    """The allocations the user may see, depth-first, with their figures as numbers."""
    scheme = access(FundingScheme.objects, request.user, VIEW, pk=pk)
    tree = selectors.allocation_tree(user=request.user, scheme=scheme)
    unit = scheme.currency if scheme.unit == AllocationUnit.AMOUNT else scheme.unit
    visible = {allocation.pk for _depth, allocation, _usage in tree}
    rows = [
        [
            a.pk,
            depth,
            a.parent_id if a.parent_id in visible else None,
            a.recipient.name,
            unit,
            _number(u.quantity),
            _number(u.passed_on),
            _number(u.used_here),
            _number(u.used),
            _number(u.remaining),
            u.percent,
            u.exceeded,
            a.period,
            a.note,
        ]
        for depth, a, u in tree
    ]
    filename = f"allocations-{scheme.pk}"
    if fmt == "csv":
        return csv_response(filename, ALLOCATION_COLUMNS, rows)
    return xlsx_response(filename, ALLOCATION_COLUMNS, rows, title=_("Allocations"))


# --- projects: list and export ---------------------------------------------------------------------


def _coordinators():
    return Prefetch(
        "partners",
        queryset=ProjectPartner.objects.filter(role=ProjectRole.COORDINATOR).select_related("organization"),
        to_attr="coordinators",
    )


def _decorated(projects):
    """Give each project its budget as money, its coordinator and the colour of its status."""
    projects = list(projects)
    for project in projects:
        project.budget_display = money(project.budget, project.currency)
        coordinators = getattr(project, "coordinators", None) or []
        project.coordinator = coordinators[0].organization if coordinators else None
        project.status_colour = PROJECT_STATUS_COLOURS.get(project.status, "secondary")
    return projects


class ProjectListView(FilteredListView):
    template_name = "funding/project_list.html"
    partial_template = "funding/_project_table.html"
    filterset_class = ProjectFilter

    def get_queryset(self):
        return (
            selectors.project_list(user=self.request.user)
            .prefetch_related(_coordinators())
            .order_by(*Project._meta.ordering)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = context["page_obj"]
        page.object_list = context["object_list"] = _decorated(page.object_list)
        context["can_add"] = user_can(user, ADD)
        context["area"] = "projects"
        if not (self.request.htmx and not self.request.htmx.boosted):
            visible = selectors.project_list(user=user)
            context["funders"] = Organization.objects.filter(pk__in=visible.values("funder_id")).order_by("sort_name")
            context["partners"] = Organization.objects.filter(
                pk__in=ProjectPartner.objects.filter(project__in=visible.values("pk")).values("organization_id")
            ).order_by("sort_name")
        return context


PROJECT_COLUMNS = [
    "id",
    "acronym",
    "title",
    "status",
    "funder",
    "scheme",
    "reference",
    "coordinator",
    "partners",
    "budget",
    "currency",
    "starts_on",
    "ends_on",
    "themes",
    "outputs",
    "owner",
]


@login_required
def project_export(request, fmt: str):
    queryset = _filtered(
        request,
        ProjectFilter,
        selectors.project_list(user=request.user)
        .prefetch_related(Prefetch("partners", queryset=ProjectPartner.objects.select_related("organization")))
        .annotate(output_count=Count("outputs", distinct=True))
        .order_by(*Project._meta.ordering),
    )

    def rows():
        for p in queryset:
            partners = list(p.partners.all())
            coordinator = next((x.organization.name for x in partners if x.role == ProjectRole.COORDINATOR), "")
            yield [
                p.pk,
                p.acronym,
                p.title,
                p.status,
                p.funder.name if p.funder_id else "",
                p.scheme.name if p.scheme_id else "",
                p.reference,
                coordinator,
                "; ".join(f"{x.organization.name} ({x.role})" for x in partners),
                p.budget,
                p.currency,
                p.starts_on,
                p.ends_on,
                p.themes,
                p.output_count,
                p.owner.name,
            ]

    if fmt == "csv":
        return csv_response("projects", PROJECT_COLUMNS, rows())
    return xlsx_response("projects", PROJECT_COLUMNS, rows(), title=_("Projects"))


# --- projects: the record page -----------------------------------------------------------------------


@login_required
def project_detail(request, pk: int):
    from accord.engagements.models import Engagement

    user = request.user
    project = access(Project.objects.select_related("owner", "funder", "scheme"), user, VIEW, pk=pk)
    [project] = _decorated([project])
    partners = list(project.partners.select_related("organization").order_by("role", "id"))
    for partner in partners:
        partner.share_display = (
            money(partner.budget_share, project.currency) if project.currency else partner.budget_share
        )
    coordinator = next((p.organization for p in partners if p.role == ProjectRole.COORDINATOR), None)
    today = timezone.localdate()
    outputs = list(project.outputs.order_by(F("due_on").asc(nulls_last=True), "id"))
    for output in outputs:
        output.overdue = bool(output.due_on and output.due_on < today and not output.delivered_on)
    engagements = list(Engagement.objects.restrict(user, VIEW).filter(projects=project).order_by("-starts_on", "id"))
    # A scheme another organisation keeps is named only to those who may see it.
    scheme_visible = bool(project.scheme_id) and selectors.scheme_list(user=user).filter(pk=project.scheme_id).exists()
    can_change = user_can(user, CHANGE) and Project.objects.restrict(user, CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "funding/project_detail.html",
        {
            "project": project,
            "partners": partners,
            "coordinator": coordinator,
            "outputs": outputs,
            "engagements": engagements,
            "scheme_visible": scheme_visible,
            "can_change": can_change,
            "can_delete": can_change and user_can(user, DELETE),
            "history": history(
                project, related=[(ProjectPartner, "project"), (ProjectOutput, "project")], user=request.user
            ),
        },
    )


# --- projects: create, edit, delete ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk: int | None = None):
    """The project, its partners and its outputs on one page, saved all or nothing."""
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Project.objects.select_related("owner", "funder", "scheme"), user, CHANGE, pk=pk)
    data = request.POST if request.method == "POST" else None
    parent = instance or Project()
    form = ProjectForm(data, instance=instance, user=user)
    formsets = {
        "partners": PartnerFormSet(data, instance=parent, prefix="partners", user=user),
        "outputs": OutputFormSet(data, instance=parent, prefix="outputs"),
    }

    def write():
        rows = {key: formset.rows() for key, formset in formsets.items()}
        engagements = list(form.cleaned_data.get("engagements") or [])
        if instance is None:
            return services.project_create(acting_user=user, data=_cleaned(form), engagements=engagements, **rows)
        return services.project_update(
            project=instance,
            acting_user=user,
            data=_cleaned(form),
            engagements=engagements,
            expected_updated_at=form.loaded_version(),
            **rows,
        )

    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        saved, project = save_with_service(form, write, formsets=formsets, mark_invalid=True)
        if saved:
            messages.success(request, _("“%(name)s” was saved.") % {"name": project})
            return redirect(project)
    return render(
        request,
        "funding/project_form.html",
        {"form": form, "formsets": formsets, "project": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, pk: int):
    project = access(Project.objects, request.user, DELETE, pk=pk)
    return _confirm_delete(
        request,
        project,
        cancel_url=project.get_absolute_url(),
        delete=lambda: services.project_delete(project=project, acting_user=request.user),
        done_url=reverse("funding:project_list"),
        label=str(project),
    )
