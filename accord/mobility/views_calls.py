"""Stub: being written."""

from django.http import HttpResponse
from django.views import View


class CallListView(View):
    def get(self, request, *a, **k):
        return HttpResponse("todo")


class ProgrammeListView(View):
    def get(self, request, *a, **k):
        return HttpResponse("todo")


def application_delete(request, *a, **k):
    return HttpResponse("todo")


def application_detail(request, *a, **k):
    return HttpResponse("todo")


def application_document(request, *a, **k):
    return HttpResponse("todo")


def application_document_add(request, *a, **k):
    return HttpResponse("todo")


def application_document_delete(request, *a, **k):
    return HttpResponse("todo")


def application_edit(request, *a, **k):
    return HttpResponse("todo")


def application_edit_existing(request, *a, **k):
    return HttpResponse("todo")


def application_export(request, *a, **k):
    return HttpResponse("todo")


def application_import(request, *a, **k):
    return HttpResponse("todo")


def application_withdraw(request, *a, **k):
    return HttpResponse("todo")


def call_confirm(request, *a, **k):
    return HttpResponse("todo")


def call_delete(request, *a, **k):
    return HttpResponse("todo")


def call_detail(request, *a, **k):
    return HttpResponse("todo")


def call_edit(request, *a, **k):
    return HttpResponse("todo")


def call_export(request, *a, **k):
    return HttpResponse("todo")


def call_select(request, *a, **k):
    return HttpResponse("todo")


def programme_delete(request, *a, **k):
    return HttpResponse("todo")


def programme_detail(request, *a, **k):
    return HttpResponse("todo")


def programme_edit(request, *a, **k):
    return HttpResponse("todo")


def programme_export(request, *a, **k):
    return HttpResponse("todo")


def py(request, *a, **k):
    return HttpResponse("todo")
