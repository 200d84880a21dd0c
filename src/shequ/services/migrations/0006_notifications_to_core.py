"""Requests' notifications move to the platform's notification centre (core.Notification)."""

from django.db import migrations


def copy(apps, schema_editor):  # type: ignore[no-untyped-def]
    Old = apps.get_model("services", "Notification")
    New = apps.get_model("core", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(app_label="services", model="servicerequest")
    batch = []
    for n in Old.objects.all().iterator(chunk_size=2000):
        batch.append(
            New(
                user_id=n.user_id,
                kind=n.kind,
                text=n.text,
                url=f"/services/requests/{n.request_id}/" if n.request_id else "",
                content_type_id=content_type.pk if n.request_id else None,
                object_pk=str(n.request_id or ""),
                created=n.created,
                read_at=n.read_at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0005_warn_percent_label"),
        ("core", "0003_notification"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
