"""The demo town's situation record, 24–28 February 2022.

The figures of the field report are entered as claims by their sources, with their dates:
the town's 28 killed and 68 wounded, the government's ~200 civilians killed including 16
children and its 4,300 enemy soldiers killed and ~200 prisoners, OHCHR's 102 killed
including 7 children and 304 injured ("real figures considerably higher"), UNHCR's more
than 500,000 who fled, and an eyewitness's houses burned and apartment buildings hit in
one night. Everything else (the earlier town and hospital counts, the incidents, the media
items) is made up to show how the record works, as are the people and organisations of
the demo town.
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from hromada.core.demo import TOWN, Town
from hromada.reports import metrics, services
from hromada.reports.figures import Figure, Qualifier
from hromada.reports.models import Claim, Incident, MediaLink, Party, Source, Verification

KYIV = ZoneInfo("Europe/Kyiv")
OHCHR_NEWS = "https://www.ohchr.org/en/news"
UNHCR_NEWS = "https://www.unhcr.org/news"
FIELD_REPORT = "https://www.afp.com/en/news"


def at(
    day: int, hour: int = 12, minute: int = 0, month: int = 2, year: int = 2022
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=KYIV)


# key: name_uk, name_en, kind, scale, party, reliability, group, recorder for
SOURCES: dict[str, tuple[Any, ...]] = {
    "council": ("Охтирська міська рада", "Okhtyrka City Council", "local_authority", "local", None, "B",
                "okhtyrka-council", []),
    "hospital": ("Охтирська центральна районна лікарня", "Okhtyrka Central District Hospital", "hospital",
                 "local", None, "B", "", []),
    "government": ("Уряд України", "Government of Ukraine", "national_government", "national", "ua", "C",
                   "government-of-ukraine", []),
    "ohchr": ("Управління Верховного комісара ООН з прав людини", "UN Human Rights Office (OHCHR)",
              "un_agency", "international", None, "A", "ohchr", [metrics.CASUALTIES]),
    "unhcr": ("УВКБ ООН", "UNHCR, the UN Refugee Agency", "un_agency", "international", None, "A", "unhcr",
              [metrics.REFUGEES_FLED, metrics.REFUGEES_HOSTED]),
    "amnesty": ("Amnesty International", "Amnesty International", "intl_ngo", "international", None, "B",
                "amnesty", []),
    "afp": ("Агентство Франс Прес", "Agence France-Presse", "media_international", "international", None,
            "B", "", []),
    "pravda": ("Українська правда", "Ukrainska Pravda", "media_national", "national", None, "B", "", []),
    "suspilne": ("Суспільне Суми", "Suspilne Sumy", "media_local", "regional", None, "B", "", []),
    "natalia": ("Наталія, жителька Охтирки", "Natalia, Okhtyrka resident", "eyewitness", "local", None, "C",
                "", []),
}  # fmt: skip

# key, source, title, published, cites (document key or source key), excerpt
DOCUMENTS = [
    ("ohchr-26", "ohchr", "Ukraine: civilian casualty update, 26 February 2022", at(26, 11), None,
     "From 4 a.m. on 24 February 2022 until midnight on 25 February 2022, OHCHR recorded at least "
     "240 civilian casualties in Ukraine, including 64 killed. The real figures are considerably "
     "higher."),
    ("ohchr-28", "ohchr", "Ukraine: civilian casualty update, 28 February 2022", at(28, 11), None,
     "From 4 a.m. on 24 February 2022 until midnight on 27 February 2022, OHCHR recorded 406 civilian "
     "casualties: 102 killed, including 7 children, and 304 injured. OHCHR believes that the real "
     "figures are considerably higher."),
    ("government-27", "government", "Зведення про загиблих серед цивільного населення", at(27, 13), None,
     "Загинули близько 200 цивільних, серед них 16 дітей. Також загинули десятки військовослужбовців."),
    ("government-28", "government", "Втрати противника станом на 28 лютого", at(28, 10), None,
     "Противник втратив понад 4300 осіб особового складу; близько 200 окупантів взято в полон."),
    ("council-25", "council", "Звернення міського голови 25 лютого", at(25, 21), None,
     "Внаслідок обстрілу дитячого садка загинули щонайменше двоє людей, серед них дитина."),
    ("council-27", "council", "Звернення міського голови 27 лютого", at(27, 19), None,
     "За чотири дні в місті загинули щонайменше 18 людей, 45 поранені."),
    ("council-28", "council", "Звернення міського голови 28 лютого", at(28, 19), None,
     "На жаль, за п'ять днів 68 поранених і 28 загиблих."),
    ("hospital-28", "hospital", "Довідка лікарні для міського штабу", at(28, 17), None,
     "З 24 лютого до лікарні доставлено 71 пораненого."),
    ("amnesty-25", "amnesty", "Ukraine: cluster munitions kill child and two other civilians taking shelter "
     "at a preschool", at(27, 10), None,
     "A cluster munition attack on a preschool in Okhtyrka killed three people, including a child."),
    ("unhcr-27", "unhcr", "Refugees fleeing Ukraine: update, 27 February", at(27, 16), None,
     "368,000 people have now fled Ukraine into neighbouring countries."),
    ("unhcr-28", "unhcr", "Refugees fleeing Ukraine: update, 28 February", at(28, 12), None,
     "More than 500,000 people have fled Ukraine into neighbouring countries."),
    ("afp-un", "afp", "War in Ukraine: citizen resistance is getting organized", at(28, 18), "ohchr-28",
     "For its part, the UN said on Monday that it recorded 102 civilians killed, including 7 children, "
     "and 304 injured, but warned that the real figures \u201care considerably\u201d higher."),
    ("afp-kyiv", "afp", "War in Ukraine: citizen resistance is getting organized (figures from Kyiv)",
     at(28, 18), "government-28",
     "According to Kiev, the Ukrainian army killed more than 4,300 Russian soldiers and took nearly "
     "200 prisoners."),
    ("pravda-un", "pravda", "ООН: загинули щонайменше 102 цивільних", at(28, 13), "ohchr-28",
     "В ООН заявили, що зафіксували 102 загиблих цивільних, серед них 7 дітей."),
    ("suspilne-town", "suspilne", "В Охтирці 28 загиблих і 68 поранених", at(28, 20), "council-28",
     "За словами міського голови, в Охтирці загинули 28 людей, 68 поранені."),
    ("natalia", "natalia", "War in Ukraine: citizen resistance is getting organized (a resident)", at(28, 18),
     None,
     "In the night from Sunday to Monday, \u201cmore than 10 houses were burned and about the same "
     "number of apartment buildings hit by missiles\u201d."),
]  # fmt: skip

# document, metric, words, scope ("town", "national" or an incident key), as of, basis, options
CLAIMS: list[tuple[Any, ...]] = [
    ("ohchr-26", metrics.CASUALTIES, "at least 240 casualties including 64 killed", "national", at(26, 0),
     "verified_records", {"undercount": True, "caveat": "The real figures are considerably higher."}),
    ("ohchr-28", metrics.KILLED, "102 killed, including 7 children", "national", at(28, 0),
     "verified_records", {"undercount": True, "caveat": "The real figures are considerably higher."}),
    ("ohchr-28", metrics.INJURED, "304 injured", "national", at(28, 0), "verified_records",
     {"undercount": True}),
    ("government-27", metrics.KILLED, "близько 200, серед них 16 дітей", "national", at(27, 12),
     "official_statement", {}),
    ("government-27", metrics.COMBATANTS_KILLED, "десятки", "national", at(27, 12), "official_statement",
     {"party": "ua"}),
    ("government-28", metrics.COMBATANTS_KILLED, "понад 4300", "national", at(28, 9), "belligerent_claim",
     {"party": "ru"}),
    ("government-28", metrics.COMBATANTS_CAPTURED, "близько 200", "national", at(28, 9), "belligerent_claim",
     {"party": "ru"}),
    ("council-25", metrics.KILLED, "щонайменше двоє, серед них дитина", "kindergarten", at(25, 20),
     "documented_count", {}),
    ("amnesty-25", metrics.KILLED, "three people, including a child", "kindergarten", at(27, 9),
     "verified_records", {}),
    ("council-27", metrics.KILLED, "щонайменше 18", "town", at(27, 18), "documented_count", {}),
    ("council-27", metrics.INJURED, "45", "town", at(27, 18), "documented_count", {}),
    ("council-28", metrics.KILLED, "28", "town", at(28, 18), "documented_count",
     {"caveat": "May include members of the territorial defence."}),
    ("council-28", metrics.INJURED, "68", "town", at(28, 18), "documented_count", {}),
    ("hospital-28", metrics.INJURED, "71", "town", at(28, 16), "documented_count",
     {"caveat": "People brought to the hospital, including some from nearby villages."}),
    ("unhcr-27", metrics.REFUGEES_FLED, "368,000", "national", at(27, 12), "documented_count", {}),
    ("unhcr-28", metrics.REFUGEES_FLED, "more than 500,000", "national", at(28, 12), "documented_count", {}),
    ("afp-un", metrics.KILLED, "102 civilians killed, including 7 children", "national", at(28, 0),
     "verified_records", {"undercount": True}),
    ("afp-kyiv", metrics.COMBATANTS_KILLED, "more than 4,300", "national", at(28, 9), "belligerent_claim",
     {"party": "ru"}),
    ("afp-kyiv", metrics.COMBATANTS_CAPTURED, "nearly 200", "national", at(28, 9), "belligerent_claim",
     {"party": "ru"}),
    ("pravda-un", metrics.KILLED, "102, серед них 7 дітей", "national", at(28, 0), "verified_records",
     {"undercount": True}),
    ("suspilne-town", metrics.KILLED, "28", "town", at(28, 18), "documented_count", {}),
    ("suspilne-town", metrics.INJURED, "68", "town", at(28, 18), "documented_count", {}),
    ("natalia", metrics.BUILDINGS_DESTROYED, "more than 10 houses were burned", "night", at(28, 7),
     "eyewitness", {}),
    ("natalia", metrics.BUILDINGS_DAMAGED, "about the same number of apartment buildings hit", "night",
     at(28, 7), "eyewitness", {"about": 10}),
]  # fmt: skip

# key, kind, earliest, latest, precision, lat, lon, location precision, infrastructure,
# destroyed, damaged, status, grade, description
INCIDENTS: list[tuple[Any, ...]] = [
    ("outskirts", "shelling", at(24, 5), at(24, 9), "day", "50.3290", "34.8850", "neighbourhood", ["homes"],
     None, 3, "published", "weak", "Artillery fire on the northern outskirts in the early morning."),
    ("kindergarten", "shelling", at(25, 10, 0), at(25, 10, 30), "exact", "50.3120", "34.9040", "exact",
     ["education", "shelter"], None, 1, "published", "fair",
     "Cluster munitions struck a preschool where families were sheltering."),
    ("residential", "shelling", at(26, 0), at(26, 23, 59), "day", "50.3050", "34.8800", "street", ["homes"],
     2, 6, "published", "fair", "Shells hit private houses in a residential area."),
    ("entrance", "armed_clash", at(26, 20), at(27, 4), "days", "50.2950", "34.9200", "neighbourhood",
     ["transport"], None, None, "published", "weak", "Fighting at the southern entrance to the town."),
    ("station", "air_strike", at(27, 14, 10), at(27, 14, 10), "exact", "50.3030", "34.9060", "street",
     ["transport"], None, 2, "published", "weak", "A drone strike near the railway station."),
    ("night", "shelling", at(27, 22), at(28, 6), "day", "50.3080", "34.8920", "neighbourhood",
     ["homes", "apartments"], 11, 10, "published", "fair",
     "Houses burned and apartment buildings were hit by missiles during the night."),
    ("warehouse", "fire", at(28, 6), at(28, 9), "day", "50.3180", "34.9100", "street", ["food"], 1, None,
     "published", "weak", "A food warehouse caught fire after shelling."),
    ("substation", "structure_damage", at(28, 8), at(28, 12), "day", "50.3000", "34.8700", "street",
     ["energy"], None, 1, "published", "fair", "A power substation was damaged; part of the town is without power."),
    ("school-yard", "explosive", at(28, 10), at(28, 14), "day", "50.3160", "34.8870", "street", ["education"],
     None, None, "published", "weak", "An unexploded rocket was found in a school yard."),
    ("hospital-area", "shelling", at(28, 19), at(28, 21), "day", "50.3125", "34.8990", "neighbourhood",
     ["health"], None, None, "reported", "unassessed", "Explosions heard near the hospital."),
    ("warehouse-again", "fire", at(28, 7), at(28, 8), "day", "50.3175", "34.9095", "street", ["food"], None,
     None, "reported", "unassessed", "A warehouse is burning on the industrial street."),
    ("pumping", "structure_damage", at(25, 8), at(25, 18), "day", "50.3200", "34.8600", "street", ["water"],
     None, 1, "published", "weak", "The water pumping station was hit."),
]  # fmt: skip

# key, platform, uploader, first seen, caption, scene, verification (status, proposer, confirmer), link
MEDIA: list[tuple[Any, ...]] = [
    ("kindergarten-photo", "telegram", "@okhtyrka_news", at(25, 11), "Обстріл дитсадка «Сонечко»", 11,
     ("verified", "The preschool's roof and yard match street imagery; shadows fit late morning."),
     ("kindergarten", "supports")),
    ("night-video", "telegram", "@sumy_today", at(28, 7), "Горять будинки, Охтирка, ніч", 12,
     ("in_progress", "Matching the skyline against the apartment blocks of the north-east."),
     ("night", "supports")),
    ("pumping-photo", "x", "@war_watcher_ua", at(25, 19), "Okhtyrka water station destroyed today", 13,
     ("in_progress", "The light and the trees look like summer."), ("pumping", "supports")),
    # Added later: the same picture, first seen in 2014. The photo above is found recycled and
    # the pumping station incident, which rested on it alone, goes back to review.
    ("old-original", "website", "a news site", at(20, 9, month=7, year=2014), "Shelling aftermath, 2014", 13,
     None, None),
    ("kharkiv-photo", "facebook", "Olena K.", at(27, 8), "Охтирка зранку", 17,
     ("misleading", "A real photo, but of Kharkiv on 26 February: the street signs give it away."),
     ("outskirts", "contradicts")),
    ("column-photo", "telegram", "@okhtyrka_chat", at(26, 9), "Колона техніки на об'їзній", 14,
     ("undetermined", ""), ("entrance", "supports")),
    ("game-still", "tiktok", "@clips_now", at(27, 21), "Охтирка прямо зараз!!!", 15,
     ("false", "A still from a video game, found by reverse image search."), ("station", "contradicts")),
    ("night-flash", "viber", "a resident", at(28, 1), "Вибух вночі", 16,
     ("inconclusive", "Too dark to place or date; no landmarks."), ("night", "supports")),
]  # fmt: skip


def _picture(seed: int, *, small: bool = False) -> bytes:
    """A made-up photo: coloured blocks, different for each seed; re-encoded smaller for a
    re-upload (the same picture to a perceptual hash, other bytes)."""
    rng = random.Random(seed)  # noqa: S311 -- made-up pictures, not secrets
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(80, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(640), rng.randrange(480)
        w, h = rng.randrange(20, 200), rng.randrange(20, 160)
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    if small:
        image = image.resize((480, 360))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70 if small else 90)
    return buffer.getvalue()


def load(town: Town) -> dict[str, int]:
    analyst = town.users["analyst"]
    second = town.users["analyst2"]  # the demo's second reviewer (a different person)
    parties = {p.code: p for p in Party.objects.all()}
    area = town.areas[TOWN]
    sources: dict[str, Source] = {}
    for key, (
        name_uk,
        name_en,
        kind,
        scale,
        party,
        reliability,
        group,
        recorder,
    ) in SOURCES.items():
        sources[key], _created = services.create_source(
            analyst, name_uk=name_uk, name_en=name_en, kind=kind, scale=scale,
            party=parties.get(party or ""), reliability=reliability, independence_group=group,
            recorder_for=recorder,
        )  # fmt: skip
    documents: dict[str, Any] = {}
    for key, source, title, published, cites, excerpt in DOCUMENTS:
        documents[key], _created = services.create_document(
            analyst,
            source=sources[source],
            title=title,
            url=OHCHR_NEWS if source == "ohchr" else UNHCR_NEWS if source == "unhcr" else
            FIELD_REPORT if source in ("afp", "natalia") else "",
            published_at=published,
            retrieved_at=published + datetime.timedelta(hours=1),
            language="uk" if any("\u0400" <= ch <= "\u04ff" for ch in excerpt) else "en",
            excerpt=excerpt,
            cites_document=documents.get(cites or ""),
        )  # fmt: skip
    incidents: dict[str, Incident] = {}
    for (key, kind, earliest, latest, precision, lat, lon, place_precision, infrastructure, destroyed,
         damaged, status, grade, description) in INCIDENTS:  # fmt: skip
        incident, _created = services.report_incident(
            analyst, kind=kind, occurred_earliest=earliest, occurred_latest=latest,
            time_precision=precision, area=area, latitude=lat, longitude=lon,
            location_precision=place_precision, infrastructure=infrastructure,
            buildings_destroyed=destroyed, buildings_damaged=damaged, description=description,
        )  # fmt: skip
        if status == Incident.Status.PUBLISHED:
            services.review_incident(analyst, incident, status=status, grade=grade)
        incidents[key] = incident
    for key in ("hospital-area", "warehouse-again"):
        incidents[key].reporter_contact = "+380 50 000 0199" if key == "hospital-area" else ""
        incidents[key].reported_by = None
        incidents[key].save(update_fields=["reporter_contact", "reported_by"])
    for doc, key in (("council-25", "kindergarten"), ("amnesty-25", "kindergarten"),
                     ("natalia", "night"), ("council-28", "night")):  # fmt: skip
        services.link_document(analyst, incidents[key], documents[doc], relation="reports")
    for doc, metric, words, scope, as_of, basis, options in CLAIMS:
        options = dict(options)
        about = options.pop("about", None)
        party = parties.get(options.pop("party", ""))
        services.record_claim(
            analyst,
            document=documents[doc],
            metric=metric,
            words=words,
            figure=Figure(Qualifier.ABOUT, None, about, None, words) if about else None,
            as_of=as_of,
            basis=basis,
            party=party,
            area=area if scope == "town" else None,
            incident=incidents.get(scope),
            **options,
        )
    media = {}
    for key, platform, uploader, seen, caption, scene, verdict, link in MEDIA:
        content = _picture(scene, small=key == "pumping-photo")
        item, _created = services.add_media(
            analyst,
            upload=SimpleUploadedFile(f"{key}.jpg", content, content_type="image/jpeg"),
            platform=platform,
            uploader=uploader,
            first_seen_at=seen,
            caption=caption,
        )
        media[key] = item
        if link:
            services.link_media(analyst, item, incidents[link[0]], relation=link[1])
        if verdict:
            status, findings = verdict
            verification, _created = services.start_verification(
                analyst, item, claimed=caption, provenance=findings,
                status="in_progress" if status != "undetermined" else "undetermined",
            )  # fmt: skip
            if status in Verification.FINAL:
                services.propose_verdict(analyst, verification, status=status)
                services.confirm_verdict(second, verification)
    town_sitreps = 0
    for cutoff, title, summary in (
        (
            at(27, 20),
            "Охтирка: ситуація на вечір 27 лютого",
            "Четвертий день обстрілів. Місто в обороні; пошкоджено житло, школи й транспорт.",
        ),
        (
            at(28, 20),
            "Охтирка: ситуація на вечір 28 лютого",
            "Нічний обстріл: згоріли понад десять будинків, пошкоджено близько десяти багатоповерхівок. "
            "Цифри міста, уряду й ООН різняться: дивіться, чому.",
        ),
    ):
        sitrep, _created = services.create_sitrep(
            analyst,
            organization=town.orgs["council"],
            area=area,
            cutoff=cutoff,
            title=title,
            summary=summary,
        )
        services.submit_sitrep(analyst, sitrep)
        services.approve_sitrep(second, sitrep)
        services.publish_sitrep(analyst, sitrep)
        town_sitreps += 1
    return {
        "sources": len(sources),
        "documents": len(documents),
        "claims": Claim.objects.count(),
        "incidents": len(incidents),
        "media items": len(media),
        "media links": MediaLink.objects.count(),
        "sitreps": town_sitreps,
    }
