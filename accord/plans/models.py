"""Plans (Plan No. 850/KH-SGDĐT on international integration…), their tasks and indicators.

A task is carried out by responsible organisations by a deadline; any engagement, agreement,
mobility or project can be linked to it as evidence. An indicator has a target and an actual,
the actual either entered with its evidence or computed from records by a stated rule.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.core.models import BaseModel
from accord.core.tenancy import owner_q, prefixed_q

NOT_NEGATIVE = MinValueValidator(0, message=_("A target cannot be negative."))


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class IndicatorRule(models.TextChoices):
    """How an indicator's actual is obtained. Each rule's text is shown next to the figure."""

    MANUAL = "manual", _("Entered by hand, with its evidence")
    PEOPLE_TRAINED = "people_trained", _("People trained: participants of the training courses linked to the task")
    ENGAGEMENTS_LINKED = "engagements_linked", _("Engagements linked to the task")
    AGREEMENTS_SIGNED = "agreements_signed", _("Agreements signed in the plan's period")
    OUTGOING_STUDENTS = "outgoing_students", _("Outgoing students in the plan's period")
    INCOMING_PEOPLE = "incoming_people", _("Incoming people (all categories) in the plan's period")
    PROJECTS_RUNNING = "projects_running", _("Projects running in the plan's period")

    @classmethod
    def needing_task(cls) -> set[str]:
        return {cls.PEOPLE_TRAINED, cls.ENGAGEMENTS_LINKED}


class Plan(BaseModel):
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="owned_plans",
        limit_choices_to={"is_home": True},
    )
    number = models.CharField(_("number"), max_length=60, blank=True, help_text=_("Such as 850/KH-SGDĐT."))
    title = models.CharField(_("title"), max_length=500)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    objectives = models.TextField(_("objectives"), blank=True)
    document = models.ForeignKey(
        "sources.Source",
        verbose_name=_("the plan's document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    search_text = models.TextField(editable=False, default="")

    citations = GenericRelation("sources.Citation", related_query_name="plan")

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "number"],
                condition=~Q(number=""),
                name="unique_plan_number",
                violation_error_message=_("Another plan of this organisation already has this number."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if errors:
            raise ValidationError(errors)


class Task(BaseModel):
    """One of the plan's solutions: who carries it out, by when, how far it has come."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ManyToManyField(
        "partners.Organization", verbose_name=_("responsible organisations"), blank=True, related_name="plan_tasks"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        default=0,
        validators=[MaxValueValidator(100, message=_("Progress is between 0 and 100 %%."))],
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Plan.tenancy_q(scope, action), "plan__")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if self.status == TaskStatus.DONE and self.progress != 100:
            self.progress = 100
        if errors:
            raise ValidationError(errors)


class TaskLink(BaseModel):
    """A record that shows the task being carried out: an engagement, agreement, mobility or project."""

    LINKABLE = ("engagements.engagement", "agreements.agreement", "mobility.mobility", "funding.project")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("linked record")
        verbose_name_plural = _("linked records")
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["task", "content_type", "object_id"], name="unique_task_link"),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.content_type.model} #{self.object_id}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Task.tenancy_q(scope, action), "task__")


class Indicator(BaseModel):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="indicators")
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, null=True, blank=True, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("Such as people, agreements, courses."))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, validators=[NOT_NEGATIVE])
    rule = models.CharField(_("how the actual is obtained"), max_length=24, choices=IndicatorRule.choices)
    actual_entered = models.DecimalField(
        _("actual (entered)"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("Where the entered figure comes from."))
    evidence_source = models.ForeignKey(
        "sources.Source",
        verbose_name=_("evidence source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.plan_id]) + f"#indicator-{self.pk}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Plan.tenancy_q(scope, action), "plan__")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.name or "").strip():
            errors["name"] = _("The name cannot be empty.")
        if self.rule in IndicatorRule.needing_task() and not self.task_id:
            errors["task"] = _("This rule counts the records linked to a task; choose the task.")
        if self.task_id and self.plan_id and self.task.plan_id != self.plan_id:
            errors["task"] = _("The task belongs to another plan.")
        if self.rule == IndicatorRule.MANUAL and self.actual_entered is not None and not (self.evidence or "").strip():
            if not self.evidence_source_id:
                errors["evidence"] = _("Say where the entered figure comes from.")
        if self.rule != IndicatorRule.MANUAL and self.actual_entered is not None:
            errors["actual_entered"] = _(
                "This indicator is computed; leave the actual empty or choose “entered by hand”."
            )
        if errors:
            raise ValidationError(errors)
