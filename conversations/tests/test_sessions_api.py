import pytest
from waffle.models import Flag

from conversations.models import Message, MessageState, PracticeSession
from conversations.services.sessions import FREE_FORM_FLAG
from conversations.tests.factories import practice_session, seeded_templates
from evaluations.models import Mistake
from templates.models import ConversationTemplate
from vocabulary.models import VocabularyItem

# Transactional, as requests are in production: the reply runs through database_sync_to_async,
# which drops a connection it finds inside a test's wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)

START = {"mode": "language", "language": "japanese", "level": "beginner", "persona": "friendly", "strictness": "strict"}


@pytest.fixture
def session(user):
    return practice_session(user=user, strictness="strict")


def send(client, session, text, client_id=None):
    body = {"message": text}
    if client_id:
        body["client_id"] = client_id
    return client.post(f"/api/v1/sessions/{session.id}/messages", body, format="json")


def test_starting_from_a_template_opens_with_its_first_partner_turn(auth_client):
    seeded_templates()
    template = ConversationTemplate.objects.get(language="japanese", level="beginner", slug="travel")

    response = auth_client.post("/api/v1/sessions", {**START, "template": "travel"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["conversation_id"] and body["session_id"] and body["created_at"]
    assert body["flag_variant"] == "template"
    assert body["opening_message"]["content"] == template.opening_turn["text"]
    assert body["opening_message"]["seq"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"strictness": "brutal"}, "strictness"), ({"mode": "karaoke"}, "mode"), ({"language": "x" * 50}, "language")],
)
def test_starting_with_bad_input_is_a_400(auth_client, data, field):
    response = auth_client.post("/api/v1/sessions", {**START, **data}, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not PracticeSession.objects.exists()


@pytest.mark.parametrize(
    ("slug", "language", "level", "mode", "preparation_type"),
    [
        ("cafe", "spanish", "beginner", "language", ""),
        ("sales-pitch", "english", "intermediate", "interview", "Sales"),
    ],
)
def test_a_template_slug_alone_starts_that_template(auth_client, slug, language, level, mode, preparation_type):
    seeded_templates()

    response = auth_client.post("/api/v1/sessions", {"template": slug}, format="json")

    assert response.status_code == 201, response.content
    session = PracticeSession.objects.get(id=response.json()["session_id"])
    assert (session.template.slug, session.language, session.level) == (slug, language, level)
    assert (session.mode, session.preparation_type) == (mode, preparation_type)
    assert response.json()["opening_message"]["content"] == session.template.opening_turn["text"]


def test_a_language_given_with_a_slug_picks_that_languages_template(auth_client):
    seeded_templates()

    response = auth_client.post("/api/v1/sessions", {"template": "small-talk", "language": "english"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["language"] == "english"


def test_starting_with_an_unknown_template_is_a_404(auth_client):
    seeded_templates()

    response = auth_client.post("/api/v1/sessions", {**START, "template": "no-such-template"}, format="json")

    assert response.status_code == 404
    assert not PracticeSession.objects.exists()


def test_without_a_template_the_flag_decides_free_form(auth_client, user):
    seeded_templates()
    without_flag = auth_client.post("/api/v1/sessions", START, format="json").json()
    Flag.objects.create(name=FREE_FORM_FLAG, everyone=True)

    with_flag = auth_client.post("/api/v1/sessions", START, format="json").json()

    assert without_flag["flag_variant"] == "template"
    assert without_flag["template"]
    assert with_flag["flag_variant"] == "free_form"
    assert with_flag["template"] is None
    # a free conversation opens with its language's small-talk script, when content/ has one
    small_talk = ConversationTemplate.objects.filter(language="japanese", level="beginner", slug="small-talk").first()
    opening = with_flag["opening_message"]
    assert (opening["content"] if opening else None) == (small_talk.opening_turn["text"] if small_talk else None)


def test_the_percentage_experiment_is_stable_per_user(user, other_user):
    from conversations.services.sessions import free_form_allowed

    Flag.objects.create(name=FREE_FORM_FLAG, percent=50)

    first = [free_form_allowed(user=u) for u in (user, other_user)]
    again = [free_form_allowed(user=u) for u in (user, other_user)]

    assert first == again


def test_a_ten_turn_session_on_the_offline_partner(auth_client, session):
    turns = [
        "はじめまして。アレックスです。",
        "アメリカから来ました。",
        "わたしは がくせいです。",
        "しゅみは アニメです。",
        "まいにち にほんごを べんきょうします。",
        "ラーメンが すきです。",
        "きのう ともだちと えいがを みました。",
        "にちようびに こうえんへ いきます。",
        "よろしくお願いします。",
        "ありがとうございます！",
    ]

    answers = [send(auth_client, session, text) for text in turns]

    assert [a.status_code for a in answers] == [201] * 10
    assert [a.json()["turn_number"] for a in answers] == list(range(1, 11))
    assert all(a.json()["ai_response"] and a.json()["offline"] for a in answers)
    seqs = list(Message.objects.filter(conversation=session.conversation).values_list("seq", flat=True))
    assert seqs == list(range(1, 22))
    assert not Message.objects.filter(conversation=session.conversation).exclude(state=MessageState.COMPLETE).exists()
    transcript = auth_client.get(f"/api/v1/sessions/{session.id}").json()["transcript"]
    assert [m["role"] for m in transcript[1:3]] == ["user", "assistant"]
    assert [m["content"] for m in transcript if m["role"] == "user"] == turns


def test_a_wrong_sentence_gets_mistakes_and_a_correct_one_none(auth_client, session):
    wrong = send(auth_client, session, "わたしを がくせい です").json()
    right = send(auth_client, session, "わたしは がくせいです").json()

    assert wrong["mistakes"], wrong
    assert wrong["mistakes"][0]["type"] == "particle"
    assert wrong["mistakes"][0]["correction"].replace(" ", "") == "わたしはがくせいです"
    assert right["mistakes"] == []
    assert Mistake.objects.filter(message_id=wrong["message_id"]).count() == len(wrong["mistakes"])
    listed = auth_client.get(f"/api/v1/sessions/{session.id}/mistakes").json()
    assert [m["id"] for m in listed["results"]] == [m["id"] for m in wrong["mistakes"]]
    by_type = auth_client.get(f"/api/v1/mistakes?session={session.id}&type=particle").json()
    assert by_type["count"] == len([m for m in wrong["mistakes"] if m["type"] == "particle"])


def test_the_partners_replies_tag_vocabulary(auth_client, session, user):
    answer = send(auth_client, session, "はじめまして。アレックスです。").json()

    items = VocabularyItem.objects.filter(user=user, source="ai")
    assert items.exists()
    assert {v["id"] for v in answer["vocabulary"]} <= {str(i.id) for i in items}
    assert all(str(item.source_message_id) == answer["ai_message_id"] for item in items)


def test_a_resend_with_the_same_client_id_stores_nothing(auth_client, session):
    first = send(auth_client, session, "こんにちは", client_id="c-1")

    again = send(auth_client, session, "こんにちは", client_id="c-1")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["ai_response"] == first.json()["ai_response"]
    assert Message.objects.filter(conversation=session.conversation, role="user").count() == 1


@pytest.mark.parametrize("text", ["", "   ", "a" * 10_001, "bad\x00byte", "bell\x07"])
def test_invalid_turns_are_refused_and_nothing_is_stored(auth_client, session, text):
    response = send(auth_client, session, text)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Message.objects.filter(conversation=session.conversation, role="user").exists()


def test_another_users_session_does_not_exist_for_you(api_client, session, other_user):
    from accounts.services import tokens_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=other_user)['token']}")
    base = f"/api/v1/sessions/{session.id}"

    statuses = [
        api_client.get(base).status_code,
        api_client.post(f"{base}/messages", {"message": "hi"}, format="json").status_code,
        api_client.post(f"{base}/end").status_code,
        api_client.delete(base).status_code,
        api_client.get(f"{base}/mistakes").status_code,
        api_client.get(f"/api/v1/mistakes?session={session.id}").status_code,
    ]

    assert statuses == [404] * 6
    session.refresh_from_db()
    assert session.status == "in_progress"


@pytest.mark.parametrize("session_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_session_ids_are_404(auth_client, session_id):
    assert auth_client.get(f"/api/v1/sessions/{session_id}").status_code == 404


def test_sessions_need_a_token(api_client):
    assert api_client.get("/api/v1/sessions").status_code == 401


def test_ending_completes_and_closes_the_session(auth_client, session):
    ended = auth_client.post(f"/api/v1/sessions/{session.id}/end")
    complete_again = auth_client.post(f"/api/v1/sessions/{session.id}/complete/")
    late_turn = send(auth_client, session, "まだ いますか")

    assert ended.status_code == 200
    assert ended.json()["status"] == "completed"
    assert "evaluation_id" in ended.json()
    assert complete_again.status_code == 200
    assert late_turn.status_code == 409
    assert late_turn.json()["code"] == "session_closed"


def test_archiving_hides_the_session_from_the_default_list(auth_client, user):
    kept = practice_session(user=user)
    archived = practice_session(user=user, template="travel")

    response = auth_client.delete(f"/api/v1/sessions/{archived.id}")
    listed = auth_client.get("/api/v1/sessions").json()
    only_archived = auth_client.get("/api/v1/sessions?status=archived").json()

    assert response.status_code == 204
    assert [s["session_id"] for s in listed["results"]] == [str(kept.id)]
    assert [s["session_id"] for s in only_archived["results"]] == [str(archived.id)]
    assert auth_client.get(f"/api/v1/sessions/{archived.id}").json()["status"] == "archived"


def test_the_session_list_is_paginated_newest_first_in_constant_queries(
    auth_client, user, django_assert_max_num_queries
):
    sessions = [practice_session(user=user, template=slug) for slug in ("casual", "travel", "business")]

    with django_assert_max_num_queries(4):
        page = auth_client.get("/api/v1/sessions?limit=2").json()

    assert page["count"] == 3
    assert [s["session_id"] for s in page["results"]] == [str(s.id) for s in reversed(sessions)][:2]
    assert page["next"] and page["previous"] is None


def test_a_bad_status_filter_is_a_400(auth_client):
    response = auth_client.get("/api/v1/sessions?status=whatever")

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


@pytest.mark.parametrize("action", ["end", "complete"])
def test_options_on_ending_answers_the_allowed_methods_not_a_server_error(auth_client, session, action):
    response = auth_client.options(f"/api/v1/sessions/{session.id}/{action}")

    assert response.status_code == 200, response.content
    assert "POST" in response["Allow"]


def test_nul_characters_in_the_context_are_dropped_before_storing(auth_client, user):
    # PostgreSQL's jsonb refuses "\u0000": the insert failed with a 500.
    context = {"agenda\x00": "Quarterly\x00 review", "stories": [{"title": "Launch\x00"}]}

    response = auth_client.post("/api/v1/sessions", {**START, "context": context}, format="json")

    assert response.status_code == 201, response.content
    stored = PracticeSession.objects.get(id=response.json()["session_id"]).context
    assert stored == {"agenda": "Quarterly review", "stories": [{"title": "Launch"}]}
