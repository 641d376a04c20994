from django.urls import path, register_converter

from accord.core import views, views_search


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "fmt")

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views_search.search_page, name="search"),
    path("search/suggest/", views_search.search_suggest, name="search_suggest"),
    path("search/pick/<slug:kind>/", views_search.pick, name="pick"),
]
