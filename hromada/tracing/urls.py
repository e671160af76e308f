from django.urls import path

from hromada.tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.search, name="search"),
    path("inquire/", views.inquiry_new, name="inquiry-new"),
    path("inquire/sent/", views.inquiry_filed, name="inquiry-filed"),
    path("inquiries/", views.inquiry_list, name="inquiry-list"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry-detail"),
    path("inquiries/<int:pk>/match/", views.inquiry_rematch, name="inquiry-rematch"),
    path("inquiries/<int:pk>/disclose/", views.inquiry_disclose, name="inquiry-disclose"),
    path("inquiries/<int:pk>/close/", views.inquiry_close, name="inquiry-close"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/<int:pk>/", views.record_detail, name="record-detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("records/<int:pk>/photo/", views.record_photo, name="record-photo"),
    path("matches/", views.match_queue, name="match-queue"),
    path("matches/<int:pk>/", views.match_detail, name="match-detail"),
    path("matches/<int:pk>/decide/", views.match_decide, name="match-decide"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("export.xml", views.export_pfif, name="export-pfif"),
    path("transfers/", views.transfers, name="transfers"),
]
