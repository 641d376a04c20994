"""Engagements (delegations, working sessions, conferences…), who took part, and the follow-up actions."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.core.models import BaseModel
from accord.core.tenancy import RestrictedQuerySet, owner_q, prefixed_q
from accord.partners import geo
from accord.partners.languages import language_choices, validate_language


class EngagementKind(models.TextChoices):
    INCOMING_DELEGATION = "incoming_delegation", _("Incoming delegation")
    OUTGOING_DELEGATION = "outgoing_delegation", _("Outgoing delegation / visit")
    WORKING_SESSION = "working_session", _("Working session")
    CONFERENCE = "conference", _("Conference")
    SIGNING_CEREMONY = "signing_ceremony", _("Signing ceremony")
    SITE_VISIT = "site_visit", _("Site visit")
    CULTURAL_EXCHANGE = "cultural_exchange", _("Cultural exchange")
    JOINT_CLASS = "joint_class", _("Joint class")
    TRAINING_COURSE = "training_course", _("Training course")
    WEBINAR = "webinar", _("Webinar")
    OTHER = "other", _("Other")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact dates")
    MONTH = "month", _("Month only")


class EngagementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class OrganizationRole(models.TextChoices):
    HOST = "host", _("Host")
    GUEST = "guest", _("Guest")
    CO_ORGANISER = "co_organiser", _("Co-organiser")
    CHAIR = "chair", _("Chair")


class ParticipantRole(models.TextChoices):
    HEAD = "head", _("Head of delegation")
    MEMBER = "member", _("Member")
    HOST_REPRESENTATIVE = "host_representative", _("Host representative")
    SPEAKER = "speaker", _("Speaker")
    TRAINEE = "trainee", _("Trainee")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


def end_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class EngagementSeries(BaseModel):
    """Engagements that recur (annual activities with Japanese partners)."""

    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        "partners.Organization", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_series"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)


class Engagement(BaseModel):
    """A delegation's visit, a working session, a conference, a ceremony, a course…

    Dates are a day, a range, or (for what is planned) only a month: ``precision`` says which,
    and a month is stored as its first and last day.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=EngagementKind.choices)
    title = models.CharField(_("title"), max_length=500)
    title_language = models.CharField(
        _("language of the title"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_engagements",
        limit_choices_to={"is_home": True},
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    precision = models.CharField(_("dates"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[geo.validate_country])
    online = models.BooleanField(_("online"), default=False)
    host = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_engagements",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
    )
    allocation = models.ForeignKey(
        "funding.Allocation",
        verbose_name=_("quota used"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
        help_text=_("A training course under a quota: its participants count against it."),
    )
    series = models.ForeignKey(
        EngagementSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    headcount = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    agreements = models.ManyToManyField(
        "agreements.Agreement", verbose_name=_("agreements signed there"), blank=True, related_name="signed_at"
    )
    search_text = models.TextField(editable=False, default="")

    citations = GenericRelation("sources.Citation", related_query_name="engagement")

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["owner", "starts_on"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagements:engagement_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    def clean(self) -> None:
        errors = {}
        if self.precision == DatePrecision.MONTH and self.starts_on:
            self.starts_on = self.starts_on.replace(day=1)
            self.ends_on = end_of_month(self.starts_on) if not self.ends_on else end_of_month(self.ends_on)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = _("An engagement cannot be part of itself.")
        if errors:
            raise ValidationError(errors)

    @property
    def last_day(self) -> datetime.date:
        return self.ends_on or self.starts_on

    @property
    def status(self) -> str:
        if self.cancelled:
            return EngagementStatus.CANCELLED
        return EngagementStatus.HELD if self.last_day < timezone.localdate() else EngagementStatus.PLANNED


class EngagementTitle(BaseModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="titles")
    language = models.CharField(_("language"), max_length=16, choices=language_choices, validators=[validate_language])
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        constraints = [models.UniqueConstraint(fields=["engagement", "language"], name="unique_engagement_title")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Engagement.tenancy_q(scope, action), "engagement__")


class EngagementOrganization(BaseModel):
    """An organisation taking part in an engagement, with its role."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="organizations")
    organization = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="engagement_roles",
    )
    role = models.CharField(_("role"), max_length=16, choices=OrganizationRole.choices, default=OrganizationRole.GUEST)

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "organization"], name="unique_engagement_organization")
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Engagement.tenancy_q(scope, action), "engagement__")


class Participant(BaseModel):
    """A person who took part, for which organisation and in which role."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "partners.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="participations"
    )
    organization = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The organisation the person represented; it must be taking part."),
    )
    role = models.CharField(_("role"), max_length=24, choices=ParticipantRole.choices, default=ParticipantRole.MEMBER)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["engagement", "person"], name="unique_participant")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Engagement.tenancy_q(scope, action), "engagement__")


class FollowUpAction(BaseModel):
    """What was agreed to do next, by whom and by when; closed by the record that fulfilled it."""

    title = models.CharField(_("what"), max_length=500)
    description = models.TextField(_("details"), blank=True)
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("agreed at"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
    )
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="owned_actions",
        limit_choices_to={"is_home": True},
    )
    responsible = models.ForeignKey(
        "partners.Person",
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    due_precision = models.CharField(_("due"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    fulfilled_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fulfilled_id = models.PositiveBigIntegerField(null=True, blank=True)
    fulfilled_by = GenericForeignKey("fulfilled_type", "fulfilled_id")

    objects = RestrictedQuerySet.as_manager()

    citations = GenericRelation("sources.Citation", related_query_name="followupaction")

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagements:action_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    def clean(self) -> None:
        if self.due_on and self.due_precision == DatePrecision.MONTH:
            self.due_on = end_of_month(self.due_on)
        if not (self.title or "").strip():
            raise ValidationError({"title": _("Say what is to be done.")})

    @property
    def overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < timezone.localdate()


def ics_token_default() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A user's secret address for subscribing to engagements from a calendar program."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=ics_token_default)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
