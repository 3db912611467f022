from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command


def template_data(**overrides) -> dict:
    """The fields of a minimal valid Japanese template file."""
    data = {
        "title": "Small talk",
        "topic": "casual",
        "description": "Get to know a new friend.",
        "persona": {"name": "Yuki", "role": "University student", "style": "Warm and patient"},
        "system_prompt": "You are Yuki. Speak simple polite Japanese.",
        "starter_turns": [
            {
                "speaker": "partner",
                "text": "はじめまして。",
                "reading": "はじめまして。",
                "translation": "Nice to meet you.",
            },
            {"speaker": "learner", "text": "よろしくお願いします。", "reading": "よろしくおねがいします。"},
        ],
        "vocab_hints": [
            {"phrase": "名前", "reading": "なまえ", "translation": "name"},
            {"phrase": "趣味", "reading": "しゅみ", "translation": "hobby"},
        ],
        "goals": ["Introduce yourself"],
    }
    return {**data, **overrides}


@pytest.fixture
def content_root(tmp_path) -> Path:
    return tmp_path / "templates"


@pytest.fixture
def write_template(content_root):
    """Write a template file under the content root and return its path."""

    def write(relative: str, data: dict | None = None, *, raw: str | None = None) -> Path:
        path = content_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = raw if raw is not None else yaml.safe_dump(data or template_data(), allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def seed(content_root):
    """Run seed_templates on the content root and return what it printed."""

    def run(*args: str) -> str:
        out = StringIO()
        call_command("seed_templates", "--path", str(content_root), *args, stdout=out)
        return out.getvalue().strip()

    return run
