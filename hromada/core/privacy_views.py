"""Account → My data: a signed-in person sees what is held on them and downloads it."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from hromada.core import privacy
from hromada.core.models import User


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """GET: what is held, per kind, and for how long. POST: the download (a POST, so that a
    link prefetcher never writes an export to the audit log)."""
    user = cast(User, request.user)
    if request.method == "POST":
        filename, content_type, content = privacy.export_own_data(user, request=request)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    person = privacy.Person.of_user(user, with_contacts=False)
    return TemplateResponse(request, "core/my_data.html", {"held": privacy.summary(person)})
