"""Reads of the partner directory, restricted to what the user may see."""

from django.db.models import Prefetch, QuerySet

from accord.core.tenancy import VIEW
from accord.partners.models import Organization, OrganizationName, Person


def organization_list(*, user, action: str = VIEW) -> QuerySet[Organization]:
    return (
        Organization.objects.restrict(user, action)
        .filter(merged_into__isnull=True)
        .select_related("parent", "owner")
        .prefetch_related(Prefetch("names", queryset=OrganizationName.objects.order_by("kind", "language", "name")))
    )


def organization_detail(*, user, pk: int) -> Organization:
    """One organisation with everything its page shows, in a fixed number of queries."""
    return (
        Organization.objects.restrict(user, VIEW)
        .select_related("parent", "owner", "merged_into")
        .prefetch_related(
            "names",
            "identifiers",
            "facts",
            Prefetch("units", queryset=Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True)),
            Prefetch("people", queryset=Person.objects.restrict(user, VIEW).order_by("name")),
        )
        .get(pk=pk)
    )


def person_list(*, user, action: str = VIEW) -> QuerySet[Person]:
    return Person.objects.restrict(user, action).select_related("affiliation", "owner")


def person_detail(*, user, pk: int) -> Person:
    return person_list(user=user).get(pk=pk)
