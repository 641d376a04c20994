"""Erasmus Without Paper pages: an agreement as IIA XML, institutions and units, IIA import.

Views check access and call :mod:`accord.agreements.ewp`; the import writes nothing until
the user confirms the preview, and then writes through the services.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accord.agreements import ewp
from accord.core.forms import bootstrap
from accord.core.tenancy import ADD, VIEW, access, user_can

SESSION_KEY = "agreements_ewp_import"


class EwpImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("IIA document (EWP get-response, XML)"),
        help_text=gettext_lazy(
            "The XML a partner's system gives for an inter-institutional agreement (IIA API version 7)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def _xml(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _refused(heading: str, problems: list[str]) -> HttpResponse:
    text = "\n".join([heading, *(f"- {problem}" for problem in problems)]) + "\n"
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def agreement_iia_xml(request, pk: int):
    """The agreement as an EWP IIA v7 get-response, for whoever may view it."""
    agreement = access(ewp.export_queryset(), request.user, VIEW, pk=pk)
    try:
        data = ewp.iia_document(agreement)
    except ewp.EwpError as exc:
        return _refused(_("This agreement cannot be expressed as an EWP inter-institutional agreement:"), exc.messages)
    return _xml(data, f"iia-{agreement.pk}.xml")


@login_required
@require_GET
def institutions_xml(request):
    """EWP Institutions v2: the user's home organisations that have a SCHAC code (``?hei_id=`` narrows)."""
    return _xml(ewp.institutions_document(request.user, request.GET.getlist("hei_id")), "institutions.xml")


@login_required
@require_GET
def ounits_xml(request):
    """EWP Organizational Units v2: the units of those organisations (``?hei_id=`` narrows)."""
    return _xml(ewp.ounits_document(request.user, request.GET.getlist("hei_id")), "ounits.xml")


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def iia_import(request):
    """Upload a partner's IIA document, see the drafts it would create, then confirm."""
    if not user_can(request.user, ADD):
        raise PermissionDenied
    confirming = request.method == "POST" and bool(request.POST.get("token"))
    form = EwpImportForm(
        None if confirming else (request.POST or None), None if confirming else (request.FILES or None)
    )
    context: dict = {"form": form}
    status = 200
    if confirming:
        token = request.POST["token"]
        stored = request.session.get(SESSION_KEY, {})
        path = _upload_dir() / token
        if stored.get("token") != token or not path.exists():
            messages.error(request, _("This import has expired; upload the file again."))
            return redirect("agreements:ewp_import")
        # The file is read and checked again: the directory may have changed since the preview.
        plan = ewp.plan_import(user=request.user, data=path.read_bytes())
        if plan.ok:
            try:
                created = ewp.import_execute(plan=plan, acting_user=request.user)
            except (ValidationError, ewp.EwpError) as exc:
                plan.errors = list(getattr(exc, "messages", [str(exc)]))
            else:
                path.unlink(missing_ok=True)
                request.session.pop(SESSION_KEY, None)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s draft agreement was created from the EWP document.",
                        "%(count)s draft agreements were created from the EWP document.",
                        len(created),
                    )
                    % {"count": len(created)},
                )
                if len(created) == 1:
                    return redirect(created[0].get_absolute_url())
                return redirect("agreements:agreement_list")
        context["plan"] = plan
        status = 400
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.ACCORD_IMPORT_MAX_BYTES
        if upload.size > limit:
            form.add_error("file", _("The file is larger than %(limit)s MB.") % {"limit": round(limit / 1_048_576, 1)})
            status = 400
        else:
            data = upload.read()
            plan = ewp.plan_import(user=request.user, data=data)
            context["plan"] = plan
            if plan.ok:
                token = uuid.uuid4().hex
                (_upload_dir() / token).write_bytes(data)
                request.session[SESSION_KEY] = {"token": token, "name": upload.name}
                context["token"] = token
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "agreements/ewp_import.html", context, status=status)
