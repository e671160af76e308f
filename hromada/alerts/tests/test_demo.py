"""The demo town's alerts: a bread distribution in force, an expired water warning, the air
raid template, two screens."""

from django.urls import reverse

from hromada.alerts.models import Alert, AlertTemplate, Display
from hromada.core import demo


def test_the_demo_has_a_current_alert_an_expired_one_a_template_and_two_screens(db, client):
    demo.load()

    current = Alert.objects.current().get()
    assert current.info("uk").event == "Видача хліба" and current.reviewed_by.username == "approver"
    assert current.created_by.username == "author"
    expired = Alert.objects.published().exclude(pk=current.pk).get()
    assert not expired.is_current() and expired.lifecycle() == "Expired"
    assert AlertTemplate.objects.filter(code="air-raid").exists()
    assert Display.objects.count() == 2

    display = Display.objects.first()
    screen = client.get(reverse("alerts:screen", args=[display.token])).content.decode()
    assert current.info("uk").headline in screen
    geojson = client.get(reverse("alerts:areas-geojson")).json()
    assert len(geojson["features"]) == 1  # the circle around the stadium
