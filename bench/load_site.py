"""The bench-only URL conf of ``bench/load.py``: all of Hromada, plus the framework's ceiling.

``/bench/ceiling/`` answers "ok" through the same middleware, on the same granian workers,
with no database and no template: the most any Django view can serve on this machine. It
lives here, not in ``hromada/urls.py``, so that it never exists outside a load test (and
needs no row in the permission matrix). ``bench/load_settings.py`` points ROOT_URLCONF here.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from hromada.urls import handler400, handler403, handler404, handler500
from hromada.urls import urlpatterns as hromada_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@require_GET
def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/ceiling/", ceiling), *hromada_urlpatterns]
