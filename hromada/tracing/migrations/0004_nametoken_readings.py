"""Each spelling's phonetic skeletons, stored once instead of worked out at every search."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from hromada.tracing.names.phonetic import readings

    NameToken = apps.get_model("tracing", "NameToken")
    batch = []
    for token in NameToken.objects.only("id", "text").iterator(chunk_size=5000):
        token.readings = " ".join(sorted(readings(token.text)))
        batch.append(token)
        if len(batch) == 5000:
            NameToken.objects.bulk_update(batch, ["readings"])
            batch = []
    NameToken.objects.bulk_update(batch, ["readings"])


class Migration(migrations.Migration):
    dependencies = [("tracing", "0003_faster_bulk_import")]

    operations = [
        migrations.AddField(
            model_name="nametoken",
            name="readings",
            field=models.CharField(blank=True, default="", max_length=400),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
