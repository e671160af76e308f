# ruff: noqa: E501 -- tables of data, one row a line
"""Every volunteers page and API operation, for every persona (see tests/matrix.py).

The objects belong to the City Council (whose coordinator and admin run them) unless named
"HQ": the volunteer persona is in the Volunteer HQ's registry and signs up for its shift.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hromada.core.models import Sensitivity
from hromada.volunteers.models import ApplicationDocument
from hromada.volunteers.tests.factories import (
    make_application,
    make_assignment,
    make_card,
    make_desk,
    make_item,
    make_shift,
    make_task,
    make_team,
    make_volunteer,
)
from tests.matrix import (
    ANY_COORDINATOR,
    COUNCIL,
    MANAGERS,
    MEMBERS,
    Row,
    everyone,
    only,
    signed_in,
)

SECRET = "matrix-secret-0001"


def prepare(c):
    make_desk(c.council)
    make_desk(c.hq)
    c.v_council = make_volunteer(organization=c.council, name="Олена Шевчук")
    c.v_self = make_volunteer(organization=c.hq, user=c.volunteer, name="Віктор Бондар")
    c.v_team = make_team(organization=c.council, members=[c.v_council])
    c.v_task = make_task(organization=c.council, place=c.school, verified_only=False)
    c.v_shift = make_shift(task=c.v_task)
    now = timezone.now()
    c.v_now_shift = make_shift(
        task=c.v_task,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=3),
    )
    c.v_assignment = make_assignment(shift=c.v_now_shift, volunteer=c.v_council)
    c.v_hq_task = make_task(organization=c.hq, place=c.hub, verified_only=False)
    c.v_hq_shift = make_shift(task=c.v_hq_task)
    c.v_item = make_item(organization=c.council)
    c.v_application = make_application(organization=c.council, secret=SECRET)
    c.v_document = ApplicationDocument(
        application=c.v_application, original_name="passport.pdf", content_type="application/pdf",
        size=9, sha256="",
    )  # fmt: skip
    c.v_document.file.save("document", ContentFile(b"%PDF-1.4\n"), save=True)
    c.v_card = make_card(organization=c.council, place=c.office, sensitivity=Sensitivity.PUBLIC)


def page(personas, ok, *, others=403):
    """A page behind login_required: sign-in for anonymous visitors."""
    return only(personas, ok, others=others, anonymous=302)


def api(personas, ok, *, others=403):
    return only(personas, ok, others=others, anonymous=401)


def council_only(ok, *, managers_ok=None, others=404, anonymous=302):
    """Council members may see it; its managers may act (``managers_ok``)."""

    def expect(persona):
        if persona == "anonymous":
            return anonymous
        if persona in MANAGERS:
            return managers_ok if managers_ok is not None else ok
        if persona in COUNCIL:
            return ok
        return others

    return expect


def hq_signup(ok, anonymous):
    def expect(persona):
        if persona == "anonymous":
            return anonymous
        if persona == "volunteer":
            return ok
        return 403 if persona == "superuser" else 404

    return expect


def create_for_council(ok, anonymous):
    """Council managers create; other coordinators are refused (422 on the form: not one
    of their organisations); everyone else 403."""

    def expect(persona):
        if persona == "anonymous":
            return anonymous
        if persona in MANAGERS:
            return ok
        return 422 if persona in ANY_COORDINATOR else 403

    return expect


def signup_form(c):
    return {
        "organization": c.council.pk,
        "name": "Іван Петренко",
        "phone": "050 765 4321",
        "consent": "on",
    }


def apply_form(c):
    return {
        "organization": c.council.pk, "name": "Camille Durand", "email": "c@example.org",
        "nationality": "FR", "residence": "FR", "experience": "Infirmière",
        "available_from": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "how_heard": "embassy", "consent": "on",
    }  # fmt: skip


def volunteer_form(c):
    return {
        "organization": c.council.pk,
        "name": "Степан Мазур",
        "phone": "0507770000",
        "consent": "on",
    }


def volunteer_json(c):
    return {
        "organization_id": c.council.pk,
        "name": "Степан Мазур",
        "phone": "0507770000",
        "consent": True,
    }


def task_json(c):
    return {
        "organization_id": c.council.pk,
        "title": "Мішки",
        "kind": "fortification",
        "place_id": c.school.pk,
    }


def application_json(c):
    return {
        "organization_id": c.council.pk, "language": "de", "name": "Lukas Weber", "email": "l@example.org",
        "nationality": "DE", "residence": "DE", "experience": "Elektriker",
        "available_from": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "how_heard": "news", "consent": True,
    }  # fmt: skip


def card_json(c):
    return {
        "organization_id": c.council.pk,
        "title": "Черговий",
        "phone": "0500001234",
        "place_id": c.office.pk,
    }


def shift_json(c):
    starts = timezone.now() + datetime.timedelta(days=2)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + datetime.timedelta(hours=4)).isoformat(),
            "headcount": 3}  # fmt: skip


def documents_form(c):
    return {
        "reference": c.v_application.reference, "secret": SECRET,
        "files": SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    }  # fmt: skip


# The council's object, changed by its managers; its other members may see it (403); others
# may not know it exists (404).
COUNCIL_CHANGE = council_only(403, managers_ok=302)
V = "/volunteers"
# fmt: off
ROWS = [
    Row("volunteers home", "get", lambda c: f"{V}/", lambda p: 302 if p == "volunteer" else 200),
    Row("sign-up form", "get", lambda c: f"{V}/join/", everyone(200)),
    Row("sign up", "post", lambda c: f"{V}/join/", everyone(302), signup_form),
    Row("signed up", "get", lambda c: f"{V}/join/thanks/", everyone(200)),
    Row("apply: the browser's language", "get", lambda c: f"{V}/apply/", everyone(302)),
    Row("apply in French", "get", lambda c: f"{V}/apply/fr/", everyone(200)),
    Row("apply", "post", lambda c: f"{V}/apply/de/", everyone(302), apply_form),
    Row("apply: unknown language", "get", lambda c: f"{V}/apply/xx/", everyone(404)),
    Row("application status link", "get", lambda c: f"{V}/apply/fr/status/{c.v_application.reference}/{SECRET}/", everyone(200)),
    Row("application status, wrong secret", "get", lambda c: f"{V}/apply/fr/status/{c.v_application.reference}/wrong-secret/", everyone(404)),
    Row("directory", "get", lambda c: f"{V}/directory/", everyone(200)),
    Row("my shifts", "get", lambda c: f"{V}/me/", signed_in(200, 302)),
    Row("registry", "get", lambda c: f"{V}/people/", page(ANY_COORDINATOR, 200)),
    Row("registry export", "get", lambda c: f"{V}/people/export/", page(ANY_COORDINATOR, 200)),
    Row("volunteer", "get", lambda c: f"{V}/people/{c.v_council.pk}/", page(MANAGERS, 200, others=404)),
    Row("own volunteer entry", "get", lambda c: f"{V}/people/{c.v_self.pk}/",
        lambda p: {"volunteer": 200, "superuser": 200, "anonymous": 302}.get(p, 404)),
    Row("register form", "get", lambda c: f"{V}/people/new/", page(ANY_COORDINATOR, 200)),
    Row("register", "post", lambda c: f"{V}/people/new/", create_for_council(302, 302), volunteer_form),
    Row("edit volunteer", "get", lambda c: f"{V}/people/{c.v_council.pk}/edit/", page(MANAGERS, 200, others=404)),
    Row("remove volunteer", "post", lambda c: f"{V}/people/{c.v_council.pk}/remove/", page(MANAGERS, 302, others=404)),
    Row("vetting", "post", lambda c: f"{V}/people/{c.v_council.pk}/vetting/", page(MANAGERS, 302, others=404),
        lambda c: {"status": "suspended"}),
    Row("teams", "get", lambda c: f"{V}/teams/", signed_in(200, 302)),
    Row("team", "get", lambda c: f"{V}/teams/{c.v_team.pk}/", page(MANAGERS, 200, others=404)),
    Row("team form", "get", lambda c: f"{V}/teams/new/", page(ANY_COORDINATOR, 200)),
    Row("edit team", "get", lambda c: f"{V}/teams/{c.v_team.pk}/edit/", page(MANAGERS, 200, others=404)),
    Row("add team member", "post", lambda c: f"{V}/teams/{c.v_team.pk}/members/", page(MANAGERS, 302, others=404),
        lambda c: {"volunteer": c.v_council.pk, "role": "leader"}),
    Row("remove team member", "post", lambda c: f"{V}/teams/{c.v_team.pk}/members/{c.v_council.pk}/remove/",
        page(MANAGERS, 302, others=404)),
    Row("shift board", "get", lambda c: f"{V}/shifts/", page(MEMBERS, 200)),
    Row("task", "get", lambda c: f"{V}/tasks/{c.v_task.pk}/", council_only(200)),
    Row("task form", "get", lambda c: f"{V}/tasks/new/", page(ANY_COORDINATOR, 200)),
    Row("edit task", "get", lambda c: f"{V}/tasks/{c.v_task.pk}/edit/", council_only(403, managers_ok=200)),
    Row("close task", "post", lambda c: f"{V}/tasks/{c.v_task.pk}/close/", COUNCIL_CHANGE, lambda c: {"status": "done"}),
    Row("shift form", "get", lambda c: f"{V}/tasks/{c.v_task.pk}/shifts/new/", council_only(403, managers_ok=200)),
    Row("cancel shift", "post", lambda c: f"{V}/shifts/{c.v_shift.pk}/cancel/", COUNCIL_CHANGE),
    Row("shift", "get", lambda c: f"{V}/shifts/{c.v_shift.pk}/", council_only(200)),
    Row("invite", "post", lambda c: f"{V}/shifts/{c.v_shift.pk}/invite/", council_only(403, managers_ok=302),
        lambda c: {"volunteers": [c.v_council.pk]}),
    Row("team sign-up", "post", lambda c: f"{V}/shifts/{c.v_shift.pk}/team-signup/", council_only(403),
        lambda c: {"team": c.v_team.pk}),
    Row("check in", "post", lambda c: f"{V}/assignments/{c.v_assignment.pk}/check-in/", council_only(403, managers_ok=302)),
    Row("HQ shift sign-up", "post", lambda c: f"{V}/shifts/{c.v_hq_shift.pk}/signup/", hq_signup(302, 302)),
    Row("hours", "get", lambda c: f"{V}/hours/", page(ANY_COORDINATOR, 200)),
    Row("hours export", "get", lambda c: f"{V}/hours/export/", page(ANY_COORDINATOR, 200)),
    Row("custody register", "get", lambda c: f"{V}/equipment/", page(ANY_COORDINATOR, 200)),
    Row("custody export", "get", lambda c: f"{V}/equipment/export/", page(ANY_COORDINATOR, 200)),
    Row("equipment", "get", lambda c: f"{V}/equipment/items/", page(ANY_COORDINATOR, 200)),
    Row("equipment form", "get", lambda c: f"{V}/equipment/new/", page(ANY_COORDINATOR, 200)),
    Row("item", "get", lambda c: f"{V}/equipment/{c.v_item.pk}/", page(MANAGERS, 200, others=404)),
    # Not issued: its managers are sent back with the reason; nobody else may know it.
    Row("return item", "post", lambda c: f"{V}/equipment/{c.v_item.pk}/return/", page(MANAGERS, 302, others=404),
        lambda c: {"condition": "good"}),
    Row("retire item", "post", lambda c: f"{V}/equipment/{c.v_item.pk}/retire/", page(MANAGERS, 302, others=404)),
    Row("issue item", "post", lambda c: f"{V}/equipment/{c.v_item.pk}/issue/", page(MANAGERS, 302, others=404),
        lambda c: {"volunteer": c.v_council.pk, "condition": "good"}),
    Row("applications", "get", lambda c: f"{V}/applications/", page(ANY_COORDINATOR, 200)),
    Row("application", "get", lambda c: f"{V}/applications/{c.v_application.pk}/", page(MANAGERS, 200, others=404)),
    Row("document", "get", lambda c: f"{V}/applications/{c.v_application.pk}/documents/{c.v_document.pk}/",
        page(MANAGERS, 200, others=404)),
    Row("move application", "post", lambda c: f"{V}/applications/{c.v_application.pk}/status/",
        page(MANAGERS, 302, others=404), lambda c: {"status": "screening"}),
    Row("note on application", "post", lambda c: f"{V}/applications/{c.v_application.pk}/note/",
        page(MANAGERS, 302, others=404), lambda c: {"note": "Дзвонили"}),
    Row("take application", "post", lambda c: f"{V}/applications/{c.v_application.pk}/take/",
        page(MANAGERS, 302, others=404)),
    Row("referrals", "get", lambda c: f"{V}/referrals/", signed_in(200, 302)),
    Row("card form", "get", lambda c: f"{V}/directory/new/", page(ANY_COORDINATOR, 200)),
    Row("edit card", "get", lambda c: f"{V}/directory/{c.v_card.pk}/edit/", page(MANAGERS, 200)),
    # API
    Row("api volunteers", "get", lambda c: "/api/volunteers", api(ANY_COORDINATOR, 200)),
    Row("api register", "post", lambda c: "/api/volunteers", api(MANAGERS, 201), volunteer_json, json=True),
    Row("api sign up", "post", lambda c: "/api/volunteers/signup", everyone(202),
        lambda c: {"organization_id": c.council.pk, "name": "Іван", "phone": "0507654321", "consent": True}, json=True),
    Row("api volunteer", "get", lambda c: f"/api/volunteers/{c.v_council.pk}", api(MANAGERS, 200, others=404)),
    Row("api patch volunteer", "patch", lambda c: f"/api/volunteers/{c.v_council.pk}", api(MANAGERS, 200, others=404),
        lambda c: {"note": "Має лопату"}, json=True),
    Row("api vetting", "post", lambda c: f"/api/volunteers/{c.v_council.pk}/vetting", api(MANAGERS, 200, others=404),
        lambda c: {"status": "verified"}, json=True),
    Row("api remove volunteer", "post", lambda c: f"/api/volunteers/{c.v_council.pk}/remove", api(MANAGERS, 200, others=404),
        lambda c: {}, json=True),
    Row("api teams", "get", lambda c: "/api/teams", signed_in(200, 401)),
    Row("api add team", "post", lambda c: "/api/teams", api(MANAGERS, 201),
        lambda c: {"organization_id": c.council.pk, "name": "Кухня", "kind": "kitchen"}, json=True),
    Row("api add team member", "post", lambda c: f"/api/teams/{c.v_team.pk}/members", api(MANAGERS, 200, others=404),
        lambda c: {"volunteer_id": c.v_council.pk, "role": "leader"}, json=True),
    Row("api remove team member", "delete", lambda c: f"/api/teams/{c.v_team.pk}/members/{c.v_council.pk}",
        api(MANAGERS, 200, others=404)),
    Row("api team", "get", lambda c: f"/api/teams/{c.v_team.pk}", api(MANAGERS, 200, others=404)),
    Row("api tasks", "get", lambda c: "/api/tasks", signed_in(200, 401)),
    Row("api post task", "post", lambda c: "/api/tasks", api(MANAGERS, 201), task_json, json=True),
    Row("api task", "get", lambda c: f"/api/tasks/{c.v_task.pk}", council_only(200, anonymous=401)),
    Row("api patch task", "patch", lambda c: f"/api/tasks/{c.v_task.pk}", council_only(403, managers_ok=200, anonymous=401),
        lambda c: {"title": "Мішки з піском"}, json=True),
    Row("api close task", "post", lambda c: f"/api/tasks/{c.v_task.pk}/close", council_only(403, managers_ok=200, anonymous=401),
        lambda c: {"status": "done"}, json=True),
    Row("api add shift", "post", lambda c: f"/api/tasks/{c.v_task.pk}/shifts", council_only(403, managers_ok=201, anonymous=401),
        shift_json, json=True),
    Row("api shifts", "get", lambda c: "/api/shifts", signed_in(200, 401)),
    Row("api cancel shift", "post", lambda c: f"/api/shifts/{c.v_shift.pk}/cancel", council_only(403, managers_ok=200, anonymous=401),
        lambda c: {}, json=True),
    Row("api shift", "get", lambda c: f"/api/shifts/{c.v_shift.pk}", council_only(200, anonymous=401)),
    Row("api candidates", "get", lambda c: f"/api/shifts/{c.v_shift.pk}/candidates", council_only(403, managers_ok=200, anonymous=401)),
    Row("api invite", "post", lambda c: f"/api/shifts/{c.v_shift.pk}/invite", council_only(403, managers_ok=200, anonymous=401),
        lambda c: {"volunteer_ids": [c.v_council.pk]}, json=True),
    Row("api team sign-up", "post", lambda c: f"/api/shifts/{c.v_shift.pk}/team-signup", council_only(403, anonymous=401),
        lambda c: {"team_id": c.v_team.pk}, json=True),
    Row("api check in", "post", lambda c: f"/api/assignments/{c.v_assignment.pk}/check-in", council_only(403, managers_ok=200, anonymous=401),
        lambda c: {}, json=True),
    Row("api HQ sign-up", "post", lambda c: f"/api/shifts/{c.v_hq_shift.pk}/signup", hq_signup(200, 401)),
    Row("api my shifts", "get", lambda c: "/api/me/shifts", signed_in(200, 401)),
    Row("api not counted back", "get", lambda c: "/api/shifts-not-counted-back", signed_in(200, 401)),
    Row("api hours", "get", lambda c: "/api/hours", api(ANY_COORDINATOR, 200)),
    Row("api equipment", "get", lambda c: "/api/equipment", api(ANY_COORDINATOR, 200)),
    Row("api add item", "post", lambda c: "/api/equipment", api(MANAGERS, 201),
        lambda c: {"organization_id": c.council.pk, "kind": "radio", "name": "Рація", "tag": "R-77"}, json=True),
    Row("api item", "get", lambda c: f"/api/equipment/{c.v_item.pk}", api(MANAGERS, 200, others=404)),
    Row("api issue", "post", lambda c: f"/api/equipment/{c.v_item.pk}/issue", api(MANAGERS, 201, others=404),
        lambda c: {"volunteer_id": c.v_council.pk}, json=True),
    Row("api return item", "post", lambda c: f"/api/equipment/{c.v_item.pk}/return", api(MANAGERS, 422, others=404),
        lambda c: {"condition": "good"}, json=True),
    Row("api custody", "get", lambda c: "/api/custody", api(ANY_COORDINATOR, 200)),
    Row("api apply", "post", lambda c: "/api/applications", everyone(201), application_json, json=True),
    Row("api applicant status", "post", lambda c: "/api/applications/status", everyone(200),
        lambda c: {"reference": c.v_application.reference, "secret": SECRET}, json=True),
    Row("api applicant withdraws", "post", lambda c: "/api/applications/withdraw", everyone(200),
        lambda c: {"reference": c.v_application.reference, "secret": SECRET}, json=True),
    Row("api applicant withdraws, wrong secret", "post", lambda c: "/api/applications/withdraw", everyone(404),
        lambda c: {"reference": c.v_application.reference, "secret": "wrong-secret"}, json=True),
    Row("api applicant's documents", "post", lambda c: "/api/applications/documents", everyone(200), documents_form),
    Row("api applications", "get", lambda c: "/api/applications", api(ANY_COORDINATOR, 200)),
    Row("api application", "get", lambda c: f"/api/applications/{c.v_application.pk}", api(MANAGERS, 200, others=404)),
    Row("api application document", "get",
        lambda c: f"/api/applications/{c.v_application.pk}/documents/{c.v_document.pk}", api(MANAGERS, 200, others=404)),
    Row("api note on application", "post", lambda c: f"/api/applications/{c.v_application.pk}/notes",
        api(MANAGERS, 200, others=404), lambda c: {"note": "Дзвонили"}, json=True),
    Row("api move application", "post", lambda c: f"/api/applications/{c.v_application.pk}/status",
        api(MANAGERS, 200, others=404), lambda c: {"status": "screening"}, json=True),
    Row("api referrals", "get", lambda c: "/api/referrals", signed_in(200, 401)),
    Row("api directory", "get", lambda c: "/api/directory", everyone(200)),
    Row("api add card", "post", lambda c: "/api/directory", api(MANAGERS, 201), card_json, json=True),
    Row("api patch card", "patch", lambda c: f"/api/directory/{c.v_card.pk}", api(MANAGERS, 200),
        lambda c: {"hours": "8–20"}, json=True),
]
# fmt: on
