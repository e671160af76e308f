"""CAP 1.2 out and in: what we write validates against the OASIS schema; what others send is
read safely and validated before anything of it is kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from hromada.alerts import cap
from hromada.alerts.tests.factories import make_draft, published

DATA = Path(__file__).resolve().parent / "data"
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "cap-1.2.xsd"
NS = {"cap": cap.CAP_NS, "atom": cap.ATOM_NS}


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    """The shipped OASIS schema, loaded here on its own (not through the code under test)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def assert_valid(xsd: etree.XMLSchema, xml: bytes) -> etree._Element:
    root = etree.fromstring(xml)
    assert xsd.validate(root), xsd.error_log
    return root


def test_the_shipped_schema_is_the_oasis_cap_1_2_schema():
    text = SCHEMA.read_text(encoding="utf-8")
    assert 'targetNamespace="urn:oasis:names:tc:emergency:cap:1.2"' in text
    assert "Copyright OASIS Open 2010" in text


def test_a_published_alert_served_at_its_url_validates_against_the_cap_schema(
    community, as_user, xsd
):
    alert = published(
        community,
        areas=[community.town],
        area_description="Центр міста",
        polygon="50.30,34.88 50.32,34.88 50.32,34.91 50.30,34.91 50.30,34.88",
        circle="50.31,34.89 1.5",
        headline_ru="Воздушная тревога",
        event_ru="Воздушная тревога",
        description_en="Queue < 20 & growing",
        web="https://okhtyrka.example/alerts",
        contact="+380 50 000 0100",
    )

    response = as_user(community.anonymous).get(reverse("alerts:alert-cap", args=[alert.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    root = assert_valid(xsd, response.content)
    assert root.findtext("cap:identifier", namespaces=NS) == alert.identifier
    assert [e.text for e in root.findall("cap:info/cap:language", NS)] == ["uk", "en", "ru"]
    assert (
        root.findtext("cap:info/cap:area/cap:geocode/cap:value", namespaces=NS)
        == community.town.code
    )
    assert root.findtext("cap:info[2]/cap:description", namespaces=NS) == "Queue < 20 & growing"
    assert len(root.findall("cap:info[1]/cap:area", NS)) == 2  # the town, and the drawn area


def test_times_carry_a_numeric_offset_never_z(community):
    alert = published(community)
    xml = cap.alert_xml(alert).decode()
    times = re.findall(r"<(sent|expires)>([^<]+)<", xml)
    assert times and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", t) for _n, t in times
    )
    assert "Z<" not in xml


def test_an_update_and_a_cancel_reference_what_they_follow_and_validate(community, xsd):
    from hromada.alerts import services

    original = published(community)
    cancel, _ = services.start_follow_up(community.alert_author, original, msg_type="Cancel")
    services.submit_alert(community.alert_author, cancel)
    services.approve_alert(community.alert_approver, cancel)

    root = assert_valid(xsd, cap.alert_xml(cancel))
    assert root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert root.findtext("cap:references", namespaces=NS) == (
        f"{original.sender},{original.identifier},{cap.format_time(original.sent)}"
    )


def test_a_draft_is_not_served_to_the_public(community, as_user):
    draft = make_draft(author=community.alert_author, organization=community.council)
    url = reverse("alerts:alert-cap", args=[draft.pk])
    assert as_user(community.anonymous).get(url).status_code == 404
    assert as_user(community.alert_approver).get(url).status_code == 200  # staff preview it


def test_the_atom_feed_parses_back_and_links_every_current_alert_to_its_cap_file(
    community, as_user, xsd
):
    first = published(community, areas=[community.town])
    second = published(
        community, areas=[community.village], severity="Moderate", headline_en="Water"
    )
    make_draft(author=community.alert_author, organization=community.council)  # not in the feed

    client = as_user(community.anonymous)
    response = client.get(reverse("alerts:feed"))

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    assert feed.tag == f"{{{cap.ATOM_NS}}}feed"
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 2
    assert (
        entries[0].findtext("atom:title", namespaces=NS) == first.info("en").headline
    )  # Extreme first
    links = [e.find("atom:link[@type='application/cap+xml']", NS).get("href") for e in entries]
    assert links == [f"http://testserver/alerts/{a.pk}/cap.xml" for a in (first, second)]
    for link in links:  # every linked CAP file is there and valid
        assert_valid(xsd, client.get(link.removeprefix("http://testserver")).content)
    # our own reader takes the feed back as another Hromada would
    assert [e.cap_url for e in cap.parse_atom_index(response.content)] == links


def test_the_atom_feed_filters_by_area(community, as_user):
    published(community, areas=[community.town])
    village = published(community, areas=[community.village], headline_en="Village only")
    feed = as_user(community.anonymous).get(
        reverse("alerts:feed"), {"area": community.village.code}
    )
    titles = [e.text for e in etree.fromstring(feed.content).findall("atom:entry/atom:title", NS)]
    assert titles == [village.info().headline]


def test_an_external_message_is_read_and_validated():
    parsed = cap.parse_cap((DATA / "external-alert.xml").read_bytes())
    assert (parsed.sender, parsed.identifier, parsed.msg_type) == (
        "warnings@dsns.example",
        "DSNS-2022-02-28-0417",
        "Alert",
    )
    assert [i.fields["language"] for i in parsed.infos] == ["uk-UA", "en-US"]
    assert parsed.infos[0].areas[0].geocodes == [["KATOTTG", "UA59000000000000001"]]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<alert", "not well-formed"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "DTD or entities"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
            "DTD or entities",
        ),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not a CAP 1.2 alert"),
        (
            b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier></alert>",
            "does not follow the CAP 1.2 schema",
        ),
        (
            (DATA / "external-alert.xml").read_bytes().replace(b"+02:00</sent>", b"Z</sent>"),
            "does not follow the CAP 1.2 schema",
        ),
        (b"<a>" + b"x" * (cap.MAX_CAP_BYTES + 1) + b"</a>", "larger than"),
    ],
)
def test_unsafe_or_invalid_xml_is_refused_with_a_reason(xml, message):
    with pytest.raises(cap.CapError) as excinfo:
        cap.parse_cap(xml)
    assert message in str(excinfo.value)
