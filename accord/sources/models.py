"""Sources (articles, letters, reports, minutes), the stories they tell, and citations of them."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.core.models import BaseModel
from accord.core.tenancy import owner_q
from accord.partners.languages import language_choices, validate_language


class SourceKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    LETTER = "letter", _("Letter")
    REPORT = "report", _("Report")
    MINUTES = "minutes", _("Minutes")
    DECISION = "decision", _("Decision or plan")
    OTHER = "other", _("Other")


class Story(BaseModel):
    """One story told by several sources, usually in several languages."""

    title = models.CharField(_("title"), max_length=500)
    owner = models.ForeignKey(
        "partners.Organization", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_stories"
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sources:story_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)


def source_path(instance: Source, filename: str) -> str:
    import uuid

    return f"sources/{uuid.uuid4().hex}"


class Source(BaseModel):
    """An article, letter, report or minutes: where a fact in accord comes from."""

    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices, default=SourceKind.ARTICLE)
    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("address (URL)"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=source_path, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    story = models.ForeignKey(
        Story, verbose_name=_("story"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sources"
    )
    owner = models.ForeignKey(
        "partners.Organization", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_sources"
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["owner", "published_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sources:source_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)


class Citation(BaseModel):
    """A record citing a source, with the passage that supports it.

    The cited record is any model (organisation, agreement, commitment, engagement, action…);
    a source that is cited cannot be deleted without removing its citations first.
    """

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    passage = models.TextField(_("quoted passage"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "content_type", "object_id", "passage"], name="unique_citation")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.content_type.model} #{self.object_id}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("source__owner", scope)
