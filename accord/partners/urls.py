from django.urls import path

from accord.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.index, name="index"),
    path("organisations/", views.OrganizationListView.as_view(), name="organization_list"),
    path("organisations/new/", views.organization_edit, name="organization_create"),
    path("organisations/export.<fmt:fmt>", views.organization_export, name="organization_export"),
    path("organisations/import/", views.organization_import, name="organization_import"),
    path("organisations/similar/", views.organization_lookup, name="organization_similar"),
    path("organisations/subdivisions/", views.subdivision_options, name="subdivision_options"),
    path("organisations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organisations/<int:pk>/edit/", views.organization_edit, name="organization_update"),
    path("organisations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path("organisations/<int:pk>/merge/", views.organization_merge, name="organization_merge"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/export.<fmt:fmt>", views.person_export, name="person_export"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_update"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
]
