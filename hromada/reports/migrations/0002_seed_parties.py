from django.db import migrations

PARTIES = [
    ("ua", "Україна (Сили оборони України)", "Ukraine (Defence Forces of Ukraine)"),
    ("ru", "Російська Федерація (збройні сили РФ)", "Russian Federation (armed forces)"),
]


def seed(apps, schema_editor):
    Party = apps.get_model("reports", "Party")
    for code, name_uk, name_en in PARTIES:
        Party.objects.update_or_create(code=code, defaults={"name_uk": name_uk, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
