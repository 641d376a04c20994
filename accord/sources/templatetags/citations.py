"""``{% citations record %}``: the sources a record cites, and for its editors a way to cite one.

The tag runs one query per record (the citations whose sources the user may see). A page that
shows many records, such as an agreement with its commitments, fetches their citations at
once with ``accord.sources.selectors.citations_for_records`` and passes each list:
``{% citations c prefetched=c.cited can_change=can_change %}``.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from accord.core.tenancy import CHANGE, user_can
from accord.sources import selectors

register = template.Library()

# The records a source may be cited on, by app_label.model_name.
CITABLE_MODELS = frozenset(
    {
        "partners.organization",
        "agreements.agreement",
        "agreements.commitment",
        "engagements.engagement",
        "engagements.followupaction",
        "funding.fundingscheme",
        "funding.project",
        "mobility.programme",
        "plans.plan",
    }
)


def record_url(record) -> str:
    """Where a record is shown: a commitment on its agreement's page, the others on their own."""
    if record._meta.label_lower == "agreements.commitment":
        return reverse("agreements:agreement_detail", args=[record.agreement_id]) + f"#commitment-{record.pk}"
    return record.get_absolute_url()


def citations_context(request, record, *, items=None, can_change=None, form=None) -> dict:
    """What ``sources/_citations.html`` needs; also used by the views that answer htmx."""
    user = request.user
    if items is None:
        items = selectors.citations_for(user=user, record=record)
    if can_change is None:
        can_change = (
            user_can(user, CHANGE) and type(record).objects.restrict(user, CHANGE).filter(pk=record.pk).exists()
        )
    label = record._meta.label_lower
    return {
        "request": request,
        "record": record,
        "citations": items,
        "can_cite": bool(can_change) and label in CITABLE_MODELS,
        "model_label": label,
        "dom_id": f"citations-{label.replace('.', '-')}-{record.pk}",
        # A commitment is one of many on its agreement's page: no "nothing cited" line there.
        "compact": label == "agreements.commitment",
        "form": form,
    }


@register.inclusion_tag("sources/_citations.html", takes_context=True)
def citations(context, record, prefetched=None, can_change=None):
    """The citations of ``record``; ``prefetched`` (a list) and ``can_change`` spare their queries."""
    request = context["request"]
    # An undefined variable reaches the tag as "" (string_if_invalid): fetch in that case.
    items = prefetched if isinstance(prefetched, list) else None
    if can_change == "":
        can_change = None
    return citations_context(request, record, items=items, can_change=can_change)
