"""Members' and development records' pinyin as ``name_pinyin`` reads names (surnames as surnames: 曾 "zeng",
单 "shan"), like the residents' (people 0005); an index on the members' initials for the search by them."""

from django.db import migrations, models


def recompute(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shequ.core.text import name_pinyin

    for name in ("PartyMember", "DevelopmentRecord"):
        model = apps.get_model("party", name)
        table = schema_editor.connection.ops.quote_name(model._meta.db_table)
        last = 0
        while True:
            batch = list(
                model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "name", "pinyin", "initials")[:5000]
            )
            if not batch:
                break
            last = batch[-1][0]
            changed = []
            for pk, person, pinyin, initials in batch:
                new = name_pinyin(person)
                if new != (pinyin, initials):
                    changed.append((*new, pk))
            if changed:
                with schema_editor.connection.cursor() as cursor:
                    cursor.executemany(f"UPDATE {table} SET pinyin = %s, initials = %s WHERE id = %s", changed)


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0001_initial"),
        ("people", "0005_name_pinyin"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partymember",
            index=models.Index(fields=["initials"], name="party_member_initials"),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True),
    ]
