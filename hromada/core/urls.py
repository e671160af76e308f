from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from hromada.core import offline, privacy_views, views
from hromada.core.forms import LoginForm, ResetForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("places/", views.place_list, name="place-list"),
    path("places/<int:pk>/", views.place_detail, name="place-detail"),
    path("places.geojson", views.places_geojson, name="places-geojson"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="core/password_change.html",
            success_url=reverse_lazy("core:password-changed"),
        ),
        name="password-change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_changed.html"),
        name="password-changed",
    ),
    path(
        "account/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetForm,
            template_name="core/password_reset_form.html",
            email_template_name="core/password_reset_email.txt",
            subject_template_name="core/password_reset_subject.txt",
            success_url=reverse_lazy("core:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_reset_confirm.html",
            success_url=reverse_lazy("core:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "account/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor_verify, name="two-factor"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/codes/", views.two_factor_codes, name="two-factor-codes"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("language/", views.set_language, name="set-language"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("account/data/", privacy_views.my_data, name="my-data"),
]
