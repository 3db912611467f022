"""With an LLM configured: the script feeds the prompt, the turn analysis ticks goals (openai SDK, fake server)."""

import json

import pytest

from conversations.tests.factories import practice_session
from conversations.tests.fake_provider import Scripted

pytestmark = pytest.mark.django_db(transaction=True)

REPLY = "いいですね！しゅみは なんですか。"


def responder(goals_reached):
    """A provider whose turn analysis answers `goals_reached` (a value, or raw text to send as is)."""

    def answer(body: dict) -> Scripted:
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        if schema == "Findings":
            if isinstance(goals_reached, str):
                return Scripted(text=goals_reached)
            return Scripted(text=json.dumps({"findings": [], "goals_reached": goals_reached}))
        if schema == "VocabularyTags":
            return Scripted(text=json.dumps({"items": []}))
        if schema == "SummaryOut":
            return Scripted(text=json.dumps({"summary": ""}))
        return Scripted(text=REPLY)

    return answer


def send(client, session, text):
    response = client.post(f"/api/v1/sessions/{session.id}/messages", {"message": text}, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def reached(client, session) -> set[str]:
    goals = client.get(f"/api/v1/sessions/{session.id}").json()["scenario"]["goals"]
    return {goal["id"] for goal in goals if goal["reached"]}


def system_prompt(provider, purpose_schema=None) -> str:
    for request in reversed(provider.requests):
        body = request["body"]
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        if schema == purpose_schema:
            return body["messages"][0]["content"]
    raise AssertionError("no such request")


def test_the_script_feeds_the_reply_prompt(fake_llm, user, auth_client):
    fake_llm.responder = responder([])
    session = practice_session(user=user, template="casual")
    turn = send(auth_client, session, "アイコです。")
    # the LLM's reply is what the learner gets
    assert turn["ai_response"] == REPLY and turn["offline"] is False
    prompt = system_prompt(fake_llm)
    # persona facts, the question the partner is on (the script moved past the name), the goals left
    assert "わたしは 大学生です。えいごの ぶんがくを べんきょうして います。 (I'm a university student." in prompt
    assert "then ask: どこから きましたか。 (Where are you from?)" in prompt
    assert "- Say where you are from with 〜から来ました" in prompt
    assert "Tell Yuki your name" not in prompt
    assert "never give them another name" in prompt


def test_the_turn_analysis_ticks_goals_the_script_did_not_recognise(fake_llm, user, auth_client):
    # given a provider that judges the turn reached the "likes" goal
    fake_llm.responder = responder(["likes"])
    session = practice_session(user=user, template="casual")
    # when the learner says what they enjoy, in words no pattern of the script knows, while being asked
    # their name (the script waits for a name)
    send(auth_client, session, "テニスがとても楽しいです。")
    # then the analysis was offered the open goals and its judgement counts
    assert "- likes: Say what you like with 〜が好きです" in system_prompt(fake_llm, "Findings")
    assert reached(auth_client, session) == {"likes"}


@pytest.mark.parametrize(
    "analysis",
    [
        ["flying"],  # a goal it was not offered: the whole judgement is dropped
        "not json at all",  # malformed output
        json.dumps({"findings": [], "goals_reached": "likes"}),  # the wrong shape
    ],
)
def test_a_malformed_goal_judgement_falls_back_to_the_scripts_recogniser(fake_llm, user, auth_client, analysis):
    fake_llm.responder = responder(analysis)
    session = practice_session(user=user, template="casual")
    send(auth_client, session, "アイコです。")
    # the script's recogniser heard the name; nothing else is ticked
    assert reached(auth_client, session) == {"name"}
