"""API permission by role; kept apart from the viewsets so DRF's settings can import it early."""

from rest_framework import permissions

from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW, user_can

METHOD_ACTIONS = {
    "GET": VIEW,
    "HEAD": VIEW,
    "OPTIONS": VIEW,
    "POST": ADD,
    "PUT": CHANGE,
    "PATCH": CHANGE,
    "DELETE": DELETE,
}


class RolePermission(permissions.BasePermission):
    """The user's role must allow the action; the row must be in what they may change."""

    def has_permission(self, request, view):
        return user_can(request.user, METHOD_ACTIONS.get(request.method, VIEW))

    def has_object_permission(self, request, view, obj):
        action = METHOD_ACTIONS.get(request.method, VIEW)
        if action == VIEW:
            return True
        return type(obj)._default_manager.restrict(request.user, action).filter(pk=obj.pk).exists()
