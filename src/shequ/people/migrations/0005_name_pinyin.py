"""Residents' pinyin as ``name_pinyin`` reads names: surnames as surnames (曾 "zeng", 单 "shan"), no punctuation."""

from django.db import migrations


def recompute(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shequ.core.text import name_pinyin

    Resident = apps.get_model("people", "Resident")
    table = schema_editor.connection.ops.quote_name(Resident._meta.db_table)
    last = 0
    while True:
        batch = list(Resident.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "pinyin")[:5000])
        if not batch:
            return
        last = batch[-1][0]
        changed = []
        for pk, name, pinyin in batch:
            new, initials = name_pinyin(name)
            if new != pinyin:
                changed.append((new, initials, pk))
        if changed:
            with schema_editor.connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET pinyin = %s, initials = %s WHERE id = %s", changed)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_import_job")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
