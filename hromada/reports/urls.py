from django.urls import path

from hromada.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("sitreps/", views.sitrep_list, name="sitrep-list"),
    path("sitreps/new/", views.sitrep_create, name="sitrep-create"),
    path("sitreps/<int:pk>/", views.sitrep_detail, name="sitrep-detail"),
    path("sitreps/<int:pk>/edit/", views.sitrep_edit, name="sitrep-edit"),
    path("sitreps/<int:pk>/figures/", views.sitrep_export, name="sitrep-export"),
    path("sitreps/<int:pk>/incidents.geojson", views.sitrep_geojson, name="sitrep-geojson"),
    path("sitreps/<int:pk>/<slug:action>/", views.sitrep_action, name="sitrep-action"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents.geojson", views.incidents_geojson, name="incidents-geojson"),
    path("incidents/export/", views.incidents_export, name="incidents-export"),
    path("incidents/report/", views.incident_report, name="incident-report"),
    path("incidents/report/<str:code>/", views.incident_thanks, name="incident-thanks"),
    path("incidents/<str:code>/", views.incident_detail, name="incident-detail"),
    path("incidents/<str:code>/edit/", views.incident_edit, name="incident-edit"),
    path("incidents/<str:code>/review/", views.incident_review, name="incident-review"),
    path("incidents/<str:code>/merge/", views.incident_merge, name="incident-merge"),
    path(
        "incidents/<str:code>/not-duplicate/",
        views.incident_not_duplicate,
        name="incident-not-duplicate",
    ),
    path(
        "incidents/<str:code>/documents/",
        views.incident_link_document,
        name="incident-link-document",
    ),
    path("sources/", views.source_list, name="source-list"),
    path("sources/new/", views.source_form, name="source-create"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/edit/", views.source_form, name="source-edit"),
    path("documents/new/", views.document_form, name="document-create"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/edit/", views.document_form, name="document-edit"),
    path("documents/<int:pk>/claims/", views.claim_create, name="claim-create"),
    path("documents/<int:pk>/retract/", views.document_retract, name="document-retract"),
    path("documents/<int:pk>/archive/", views.document_archive, name="document-archive"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/export/", views.claims_export, name="claims-export"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/correct/", views.claim_correct, name="claim-correct"),
    path("claims/<int:pk>/retract/", views.claim_retract, name="claim-retract"),
    path("claims/<int:pk>/assess/", views.claim_assess, name="claim-assess"),
    path("media/", views.media_list, name="media-list"),
    path("media/new/", views.media_create, name="media-create"),
    path("media/<int:pk>/", views.media_detail, name="media-detail"),
    path("media/<int:pk>/file/", views.media_file, name="media-file"),
    path("media/<int:pk>/link/", views.media_link, name="media-link"),
    path("media/<int:pk>/recycled/", views.media_recycled, name="media-recycled"),
    path("media/<int:pk>/verifications/", views.verification_create, name="verification-create"),
    path("verifications/export/", views.verifications_export, name="verifications-export"),
    path("verifications/<int:pk>/edit/", views.verification_edit, name="verification-edit"),
    path(
        "verifications/<int:pk>/propose/", views.verification_propose, name="verification-propose"
    ),
    path(
        "verifications/<int:pk>/confirm/", views.verification_confirm, name="verification-confirm"
    ),
]
