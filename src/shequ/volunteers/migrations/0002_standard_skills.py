"""The standard skills (an editable list: they may be renamed, retired or added to)."""

from django.db import migrations

STANDARD_SKILLS = [
    ("first_aid", "应急救护"),
    ("elderly_care", "助老服务"),
    ("tutoring", "课业辅导"),
    ("repairs", "家电维修"),
    ("medical", "医疗卫生"),
    ("legal", "法律咨询"),
    ("psychology", "心理疏导"),
    ("culture", "文艺宣传"),
    ("environment", "环境保护"),
    ("patrol", "治安巡逻"),
    ("computing", "电脑网络"),
    ("driving", "驾驶"),
]


def add_skills(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for code, name in STANDARD_SKILLS:
        if not Skill.objects.filter(code=code).exists() and not Skill.objects.filter(name=name).exists():
            Skill.objects.create(code=code, name=name)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(add_skills, migrations.RunPython.noop)]
