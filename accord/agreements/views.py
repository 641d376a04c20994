"""Pages of agreements. Views validate input and call the services; they never write.

The EWP exchange (XML export and import) has its own module, ``views_ewp``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accord.agreements import selectors, services
from accord.agreements.choices import AgreementHealth, AgreementStatus
from accord.agreements.filters import AgreementFilter
from accord.agreements.forms import (
    AgreementForm,
    CommitmentFormSet,
    DocumentForm,
    EvidenceForm,
    PartyFormSet,
    RenewForm,
    SignForm,
    TerminateForm,
    TitleFormSet,
)
from accord.agreements.isced import isced_name
from accord.agreements.models import (
    ActivityType,
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementTitle,
    Commitment,
    Evidence,
)
from accord.core.history import history
from accord.core.tabular import csv_response, xlsx_response
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, access, scope_ids, user_can
from accord.core.views import FilteredListView, form_errors, private_file_response, save_with_service
from accord.core.widgets import chosen_records
from accord.partners.models import Organization
from accord.sources.selectors import citations_for_records

# Bootstrap colours of the health badge.
HEALTH_COLOURS = {
    AgreementHealth.ACTIVE: "success",
    AgreementHealth.DORMANT: "secondary",
    AgreementHealth.AT_RISK: "warning",
    AgreementHealth.LAPSED: "danger",
    AgreementHealth.NOT_IN_FORCE: "light",
}
EXPIRING_CHOICES = (30, 60, 90, 180, 365)


def _with_health(agreements, today=None):
    """Give each agreement its health and the colour of its badge (``a.health``, ``a.health_colour``)."""
    today = today or timezone.localdate()
    agreements = list(agreements)
    for agreement in agreements:
        agreement.health = selectors.health(agreement, today)
        agreement.health_label = AgreementHealth(agreement.health).label
        agreement.health_colour = HEALTH_COLOURS[agreement.health]
    return agreements


# --- list and export -------------------------------------------------------------------------


class AgreementListView(FilteredListView):
    template_name = "agreements/agreement_list.html"
    partial_template = "agreements/_agreement_table.html"
    filterset_class = AgreementFilter

    def get_queryset(self):
        return selectors.agreement_list(user=self.request.user).order_by(*Agreement._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = context["page_obj"]
        page.object_list = context["object_list"] = _with_health(page.object_list)
        context["can_add"] = user_can(user, ADD)
        if not (self.request.htmx and not self.request.htmx.boosted):
            owners = Organization.objects.filter(is_home=True)
            if not user.is_superuser:
                owners = owners.filter(id__in=scope_ids(user))
            # The partner is picked by typing (accord.core.widgets): only the chosen one is read.
            partners = chosen_records(
                Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True),
                self.request.GET.get("partner"),
            )
            context.update(
                owners=owners.order_by("sort_name"),
                partners=partners,
                activity_types=ActivityType.objects.all(),
                expiring_choices=EXPIRING_CHOICES,
            )
        return context


def _filtered(request, queryset):
    filterset = AgreementFilter(request.GET or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    return filterset.qs if filterset.is_bound else queryset


EXPORT_COLUMNS = [
    "id",
    "reference",
    "title",
    "title_language",
    "kind",
    "status",
    "health",
    "owner",
    "parties",
    "partner_countries",
    "activities",
    "signed_on",
    "effective_on",
    "expires_on",
    "auto_renewal",
    "renewal_lead_days",
    "last_evidence",
    "renews",
]


def export_rows(queryset, today=None):
    """One row per agreement, in the columns of ``EXPORT_COLUMNS``; a fixed number of queries."""
    today = today or timezone.localdate()
    queryset = queryset.prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.select_related("activity_type"))
    )
    for agreement in queryset.iterator(chunk_size=2000):
        parties = list(agreement.parties.all())
        partners = [p.organization for p in parties if p.organization_id != agreement.owner_id]
        activities = dict.fromkeys(c.activity_type.code for c in agreement.commitments.all())
        yield [
            agreement.pk,
            agreement.reference,
            agreement.title,
            agreement.title_language,
            agreement.kind,
            agreement.status,
            selectors.health(agreement, today),
            agreement.owner.name,
            "; ".join(f"{p.organization.name} ({p.role})" for p in parties),
            ", ".join(dict.fromkeys(o.country for o in partners if o.country)),
            ", ".join(activities),
            agreement.signed_on,
            agreement.effective_on,
            agreement.expires_on,
            agreement.auto_renewal,
            agreement.renewal_lead_days,
            agreement.last_evidence,
            agreement.predecessor_id,
        ]


@login_required
def agreement_export(request, fmt: str):
    queryset = _filtered(request, selectors.agreement_list(user=request.user).order_by(*Agreement._meta.ordering))
    rows = export_rows(queryset)
    if fmt == "csv":
        return csv_response("agreements", EXPORT_COLUMNS, rows)
    return xlsx_response("agreements", EXPORT_COLUMNS, rows, title=_("Agreements"))


PARTNER_PAGE_LIMIT = 20


def agreements_of_organization(user, organization: Organization) -> tuple[list[Agreement], bool]:
    """The agreements ``organization`` is a party to that ``user`` may see, newest first, in one query.

    Returns at most ``PARTNER_PAGE_LIMIT`` of them and whether there are more.
    """
    parties = AgreementParty.objects.filter(organization=organization).values("agreement_id")
    rows = list(
        Agreement.objects.restrict(user)
        .filter(pk__in=parties)
        .select_related("successor")
        .annotate(last_evidence=selectors.last_evidence())
        .order_by("-signed_on", "-id")[: PARTNER_PAGE_LIMIT + 1]
    )
    return _with_health(rows[:PARTNER_PAGE_LIMIT]), len(rows) > PARTNER_PAGE_LIMIT


@login_required
def index(request):
    return redirect("agreements:agreement_list")


# --- the record page ---------------------------------------------------------------------------


def _has_successor(agreement: Agreement) -> bool:
    try:
        return agreement.successor is not None
    except Agreement.successor.RelatedObjectDoesNotExist:
        return False


def _chain(user, agreement: Agreement) -> list[dict]:
    """The renewal chain, oldest first; an agreement the user may not see is named by its dates only."""
    if not agreement.predecessor_id and not _has_successor(agreement):
        return [{"agreement": agreement, "visible": True, "current": True}]
    chain = selectors.renewal_chain(agreement)
    visible = set(Agreement.objects.restrict(user).filter(pk__in=[a.pk for a in chain]).values_list("pk", flat=True))
    return [{"agreement": a, "visible": a.pk in visible, "current": a.pk == agreement.pk} for a in chain]


def _commitment_context(commitment: Commitment, can_change: bool, today, form: EvidenceForm | None = None):
    commitment.state = selectors.fulfilment(commitment, today)
    commitment.done_count = int(commitment.state.done)
    commitment.isced = [(code, isced_name(code) or "") for code in commitment.isced_codes]
    commitment.evidence_form = form or EvidenceForm(prefix=f"evidence-{commitment.pk}")
    return {"c": commitment, "can_change": can_change}


def _detail_context(request, pk: int, *, action_errors=None, **forms) -> dict:
    try:
        agreement = selectors.agreement_detail(user=request.user, pk=pk)
    except Agreement.DoesNotExist as exc:
        raise Http404 from exc
    user = request.user
    today = timezone.localdate()
    can_change = Agreement.objects.restrict(user, CHANGE).filter(pk=agreement.pk).exists()
    _with_health([agreement], today)
    commitments = list(agreement.commitments.all())
    evidence_forms = forms.pop("evidence_forms", {})
    for commitment in commitments:
        _commitment_context(commitment, can_change, today, evidence_forms.get(commitment.pk))
    # The citations of the agreement and of all its commitments, in one query.
    cited = citations_for_records(user=user, records=[agreement, *commitments])
    agreement.cited = cited[(Agreement, agreement.pk)]
    for commitment in commitments:
        commitment.cited = cited[(Commitment, commitment.pk)]
    status = agreement.status
    in_draft = status in (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING)
    return {
        "agreement": agreement,
        "commitments": commitments,
        "chain": _chain(user, agreement),
        "can_change": can_change,
        "can_delete": can_change and user_can(user, DELETE) and in_draft and not _has_successor(agreement),
        "can_sign": can_change and in_draft,
        "can_terminate": can_change and status == AgreementStatus.ACTIVE,
        "can_renew": can_change
        and status in (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED)
        and not _has_successor(agreement),
        "sign_form": forms.get("sign_form") or SignForm(),
        "terminate_form": forms.get("terminate_form") or TerminateForm(),
        "renew_form": forms.get("renew_form") or RenewForm(),
        "document_form": forms.get("document_form") or DocumentForm(),
        "action_errors": action_errors or [],
        "history": history(
            agreement,
            related=[
                (AgreementTitle, "agreement"),
                (AgreementParty, "agreement"),
                (Commitment, "agreement"),
                (AgreementDocument, "agreement"),
            ],
            user=request.user,
        ),
    }


def _render_detail(request, pk: int, status: int = 200, **forms):
    return render(request, "agreements/agreement_detail.html", _detail_context(request, pk, **forms), status=status)


@login_required
def agreement_detail(request, pk: int):
    return _render_detail(request, pk)


# --- create and edit ---------------------------------------------------------------------------


def _agreement_forms(request, instance: Agreement | None):
    data = request.POST if request.method == "POST" else None
    parent = instance or Agreement()
    form = AgreementForm(data, instance=instance, user=request.user)
    formsets = {
        "parties": PartyFormSet(data, instance=parent, prefix="parties", user=request.user),
        "commitments": CommitmentFormSet(data, instance=parent, prefix="commitments", user=request.user),
        "titles": TitleFormSet(data, instance=parent, prefix="titles"),
    }
    return form, formsets


def _save_agreement(request, form, formsets, instance: Agreement | None) -> Agreement:
    data = {k: v for k, v in form.cleaned_data.items() if k != "loaded_at"}
    if data.get("owner") is None:
        # A blank owner keeps the current one (or, for a new record, the user's organisation).
        data.pop("owner", None)
    if not data.get("status"):
        data.pop("status", None)
    rows = {key: formset.rows() for key, formset in formsets.items()}
    if instance is None:
        return services.agreement_create(acting_user=request.user, data=data, **rows)
    return services.agreement_update(
        agreement=instance, acting_user=request.user, data=data, expected_updated_at=form.loaded_version(), **rows
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int | None = None):
    """The agreement, its parties, commitments and titles on one page, saved all or nothing."""
    if pk is None:
        if not user_can(request.user, ADD):
            raise PermissionDenied
        instance = None
    else:
        instance = access(Agreement.objects, request.user, CHANGE, pk=pk)
    form, formsets = _agreement_forms(request, instance)
    if request.method == "POST" and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        saved, agreement = save_with_service(
            form, lambda: _save_agreement(request, form, formsets, instance), formsets=formsets
        )
        if saved:
            messages.success(request, _("“%(title)s” was saved.") % {"title": agreement.title})
            return redirect(agreement)
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "formsets": formsets, "agreement": instance},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_delete(request, pk: int):
    agreement = access(Agreement.objects, request.user, DELETE, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.agreement_delete(agreement=agreement, acting_user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": agreement.title})
            return redirect("agreements:agreement_list")
    return render(
        request,
        "agreements/confirm_delete.html",
        {"object": agreement, "cancel_url": agreement.get_absolute_url(), "error": error},
        status=400 if error else 200,
    )


# --- the lifecycle -----------------------------------------------------------------------------


def _lifecycle(request, pk: int, form_class, form_name: str, act):
    """Validate ``form_class``, call ``act(agreement, cleaned_data)``; on refusal show the page with the reason."""
    agreement = access(Agreement.objects, request.user, CHANGE, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = act(agreement, form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect(result)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _render_detail(request, pk, status=400, action_errors=errors, **{form_name: form})


@login_required
@require_POST
def agreement_sign(request, pk: int):
    def act(agreement, data):
        signed = services.agreement_sign(
            agreement=agreement,
            acting_user=request.user,
            signed_on=data["signed_on"],
            effective_on=data["effective_on"],
        )
        messages.success(request, _("The signature was recorded."))
        return signed

    return _lifecycle(request, pk, SignForm, "sign_form", act)


@login_required
@require_POST
def agreement_terminate(request, pk: int):
    def act(agreement, data):
        terminated = services.agreement_terminate(
            agreement=agreement, acting_user=request.user, terminated_on=data["terminated_on"], reason=data["reason"]
        )
        messages.success(request, _("The agreement was terminated."))
        return terminated

    return _lifecycle(request, pk, TerminateForm, "terminate_form", act)


@login_required
@require_POST
def agreement_renew(request, pk: int):
    def act(agreement, data):
        successor = services.agreement_renew(
            agreement=agreement,
            acting_user=request.user,
            expires_on=data["expires_on"],
            signed_on=data["signed_on"],
            title=data["title"] or None,
        )
        messages.success(request, _("The renewal was created; it continues the partnership."))
        return successor

    return _lifecycle(request, pk, RenewForm, "renew_form", act)


# --- evidence ----------------------------------------------------------------------------------


def _commitment_fragment(request, commitment_pk: int, status: int = 200, form: EvidenceForm | None = None):
    """The card of one commitment, which htmx swaps in place after evidence is added or removed."""
    commitment = (
        Commitment.objects.restrict(request.user)
        .select_related("activity_type", "agreement")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("-happened_on", "-id")),
            selectors.counted_mobilities(),
        )
        .get(pk=commitment_pk)
    )
    can_change = Agreement.objects.restrict(request.user, CHANGE).filter(pk=commitment.agreement_id).exists()
    context = _commitment_context(commitment, can_change, timezone.localdate(), form)
    return render(request, "agreements/_commitment.html", context, status=status)


@login_required
@require_POST
def evidence_add(request, pk: int):
    commitment = access(Commitment.objects.select_related("agreement"), request.user, CHANGE, pk=pk)
    form = EvidenceForm(request.POST, prefix=f"evidence-{commitment.pk}")
    if form.is_valid():
        try:
            services.evidence_add(commitment=commitment, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if request.htmx:
                return _commitment_fragment(request, commitment.pk)
            messages.success(request, _("The evidence was added."))
            return redirect(commitment.agreement)
    if request.htmx:
        return _commitment_fragment(request, commitment.pk, status=400, form=form)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _render_detail(
        request, commitment.agreement_id, status=400, action_errors=errors, evidence_forms={commitment.pk: form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_delete(request, pk: int):
    evidence = access(Evidence.objects.select_related("commitment__agreement"), request.user, CHANGE, pk=pk)
    agreement = evidence.commitment.agreement
    if request.method == "POST":
        services.evidence_delete(evidence=evidence, acting_user=request.user)
        if request.htmx:
            return _commitment_fragment(request, evidence.commitment_id)
        messages.success(request, _("The evidence was removed."))
        return redirect(agreement)
    return render(
        request, "agreements/confirm_delete.html", {"object": evidence, "cancel_url": agreement.get_absolute_url()}
    )


# --- documents ---------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request, pk: int):
    agreement = access(Agreement.objects, request.user, CHANGE, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_add(
                agreement=agreement,
                acting_user=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was attached.") % {"name": document.filename})
            return redirect(agreement)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _render_detail(request, pk, status=400, action_errors=errors, document_form=form)


@login_required
def document_download(request, pk: int, doc: int):
    """The file, to the agreement's readers only: never served from a public media URL."""
    document = access(AgreementDocument.objects, request.user, VIEW, pk=doc, agreement_id=pk)
    return private_file_response(document.file, filename=document.filename, content_type=document.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete(request, pk: int, doc: int):
    document = access(
        AgreementDocument.objects.select_related("agreement"), request.user, CHANGE, pk=doc, agreement_id=pk
    )
    if request.method == "POST":
        services.document_delete(document=document, acting_user=request.user)
        messages.success(request, _("%(name)s was removed.") % {"name": document.filename})
        return redirect(document.agreement)
    return render(
        request,
        "agreements/confirm_delete.html",
        {"object": document, "cancel_url": document.agreement.get_absolute_url()},
    )
