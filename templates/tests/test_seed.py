import hashlib

import pytest
from django.core.management.base import CommandError

from templates.models import ConversationTemplate
from templates.services import template_admin_save
from templates.tests.conftest import template_data
from templates.tests.factories import ConversationTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_templates(write_template):
    return (
        write_template("japanese/beginner/casual.yaml"),
        write_template("japanese/beginner/travel.yaml", template_data(title="Travel", topic="travel")),
    )


def test_valid_load_creates_a_row_per_file(two_templates, seed):
    # given two valid files
    casual_path, _ = two_templates
    # when the seed runs
    output = seed()
    # then both are stored, keyed by directory and file name, with the file's hash
    assert output == "created 2, updated 0, unchanged 0, retired 0, kept (edited in admin) 0"
    casual = ConversationTemplate.objects.get(slug="casual")
    assert (casual.language, casual.level, casual.is_active, casual.edited_in_admin) == (
        "japanese",
        "beginner",
        True,
        False,
    )
    assert casual.source_path == "japanese/beginner/casual.yaml"
    assert casual.source_hash == hashlib.sha256(casual_path.read_bytes()).hexdigest()
    assert casual.persona["name"] == "Yuki"
    assert casual.opening_turn == template_data()["starter_turns"][0]
    assert casual.mode == "language"
    assert casual.preparation_type == ""


def test_slug_in_file_overrides_file_name(write_template, seed):
    # given a file that names its own slug
    write_template("japanese/beginner/01-casual.yaml", template_data(slug="small-talk"))
    # when the seed runs
    seed()
    # then the row uses that slug
    assert ConversationTemplate.objects.get().slug == "small-talk"


def test_second_run_changes_nothing_and_says_so(two_templates, seed):
    # given a first load
    seed()
    before = list(ConversationTemplate.objects.values_list("id", "updated_at"))
    # when the seed runs again
    output = seed()
    # then nothing is written
    assert output == "created 0, updated 0, unchanged 2, retired 0, kept (edited in admin) 0; nothing changed"
    assert list(ConversationTemplate.objects.values_list("id", "updated_at")) == before


def test_edited_file_updates_its_row(two_templates, seed, write_template):
    # given a loaded template
    seed()
    original = ConversationTemplate.objects.get(slug="casual")
    # when its file changes
    write_template("japanese/beginner/casual.yaml", template_data(title="Coffee chat"))
    output = seed()
    # then the same row carries the new content and hash
    assert output.startswith("created 0, updated 1, unchanged 1, retired 0")
    row = ConversationTemplate.objects.get(slug="casual")
    assert row.id == original.id
    assert row.title == "Coffee chat"
    assert row.source_hash != original.source_hash


def test_removed_file_retires_its_row_and_the_api_hides_it(two_templates, seed, api_client):
    # given two loaded templates
    seed()
    # when one file is removed
    two_templates[1].unlink()
    output = seed()
    # then its row is kept but inactive, and gone from the API
    assert output.startswith("created 0, updated 0, unchanged 1, retired 1")
    assert ConversationTemplate.objects.get(slug="travel").is_active is False
    assert [item["slug"] for item in api_client.get("/api/v1/templates").json()["results"]] == ["casual"]
    assert api_client.get("/api/v1/templates/travel").status_code == 404


def test_reappearing_file_reactivates_its_row(two_templates, seed, write_template):
    # given a retired template
    seed()
    two_templates[1].unlink()
    seed()
    retired = ConversationTemplate.objects.get(slug="travel")
    # when its file comes back
    write_template("japanese/beginner/travel.yaml", template_data(title="Travel", topic="travel"))
    output = seed()
    # then the same row is active again
    assert output.startswith("created 0, updated 1, unchanged 1, retired 0")
    row = ConversationTemplate.objects.get(slug="travel")
    assert (row.id, row.is_active) == (retired.id, True)


def test_rows_made_in_the_admin_are_never_retired(two_templates, seed):
    # given a template created by an editor, with no file behind it
    made_in_admin = ConversationTemplateFactory(slug="editor-special", edited_in_admin=True)
    # when the seed runs
    output = seed()
    # then it stays active
    assert "retired 0" in output
    made_in_admin.refresh_from_db()
    assert made_in_admin.is_active is True


@pytest.mark.parametrize(
    ("relative", "raw", "expected"),
    [
        pytest.param(
            "japanese/beginner/bad.yaml",
            "title: [unclosed\n",
            "japanese/beginner/bad.yaml: not valid YAML: line 2, column 1:",
            id="bad-yaml",
        ),
        pytest.param(
            "japanese/beginner/list.yaml",
            "- just\n- a list\n",
            "japanese/beginner/list.yaml: the file must hold a mapping of fields",
            id="not-a-mapping",
        ),
        pytest.param(
            "japanese/casual.yaml",
            None,
            "japanese/casual.yaml: a template file must be at <language>/<level>/<slug>.yaml",
            id="missing-level-directory",
        ),
        pytest.param(
            "klingon/beginner/casual.yaml",
            None,
            "klingon/beginner/casual.yaml: language: 'klingon' is not one of",
            id="unknown-language",
        ),
        pytest.param(
            "japanese/expert/casual.yaml",
            None,
            "japanese/expert/casual.yaml: level: 'expert' is not one of",
            id="unknown-level",
        ),
        pytest.param(
            "japanese/beginner/Bad_Name.yaml",
            None,
            "japanese/beginner/Bad_Name.yaml: slug: String should match pattern",
            id="file-name-is-not-a-slug",
        ),
    ],
)
def test_invalid_file_is_named_and_nothing_is_written(
    two_templates, write_template, seed, content_root, relative, raw, expected
):
    # given valid files next to one broken file
    write_template(relative, template_data(), raw=raw)
    # when the seed runs
    with pytest.raises(CommandError) as failure:
        seed()
    # then the error names the file and the problem, and nothing is stored
    assert f"{content_root}/{expected}" in str(failure.value)
    assert ConversationTemplate.objects.count() == 0


def _without_reading(data: dict) -> dict:
    hints = [dict(hint) for hint in data["vocab_hints"]]
    del hints[1]["reading"]
    return {**data, "vocab_hints": hints}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {k: v for k, v in template_data().items() if k != "persona"}, "persona: Field required", id="missing"
        ),
        pytest.param(_without_reading(template_data()), "vocab_hints.1.reading: Field required", id="missing-reading"),
        pytest.param(template_data(goals="be fluent"), "goals: Input should be a valid list", id="wrong-type"),
        pytest.param(
            template_data(starter_turns=[{"speaker": "narrator", "text": "Once upon a time"}]),
            "starter_turns.0.speaker: Input should be 'partner' or 'learner'",
            id="bad-speaker",
        ),
        pytest.param(
            template_data(starter_turns=[{"speaker": "learner", "text": "こんにちは"}]),
            "starter_turns: At least one turn must have speaker: partner",
            id="no-opening-turn",
        ),
        pytest.param(
            template_data(mode="interview"),
            "preparation_type: Field required when mode is interview",
            id="interview-without-preparation-type",
        ),
        pytest.param(template_data(persona_name="Yuki"), "persona_name: Extra inputs are not permitted", id="typo"),
        pytest.param(template_data(language="japanese"), "language: Extra inputs are not permitted", id="language-key"),
    ],
)
def test_invalid_field_is_named_with_its_file(two_templates, write_template, seed, content_root, data, expected):
    # given a loaded set
    seed()
    before = list(ConversationTemplate.objects.values_list("id", "title", "updated_at"))
    # when one file is edited into an invalid state
    write_template("japanese/beginner/travel.yaml", data)
    with pytest.raises(CommandError) as failure:
        seed()
    # then the error names file and field, and the stored rows are untouched
    assert f"{content_root}/japanese/beginner/travel.yaml: {expected}" in str(failure.value)
    assert list(ConversationTemplate.objects.values_list("id", "title", "updated_at")) == before


def test_reading_is_optional_for_languages_written_in_latin_script(write_template, seed):
    # given a Spanish file whose hints have no reading
    hints = [{"phrase": "la cuenta", "translation": "the bill"}]
    write_template("spanish/beginner/cafe.yaml", template_data(vocab_hints=hints))
    # when the seed runs
    output = seed()
    # then it loads
    assert output.startswith("created 1")


def test_duplicate_slug_within_language_and_level_is_an_error(two_templates, write_template, seed, content_root):
    # given a second file claiming the slug "casual"
    write_template("japanese/beginner/casual-copy.yaml", template_data(slug="casual"))
    # when the seed runs
    with pytest.raises(CommandError) as failure:
        seed()
    # then both files are named and nothing is stored
    assert (
        f"{content_root}/japanese/beginner/casual.yaml: slug: 'casual' is already used by "
        f"{content_root}/japanese/beginner/casual-copy.yaml"
    ) in str(failure.value)
    assert ConversationTemplate.objects.count() == 0


def test_same_slug_in_another_level_is_fine(two_templates, write_template, seed):
    # given "casual" at beginner and at intermediate
    write_template("japanese/intermediate/casual.yaml")
    # when the seed runs
    output = seed()
    # then both load
    assert output.startswith("created 3")


def test_every_problem_is_reported_at_once(write_template, seed, content_root):
    # given two broken files
    write_template("japanese/beginner/one.yaml", template_data(title=""))
    write_template("japanese/beginner/two.yaml", template_data(goals=[]))
    # when the seed runs
    with pytest.raises(CommandError) as failure:
        seed()
    # then both are named
    assert f"{content_root}/japanese/beginner/one.yaml: title: String should have at least 1 character" in str(
        failure.value
    )
    assert f"{content_root}/japanese/beginner/two.yaml: goals: List should have at least 1 item" in str(failure.value)


def test_empty_or_missing_directory_is_an_error_not_a_mass_retirement(two_templates, seed, content_root):
    # given a loaded set
    seed()
    # when the content directory is emptied
    for path in two_templates:
        path.unlink()
    with pytest.raises(CommandError, match="no template files"):
        seed()
    # then nothing is retired
    assert ConversationTemplate.objects.filter(is_active=True).count() == 2


def test_dry_run_writes_nothing(two_templates, seed):
    # given valid files and an empty database
    # when the seed runs as a dry run
    output = seed("--dry-run")
    # then it reports what it would do and stores nothing
    assert output == "created 2, updated 0, unchanged 0, retired 0, kept (edited in admin) 0 (dry run, nothing written)"
    assert ConversationTemplate.objects.count() == 0


def test_admin_edit_is_kept_while_the_file_is_unchanged(two_templates, seed):
    # given a loaded template edited by a content editor
    seed()
    template = ConversationTemplate.objects.get(slug="casual")
    template.title = "Edited by an editor"
    template_admin_save(template=template)
    # when the seed runs with the same file
    output = seed()
    # then the edit survives and the summary says so
    assert output == "created 0, updated 0, unchanged 1, retired 0, kept (edited in admin) 1; nothing changed"
    template.refresh_from_db()
    assert (template.title, template.edited_in_admin) == ("Edited by an editor", True)


def test_changed_file_overwrites_an_admin_edit(two_templates, seed, write_template):
    # given an admin-edited template
    seed()
    template = ConversationTemplate.objects.get(slug="casual")
    template.title = "Edited by an editor"
    template_admin_save(template=template)
    # when its file changes
    write_template("japanese/beginner/casual.yaml", template_data(title="New from the file"))
    output = seed()
    # then the file wins and the row follows the files again
    assert output.startswith("created 0, updated 1, unchanged 1, retired 0, kept (edited in admin) 0")
    template.refresh_from_db()
    assert (template.title, template.edited_in_admin) == ("New from the file", False)
