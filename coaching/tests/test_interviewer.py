from ai import ReplyRequest, Turn
from coaching.interviewer import interviewer_question, interviewer_questions, offline_interviewer_reply
from coaching.tests.conftest import practice


def test_each_preparation_type_has_its_own_questions():
    behavioural = interviewer_questions(preparation_type="Interview", meeting_subtype="Behavioral interview")
    sales = interviewer_questions(preparation_type="Sales")

    assert "Tell me about a time" in behavioural[0]
    assert any("price" in q for q in sales)
    assert interviewer_questions(preparation_type="Unknown") == interviewer_questions(preparation_type="Other")


def test_stories_and_focus_are_worked_in():
    first = interviewer_question(preparation_type="Interview", asked=0, focus="STAR")
    story = interviewer_question(preparation_type="Interview", asked=2, stories=["Led the rollback"])

    assert first.startswith("Let's work on STAR.")
    assert "Led the rollback" in story


def test_the_offline_reply_reads_the_session_context_from_the_request_fields():
    request = ReplyRequest(language="english", mode="interview", preparation_type="Sales", meeting_subtype="renewal",
                           story_titles=["Saved a deal"], user_text="Hello",
                           recent_turns=[Turn(role="assistant", content="Hi")])  # fmt: skip

    reply = offline_interviewer_reply(request)

    assert reply == "Thank you. We don't have budget until next quarter."
    assert offline_interviewer_reply(request.model_copy(update={"mode": "language"})) is None


def test_an_interview_session_on_the_offline_partner_is_asked_the_interviewers_questions(auth_client, user):
    session_id = practice(auth_client, answers=[], preparation_type="Sales")

    turn = auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": "Hello, thanks for meeting me."},
                            format="json")  # fmt: skip

    reply = turn.json()["ai_response"]
    assert any(question in reply for question in interviewer_questions(preparation_type="Sales")), reply
