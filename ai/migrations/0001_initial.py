# The gateway's audit rows move from the conversations app to the ai app: same table, same rows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('conversations', '0004_blocks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table exists already (conversations 0002): only the model's owner changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AIInteraction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purpose', models.CharField(max_length=40)),
                        ('provider', models.CharField(max_length=20)),
                        ('model', models.CharField(blank=True, max_length=100)),
                        ('prompt', models.JSONField(blank=True, default=list)),
                        ('response', models.TextField(blank=True)),
                        ('tokens_in', models.PositiveIntegerField(default=0)),
                        ('tokens_out', models.PositiveIntegerField(default=0)),
                        ('latency_ms', models.PositiveIntegerField(default=0)),
                        ('status', models.CharField(choices=[('ok', 'OK'), ('error', 'Error'), ('timeout', 'Timeout'), ('rate_limited', 'Rate limited'), ('budget_exceeded', 'Budget exceeded'), ('circuit_open', 'Circuit open'), ('malformed', 'Malformed output')], max_length=20)),
                        ('error', models.TextField(blank=True)),
                        ('fallback', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ai_interactions', to='conversations.conversation')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ai_interactions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'conversations_aiinteraction',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['user', '-created_at'], name='aiinteraction_user_recent'), models.Index(fields=['purpose', 'status', '-created_at'], name='aiinteraction_purpose_status')],
                    },
                ),
            ],
        ),
    ]
