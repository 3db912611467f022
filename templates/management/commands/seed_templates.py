from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from templates.exceptions import TemplateContentInvalid
from templates.services import templates_seed


class Command(BaseCommand):
    help = (
        "Validate every conversation template file under --path (<language>/<level>/<slug>.yaml) and load them "
        "idempotently: new files are created, edited files updated, removed files retired. Nothing is written "
        "when any file is invalid. See docs/templates.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            type=Path,
            default=settings.BASE_DIR / "content" / "templates",
            help="The content root (default: content/templates).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing.")

    def handle(self, *args, path: Path, dry_run: bool, **options):
        try:
            report = templates_seed(root=path.resolve(), dry_run=dry_run)
        except TemplateContentInvalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(report.summary())
