from django.urls import path

from hromada.funds import views

app_name = "funds"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.fund_create, name="fund-create"),
    path("rates/", views.rates, name="rates"),
    path("<int:pk>/", views.fund_detail, name="fund-detail"),
    path("<int:pk>/settings/", views.fund_settings, name="fund-settings"),
    path("<int:pk>/ledger/", views.ledger, name="ledger"),
    path("<int:pk>/donations/new/", views.donation_create, name="donation-create"),
    path(
        "<int:pk>/donations/<int:donation_pk>/correct/",
        views.donation_correct,
        name="donation-correct",
    ),
    path("<int:pk>/expenses/new/", views.expense_create, name="expense-create"),
    path("<int:pk>/expenses/<int:expense_pk>/", views.expense_detail, name="expense-detail"),
    path(
        "<int:pk>/expenses/<int:expense_pk>/approve/",
        views.expense_decide,
        {"decision": "approve"},
        name="expense-approve",
    ),
    path(
        "<int:pk>/expenses/<int:expense_pk>/reject/",
        views.expense_decide,
        {"decision": "reject"},
        name="expense-reject",
    ),
    path(
        "<int:pk>/expenses/<int:expense_pk>/correct/",
        views.expense_correct,
        name="expense-correct",
    ),
    path(
        "<int:pk>/expenses/<int:expense_pk>/receipt/",
        views.expense_receipt,
        name="expense-receipt",
    ),
    path("<int:pk>/earmarks/<slug:key>/", views.earmark, name="earmark"),
    path("<int:pk>/reports/<int:year>/<int:month>/", views.month_report, name="month-report"),
    path("<int:pk>/<slug:what>.<slug:fmt>", views.export, name="export"),
    path("<int:pk>/conversions/new/", views.conversion_create, name="conversion-create"),
    path("<int:pk>/import/", views.import_start, name="import"),
    path("<int:pk>/import/<slug:token>/", views.import_preview, name="import-preview"),
    path("<int:pk>/import/<slug:token>/commit/", views.import_commit, name="import-commit"),
    path("<int:pk>/import/<slug:token>/cancel/", views.import_cancel, name="import-cancel"),
]
