from django.db import migrations


def install(apps, schema_editor):
    from shequ.services.catalogue import install_standard_catalogue

    install_standard_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
