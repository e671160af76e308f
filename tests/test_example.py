"""How we test in Hromada: read this first.

1. Fixtures, not setUp: ``community`` (conftest.py) builds a small town with one user per
   role and places of every sensitivity. Ask for it by name.
2. Build rows with ``make_<thing>(**overrides)`` from ``<app>/tests/factories.py``; name only
   what the test is about.
3. Pages: ``as_user(persona)`` gives a signed-in test client (anonymous when the persona is
   ``community.anonymous``). Assert on status and on what the person would read.
4. API: the same, with JSON, or with a personal token as a script would.
5. Permissions: test who may AND who may not. New endpoints also get a row in
   tests/test_permission_matrix.py.
6. Test names are sentences about behaviour; a test must fail when that behaviour breaks.
"""

import json

from hromada.aid.models import Need
from hromada.aid.tests.factories import item, make_need


def test_a_page_shows_a_need_to_a_visitor(community, as_user):
    make_need(place=community.ward, item=item("insulin"))  # a public hospital's need

    response = as_user(community.anonymous).get("/needs/")

    assert response.status_code == 200
    assert "Insulin" in response.content.decode()  # the test client asks in English


def test_an_api_operation_creates_through_the_service(community, as_user):
    client = as_user(community.doctor)  # coordinator of the hospital

    response = client.post(
        "/api/needs",
        json.dumps(
            {"place_id": community.ward.pk, "item_id": item("bandages").pk, "quantity": "200"}
        ),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Need.objects.get().created_by == community.doctor


def test_a_permission_is_tested_from_the_side_that_must_be_refused(community, as_user):
    client = as_user(community.volunteer)  # a volunteer may not post needs

    response = client.post(
        "/api/needs",
        json.dumps({"place_id": community.hub.pk, "item_id": item("bread").pk, "quantity": "1"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not Need.objects.exists()  # and nothing half-written stays behind
