from django.urls import path

from accord.funding import views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/", views.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/new/", views.scheme_edit, name="scheme_create"),
    path("schemes/export.<fmt:fmt>", views.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_update"),
    path("schemes/<int:pk>/delete/", views.scheme_delete, name="scheme_delete"),
    path("schemes/<int:pk>/allocations/new/", views.allocation_create, name="allocation_create"),
    path("schemes/<int:pk>/allocations/export.<fmt:fmt>", views.allocation_export, name="allocation_export"),
    path("allocations/<int:pk>/edit/", views.allocation_update, name="allocation_update"),
    path("allocations/<int:pk>/delete/", views.allocation_delete, name="allocation_delete"),
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.project_edit, name="project_create"),
    path("projects/export.<fmt:fmt>", views.project_export, name="project_export"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_update"),
    path("projects/<int:pk>/delete/", views.project_delete, name="project_delete"),
]
