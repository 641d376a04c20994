"""Filters shared by the lists of every area."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from accord.core.tenancy import home_tree


def below(org_id: int) -> set[int]:
    """A home organisation and every home organisation under it."""
    children = home_tree()
    found, stack = {org_id}, [org_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


class WithinFilter(django_filters.NumberFilter):
    """Records kept by a home organisation or any organisation under it (a province and its schools).

    The dashboard's figures link to lists filtered this way, so a list shows exactly the
    records a consolidated figure counts.
    """

    def __init__(self, *args, field_name: str = "owner_id", **kwargs):
        kwargs.setdefault("label", _("Kept by or under"))
        self.owner_field = field_name
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(**{f"{self.owner_field}__in": below(int(value))})
