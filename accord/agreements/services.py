"""Writes to agreements: creation, the lifecycle (sign, terminate, renew, expire), evidence and documents.

Every function is atomic, checks the acting user's rights, writes history through
``accord.core.services.save`` and records business events on the agreement's timeline.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.agreements.choices import AgreementStatus, EventKind
from accord.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementParty,
    AgreementTitle,
    Commitment,
    Evidence,
)
from accord.core import services as core
from accord.core.files import read_document
from accord.core.tenancy import ADD, CHANGE, DELETE
from accord.core.text import fold
from accord.partners.models import Organization

AGREEMENT_FIELDS = [
    "kind",
    "title",
    "title_language",
    "reference",
    "owner",
    "signed_on",
    "effective_on",
    "expires_on",
    "auto_renewal",
    "renewal_lead_days",
    "summary",
    "notes",
]
TITLE_FIELDS = ["language", "title"]
PARTY_FIELDS = ["organization", "role", "signatory", "signatory_name", "signed_on"]
COMMITMENT_FIELDS = [
    "activity_type",
    "description",
    "direction",
    "quantity_per_year",
    "unit",
    "academic_years",
    "subject_areas",
    "language",
    "cefr_level",
    "eqf_levels",
    "position",
]
Rows = Iterable[Mapping[str, Any]] | None


def _event(agreement: Agreement, kind: str, date: datetime.date, user, **parameters) -> AgreementEvent:
    return AgreementEvent.objects.create(
        agreement=agreement,
        kind=kind,
        date=date,
        actor=user if getattr(user, "is_authenticated", False) else None,
        parameters={k: str(v) for k, v in parameters.items()},
    )


def _require_row(user, agreement: Agreement, action: str) -> None:
    core.require_row(user, agreement, action, _("You cannot change this agreement."))


def _refresh_search(agreement: Agreement) -> None:
    parts = [agreement.title, agreement.reference, *agreement.titles.values_list("title", flat=True)]
    parts += list(agreement.parties.values_list("organization__search_text", flat=True))
    text = " | ".join(fold(p) for p in parts if p)
    Agreement.objects.filter(pk=agreement.pk).update(search_text=text)
    agreement.search_text = text


def _check_parties(agreement: Agreement) -> None:
    organizations = list(agreement.parties.values_list("organization_id", flat=True))
    if len(organizations) < 2:
        raise ValidationError({"parties": [_("An agreement has at least two parties.")]})
    if len(set(organizations)) != len(organizations):
        raise ValidationError({"parties": [_("The same organisation is given twice.")]})


def _check_rows_unique(rows: Rows) -> None:
    seen = set()
    for number, row in enumerate(rows or [], start=1):
        if row.get("DELETE"):
            continue
        org = row.get("organization")
        key = getattr(org, "pk", org)
        if key is None:
            # A row that names no organisation (an update of other fields, or a blank form
            # row) is not a duplicate; what it keeps is checked once saved.
            continue
        if key in seen:
            raise ValidationError(
                {"parties": [_("Row %(row)s: the same organisation is given twice.") % {"row": number}]}
            )
        seen.add(key)


def _check_visible_parties(user, rows: Rows) -> None:
    if user.is_superuser:
        return
    ids = {getattr(r.get("organization"), "pk", r.get("organization")) for r in rows or [] if not r.get("DELETE")}
    ids.discard(None)
    visible = set(Organization.objects.restrict(user).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - visible:
        raise ValidationError({"parties": [_("Choose the parties from the directory.")]})


def _save_children(agreement: Agreement, user, titles: Rows, parties: Rows, commitments: Rows) -> None:
    errors: dict[str, list[str]] = {}
    _check_rows_unique(parties)
    _check_visible_parties(user, parties)
    for rows, model, fields, label in (
        (titles, AgreementTitle, TITLE_FIELDS, "titles"),
        (parties, AgreementParty, PARTY_FIELDS, "parties"),
        (commitments, Commitment, COMMITMENT_FIELDS, "commitments"),
    ):
        if rows is None:
            continue
        try:
            core.sync_children(
                parent=agreement, model=model, fk_name="agreement", rows=rows, fields=fields, user=user, label=label
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    _check_parties(agreement)


def _apply(agreement: Agreement, data: Mapping[str, Any]) -> None:
    for field in AGREEMENT_FIELDS:
        if field in data:
            value = data[field]
            if value is None and field in {"kind", "title", "title_language", "reference", "summary", "notes"}:
                value = ""
            if value is None and field == "renewal_lead_days":
                value = settings.ACCORD_RENEWAL_LEAD_DAYS
            setattr(agreement, field, value)


def _check_owner(user, owner) -> None:
    core.check_owner(user, owner, _("Choose the organisation that keeps this agreement."))


def _check_reference(agreement: Agreement) -> None:
    # The database constraint would only say "constraint violated", away from the field.
    if agreement.reference and (
        Agreement.objects.filter(owner_id=agreement.owner_id, reference=agreement.reference)
        .exclude(pk=agreement.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "reference": [
                    _("Another agreement of this organisation already has the reference %(reference)s.")
                    % {"reference": agreement.reference}
                ]
            }
        )


@transaction.atomic
def agreement_create(
    *, acting_user, data: Mapping[str, Any], titles: Rows = None, parties: Rows = None, commitments: Rows = None
) -> Agreement:
    """Create a draft agreement with its parties (two or more) and commitments, all or nothing."""
    core.require(acting_user, ADD)
    agreement = Agreement(status=AgreementStatus.DRAFT)
    _apply(agreement, data)
    if agreement.owner_id is None and getattr(acting_user, "home_organization_id", None):
        agreement.owner = acting_user.home_organization
    _check_owner(acting_user, agreement.owner)
    if data.get("status") == AgreementStatus.NEGOTIATING:
        agreement.status = AgreementStatus.NEGOTIATING
    _check_reference(agreement)
    core.save(agreement, acting_user)
    _save_children(agreement, acting_user, titles, parties or [], commitments)
    _refresh_search(agreement)
    _event(agreement, EventKind.CREATED, timezone.localdate(), acting_user)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    acting_user,
    data: Mapping[str, Any],
    titles: Rows = None,
    parties: Rows = None,
    commitments: Rows = None,
    expected_updated_at=None,
) -> Agreement:
    _require_row(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    core.check_version(agreement, expected_updated_at)
    _apply(agreement, data)
    if "owner" in data:
        _check_owner(acting_user, agreement.owner)
    if data.get("status") in (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING) and agreement.status in (
        AgreementStatus.DRAFT,
        AgreementStatus.NEGOTIATING,
    ):
        agreement.status = data["status"]
    _check_reference(agreement)
    core.save(agreement, acting_user)
    _save_children(agreement, acting_user, titles, parties, commitments)
    _refresh_search(agreement)
    return agreement


@transaction.atomic
def agreement_delete(*, agreement: Agreement, acting_user) -> None:
    _require_row(acting_user, agreement, DELETE)
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING):
        raise ValidationError(_("Only drafts can be deleted; terminate a signed agreement instead."))
    if Agreement.objects.filter(predecessor=agreement).exists():
        raise ValidationError(_("This agreement was renewed; it stays in the history of the partnership."))
    for child in [
        *agreement.titles.all(),
        *agreement.parties.all(),
        *agreement.commitments.all(),
        *agreement.documents.all(),
    ]:
        core.delete(child, acting_user)
    core.delete(agreement, acting_user)


@transaction.atomic
def agreement_sign(
    *, agreement: Agreement, acting_user, signed_on: datetime.date, effective_on: datetime.date | None = None
) -> Agreement:
    """Record the signature: the agreement is active from ``effective_on`` (default: the signature).

    A renewal, once signed, supersedes the agreement it renews.
    """
    _require_row(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING):
        raise ValidationError(_("Only a draft or an agreement in negotiation can be signed."))
    _check_parties(agreement)
    agreement.signed_on = signed_on
    agreement.effective_on = effective_on or agreement.effective_on or signed_on
    agreement.status = AgreementStatus.ACTIVE
    already_expired = bool(agreement.expires_on and agreement.expires_on < timezone.localdate())
    if already_expired:
        # Recorded after the fact: the agreement ran its course before it was entered.
        agreement.status = AgreementStatus.EXPIRED
    core.save(agreement, acting_user)
    for party in agreement.parties.filter(signed_on__isnull=True):
        party.signed_on = signed_on
        core.save(party, acting_user, validate=False)
    _event(agreement, EventKind.SIGNED, signed_on, acting_user)
    if already_expired:
        _event(agreement, EventKind.EXPIRED, agreement.expires_on, acting_user)
    predecessor = agreement.predecessor
    if predecessor is not None and predecessor.status in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED):
        predecessor.status = AgreementStatus.SUPERSEDED
        core.save(predecessor, acting_user, validate=False)
        _event(predecessor, EventKind.SUPERSEDED, signed_on, acting_user, successor=agreement.pk)
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, acting_user, terminated_on: datetime.date, reason: str) -> Agreement:
    _require_row(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError(_("Only an active agreement can be terminated."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the agreement is terminated.")]})
    if agreement.signed_on and terminated_on < agreement.signed_on:
        raise ValidationError({"terminated_on": [_("The termination cannot come before the signature.")]})
    agreement.status = AgreementStatus.TERMINATED
    agreement.terminated_on = terminated_on
    agreement.termination_reason = reason.strip()
    core.save(agreement, acting_user)
    _event(agreement, EventKind.TERMINATED, terminated_on, acting_user, reason=reason.strip())
    return agreement


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    acting_user,
    expires_on: datetime.date | None,
    signed_on: datetime.date | None = None,
    title: str | None = None,
) -> Agreement:
    """Create the successor of ``agreement`` with the same parties, titles and commitments.

    The successor is a draft (or, given ``signed_on``, signed at once, which supersedes the
    old agreement). Both point at each other: the chain is the history of the partnership.
    """
    _require_row(acting_user, agreement, CHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED):
        raise ValidationError(_("Only an active or expired agreement can be renewed."))
    if Agreement.objects.filter(predecessor=agreement).exists():
        raise ValidationError(_("This agreement has already been renewed."))
    successor = Agreement(
        kind=agreement.kind,
        title=title or agreement.title,
        title_language=agreement.title_language,
        owner=agreement.owner,
        expires_on=expires_on,
        auto_renewal=agreement.auto_renewal,
        renewal_lead_days=agreement.renewal_lead_days,
        summary=agreement.summary,
        predecessor=agreement,
        status=AgreementStatus.DRAFT,
    )
    core.save(successor, acting_user)
    for t in agreement.titles.all():
        core.save(AgreementTitle(agreement=successor, language=t.language, title=t.title), acting_user)
    for p in agreement.parties.all():
        core.save(
            AgreementParty(
                agreement=successor,
                organization_id=p.organization_id,
                role=p.role,
                signatory_id=p.signatory_id,
                signatory_name=p.signatory_name,
            ),
            acting_user,
        )
    for c in agreement.commitments.all():
        copy = Commitment(agreement=successor, **{f: getattr(c, f) for f in COMMITMENT_FIELDS})
        core.save(copy, acting_user)
    _refresh_search(successor)
    today = timezone.localdate()
    _event(successor, EventKind.CREATED, today, acting_user, renews=agreement.pk)
    _event(agreement, EventKind.RENEWED, today, acting_user, successor=successor.pk)
    if signed_on:
        successor = agreement_sign(agreement=successor, acting_user=acting_user, signed_on=signed_on)
    return successor


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _term_extender(effective_on: datetime.date, expires_on: datetime.date):
    """How one more term of the agreement extends an expiry date.

    Terms are usually whole months or years, written to the day before the anniversary
    (15 March 2021 to 14 March 2026) or to the anniversary itself (1 January 2023 to
    1 January 2025); those are extended in calendar months, so that leap days do not move
    the date. Any other term is extended by its number of days.
    """
    for shift in (datetime.timedelta(days=1), datetime.timedelta(0)):
        end = expires_on + shift
        months = (end.year - effective_on.year) * 12 + end.month - effective_on.month
        if months > 0 and _add_months(effective_on, months) == end:
            return lambda day, shift=shift, months=months: _add_months(day + shift, months) - shift
    term = datetime.timedelta(days=max((expires_on - effective_on).days, 1))
    return lambda day: day + term


@transaction.atomic
def agreement_expire_due(*, today: datetime.date | None = None) -> dict[str, int]:
    """Expire active agreements past their date; extend those that renew automatically.

    Run daily by the renewal job; a second run the same day changes nothing.
    """
    today = today or timezone.localdate()
    counts = {"expired": 0, "auto_renewed": 0}
    due = Agreement.objects.select_for_update().filter(status=AgreementStatus.ACTIVE, expires_on__lt=today)
    for agreement in due:
        if agreement.auto_renewal and agreement.effective_on:
            next_term = _term_extender(agreement.effective_on, agreement.expires_on)
            old = agreement.expires_on
            while agreement.expires_on < today:
                agreement.expires_on = next_term(agreement.expires_on)
            core.save(agreement, None, validate=False)
            _event(agreement, EventKind.AUTO_RENEWED, old, None, until=agreement.expires_on)
            counts["auto_renewed"] += 1
        else:
            agreement.status = AgreementStatus.EXPIRED
            core.save(agreement, None, validate=False)
            _event(agreement, EventKind.EXPIRED, agreement.expires_on, None)
            counts["expired"] += 1
    return counts


@transaction.atomic
def evidence_add(*, commitment: Commitment, acting_user, data: Mapping[str, Any]) -> Evidence:
    _require_row(acting_user, commitment.agreement, CHANGE)
    evidence = Evidence(commitment=commitment)
    for field in ("happened_on", "note", "quantity", "url"):
        if field in data:
            setattr(evidence, field, data[field] if data[field] is not None or field == "quantity" else "")
    engagement = data.get("engagement")
    if engagement is not None:
        # An engagement held under the commitment is evidence of it; it must be one the user can see.
        from accord.engagements.models import Engagement

        if (
            not acting_user.is_superuser
            and not Engagement.objects.restrict(acting_user).filter(pk=engagement.pk).exists()
        ):
            raise ValidationError({"engagement": [_("Choose an engagement you can see.")]})
        evidence.engagement = engagement
        if evidence.happened_on is None:
            evidence.happened_on = engagement.starts_on
        if not evidence.note:
            evidence.note = engagement.title
    return core.save(evidence, acting_user)


@transaction.atomic
def evidence_delete(*, evidence: Evidence, acting_user) -> None:
    _require_row(acting_user, evidence.commitment.agreement, CHANGE)
    core.delete(evidence, acting_user)


@transaction.atomic
def document_add(*, agreement: Agreement, acting_user, upload, kind: str, language: str = "") -> AgreementDocument:
    """Attach a PDF, DOCX, PNG or JPEG, recognised by its content, within the size limit."""
    _require_row(acting_user, agreement, CHANGE)
    data, content_type = read_document(upload)
    document = AgreementDocument(
        agreement=agreement,
        kind=kind,
        language=language or "",
        filename=(upload.name or "document").rsplit("/", 1)[-1][:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    document.file.save(document.filename, ContentFile(data), save=False)
    try:
        core.save(document, acting_user, exclude=["file"])
    except ValidationError:
        document.file.delete(save=False)
        raise
    _event(agreement, EventKind.DOCUMENT_ADDED, timezone.localdate(), acting_user, document=document.filename)
    return document


@transaction.atomic
def document_delete(*, document: AgreementDocument, acting_user) -> None:
    _require_row(acting_user, document.agreement, CHANGE)
    stored = document.file.name
    core.delete(document, acting_user)
    storage = document.file.storage
    transaction.on_commit(lambda: storage.delete(stored))
