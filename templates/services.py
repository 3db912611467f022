"""Template use-cases: load the content files, record admin edits."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from templates.loader import TemplateSource, template_sources_read
from templates.models import ConversationTemplate


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"


@dataclass
class SeedReport:
    """What one seed run did (or, in a dry run, would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    kept: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        line = (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"retired {self.retired}, kept (edited in admin) {self.kept}"
        )
        if not self.changed:
            line += "; nothing changed"
        if self.dry_run:
            line += " (dry run, nothing written)"
        return line


def _template_sync(*, template: ConversationTemplate | None, source: TemplateSource) -> Outcome:
    file_fields = {
        **source.content.row_fields(),
        "source_path": source.source_path,
        "source_hash": source.source_hash,
        "is_active": True,
        "edited_in_admin": False,
    }
    if template is None:
        ConversationTemplate.objects.create(language=source.language, level=source.level, **file_fields)
        return Outcome.CREATED
    keep_admin_edit = template.edited_in_admin and template.source_hash == source.source_hash
    # An admin edit survives until the file itself changes; a returning file still reactivates the row.
    wanted = {"is_active": True} if keep_admin_edit else file_fields
    changed = [name for name, value in wanted.items() if getattr(template, name) != value]
    if not changed:
        return Outcome.KEPT if keep_admin_edit else Outcome.UNCHANGED
    for name in changed:
        setattr(template, name, wanted[name])
    template.save(update_fields=[*changed, "updated_at"])
    return Outcome.UPDATED


@transaction.atomic
def templates_seed(*, root: Path, dry_run: bool = False) -> SeedReport:
    """Load every file under root idempotently, keyed by language/level/slug.

    Every file is validated before anything is written: raises TemplateContentInvalid naming each
    file and field. Rows whose file is gone are retired (is_active=False); rows made in the admin
    (no source_path) are left alone. A dry run does the same work and rolls it back.
    """
    sources = template_sources_read(root=root)
    report = SeedReport(dry_run=dry_run)
    # Two seeds at once (two processes starting) queue here instead of racing on the unique key.
    existing = {
        (template.language, template.level, template.slug): template
        for template in ConversationTemplate.objects.select_for_update()
    }
    for source in sources:
        outcome = _template_sync(template=existing.pop(source.key, None), source=source)
        setattr(report, outcome.value, getattr(report, outcome.value) + 1)
    for template in existing.values():
        if template.is_active and template.source_path:
            template.is_active = False
            template.save(update_fields=["is_active", "updated_at"])
            report.retired += 1
    if dry_run:
        transaction.set_rollback(True)
    return report


def template_admin_save(*, template: ConversationTemplate) -> ConversationTemplate:
    """Save a template edited by a content editor and mark it so the next seed keeps the edit."""
    template.edited_in_admin = True
    template.save()
    return template


def templates_release_to_files(*, templates: QuerySet[ConversationTemplate]) -> int:
    """Drop the admin-edit mark so the next seed restores these rows from their files; returns how many."""
    return templates.filter(edited_in_admin=True).update(edited_in_admin=False)
