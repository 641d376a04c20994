"""Writes to programmes, calls, applications, the selection, and mobilities with their status."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.tenancy import ADD, CHANGE, DELETE
from accord.core.text import fold
from accord.mobility import selection
from accord.mobility.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallStatus,
    Category,
    Direction,
    Mobility,
    MobilityStatus,
    Programme,
)
from accord.partners.models import Organization, Person

PROGRAMME_FIELDS = [
    "name",
    "kind",
    "owner",
    "funder",
    "years_home",
    "years_abroad",
    "degree",
    "degree_note",
    "level",
    "subject_areas",
    "language",
    "starts_on",
    "ends_on",
    "description",
]
CALL_FIELDS = [
    "programme",
    "title",
    "academic_year",
    "host",
    "agreement",
    "commitment",
    "allocation",
    "places",
    "opens_on",
    "closes_on",
    "mobility_starts_on",
    "mobility_ends_on",
    "gpa_scale",
    "min_gpa",
    "min_cefr",
    "subject_areas",
    "levels",
    "weight_gpa",
    "weight_language",
    "weight_interview",
    "weight_other",
    "other_label",
    "description",
]
APPLICATION_FIELDS = [
    "full_name",
    "email",
    "student_number",
    "date_of_birth",
    "gender",
    "fictitious",
    "home_unit",
    "level",
    "subject_area",
    "gpa",
    "language_certificate",
    "language_level",
    "interview_score",
    "other_score",
    "submitted_on",
    "note",
]
MOBILITY_FIELDS = [
    "owner",
    "direction",
    "category",
    "full_name",
    "email",
    "student_number",
    "date_of_birth",
    "gender",
    "nationality",
    "fictitious",
    "person",
    "home_organization",
    "host_organization",
    "programme",
    "agreement",
    "commitment",
    "allocation",
    "funding_amount",
    "funding_note",
    "level",
    "subject_area",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "note",
]
_BLANK_WHEN_NONE = {
    "degree",
    "degree_note",
    "level",
    "subject_areas",
    "language",
    "description",
    "min_cefr",
    "levels",
    "other_label",
    "email",
    "student_number",
    "gender",
    "language_certificate",
    "language_level",
    "note",
    "nationality",
    "funding_note",
    "subject_area",
}


class QuotaExceeded(ValidationError):
    """Linking this record would use more of an allocation than remains; the form asks to confirm.

    ``code`` is "quota_exceeded" on the exception and on its message for ``allocation``.
    """

    code = "quota_exceeded"


def _pk(value):
    return getattr(value, "pk", value)


def _apply(obj, fields, data: Mapping[str, Any]) -> None:
    for field in fields:
        if field in data:
            value = data[field]
            if value is None and field in _BLANK_WHEN_NONE:
                value = ""
            setattr(obj, field, value)


def _visible_links(user, obj, links: dict[str, Any]) -> None:
    from accord.agreements.models import Agreement, Commitment
    from accord.funding.models import Allocation

    models = {
        "funder": Organization,
        "host": Organization,
        "home_unit": Organization,
        "home_organization": Organization,
        "host_organization": Organization,
        "programme": Programme,
        "agreement": Agreement,
        "commitment": Commitment,
        "allocation": Allocation,
        "person": Person,
    }
    for field in links:
        core.require_visible(user, models[field], [getattr(obj, f"{field}_id")], field)


# Programmes ------------------------------------------------------------------------------


def _refresh_programme_search(programme: Programme) -> None:
    parts = [programme.name, programme.description[:500]]
    parts += list(programme.partners.values_list("name", flat=True))
    text = " | ".join(fold(p) for p in parts if p)
    Programme.objects.filter(pk=programme.pk).update(search_text=text)
    programme.search_text = text


def _set_programme_links(programme: Programme, user, partners, agreements, commitments) -> None:
    from accord.agreements.models import Agreement, Commitment

    for values, model, field in (
        (partners, Organization, "partners"),
        (agreements, Agreement, "agreements"),
        (commitments, Commitment, "commitments"),
    ):
        if values is None:
            continue
        ids = [_pk(v) for v in values]
        core.require_visible(user, model, ids, field)
        getattr(programme, field).set(ids)


@transaction.atomic
def programme_create(*, acting_user, data: Mapping[str, Any], partners=None, agreements=None, commitments=None):
    core.require(acting_user, ADD)
    programme = Programme()
    _apply(programme, PROGRAMME_FIELDS, data)
    if programme.owner_id is None and getattr(acting_user, "home_organization_id", None):
        programme.owner = acting_user.home_organization
    core.check_owner(acting_user, programme.owner)
    _visible_links(acting_user, programme, {"funder": 1})
    core.save(programme, acting_user)
    _set_programme_links(programme, acting_user, partners, agreements, commitments)
    _refresh_programme_search(programme)
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    acting_user,
    data: Mapping[str, Any],
    partners=None,
    agreements=None,
    commitments=None,
    expected_updated_at=None,
) -> Programme:
    core.require_row(acting_user, programme, CHANGE)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    core.check_version(programme, expected_updated_at)
    _apply(programme, PROGRAMME_FIELDS, data)
    if "owner" in data:
        core.check_owner(acting_user, programme.owner)
    if "funder" in data:
        _visible_links(acting_user, programme, {"funder": 1})
    core.save(programme, acting_user)
    _set_programme_links(programme, acting_user, partners, agreements, commitments)
    _refresh_programme_search(programme)
    return programme


@transaction.atomic
def programme_delete(*, programme: Programme, acting_user) -> None:
    core.require_row(acting_user, programme, DELETE)
    if programme.calls.exists():
        raise ValidationError(_("Calls were made for this programme; delete them first."))
    core.delete(programme, acting_user)


# Calls -----------------------------------------------------------------------------------


def _check_call_links(user, call: Call, data: Mapping[str, Any]) -> None:
    _visible_links(user, call, {f: 1 for f in ("host", "agreement", "commitment", "allocation") if f in data})
    if "programme" in data:
        core.require_visible(user, Programme, [call.programme_id], "programme")
    if call.commitment_id and call.agreement_id and call.commitment.agreement_id != call.agreement_id:
        raise ValidationError({"commitment": [_("This commitment belongs to another agreement.")]})


@transaction.atomic
def call_create(*, acting_user, data: Mapping[str, Any]) -> Call:
    core.require(acting_user, ADD)
    call = Call()
    _apply(call, CALL_FIELDS, data)
    if call.programme_id is None:
        raise ValidationError({"programme": [_("Choose the programme of the call.")]})
    core.require_visible(acting_user, Programme, [call.programme_id], "programme")
    call.owner = call.programme.owner
    core.check_owner(acting_user, call.owner)
    _check_call_links(acting_user, call, data)
    return core.save(call, acting_user)


def _require_unconfirmed(call: Call) -> None:
    if call.status == CallStatus.CONFIRMED:
        raise ValidationError(_("The selection of this call is confirmed; it can no longer change."))


@transaction.atomic
def call_update(*, call: Call, acting_user, data: Mapping[str, Any], expected_updated_at=None) -> Call:
    core.require_row(acting_user, call, CHANGE)
    call = Call.objects.select_for_update().get(pk=call.pk)
    core.check_version(call, expected_updated_at)
    _require_unconfirmed(call)
    _apply(call, CALL_FIELDS, data)
    if "programme" in data:
        core.require_visible(acting_user, Programme, [call.programme_id], "programme")
        call.owner = call.programme.owner
        core.check_owner(acting_user, call.owner)
    _check_call_links(acting_user, call, data)
    if call.gpa_scale is not None:
        highest = (
            call.applications.filter(gpa__gt=call.gpa_scale).order_by("-gpa").values_list("gpa", flat=True).first()
        )
        if highest is not None:
            raise ValidationError(
                {
                    "gpa_scale": [
                        _("An application gives a GPA of %(gpa)s; the scale cannot be lower.")
                        % {"gpa": f"{highest.normalize():f}"}
                    ]
                }
            )
    call = core.save(call, acting_user)
    _reset_selection(call, acting_user)
    return call


@transaction.atomic
def call_delete(*, call: Call, acting_user) -> None:
    core.require_row(acting_user, call, DELETE)
    if Mobility.objects.filter(application__call=call).exists():
        raise ValidationError(_("Mobilities were created from this call; it cannot be deleted."))
    for application in call.applications.all():
        _delete_application(application, acting_user)
    core.delete(call, acting_user)


# Applications ----------------------------------------------------------------------------


def _check_unique(application: Application) -> None:
    """One application per person and call: the same student number, or the same e-mail (in any case),
    or, for applicants given with neither, the same name and birth date, is the same person."""
    others = Application.objects.filter(call_id=application.call_id).exclude(pk=application.pk)
    number = (application.student_number or "").strip()
    email = (application.email or "").strip()
    if number and others.filter(student_number__iexact=number).exists():
        raise ValidationError(
            {"student_number": [_("An application with this student number was already made to this call.")]}
        )
    if email and others.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An application with this e-mail was already made to this call.")]})
    key = Application.key_for(number, email, application.full_name, application.date_of_birth)
    if others.filter(applicant_key=key).exists():
        field = {"n": "student_number", "e": "email"}.get(key[0], "full_name")
        raise ValidationError(
            {field: [_("This applicant has already applied to this call (same student number, e-mail or name).")]}
        )


@transaction.atomic
def application_create(*, acting_user, call: Call, data: Mapping[str, Any]) -> Application:
    core.require_row(acting_user, call, CHANGE, _("You cannot add applications to this call."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    _require_unconfirmed(call)
    application = Application(call=call)
    _apply(application, APPLICATION_FIELDS, data)
    if "home_unit" in data:
        _visible_links(acting_user, application, {"home_unit": 1})
    application.full_clean(validate_constraints=False)
    _check_unique(application)
    core.save(application, acting_user, validate=False)
    _reset_selection(call, acting_user)
    return application


@transaction.atomic
def application_update(
    *, application: Application, acting_user, data: Mapping[str, Any], expected_updated_at=None
) -> Application:
    core.require_row(acting_user, application, CHANGE)
    call = Call.objects.select_for_update().get(pk=application.call_id)
    _require_unconfirmed(call)
    application = Application.objects.select_for_update().get(pk=application.pk)
    core.check_version(application, expected_updated_at)
    _apply(application, APPLICATION_FIELDS, data)
    if "home_unit" in data:
        _visible_links(acting_user, application, {"home_unit": 1})
    application.full_clean(validate_constraints=False)
    _check_unique(application)
    core.save(application, acting_user, validate=False)
    _reset_selection(call, acting_user)
    return application


def _delete_application(application: Application, user) -> None:
    for document in application.documents.all():
        document.file.delete(save=False)
        core.delete(document, user)
    core.delete(application, user)


@transaction.atomic
def application_delete(*, application: Application, acting_user) -> None:
    core.require_row(acting_user, application, DELETE)
    call = Call.objects.select_for_update().get(pk=application.call_id)
    _require_unconfirmed(call)
    _delete_application(application, acting_user)
    _reset_selection(call, acting_user)


@transaction.atomic
def application_document_add(*, application: Application, acting_user, upload) -> ApplicationDocument:
    from accord.core.files import read_document

    core.require_row(acting_user, application, CHANGE)
    data, content_type = read_document(upload)
    document = ApplicationDocument(
        application=application, name=upload.name[:255], content_type=content_type, size=len(data)
    )
    from django.core.files.base import ContentFile

    document.file.save(upload.name, ContentFile(data), save=False)
    return core.save(document, acting_user)


@transaction.atomic
def application_document_delete(*, document: ApplicationDocument, acting_user) -> None:
    core.require_row(acting_user, document, DELETE)
    document.file.delete(save=False)
    core.delete(document, acting_user)


# Selection -------------------------------------------------------------------------------


def rules_of(call: Call) -> selection.Rules:
    from accord.agreements.isced import parse_isced_list

    return selection.Rules(
        places=call.places,
        gpa_scale=call.gpa_scale,
        weights=call.weights,
        min_gpa=call.min_gpa,
        min_cefr=call.min_cefr,
        subject_areas=tuple(parse_isced_list(call.subject_areas)),
        levels=tuple(call.level_list),
    )


def candidate_of(application: Application) -> selection.Candidate:
    return selection.Candidate(
        id=application.pk,
        submitted_on=application.submitted_on,
        gpa=application.gpa,
        language_level=application.language_level,
        interview_score=application.interview_score,
        other_score=application.other_score,
        subject_area=application.subject_area,
        level=application.level,
    )


def _reset_selection(call: Call, user) -> None:
    """A change to the call or its applications makes a proposed selection stale: it is cleared."""
    if call.status != CallStatus.SELECTED:
        return
    Application.objects.filter(call=call).exclude(status=ApplicationStatus.WITHDRAWN).update(
        status=ApplicationStatus.SUBMITTED, score=None, rank=None, explanation={}
    )
    call.status = CallStatus.OPEN
    call.selected_at = None
    call.selected_by = None
    core.save(call, user, validate=False)


@transaction.atomic
def _write_outcomes(outcomes: list[selection.Outcome]) -> None:
    """Store each application's outcome with one parameterised UPDATE by primary key, sent as a batch.

    ``bulk_update`` writes an ``UPDATE … CASE WHEN id = …`` whose cost grows with the square of the
    rows per statement (10,000 applications took seconds on SQLite and minutes on PostgreSQL);
    ``executemany`` of a one-row UPDATE is linear. ``updated_at`` is moved on, as a save would,
    so that an edit form opened before the selection sees that the application changed.
    """
    from django.db import connection

    fields = {name: Application._meta.get_field(name) for name in ("status", "score", "rank", "explanation")}
    updated = Application._meta.get_field("updated_at")
    now = updated.get_db_prep_save(timezone.now(), connection)
    table, quote = Application._meta.db_table, connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields.values())
    sql = f"UPDATE {quote(table)} SET {columns}, {quote(updated.column)} = %s WHERE {quote(Application._meta.pk.column)} = %s"
    prep = {name: field.get_db_prep_save for name, field in fields.items()}
    rows = [
        (
            prep["status"](outcome.status, connection),
            prep["score"](outcome.score, connection),
            prep["rank"](outcome.rank, connection),
            prep["explanation"](outcome.as_json(), connection),
            now,
            outcome.id,
        )
        for outcome in outcomes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def selection_run(*, call: Call, acting_user, today: datetime.date | None = None) -> list[selection.Outcome]:
    """Score, rank and select; may be run again until the selection is confirmed."""
    core.require_row(acting_user, call, CHANGE)
    call = Call.objects.select_for_update().get(pk=call.pk)
    _require_unconfirmed(call)
    applications = list(call.applications.exclude(status=ApplicationStatus.WITHDRAWN))
    if not applications:
        raise ValidationError(_("There are no applications to select from."))
    outcomes = selection.select([candidate_of(a) for a in applications], rules_of(call))
    _write_outcomes(outcomes)
    call.status = CallStatus.SELECTED
    call.selected_at = timezone.now()
    call.selected_by = acting_user
    core.save(call, acting_user, validate=False)
    return outcomes


def _nominate(call: Call, application: Application, user) -> Mobility:
    programme = call.programme
    host = call.host or programme.partners.order_by("name").first()
    if host is None:
        raise ValidationError({"host": [_("Give the call's host institution (or the programme's partners) first.")]})
    start = call.mobility_starts_on or programme.starts_on or call.closes_on
    end = call.mobility_ends_on or start
    mobility = Mobility(
        owner=call.owner,
        direction=Direction.OUTGOING,
        category=Category.STUDENT,
        full_name=application.full_name,
        email=application.email,
        student_number=application.student_number,
        date_of_birth=application.date_of_birth,
        gender=application.gender,
        fictitious=application.fictitious,
        home_organization=application.home_unit or call.owner,
        host_organization=host,
        programme=programme,
        agreement=call.agreement,
        commitment=call.commitment,
        allocation=call.allocation,
        application=application,
        level=application.level,
        subject_area=application.subject_area,
        planned_start=start,
        planned_end=end,
    )
    core.save(mobility, user)
    application.status = ApplicationStatus.NOMINATED
    core.save(application, user, validate=False)
    return mobility


@transaction.atomic
def selection_confirm(*, call: Call, acting_user) -> list[Mobility]:
    """Confirm the proposed selection and nominate the selected: each gets an outgoing mobility."""
    core.require_row(acting_user, call, CHANGE)
    call = Call.objects.select_for_update(of=("self",)).select_related("programme", "host").get(pk=call.pk)
    if call.status != CallStatus.SELECTED:
        raise ValidationError(_("Run the selection before confirming it."))
    mobilities = [
        _nominate(call, application, acting_user)
        for application in call.applications.filter(status=ApplicationStatus.SELECTED).order_by("rank")
    ]
    call.status = CallStatus.CONFIRMED
    call.confirmed_at = timezone.now()
    call.confirmed_by = acting_user
    core.save(call, acting_user, validate=False)
    return mobilities


@transaction.atomic
def application_withdraw(*, application: Application, acting_user, reason: str = "") -> Application | None:
    """An applicant steps back; after confirmation, the first on the waiting list is nominated instead.

    Returns the application nominated in its place, if any.
    """
    core.require_row(acting_user, application, CHANGE)
    call = Call.objects.select_for_update(of=("self",)).select_related("programme", "host").get(pk=application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ValidationError(_("This application is already withdrawn."))
    was_placed = application.status in {ApplicationStatus.SELECTED, ApplicationStatus.NOMINATED}
    mobility = Mobility.objects.filter(application=application).first()
    if mobility is not None and mobility.status != MobilityStatus.CANCELLED:
        mobility_cancel(mobility=mobility, acting_user=acting_user, reason=reason or _("Application withdrawn."))
    application.status = ApplicationStatus.WITHDRAWN
    application.rank = None
    core.save(application, acting_user, validate=False)
    if call.status == CallStatus.SELECTED:
        _reset_selection(call, acting_user)
        return None
    if call.status != CallStatus.CONFIRMED or not was_placed:
        return None
    successor = call.applications.filter(status=ApplicationStatus.WAITLISTED).order_by("rank").first()
    if successor is None:
        return None
    _nominate(call, successor, acting_user)
    return successor


# Mobilities ------------------------------------------------------------------------------


def _check_quota(mobility: Mobility, allow_over_quota: bool) -> None:
    from accord.funding.models import AllocationUnit
    from accord.funding.selectors import usage_for

    if not mobility.allocation_id or allow_over_quota or mobility.status == MobilityStatus.CANCELLED:
        return
    allocation = mobility.allocation
    usage = usage_for([allocation])[allocation.pk]
    if usage.remaining < 0:
        unit = allocation.scheme.unit
        need = mobility.funding_amount or 0 if unit == AllocationUnit.AMOUNT else 1
        message = _(
            "This goes beyond the allocation to %(recipient)s: %(quantity)s, of which %(left)s remained "
            "before this (needed: %(need)s). Confirm to record it anyway."
        ) % {
            "recipient": allocation.recipient,
            "quantity": f"{usage.quantity.normalize():f}",
            "left": f"{(usage.remaining + need).normalize():f}",
            "need": f"{Decimal(need).normalize():f}",
        }
        raise QuotaExceeded({"allocation": [ValidationError(message, code="quota_exceeded")]})


def _check_mobility_links(user, mobility: Mobility, data: Mapping[str, Any]) -> None:
    _visible_links(
        user,
        mobility,
        {
            f: 1
            for f in (
                "home_organization",
                "host_organization",
                "programme",
                "agreement",
                "commitment",
                "allocation",
                "person",
            )
            if f in data
        },
    )


def _new_mobility(acting_user, data: Mapping[str, Any]) -> Mobility:
    """A mobility of ``data``, kept by the user's organisation unless told otherwise (checked)."""
    mobility = Mobility()
    _apply(mobility, MOBILITY_FIELDS, data)
    if mobility.owner_id is None and getattr(acting_user, "home_organization_id", None):
        mobility.owner = acting_user.home_organization
    core.check_owner(acting_user, mobility.owner)
    # An outgoing stay is sent by the owner unless told otherwise; an incoming one is hosted by it.
    if mobility.direction == Direction.OUTGOING and not mobility.home_organization_id:
        mobility.home_organization = mobility.owner
    if mobility.direction == Direction.INCOMING and not mobility.host_organization_id:
        mobility.host_organization = mobility.owner
    return mobility


@transaction.atomic
def mobility_create(*, acting_user, data: Mapping[str, Any], allow_over_quota: bool = False) -> Mobility:
    core.require(acting_user, ADD)
    mobility = _new_mobility(acting_user, data)
    _check_mobility_links(acting_user, mobility, data)
    _lock_allocation(mobility)
    core.save(mobility, acting_user)
    _check_quota(mobility, allow_over_quota)
    return mobility


MOBILITY_LINKS = (
    "home_organization",
    "host_organization",
    "programme",
    "agreement",
    "commitment",
    "allocation",
    "person",
)
VISIBLE_BATCH = 5000  # ids per query (SQLite takes at most 32,766 parameters)


def _visible_ids(user, model, ids: set[int]) -> set[int]:
    ids = sorted(ids)
    seen: set[int] = set()
    for start in range(0, len(ids), VISIBLE_BATCH):
        batch = ids[start : start + VISIBLE_BATCH]
        seen.update(model._default_manager.restrict(user).filter(pk__in=batch).values_list("pk", flat=True))
    return seen


@transaction.atomic
def mobility_create_many(
    *, acting_user, rows: list[tuple[int, Mapping[str, Any]]]
) -> tuple[list[Mobility], list[tuple[int, Exception]]]:
    """Many mobilities at once (an import): each row checked by the rules of ``mobility_create``,
    the valid ones written together.

    Returns the mobilities created and, for each refused row, its number and the error
    (``ValidationError`` or ``PermissionDenied``). The links are checked in one query per kind
    of link for all the rows, not row by row; a row linked to a quota (an allocation) goes
    through ``mobility_create``, which locks the allocation and checks the room left. The caller
    decides whether to keep anything when a row was refused (the import keeps all or nothing).
    """
    from simple_history.utils import bulk_create_with_history

    core.require(acting_user, ADD)
    fields = {f: Mobility._meta.get_field(f).related_model for f in MOBILITY_LINKS}
    wanted: dict[str, set[int]] = {f: set() for f in MOBILITY_LINKS}
    for _number, data in rows:
        for f in MOBILITY_LINKS:
            if data.get(f) is not None:
                wanted[f].add(data[f].pk)
    visible = {
        f: (ids if acting_user.is_superuser else _visible_ids(acting_user, fields[f], ids))
        for f, ids in wanted.items()
        if ids
    }
    created: list[Mobility] = []
    errors: list[tuple[int, Exception]] = []
    for number, data in rows:
        if data.get("allocation") is not None:
            try:
                with transaction.atomic():
                    created.append(mobility_create(acting_user=acting_user, data=data))
            except (ValidationError, PermissionDenied) as exc:
                errors.append((number, exc))
            continue
        try:
            mobility = _new_mobility(acting_user, data)
            hidden = [f for f in MOBILITY_LINKS if data.get(f) is not None and data[f].pk not in visible[f]]
            if hidden:
                raise ValidationError({f: [_("Choose from the records you can see.")] for f in hidden})
            # The links were checked above against what the user may see, and the organisations put in
            # by default are the owner, checked against the user's scope: their existence is not asked again.
            linked = [f for f in MOBILITY_LINKS if getattr(mobility, f"{f}_id") is not None]
            mobility.full_clean(exclude=["owner", *linked])
        except (ValidationError, PermissionDenied) as exc:
            errors.append((number, exc))
            continue
        mobility.derive()
        created.append(mobility)
    fresh = [m for m in created if m.pk is None]
    if fresh:
        now = timezone.now()
        for mobility in fresh:
            mobility.created_at = mobility.updated_at = now
        user = acting_user if getattr(acting_user, "is_authenticated", False) else None
        bulk_create_with_history(fresh, Mobility, batch_size=1000, default_user=user, default_date=now)
    return created, errors


def _lock_allocation(mobility: Mobility) -> None:
    from accord.funding.models import Allocation

    if mobility.allocation_id:
        Allocation.objects.select_for_update().filter(pk=mobility.allocation_id).first()


@transaction.atomic
def mobility_update(
    *, mobility: Mobility, acting_user, data: Mapping[str, Any], expected_updated_at=None, allow_over_quota=False
) -> Mobility:
    core.require_row(acting_user, mobility, CHANGE)
    mobility = Mobility.objects.select_for_update().get(pk=mobility.pk)
    core.check_version(mobility, expected_updated_at)
    old_allocation, old_amount = mobility.allocation_id, mobility.funding_amount
    _apply(mobility, MOBILITY_FIELDS, data)
    if "owner" in data:
        core.check_owner(acting_user, mobility.owner)
    _check_mobility_links(acting_user, mobility, data)
    _lock_allocation(mobility)
    core.save(mobility, acting_user)
    # A new allocation, or more money from an allocation counted in amounts, may go beyond it.
    more_money = (
        mobility.allocation_id is not None
        and (mobility.funding_amount or 0) > (old_amount or 0)
        and mobility.allocation.scheme.unit == "amount"
    )
    if mobility.allocation_id != old_allocation or more_money:
        _check_quota(mobility, allow_over_quota)
    return mobility


@transaction.atomic
def mobility_delete(*, mobility: Mobility, acting_user) -> None:
    core.require_row(acting_user, mobility, DELETE)
    application = mobility.application
    core.delete(mobility, acting_user)
    if application is not None and application.status == ApplicationStatus.NOMINATED:
        application.status = ApplicationStatus.SELECTED
        core.save(application, acting_user, validate=False)


TRANSITIONS = {
    "confirm": ({MobilityStatus.NOMINATED}, MobilityStatus.CONFIRMED),
    "start": ({MobilityStatus.NOMINATED, MobilityStatus.CONFIRMED}, MobilityStatus.ONGOING),
    "complete": ({MobilityStatus.ONGOING}, MobilityStatus.COMPLETED),
    "cancel": (
        {MobilityStatus.NOMINATED, MobilityStatus.CONFIRMED, MobilityStatus.ONGOING},
        MobilityStatus.CANCELLED,
    ),
}


def allowed_transitions(mobility: Mobility) -> list[str]:
    return [name for name, (sources, _target) in TRANSITIONS.items() if mobility.status in sources]


def _transition(mobility: Mobility, user, name: str) -> Mobility:
    core.require_row(user, mobility, CHANGE)
    mobility = Mobility.objects.select_for_update().get(pk=mobility.pk)
    sources, target = TRANSITIONS[name]
    if mobility.status not in sources:
        raise ValidationError(
            _("A mobility that is %(status)s cannot be %(action)s.")
            % {"status": mobility.get_status_display().lower(), "action": _TRANSITION_LABELS[name]()}
        )
    mobility.status = target
    return mobility


_TRANSITION_LABELS = {
    "confirm": lambda: _("confirmed"),
    "start": lambda: _("started"),
    "complete": lambda: _("completed"),
    "cancel": lambda: _("cancelled"),
}


@transaction.atomic
def mobility_confirm(*, mobility: Mobility, acting_user) -> Mobility:
    mobility = _transition(mobility, acting_user, "confirm")
    return core.save(mobility, acting_user)


@transaction.atomic
def mobility_start(*, mobility: Mobility, acting_user, started_on: datetime.date | None = None) -> Mobility:
    mobility = _transition(mobility, acting_user, "start")
    mobility.actual_start = started_on or mobility.actual_start or mobility.planned_start
    return core.save(mobility, acting_user)


@transaction.atomic
def mobility_complete(*, mobility: Mobility, acting_user, ended_on: datetime.date | None = None) -> Mobility:
    mobility = _transition(mobility, acting_user, "complete")
    mobility.actual_end = ended_on or mobility.actual_end or mobility.planned_end
    return core.save(mobility, acting_user)


@transaction.atomic
def mobility_cancel(*, mobility: Mobility, acting_user, reason: str) -> Mobility:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the mobility is cancelled.")]})
    mobility = _transition(mobility, acting_user, "cancel")
    mobility.cancellation_reason = reason.strip()
    return core.save(mobility, acting_user)
