"""CV redaction on the labelled CVs of bench/data, and no personal detail in what reaches a provider."""

import json
import re
from pathlib import Path

import pytest
import yaml

from ai.models import AIInteraction
from coaching.models import Profile
from coaching.redaction import pii_redact
from coaching.tests.test_real_sdk import responder

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
CVS = [cv for name in ("cvs_labelled.yaml", "cvs_heldout.yaml", "cvs_unseen.yaml")
       for cv in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["cvs"]]  # fmt: skip

# The CV of the report: the name on line 2 and in "I'm ...", a referee, an obfuscated e-mail, a
# seven-digit phone and a city with state and ZIP.
REPORTED_CV = """Curriculum Vitae
Jane Doe
I'm Jane Doe, a backend engineer at Acme Corp who enjoys hard problems.
Reach me at jane[at]doe.org or 555-0199 (mobile +1 (202) 555-0199).
Home: 1600 Pennsylvania Avenue NW, Washington, DC 20500
Portfolio: janedoe.dev

Experience
Backend Engineer, Acme Corp (2019-2023): led a team of 5 engineers to move payments to Django,
cutting latency by 40%. Worked closely with Sarah Connor on the fraud models.
References
Contact: John Smith, Head of Engineering, Acme Corp, +44 20 7946 0958
"""
REPORTED_PII = ["Jane", "Doe", "jane[at]doe.org", "555-0199", "Pennsylvania", "Washington, DC 20500", "janedoe",
                "Sarah", "Connor", "John Smith", "7946"]  # fmt: skip


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if len(w.strip(".")) >= 3]


def test_the_labelled_sets_hold_thirty_cvs_whose_labels_are_in_their_text():
    assert len(CVS) >= 30
    for cv in CVS:
        for value in [*(v for values in cv["pii"].values() for v in values), *cv["keep"]]:
            assert value in cv["text"], (cv["id"], value)


@pytest.mark.parametrize("cv", CVS, ids=[cv["id"] for cv in CVS])
def test_a_redacted_cv_leaves_no_labelled_pii_and_keeps_skills_and_firms(cv):
    redacted = pii_redact(text=cv["text"], known_names=[cv["known"]]).text

    for values in cv["pii"].values():
        for value in values:
            assert value not in redacted, value
    for word in cv["keep"]:
        assert word in redacted, word
    # no part of a name either, outside the words kept on purpose (John Deere stays a firm)
    rest = redacted
    for word in cv["keep"]:
        rest = rest.replace(word, "")
    for name in cv["pii"].get("NAME", []):
        for word in _words(name):
            assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", rest, re.IGNORECASE), word


@pytest.mark.django_db(transaction=True)
def test_no_pii_of_the_cv_reaches_the_profile_the_provider_or_the_logged_request(fake_llm, auth_client, user):
    structure = {"structured_profile": {"roles": [{"title": "Backend Engineer", "organisation": "Acme Corp"}],
                                        "skills": ["Django"], "achievements": ["cut latency by 40%"]},
                 "story_bank": []}  # fmt: skip
    fake_llm.responder = responder({"CVStructure": [json.dumps(structure)]})

    response = auth_client.post("/api/v1/profile/cv", {"cv_text": REPORTED_CV, "redact_pii": True}, format="json")

    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=user)
    logged = AIInteraction.objects.filter(purpose="cv_structure")
    assert logged.exists()
    sent = json.dumps(fake_llm.requests, ensure_ascii=False)
    stored = json.dumps([profile.cv_text, profile.structured_profile], ensure_ascii=False)
    requests = json.dumps([row.prompt for row in logged], ensure_ascii=False)
    assert "Acme Corp" in requests and "Django" in requests and "[NAME]" in requests
    for secret in REPORTED_PII:
        found = re.compile(rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])", re.IGNORECASE)
        assert not found.search(sent) and not found.search(stored) and not found.search(requests), secret


def test_the_account_s_own_names_go_even_where_no_rule_finds_them():
    text = "Skills: Python\nProject lead for Ifeoma's team; ifeoma.okonkwo wrote the tests."

    redacted = pii_redact(text=text, known_names=["Ifeoma Okonkwo"]).text

    assert "Ifeoma" not in redacted and "okonkwo" not in redacted and "Python" in redacted


@pytest.mark.django_db
def test_a_first_last_email_names_the_account_even_without_a_display_name(auth_client, user):
    user.email, user.display_name = "ifeoma.okonkwo@example.com", ""
    user.save(update_fields=["email", "display_name"])

    auth_client.post("/api/v1/profile/cv", {"cv_text": "Skills: Python\nOkonkwo led the migration.",
                                            "redact_pii": True}, format="json")  # fmt: skip

    cv_text = Profile.objects.get(user=user).cv_text
    assert "Okonkwo" not in cv_text and "[NAME] led the migration" in cv_text
