"""Outgoing student mobilities as EWP Outgoing Mobilities v2 XML (see :mod:`accord.mobility.ewp`).

The document carries students' names, so only those who may see them get it: editors and above
of the organisation keeping the mobility (``selectors.may_see_personal``). The list export takes
the filters of the mobility list and keeps the outgoing students among the mobilities whose
people the user may see; it is all or nothing: if one of them cannot be written, the answer is
a 400 naming every such mobility and what it lacks, and no XML.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.agreements import ewp as agreements_ewp
from accord.agreements.views_ewp import _refused, _xml
from accord.core.tenancy import CHANGE, VIEW, access, user_can
from accord.mobility import ewp, selectors
from accord.mobility.filters import MobilityFilter


def _unavailable(exc: ewp.Unavailable) -> HttpResponse:
    text = "\n".join(exc.messages) + "\n"
    return HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")


def _document(mobilities, heading: str, filename: str) -> HttpResponse:
    try:
        data = ewp.omobilities_document(mobilities)
    except ewp.Unavailable as exc:
        return _unavailable(exc)
    except ewp.NotValid as exc:
        return _refused(_("The EWP document was not served because it does not follow the EWP schema:"), exc.messages)
    except agreements_ewp.EwpError as exc:
        return _refused(heading, exc.messages)
    return _xml(data, filename)


@login_required
@require_GET
def omobilities_export(request):
    """The outgoing student mobilities of the list (same filters) whose people the user may see."""
    user = request.user
    if not user_can(user, CHANGE):
        raise PermissionDenied
    queryset = ewp.outgoing_students(selectors.mobility_list(user=user))
    if not user.is_superuser:
        queryset = queryset.filter(owner_id__in=selectors.personal_owner_ids(user))
    filterset = MobilityFilter(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound:
        if not filterset.is_valid():
            return _refused(
                _("The filters are not valid:"),
                [f"{field}: {message}" for field, errors in filterset.errors.items() for message in errors],
            )
        queryset = filterset.qs
    mobilities = ewp.export_queryset(queryset).order_by("planned_start", "id")
    return _document(
        mobilities,
        _("These mobilities cannot be expressed as EWP outgoing mobilities, so no document was made:"),
        "omobilities.xml",
    )


@login_required
@require_GET
def omobility_xml(request, pk: int):
    """One outgoing student mobility as an EWP Outgoing Mobilities v2 get-response."""
    mobility = access(ewp.export_queryset(), request.user, VIEW, pk=pk)
    if not selectors.may_see_personal(request.user, mobility.owner_id):
        raise PermissionDenied
    return _document(
        [mobility],
        _("This mobility cannot be expressed as an EWP outgoing mobility:"),
        f"omobility-{mobility.pk}.xml",
    )
