"""The learner pages through Django's test client: each renders, asks for a sign-in, keeps
other people's sessions out of sight and shows a refusal on its form."""

import json
import re

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.throttles import AuthIPThrottle
from config.exceptions import ParleyError
from conversations.models import Message, MessageRole, MessageState, SessionStatus
from conversations.services.messages import conversation_lock, message_append
from conversations.services.sessions import session_archive, session_end, session_start, session_update_settings
from evaluations.models import Mistake
from templates.tests.factories import ConversationTemplateFactory
from vocabulary.tests.factories import VocabularyItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    return ConversationTemplateFactory(title="Small talk with a new friend")


@pytest.fixture
def client_for():
    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def learner_client(user, client_for):
    return client_for(user)


@pytest.fixture
def practice(user, template):
    return session_start(user=user, mode="language", language="japanese", level="beginner", template=str(template.id))


def _turn(session, content: str, *, reply_state=MessageState.COMPLETE, client_id="c1") -> Message:
    conversation = conversation_lock(conversation_id=session.conversation_id)
    turn = message_append(
        conversation=conversation, sender=session.user, role=MessageRole.USER, content=content, client_id=client_id
    )
    message_append(
        conversation=conversation,
        sender=None,
        role=MessageRole.ASSISTANT,
        content="" if reply_state == MessageState.FAILED else "そうですか。",
        state=reply_state,
        meta={"offline": True},
    )
    return turn


def _config(response) -> dict:
    match = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


# Sign-in required


@pytest.mark.parametrize("path", ["/history/", "/vocabulary/", "/sessions/00000000-0000-0000-0000-000000000000/"])
def test_pages_redirect_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_home_is_the_landing_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create an account" in response.content


# Sign up, sign in, sign out


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post("/signup/", {"email": "New@Example.com", "password": "a long practice password"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert User.objects.filter(email="new@example.com").exists()
    assert b"Practise a language" in client.get("/").content


def test_sign_up_shows_a_taken_email_and_a_weak_password(client, user):
    taken = client.post("/signup/", {"email": user.email, "password": "a long practice password"})
    weak = client.post("/signup/", {"email": "someone@example.com", "password": "short"})
    assert taken.status_code == weak.status_code == 400
    assert b"already exists" in taken.content
    assert b"too short" in weak.content
    assert not User.objects.filter(email="someone@example.com").exists()


def test_sign_up_form_shows_field_errors(client):
    response = client.post("/signup/", {"email": "not-an-email", "password": ""})
    assert response.status_code == 400
    assert b"Enter a valid email address." in response.content
    assert b"This field is required." in response.content
    assert b'aria-invalid="true"' in response.content


def test_sign_in_goes_to_a_safe_next_page_only(client, user):
    inside = client.post("/login/?next=/history/", {"email": user.email, "password": PASSWORD})
    outside = Client().post("/login/", {"email": user.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert inside["Location"] == "/history/"
    assert outside["Location"] == "/"


def test_sign_in_with_a_wrong_password_shows_an_error(client, user):
    response = client.post("/login/", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 400
    assert b"Wrong email or password." in response.content
    assert "_auth_user_id" not in client.session


def test_sign_in_attempts_are_throttled_per_ip(client, user, monkeypatch):
    monkeypatch.setattr(AuthIPThrottle, "THROTTLE_RATES", {"auth_ip": "2/min"})
    for _ in range(2):
        client.post("/login/", {"email": user.email, "password": "wrong password"})
    response = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_sign_out_needs_a_post(learner_client):
    assert learner_client.get("/logout/").status_code == 405
    response = learner_client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in learner_client.session


# Dashboard


def test_dashboard_lists_recent_sessions_and_scenarios_for_the_filter(learner_client, practice, template):
    ConversationTemplateFactory(language="spanish", title="At the cafe")
    response = learner_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/sessions/{practice.id}/"' in body
    assert re.search(
        rf'data-language="japanese" data-level="beginner">\s*<input type="radio" name="template" value="{template.id}"',
        body,
    )
    assert 'data-language="spanish"' in body
    assert 'value="free"' in body
    # Grouped by situation, each with the goals it practises.
    assert re.search(r'<h3 class="situation-title">[^<]+</h3>', body)
    for goal in template.goals:
        assert (goal.get("text") if isinstance(goal, dict) else goal) in body


def test_free_conversation_is_a_choice_and_starts_without_a_scenario(learner_client, user, template):
    form = {"language": "japanese", "level": "beginner", "persona": "friendly", "strictness": "gentle"}
    response = learner_client.post("/", {**form, "template": "free"})
    session = user.practice_sessions.get()
    assert response.status_code == 302
    assert session.template is None
    assert session.flag_variant == "free_form"


def test_a_language_without_scenarios_never_silently_starts_a_session(learner_client, user, template):
    form = {"language": "french", "level": "advanced", "persona": "friendly", "strictness": "gentle"}
    response = learner_client.post("/", form)
    assert response.status_code == 400
    assert b"Choose a scenario, or Free conversation." in response.content
    assert not user.practice_sessions.exists()


def test_rehearsal_starts_with_the_profile_context_as_edited(learner_client, user):
    from coaching.services import profile_update

    profile_update(user=user, preparation_type="Interview", agenda="Leadership stories", role="Engineering manager")
    response = learner_client.post(
        "/rehearsals/",
        {
            "kind": "pitch",
            "preparation_type": "Pitch",
            "meeting_subtype": "Investor pitch",
            "role": "Founder",
            "agenda": "",
            "language": "english",
            "level": "intermediate",
            "template": "",
        },
    )
    session = user.practice_sessions.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.id}/"
    assert (session.mode, session.preparation_type, session.meeting_subtype) == ("interview", "Pitch", "Investor pitch")
    assert session.template is None
    # Edited fields win; the rest of the context comes from the profile.
    assert session.context["role"] == "Founder"
    assert session.context["agenda"] == "Leadership stories"
    assert session.context["partner_role"]


def test_rehearsal_with_bad_input_starts_nothing_and_says_why(learner_client, user):
    response = learner_client.post("/rehearsals/", {"kind": "pitch", "preparation_type": "Juggling"}, follow=True)
    assert response.status_code == 200
    assert b"Preparation type" in response.content
    assert not user.practice_sessions.exists()


def test_start_form_starts_a_session_and_opens_the_chat(learner_client, user, template):
    response = learner_client.post(
        "/",
        {
            "language": "japanese",
            "level": "beginner",
            "persona": "patient",
            "strictness": "strict",
            "template": str(template.id),
        },
    )
    session = user.practice_sessions.get()
    assert response.status_code == 302
    assert response["Location"] == f"/sessions/{session.id}/"
    assert (session.template, session.persona, session.strictness) == (template, "patient", "strict")


def test_start_form_refuses_a_scenario_of_another_language(learner_client, user, template):
    response = learner_client.post(
        "/",
        {
            "language": "spanish",
            "level": "beginner",
            "persona": "friendly",
            "strictness": "gentle",
            "template": str(template.id),
        },
    )
    assert response.status_code == 400
    assert b"This scenario is for another language or level." in response.content
    assert not user.practice_sessions.exists()


# Chat


def test_chat_page_shows_transcript_panel_and_offline_partner(learner_client, practice, user):
    turn = _turn(practice, "わたしを がくせい です")
    Mistake.objects.create(
        message=turn, session=practice, type="particle", original="を", correction="わたしは", explanation="Use は."
    )
    item = VocabularyItemFactory(user=user, phrase="がくせい", source_message=turn)
    VocabularyItemFactory(user=user, phrase="elsewhere")

    response = learner_client.get(f"/sessions/{practice.id}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "わたしを がくせい です" in body
    assert 'class="chip chip-particle">Particle</span>' in body
    assert f'data-id="{item.id}"' in body
    assert "elsewhere" not in body
    assert "Offline partner" in body
    assert 'aria-live="polite"' in body
    assert _config(response) == {
        "sessionId": str(practice.id),
        "conversationId": str(practice.conversation_id),
        "language": "japanese",
        "open": True,
        "failedTurn": None,
    }


def test_chat_page_offers_to_retry_a_turn_whose_reply_failed(learner_client, practice):
    _turn(practice, "こんにちは", reply_state=MessageState.FAILED, client_id="turn-1")
    response = learner_client.get(f"/sessions/{practice.id}/")
    body = response.content.decode()
    assert 'id="ai-banner" class="banner banner-error" role="alert">' in body
    assert "The partner could not answer this message." in body
    assert _config(response)["failedTurn"] == {"content": "こんにちは", "clientId": "turn-1"}


def test_another_learners_session_pages_are_404(client_for, practice):
    stranger = client_for(UserFactory())
    for path in ("", "review/"):
        assert stranger.get(f"/sessions/{practice.id}/{path}").status_code == 404
    assert stranger.post(f"/sessions/{practice.id}/end/").status_code == 404
    assert (
        stranger.post(f"/sessions/{practice.id}/settings/", {"persona": "formal", "strictness": "strict"}).status_code
        == 404
    )
    practice.refresh_from_db()
    assert (practice.status, practice.persona) == (SessionStatus.IN_PROGRESS, "friendly")


def test_settings_apply_to_the_next_turn(learner_client, practice):
    response = learner_client.post(f"/sessions/{practice.id}/settings/", {"persona": "formal", "strictness": "strict"})
    practice.refresh_from_db()
    assert response["Location"] == f"/sessions/{practice.id}/"
    assert (practice.persona, practice.strictness) == ("formal", "strict")
    assert b"from your next message" in learner_client.get(response["Location"]).content


def test_settings_refuse_a_bad_value_and_an_ended_session(learner_client, practice):
    bad = learner_client.post(
        f"/sessions/{practice.id}/settings/", {"persona": "formal", "strictness": "harsh"}, follow=True
    )
    session_end(session=practice)
    ended = learner_client.post(
        f"/sessions/{practice.id}/settings/", {"persona": "formal", "strictness": "strict"}, follow=True
    )
    practice.refresh_from_db()
    assert b"Select a valid choice." in bad.content
    assert b"This session has ended" in ended.content
    assert (practice.persona, practice.strictness) == ("friendly", "balanced")


# End, review, history


def test_ending_a_session_leads_to_its_review(learner_client, practice):
    _turn(practice, "こんにちは")
    response = learner_client.post(f"/sessions/{practice.id}/end/", follow=True)
    practice.refresh_from_db()
    assert practice.status == SessionStatus.COMPLETED
    assert response.redirect_chain == [(f"/sessions/{practice.id}/review/", 302)]
    assert b"No evaluation yet" in response.content
    assert "こんにちは" in response.content.decode()


def test_history_is_paginated_and_filtered_by_status(learner_client, user, template, django_assert_max_num_queries):
    sessions = [
        session_start(user=user, mode="language", language="japanese", level="beginner", template=str(template.id))
        for _ in range(22)
    ]
    session_archive(session=sessions[0])

    with django_assert_max_num_queries(8):
        first = learner_client.get("/history/")
    second = learner_client.get("/history/?page=2")
    archived = learner_client.get("/history/?status=archived")
    unknown = learner_client.get("/history/?status=nonsense")

    assert first.content.decode().count('class="session-row"') == 20
    assert "Page 1 of 2" in first.content.decode()
    assert second.content.decode().count('class="session-row"') == 1
    assert archived.content.decode().count('class="session-row"') == 1
    assert unknown.content.decode().count('class="session-row"') == 20


# Vocabulary


def test_vocabulary_page_shows_due_items_with_ratings(learner_client, user):
    item = VocabularyItemFactory(user=user, phrase="ねこ", translation="cat")
    VocabularyItemFactory(phrase="いぬ")
    response = learner_client.get("/vocabulary/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'class="review-card" data-id="{item.id}"' in body
    assert 'data-rating="again"' in body and 'data-rating="easy"' in body
    assert "いぬ" not in body


def test_settings_service_refuses_a_blank_persona_and_keeps_the_session(practice):
    with pytest.raises(ParleyError) as refused:
        session_update_settings(session=practice, persona="  ", strictness="strict")
    practice.refresh_from_db()
    assert refused.value.fields == {"persona": ["A persona is 1 to 200 characters."]}
    assert (practice.persona, practice.strictness) == ("friendly", "balanced")


# Messages


def test_messages_page_renders_and_a_conversation_of_others_is_a_404(learner_client, user, client_for):
    from conversations.services.messaging import group_create, message_send

    stranger, friend = UserFactory(), UserFactory()
    theirs = group_create(owner=stranger, name="Not yours", member_ids=[str(friend.id)])
    message, _ = message_send(sender=friend, to=str(user.id), content="やあ")
    page = learner_client.get("/messages/")
    assert page.status_code == 200
    assert b'id="inbox"' in page.content
    assert b'id="unread-total"' in page.content
    assert learner_client.get(f"/messages/{message.conversation_id}/").status_code == 200
    assert learner_client.get(f"/messages/{theirs.id}/").status_code == 404
    assert Client().get("/messages/").status_code == 302
