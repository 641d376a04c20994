"""Pages of agreements (being written)."""

from django.http import Http404
from django.views.generic import View


def _todo(request, *args, **kwargs):
    raise Http404


index = agreement_edit = agreement_export = agreement_detail = agreement_delete = _todo
agreement_sign = agreement_terminate = agreement_renew = document_upload = document_download = _todo
document_delete = evidence_add = evidence_delete = _todo


class AgreementListView(View):
    def get(self, request):
        raise Http404
