"""The partner as interviewer or counterpart: a brief for the prompt and a question bank for offline.

`interviewer_brief` goes into the session context (rendered into the system prompt by
conversations.services.context). `interviewer_question` is what the offline partner asks next;
`offline_interviewer_reply` adapts it to the gateway's ReplyRequest, whose fields carry the
preparation type, subtype, story titles and focus.
"""

from ai import ReplyRequest

ROLES = {
    "Interview": "the interviewer",
    "Corporate": "a colleague chairing the meeting",
    "Pitch": "an investor hearing the pitch",
    "Sales": "the prospective customer",
    "Presentation": "a member of the audience asking questions",
    "Other": "the counterpart in this conversation",
}

BRIEFS = {
    "Interview": "Ask one interview question at a time and follow up on vague answers, asking for the "
    "situation, the learner's own actions and a measurable result.",
    "Corporate": "Run the meeting: keep to the agenda, ask for updates, push back on unclear owners and "
    "deadlines, and close on decisions.",
    "Pitch": "Listen to the pitch, then probe the problem, the market, traction, the business model and the ask.",
    "Sales": "Play a realistic buyer: share needs only when asked, raise objections on price, timing and "
    "risk, and agree to a next step only when it is earned.",
    "Presentation": "Ask the questions an attentive audience would: the key message, the evidence and what to do next.",
    "Other": "Keep the conversation realistic and ask one question at a time.",
}

# Subtype keys are matched as lower-case substrings of the session's meeting_subtype.
QUESTIONS: dict[str, dict[str, list[str]]] = {
    "Interview": {
        "behavioral": [
            "Tell me about a time you led a project under a tight deadline. What was the situation?",
            "Describe a conflict with a colleague and how you resolved it.",
            "Tell me about a mistake you made at work. What did you do next?",
            "Give me an example of a goal you set and how you reached it.",
            "Tell me about a time you had to persuade someone who disagreed with you.",
        ],
        "technical": [
            "Walk me through the architecture of a system you built. What trade-offs did you make?",
            "How would you find the cause of a sudden rise in response times in production?",
            "Tell me about the hardest bug you fixed. How did you track it down?",
            "How do you decide when code is ready to ship?",
        ],
        "": [
            "Tell me about yourself and why this role interests you.",
            "What achievement are you proudest of, and what was your part in it?",
            "Describe a time you had to learn something quickly.",
            "Where do you want to be in three years?",
            "Why should we hire you over the other candidates?",
        ],
    },
    "Corporate": {
        "": [
            "Let's start with updates. Where does your workstream stand against the plan?",
            "What is blocking you, and who needs to decide?",
            "The budget is tight this quarter. What would you cut first, and why?",
            "Who owns the next step, and by when?",
        ]
    },
    "Pitch": {
        "": [
            "What problem are you solving, and for whom?",
            "Why now? What has changed in the market?",
            "What traction do you have so far?",
            "How do you make money, and what does a customer cost you to acquire?",
            "How much are you raising, and what will it get you?",
        ]
    },
    "Sales": {
        "": [
            "Honestly, your price is higher than what we pay today. Why should we switch?",
            "We don't have budget until next quarter.",
            "How is this different from the tool we already use?",
            "I need to check with my team first. What would you need from me?",
            "What happens if the rollout fails? Who carries that risk?",
        ]
    },
    "Presentation": {
        "": [
            "Could you sum up your main point in one sentence?",
            "What evidence supports that conclusion?",
            "What do you want us to do after this presentation?",
            "How does this affect my team specifically?",
        ]
    },
    "Other": {
        "": [
            "What would you like to get out of this conversation?",
            "Can you give me a concrete example?",
            "What would you do differently next time?",
        ]
    },
}
STORY_QUESTION = "Your CV mentions this: {title}. Walk me through it: the situation, what you did and the result."
FOCUS_QUESTION = "Let's work on {title}. {question}"


def _prep(preparation_type: str) -> str:
    return preparation_type if preparation_type in QUESTIONS else "Other"


def interviewer_questions(*, preparation_type: str, meeting_subtype: str = "") -> list[str]:
    """The question bank for the type and the first subtype key found in `meeting_subtype`."""
    bank = QUESTIONS[_prep(preparation_type)]
    subtype = meeting_subtype.lower()
    key = next((k for k in bank if k and k in subtype), "")
    return bank.get(key) or bank[next(iter(bank))]


def interviewer_brief(*, preparation_type: str, meeting_subtype: str = "") -> tuple[str, str]:
    """The partner's role and instructions for the prompt."""
    prep = _prep(preparation_type)
    role = ROLES[prep]
    if meeting_subtype:
        role = f"{role} ({meeting_subtype})"
    return role, BRIEFS[prep]


def interviewer_question(
    *, preparation_type: str, meeting_subtype: str = "", asked: int, stories: list[str] = (), focus: str = ""
) -> str:
    """The next question: profile stories are worked in every third turn, the focus opens the session."""
    questions = interviewer_questions(preparation_type=preparation_type, meeting_subtype=meeting_subtype)
    if stories and asked % 3 == 2:
        return STORY_QUESTION.format(title=stories[(asked // 3) % len(stories)])
    question = questions[asked % len(questions)]
    if focus and asked == 0:
        return FOCUS_QUESTION.format(title=focus, question=question)
    return question


def offline_interviewer_reply(request: ReplyRequest) -> str | None:
    """The offline partner's line in an interview-mode session, or None for other modes."""
    if request.mode != "interview":
        return None
    asked = sum(1 for turn in request.recent_turns if turn.role == "assistant")
    question = interviewer_question(
        preparation_type=request.preparation_type or "Other",
        meeting_subtype=request.meeting_subtype,
        asked=asked,
        stories=request.story_titles,
        focus=request.focus,
    )
    return question if asked == 0 else f"Thank you. {question}"
