"""CAP 1.2 and its Atom index: writing them, and reading what other senders publish.

Every message we write is built with lxml (which escapes text; no string templates) and
checked against the OASIS schema shipped in ``data/cap-1.2.xsd``. What arrives from outside
is untrusted: it is read without DTDs, entities or network access, size-limited, and must
validate against the same schema before anything of it is stored.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from lxml import etree
from lxml.builder import ElementMaker

from hromada.alerts.models import Alert, AlertInfo

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
ATOM_MIME = "application/atom+xml"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "cap-1.2.xsd"
MAX_CAP_BYTES = 1024 * 1024
MAX_INDEX_BYTES = 5 * 1024 * 1024
KATOTTG = "KATOTTG"  # geocode valueName for Ukraine's codifier of administrative units

E = ElementMaker(namespace=CAP_NS, nsmap={None: CAP_NS})
A = ElementMaker(namespace=ATOM_NS, nsmap={None: ATOM_NS})


class CapError(ValueError):
    """A message that is not CAP 1.2 we can accept; ``messages`` says why, for a person."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def format_time(value: datetime.datetime | None) -> str:
    """CAP time: seconds, and a numeric offset in the town's zone. The schema refuses "Z"
    and fractions of a second, so never use isoformat() on a UTC time directly."""
    if value is None:
        value = timezone.now()
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return value.astimezone(zone).replace(microsecond=0).isoformat()


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=safe_parser()))


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )


def schema_errors(root: etree._Element) -> list[str]:
    """What the CAP 1.2 schema finds wrong with ``root`` (empty when it validates)."""
    validator = schema()
    if validator.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log]  # type: ignore[attr-defined]


# Writing -------------------------------------------------------------------------------


def _info_element(alert: Alert, info: AlertInfo, web_default: str) -> etree._Element:
    parts: list[Any] = [E.language(info.language)]
    parts += [E.category(c) for c in info.categories]
    parts.append(E.event(info.event))
    parts += [E.responseType(r) for r in info.response_types]
    parts += [E.urgency(info.urgency), E.severity(info.severity), E.certainty(info.certainty)]
    if info.audience:
        parts.append(E.audience(info.audience))
    for name in ("effective", "onset", "expires"):
        value = getattr(info, name)
        if value is not None:
            parts.append(getattr(E, name)(format_time(value)))
    optional = [
        ("senderName", info.sender_name),
        ("headline", info.headline),
        ("description", info.description),
        ("instruction", info.instruction),
        ("web", info.web or web_default),
        ("contact", info.contact),
    ]
    parts += [getattr(E, name)(value) for name, value in optional if value]
    for area in info.areas.all():
        area_parts: list[Any] = [E.areaDesc(area.description)]
        area_parts += [E.polygon(p) for p in area.polygons]
        area_parts += [E.circle(c) for c in area.circles]
        area_parts += [E.geocode(E.valueName(n), E.value(v)) for n, v in area.geocodes]
        parts.append(E.area(*area_parts))
    return E.info(*parts)


def build_alert(alert: Alert, *, web_default: str = "") -> etree._Element:
    """The CAP 1.2 <alert> element for one of our alerts. A draft (not yet sent) carries the
    time of writing as its ``sent``."""
    parts: list[Any] = [
        E.identifier(alert.identifier),
        E.sender(alert.sender),
        E.sent(format_time(alert.sent or alert.created_at)),
        E.status(alert.status),
        E.msgType(alert.msg_type),
        E.scope(alert.scope),
    ]
    if alert.restriction:
        parts.append(E.restriction(alert.restriction))
    if alert.note:
        parts.append(E.note(alert.note))
    references = alert.cap_references()
    if references:
        parts.append(E.references(references))
    parts += [_info_element(alert, info, web_default) for info in alert.infos.all()]
    return E.alert(*parts)


def alert_xml(alert: Alert, *, web_default: str = "") -> bytes:
    """The CAP file served for an alert: an external message exactly as it came, ours built."""
    if alert.original_xml:
        return alert.original_xml.encode("utf-8")
    return etree.tostring(
        build_alert(alert, web_default=web_default),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
    )


def atom_index(
    alerts: list[Alert],
    *,
    feed_id: str,
    title: str,
    self_url: str,
    page_url: str,
    cap_url: Any,
    html_url: Any,
    author: str,
    updated: datetime.datetime | None = None,
) -> bytes:
    """An Atom feed listing ``alerts``, one entry each, linking to its CAP file (the usual
    CAP index feed, as national warning services publish it)."""
    newest = max((a.sent for a in alerts if a.sent), default=None)
    parts: list[Any] = [
        A.id(feed_id),
        A.title(title),
        A.updated(format_time(updated or newest)),
        A.author(A.name(author)),
        A.link(rel="self", type=ATOM_MIME, href=self_url),
        A.link(rel="alternate", type="text/html", href=page_url),
    ]
    for alert in alerts:
        info = alert.info()
        entry: list[Any] = [
            A.id(f"urn:cap:{alert.sender}:{alert.identifier}"),
            A.title((info.headline or info.event) if info else alert.identifier),
            A.updated(format_time(alert.sent)),
            A.published(format_time(alert.sent)),
            A.author(A.name((info.sender_name if info else "") or alert.sender)),
            A.link(rel="alternate", type=CAP_MIME, href=cap_url(alert)),
            A.link(rel="related", type="text/html", href=html_url(alert)),
        ]
        entry += [A.category(term=c) for c in alert.category_list]
        if info and info.description:
            entry.append(A.summary(info.description))
        parts.append(A.entry(*entry))
    return etree.tostring(A.feed(*parts), xml_declaration=True, encoding="UTF-8", pretty_print=True)


# Reading -------------------------------------------------------------------------------


def parse_untrusted(data: bytes, *, limit: int) -> etree._Element:
    """Parse XML from outside: no DTD, no entities, no network, at most ``limit`` bytes."""
    if len(data) > limit:
        raise CapError([_("The file is larger than %(n)s bytes.") % {"n": limit}])
    try:
        # defusedxml first: it refuses DTDs and entity declarations outright (billion laughs,
        # external entities), which lxml would otherwise parse, if not expand.
        defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
        return etree.fromstring(data, parser=safe_parser())
    except DefusedXmlException:
        raise CapError([_("The file declares a DTD or entities, which CAP never needs.")]) from None
    except (etree.XMLSyntaxError, defusedxml.ElementTree.ParseError) as error:
        raise CapError(
            [_("The file is not well-formed XML: %(error)s") % {"error": error}]
        ) from None


def _text(element: etree._Element, name: str) -> str:
    found = element.find(f"{{{CAP_NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _texts(element: etree._Element, name: str) -> list[str]:
    return [(e.text or "").strip() for e in element.findall(f"{{{CAP_NS}}}{name}")]


def _time(element: etree._Element, name: str) -> datetime.datetime | None:
    raw = _text(element, name)
    return parse_datetime(raw) if raw else None


@dataclass
class ParsedArea:
    description: str
    polygons: list[str]
    circles: list[str]
    geocodes: list[list[str]]


@dataclass
class ParsedInfo:
    fields: dict[str, Any]
    areas: list[ParsedArea] = field(default_factory=list)


@dataclass
class ParsedAlert:
    identifier: str
    sender: str
    sent: datetime.datetime
    status: str
    msg_type: str
    scope: str
    restriction: str
    note: str
    references: list[tuple[str, str, str]]
    references_text: str
    infos: list[ParsedInfo]
    xml: str


def parse_cap(data: bytes) -> ParsedAlert:
    """Read and validate one CAP 1.2 message from outside; raise CapError when it fails."""
    root = parse_untrusted(data, limit=MAX_CAP_BYTES)
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapError(
            [_("This is not a CAP 1.2 alert (the root element is %(tag)s).") % {"tag": root.tag}]
        )
    errors = schema_errors(root)
    if errors:
        raise CapError([_("The message does not follow the CAP 1.2 schema."), *errors[:5]])
    sent = _time(root, "sent")
    assert sent is not None  # required and typed by the schema
    references_text = _text(root, "references")
    references = []
    for triple in references_text.split():
        bits = triple.split(",")
        if len(bits) == 3:
            references.append((bits[0], bits[1], bits[2]))
    infos = []
    for info in root.findall(f"{{{CAP_NS}}}info"):
        fields = {
            "language": _text(info, "language") or "en-US",
            "categories": _texts(info, "category"),
            "event": _text(info, "event"),
            "response_types": _texts(info, "responseType"),
            "urgency": _text(info, "urgency"),
            "severity": _text(info, "severity"),
            "certainty": _text(info, "certainty"),
            "audience": _text(info, "audience"),
            "effective": _time(info, "effective"),
            "onset": _time(info, "onset"),
            "expires": _time(info, "expires"),
            "sender_name": _text(info, "senderName"),
            "headline": _text(info, "headline"),
            "description": _text(info, "description"),
            "instruction": _text(info, "instruction"),
            "web": _text(info, "web"),
            "contact": _text(info, "contact"),
        }
        areas = [
            ParsedArea(
                description=_text(area, "areaDesc"),
                polygons=_texts(area, "polygon"),
                circles=_texts(area, "circle"),
                geocodes=[
                    [_text(g, "valueName"), _text(g, "value")]
                    for g in area.findall(f"{{{CAP_NS}}}geocode")
                ],
            )
            for area in info.findall(f"{{{CAP_NS}}}area")
        ]
        infos.append(ParsedInfo(fields=fields, areas=areas))
    return ParsedAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=sent,
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        restriction=_text(root, "restriction"),
        note=_text(root, "note"),
        references=references,
        references_text=references_text,
        infos=infos,
        xml=data.decode("utf-8", errors="replace"),
    )


@dataclass
class IndexEntry:
    """One entry of an Atom index: where its CAP message is (a URL, or inline)."""

    key: str
    cap_url: str = ""
    inline: bytes = b""


def parse_atom_index(data: bytes) -> list[IndexEntry]:
    """The entries of an Atom index of CAP messages. Each names its CAP file by a link of type
    application/cap+xml (or any other link), or carries the <alert> inline in <content>."""
    root = parse_untrusted(data, limit=MAX_INDEX_BYTES)
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise CapError([_("This is not an Atom feed.")])
    entries = []
    for entry in root.findall(f"{{{ATOM_NS}}}entry"):
        entry_id = (entry.findtext(f"{{{ATOM_NS}}}id") or "").strip()
        updated = (entry.findtext(f"{{{ATOM_NS}}}updated") or "").strip()
        key = f"{entry_id}@{updated}"[:500]
        inline = entry.find(f"{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")
        if inline is not None:
            entries.append(IndexEntry(key=key, inline=etree.tostring(inline)))
            continue
        links = entry.findall(f"{{{ATOM_NS}}}link")
        chosen = [link for link in links if link.get("type") == CAP_MIME] or [
            link for link in links if (link.get("href") or "").endswith(".xml")
        ]
        if chosen and chosen[0].get("href"):
            entries.append(IndexEntry(key=key, cap_url=chosen[0].get("href", "")))
    return entries
