"""The standard special-care tags (an editable list: they may be renamed, retired or added to)."""

from django.db import migrations

STANDARD_TAGS = [
    ("elderly_alone", "独居老人", "65岁以上独自居住的老人"),
    ("disabled", "残疾人", "持有残疾人证"),
    ("low_income", "低保户", "享受最低生活保障"),
    ("entitled", "优抚对象", "烈属、军属、退役军人等优抚对象"),
    ("unemployed", "失业人员", "登记失业人员"),
    ("released", "刑满释放人员", "刑满释放五年内人员"),
    ("hospitalized", "住院病人", "正在住院治疗"),
    ("hardship", "困难家庭", "因病、因残、因灾等致困家庭"),
]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("people", "CareTag")
    for code, name, description in STANDARD_TAGS:
        if not CareTag.objects.filter(code=code).exists() and not CareTag.objects.filter(name=name).exists():
            CareTag.objects.create(code=code, name=name, description=description)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_blind_index_and_household_number")]

    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
