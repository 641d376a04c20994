"""Whose records a dashboard or report covers: a home organisation and the ones under it.

An oversight body (a provincial department) reads its own records and, consolidated, those
of the schools under it. The organisation must be one the user may see; otherwise it does not
exist for them (404), so a report never reveals anything of another tenant.
"""

from __future__ import annotations

from django.http import Http404

from accord.core.filters import below
from accord.core.tenancy import scope_ids


def report_organization(user, pk: int | None = None):
    """The home organisation a dashboard or report is for: ``pk`` if the user may see it, else theirs."""
    from accord.partners.models import Organization

    if pk is None:
        if not getattr(user, "home_organization_id", None):
            raise Http404
        pk = user.home_organization_id
    allowed = scope_ids(user)
    if not user.is_superuser and int(pk) not in allowed:
        raise Http404
    try:
        return Organization.objects.get(pk=pk, is_home=True)
    except (Organization.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def owners(user, organization) -> frozenset[int]:
    """The home organisations consolidated under ``organization`` that the user may see."""
    found = below(organization.pk)
    if user.is_superuser:
        return frozenset(found)
    return frozenset(found & scope_ids(user))
