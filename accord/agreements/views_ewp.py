"""Erasmus Without Paper export and import pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


agreement_iia_xml = institutions_xml = ounits_xml = iia_import = _todo
