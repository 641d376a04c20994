from django.urls import path, register_converter

from accord.core import views


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
]
