"""The assistant's tools called as an agent calls them (tool_run), on the shipped templates."""

import pytest

from assistant.tools import tool_run
from conversations.models import PracticeSession
from conversations.tests.factories import seeded_templates

pytestmark = pytest.mark.django_db


def test_start_practice_on_a_rehearsal_template_makes_an_interview_session(user):
    seeded_templates()

    result = tool_run(user=user, name="start_practice", arguments={"template": "sales-pitch"})

    assert result.ok, result.error
    session = PracticeSession.objects.get(id=result.data["session_id"])
    assert (session.mode, session.preparation_type, session.language) == ("interview", "Sales", "english")
    assert result.data["mode"] == "interview"


def test_start_practice_on_a_language_template_of_another_language(user):
    seeded_templates()

    result = tool_run(user=user, name="start_practice", arguments={"template": "cafe"})

    assert result.ok, result.error
    assert (result.data["mode"], result.data["language"], result.data["template"]) == ("language", "spanish", "cafe")
