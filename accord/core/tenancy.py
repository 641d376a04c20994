"""Tenancy with oversight: who may see and change which rows.

Every user belongs to a home organisation with a role. Records are owned by a home
organisation; a user sees the records of their home organisation and of the home
organisations below it (a provincial department sees its schools). ``restrict(user,
action)`` is the one place where this is applied: the pages, the API and the exports all
call it, so no query forgets to ask.
"""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
MANAGE_USERS = "manage_users"
ADMINISTER = "administer"


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.MANAGER: 3, Role.ADMIN: 4}
ROLE_ACTIONS = {
    Role.VIEWER: frozenset({VIEW}),
    Role.EDITOR: frozenset({VIEW, ADD, CHANGE, DELETE}),
    Role.MANAGER: frozenset({VIEW, ADD, CHANGE, DELETE, MANAGE_USERS}),
    Role.ADMIN: frozenset({VIEW, ADD, CHANGE, DELETE, MANAGE_USERS, ADMINISTER}),
}


def user_can(user, action: str) -> bool:
    """Whether the user's role allows ``action`` at all (rows are checked by restrict)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not getattr(user, "home_organization_id", None):
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def home_tree() -> dict[int | None, list[int]]:
    """Children of each home organisation, from one query."""
    Organization = apps.get_model("partners", "Organization")
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, parent_id in Organization.objects.filter(is_home=True).order_by().values_list("id", "parent_id"):
        children[parent_id].append(org_id)
    return children


def scope_ids(user) -> frozenset[int]:
    """The home organisations whose records ``user`` may see: their own and those below.

    Cached on the user object, which lives for one request.
    """
    cached = getattr(user, "_accord_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not getattr(user, "home_organization_id", None):
        scope: frozenset[int] = frozenset()
    else:
        children = home_tree()
        found = {user.home_organization_id}
        stack = [user.home_organization_id]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        scope = frozenset(found)
    if user is not None:
        user._accord_scope = scope
    return scope


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to keep to what a user may see or change."""

    def restrict(self, user, action: str = VIEW) -> RestrictedQuerySet:
        if not user_can(user, action):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(self.model.tenancy_q(scope_ids(user), action))


@models.Field.register_lookup
class InScope(models.Lookup):
    """``owner_id__in_scope=<frozenset of ids>``: ``owner_id IN (1, 2, …)`` with the ids written out.

    A ministry's scope holds hundreds of home organisations and every restricted query of a page
    carries it; the plain ``__in`` prepares each id as a parameter, query after query (about a
    third of a detail page's time for a ministry user). The ids are integers by construction
    (``scope_ids``) and are checked to be so, then written into the SQL once per scope.
    """

    lookup_name = "in_scope"

    def get_prep_lookup(self):
        return self.rhs

    def process_rhs(self, compiler, connection):
        return _id_list(frozenset(self.rhs)), []

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        rhs, _params = self.process_rhs(compiler, connection)
        if rhs == "()":  # an empty scope matches nothing
            return "1 = 0", []
        return f"{lhs} IN {rhs}", params


models.ForeignObject.register_lookup(InScope)

_ID_LISTS: dict[frozenset[int], str] = {}


def _id_list(ids: frozenset[int]) -> str:
    found = _ID_LISTS.get(ids)
    if found is None:
        found = "(" + ", ".join(str(int(i)) for i in sorted(ids)) + ")"
        if len(_ID_LISTS) > 256:  # scopes change rarely; keep the cache small
            _ID_LISTS.clear()
        _ID_LISTS[ids] = found
    return found


def owner_q(path: str, scope: frozenset[int]) -> Q:
    return Q(**{f"{path}__in_scope": frozenset(scope)})


def prefixed_q(q: Q, prefix: str) -> Q:
    """The same condition as ``q``, asked of a related model through ``prefix``."""
    new = Q()
    new.connector, new.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            new.children.append(prefixed_q(child, prefix))
        else:
            new.children.append((prefix + child[0], child[1]))
    return new


def access(queryset, user, action: str, **lookup):
    """Return the one row matching ``lookup`` that ``user`` may act on, or raise.

    A row the user may not see is a 404 (its existence is not revealed); a row they may see
    but not change is a 403.
    """
    try:
        obj = queryset.restrict(user, VIEW).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if action != VIEW and not queryset.model._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj
