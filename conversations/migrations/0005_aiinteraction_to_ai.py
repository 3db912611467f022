# AIInteraction now belongs to the ai app (ai 0001 takes the same table over): forget it here
# without touching the table, and hand its content type (and so its permissions) to the ai app.

from django.db import migrations


def content_type_move(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label='ai', model='aiinteraction').exists():
        ContentType.objects.filter(app_label='conversations', model='aiinteraction').update(app_label='ai')


def content_type_return(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label='conversations', model='aiinteraction').exists():
        ContentType.objects.filter(app_label='ai', model='aiinteraction').update(app_label='conversations')


class Migration(migrations.Migration):

    dependencies = [
        ('ai', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('conversations', '0004_blocks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='AIInteraction')],
        ),
        migrations.RunPython(content_type_move, content_type_return),
    ]
