"""Filters a list keeps without showing them in its form: the dashboard's ``within`` and ``cancelled``.

A figure on the dashboard opens its list with these parameters; the list's form carries them as
hidden fields (so changing another filter keeps them) and names them in a chip that removes
them.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()

CARRIED = ("within", "cancelled")


@register.inclusion_tag("core/_carried_filters.html", takes_context=True)
def carried_filters(context):
    request = context["request"]
    carried = [(name, request.GET[name]) for name in CARRIED if request.GET.get(name)]
    labels = []
    within = request.GET.get("within", "")
    if within.isdigit():
        from accord.partners.models import Organization

        organization = (
            Organization.objects.restrict(request.user).filter(pk=int(within), is_home=True).only("name").first()
        )
        if organization is not None:
            labels.append(_("Kept by %(name)s or an organisation under it") % {"name": organization.name})
    if request.GET.get("cancelled") == "false":
        labels.append(_("Cancelled ones left out"))
    query = request.GET.copy()
    for name in CARRIED:
        query.pop(name, None)
    return {"carried": carried, "labels": labels, "clear_url": f"{request.path}?{query.urlencode()}"}
