"""Pages of sources, stories and citations (being written)."""

from django.http import Http404
from django.views.generic import View


def _todo(request, *args, **kwargs):
    raise Http404


index = source_edit = source_export = source_detail = source_delete = source_file = story_edit = story_detail = _todo
citation_add = citation_delete = _todo


class SourceListView(View):
    def get(self, request):
        raise Http404


class StoryListView(SourceListView):
    pass
