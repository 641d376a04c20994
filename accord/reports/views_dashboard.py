"""The dashboard: the figures of a home organisation, consolidated over the organisations below it.

An oversight body (a provincial department) sees its own records and its schools' together,
and may pick one organisation under it. An organisation the reader may not see is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accord.core.tenancy import scope_ids
from accord.reports import figures
from accord.reports.scope import report_organization


def organization_param(value) -> int | None:
    """The ``organization`` parameter as a number; anything else is an organisation that does not exist."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if pk <= 0:
        raise Http404
    return pk


def dashboard_organization(user, value):
    return report_organization(user, organization_param(value))


def organization_choices(user):
    """The home organisations whose dashboard the reader may open: theirs and those below it."""
    from accord.partners.models import Organization

    organizations = Organization.objects.filter(is_home=True)
    if not user.is_superuser:
        organizations = organizations.filter(id__in=scope_ids(user))
    return list(organizations.order_by("sort_name").only("id", "name", "parent_id"))


@login_required
def dashboard(request):
    user = request.user
    organization = dashboard_organization(user, request.GET.get("organization"))
    board = figures.dashboard(user, organization)
    choices = organization_choices(user)
    names = {o.pk: o.name for o in choices}
    context = {
        "board": board,
        "organization": organization,
        "choices": choices if len(choices) > 1 else [],
        "consolidated": [names.get(pk, "") for pk in board.owners if pk != organization.pk],
        "charts": figures.chart_data(board),
    }
    return render(request, "reports/dashboard.html", context)
