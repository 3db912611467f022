"""Reads content/templates/<language>/<level>/<slug>.yaml into validated template sources."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from pydantic import ValidationError

from templates.exceptions import TemplateContentInvalid
from templates.models import Language, Level
from templates.schema import TemplateContent, error_lines, template_content_validate

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class TemplateSource:
    """One validated template file."""

    language: str
    level: str
    source_path: str
    source_hash: str
    content: TemplateContent

    @property
    def key(self) -> tuple[str, str, str]:
        return self.language, self.level, self.content.slug


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or problem is None:
        return " ".join(str(exc).split())
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _read_one(*, path: Path, root: Path) -> tuple[TemplateSource | None, list[str]]:
    name = _display(path)
    parts = path.relative_to(root).parts
    if len(parts) != 3:
        return None, [f"{name}: a template file must be at <language>/<level>/<slug>.yaml under {_display(root)}"]
    language, level, _ = parts
    errors = []
    if language not in Language.values:
        errors.append(f"{name}: language: '{language}' is not one of {', '.join(Language.values)}")
    if level not in Level.values:
        errors.append(f"{name}: level: '{level}' is not one of {', '.join(Level.values)}")
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        return None, [*errors, f"{name}: not valid YAML: {_yaml_problem(exc)}"]
    if not isinstance(data, dict):
        return None, [*errors, f"{name}: the file must hold a mapping of fields, see docs/templates.md"]
    try:
        content = template_content_validate(data={"slug": path.stem, **data}, language=language)
    except ValidationError as exc:
        return None, [*errors, *(f"{name}: {field}: {message}" for field, message in error_lines(exc))]
    if errors:
        return None, errors
    source = TemplateSource(
        language=language,
        level=level,
        source_path=path.relative_to(root).as_posix(),
        source_hash=hashlib.sha256(raw).hexdigest(),
        content=content,
    )
    return source, []


def template_sources_read(*, root: Path) -> list[TemplateSource]:
    """Read and validate every template file under root. Raises TemplateContentInvalid listing every problem."""
    if not root.is_dir():
        raise TemplateContentInvalid(errors=[f"{_display(root)}: no such directory"])
    paths = sorted(path for path in root.rglob("*") if path.is_file() and path.suffix in SUFFIXES)
    if not paths:
        # An empty or mistyped --path would otherwise retire every template.
        raise TemplateContentInvalid(errors=[f"{_display(root)}: no template files (*.yaml) found"])
    sources: dict[tuple[str, str, str], TemplateSource] = {}
    errors: list[str] = []
    for path in paths:
        source, problems = _read_one(path=path, root=root)
        errors.extend(problems)
        if source is None:
            continue
        if source.key in sources:
            first = sources[source.key]
            errors.append(
                f"{_display(root / source.source_path)}: slug: '{source.content.slug}' is already used by "
                f"{_display(root / first.source_path)}"
            )
            continue
        sources[source.key] = source
    if errors:
        raise TemplateContentInvalid(errors=errors)
    return list(sources.values())
