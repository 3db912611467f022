"""Scenario goals on the session, "Help me reply" over REST and the socket, and the languages offered."""

import pytest
from waffle.models import Flag

from conversations.models import PracticeSession
from conversations.services.sessions import FREE_FORM_FLAG
from conversations.tests.factories import practice_session, seeded_templates
from conversations.tests.test_sessions_socket import open_socket
from templates.models import ConversationTemplate

pytestmark = pytest.mark.django_db(transaction=True)

CASUAL_GOALS = ["name", "home", "work", "likes", "weekend", "ask-back"]


@pytest.fixture
def session(user):
    return practice_session(user=user, template="casual")


def send(client, session, text):
    response = client.post(f"/api/v1/sessions/{session.id}/messages", {"message": text}, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def goals(client, session) -> dict:
    scenario = client.get(f"/api/v1/sessions/{session.id}").json()["scenario"]
    return {goal["id"]: goal["reached"] for goal in scenario["goals"]} | {"finished": scenario["finished"]}


def test_a_new_session_lists_its_goals_none_reached(auth_client, session):
    scenario = auth_client.get(f"/api/v1/sessions/{session.id}").json()["scenario"]
    assert [goal["id"] for goal in scenario["goals"]] == CASUAL_GOALS
    assert scenario["goals"][0] == {"id": "name", "text": "Tell Yuki your name", "reached": False}
    assert scenario["finished"] is False


def test_the_offline_partner_follows_the_script_and_the_goals_are_ticked(auth_client, session):
    # when the learner gives their name and home town in one turn
    turn = send(auth_client, session, "アイコです。カナダから来ました。")
    # then the partner calls them by their name, reacts to the place and asks the next question
    assert turn["offline"] is True
    assert turn["ai_response"].startswith("アイコさん、はじめまして！カナダですか！いいですね。")
    # and both goals are reached, the others not yet
    assert goals(auth_client, session) == {
        "name": True,
        "home": True,
        "work": False,
        "likes": False,
        "weekend": False,
        "ask-back": False,
        "finished": False,
    }


def test_the_scenario_finishes_and_the_session_says_so(auth_client, session):
    for text in ["アイコです。", "カナダから来ました。", "学生です。", "音楽が好きです。ゆきさんは？"]:
        send(auth_client, session, text)
    last = send(auth_client, session, "映画を見ます。")
    assert "これで きょうの れんしゅうは おわりです。" in last["ai_response"]
    assert goals(auth_client, session) == dict.fromkeys([*CASUAL_GOALS, "finished"], True)
    # and there is nothing more to suggest
    assert auth_client.get(f"/api/v1/sessions/{session.id}/hints").json() == {"hints": []}


def test_help_me_reply_gives_replies_for_the_current_question(auth_client, session):
    # at the start, Yuki asks the learner's name
    hints = auth_client.get(f"/api/v1/sessions/{session.id}/hints").json()["hints"]
    assert 2 <= len(hints) <= 3
    assert hints[0] == {
        "text": "アレックスです。よろしくお願いします。",
        "translation": "I'm Alex. Nice to meet you.",
        "reading": "アレックスです。よろしくおねがいします。",
    }
    # once the learner has answered, the hints are for the next question
    send(auth_client, session, "アイコです。")
    hints = auth_client.get(f"/api/v1/sessions/{session.id}/hints").json()["hints"]
    assert hints[0]["text"] == "カナダから来ました。"


def test_a_hint_sent_as_the_next_turn_advances_the_scenario_with_no_mistake(auth_client, session):
    hint = auth_client.get(f"/api/v1/sessions/{session.id}/hints").json()["hints"][1]
    turn = send(auth_client, session, hint["text"])
    assert turn["mistakes"] == []
    assert goals(auth_client, session)["name"] is True
    assert turn["ai_response"].startswith("マリアさん")


def test_another_users_hints_are_a_404(api_client, other_user, session):
    from accounts.services import tokens_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=other_user)['token']}")
    response = api_client.get(f"/api/v1/sessions/{session.id}/hints")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_language_the_partner_does_not_speak_is_refused_at_start(auth_client):
    seeded_templates()
    response = auth_client.post(
        "/api/v1/sessions", {"mode": "language", "language": "korean", "level": "beginner"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "language_not_spoken"
    assert "does not speak Korean" in body["error"]


@pytest.mark.asyncio
async def test_the_socket_answers_a_hints_frame(user, session):
    socket = await open_socket(user)
    await socket.send_json_to({"type": "hints", "session_id": str(session.id)})
    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "hints" and frame["session_id"] == str(session.id)
    assert [item["text"] for item in frame["items"]][:1] == ["アレックスです。よろしくお願いします。"]
    await socket.disconnect()


@pytest.mark.asyncio
async def test_the_socket_refuses_hints_for_another_users_session(other_user, session):
    socket = await open_socket(other_user)
    await socket.send_json_to({"type": "hints", "session_id": str(session.id)})
    frame = await socket.receive_json_from(timeout=5)
    assert (frame["type"], frame["code"], frame["session_id"]) == ("error", "not_found", str(session.id))
    await socket.disconnect()


def test_the_assistant_tool_refuses_a_language_the_partner_does_not_speak(user):
    from assistant.tools.registry import tool_run

    seeded_templates()
    result = tool_run(user=user, name="start_practice", arguments={"language": "korean", "level": "beginner"})
    assert result.error and "does not speak Korean" in result.error


def test_a_free_conversation_follows_its_languages_small_talk_script(auth_client):
    # given a Japanese small-talk script (here, the casual scenario under that slug)
    seeded_templates()
    ConversationTemplate.objects.filter(language="japanese", slug="small-talk").delete()
    template = ConversationTemplate.objects.get(language="japanese", level="beginner", slug="casual")
    template.pk, template.slug, template.source_path = None, "small-talk", ""
    template.save()
    Flag.objects.create(name=FREE_FORM_FLAG, everyone=True)
    # when a free conversation starts
    body = auth_client.post(
        "/api/v1/sessions", {"mode": "language", "language": "japanese", "level": "beginner"}, format="json"
    ).json()
    session = PracticeSession.objects.get(id=body["session_id"])
    # then it opens with the script, lists its goals and the partner follows it
    assert body["template"] is None and body["opening_message"]["content"] == template.opening_turn["text"]
    assert goals(auth_client, session)["name"] is False
    turn = send(auth_client, session, "リサです。")
    assert turn["ai_response"].startswith("リサさん")
    assert goals(auth_client, session)["name"] is True


def test_an_edited_turn_is_judged_from_where_the_scenario_was_before_it(user, session):
    from conversations.scenarios.sessions import scenario_turn, scenario_turn_undo

    # given the learner said a name, then replaced that turn with another name
    scenario_turn(session=session, text="アイコです。", seq=2)
    scenario_turn_undo(session=session, seq=2)
    _, reply = scenario_turn(session=session, text="リサです。", seq=4)
    # then the partner takes the new name, and only that one
    assert reply.text.startswith("リサさん、はじめまして！")
    assert reply.state.slots["name"] == "リサ" and reply.state.reached == ["name"]


def test_a_reply_written_again_offline_says_it_in_other_words(auth_client, session):
    # given the offline partner answered the learner's name
    first = send(auth_client, session, "アイコです。")["ai_response"]

    # when the learner asks for the reply again, twice
    second = auth_client.post(f"/api/v1/sessions/{session.id}/regenerate").json()["ai_response"]
    third = auth_client.post(f"/api/v1/sessions/{session.id}/regenerate").json()["ai_response"]

    # then each new reply is another variant, still about Aiko, and the scenario moved on once
    assert first == "アイコさん、はじめまして！アイコさんは どこから きましたか。"
    assert second == "アイコさんですね。よろしく おねがいします！どこから きましたか。"
    assert third.startswith("はじめまして！よろしく おねがいします。") and third != second
    assert goals(auth_client, session)["name"] is True
    # and the conversation goes on from there
    assert send(auth_client, session, "カナダから来ました。")["ai_response"].startswith("カナダですか！")


def test_the_offline_partner_steers_a_review_session_toward_its_due_words(auth_client, user):
    # given a review session whose due word is 学生 and whose due correction is わたしは
    session = practice_session(user=user, template=None, free_form=True)
    targets = [
        {"card_id": "", "kind": "vocabulary", "text": "学生", "hint": "student"},
        {"card_id": "", "kind": "mistake", "text": "わたしは", "hint": "わたしは がくせいです"},
        {"card_id": "", "kind": "structure", "text": "particles (は, が, を, に, で)", "hint": "particle"},
    ]
    PracticeSession.objects.filter(id=session.id).update(focus="due", targets=targets)

    # when the learner answers the partner's first question
    invited = send(auth_client, session, "サムです。")["ai_response"]
    # then the partner reacts, then asks for a sentence with the due word
    assert invited.split("。", 1) == [
        "サムさん、よろしく おねがいします",
        "『学生』を つかって、じぶんの ことを ひとつ おしえて ください。",
    ]

    # when the learner uses it (in kana), the partner says so and the conversation goes on
    praised = send(auth_client, session, "がくせいです。")["ai_response"]
    assert praised == "『学生』、じょうずに つかえましたね！どこから きましたか。"
    # and the corrected phrase comes next, never the kind of mistake
    next_reply = send(auth_client, session, "アメリカから来ました。")["ai_response"]
    assert "まえに『わたしは』を れんしゅうしましたね。" in next_reply
    assert "particles" not in PracticeSession.objects.get(id=session.id).scenario["line"]


def test_the_price_asked_early_and_a_thank_you_tick_their_goal_in_the_session(auth_client, user):
    # given the Kyoto counter; when the learner asks the price and thanks before those questions come
    session = practice_session(user=user, template="travel")
    for text in ["こんにちは", "きんかくじに いきたいです", "なんばんの バスですか", "いくらですか"]:
        send(auth_client, session, text)
    assert goals(auth_client, session)["price"] is False
    send(auth_client, session, "ありがとう")
    # then the session shows the goal of asking the price and thanking as reached
    assert goals(auth_client, session)["price"] is True
