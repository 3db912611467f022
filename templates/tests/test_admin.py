import json

import pytest

from accounts.tests.factories import UserFactory
from templates.models import ConversationTemplate
from templates.tests.factories import ConversationTemplateFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/templates/conversationtemplate/"


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def template(db):
    return ConversationTemplateFactory(source_path="japanese/beginner/casual.yaml", source_hash="a" * 64)


def _form_data(template: ConversationTemplate, **overrides) -> dict:
    data = {
        "title": template.title,
        "slug": template.slug,
        "language": template.language,
        "level": template.level,
        "topic": template.topic,
        "description": template.description,
        "tags": json.dumps(template.tags),
        "is_active": "on",
        "mode": template.mode,
        "preparation_type": template.preparation_type,
        "meeting_subtype": template.meeting_subtype,
        "persona": json.dumps(template.persona),
        "system_prompt": template.system_prompt,
        "starter_turns": json.dumps(template.starter_turns),
        "vocab_hints": json.dumps(template.vocab_hints),
        "goals": json.dumps(template.goals),
    }
    return {**data, **overrides}


def test_changelist_renders_with_filters_and_search(editor_client, template):
    # when an editor opens the list, filtered and searched
    response = editor_client.get(CHANGELIST, {"language": "japanese", "is_active__exact": "1", "q": "Template"})
    # then the template is listed
    assert response.status_code == 200
    assert template.title in response.content.decode()


def test_change_form_renders_json_readably(editor_client, template):
    # when an editor opens a template
    response = editor_client.get(f"{CHANGELIST}{template.id}/change/")
    # then the structured fields are shown indented, Japanese unescaped
    assert response.status_code == 200
    assert "こんにちは" in response.content.decode()


def test_saving_in_the_admin_marks_the_row_as_edited(editor_client, template):
    # when an editor changes the title
    response = editor_client.post(f"{CHANGELIST}{template.id}/change/", _form_data(template, title="Coffee chat"))
    # then it is saved and marked edited in admin
    assert response.status_code == 302, response.content.decode()
    template.refresh_from_db()
    assert (template.title, template.edited_in_admin) == ("Coffee chat", True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("persona", json.dumps({"name": "Yuki"}), "role: Field required"),
        ("starter_turns", json.dumps([{"speaker": "narrator", "text": "…"}]), "0.speaker: Input should be"),
        ("vocab_hints", json.dumps([{"phrase": "駅", "translation": "station"}]), "0.reading: Field required"),
        ("goals", json.dumps("be fluent"), "Input should be a valid list"),
        ("persona", "{not json", "Enter a valid JSON."),
    ],
)
def test_invalid_structure_is_rejected_with_a_clear_error(editor_client, template, field, value, message):
    # when an editor saves a structured field that breaks the schema
    response = editor_client.post(f"{CHANGELIST}{template.id}/change/", _form_data(template, **{field: value}))
    # then the form comes back with the error on that field and nothing changes
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    template.refresh_from_db()
    assert template.edited_in_admin is False


def test_interview_without_preparation_type_is_rejected(editor_client, template):
    # when an editor switches a template to interview mode without a preparation type
    response = editor_client.post(f"{CHANGELIST}{template.id}/change/", _form_data(template, mode="interview"))
    # then the error sits on preparation_type
    assert response.status_code == 200
    assert "Field required when mode is interview" in " ".join(
        response.context["adminform"].form.errors["preparation_type"]
    )


def test_release_action_lets_the_files_win_again(editor_client, template):
    # given an admin-edited row
    ConversationTemplate.objects.filter(id=template.id).update(edited_in_admin=True)
    # when the editor releases it
    response = editor_client.post(CHANGELIST, {"action": "release_to_files", "_selected_action": [str(template.id)]})
    # then the next seed will restore it from its file
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.edited_in_admin is False


def test_editor_can_add_a_template_without_a_file(editor_client, template):
    # when an editor creates a template in the admin
    data = _form_data(template, slug="restaurant", title="At the restaurant")
    response = editor_client.post(f"{CHANGELIST}add/", data)
    # then it exists, active, with no source file, and the seed will leave it alone
    assert response.status_code == 302, response.content.decode()
    created = ConversationTemplate.objects.get(slug="restaurant")
    assert (created.is_active, created.source_path, created.edited_in_admin) == (True, "", True)
