from django.urls import path

from accord.agreements import views, views_ewp

app_name = "agreements"

urlpatterns = [
    path("", views.index, name="index"),
    path("list/", views.AgreementListView.as_view(), name="agreement_list"),
    path("new/", views.agreement_edit, name="agreement_create"),
    path("export.<fmt:fmt>", views.agreement_export, name="agreement_export"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_update"),
    path("<int:pk>/delete/", views.agreement_delete, name="agreement_delete"),
    path("<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path("<int:pk>/terminate/", views.agreement_terminate, name="agreement_terminate"),
    path("<int:pk>/renew/", views.agreement_renew, name="agreement_renew"),
    path("<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc>/", views.document_download, name="document_download"),
    path("<int:pk>/documents/<int:doc>/delete/", views.document_delete, name="document_delete"),
    path("commitments/<int:pk>/evidence/new/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("<int:pk>/ewp-iia.xml", views_ewp.agreement_iia_xml, name="agreement_ewp"),
    path("ewp/institutions.xml", views_ewp.institutions_xml, name="ewp_institutions"),
    path("ewp/ounits.xml", views_ewp.ounits_xml, name="ewp_ounits"),
    path("ewp/import/", views_ewp.iia_import, name="ewp_import"),
]
