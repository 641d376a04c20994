"""Pages of programmes, calls, applications and the selection. Views validate input and call the
services; they never write.

Applicants' names and personal data are shown only to those ``selectors.may_see_personal``
allows (editors and above of the organisation keeping the call); everyone else sees
"Applicant no. N", blank personal columns in the exports, and a search that never matches
on names.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accord.agreements.isced import isced_name, parse_isced_list
from accord.agreements.models import Agreement
from accord.core.history import history
from accord.core.tabular import TableError, csv_response, read_table, run_import, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, user_can
from accord.core.views import FilteredListView, confirm_delete, form_errors, private_file_response, save_with_service
from accord.funding.models import Allocation, AllocationUnit
from accord.funding.selectors import usage_for
from accord.mobility import selectors, services
from accord.mobility.filters_calls import CallFilter, ProgrammeFilter
from accord.mobility.forms_calls import (
    PERSONAL_FIELDS,
    ApplicationForm,
    CallForm,
    DocumentForm,
    ImportForm,
    ProgrammeForm,
    WithdrawForm,
    home_organizations,
    visible_commitments,
)
from accord.mobility.models import (
    CEFR_POINTS,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallStatus,
    Mobility,
    MobilityStatus,
    Programme,
    StudyLevel,
)
from accord.mobility.selection import CRITERIA
from accord.mobility.tabular_calls import (
    APPLICATION_EXPORT_COLUMNS,
    APPLICATION_IMPORT_COLUMNS,
    CALL_COLUMNS,
    PROGRAMME_COLUMNS,
    application_importer,
    application_rows,
    call_rows,
    programme_rows,
    selected_count,
)
from accord.partners.models import Organization

# Bootstrap colours of an application's outcome and a call's status.
OUTCOME_COLOURS = {
    ApplicationStatus.SUBMITTED: "light",
    ApplicationStatus.SELECTED: "success",
    ApplicationStatus.WAITLISTED: "warning",
    ApplicationStatus.INELIGIBLE: "secondary",
    ApplicationStatus.NOMINATED: "primary",
    ApplicationStatus.WITHDRAWN: "dark",
}
CALL_COLOURS = {
    CallStatus.DRAFT: "light",
    CallStatus.OPEN: "info",
    CallStatus.SELECTED: "warning",
    CallStatus.CONFIRMED: "success",
}
CRITERION_LABELS = {
    "gpa": gettext_lazy("GPA"),
    "language": gettext_lazy("Language level"),
    "interview": gettext_lazy("Interview"),
    "other": gettext_lazy("Other criteria"),
}
IMPORT_SESSION_KEY = "mobility_application_import"


# --- helpers -------------------------------------------------------------------------------------


def _next_url(request, default) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default if isinstance(default, str) else default.get_absolute_url()


def _filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


def _can(user, model, obj, action) -> bool:
    return user_can(user, action) and model.objects.restrict(user, action).filter(pk=obj.pk).exists()


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def _plain(value) -> str:
    """``2.10`` as ``2.1``; text that is not a number unchanged."""
    try:
        return _number(Decimal(str(value))) if value not in (None, "") else ""
    except (ArithmeticError, ValueError):
        return str(value)


def _user_label(user) -> str:
    return str(user) if user is not None else "—"


def level_label(value: str) -> str:
    return str(StudyLevel(value).label) if value in StudyLevel.values else value


def field_label(code: str) -> str:
    name = isced_name(code) if code else None
    return f"{code} {name}" if name else code


# --- the selection rule and its explanations, in words ---------------------------------------------


def reason_text(reason: dict, call: Call) -> str:
    """One reason for ineligibility, as a sentence."""
    code = reason.get("code", "")
    value = _plain(reason.get("value", ""))
    minimum = _plain(reason.get("minimum", ""))
    if code == "gpa_below":
        if not value:
            return _("No GPA is given; the minimum is %(minimum)s.") % {"minimum": minimum}
        return _("The GPA %(value)s is below the minimum of %(minimum)s.") % {"value": value, "minimum": minimum}
    if code == "language_below":
        if not value:
            return _("No language level is given; the minimum is %(minimum)s.") % {"minimum": minimum}
        return _("The language level %(value)s is below the minimum of %(minimum)s.") % {
            "value": value,
            "minimum": minimum,
        }
    if code == "field_not_open":
        if not value:
            return _("No field of study is given; the call is open to some fields only.")
        return _("The field %(value)s is not among the fields of the call.") % {"value": field_label(value)}
    if code == "level_not_open":
        if not value:
            return _("No level of study is given; the call is open to some levels only.")
        return _("The level “%(value)s” is not among the levels of the call.") % {"value": level_label(value)}
    if code == "missing_gpa":
        return _("No GPA is given, and the GPA counts in the score.")
    if code == "missing_language":
        return _("No language level is given, and the language level counts in the score.")
    if code == "missing_interview":
        return _("No interview score is given, and the interview counts in the score.")
    if code == "missing_other":
        return _("No score is given for “%(label)s”, which counts in the score.") % {
            "label": call.other_label or _("other criteria")
        }
    return code


def criterion_label(criterion: str, call: Call) -> str:
    if criterion == "other" and call.other_label:
        return call.other_label
    return str(CRITERION_LABELS[criterion])


def explanation_parts(application: Application, call: Call) -> list[dict]:
    """What each criterion gave: its value, its points out of 100 and its weight."""
    parts = (application.explanation or {}).get("parts", {})
    rows = []
    for criterion in CRITERIA:
        part = parts.get(criterion)
        if not part:
            continue
        value = part.get("value", "")
        if criterion != "language" and value:
            value = _number(Decimal(value))
        if criterion == "gpa" and value:
            value = _("%(value)s of %(scale)s") % {"value": value, "scale": _number(call.gpa_scale)}
        rows.append(
            {
                "criterion": criterion,
                "label": criterion_label(criterion, call),
                "value": value,
                "points": part.get("points", ""),
                "weight": part.get("weight", ""),
            }
        )
    return rows


def rule_of(call: Call) -> dict:
    """The call's rule as the user reads it: eligibility, scoring with weights, ranking and ties."""
    eligibility = []
    if call.min_gpa is not None:
        eligibility.append(
            _("a GPA of at least %(minimum)s on a scale of %(scale)s")
            % {"minimum": _number(call.min_gpa), "scale": _number(call.gpa_scale)}
        )
    if call.min_cefr:
        eligibility.append(_("a language level of at least %(level)s (CEFR)") % {"level": call.min_cefr})
    fields = parse_isced_list(call.subject_areas)
    if fields:
        eligibility.append(_("a field among: %(fields)s") % {"fields": "; ".join(field_label(code) for code in fields)})
    if call.level_list:
        eligibility.append(
            _("a level of study among: %(levels)s") % {"levels": ", ".join(level_label(v) for v in call.level_list)}
        )
    weighted = [c for c in CRITERIA if call.weights[c]]
    if weighted:
        eligibility.append(
            _("a score for every criterion that counts: %(criteria)s")
            % {"criteria": ", ".join(criterion_label(c, call) for c in weighted)}
        )
    cefr = ", ".join(f"{level} {points}" for level, points in CEFR_POINTS.items())
    how = {
        "gpa": _("the GPA as a share of its scale (%(scale)s = 100 points)") % {"scale": _number(call.gpa_scale)},
        "language": _("the CEFR level: %(points)s points") % {"points": cefr},
        "interview": _("the interview score out of 100, as entered"),
        "other": _("the score out of 100, as entered"),
    }
    total = sum((call.weights[c] for c in weighted), Decimal(0))
    criteria = [
        {
            "criterion": c,
            "label": criterion_label(c, call),
            "how": how[c],
            "weight": _number(call.weights[c]),
            "share": round(call.weights[c] * 100 / total) if total else 0,
        }
        for c in weighted
    ]
    formula = " + ".join(
        _("%(criterion)s × %(weight)s") % {"criterion": criterion_label(c, call), "weight": _number(call.weights[c])}
        for c in weighted
    )
    return {
        "eligibility": eligibility,
        "criteria": criteria,
        "formula": _("Score = (%(sum)s) ÷ %(total)s, rounded to two decimals.")
        % {"sum": formula, "total": _number(total)},
        "ranking": ngettext(
            "Eligible applications are ranked by score; the first is selected, the others wait on the list "
            "in rank order. Ineligible applications are not ranked.",
            "Eligible applications are ranked by score; the first %(places)s are selected, the others wait on "
            "the list in rank order. Ineligible applications are not ranked.",
            call.places,
        )
        % {"places": call.places},
        "ties": _(
            "Equal scores are separated by the higher GPA, then the higher language level, then the earlier "
            "submission, then the lower application number."
        ),
    }


# --- programmes ----------------------------------------------------------------------------------


def _programme_queryset(user):
    return (
        selectors.programme_list(user=user)
        .prefetch_related("partners")
        .annotate(call_count=Count("calls", distinct=True))
        .order_by(*Programme._meta.ordering)
    )


class ProgrammeListView(FilteredListView):
    template_name = "mobility/programme_list.html"
    partial_template = "mobility/_programme_table.html"
    filterset_class = ProgrammeFilter

    def get_queryset(self):
        return _programme_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = user_can(user, ADD)
        if not (self.request.htmx and not self.request.htmx.boosted):
            visible = Programme.objects.restrict(user, VIEW).values("pk")
            context["partners"] = (
                Organization.objects.filter(Q(programmes__in=visible) | Q(funded_programmes__in=visible))
                .distinct()
                .order_by("sort_name")
            )
            context["owners"] = home_organizations(user)
        return context


@login_required
def programme_export(request, fmt: str):
    queryset = _filtered(request, ProgrammeFilter, _programme_queryset(request.user))
    rows = programme_rows(queryset)
    if fmt == "csv":
        return csv_response("programmes", PROGRAMME_COLUMNS, rows)
    return xlsx_response("programmes", PROGRAMME_COLUMNS, rows, title=_("Programmes"))


@login_required
def programme_detail(request, pk: int):
    user = request.user
    programme = access(Programme.objects.select_related("owner", "funder"), user, VIEW, pk=pk)
    can_change = _can(user, Programme, programme, CHANGE)
    calls = list(
        selectors.call_list(user=user)
        .filter(programme=programme)
        .annotate(selected_count=selected_count())
        .order_by(*Call._meta.ordering)
    )
    for call in calls:
        call.status_colour = CALL_COLOURS.get(call.status, "light")
    mobilities = (
        Mobility.objects.restrict(user, VIEW).filter(programme=programme).exclude(status=MobilityStatus.CANCELLED)
    )
    by_direction = dict(mobilities.values_list("direction").annotate(n=Count("id")).order_by())
    context = {
        "programme": programme,
        "partners": list(programme.partners.order_by("sort_name")),
        "agreements": list(Agreement.objects.restrict(user, VIEW).filter(programmes=programme).order_by("title")),
        "commitments": list(visible_commitments(user).filter(programmes=programme)),
        "fields": [field_label(code) for code in programme.isced_codes],
        "calls": calls,
        "mobility_count": sum(by_direction.values()),
        "outgoing_count": by_direction.get("outgoing", 0),
        "incoming_count": by_direction.get("incoming", 0),
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE),
        "can_add_call": can_change and user_can(user, ADD),
        "history": history(programme, user=request.user),
    }
    return render(request, "mobility/programme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Programme.objects, user, CHANGE, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=instance, user=user)

    def write():
        links = {key: list(form.cleaned_data.get(key) or []) for key in ("partners", "agreements", "commitments")}
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"loaded_at", *links}}
        if data.get("owner") is None:
            data.pop("owner", None)
        if instance is None:
            return services.programme_create(acting_user=user, data=data, **links)
        return services.programme_update(
            programme=instance, acting_user=user, data=data, expected_updated_at=form.loaded_version(), **links
        )

    if request.method == "POST" and form.is_valid():
        saved, programme = save_with_service(form, write)
        if saved:
            messages.success(request, _("The programme “%(name)s” was saved.") % {"name": programme.name})
            return redirect(programme)
    return render(
        request,
        "mobility/programme_form.html",
        {"form": form, "programme": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_delete(request, pk: int):
    programme = access(Programme.objects, request.user, DELETE, pk=pk)
    return confirm_delete(
        request,
        programme,
        cancel_url=programme.get_absolute_url(),
        delete=lambda: services.programme_delete(programme=programme, acting_user=request.user),
        done_url=reverse("mobility:programme_list"),
        label=programme.name,
        message=_("The programme “%(name)s” was deleted.") % {"name": programme.name},
    )


# --- calls ---------------------------------------------------------------------------------------


def _call_queryset(user):
    return selectors.call_list(user=user).annotate(selected_count=selected_count()).order_by(*Call._meta.ordering)


class CallListView(FilteredListView):
    template_name = "mobility/call_list.html"
    partial_template = "mobility/_call_table.html"
    filterset_class = CallFilter

    def get_queryset(self):
        return _call_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = context["page_obj"]
        page.object_list = context["object_list"] = list(page.object_list)
        for call in page.object_list:
            call.status_colour = CALL_COLOURS.get(call.status, "light")
        context["can_add"] = user_can(user, ADD)
        if not (self.request.htmx and not self.request.htmx.boosted):
            visible = Call.objects.restrict(user, VIEW)
            context["programmes"] = Programme.objects.restrict(user, VIEW).order_by("name")
            context["years"] = sorted(set(visible.values_list("academic_year", flat=True)), reverse=True)
            context["status_choices"] = CallStatus.choices
        return context


@login_required
def call_export(request, fmt: str):
    queryset = _filtered(request, CallFilter, selectors.call_list(user=request.user).order_by(*Call._meta.ordering))
    rows = call_rows(queryset)
    if fmt == "csv":
        return csv_response("calls", CALL_COLUMNS, rows)
    return xlsx_response("calls", CALL_COLUMNS, rows, title=_("Calls"))


def _search_applications(queryset, query: str, personal: bool):
    """Applications matching every word: by name, e-mail or student number only for who may see them."""
    for word in query.split():
        condition = Q(pk=int(word)) if word.isdigit() else Q(pk__in=[])
        if personal:
            condition |= Q(full_name__icontains=word) | Q(email__icontains=word) | Q(student_number__icontains=word)
        queryset = queryset.filter(condition)
    return queryset


def _quota(user, call: Call):
    """The allocation the call draws on, with its usage, if the user may see it."""
    if not call.allocation_id:
        return None
    allocation = Allocation.objects.restrict(user, VIEW).filter(pk=call.allocation_id).first()
    if allocation is None:
        return {"hidden": True}
    usage = usage_for([call.allocation])[call.allocation_id]
    scheme = call.allocation.scheme
    unit = scheme.currency if scheme.unit == AllocationUnit.AMOUNT else scheme.get_unit_display()
    figures = {
        "used": _number(usage.used_here),
        "quantity": _number(usage.quantity),
        "remaining": _number(usage.remaining),
        "passed": _number(usage.passed_on),
        "unit": unit,
    }
    return {
        "allocation": call.allocation,
        "usage": usage,
        "text": _("%(used)s of %(quantity)s %(unit)s used · %(remaining)s remaining") % figures,
        "passed_text": _("%(passed)s passed on to others") % figures if usage.passed_on else "",
    }


def _call_context(request, pk: int, *, errors=None) -> dict:
    user = request.user
    call = access(
        Call.objects.select_related(
            "programme",
            "owner",
            "host",
            "agreement",
            "commitment__agreement",
            "commitment__activity_type",
            "allocation__scheme",
            "allocation__recipient",
            "selected_by",
            "confirmed_by",
        ),
        user,
        VIEW,
        pk=pk,
    )
    can_change = _can(user, Call, call, CHANGE)
    personal = selectors.may_see_personal(user, call.owner_id)
    query = request.GET.get("q", "").strip()
    applications_qs = call.applications.select_related("home_unit", "mobility").order_by(
        F("rank").asc(nulls_last=True), "id"
    )
    if query:
        applications_qs = _search_applications(applications_qs, query, personal)
    applications = list(applications_qs)
    counts: dict[str, int] = {}
    for application in applications:
        application.call = call
        application.shown_name = selectors.display_name(user, application)
        application.outcome_colour = OUTCOME_COLOURS.get(application.status, "light")
        application.parts = explanation_parts(application, call)
        application.reasons = [reason_text(r, call) for r in (application.explanation or {}).get("reasons", [])]
        application.level_text = level_label(application.level)
        counts[application.status] = counts.get(application.status, 0) + 1
    mobilities = list(
        Mobility.objects.restrict(user, VIEW)
        .filter(application__call=call)
        .select_related("host_organization", "application")
        .order_by("application__rank", "id")
    )
    for mobility in mobilities:
        mobility.shown_name = selectors.display_name(user, mobility)
    total = call.applications.count() if query else len(applications)
    return {
        "call": call,
        "call_colour": CALL_COLOURS.get(call.status, "light"),
        "rule": rule_of(call),
        "fields": [field_label(code) for code in parse_isced_list(call.subject_areas)],
        "levels": [level_label(v) for v in call.level_list],
        "quota": _quota(user, call),
        "applications": applications,
        "application_total": total,
        "counts": [(ApplicationStatus(s).label, OUTCOME_COLOURS[s], n) for s, n in counts.items()],
        "query": query,
        "personal": personal,
        "mobilities": mobilities,
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE),
        "can_select": can_change and call.status != CallStatus.CONFIRMED,
        "can_confirm": can_change and call.status == CallStatus.SELECTED,
        "selected_by": _user_label(call.selected_by),
        "confirmed_by": _user_label(call.confirmed_by),
        "errors": errors or [],
        "history": history(call, user=request.user),
    }


@login_required
def call_detail(request, pk: int):
    return render(request, "mobility/call_detail.html", _call_context(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Call.objects, user, CHANGE, pk=pk)
    initial = {}
    if instance is None and request.GET.get("programme", "").isdigit():
        initial["programme"] = int(request.GET["programme"])
    form = CallForm(request.POST or None, instance=instance, user=user, initial=initial)

    def write():
        data = {k: v for k, v in form.cleaned_data.items() if k != "loaded_at"}
        if instance is None:
            return services.call_create(acting_user=user, data=data)
        return services.call_update(
            call=instance, acting_user=user, data=data, expected_updated_at=form.loaded_version()
        )

    if request.method == "POST" and form.is_valid():
        saved, call = save_with_service(form, write)
        if saved:
            messages.success(request, _("The call “%(title)s” was saved.") % {"title": call.title})
            return redirect(call)
    return render(
        request,
        "mobility/call_form.html",
        {"form": form, "call": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_delete(request, pk: int):
    call = access(Call.objects, request.user, DELETE, pk=pk)
    return confirm_delete(
        request,
        call,
        cancel_url=call.get_absolute_url(),
        delete=lambda: services.call_delete(call=call, acting_user=request.user),
        done_url=reverse("mobility:call_list"),
        label=call.title,
        message=_("The call “%(title)s” was deleted.") % {"title": call.title},
    )


def _call_step(request, pk: int, act):
    """Run ``act(call)``; on refusal show the call's page with the reason, having written nothing."""
    call = access(Call.objects, request.user, CHANGE, pk=pk)
    try:
        message = act(call)
    except ValidationError as exc:
        return render(request, "mobility/call_detail.html", _call_context(request, pk, errors=exc.messages), status=400)
    messages.success(request, message)
    return redirect(call)


@login_required
@require_POST
def call_select(request, pk: int):
    def act(call):
        outcomes = services.selection_run(call=call, acting_user=request.user)
        selected = sum(1 for o in outcomes if o.status == ApplicationStatus.SELECTED)
        waiting = sum(1 for o in outcomes if o.status == ApplicationStatus.WAITLISTED)
        ineligible = sum(1 for o in outcomes if o.status == ApplicationStatus.INELIGIBLE)
        return _(
            "The selection was run: %(selected)s selected, %(waiting)s on the waiting list, %(ineligible)s not "
            "eligible. Check it, then confirm it to nominate the selected."
        ) % {"selected": selected, "waiting": waiting, "ineligible": ineligible}

    return _call_step(request, pk, act)


@login_required
@require_POST
def call_confirm(request, pk: int):
    def act(call):
        mobilities = services.selection_confirm(call=call, acting_user=request.user)
        return ngettext(
            "The selection is confirmed; %(count)s applicant was nominated.",
            "The selection is confirmed; %(count)s applicants were nominated.",
            len(mobilities),
        ) % {"count": len(mobilities)}

    return _call_step(request, pk, act)


# --- applications ------------------------------------------------------------------------------


def _application(request, pk: int, action: str) -> Application:
    return access(
        Application.objects.select_related("call__owner", "call__programme", "home_unit"), request.user, action, pk=pk
    )


def _application_form_page(request, call: Call, instance: Application | None):
    user = request.user
    personal = instance is None or selectors.may_see_personal(user, call.owner_id)
    form = ApplicationForm(request.POST or None, instance=instance, user=user, call=call, personal=personal)

    def write():
        data = {k: v for k, v in form.cleaned_data.items() if k != "loaded_at"}
        if instance is None:
            return services.application_create(acting_user=user, call=call, data=data)
        return services.application_update(
            application=instance, acting_user=user, data=data, expected_updated_at=form.loaded_version()
        )

    if request.method == "POST" and form.is_valid():
        saved, application = save_with_service(form, write)
        if saved:
            messages.success(
                request,
                _("The application of %(name)s was saved.") % {"name": selectors.display_name(user, application)},
            )
            return redirect(_next_url(request, call) if instance is None else application)
    return render(
        request,
        "mobility/application_form.html",
        {
            "form": form,
            "call": call,
            "application": instance,
            "shown_name": selectors.display_name(user, instance) if instance else "",
            "personal_hidden": not personal,
            "personal_fields": PERSONAL_FIELDS,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    """A new application to the call ``pk``."""
    call = access(Call.objects.select_related("owner", "programme"), request.user, CHANGE, pk=pk)
    return _application_form_page(request, call, None)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit_existing(request, pk: int):
    application = _application(request, pk, CHANGE)
    return _application_form_page(request, application.call, application)


def _application_context(request, application: Application, *, errors=None, document_form=None) -> dict:
    user = request.user
    call = application.call
    personal = selectors.may_see_personal(user, call.owner_id)
    can_change = _can(user, Application, application, CHANGE)
    mobility = Mobility.objects.restrict(user, VIEW).filter(application=application).first()
    if mobility is not None:
        mobility.shown_name = selectors.display_name(user, mobility)
    return {
        "application": application,
        "call": call,
        "shown_name": selectors.display_name(user, application),
        "personal": personal,
        "outcome_colour": OUTCOME_COLOURS.get(application.status, "light"),
        "parts": explanation_parts(application, call),
        "reasons": [reason_text(r, call) for r in (application.explanation or {}).get("reasons", [])],
        "level_text": level_label(application.level),
        "field_text": field_label(application.subject_area),
        "documents": list(application.documents.order_by("id")),
        "mobility": mobility,
        "can_change": can_change,
        "can_edit": can_change and call.status != CallStatus.CONFIRMED,
        "can_delete": can_change and user_can(user, DELETE) and call.status != CallStatus.CONFIRMED,
        "can_withdraw": can_change and application.status != ApplicationStatus.WITHDRAWN,
        "document_form": document_form or (DocumentForm() if can_change else None),
        "withdraw_form": WithdrawForm(),
        "errors": errors or [],
        "history": history(application, user=request.user) if personal else None,
    }


@login_required
def application_detail(request, pk: int):
    application = _application(request, pk, VIEW)
    return render(request, "mobility/application_detail.html", _application_context(request, application))


@login_required
@require_http_methods(["GET", "POST"])
def application_delete(request, pk: int):
    application = _application(request, pk, DELETE)
    name = selectors.display_name(request.user, application)
    return confirm_delete(
        request,
        application,
        cancel_url=application.get_absolute_url(),
        delete=lambda: services.application_delete(application=application, acting_user=request.user),
        done_url=application.call.get_absolute_url(),
        label=_("the application of %(name)s") % {"name": name},
        message=_("The application of %(name)s was deleted.") % {"name": name},
    )


@login_required
@require_POST
def application_withdraw(request, pk: int):
    user = request.user
    application = _application(request, pk, CHANGE)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    name = selectors.display_name(user, application)
    try:
        successor = services.application_withdraw(application=application, acting_user=user, reason=reason)
    except ValidationError as exc:
        context = _application_context(request, application, errors=exc.messages)
        return render(request, "mobility/application_detail.html", context, status=400)
    if successor is not None:
        successor.call = application.call
        messages.success(
            request,
            _("%(name)s withdrew. %(next)s, first on the waiting list, was nominated in their place.")
            % {"name": name, "next": selectors.display_name(user, successor)},
        )
    else:
        messages.success(request, _("%(name)s withdrew.") % {"name": name})
    return redirect(application.call)


@login_required
@require_POST
def application_document_add(request, pk: int):
    application = _application(request, pk, CHANGE)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_document_add(
                application=application, acting_user=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The document was attached."))
            return redirect(application)
    context = _application_context(request, application, document_form=form)
    return render(request, "mobility/application_detail.html", context, status=400)


def _document(request, pk: int, action: str) -> ApplicationDocument:
    return access(ApplicationDocument.objects.select_related("application__call"), request.user, action, pk=pk)


@login_required
def application_document(request, pk: int):
    """The document itself, for those who may see the applicant (it names them)."""
    document = _document(request, pk, VIEW)
    if not selectors.may_see_personal(request.user, document.application.call.owner_id):
        raise PermissionDenied
    return private_file_response(document.file, filename=document.name, content_type=document.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def application_document_delete(request, pk: int):
    user = request.user
    document = _document(request, pk, DELETE)
    application = document.application
    # The file's name often names the applicant: it is shown only to those who may see them.
    personal = selectors.may_see_personal(user, application.call.owner_id)
    return confirm_delete(
        request,
        document,
        cancel_url=application.get_absolute_url(),
        delete=lambda: services.application_document_delete(document=document, acting_user=user),
        done_url=application.get_absolute_url(),
        label=document.name if personal else _("document no. %(number)s") % {"number": document.pk},
        message=_("The document was removed."),
    )


# --- import and export of a call's applications -------------------------------------------------


@login_required
def application_export(request, pk: int, fmt: str):
    call = access(Call.objects, request.user, VIEW, pk=pk)
    queryset = call.applications.select_related("home_unit").order_by(F("rank").asc(nulls_last=True), "id")
    rows = application_rows(request.user, call, queryset)
    filename = f"call-{call.pk}-applications"
    if fmt == "csv":
        return csv_response(filename, APPLICATION_EXPORT_COLUMNS, rows)
    return xlsx_response(filename, APPLICATION_EXPORT_COLUMNS, rows, title=_("Applications"))


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run_application_import(request, call: Call, name: str, data: bytes, *, commit: bool):
    header, rows = read_table(name, data)
    importer = application_importer(request.user, call)
    importer.check_header(header)
    return run_import(header, rows, importer, commit=commit)


@login_required
@require_http_methods(["GET", "POST"])
def application_import(request, pk: int):
    """Upload the office's table of applicants; every bad row is shown by number, nothing is
    written until all are good, and then all are written at once."""
    call = access(Call.objects.select_related("owner", "programme"), request.user, CHANGE, pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "call": call, "columns": APPLICATION_IMPORT_COLUMNS}
    status = 200
    if call.status == CallStatus.CONFIRMED:
        context["closed"] = True
        if request.method == "POST":
            status = 400
        return render(request, "mobility/application_import.html", context, status=status)
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        stored = request.session.get(IMPORT_SESSION_KEY, {})
        if stored.get("token") != token or stored.get("call") != call.pk:
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect("mobility:application_import", pk=call.pk)
        path = _upload_dir() / token
        data = path.read_bytes() if path.exists() else b""
        try:
            report = _run_application_import(request, call, stored["name"], data, commit=True)
        except TableError as exc:
            form.add_error(None, str(exc))
            report = None
        if report is not None and report.committed:
            path.unlink(missing_ok=True)
            request.session.pop(IMPORT_SESSION_KEY, None)
            count = len(report.created)
            messages.success(
                request,
                ngettext("%(count)s application was imported.", "%(count)s applications were imported.", count)
                % {"count": count},
            )
            return redirect(call)
        context.update(report=report)
        status = 400
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.ACCORD_IMPORT_MAX_BYTES + 1)
        try:
            report = _run_application_import(request, call, upload.name, data, commit=False)
        except TableError as exc:
            form.add_error("file", str(exc))
            status = 400
        else:
            context.update(report=report)
            if report.ok:
                token = uuid.uuid4().hex
                (_upload_dir() / token).write_bytes(data)
                request.session[IMPORT_SESSION_KEY] = {"token": token, "name": upload.name, "call": call.pk}
                context["token"] = token
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "mobility/application_import.html", context, status=status)
