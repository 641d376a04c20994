"""Funding schemes and their allocations (quotas), and funded projects."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.core.models import BaseModel
from accord.core.money import check_amount, validate_currency
from accord.core.tenancy import VIEW, owner_q, prefixed_q

NOT_NEGATIVE = MinValueValidator(0, message=_("A quantity cannot be negative."))


class SchemeKind(models.TextChoices):
    GRANT = "grant", _("Grant")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    QUOTA_PLAN = "quota_plan", _("Quota plan")
    BUDGET_LINE = "budget_line", _("Budget line")


class AllocationUnit(models.TextChoices):
    PLACES = "places", _("places")
    PEOPLE = "people", _("people")
    AMOUNT = "amount", _("amount")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Not funded")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    PARTNER = "partner", _("Partner")
    ASSOCIATE = "associate", _("Associated partner")


class OutputKind(models.TextChoices):
    DELIVERABLE = "deliverable", _("Deliverable")
    OUTPUT = "output", _("Output")
    MILESTONE = "milestone", _("Milestone")


class FundingScheme(BaseModel):
    """A funder's scheme: a grant programme, a scholarship, a quota plan, a budget line."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=SchemeKind.choices)
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_schemes",
        limit_choices_to={"is_home": True},
    )
    funder = models.ForeignKey(
        "partners.Organization", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="funded_schemes"
    )
    unit = models.CharField(
        _("allocated in"),
        max_length=8,
        choices=AllocationUnit.choices,
        default=AllocationUnit.PLACES,
        help_text=_("What the allocations count: places, people or an amount of money."),
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[validate_currency])
    total = models.DecimalField(
        _("total"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE],
        help_text=_("What the funder makes available; empty if not stated."),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    citations = GenericRelation("sources.Citation", related_query_name="funding_scheme")

    class Meta:
        verbose_name = _("funding scheme")
        verbose_name_plural = _("funding schemes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:scheme_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        # A home organisation that received part of a scheme sees the scheme too.
        mine = owner_q("owner", scope)
        if action != VIEW:
            return mine
        return mine | Q(pk__in=Allocation.objects.filter(recipient_id__in=scope).values("scheme_id"))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.unit == AllocationUnit.AMOUNT and not self.currency:
            errors["currency"] = _("Give the currency of the amounts.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if self.unit == AllocationUnit.AMOUNT:
            errors.update(check_amount(self.total, self.currency, "total"))
        elif self.total is not None and self.total != int(self.total):
            errors["total"] = _("Places and people are whole numbers.")
        if errors:
            raise ValidationError(errors)


class Allocation(BaseModel):
    """A quantity of a scheme given to a recipient, who may pass parts of it on.

    The allocations under one parent never add up to more than the parent's quantity; the
    services check it on every write, holding a lock on the parent.
    """

    scheme = models.ForeignKey(
        FundingScheme,
        verbose_name=pgettext_lazy("funding", "scheme"),
        on_delete=models.CASCADE,
        related_name="allocations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("allocated from"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    recipient = models.ForeignKey(
        "partners.Organization", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="allocations"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=2, validators=[NOT_NEGATIVE])
    period = models.CharField(
        _("period"), max_length=40, blank=True, help_text=_("Such as 2025/2026 or 2025–2030; empty for the scheme's.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["scheme", "parent_id", "id"]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.scheme}"

    def get_absolute_url(self) -> str:
        return reverse("funding:scheme_detail", args=[self.scheme_id]) + f"#allocation-{self.pk}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        # The scheme's owner keeps every allocation; whoever gave an allocation may change it
        # (a province passing its quota on to its schools); a recipient sees what it was given.
        kept = owner_q("scheme__owner", scope) | Q(parent__recipient_id__in=scope)
        return kept | Q(recipient_id__in=scope) if action == VIEW else kept

    def clean(self) -> None:
        errors: dict[str, str] = {}
        scheme = self.scheme if self.scheme_id else None
        if scheme is not None:
            if scheme.unit == AllocationUnit.AMOUNT:
                errors.update(check_amount(self.quantity, scheme.currency, "quantity"))
            elif self.quantity is not None and self.quantity != int(self.quantity):
                errors["quantity"] = _("Places and people are whole numbers.")
        if self.parent_id and scheme is not None and self.parent.scheme_id != scheme.pk:
            errors["parent"] = _("An allocation is passed on within its own scheme.")
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> list[Allocation]:
        found, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            found.append(node)
            seen.add(node.pk)
            node = node.parent
        return found


class Project(BaseModel):
    """A funded project: who coordinates it, who takes part, its budget, outputs and deliverables."""

    acronym = models.CharField(_("acronym"), max_length=40)
    title = models.CharField(_("title"), max_length=500)
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
        limit_choices_to={"is_home": True},
    )
    funder = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_projects",
    )
    scheme = models.ForeignKey(
        FundingScheme,
        verbose_name=pgettext_lazy("funding", "scheme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    reference = models.CharField(_("grant reference"), max_length=80, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[validate_currency])
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.RUNNING)
    themes = models.CharField(_("themes"), max_length=500, blank=True, help_text=_("Separated by commas."))
    summary = models.TextField(_("summary"), blank=True)
    engagements = models.ManyToManyField(
        "engagements.Engagement", verbose_name=_("engagements"), blank=True, related_name="projects"
    )
    search_text = models.TextField(editable=False, default="")

    citations = GenericRelation("sources.Citation", related_query_name="project")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "acronym", "id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.acronym} – {self.title}" if self.acronym else self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:project_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    @property
    def theme_list(self) -> list[str]:
        return [t.strip() for t in self.themes.split(",") if t.strip()]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.budget is not None and not self.currency:
            errors["currency"] = _("Give the currency of the budget.")
        errors.update(check_amount(self.budget, self.currency, "budget"))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if errors:
            raise ValidationError(errors)


class ProjectPartner(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(
        "partners.Organization", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="projects"
    )
    role = models.CharField(_("role"), max_length=16, choices=ProjectRole.choices, default=ProjectRole.PARTNER)
    budget_share = models.DecimalField(
        _("budget share"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE]
    )

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organization"], name="unique_project_partner"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(role="coordinator"), name="one_project_coordinator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Project.tenancy_q(scope, action), "project__")


class ProjectOutput(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=16, choices=OutputKind.choices, default=OutputKind.DELIVERABLE)
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Project.tenancy_q(scope, action), "project__")
