from django.urls import path

from accord.reports import views_dashboard, views_report

app_name = "reports"

urlpatterns = [
    path("", views_dashboard.dashboard, name="index"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    # annual report routes
    path("report/", views_report.annual_report, name="annual_report"),
    path("report/jobs/<int:pk>/", views_report.annual_job, name="annual_job"),
    path("report/jobs/<int:pk>/download/<str:fmt>", views_report.annual_download, name="annual_download"),
]
