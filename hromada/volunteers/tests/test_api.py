import datetime
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from hromada.core.services import issue_token
from hromada.volunteers.models import Application, Assignment, CustodyRecord, Task, Volunteer
from hromada.volunteers.tests.factories import (
    make_assignment,
    make_item,
    make_shift,
    make_task,
    make_volunteer,
    tomorrow_at,
)


@pytest.fixture
def api(client):
    """A script's client with a personal token; ``api(user).post(path, data)`` sends JSON."""

    class Caller:
        def __init__(self, user, language="en"):
            self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
            if user is not None:
                _token, raw = issue_token(user, "test")
                self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

        def get(self, path, data=None):
            return client.get(path, data, **self.headers)

        def send(self, method, path, data=None, **extra):
            body = json.dumps(data) if data is not None else ""
            return getattr(client, method)(
                path, body, content_type="application/json", **self.headers, **extra
            )

        def post(self, path, data=None, **extra):
            return self.send("post", path, data, **extra)

        def patch(self, path, data=None):
            return self.send("patch", path, data)

    return Caller


def volunteer_json(town, **overrides):
    data = {
        "organization_id": town.hq.pk,
        "name": "Степан Мазур",
        "phone": "050 777 00 00",
        "skills": [{"skill": "driver", "level": 2, "licence": ["B", "C"]}],
        "availability": [{"weekday": 0, "start_minute": 480, "end_minute": 720}],
        "vehicle": "van",
        "vehicle_seats": 3,
        "consent": True,
    }
    data.update(overrides)
    return data


def test_a_coordinator_registers_a_volunteer_once_however_often_the_request_is_replayed(town, api):
    key = str(uuid.uuid4())
    caller = api(town.hq_coordinator)
    first = caller.post("/api/volunteers", volunteer_json(town), HTTP_IDEMPOTENCY_KEY=key)
    again = caller.post("/api/volunteers", volunteer_json(town), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    data = first.json()
    assert (data["phone"], data["skills"][0]["licence"]) == ("+380507770000", ["B", "C"])
    assert data["availability"] == [{"weekday": 0, "start_minute": 480, "end_minute": 720}]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "zero"}, "phone"),
        ({"consent": False}, "consent"),
        ({"skills": [{"skill": "juggler"}]}, "skills.skill"),
        ({"skills": [{"skill": "cook", "licence": ["B"]}]}, "skills"),
        (
            {"availability": [{"weekday": 9, "start_minute": 0, "end_minute": 60}]},
            "availability.weekday",
        ),
        ({"vehicle_seats": 0}, "vehicle_seats"),
        ({"home_area": "UA000"}, "home_area"),
        ({"languages": ["xx"]}, "languages"),
        ({"colour": "red"}, "colour"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_input_gets_422_with_field_errors_and_nothing_is_saved(town, api, overrides, field):
    response = api(town.hq_coordinator).post("/api/volunteers", volunteer_json(town, **overrides))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert Volunteer.objects.count() == 1  # the fixture's own


def test_errors_come_in_the_callers_language(town, api):
    response = api(town.hq_coordinator, language="uk").post(
        "/api/volunteers", volunteer_json(town, consent=False)
    )
    with translation.override("uk"):
        expected = translation.gettext(
            "Ask the person whether they agree that we keep their data, then tick the box."
        )
    assert response.json()["errors"]["consent"] == [expected]


def test_the_public_sign_up_answers_the_same_whether_the_phone_is_known_or_not(town, api):
    anonymous = api(None)
    data = {"organization_id": town.hq.pk, "name": "Хтось", "phone": town.me.phone, "consent": True}
    known = anonymous.post("/api/volunteers/signup", data)
    unknown = anonymous.post("/api/volunteers/signup", {**data, "phone": "0660000001"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert Volunteer.objects.filter(organization=town.hq).count() == 2  # merged + one new
    town.me.refresh_from_db()
    assert town.me.name == "Віктор Бондар"


def test_a_volunteer_finds_a_shift_signs_up_and_checks_in_and_out(town, api):
    now = timezone.now()
    task = make_task(organization=town.hq, place=town.hub)
    shift = make_shift(
        task=task,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=3),
    )
    me = api(town.volunteer)
    board = me.get("/api/shifts", {"short": True}).json()
    assert [s["id"] for s in board["items"]] == [shift.pk] and board["items"][0]["short"] is True
    assignment = me.post(f"/api/shifts/{shift.pk}/signup").json()
    assert assignment["status"] == "confirmed"
    out = me.post(f"/api/assignments/{assignment['id']}/check-out", {})
    assert out.status_code == 422 and "before checking in" in out.json()["errors"]["__all__"][0]
    assert me.post(f"/api/assignments/{assignment['id']}/check-in").status_code == 200
    done = me.post(f"/api/assignments/{assignment['id']}/check-out", {}).json()
    assert done["checked_out_at"] and done["hours"] is not None
    mine = me.get("/api/me/shifts").json()
    assert mine[0]["assignment"]["id"] == assignment["id"]


def test_an_unknown_action_is_refused(town, api):
    assignment = make_assignment(
        shift=make_shift(task=make_task(organization=town.hq)), volunteer=town.me
    )
    response = api(town.volunteer).post(f"/api/assignments/{assignment.pk}/teleport", {})
    assert response.status_code == 422


def test_a_coordinator_posts_a_task_with_its_first_shift_and_invites(town, api):
    caller = api(town.hq_coordinator)
    start = tomorrow_at(8)
    task = caller.post(
        "/api/tasks",
        {
            "organization_id": town.hq.pk, "title": "Мішки біля школи", "kind": "fortification",
            "place_id": town.hub.pk, "skills": ["mason"],
            "first_shift": {
                "starts_at": start.isoformat(),
                "ends_at": (start + datetime.timedelta(hours=4)).isoformat(),
                "headcount": 2,
            },
        },
    )  # fmt: skip
    assert task.status_code == 201, task.content
    shift = Task.objects.get(pk=task.json()["id"]).shifts.get()
    unverified = make_volunteer(organization=town.hq, vetting="unverified")
    result = caller.post(
        f"/api/shifts/{shift.pk}/invite",
        {"volunteer_ids": [town.me.pk, unverified.pk], "agreed": True},
    ).json()
    assert [a["volunteer_id"] for a in result["assignments"]] == [town.me.pk]
    assert result["skipped"][0]["volunteer_id"] == unverified.pk
    detail = caller.get(f"/api/shifts/{shift.pk}").json()
    assert (detail["confirmed"], detail["short"]) == (1, True)
    assert detail["roster"][0]["phone"] == town.me.phone  # the coordinator may call
    candidates = caller.get(f"/api/shifts/{shift.pk}/candidates").json()
    assert town.me.pk not in [c["id"] for c in candidates]


def test_a_task_at_a_place_the_caller_cannot_see_is_unknown(town, api):
    response = api(town.hq_coordinator).post(
        "/api/tasks",
        {
            "organization_id": town.hq.pk,
            "title": "Варта",
            "kind": "watch",
            "place_id": town.shelter.pk,
        },
    )
    assert response.status_code == 422 and "place_id" in response.json()["errors"]


def test_custody_of_an_item_already_issued_is_a_422(town, api):
    item = make_item(organization=town.hq)
    caller = api(town.hq_coordinator)
    first = caller.post(
        f"/api/equipment/{item.pk}/issue",
        {"volunteer_id": town.me.pk, "due_back": tomorrow_at(20).isoformat()},
    )
    assert first.status_code == 201 and first.json()["holder"] == {
        "kind": "volunteer",
        "id": town.me.pk,
        "name": "Віктор Бондар",
    }
    second = caller.post(f"/api/equipment/{item.pk}/issue", {"volunteer_id": town.me.pk})
    assert second.status_code == 422 and "item" in second.json()["errors"]
    assert CustodyRecord.objects.count() == 1
    register = caller.get("/api/custody").json()
    assert register["count"] == 1 and register["items"][0]["item_tag"] == item.tag
    returned = caller.post(f"/api/equipment/{item.pk}/return", {"condition": "worn"})
    assert returned.json()["condition_in"] == "worn"
    assert caller.get("/api/custody").json()["count"] == 0
    assert len(caller.get(f"/api/equipment/{item.pk}").json()["history"]) == 1


def test_an_applicant_applies_through_the_api_adds_documents_and_follows(town, api):
    anonymous = api(None)
    response = anonymous.post(
        "/api/applications",
        {
            "language": "pl", "name": "Agnieszka Nowak", "email": "a@example.org", "nationality": "PL",
            "residence": "PL", "experience": "Tłumaczka", "how_heard": "friend", "consent": True,
            "available_from": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        },
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert "/volunteers/apply/pl/status/" in data["status_url"]
    secret = {"reference": data["reference"], "secret": data["secret"]}
    files = [SimpleUploadedFile("cv.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")]
    from django.test import Client

    upload = Client().post("/api/applications/documents", {**secret, "files": files})
    assert upload.status_code == 200 and upload.json()["documents"] == 1
    bad = Client().post(
        "/api/applications/documents", {**secret, "files": [SimpleUploadedFile("x.pdf", b"hello")]}
    )
    assert bad.status_code == 422 and "documents" in bad.json()["errors"]
    status = anonymous.post("/api/applications/status", secret).json()
    assert status["status"] == "submitted" and status["events"][0]["status"] == "submitted"
    assert (
        anonymous.post("/api/applications/status", {**secret, "secret": "nope"}).status_code == 404
    )
    assert anonymous.post("/api/applications/withdraw", secret).json()["status"] == "withdrawn"
    assert Application.objects.get().status == "withdrawn"


def test_a_reviewer_reads_and_moves_an_application_through_the_api(town, api):
    from hromada.volunteers.tests.factories import make_application

    application = make_application(organization=town.hq)
    caller = api(town.hq_coordinator)
    moved = caller.post(f"/api/applications/{application.pk}/status", {"status": "interview"})
    assert moved.status_code == 422  # submitted cannot jump to interview
    moved = caller.post(
        f"/api/applications/{application.pk}/status",
        {"status": "screening", "note": "Дзвінок у п'ятницю"},
    )
    assert (
        moved.json()["status"] == "screening"
        and moved.json()["events"][-1]["note"] == "Дзвінок у п'ятницю"
    )
    listed = caller.get("/api/applications", {"status": "screening"}).json()
    assert [a["reference"] for a in listed["items"]] == [application.reference]


def test_the_directory_api_shows_anonymous_callers_only_public_cards(town, api):
    caller = api(town.coordinator)
    made = caller.post(
        "/api/directory",
        {
            "organization_id": town.council.pk,
            "place_id": town.school.pk,
            "title": "Директор",
            "phone": "050 000 11 41",
        },
    )
    assert made.status_code == 201 and made.json()["phone"] == "+380500001141"
    public = caller.post(
        "/api/directory",
        {
            "organization_id": town.council.pk,
            "place_id": town.office.pk,
            "title": "Гаряча лінія",
            "phone": "0500000100",
            "sensitivity": "public",
        },
    )
    assert public.status_code == 201
    titles = [c["title"] for c in api(None).get("/api/directory").json()["items"]]
    assert titles == ["Гаряча лінія"]
    gone = caller.patch(f"/api/directory/{public.json()['id']}", {"is_active": False})
    assert gone.status_code == 200
    assert api(None).get("/api/directory").json()["count"] == 0


def test_the_shift_list_costs_the_same_queries_for_any_page_size(
    town, api, django_assert_num_queries
):
    task = make_task(organization=town.hq, place=town.hub)
    for hour in range(20):
        shift = make_shift(task=task, starts_at=tomorrow_at(0) + datetime.timedelta(hours=hour))
        make_assignment(
            shift=shift,
            volunteer=make_volunteer(organization=town.hq),
            status=Assignment.Status.INVITED,
        )
    caller = api(town.volunteer)
    # token (with user), the token's first use noted, roles, count, page of shifts with their
    # counts, task, place and team
    with django_assert_num_queries(5):
        response = caller.get("/api/shifts", {"limit": 50})
    assert response.json()["count"] == 20


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("get", "/api/volunteers?free_from=soon", None, "free_from"),
        ("get", "/api/volunteers?skill=juggler", None, "skill"),
        ("get", "/api/shifts?day=monday", None, "day"),
        ("get", "/api/custody?at=yesterday", None, "at"),
        ("post", "/api/assignments/{assignment}/check-in", {"at": "this morning"}, "at"),
        (
            "post",
            "/api/assignments/{assignment}/check-in",
            {"at": "2099-01-01T08:00:00+02:00"},
            "at",
        ),
        (
            "post",
            "/api/equipment/{item}/issue",
            {"volunteer_id": "{me}", "team_id": "{team}"},
            "holder",
        ),
        ("post", "/api/equipment/{item}/issue", {"volunteer_id": 999999}, "volunteer_id"),
        ("post", "/api/equipment/{item}/return", {"condition": "shiny"}, "condition"),
        (
            "post",
            "/api/volunteers/signup",
            {"organization_id": 999999, "name": "Х", "phone": "0501234567", "consent": True},
            "organization_id",
        ),
        (
            "post",
            "/api/applications/status",
            {"reference": "HR-XXXXXXX", "secret": "x" * 65},
            "secret",
        ),
        (
            "post",
            "/api/tasks",
            {
                "organization_id": "{hq}",
                "title": "Т",
                "kind": "fortification",
                "first_shift": {
                    "starts_at": "2099-01-01T10:00:00Z",
                    "ends_at": "2099-01-01T09:00:00Z",
                    "headcount": 2,
                },
            },
            "ends_at",
        ),
        (
            "post",
            "/api/tasks",
            {
                "organization_id": "{hq}",
                "title": "Т",
                "kind": "fortification",
                "first_shift": {
                    "starts_at": "2099-01-01T10:00:00Z",
                    "ends_at": "2099-01-03T10:00:00Z",
                    "headcount": 2,
                },
            },
            "ends_at",
        ),
    ],
)
def test_wrong_input_is_a_422_that_names_the_field(town, api, method, path, data, field):
    from hromada.volunteers.tests.factories import make_team

    now = timezone.now()
    shift = make_shift(
        task=make_task(organization=town.hq),
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )
    ids = {
        "assignment": make_assignment(shift=shift, volunteer=town.me).pk,
        "item": make_item(organization=town.hq).pk,
        "me": town.me.pk,
        "team": make_team(organization=town.hq).pk,
        "hq": town.hq.pk,
    }
    path = path.format(**ids)
    if data is not None:
        data = json.loads(
            json.dumps(data)
            .replace('"{me}"', str(ids["me"]))
            .replace('"{team}"', str(ids["team"]))
            .replace('"{hq}"', str(ids["hq"]))
        )
    caller = api(town.hq_coordinator)
    response = caller.get(path) if method == "get" else caller.post(path, data)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()


@pytest.mark.django_db
def test_every_volunteers_operation_is_in_a_valid_openapi_document(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/openapi.json").json()
    validate(spec)
    for path in (
        "/api/volunteers",
        "/api/shifts/{shift_id}",
        "/api/custody",
        "/api/applications/documents",
        "/api/directory",
    ):
        assert path in spec["paths"], path
