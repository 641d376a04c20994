"""The base every record of accord is built on: timestamps, history and tenancy."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accord.core.tenancy import RestrictedQuerySet


class BaseModel(models.Model):
    """A record with timestamps and a full history of its changes.

    ``updated_at`` doubles as the version used to detect concurrent edits: an edit form
    carries the value it was loaded with, and the service refuses to overwrite a newer one.
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(inherit=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
