from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.notifications import services
from accord.notifications.models import Notification


@login_required
def notification_list(request):
    """The signed-in user's notifications, unread first."""
    queryset = Notification.objects.filter(recipient=request.user).order_by("read_at", "-created_at")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page, "object_list": page.object_list})


@login_required
@require_POST
def notification_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("notifications:list")
