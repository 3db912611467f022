"""Cards for the mistakes recorded before cards were made at recording time (the queue used to make them)."""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone
from fsrs import Card


def cards_backfill(apps, schema_editor):
    Mistake = apps.get_model("evaluations", "Mistake")
    MistakeCard = apps.get_model("coaching", "MistakeCard")
    now = timezone.now()
    has_card = MistakeCard.objects.filter(mistake_id=OuterRef("pk"), variant="main")
    missing = Mistake.objects.exclude(Exists(has_card)).values_list("id", "session__user_id")
    cards = [
        MistakeCard(user_id=user_id, mistake_id=mistake_id, variant="main", due_at=now,
                    card=Card(card_id=int(now.timestamp() * 1000), due=now).to_dict())
        for mistake_id, user_id in missing.iterator()
    ]  # fmt: skip
    MistakeCard.objects.bulk_create(cards, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0002_mistake_cards")]

    operations = [migrations.RunPython(cards_backfill, migrations.RunPython.noop)]
