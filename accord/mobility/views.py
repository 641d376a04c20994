"""Stub: being written."""

from django.http import HttpResponse
from django.views import View


class MobilityListView(View):
    def get(self, request, *a, **k):
        return HttpResponse("todo")


def balance(request, *a, **k):
    return HttpResponse("todo")


def balance_export(request, *a, **k):
    return HttpResponse("todo")


def index(request, *a, **k):
    return HttpResponse("todo")


def mobility_delete(request, *a, **k):
    return HttpResponse("todo")


def mobility_detail(request, *a, **k):
    return HttpResponse("todo")


def mobility_edit(request, *a, **k):
    return HttpResponse("todo")


def mobility_export(request, *a, **k):
    return HttpResponse("todo")


def mobility_import(request, *a, **k):
    return HttpResponse("todo")


def mobility_transition(request, *a, **k):
    return HttpResponse("todo")


def py(request, *a, **k):
    return HttpResponse("todo")
