from django.db import migrations


def create_default_center(apps, schema_editor):
    Center = apps.get_model("centers", "Center")
    if not Center.objects.filter(is_default=True).exists():
        Center.objects.create(name_zh="概念验证中心", name_en="Proof-of-Concept Center", number_prefix="概证",
                              is_default=True)


class Migration(migrations.Migration):
    dependencies = [("centers", "0001_initial")]
    operations = [migrations.RunPython(create_default_center, migrations.RunPython.noop)]
