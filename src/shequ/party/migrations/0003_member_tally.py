"""The statistics' rollup (``party.tally``), filled from the members already recorded."""

from django.db import migrations, models

import shequ.core.fields


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from shequ.party.migrations import _tally_fill

    _tally_fill.fill(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
        ('party', '0002_member_initials_name_pinyin'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', shequ.core.fields.PathField(default='', editable=False, max_length=255)),
                ('dimension', models.CharField(max_length=12)),
                ('key', models.CharField(blank=True, max_length=24)),
                ('active', models.BooleanField()),
                ('count', models.IntegerField()),
            ],
            options={
                'verbose_name': 'member tally',
                'indexes': [models.Index(fields=['path', 'dimension'], name='party_tally_path', opclasses=['varchar_pattern_ops', '']), models.Index(fields=['dimension', 'key', 'path'], name='party_tally_key_path', opclasses=['', '', 'varchar_pattern_ops'])],
                'constraints': [models.UniqueConstraint(fields=('path', 'dimension', 'key', 'active'), name='party_tally_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
