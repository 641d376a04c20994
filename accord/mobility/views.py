"""Pages of mobilities and the exchange balance. Views validate input and call the services; they never write.

Names and personal data of the people are shown only to those who may see them
(``selectors.may_see_personal``): editors and above of the organisation keeping the record.
Everyone else sees "Participant no. N" and the figures; the exports leave those cells blank.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accord.agreements.models import Agreement, Commitment
from accord.core.history import history
from accord.core.services import ConflictError
from accord.core.tabular import TableError, csv_response, read_table, run_import, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, user_can
from accord.core.views import FilteredListView
from accord.core.widgets import chosen_records
from accord.engagements.forms import home_organizations, visible_organizations
from accord.funding.models import Allocation
from accord.mobility import selectors, services
from accord.mobility.filters import MobilityFilter
from accord.mobility.forms import PERSONAL_FIELDS, CancelForm, DayForm, MobilityForm
from accord.mobility.models import Category, Direction, Mobility, MobilityStatus, Programme
from accord.mobility.services import TRANSITIONS, QuotaExceeded
from accord.mobility.tabular import (
    BALANCE_COLUMNS,
    EXPORT_COLUMNS,
    IMPORT_COLUMNS,
    balance_rows,
    mobility_importer,
    mobility_rows,
)
from accord.partners.forms import ImportForm

TENTH = Decimal("0.1")
STATUS_COLOURS = {
    MobilityStatus.NOMINATED: "info",
    MobilityStatus.CONFIRMED: "primary",
    MobilityStatus.ONGOING: "warning",
    MobilityStatus.COMPLETED: "success",
    MobilityStatus.CANCELLED: "secondary",
}
TRANSITION_LABELS = {
    "confirm": lambda: _("Confirm"),
    "start": lambda: _("Mark as started"),
    "complete": lambda: _("Mark as completed"),
    "cancel": lambda: _("Cancel the mobility"),
}
TRANSITION_DONE = {
    "confirm": lambda: _("The mobility is confirmed."),
    "start": lambda: _("The mobility has started."),
    "complete": lambda: _("The mobility is completed."),
    "cancel": lambda: _("The mobility is cancelled."),
}


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _personal_test(user):
    """A function telling, without a query, whether ``user`` may see the people of a record's owner."""
    if user.is_superuser:
        return lambda owner_id: True
    owners = selectors.personal_owner_ids(user)
    return lambda owner_id: owner_id in owners


def _labelled(user, mobilities):
    """Give each mobility ``shown_name`` (the name, or "Participant no. N") and its badge colour."""
    may_see = _personal_test(user)
    mobilities = list(mobilities)
    for m in mobilities:
        m.personal = may_see(m.owner_id)
        m.shown_name = m.full_name if m.personal else _("Participant no. %(number)s") % {"number": m.pk}
        m.status_colour = STATUS_COLOURS.get(m.status, "light")
    return mobilities


def _filtered(request, queryset, data=None):
    data = request.GET if data is None else data
    filterset = MobilityFilter(data or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


def _counts_table(counts: dict) -> list[dict]:
    """People per category, incoming and outgoing, for the figures above the list."""
    rows = []
    for code, label in Category.choices:
        incoming = counts.get(Direction.INCOMING, {}).get(code, 0)
        outgoing = counts.get(Direction.OUTGOING, {}).get(code, 0)
        if incoming or outgoing:
            rows.append({"code": code, "label": label, "incoming": incoming, "outgoing": outgoing})
    return rows


# --- the area's landing page ---------------------------------------------------------------------


@login_required
def index(request):
    visible = selectors.mobility_list(user=request.user)
    counts = selectors.mobility_counts(visible)
    rows = _counts_table(counts)
    return render(
        request,
        "mobility/index.html",
        {
            "counts": rows,
            "incoming": sum(r["incoming"] for r in rows),
            "outgoing": sum(r["outgoing"] for r in rows),
            "can_add": user_can(request.user, ADD),
        },
    )


# --- the list and its export ---------------------------------------------------------------------


def _filter_options(user, data) -> dict:
    """The choices of the filter form. Partners and agreements are pickers (accord.core.widgets):
    only the chosen one is rendered, the others are found by typing."""
    return {
        "owners": home_organizations(user),
        "partners": chosen_records(visible_organizations(user), data.get("partner")),
        "programmes": Programme.objects.restrict(user, VIEW).order_by("name"),
        "agreements": chosen_records(Agreement.objects.restrict(user, VIEW), data.get("agreement")),
        "years": selectors.academic_years(user),
        "directions": Direction.choices,
        "categories": Category.choices,
        "statuses": MobilityStatus.choices,
    }


class MobilityListView(FilteredListView):
    template_name = "mobility/mobility_list.html"
    partial_template = "mobility/_mobility_table.html"
    filterset_class = MobilityFilter

    def get_queryset(self):
        return selectors.mobility_list(user=self.request.user).order_by(*Mobility._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = context["page_obj"]
        page.object_list = context["object_list"] = _labelled(user, page.object_list)
        counts = _counts_table(selectors.mobility_counts(page.paginator.object_list))
        context.update(
            counts=counts,
            count_incoming=sum(r["incoming"] for r in counts),
            count_outgoing=sum(r["outgoing"] for r in counts),
            can_add=user_can(user, ADD),
        )
        if not (self.request.htmx and not self.request.htmx.boosted):
            context.update(_filter_options(user, self.request.GET))
        return context


@login_required
def mobility_export(request, fmt: str):
    queryset = _filtered(request, selectors.mobility_list(user=request.user).order_by(*Mobility._meta.ordering))
    rows = mobility_rows(queryset, request.user)
    if fmt == "csv":
        return csv_response("mobilities", EXPORT_COLUMNS, rows)
    return xlsx_response("mobilities", EXPORT_COLUMNS, rows, title=_("Mobilities"))


# --- the record page and its buttons -------------------------------------------------------------


def _visible(model, user, pk) -> bool:
    return bool(pk) and model._default_manager.restrict(user, VIEW).filter(pk=pk).exists()


def _personal_labels() -> set[str]:
    return {str(Mobility._meta.get_field(name).verbose_name) for name in PERSONAL_FIELDS}


def _history(mobility: Mobility, personal: bool, user):
    entries = history(mobility, user=user)
    if personal:
        return entries
    hidden = _personal_labels()
    for entry in entries:
        entry.changes = [c for c in entry.changes if c.field not in hidden]
    return entries


def _render_detail(request, pk: int, *, status: int = 200, errors=None, cancel_form=None):
    from accord.funding.selectors import usage_for

    user = request.user
    mobility = access(
        Mobility.objects.select_related(
            "owner",
            "home_organization",
            "host_organization",
            "partner",
            "programme",
            "agreement",
            "commitment",
            "commitment__activity_type",
            "allocation",
            "allocation__recipient",
            "allocation__scheme",
            "application",
            "application__call",
            "person",
        ),
        user,
        VIEW,
        pk=pk,
    )
    personal = selectors.may_see_personal(user, mobility.owner_id)
    can_change = Mobility.objects.restrict(user, CHANGE).filter(pk=mobility.pk).exists()
    [mobility] = _labelled(user, [mobility])
    usage = None
    if mobility.allocation_id and _visible(Allocation, user, mobility.allocation_id):
        usage = usage_for([mobility.allocation]).get(mobility.allocation_id)
    links = {
        "programme": _visible(Programme, user, mobility.programme_id),
        "agreement": _visible(Agreement, user, mobility.agreement_id),
        "commitment": _visible(Commitment, user, mobility.commitment_id),
        "allocation": usage is not None,
    }
    transitions = []
    if can_change:
        transitions = [(name, TRANSITION_LABELS[name]()) for name in services.allowed_transitions(mobility)]
    context = {
        "mobility": mobility,
        "personal": personal,
        "nationality_name": _country(mobility.nationality) if personal and mobility.nationality else "",
        "links": links,
        "usage": usage,
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE),
        "transitions": transitions,
        "cancel_form": cancel_form or CancelForm(),
        "day_form": DayForm(),
        "transition_errors": errors or [],
        "history": _history(mobility, personal, request.user),
    }
    return render(request, "mobility/mobility_detail.html", context, status=status)


def _country(code: str) -> str:
    from accord.partners import geo

    return geo.country_name(code)


@login_required
def mobility_detail(request, pk: int):
    return _render_detail(request, pk)


@login_required
@require_POST
def mobility_transition(request, pk: int, transition: str):
    if transition not in TRANSITIONS:
        raise Http404
    mobility = access(Mobility.objects, request.user, CHANGE, pk=pk)
    cancel_form = None
    try:
        if transition == "cancel":
            cancel_form = CancelForm(request.POST)
            reason = cancel_form.data.get(cancel_form.add_prefix("reason"), "")
            services.mobility_cancel(mobility=mobility, acting_user=request.user, reason=reason)
        else:
            day_form = DayForm(request.POST)
            if not day_form.is_valid():
                raise ValidationError([e for errors in day_form.errors.values() for e in errors])
            day = day_form.cleaned_data.get("day")
            if transition == "confirm":
                services.mobility_confirm(mobility=mobility, acting_user=request.user)
            elif transition == "start":
                services.mobility_start(mobility=mobility, acting_user=request.user, started_on=day)
            else:
                services.mobility_complete(mobility=mobility, acting_user=request.user, ended_on=day)
    except ValidationError as exc:
        return _render_detail(request, pk, status=400, errors=exc.messages, cancel_form=cancel_form)
    messages.success(request, TRANSITION_DONE[transition]())
    return redirect(mobility)


# --- create, edit, delete ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mobility_edit(request, pk: int | None = None):
    """The mobility's form; a link to a quota already used up asks to confirm before saving."""
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
        personal = True
    else:
        instance = access(Mobility.objects, user, CHANGE, pk=pk)
        personal = selectors.may_see_personal(user, instance.owner_id)
    initial = {}
    if instance is None:
        for name in ("direction", "category", "programme", "agreement", "allocation"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
    form = MobilityForm(request.POST or None, instance=instance, user=user, personal=personal, initial=initial)
    over_quota = False
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        allow = bool(form.cleaned_data.get("allow_over_quota"))
        try:
            if instance is None:
                mobility = services.mobility_create(acting_user=user, data=data, allow_over_quota=allow)
            else:
                mobility = services.mobility_update(
                    mobility=instance,
                    acting_user=user,
                    data=data,
                    expected_updated_at=form.loaded_version(),
                    allow_over_quota=allow,
                )
        except QuotaExceeded as exc:
            over_quota = True
            _form_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The mobility was saved."))
            return redirect(mobility)
    if instance is not None:
        [instance] = _labelled(user, [instance])
    return render(
        request,
        "mobility/mobility_form.html",
        {"form": form, "mobility": instance, "personal": personal, "over_quota": over_quota},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mobility_delete(request, pk: int):
    mobility = access(Mobility.objects, request.user, DELETE, pk=pk)
    [mobility] = _labelled(request.user, [mobility])
    error = None
    if request.method == "POST":
        try:
            services.mobility_delete(mobility=mobility, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The mobility was deleted."))
            return redirect("mobility:mobility_list")
    return render(
        request,
        "mobility/mobility_confirm_delete.html",
        {"mobility": mobility, "error": error},
        status=400 if error else 200,
    )


# --- the exchange balance ------------------------------------------------------------------------


def _balance_by(request) -> str:
    return "agreement" if request.GET.get("by") == "agreement" else "partner"


def _balance(request):
    data = request.GET.copy()
    data.pop("by", None)
    queryset = _filtered(request, selectors.mobility_list(user=request.user), data=data)
    return selectors.exchange_balance(queryset, by=_balance_by(request)), data


@login_required
def balance(request):
    """Incoming against outgoing, in people and months, per partner or agreement and academic year."""
    result, data = _balance(request)
    filterset = MobilityFilter(data or None, queryset=Mobility.objects.none(), request=request)
    context = {
        "balance": result,
        "totals": result.totals,
        "by": _balance_by(request),
        "filterset": filterset,
        "querystring": request.GET.urlencode(),
        "years": selectors.academic_years(request.user),
        "owners": home_organizations(request.user),
        "directions": Direction.choices,
        "categories": Category.choices,
    }
    return render(request, "mobility/balance.html", context)


@login_required
def balance_export(request, fmt: str):
    result, _data = _balance(request)
    rows = balance_rows(result)
    name = "exchange-balance-" + _balance_by(request)
    if fmt == "csv":
        return csv_response(name, BALANCE_COLUMNS, rows)
    return xlsx_response(name, BALANCE_COLUMNS, rows, title=_("Exchange balance"))


# --- import --------------------------------------------------------------------------------------

SESSION_KEY = "mobility_import"


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run_import(request, name: str, data: bytes, *, commit: bool):
    header, rows = read_table(name, data)
    importer = mobility_importer(request.user)
    header = importer.check_header(header)
    return run_import(header, rows, importer, commit=commit)


@login_required
@require_http_methods(["GET", "POST"])
def mobility_import(request):
    """Upload a table, see every bad row by number; nothing is written until all are good."""
    if not user_can(request.user, ADD):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": IMPORT_COLUMNS}
    status = 200
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stored = request.session.get(SESSION_KEY, {})
        if stored.get("token") != token or not token.isalnum():
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect("mobility:mobility_import")
        path = _upload_dir() / token
        data = path.read_bytes() if path.exists() else b""
        try:
            report = _run_import(request, stored["name"], data, commit=True)
        except TableError as exc:
            form = ImportForm()
            form.add_error("file", str(exc))
            context["form"] = form
            return render(request, "mobility/mobility_import.html", context, status=400)
        if report.committed:
            path.unlink(missing_ok=True)
            request.session.pop(SESSION_KEY, None)
            count = len(report.created)
            messages.success(
                request,
                ngettext("%(count)s mobility was imported.", "%(count)s mobilities were imported.", count)
                % {"count": count},
            )
            return redirect("mobility:mobility_list")
        context.update(report=report)
        status = 400
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.ACCORD_IMPORT_MAX_BYTES + 1)
        try:
            report = _run_import(request, upload.name, data, commit=False)
        except TableError as exc:
            form.add_error("file", str(exc))
            status = 400
        else:
            context.update(report=report)
            if report.ok:
                token = uuid.uuid4().hex
                (_upload_dir() / token).write_bytes(data)
                request.session[SESSION_KEY] = {"token": token, "name": upload.name}
                context["token"] = token
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "mobility/mobility_import.html", context, status=status)
