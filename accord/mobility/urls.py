from django.urls import path

from accord.mobility import views, views_calls, views_ewp

app_name = "mobility"

urlpatterns = [
    path("", views.index, name="index"),
    # Mobilities and the exchange balance (views.py)
    path("list/", views.MobilityListView.as_view(), name="mobility_list"),
    path("new/", views.mobility_edit, name="mobility_create"),
    path("export.<fmt:fmt>", views.mobility_export, name="mobility_export"),
    path("import/", views.mobility_import, name="mobility_import"),
    path("<int:pk>/", views.mobility_detail, name="mobility_detail"),
    path("<int:pk>/edit/", views.mobility_edit, name="mobility_update"),
    path("<int:pk>/delete/", views.mobility_delete, name="mobility_delete"),
    path("<int:pk>/status/<str:transition>/", views.mobility_transition, name="mobility_transition"),
    path("ewp/omobilities.xml", views_ewp.omobilities_export, name="ewp_omobilities"),
    path("<int:pk>/ewp.xml", views_ewp.omobility_xml, name="ewp_omobility"),
    path("balance/", views.balance, name="balance"),
    path("balance/export.<fmt:fmt>", views.balance_export, name="balance_export"),
    # Programmes, calls, applications and the selection (views_calls.py)
    path("programmes/", views_calls.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/new/", views_calls.programme_edit, name="programme_create"),
    path("programmes/export.<fmt:fmt>", views_calls.programme_export, name="programme_export"),
    path("programmes/<int:pk>/", views_calls.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views_calls.programme_edit, name="programme_update"),
    path("programmes/<int:pk>/delete/", views_calls.programme_delete, name="programme_delete"),
    path("calls/", views_calls.CallListView.as_view(), name="call_list"),
    path("calls/new/", views_calls.call_edit, name="call_create"),
    path("calls/export.<fmt:fmt>", views_calls.call_export, name="call_export"),
    path("calls/<int:pk>/", views_calls.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", views_calls.call_edit, name="call_update"),
    path("calls/<int:pk>/delete/", views_calls.call_delete, name="call_delete"),
    path("calls/<int:pk>/select/", views_calls.call_select, name="call_select"),
    path("calls/<int:pk>/confirm/", views_calls.call_confirm, name="call_confirm"),
    path("calls/<int:pk>/applications/new/", views_calls.application_edit, name="application_create"),
    path("calls/<int:pk>/applications/import/", views_calls.application_import, name="application_import"),
    path("calls/<int:pk>/applications/export.<fmt:fmt>", views_calls.application_export, name="application_export"),
    path("applications/<int:pk>/", views_calls.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views_calls.application_edit_existing, name="application_update"),
    path("applications/<int:pk>/delete/", views_calls.application_delete, name="application_delete"),
    path("applications/<int:pk>/withdraw/", views_calls.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/documents/", views_calls.application_document_add, name="application_document_add"),
    path("application-documents/<int:pk>/", views_calls.application_document, name="application_document"),
    path(
        "application-documents/<int:pk>/delete/",
        views_calls.application_document_delete,
        name="application_document_delete",
    ),
]
