from django.contrib import admin
from django.urls import include, path

from hromada.api import api

urlpatterns = [
    path("", include("hromada.core.urls")),
    path("", include("hromada.aid.urls")),
    path("volunteers/", include("hromada.volunteers.urls")),
    path("reports/", include("hromada.reports.urls")),
    path("alerts/", include("hromada.alerts.urls")),
    path("tracing/", include("hromada.tracing.urls")),
    path("funds/", include("hromada.funds.urls")),
    path("bot/", include("hromada.bot.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "hromada.core.views.bad_request"
handler403 = "hromada.core.views.permission_denied"
handler404 = "hromada.core.views.page_not_found"
handler500 = "hromada.core.views.server_error"
