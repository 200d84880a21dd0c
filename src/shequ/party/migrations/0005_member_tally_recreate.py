"""The statistics' rollup recreated from the model and refilled: a database that applied an early draft of
0003 (a checked ``count``, no index by key) gets the table 0003 describes now.  The rows are derived data."""

from django.db import migrations


def recreate(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shequ.party.migrations import _tally_fill

    tally = apps.get_model("party", "MemberTally")
    schema_editor.delete_model(tally)
    schema_editor.create_model(tally)
    _tally_fill.fill(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("party", "0004_member_list_index")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop, elidable=True)]
