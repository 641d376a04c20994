"""Agreements, the parties that signed them, each commitment they contain, and their documents."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accord.agreements.choices import (
    AgreementKind,
    AgreementStatus,
    CefrLevel,
    Direction,
    DocumentKind,
    EventKind,
    PartyRole,
    QuantityUnit,
)
from accord.agreements.isced import parse_isced_list, validate_isced_list
from accord.core.models import BaseModel
from accord.core.tenancy import RestrictedQuerySet, owner_q, prefixed_q
from accord.partners.languages import language_choices, validate_language

ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{4})$")


def parse_academic_years(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


def validate_academic_years(value: str) -> None:
    for year in parse_academic_years(value):
        match = ACADEMIC_YEAR.match(year)
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValidationError(
                _("“%(value)s” is not an academic year of the form 2025/2026."), params={"value": year}
            )


def validate_eqf_levels(value: str) -> None:
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if part and (not part.isdigit() or not 1 <= int(part) <= 8):
            raise ValidationError(_("“%(value)s” is not an EQF level (1 to 8)."), params={"value": part})


def default_lead_days() -> int:
    return settings.ACCORD_RENEWAL_LEAD_DAYS


class ActivityType(models.Model):
    """A kind of cooperation activity (student exchange, joint research…) with its labels."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_vi = models.CharField(_("label (Vietnamese)"), max_length=120, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=120, blank=True)
    label_th = models.CharField(_("label (Thai)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "en").split("-")[0]
        return getattr(self, f"label_{language}", "") or self.label_en


class Agreement(BaseModel):
    """An agreement signed (or being negotiated) by a home organisation with partners.

    Its status moves only through the lifecycle services (sign, terminate, renew, expire);
    a renewal creates a successor that points back here, so the chain of agreements is the
    history of the partnership.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=500)
    title_language = models.CharField(
        _("language of the title"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    reference = models.CharField(_("reference code"), max_length=80, blank=True)
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_agreements",
        limit_choices_to={"is_home": True},
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, editable=False
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_on = models.DateField(_("in effect from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, help_text=_("Leave empty for no end date."))
    auto_renewal = models.BooleanField(_("renews automatically"), default=False)
    renewal_lead_days = models.PositiveSmallIntegerField(
        _("renewal lead time (days)"),
        default=default_lead_days,
        help_text=_("How long before expiry the renewal should start; alerts begin then."),
    )
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
    )
    # expires_on less the lead time, kept by save() so lists can filter on the renewal window.
    renewal_starts_on = models.DateField(_("renewal starts on"), null=True, blank=True, editable=False, db_index=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, editable=False)
    termination_reason = models.TextField(_("reason for termination"), blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, default="")

    citations = GenericRelation("sources.Citation", related_query_name="agreement")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["kind"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "reference"], condition=~Q(reference=""), name="unique_agreement_reference"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    def clean(self) -> None:
        errors = {}
        if self.signed_on and self.expires_on and self.expires_on <= self.signed_on:
            errors["expires_on"] = _("The expiry date must come after the signature.")
        if self.effective_on and self.expires_on and self.expires_on <= self.effective_on:
            errors["expires_on"] = _("The expiry date must come after the date it takes effect.")
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if errors:
            raise ValidationError(errors)

    @property
    def renewal_window_starts(self) -> datetime.date | None:
        if not self.expires_on:
            return None
        return self.expires_on - datetime.timedelta(days=self.renewal_lead_days or 0)

    def save(self, *args, **kwargs):
        self.renewal_starts_on = self.renewal_window_starts
        super().save(*args, **kwargs)


class AgreementTitle(BaseModel):
    """The title of an agreement in another language."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="titles")
    language = models.CharField(_("language"), max_length=16, choices=language_choices, validators=[validate_language])
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "language"], name="unique_agreement_title_language")
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "agreement__")


class AgreementParty(BaseModel):
    """An organisation that is party to an agreement, with its role and who signed for it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices, default=PartyRole.SIGNATORY)
    signatory = models.ForeignKey(
        "partners.Person",
        verbose_name=_("signed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signed_agreements",
    )
    signatory_name = models.CharField(
        _("signatory (name and title)"),
        max_length=255,
        blank=True,
        help_text=_("When the person is not in the directory."),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organization"], name="unique_agreement_party")]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "agreement__")


class Commitment(BaseModel):
    """One clause of an agreement: what is to be done, in which direction, how much, for whom."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="commitments"
    )
    description = models.TextField(_("description"), blank=True)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.BOTH)
    quantity_per_year = models.DecimalField(
        _("quantity per year"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("A quantity cannot be negative."))],
    )
    unit = models.CharField(_("unit"), max_length=16, choices=QuantityUnit.choices, blank=True)
    academic_years = models.CharField(
        _("academic years"),
        max_length=255,
        blank=True,
        validators=[validate_academic_years],
        help_text=_("Such as 2025/2026, 2026/2027; empty for every year of the agreement."),
    )
    subject_areas = models.CharField(
        _("subject areas (ISCED-F)"),
        max_length=255,
        blank=True,
        validators=[validate_isced_list],
        help_text=_("Four-digit ISCED-F 2013 codes separated by commas, such as 0613, 0714."),
    )
    language = models.CharField(
        _("language of instruction"),
        max_length=16,
        choices=language_choices,
        blank=True,
        validators=[validate_language],
    )
    cefr_level = models.CharField(_("CEFR level"), max_length=2, choices=CefrLevel.choices, blank=True)
    eqf_levels = models.CharField(
        _("EQF levels"), max_length=40, blank=True, validators=[validate_eqf_levels], help_text=_("Such as 6, 7.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    citations = GenericRelation("sources.Citation", related_query_name="commitment")

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:80] or str(self.activity_type)

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "agreement__")

    def clean(self) -> None:
        if self.quantity_per_year is not None and not self.unit:
            raise ValidationError({"unit": _("Give the unit of the quantity.")})

    @property
    def isced_codes(self) -> list[str]:
        return parse_isced_list(self.subject_areas)

    @property
    def years(self) -> list[str]:
        return parse_academic_years(self.academic_years)


class Evidence(BaseModel):
    """Something that shows a commitment is being kept: a dated note or a link to a record.

    Later areas (mobilities, engagements) add their own links; for now a note may carry a
    quantity ("3 students went") and a URL.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="evidence")
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("A quantity cannot be negative."))],
    )
    url = models.URLField(_("link"), blank=True)
    engagement = models.ForeignKey(
        "engagements.Engagement",
        verbose_name=_("engagement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_for",
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["commitment", "happened_on"])]

    def __str__(self) -> str:
        return f"{self.happened_on}: {self.note[:60]}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "commitment__agreement__")


def document_path(instance: AgreementDocument, filename: str) -> str:
    # Files are stored under a random name; the original name is kept in the row.
    import uuid

    return f"agreements/{instance.agreement_id or 'new'}/{uuid.uuid4().hex}"


class AgreementDocument(BaseModel):
    """A signed copy, a draft or a translation of an agreement; served only to its readers."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.SIGNED)
    language = models.CharField(
        _("language"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    file = models.FileField(_("file"), upload_to=document_path)
    filename = models.CharField(_("file name"), max_length=255, editable=False)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("agreements:document_download", args=[self.agreement_id, self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "agreement__")


class AgreementEvent(models.Model):
    """A business event on an agreement's timeline (signed, renewed, expired…)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    parameters = models.JSONField(default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Agreement.tenancy_q(scope, action), "agreement__")
