"""The content/ shipped with Parley: valid, loadable, and up to the editorial bar."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from templates.loader import template_sources_read
from templates.models import ConversationTemplate

CONTENT = settings.BASE_DIR / "content" / "templates"
SOURCES = {source.source_path: source for source in template_sources_read(root=CONTENT)}


def test_every_shipped_file_validates():
    # given / when the shipped files are read (at import, above)
    # then the required scenarios are there
    assert {
        "japanese/beginner/casual.yaml",
        "japanese/beginner/travel.yaml",
        "japanese/beginner/business.yaml",
    } <= set(SOURCES)
    assert any(source.language not in ("japanese", "english") for source in SOURCES.values())


@pytest.mark.parametrize("path", sorted(SOURCES))
def test_each_file_has_a_real_scenario(path):
    # given a shipped template
    content = SOURCES[path].content
    # then it has an opening, enough starter turns, vocabulary and goals
    assert content.starter_turns[0].speaker == "partner"
    assert len(content.starter_turns) >= 3
    assert len(content.vocab_hints) >= 8
    assert len(content.goals) >= 3


@pytest.mark.parametrize("path", sorted(p for p in SOURCES if p.startswith("japanese/")))
def test_japanese_turns_carry_reading_and_translation(path):
    # given a shipped Japanese template
    content = SOURCES[path].content
    # then every starter turn and hint can be read and understood by a beginner
    assert all(turn.reading and turn.translation for turn in content.starter_turns)
    assert all(hint.reading and hint.translation for hint in content.vocab_hints)


def test_coaching_scenarios_name_their_preparation_type():
    # given the shipped interview-mode templates
    interviews = [source.content for source in SOURCES.values() if source.content.mode == "interview"]
    # then there are several, each with a preparation type and a meeting subtype
    assert len(interviews) >= 3
    assert all(content.preparation_type and content.meeting_subtype for content in interviews)


@pytest.mark.django_db
def test_shipped_content_loads_with_the_default_path():
    # given an empty database
    out = StringIO()
    # when the seed runs with no arguments, twice
    call_command("seed_templates", stdout=out)
    call_command("seed_templates", stdout=out)
    # then everything is created once, then found unchanged
    first, second = out.getvalue().strip().splitlines()
    assert first.startswith(f"created {len(SOURCES)}, updated 0")
    assert second.startswith(f"created 0, updated 0, unchanged {len(SOURCES)}, retired 0")
    assert ConversationTemplate.objects.filter(is_active=True).count() == len(SOURCES)
