"""Stub: being written."""

from django.http import HttpResponse
from django.views import View


class ProjectListView(View):
    def get(self, request, *a, **k):
        return HttpResponse("todo")


class SchemeListView(View):
    def get(self, request, *a, **k):
        return HttpResponse("todo")


def allocation_create(request, *a, **k):
    return HttpResponse("todo")


def allocation_delete(request, *a, **k):
    return HttpResponse("todo")


def allocation_export(request, *a, **k):
    return HttpResponse("todo")


def allocation_update(request, *a, **k):
    return HttpResponse("todo")


def index(request, *a, **k):
    return HttpResponse("todo")


def project_delete(request, *a, **k):
    return HttpResponse("todo")


def project_detail(request, *a, **k):
    return HttpResponse("todo")


def project_edit(request, *a, **k):
    return HttpResponse("todo")


def project_export(request, *a, **k):
    return HttpResponse("todo")


def scheme_delete(request, *a, **k):
    return HttpResponse("todo")


def scheme_detail(request, *a, **k):
    return HttpResponse("todo")


def scheme_edit(request, *a, **k):
    return HttpResponse("todo")


def scheme_export(request, *a, **k):
    return HttpResponse("todo")
