"""Pages of engagements, actions and the calendar (being written)."""

from django.http import Http404
from django.views.generic import View


def _todo(request, *args, **kwargs):
    raise Http404


index = engagement_edit = engagement_export = engagement_detail = engagement_delete = series_create = _todo
calendar = calendar_feed = calendar_ics = action_edit = action_export = action_detail = _todo
action_complete = action_cancel = action_reopen = action_delete = _todo


class EngagementListView(View):
    def get(self, request):
        raise Http404


class ActionListView(EngagementListView):
    pass
