"""Pages of engagements, follow-up actions and the calendar. Views validate input and call the
services; they never write.

The calendar is also a feed: ``calendar_ics`` answers calendar programs without a session, the
secret token of the address standing for the user.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accord.agreements.models import Agreement
from accord.core.history import history
from accord.core.services import ConflictError
from accord.core.tabular import csv_response, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, user_can
from accord.core.views import FilteredListView
from accord.core.widgets import chosen_records
from accord.engagements import selectors, services
from accord.engagements.filters import ActionFilter, EngagementFilter
from accord.engagements.forms import (
    ActionForm,
    CompleteForm,
    EngagementForm,
    OrganizationFormSet,
    ParticipantFormSet,
    SeriesForm,
    TitleFormSet,
    home_organizations,
    visible_organizations,
)
from accord.engagements.models import (
    ActionStatus,
    CalendarFeed,
    DatePrecision,
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    EngagementTitle,
    FollowUpAction,
    OrganizationRole,
    Participant,
    end_of_month,
)
from accord.engagements.services import ParticipantOrganizationMissing
from accord.engagements.templatetags.engagement_dates import date_span, due_label
from accord.partners import geo
from accord.partners.models import Organization

# Bootstrap colours of the status badge of an engagement.
STATUS_COLOURS = {"planned": "info", "held": "success", "cancelled": "secondary"}


def _form_errors(form, exc: ValidationError, formsets=None) -> None:
    """Put a service's ValidationError where it belongs: a field, a formset, or the form."""
    formsets = formsets or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in formsets:
                formsets[field].non_form_errors().extend(errors)
            else:
                form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _errors(form) -> list[str]:
    return [str(e) for field_errors in form.errors.values() for e in field_errors]


def _next_url(request, default) -> str:
    """Where to go after a write: the page the form came from when it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default if isinstance(default, str) else default.get_absolute_url()


def _with_status(engagements):
    """Give each engagement its status and the colour of its badge (``e.status_value``, ``e.status_colour``)."""
    engagements = list(engagements)
    for engagement in engagements:
        engagement.status_value = str(engagement.status)
        engagement.status_colour = STATUS_COLOURS[engagement.status_value]
    return engagements


def _place(engagement: Engagement) -> str:
    place = ", ".join(
        p for p in (engagement.city, geo.country_name(engagement.country) if engagement.country else "") if p
    )
    if engagement.online:
        return f"{place} · {_('online')}" if place else _("Online")
    return place


# --- engagements: list and export --------------------------------------------------------------


@login_required
def index(request):
    return redirect("engagements:engagement_list")


def _filter_options(user, data) -> dict:
    """What the filter selects offer: owners, the chosen partner (picked by typing), series (read
    once, not on htmx swaps)."""
    return {
        "owners": home_organizations(user),
        "partners": chosen_records(visible_organizations(user), data.get("partner")),
        "series_list": EngagementSeries.objects.restrict(user, VIEW).order_by("name"),
    }


class EngagementListView(FilteredListView):
    template_name = "engagements/engagement_list.html"
    partial_template = "engagements/_engagement_table.html"
    filterset_class = EngagementFilter

    def get_queryset(self):
        return selectors.engagement_list(user=self.request.user).order_by(*Engagement._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = context["object_list"] = _with_status(page.object_list)
        context["can_add"] = user_can(self.request.user, ADD)
        if not (self.request.htmx and not self.request.htmx.boosted):
            context.update(_filter_options(self.request.user, self.request.GET))
        return context


def _filtered(request, filterset_class, queryset, data=None):
    data = request.GET if data is None else data
    filterset = filterset_class(data or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


ENGAGEMENT_COLUMNS = [
    "id",
    "title",
    "kind",
    "status",
    "dates",
    "starts_on",
    "ends_on",
    "precision",
    "city",
    "country",
    "online",
    "host",
    "organizations",
    "participants",
    "headcount",
    "series",
    "part_of",
    "agreements",
    "open_actions",
    "owner",
]


def engagement_rows(queryset):
    """One row per engagement, in the columns of ``ENGAGEMENT_COLUMNS``; a fixed number of queries."""
    queryset = queryset.annotate(
        participant_count=Count("participants", distinct=True), agreement_count=Count("agreements", distinct=True)
    )
    for e in queryset:
        yield [
            e.pk,
            e.title,
            e.kind,
            str(e.status),
            date_span(e.starts_on, e.ends_on, e.precision),
            e.starts_on,
            e.ends_on,
            e.precision,
            e.city,
            e.country,
            e.online,
            e.host.name if e.host_id else "",
            "; ".join(f"{o.organization.name} ({o.role})" for o in e.organizations.all()),
            e.participant_count,
            e.headcount,
            e.series.name if e.series_id else "",
            e.parent_id,
            e.agreement_count,
            e.has_open_actions,
            e.owner.name,
        ]


@login_required
def engagement_export(request, fmt: str):
    queryset = _filtered(
        request, EngagementFilter, selectors.engagement_list(user=request.user).order_by(*Engagement._meta.ordering)
    )
    rows = engagement_rows(queryset)
    if fmt == "csv":
        return csv_response("engagements", ENGAGEMENT_COLUMNS, rows)
    return xlsx_response("engagements", ENGAGEMENT_COLUMNS, rows, title=_("Engagements"))


# --- engagements: the record page --------------------------------------------------------------


def _detail_context(request, pk: int) -> dict:
    user = request.user
    try:
        engagement = selectors.engagement_detail(user=user, pk=pk)
    except Engagement.DoesNotExist as exc:
        raise Http404 from exc
    can_change = Engagement.objects.restrict(user, CHANGE).filter(pk=engagement.pk).exists()
    # Actions and agreements are read with the reader's rights: an action kept by another
    # organisation, or an agreement of a school the reader does not oversee, stays hidden.
    actions = list(selectors.action_list(user=user).filter(engagement=engagement).order_by("status", "due_on", "id"))
    agreements = list(Agreement.objects.restrict(user, VIEW).filter(signed_at=engagement).order_by("signed_on", "id"))
    _with_status([engagement, *engagement.parts.all()])
    # The quota it uses, only if the reader may see that allocation.
    allocation = None
    if engagement.allocation_id:
        from accord.funding.selectors import allocation_list

        allocation = allocation_list(user=user).filter(pk=engagement.allocation_id).first()
    return {
        "engagement": engagement,
        "allocation": allocation,
        "place": _place(engagement),
        "organizations": list(engagement.organizations.all()),
        "participants": list(engagement.participants.all()),
        "actions": actions,
        "agreements": agreements,
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE),
        "action_form": ActionForm(user=user, engagement=engagement) if can_change and user_can(user, ADD) else None,
        "history": history(
            engagement,
            related=[
                (EngagementTitle, "engagement"),
                (EngagementOrganization, "engagement"),
                (Participant, "engagement"),
            ],
            user=request.user,
        ),
    }


@login_required
def engagement_detail(request, pk: int):
    return render(request, "engagements/engagement_detail.html", _detail_context(request, pk))


# --- engagements: create and edit --------------------------------------------------------------


def _engagement_forms(request, instance: Engagement | None):
    data = request.POST if request.method == "POST" else None
    parent = instance or Engagement()
    form = EngagementForm(data, instance=instance, user=request.user)
    formsets = {
        "titles": TitleFormSet(data, instance=parent, prefix="titles"),
        "organizations": OrganizationFormSet(data, instance=parent, prefix="organizations", user=request.user),
        "participants": ParticipantFormSet(data, instance=parent, prefix="participants", user=request.user),
    }
    return form, formsets


def _save_engagement(request, form, formsets, instance: Engagement | None, *, add_guests: bool):
    """Save through the services; with ``add_guests``, organisations missing for participants join as guests.

    Returns the engagement and the organisations that were added.
    """
    data = {k: v for k, v in form.cleaned_data.items() if k not in {"loaded_at", "agreements"}}
    if data.get("owner") is None:
        # A blank owner keeps the current one (or, for a new record, the user's organisation).
        data.pop("owner", None)
    rows = {key: formset.rows() for key, formset in formsets.items()}
    agreements = list(form.cleaned_data.get("agreements") or [])

    def save(rows):
        if instance is None:
            return services.engagement_create(acting_user=request.user, data=data, agreements=agreements, **rows)
        return services.engagement_update(
            engagement=instance,
            acting_user=request.user,
            data=data,
            agreements=agreements,
            expected_updated_at=form.loaded_version(),
            **rows,
        )

    try:
        return save(rows), []
    except ParticipantOrganizationMissing as exc:
        if not add_guests:
            raise
        # The service rolled everything back; save again with the organisations added.
        guests = [
            {"id": None, "DELETE": False, "organization": org, "role": OrganizationRole.GUEST}
            for org in exc.organizations
        ]
        rows["organizations"] = [*rows["organizations"], *guests]
        return save(rows), exc.organizations


@login_required
@require_http_methods(["GET", "POST"])
def engagement_edit(request, pk: int | None = None):
    """The engagement, its titles, organisations and participants on one page, saved all or nothing.

    When a participant represents an organisation that is not taking part, the page says so
    and offers to add those organisations as guests and save in one step.
    """
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Engagement.objects, request.user, CHANGE, pk=pk)
    form, formsets = _engagement_forms(request, instance)
    missing: list[Organization] = []
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        try:
            engagement, added = _save_engagement(
                request, form, formsets, instance, add_guests=bool(request.POST.get("add_guests"))
            )
        except ParticipantOrganizationMissing as exc:
            missing = exc.organizations
        except ConflictError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            _form_errors(form, exc, formsets)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": engagement.title})
            if added:
                messages.info(
                    request,
                    _("Added as guests: %(names)s.") % {"names": ", ".join(o.name for o in added)},
                )
            return redirect(engagement)
    return render(
        request,
        "engagements/engagement_form.html",
        {"form": form, "formsets": formsets, "engagement": instance, "missing": missing},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def engagement_delete(request, pk: int):
    engagement = access(Engagement.objects, request.user, DELETE, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.engagement_delete(engagement=engagement, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": engagement.title})
            return redirect("engagements:engagement_list")
    return render(
        request,
        "engagements/confirm_delete.html",
        {"object": engagement, "cancel_url": engagement.get_absolute_url(), "error": error},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request):
    if not user_can(request.user, ADD):
        raise PermissionDenied
    form = SeriesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                owner=form.cleaned_data["owner"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The series “%(name)s” was created.") % {"name": series.name})
            default = reverse("engagements:engagement_list") + f"?series={series.pk}"
            return redirect(_next_url(request, default))
    return render(
        request,
        "engagements/series_form.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if request.method == "POST" else 200,
    )


# --- the calendar ------------------------------------------------------------------------------

CALENDAR_MONTHS = 6  # months on one page of the calendar
CALENDAR_PAST = 2  # of which, by default, before the current month


def _add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_param(value: str | None) -> datetime.date | None:
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return datetime.date(year, month, 1)
    except ValueError:
        return None


@login_required
def calendar(request):
    """Past and planned engagements, month by month, with the list's filters."""
    this_month = timezone.localdate().replace(day=1)
    first = _month_param(request.GET.get("month")) or _add_months(this_month, -CALENDAR_PAST)
    last = end_of_month(_add_months(first, CALENDAR_MONTHS - 1))
    filters = request.GET.copy()
    filters.pop("month", None)
    filterset = EngagementFilter(
        filters or None, queryset=selectors.engagement_list(user=request.user), request=request
    )
    if filterset.is_bound:
        queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    else:
        queryset = filterset.queryset
    grouped = dict(selectors.calendar_months(queryset.filter(starts_on__gte=first, starts_on__lte=last)))
    months = []
    for n in range(CALENDAR_MONTHS):
        month = _add_months(first, n)
        months.append({"month": month, "engagements": _with_status(grouped.get(month, [])), "now": month == this_month})
    query = filters.urlencode()
    context = {
        "filterset": filterset,
        "months": months,
        "first": first,
        "previous": _add_months(first, -CALENDAR_MONTHS).strftime("%Y-%m"),
        "next": _add_months(first, CALENDAR_MONTHS).strftime("%Y-%m"),
        "querystring": query,
        **_filter_options(request.user, request.GET),
    }
    return render(request, "engagements/calendar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """The user's secret address for calendar programs; revoking it gives a new one."""
    if request.method == "POST":
        services.calendar_feed_revoke(user=request.user)
        messages.success(request, _("The old address no longer works. Subscribe again with the new one."))
        return redirect("engagements:calendar_feed")
    feed = services.calendar_feed_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("engagements:calendar_ics", args=[feed.token]))
    return render(request, "engagements/calendar_feed.html", {"feed": feed, "url": url})


# --- the iCalendar feed (RFC 5545) -------------------------------------------------------------

ICS_LINE_OCTETS = 75


def ics_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets; a continuation starts with a space; no character is split."""
    lines, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > ICS_LINE_OCTETS:
            lines.append(current)
            current = b" "
        current += encoded
    lines.append(current)
    return b"\r\n".join(lines).decode("utf-8")


def _ics_date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _ics_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_event(engagement: Engagement, *, host: str, base: str) -> list[str]:
    description = [engagement.get_kind_display()]
    if engagement.precision == DatePrecision.MONTH:
        description.append(
            _("Dates to be fixed: %(month)s")
            % {"month": date_span(engagement.starts_on, engagement.ends_on, engagement.precision)}
        )
    organizations = [o.organization.name for o in engagement.organizations.all()]
    if organizations:
        description.append(_("With: %(names)s") % {"names": ", ".join(organizations)})
    if engagement.summary:
        description.append(engagement.summary[:2000])
    if engagement.cancelled:
        status = "CANCELLED"
    else:
        status = "TENTATIVE" if engagement.precision == DatePrecision.MONTH else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:engagement-{engagement.pk}@{host}",
        f"DTSTAMP:{_ics_time(engagement.updated_at)}",
        f"LAST-MODIFIED:{_ics_time(engagement.updated_at)}",
        f"DTSTART;VALUE=DATE:{_ics_date(engagement.starts_on)}",
        # The end of an all-day event is exclusive: the day after the last day.
        f"DTEND;VALUE=DATE:{_ics_date(engagement.last_day + datetime.timedelta(days=1))}",
        f"SUMMARY:{ics_text(engagement.title)}",
    ]
    place = _place(engagement)
    if place:
        lines.append(f"LOCATION:{ics_text(place)}")
    lines += [
        f"DESCRIPTION:{ics_text(chr(10).join(description))}",
        f"CATEGORIES:{ics_text(engagement.get_kind_display())}",
        f"STATUS:{status}",
        f"URL:{base}{engagement.get_absolute_url()}",
        "END:VEVENT",
    ]
    return lines


def ics_calendar(engagements, *, host: str, base: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//accord//engagements//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(_('accord: engagements'))}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for engagement in engagements:
        lines += _ics_event(engagement, host=host, base=base)
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


@never_cache
def calendar_ics(request, token: str):
    """The engagements the token's user may see, for calendar programs; no session needed.

    A wrong or revoked token is a plain 404 that says nothing about the user or the data.
    """
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    user = feed.user
    base = request.build_absolute_uri("/").rstrip("/")
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        engagements = selectors.engagement_list(user=user).order_by("starts_on", "id")
        body = ics_calendar(engagements, host=request.get_host().split(":")[0], base=base)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="accord-engagements.ics"'
    return response


# --- follow-up actions: list and export --------------------------------------------------------


class OpenByDefaultActionFilter(ActionFilter):
    """The actions page shows the open actions until the reader asks for another status."""

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["status"] = ActionStatus.OPEN
        super().__init__(data, *args, **kwargs)


def _with_due(actions):
    actions = list(actions)
    for action in actions:
        action.due_text = due_label(action.due_on, action.due_precision)
    return actions


class ActionListView(FilteredListView):
    template_name = "engagements/action_list.html"
    partial_template = "engagements/_action_table.html"
    filterset_class = OpenByDefaultActionFilter

    def get_queryset(self):
        return selectors.action_list(user=self.request.user).order_by(*FollowUpAction._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = context["object_list"] = _with_due(page.object_list)
        context["can_add"] = user_can(self.request.user, ADD)
        context["status_selected"] = self.request.GET.get("status", ActionStatus.OPEN)
        context["status_choices"] = ActionStatus.choices
        if not (self.request.htmx and not self.request.htmx.boosted):
            context["owners"] = home_organizations(self.request.user)
        return context


ACTION_COLUMNS = [
    "id",
    "title",
    "status",
    "overdue",
    "due",
    "due_on",
    "due_precision",
    "done_on",
    "engagement_id",
    "engagement",
    "responsible",
    "owner",
    "description",
]


def action_rows(queryset):
    for a in queryset:
        yield [
            a.pk,
            a.title,
            a.status,
            a.overdue,
            due_label(a.due_on, a.due_precision),
            a.due_on,
            a.due_precision,
            a.done_on,
            a.engagement_id,
            a.engagement.title if a.engagement_id else "",
            a.responsible.name if a.responsible_id else "",
            a.owner.name,
            a.description,
        ]


@login_required
def action_export(request, fmt: str):
    queryset = _filtered(
        request,
        OpenByDefaultActionFilter,
        selectors.action_list(user=request.user).order_by(*FollowUpAction._meta.ordering),
        data=request.GET,
    )
    rows = action_rows(queryset)
    if fmt == "csv":
        return csv_response("actions", ACTION_COLUMNS, rows)
    return xlsx_response("actions", ACTION_COLUMNS, rows, title=_("Follow-up actions"))


# --- follow-up actions: the record page and its buttons ----------------------------------------


def _fulfilled_by(user, action: FollowUpAction):
    """The record that fulfilled the action, if the user may see it."""
    if not action.fulfilled_type_id:
        return None
    record = action.fulfilled_by
    if record is None:
        return None
    manager = type(record)._default_manager
    if hasattr(manager, "restrict") and not manager.restrict(user, VIEW).filter(pk=record.pk).exists():
        return None
    return record


def _render_action(request, pk: int, *, status: int = 200, errors=None, complete_form=None):
    user = request.user
    action = access(FollowUpAction.objects.select_related("engagement", "owner", "responsible"), user, VIEW, pk=pk)
    can_change = FollowUpAction.objects.restrict(user, CHANGE).filter(pk=action.pk).exists()
    engagement_visible = (
        action.engagement_id is not None
        and Engagement.objects.restrict(user, VIEW).filter(pk=action.engagement_id).exists()
    )
    action.due_text = due_label(action.due_on, action.due_precision)
    context = {
        "action": action,
        "engagement_visible": engagement_visible,
        "fulfilled_by": _fulfilled_by(user, action),
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE),
        "complete_form": complete_form
        or CompleteForm(user=user, initial={"done_on": timezone.localdate(), "fulfilled_by": None}),
        "action_errors": errors or [],
        "history": history(action, user=request.user),
    }
    return render(request, "engagements/action_detail.html", context, status=status)


@login_required
def action_detail(request, pk: int):
    return _render_action(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(FollowUpAction.objects, user, CHANGE, pk=pk)
    initial = {}
    if instance is None and request.GET.get("engagement", "").isdigit():
        initial["engagement"] = int(request.GET["engagement"])
    form = ActionForm(request.POST or None, instance=instance, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "loaded_at"}
        if data.get("owner") is None:
            data.pop("owner", None)
        try:
            if instance is None:
                action = services.action_create(acting_user=user, data=data)
            else:
                action = services.action_update(
                    action=instance, acting_user=user, data=data, expected_updated_at=form.loaded_version()
                )
        except ConflictError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The action “%(title)s” was saved.") % {"title": action.title})
            return redirect(_next_url(request, action))
    return render(
        request,
        "engagements/action_form.html",
        {"form": form, "action": instance, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if request.method == "POST" else 200,
    )


def _action_step(request, pk: int, act):
    """Call ``act(action)``; on refusal show the action's page with the reason and change nothing."""
    action = access(FollowUpAction.objects, request.user, CHANGE, pk=pk)
    try:
        result, message = act(action)
    except ValidationError as exc:
        return _render_action(request, pk, status=400, errors=exc.messages)
    messages.success(request, message)
    return redirect(_next_url(request, result))


@login_required
@require_POST
def action_complete(request, pk: int):
    action = access(FollowUpAction.objects, request.user, CHANGE, pk=pk)
    form = CompleteForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_action(request, pk, status=400, errors=_errors(form), complete_form=form)

    def act(action):
        done = services.action_complete(
            action=action,
            acting_user=request.user,
            done_on=form.cleaned_data["done_on"],
            fulfilled_by=form.cleaned_data["fulfilled_by"],
        )
        return done, _("The action was marked done.")

    return _action_step(request, action.pk, act)


@login_required
@require_POST
def action_cancel(request, pk: int):
    def act(action):
        return services.action_cancel(action=action, acting_user=request.user), _("The action was cancelled.")

    return _action_step(request, pk, act)


@login_required
@require_POST
def action_reopen(request, pk: int):
    def act(action):
        return services.action_reopen(action=action, acting_user=request.user), _("The action is open again.")

    return _action_step(request, pk, act)


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request, pk: int):
    action = access(FollowUpAction.objects.select_related("engagement"), request.user, DELETE, pk=pk)
    if request.method == "POST":
        services.action_delete(action=action, acting_user=request.user)
        messages.success(request, _("The action “%(title)s” was deleted.") % {"title": action.title})
        if action.engagement_id and Engagement.objects.restrict(request.user).filter(pk=action.engagement_id).exists():
            return redirect(action.engagement)
        return redirect("engagements:action_list")
    return render(
        request,
        "engagements/confirm_delete.html",
        {"object": action, "cancel_url": action.get_absolute_url(), "error": None},
    )
