from django.conf import settings
from django.urls import NoReverseMatch, reverse


def navigation(request):
    """The areas of accord for the navigation bar; areas not yet built are shown disabled."""
    areas = []
    for key, label in settings.ACCORD_AREAS:
        try:
            url = reverse(f"{key}:index")
        except NoReverseMatch:
            url = None
        areas.append({"key": key, "label": label, "url": url})
    current = request.resolver_match.namespace if getattr(request, "resolver_match", None) else ""
    return {"nav_areas": areas, "nav_current": current}
