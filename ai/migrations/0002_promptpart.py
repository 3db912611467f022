# Shared prompt texts are stored once (PromptPart); the rows' prompt column stays as it is, read
# through AIInteraction.prompt. Rows written before keep their prompts whole, which `prompt` reads
# as they are: rewriting a large audit table to share their texts would buy little.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ai', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='PromptPart',
            fields=[
                ('sha256', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('text', models.TextField()),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            # Only the field's name changes: the column keeps its name and its rows.
            database_operations=[],
            state_operations=[
                migrations.RenameField(model_name='aiinteraction', old_name='prompt', new_name='stored_prompt'),
                migrations.AlterField(
                    model_name='aiinteraction',
                    name='stored_prompt',
                    field=models.JSONField(blank=True, db_column='prompt', default=list),
                ),
            ],
        ),
    ]
