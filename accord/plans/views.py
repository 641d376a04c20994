"""Pages of plans, their tasks and indicators, and the records linked to tasks.

Views validate input and call the services; they never write. The plan page reads its tasks,
their responsible organisations, its indicators with their actuals and its progress in a fixed
number of queries whatever their number; the lists do the same for a page of rows.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.core.history import history
from accord.core.tabular import csv_response, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, user_can
from accord.core.views import FilteredListView, form_errors, save_with_service
from accord.core.views import confirm_delete as _confirm_delete
from accord.engagements.forms import home_organizations
from accord.partners.models import Organization
from accord.plans import selectors, services
from accord.plans.filters import IndicatorFilter, PlanFilter, TaskFilter
from accord.plans.forms import IndicatorForm, LinkForm, LinkSearchForm, PlanForm, TaskForm
from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskLink, TaskStatus
from accord.sources.models import Source

STATUS_COLOURS = {
    TaskStatus.NOT_STARTED: "secondary",
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.DONE: "success",
    TaskStatus.CANCELLED: "light",
}
SEARCH_LIMIT = 20


def _cleaned(form, drop=()) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k not in {"loaded_at", *drop}}
    if "owner" in data and data["owner"] is None:
        # A blank owner keeps the current one (or, for a new plan, the user's organisation).
        data.pop("owner")
    return data


def _filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


def _number(value):
    """A figure as a spreadsheet number: whole numbers without decimals."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _can_change(user, model, pk) -> bool:
    return user_can(user, CHANGE) and model.objects.restrict(user, CHANGE).filter(pk=pk).exists()


def _decorate_tasks(tasks, today=None):
    """Give each task its overdue flag and the colour of its status."""
    today = today or timezone.localdate()
    tasks = list(tasks)
    for task in tasks:
        task.overdue = bool(
            task.deadline and task.deadline < today and task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
        )
        task.status_colour = STATUS_COLOURS.get(task.status, "secondary")
    return tasks


def _decorate_indicators(indicators, user):
    """Give each indicator its actual, percentage and whether the user may open its evidence source."""
    indicators = list(indicators)
    found = selectors.actuals(indicators)
    source_ids = {i.evidence_source_id for i in indicators if i.evidence_source_id}
    visible_sources = (
        set(Source.objects.restrict(user).filter(pk__in=source_ids).values_list("pk", flat=True))
        if source_ids
        else set()
    )
    for indicator in indicators:
        actual = found[indicator.pk]
        indicator.actual = actual.value
        indicator.computed = actual.computed
        indicator.percent = actual.percent_of(indicator.target)
        indicator.source_visible = indicator.evidence_source_id in visible_sources
    return indicators


@login_required
def index(request):
    return redirect("plans:plan_list")


# --- plans: list and export -----------------------------------------------------------------------


def _plan_years(user) -> list[int]:
    years = set()
    for start, end in selectors.plan_list(user=user).values_list("starts_on", "ends_on"):
        years.update(range(start.year, end.year + 1))
    return sorted(years, reverse=True)


class PlanListView(FilteredListView):
    template_name = "plans/plan_list.html"
    partial_template = "plans/_plan_table.html"
    filterset_class = PlanFilter

    def get_queryset(self):
        return (
            selectors.plan_list(user=self.request.user)
            .prefetch_related("tasks")
            .annotate(indicator_count=Count("indicators", distinct=True))
            .order_by(*Plan._meta.ordering)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plans = list(context["object_list"])
        for plan in plans:
            plan.progress = selectors.plan_progress(plan, plan.tasks.all())
        context["page_obj"].object_list = context["object_list"] = plans
        context["can_add"] = user_can(user, ADD)
        context["area"] = "plans"
        if not (self.request.htmx and not self.request.htmx.boosted):
            context["owners"] = home_organizations(user)
            context["years"] = _plan_years(user)
        return context


PLAN_COLUMNS = [
    "id",
    "number",
    "title",
    "owner",
    "issued_on",
    "starts_on",
    "ends_on",
    "tasks",
    "done",
    "overdue",
    "mean_progress",
    "indicators",
    "document",
    "objectives",
]


@login_required
def plan_export(request, fmt: str):
    queryset = _filtered(
        request,
        PlanFilter,
        selectors.plan_list(user=request.user)
        .prefetch_related("tasks")
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by(*Plan._meta.ordering),
    )
    visible_sources = set(Source.objects.restrict(request.user).values_list("pk", flat=True))

    def rows():
        for plan in queryset:
            progress = selectors.plan_progress(plan, plan.tasks.all())
            yield [
                plan.pk,
                plan.number,
                plan.title,
                plan.owner.name,
                plan.issued_on,
                plan.starts_on,
                plan.ends_on,
                progress.tasks,
                progress.done,
                progress.overdue,
                progress.mean_progress,
                plan.indicator_count,
                plan.document.title if plan.document_id in visible_sources else "",
                plan.objectives,
            ]

    if fmt == "csv":
        return csv_response("plans", PLAN_COLUMNS, rows())
    return xlsx_response("plans", PLAN_COLUMNS, rows(), title=_("Plans"))


# --- plans: the record page -----------------------------------------------------------------------


@login_required
def plan_detail(request, pk: int):
    user = request.user
    plan = access(Plan.objects.select_related("owner", "document"), user, VIEW, pk=pk)
    tasks = _decorate_tasks(
        plan.tasks.prefetch_related(selectors.visible_responsible(user))
        .annotate(link_count=Count("links", distinct=True))
        .order_by("position", "id")
    )
    indicators = _decorate_indicators(
        plan.indicators.select_related("plan", "task", "evidence_source").order_by("position", "id"), user
    )
    document_visible = bool(plan.document_id) and Source.objects.restrict(user).filter(pk=plan.document_id).exists()
    can_change = _can_change(user, Plan, plan.pk)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "indicators": indicators,
            "progress": selectors.plan_progress(plan, tasks),
            "document_visible": document_visible,
            "can_change": can_change,
            "can_add": can_change and user_can(user, ADD),
            "can_delete": can_change and user_can(user, DELETE),
            "history": history(plan, user=user),
        },
    )


# --- plans: create, edit, delete ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Plan.objects.select_related("owner"), user, CHANGE, pk=pk)
    form = PlanForm(request.POST if request.method == "POST" else None, instance=instance, user=user)

    def write():
        if instance is None:
            return services.plan_create(acting_user=user, data=_cleaned(form))
        return services.plan_update(
            plan=instance, acting_user=user, data=_cleaned(form), expected_updated_at=form.loaded_version()
        )

    if request.method == "POST" and form.is_valid():
        saved, plan = save_with_service(form, write, mark_invalid=True)
        if saved:
            messages.success(request, _("“%(name)s” was saved.") % {"name": plan})
            return redirect(plan)
    return render(
        request,
        "plans/plan_form.html",
        {"form": form, "plan": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_delete(request, pk: int):
    plan = access(Plan.objects, request.user, DELETE, pk=pk)
    return _confirm_delete(
        request,
        plan,
        cancel_url=plan.get_absolute_url(),
        delete=lambda: services.plan_delete(plan=plan, acting_user=request.user),
        done_url=reverse("plans:plan_list"),
        label=str(plan),
    )


# --- tasks: list and export -----------------------------------------------------------------------


class TaskListView(FilteredListView):
    template_name = "plans/task_list.html"
    partial_template = "plans/_task_table.html"
    filterset_class = TaskFilter

    def get_queryset(self):
        return (
            selectors.task_list(user=self.request.user)
            .annotate(link_count=Count("links", distinct=True))
            .order_by("plan__owner__sort_name", "-plan__starts_on", "plan_id", "position", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["page_obj"].object_list = context["object_list"] = _decorate_tasks(context["object_list"])
        context["area"] = "tasks"
        if not (self.request.htmx and not self.request.htmx.boosted):
            plans = selectors.plan_list(user=user)
            context["plans"] = plans.order_by(*Plan._meta.ordering)
            context["responsible_choices"] = (
                Organization.objects.restrict(user, VIEW)
                .filter(plan_tasks__plan__in=plans.values("pk"))
                .distinct()
                .order_by("sort_name")
            )
            context["status_choices"] = TaskStatus.choices
        return context


TASK_COLUMNS = [
    "id",
    "plan_id",
    "plan",
    "position",
    "title",
    "responsible",
    "deadline",
    "status",
    "progress",
    "overdue",
    "linked_records",
    "description",
]


@login_required
def task_export(request, fmt: str):
    user = request.user
    queryset = _filtered(
        request,
        TaskFilter,
        selectors.task_list(user=user)
        .annotate(link_count=Count("links", distinct=True))
        .order_by("plan__owner__sort_name", "-plan__starts_on", "plan_id", "position", "id"),
    )

    def rows():
        for task in _decorate_tasks(queryset):
            yield [
                task.pk,
                task.plan_id,
                str(task.plan),
                task.position,
                task.title,
                "; ".join(o.name for o in task.responsible.all()),
                task.deadline,
                task.status,
                task.progress,
                task.overdue,
                task.link_count,
                task.description,
            ]

    if fmt == "csv":
        return csv_response("plan-tasks", TASK_COLUMNS, rows())
    return xlsx_response("plan-tasks", TASK_COLUMNS, rows(), title=_("Tasks"))


# --- tasks: the record page with its linked records ---------------------------------------------


def _record_model(kind: str):
    if kind not in TaskLink.LINKABLE:
        return None
    return apps.get_model(kind)


def _candidates(request, task: Task, kind: str, query: str) -> list[dict]:
    """Records of ``kind`` the user may see that match ``query``, not yet linked to the task."""
    from accord.agreements.filters import AgreementFilter
    from accord.engagements.filters import EngagementFilter
    from accord.funding.filters import ProjectFilter
    from accord.mobility.filters import MobilityFilter

    model = _record_model(kind)
    if model is None:
        return []
    filtersets = {
        "engagements.engagement": EngagementFilter,
        "agreements.agreement": AgreementFilter,
        "mobility.mobility": MobilityFilter,
        "funding.project": ProjectFilter,
    }
    queryset = model.objects.restrict(request.user, VIEW).order_by(*model._meta.ordering)
    if kind == "mobility.mobility":
        queryset = queryset.select_related("partner")
    if query:
        queryset = _filtered_by(request, filtersets[kind], queryset, {"q": query})
    linked = TaskLink.objects.filter(task=task, content_type__app_label=model._meta.app_label).filter(
        content_type__model=model._meta.model_name
    )
    queryset = queryset.exclude(pk__in=linked.values("object_id"))
    return [
        {"record": record, "label": selectors.record_label(request.user, record)} for record in queryset[:SEARCH_LIMIT]
    ]


def _filtered_by(request, filterset_class, queryset, data):
    filterset = filterset_class(data, queryset=queryset, request=request)
    return filterset.qs if filterset.is_valid() else queryset.none()


def _render_task(request, pk: int, *, status: int = 200, link_form=None):
    user = request.user
    task = access(
        Task.objects.select_related("plan", "plan__owner").prefetch_related(selectors.visible_responsible(user)),
        user,
        VIEW,
        pk=pk,
    )
    [task] = _decorate_tasks([task])
    can_change = _can_change(user, Task, task.pk)
    links = [
        {
            "link": link,
            "record": record,
            "label": selectors.record_label(user, record),
            "kind": record._meta.verbose_name,
        }
        for link, record in selectors.linked_records(task, user)
    ]
    indicators = _decorate_indicators(
        task.indicators.select_related("plan", "task", "evidence_source").order_by("position", "id"), user
    )
    search = LinkSearchForm(request.GET or None)
    candidates = None
    if can_change and search.is_bound and search.is_valid() and search.cleaned_data["kind"]:
        candidates = _candidates(request, task, search.cleaned_data["kind"], search.cleaned_data["q"].strip())
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "links": links,
            "indicators": indicators,
            "can_change": can_change,
            "can_delete": can_change and user_can(user, DELETE),
            "search": search,
            "candidates": candidates,
            "search_kind": search.cleaned_data.get("kind", "") if search.is_bound and search.is_valid() else "",
            "link_form": link_form,
            "history": history(task, related=[(TaskLink, "task")], user=user),
        },
        status=status,
    )


@login_required
def task_detail(request, pk: int):
    return _render_task(request, pk)


@login_required
@require_POST
def task_link_add(request, pk: int):
    user = request.user
    task = access(Task.objects.select_related("plan"), user, CHANGE, pk=pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        model = _record_model(form.cleaned_data["kind"])
        record = model.objects.restrict(user, VIEW).filter(pk=form.cleaned_data["record"]).first()
        if record is None:
            form.add_error("record", _("Choose a record you can see."))
        else:
            try:
                services.task_link_add(acting_user=user, task=task, record=record, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form_errors(form, exc, mark_invalid=True)
            else:
                messages.success(
                    request, _("“%(record)s” is linked to the task.") % {"record": selectors.record_label(user, record)}
                )
                return redirect(task)
    return _render_task(request, pk, status=400, link_form=form)


@login_required
@require_POST
def task_link_remove(request, pk: int):
    link = access(TaskLink.objects.select_related("task"), request.user, DELETE, pk=pk)
    services.task_link_remove(link=link, acting_user=request.user)
    messages.success(request, _("The record is no longer linked to the task."))
    return redirect(link.task)


# --- tasks: create, edit, delete ------------------------------------------------------------------


def _task_form_page(request, form, plan, task, status):
    return render(request, "plans/task_form.html", {"form": form, "plan": plan, "task": task}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, pk: int):
    user = request.user
    plan = access(Plan.objects.select_related("owner"), user, CHANGE, pk=pk)
    if not user_can(user, ADD):
        raise PermissionDenied
    initial = {"position": plan.tasks.count() + 1}
    form = TaskForm(
        request.POST if request.method == "POST" else None, instance=Task(plan=plan), user=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        saved, task = save_with_service(
            form,
            lambda: services.task_create(
                acting_user=user,
                plan=plan,
                data=_cleaned(form, drop=("responsible",)),
                responsible=list(form.cleaned_data["responsible"]),
            ),
            mark_invalid=True,
        )
        if saved:
            messages.success(request, _("The task “%(title)s” was added.") % {"title": task.title})
            return redirect(plan)
    return _task_form_page(request, form, plan, None, 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_update(request, pk: int):
    user = request.user
    task = access(Task.objects.select_related("plan"), user, CHANGE, pk=pk)
    form = TaskForm(request.POST if request.method == "POST" else None, instance=task, user=user)
    if request.method == "POST" and form.is_valid():
        saved, updated = save_with_service(
            form,
            lambda: services.task_update(
                task=task,
                acting_user=user,
                data=_cleaned(form, drop=("responsible",)),
                responsible=list(form.cleaned_data["responsible"]),
                expected_updated_at=form.loaded_version(),
            ),
            mark_invalid=True,
        )
        if saved:
            messages.success(request, _("The task “%(title)s” was saved.") % {"title": updated.title})
            return redirect(updated)
    return _task_form_page(request, form, task.plan, task, 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, pk: int):
    task = access(Task.objects.select_related("plan"), request.user, DELETE, pk=pk)
    return _confirm_delete(
        request,
        task,
        cancel_url=task.get_absolute_url(),
        delete=lambda: services.task_delete(task=task, acting_user=request.user),
        done_url=task.plan.get_absolute_url(),
        label=task.title,
    )


# --- indicators: list and export ------------------------------------------------------------------


class IndicatorListView(FilteredListView):
    template_name = "plans/indicator_list.html"
    partial_template = "plans/_indicator_table.html"
    filterset_class = IndicatorFilter

    def get_queryset(self):
        return selectors.indicator_list(user=self.request.user).order_by(
            "plan__owner__sort_name", "-plan__starts_on", "plan_id", "position", "id"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        indicators = _decorate_indicators(context["object_list"], user)
        context["page_obj"].object_list = context["object_list"] = indicators
        context["area"] = "indicators"
        if not (self.request.htmx and not self.request.htmx.boosted):
            context["plans"] = selectors.plan_list(user=user).order_by(*Plan._meta.ordering)
            context["rule_choices"] = IndicatorRule.choices
        return context


INDICATOR_COLUMNS = [
    "id",
    "plan_id",
    "plan",
    "position",
    "name",
    "unit",
    "target",
    "actual",
    "percent",
    "rule",
    "rule_text",
    "computed",
    "task",
    "evidence",
    "evidence_source",
]


@login_required
def indicator_export(request, fmt: str):
    user = request.user
    queryset = _filtered(
        request,
        IndicatorFilter,
        selectors.indicator_list(user=user).order_by(
            "plan__owner__sort_name", "-plan__starts_on", "plan_id", "position", "id"
        ),
    )
    indicators = _decorate_indicators(queryset, user)
    rows = (
        [
            i.pk,
            i.plan_id,
            str(i.plan),
            i.position,
            i.name,
            i.unit,
            _number(i.target),
            _number(i.actual),
            i.percent,
            i.rule,
            str(i.get_rule_display()),
            i.computed,
            i.task.title if i.task_id else "",
            i.evidence,
            i.evidence_source.title if i.source_visible else "",
        ]
        for i in indicators
    )
    if fmt == "csv":
        return csv_response("plan-indicators", INDICATOR_COLUMNS, rows)
    return xlsx_response("plan-indicators", INDICATOR_COLUMNS, rows, title=_("Indicators"))


# --- indicators: create, edit, delete -------------------------------------------------------------


def _indicator_page(request, form, plan, indicator, status):
    return render(
        request,
        "plans/indicator_form.html",
        {"form": form, "plan": plan, "indicator": indicator, "rules": IndicatorRule.choices},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk: int):
    user = request.user
    plan = access(Plan.objects.select_related("owner"), user, CHANGE, pk=pk)
    if not user_can(user, ADD):
        raise PermissionDenied
    initial = {"position": plan.indicators.count() + 1}
    if request.GET.get("task", "").isdigit():
        initial["task"] = int(request.GET["task"])
    form = IndicatorForm(
        request.POST if request.method == "POST" else None, instance=Indicator(plan=plan), user=user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        saved, indicator = save_with_service(
            form, lambda: services.indicator_create(acting_user=user, plan=plan, data=_cleaned(form)), mark_invalid=True
        )
        if saved:
            messages.success(request, _("The indicator “%(name)s” was added.") % {"name": indicator.name})
            return redirect(indicator)
    return _indicator_page(request, form, plan, None, 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_update(request, pk: int):
    user = request.user
    indicator = access(Indicator.objects.select_related("plan"), user, CHANGE, pk=pk)
    plan = indicator.plan
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=indicator, user=user)
    if request.method == "POST" and form.is_valid():
        saved, updated = save_with_service(
            form,
            lambda: services.indicator_update(
                indicator=indicator, acting_user=user, data=_cleaned(form), expected_updated_at=form.loaded_version()
            ),
            mark_invalid=True,
        )
        if saved:
            messages.success(request, _("The indicator “%(name)s” was saved.") % {"name": updated.name})
            return redirect(updated)
    return _indicator_page(request, form, plan, indicator, 400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_delete(request, pk: int):
    indicator = access(Indicator.objects.select_related("plan"), request.user, DELETE, pk=pk)
    return _confirm_delete(
        request,
        indicator,
        cancel_url=indicator.get_absolute_url(),
        delete=lambda: services.indicator_delete(indicator=indicator, acting_user=request.user),
        done_url=indicator.plan.get_absolute_url(),
        label=indicator.name,
    )
