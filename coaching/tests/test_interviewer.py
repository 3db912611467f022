"""The offline interviewer: the session's questions in turn, one follow-up where an answer falls
short, an interviewer's answer to a greeting, a question and a goodbye, and an ending."""

import pytest

from ai import ReplyRequest, Turn
from coaching.interviewer import (
    ENDINGS,
    FOLLOW_UPS,
    MAX_QUESTIONS,
    OVER,
    interview_plan,
    interviewer_questions,
    offline_interviewer_reply,
)
from coaching.tests.conftest import practice

OPENING = (
    "Thanks for making the time today. To start, could you walk me through your background and what drew you "
    "to this role?"
)
# The template's next partner turn answers its sample learner turn: not asked.
STARTERS = [OPENING, "That's helpful, thanks. How did the customer portal rebuild go?"]
DEADLINE = "Tell me about a time you led a project under a tight deadline. What was the situation?"
DISAGREEMENT = "Tell me about a time you had a disagreement within your team. What was the situation?"
# A full answer to any behavioural question: a situation, the learner's own part, a result, a lesson.
FULL = (
    "Last year a senior engineer did not agree with my estimates for a release. I asked him to walk me through "
    "his numbers, we shipped on the new date and I learned to plan testing time first."
)


class Interview:
    """A session with the offline interviewer as the socket runs it: the partner's opening line, then
    each reply worked out from a window of the last six turns, as context.reply_plan gives it."""

    def __init__(self, preparation_type="Interview", meeting_subtype="Behavioral", starters=STARTERS, **fields):
        self.fields = {"preparation_type": preparation_type, "meeting_subtype": meeting_subtype, **fields}
        self.starters = list(starters)
        self.turns = [Turn(role="assistant", content=self.starters[0])] if self.starters else []

    def say(self, text: str) -> str:
        request = ReplyRequest(
            language="english",
            mode="interview",
            starter_turns=self.starters,
            recent_turns=self.turns[-6:],
            partner_turns=sum(turn.role == "assistant" for turn in self.turns),
            user_text=text,
            **self.fields,
        )
        reply = offline_interviewer_reply(request)
        self.turns += [Turn(role="user", content=text), Turn(role="assistant", content=reply)]
        return reply


def test_the_plan_opens_with_the_templates_question_then_the_banks_on_other_topics():
    plan = interview_plan(preparation_type="Interview", meeting_subtype="Behavioral", starters=[DISAGREEMENT, OPENING])

    bank = interviewer_questions(preparation_type="Interview", meeting_subtype="Behavioral")
    # The opening asked about a disagreement: the bank's conflict question is not asked again (the one
    # about persuading someone who disagreed is about persuading).
    assert plan == [DISAGREEMENT, *(question for question in bank if "conflict" not in question)]
    assert len(interview_plan(preparation_type="Interview", starters=[OPENING])) == MAX_QUESTIONS


def test_the_plan_works_in_the_focus_and_the_learners_stories():
    plan = interview_plan(preparation_type="Interview", stories=["Led the rollback"], focus="STAR")

    assert plan[0].startswith("Let's work on STAR.")
    assert "Led the rollback" in plan[2]


def test_each_preparation_type_has_its_own_questions():
    behavioural = interviewer_questions(preparation_type="Interview", meeting_subtype="Behavioral interview")
    sales = interviewer_questions(preparation_type="Sales")

    assert "Tell me about a time" in behavioural[0]
    assert any("price" in q for q in sales)
    assert interviewer_questions(preparation_type="Unknown") == interviewer_questions(preparation_type="Other")


def test_full_answers_take_the_interview_through_every_question_once_then_to_the_learners_questions():
    interview = Interview()
    plan = interview_plan(preparation_type="Interview", meeting_subtype="Behavioral", starters=STARTERS)

    replies = [interview.say(FULL if n else "I have led delivery teams for six years and I love shipping software.")
               for n in range(len(plan))]  # fmt: skip

    for question, reply in zip(plan[1:], replies, strict=False):
        assert reply.endswith(question), reply
    assert replies[-1].endswith(ENDINGS["Interview"]["invite"])
    assert len(set(replies)) == len(replies)


@pytest.mark.parametrize(
    ("answer", "follow_up"),
    [
        ("We had a disagreement about estimates once.", "example"),
        (
            "Last year the team disagreed about a release date, so we met, we compared our estimates and "
            "we shipped on the date the team chose in the end.",
            "own_part",
        ),  # fmt: skip
        (
            "Last year a senior engineer did not agree with my estimates, so I asked him to walk me through "
            "his numbers and I changed my plan.",
            "result",
        ),  # fmt: skip
        (
            "Last year a senior engineer did not agree with my estimates. I asked him to walk me through his "
            "numbers and we shipped on the new date.",
            "lesson",
        ),  # fmt: skip
    ],
)
def test_an_answer_that_falls_short_gets_one_follow_up_then_the_next_question(answer, follow_up):
    interview = Interview(starters=[DISAGREEMENT])

    asked = interview.say(answer)
    after = interview.say("It was a while ago, I do not remember much more.")

    assert asked.endswith(FOLLOW_UPS[follow_up])
    assert "deadline" in after, after


def test_the_background_answer_without_a_reason_is_asked_why_the_role():
    assert Interview().say("I have been a project manager for six years.").endswith(FOLLOW_UPS["motivation"])


def test_a_greeting_is_met_with_the_learners_name_and_the_question_again():
    reply = Interview().say("Hi Priya, thanks for having me. I'm Sam.")

    assert reply == (
        "Nice to meet you, Sam. To start, could you walk me through your background and what drew you to this role?"
    )


def test_the_learners_questions_wait_for_the_end_then_get_an_answer_and_the_goodbye_closes():
    interview = Interview()
    interview.say("I have led delivery teams for six years and I love shipping software.")

    early = interview.say("What does a typical week look like for the team?")
    repeated = interview.say("Sorry, could you repeat the question?")
    for _ in range(MAX_QUESTIONS - 1):
        last = interview.say(FULL)
    answered = interview.say("What does a typical week look like for the team?")
    closing = interview.say("No, that's all. Thank you for your time!")
    over = interview.say("Bye!")

    assert early == f"{ENDINGS['Interview']['later']} {DEADLINE}"
    assert repeated == f"Of course. {DEADLINE}"
    assert last.endswith(ENDINGS["Interview"]["invite"])
    assert answered == f"{ENDINGS['Interview']['answer']} {ENDINGS['Interview']['else']}"
    assert closing == ENDINGS["Interview"]["closing"].format(name="")
    assert over == OVER


def test_a_sales_call_opens_on_the_buyers_objection_and_ends_as_a_buyer_would():
    interview = Interview(preparation_type="Sales", meeting_subtype="renewal", starters=[])

    first = interview.say("Hello, thanks for meeting me.")
    interview.say("We help operations teams automate their weekly reporting, so your managers save hours.")
    last = interview.say("Thanks for your time, talk soon.")

    assert first == f"Thanks for coming in. {interviewer_questions(preparation_type='Sales')[0]}"
    assert last == ENDINGS["Sales"]["closing"].format(name="")


def test_other_modes_are_left_to_the_usual_partner():
    request = ReplyRequest(language="english", mode="language", preparation_type="Sales", user_text="Hello")

    assert offline_interviewer_reply(request) is None


def test_an_interview_session_on_the_offline_partner_is_asked_the_interviewers_questions(auth_client, user):
    session_id = practice(auth_client, answers=[], preparation_type="Sales")
    started = auth_client.get(f"/api/v1/sessions/{session_id}").json()
    # No template opens it: the buyer does, and the session is named after what it rehearses.
    assert [m["content"] for m in started["transcript"]] == [
        f"Thanks for coming in. {interviewer_questions(preparation_type='Sales')[0]}"
    ]
    assert started["title"] == "Sales rehearsal"

    turn = auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": "Hello, thanks for meeting me."},
                            format="json")  # fmt: skip

    reply = turn.json()["ai_response"]
    assert any(question in reply for question in interviewer_questions(preparation_type="Sales")), reply
