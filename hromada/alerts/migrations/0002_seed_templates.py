"""The messages authors send most often, ready to fill in: air raid, all clear, water, bread,
shelter full. "…" marks what the author must complete (a place, a time)."""

import datetime

from django.db import migrations

# code, name uk, name en, msg type, category, response, urgency, severity, certainty, hours,
# event uk, event en, headline uk, headline en, description uk, description en,
# instruction uk, instruction en
TEMPLATES = [
    (
        "air-raid", "Повітряна тривога", "Air raid alert", "Alert", "Security", "Shelter",
        "Immediate", "Extreme", "Observed", 6,
        "Повітряна тривога", "Air raid alert",
        "Повітряна тривога! Негайно пройдіть в укриття", "Air raid alert! Go to a shelter now",
        "Загроза ракетного або авіаційного удару по громаді.",
        "Threat of a missile or air strike on the community.",
        "Негайно пройдіть до найближчого укриття. Не користуйтеся ліфтом. "
        "Залишайтеся в укритті до відбою тривоги.",
        "Go to the nearest shelter now. Do not use lifts. Stay in the shelter until the all clear.",
    ),
    (
        "all-clear", "Відбій тривоги", "All clear", "Update", "Security", "AllClear",
        "Immediate", "Minor", "Observed", 0.5,
        "Відбій повітряної тривоги", "All clear",
        "Відбій повітряної тривоги", "All clear: the air raid alert is over",
        "Загроза удару минула.", "The threat of a strike has passed.",
        "Можна виходити з укриттів. Будьте уважні: тривога може повторитися.",
        "You may leave the shelters. Stay alert: the siren may sound again.",
    ),
    (
        "water-unsafe", "Вода непридатна для пиття", "Tap water unsafe", "Alert", "Health",
        "Avoid", "Expected", "Severe", "Likely", 24,
        "Забруднення питної води", "Drinking water contamination",
        "Вода з-під крана непридатна для пиття", "Tap water is not safe to drink",
        "Через пошкодження водогону вода в районі … може бути забруднена.",
        "The water main is damaged; water in … may be contaminated.",
        "Пийте лише бутильовану воду або воду, що кипіла щонайменше 3 хвилини. "
        "Питну воду видають: …",
        "Drink only bottled water or water boiled for at least 3 minutes. "
        "Drinking water is handed out at: …",
    ),
    (
        "bread", "Видача хліба", "Bread distribution", "Alert", "Other", "",
        "Expected", "Minor", "Observed", 4,
        "Видача хліба", "Bread distribution",
        "Безкоштовна видача хліба: …", "Free bread handed out: …",
        "Хліб видають безкоштовно за адресою … з … до ….",
        "Bread is handed out free of charge at … from … to ….",
        "Візьміть із собою пакет. Одна буханка на людину; для людей похилого віку — без черги.",
        "Bring a bag. One loaf per person; older people are served first.",
    ),
    (
        "shelter-full", "Укриття заповнене", "Shelter full", "Alert", "Safety", "Avoid",
        "Immediate", "Moderate", "Observed", 3,
        "Укриття заповнене", "Shelter full",
        "Укриття … заповнене — йдіть до іншого", "Shelter … is full — go to another one",
        "Укриття … не може прийняти більше людей.",
        "Shelter … cannot take in more people.",
        "Йдіть до найближчого іншого укриття: ….",
        "Go to the nearest other shelter: ….",
    ),
]


def seed(apps, schema_editor):
    AlertTemplate = apps.get_model("alerts", "AlertTemplate")
    for position, row in enumerate(TEMPLATES):
        (
            code, name_uk, name_en, msg_type, category, response, urgency, severity, certainty,
            hours, event_uk, event_en, headline_uk, headline_en, description_uk, description_en,
            instruction_uk, instruction_en,
        ) = row
        AlertTemplate.objects.update_or_create(
            code=code,
            defaults={
                "name_uk": name_uk,
                "name_en": name_en,
                "msg_type": msg_type,
                "category": category,
                "response_type": response,
                "urgency": urgency,
                "severity": severity,
                "certainty": certainty,
                "duration": datetime.timedelta(hours=hours),
                "event_uk": event_uk,
                "event_en": event_en,
                "headline_uk": headline_uk,
                "headline_en": headline_en,
                "description_uk": description_uk,
                "description_en": description_en,
                "instruction_uk": instruction_uk,
                "instruction_en": instruction_en,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("alerts", "AlertTemplate").objects.filter(
        code__in=[row[0] for row in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
