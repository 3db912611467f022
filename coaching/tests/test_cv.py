import json

import pytest

from ai.models import AIInteraction
from coaching.models import Profile
from coaching.redaction import pii_redact

CV = """Jane Doe
Email: jane.doe@example.com | Phone: +44 20 7946 0958 | Mobile: 06 12 34 56 78 | (555) 123-4567
LinkedIn: https://www.linkedin.com/in/jane-doe-123 and github.com/janedoe
Address: 12 Baker Street, London NW1 6XE

Senior Backend Engineer, Acme Corp (2019-2023)
- Led a team of 5 engineers to migrate payments to Django, cutting latency by 40%
- Increased revenue by 1,200,000 EUR in 2021
- Mentored two junior developers
Jane was promoted twice.
Skills: Python, PostgreSQL, Kubernetes
"""
SECRETS = ["Jane", "Doe", "jane.doe@example.com", "7946", "12 34 56 78", "123-4567", "linkedin.com/in/jane",
           "github.com/janedoe", "Baker Street", "NW1 6XE"]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("Write to a.b+cv@mail.example.co.uk today", "a.b+cv@mail.example.co.uk", "[EMAIL]"),
        ("Call +1 (415) 555-0132 after six", "555-0132", "[PHONE]"),
        ("Portfolio: https://janedoe.dev/work", "janedoe.dev", "[URL]"),
        ("see gitlab.com/jdoe for code", "gitlab.com/jdoe", "[URL]"),
        ("I live at 221B Baker Street, Marylebone", "221B Baker Street", "[ADDRESS]"),
        ("Bureau: 12 rue de la Paix", "rue de la Paix", "[ADDRESS]"),
        ("Name: Marie Curie\nPhysicist", "Marie", "[NAME]"),
    ],
)
def test_each_kind_of_pii_is_replaced(text, secret, placeholder):
    redacted = pii_redact(text=text).text

    assert secret not in redacted and placeholder in redacted


def test_the_first_line_name_and_the_display_name_go_everywhere():
    redacted = pii_redact(text="Ada Lovelace\nAda wrote notes. Countess Byron too.", known_names=["Byron"]).text

    assert "Ada" not in redacted and "Lovelace" not in redacted and "Byron" not in redacted


def test_years_amounts_and_percentages_stay():
    text = "Senior Engineer (2019-2023)\n- Increased revenue by 1,200,000 EUR in 2021, up 40%"

    assert pii_redact(text=text).text == text


def test_cv_upload_structures_roles_skills_achievements_and_stories(auth_client, user):
    response = auth_client.post("/api/v1/profile/cv", {"cv_text": CV, "redact_pii": True}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    profile = body["structured_profile"]
    assert profile["roles"][0] == {"title": "Senior Backend Engineer", "organisation": "Acme Corp",
                                   "period": "2019-2023"}  # fmt: skip
    assert {"Python", "Django", "PostgreSQL", "Kubernetes"} <= set(profile["skills"])
    assert any("40%" in a for a in profile["achievements"])
    story = body["story_bank"][0]
    assert story["situation"] == "As Senior Backend Engineer at Acme Corp"
    assert "40%" in story["result"]
    assert story["action"].startswith("Led a team of 5 engineers")
    assert body["redacted"]["EMAIL_ADDRESS"] == 1


def test_no_redacted_value_reaches_the_database_or_the_audit_log(auth_client, user):
    user.display_name = "Jane Doe"
    user.save(update_fields=["display_name"])

    auth_client.post("/api/v1/profile/cv", {"cv_text": CV, "redact_pii": True}, format="json")

    profile = Profile.objects.get(user=user)
    stored = json.dumps([profile.cv_text, profile.structured_profile, profile.story_bank])
    logged = json.dumps([[row.prompt, row.response] for row in AIInteraction.objects.all()])
    assert AIInteraction.objects.filter(purpose="cv_structure").exists()
    for secret in SECRETS:
        assert secret not in stored, secret
        assert secret not in logged, secret
    assert "[EMAIL]" in profile.cv_text and "[NAME]" in profile.cv_text


def test_an_empty_cv_is_refused(auth_client, user):
    response = auth_client.post("/api/v1/profile/cv", {"cv_text": "", "redact_pii": True}, format="json")

    assert response.status_code == 400 and "cv_text" in response.json()["fields"]
