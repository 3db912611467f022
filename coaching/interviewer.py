"""The partner as interviewer or counterpart: a brief for the prompt and a question bank for offline.

`interviewer_brief` goes into the session context (rendered into the system prompt by
conversations.services.context). Offline, `offline_interviewer_reply` plays the counterpart from the
gateway's ReplyRequest (preparation type, subtype, the template's own questions, story titles and
focus): the session's questions one at a time (`interview_plan`), one follow-up on an answer that
lacks what the question asks for, and an ending in the counterpart's manner. It keeps no state of its
own: where the interview stands is read from its own lines in the context window.
"""

import re

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
# The questions of one session: the template's own, then the bank's, at most this many in all.
MAX_QUESTIONS = 6

# What the offline interviewer says around the questions. Each line is found again in the window by
# its text, which is how the next reply knows where the interview stands.
ACKNOWLEDGEMENTS = (
    "Thank you, that's clear.",
    "I see, thanks.",
    "OK, noted.",
    "That helps, thank you.",
)
NOTED = ("I see.", "Right.", "OK, thanks.")
FOLLOW_UPS = {
    "example": "Could you give me a specific example? When was it, and what was at stake?",
    "own_part": "What did you do yourself, rather than the team?",
    "result": "How did it turn out? If you can, put a number on the result.",
    "lesson": "What did you learn from it, or what would you do differently next time?",
    "motivation": "And what draws you to this role in particular?",
    "more": "Could you say a bit more about that?",
}
# How each kind of counterpart ends its questions, puts off the learner's question until then,
# answers it after, and closes. "Interview" is also the default.
ENDINGS = {
    "Interview": {
        "invite": "That's all my questions. What would you like to ask me?",
        "later": "Good question. Let's keep it for the end, when there's time for your questions.",
        "answer": "Good question. It changes from week to week; you would hear more from the team in the next round.",
        "else": "Is there anything else you'd like to ask?",
        "closing": "Thank you{name}, I enjoyed talking to you. That's the end of the interview: we'll be in touch.",
    },
    "Corporate": {
        "invite": "That's everything on my list. Is there anything else before we close?",
        "later": "Let's take that after the meeting.",
        "answer": "Good point. Let's follow it up by email so we keep to time.",
        "else": "Anything else?",
        "closing": "Thanks{name}, that's the meeting. Please send the actions round by the end of the day.",
    },
    "Pitch": {
        "invite": "Those are my questions. Is there anything you'd like to ask us?",
        "later": "I'll take questions at the end.",
        "answer": "Fair question. We decide as a partnership, usually within two weeks of a meeting like this.",
        "else": "Anything else you'd like to know?",
        "closing": "Thank you{name}, that was a clear pitch. We'll discuss it and get back to you.",
    },
    "Sales": {
        "invite": "I think that covers my concerns. What would you suggest as a next step?",
        "later": "Let me finish my point first.",
        "answer": "Fair question. I'd need to check that with my team before I answer.",
        "else": "Anything else you need from me?",
        "closing": "Thanks{name}. Send me a short summary and I'll take it to my team.",
    },
    "Presentation": {
        "invite": "Those were my questions. Is there anything you'd like to add?",
        "later": "Let's come back to that at the end.",
        "answer": "Good question. I'd like to see the figures before I say more.",
        "else": "Anything else?",
        "closing": "Thank you{name}, that was a useful presentation.",
    },
    "Other": {
        "invite": "That's all from me. Is there anything you'd like to add?",
        "later": "Let's come back to that at the end.",
        "answer": "Good question. Let's follow it up after this conversation.",
        "else": "Anything else?",
        "closing": "Thank you{name}, that was a good conversation.",
    },
}
ANY_EXAMPLE = "Any example you know well is fine."
OVER = "We're done here: thank you again. You can end the session to read your review."

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_ACKNOWLEDGING = re.compile(r"\b(thanks|thank you|helpful|great|good to)\b", re.IGNORECASE)
_BEHAVIOURAL = re.compile(r"\b(tell me about a time|describe a|give me an example|walk me through it)\b", re.IGNORECASE)
_BACKGROUND = re.compile(r"\b(background|about yourself)\b", re.IGNORECASE)
# A question's topic is the first that fits: persuading someone who disagreed is about persuading.
_TOPICS = {
    "persuade": re.compile(r"\b(persuad\w*|influenc\w*)\b", re.IGNORECASE),
    "deadline": re.compile(r"\bdeadlines?\b", re.IGNORECASE),
    "mistake": re.compile(r"\b(mistakes?|fail\w*)\b", re.IGNORECASE),
    "goal": re.compile(r"\bgoals?\b", re.IGNORECASE),
    "conflict": re.compile(r"\b(conflict|disagree\w*)\b", re.IGNORECASE),
    "update": re.compile(r"\bupdates?\b", re.IGNORECASE),
}
_GREETING = re.compile(
    r"^\W*(hi|hello|hey|good (morning|afternoon|evening)|thanks for having me|thank you for having me|"
    r"nice to meet you|pleased to meet you)\b",
    re.IGNORECASE,
)
_GOODBYE = re.compile(
    r"\b(bye|goodbye|(great|nice|good) (to talk|talking|speaking)|thanks? (you )?for your time|"
    r"that's all|no more questions|no,? (thank you|thanks)|nothing else)\b",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"\b(repeat|say that again|rephrase|what do you mean|(did not|didn't) (catch|understand)|pardon)\b", re.IGNORECASE
)
_CLARIFY = re.compile(r"\b(do you mean|should I|can I|may I|is it ok|does it have to)\b", re.IGNORECASE)
# A name is said capitalised; the words before it in any case.
_NAME = re.compile(r"\b(?i:I'm|I am|my name is|this is|call me)\s+([A-Z][a-z]+)\b")
_NOT_NAMES = {"Sorry", "Not", "Here", "Glad", "Happy", "Excited", "Really", "So", "Very", "Just", "Also", "Currently"}
_OWN_ACTION = re.compile(r"\b[Ii]\b(?!\s*think\b)")
_TEAM = re.compile(r"\b(we|our team|the team)\b", re.IGNORECASE)
_RESULT = re.compile(
    r"\d|\b(result|in the end|finally|shipped|delivered|launched|released|saved|reduced|increased|cut|improved|"
    r"grew|renewed|won|finished|completed|on time|percent|successful\w*|worked|agreed|approved|accepted)\b",
    re.IGNORECASE,
)
_LESSON = re.compile(
    r"\b(learn\w*|lesson|next time|would (do|have)|looking back|in hindsight|taught me|reali[sz]ed)\b", re.IGNORECASE
)
_MOTIVATION = re.compile(
    r"\b(because|interest\w*|excit\w*|drawn|draws|love|enjoy|want|passion\w*|why)\b", re.IGNORECASE
)
_WORD = re.compile(r"[\w'’-]+")


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


def _topics(text: str) -> set[str]:
    return {next((topic for topic, pattern in _TOPICS.items() if pattern.search(text)), "")} - {""}


def interview_plan(
    *,
    preparation_type: str,
    meeting_subtype: str = "",
    starters: list[str] = (),
    stories: list[str] = (),
    focus: str = "",
) -> list[str]:
    """The session's questions in order: the template's opening, then the bank's on topics it did not
    ask, a story from the learner's profile every third question, the training focus named on the
    first question after the opening. (A template's later partner turns answer its sample learner
    turns, "How big is the impact of that block?", so they are not asked of every learner.)"""
    plan = list(starters[:1])
    asked = set().union(*(_topics(question) for question in plan))
    bank = []
    for question in interviewer_questions(preparation_type=preparation_type, meeting_subtype=meeting_subtype):
        if not (topics := _topics(question)) & asked:
            bank.append(question)
            asked |= topics
    stories = list(stories)
    while bank and len(plan) < MAX_QUESTIONS:
        plan.append(STORY_QUESTION.format(title=stories.pop(0)) if stories and len(plan) % 3 == 2 else bank.pop(0))
    if focus:
        first = 1 if starters else 0
        plan[first] = FOCUS_QUESTION.format(title=focus, question=plan[first])
    return plan


def interviewer_question(
    *, preparation_type: str, meeting_subtype: str = "", asked: int, stories: list[str] = (), focus: str = ""
) -> str:
    """The question asked `asked`-th of a session without a template (the last one once all are asked)."""
    plan = interview_plan(
        preparation_type=preparation_type, meeting_subtype=meeting_subtype, stories=stories, focus=focus
    )
    return plan[min(asked, len(plan) - 1)]


def _question_part(question: str) -> str:
    """The question without the thanks or greeting it opens with ("That's helpful, thanks.", "Hi,
    Mark here.", "Fine."): asked again, it comes alone."""
    sentences = [sentence.strip() for sentence in _SENTENCE.findall(question) if sentence.strip()]
    while len(sentences) > 1 and not sentences[0].endswith("?") and _opener(sentences[0]):
        sentences.pop(0)
    return " ".join(sentences)


def _opener(sentence: str) -> bool:
    return bool(_ACKNOWLEDGING.search(sentence) or _GREETING.search(sentence)) or len(_WORD.findall(sentence)) <= 2


def _position(plan: list[str], said: list[str], ending: dict[str, str]) -> tuple[int, str]:
    """Where the interview stands from the partner's lines so far (newest last): the index of the
    last question asked (-1 before the first) and what was said after it ("" when nothing yet,
    "follow_up", "invite", "answered" after an answer to the learner's question, or "closed")."""
    after = ""
    for line in reversed(said):
        if ending["closing"].split("{name}")[1] in line or OVER in line:
            return len(plan) - 1, "closed"
        for index in range(len(plan) - 1, -1, -1):
            if _question_part(plan[index]) in line:
                return index, after
        if not after:
            if ending["invite"] in line:
                after = "invite"
            elif ending["else"] in line:
                after = "answered"
            elif any(follow_up in line for follow_up in FOLLOW_UPS.values()):
                after = "follow_up"
    return (len(plan) - 1, after) if after in ("invite", "answered") else (-1, after)


def _kind(text: str) -> str:
    words = _WORD.findall(text)
    if _REPEAT.search(text) and len(words) <= 12:
        return "repeat"
    if _GOODBYE.search(text) and len(words) <= 15:
        return "goodbye"
    if _GREETING.search(text) and len(words) <= 12:
        return "greeting"
    if text.rstrip().endswith("?"):
        return "clarify" if _CLARIFY.search(text) else "question"
    return "answer"


def _follow_up(question: str, answer: str) -> str | None:
    """What an interviewer asks next about this answer, before the next question; None: move on."""
    words = len(_WORD.findall(answer))
    if _BEHAVIOURAL.search(question):
        if words < 15:
            return FOLLOW_UPS["example"]
        if _TEAM.search(answer) and not _OWN_ACTION.search(answer):
            return FOLLOW_UPS["own_part"]
        if not _RESULT.search(answer):
            return FOLLOW_UPS["result"]
        if _topics(question) & {"conflict", "mistake"} and not _LESSON.search(answer):
            return FOLLOW_UPS["lesson"]
        return None
    if _BACKGROUND.search(question) and "role" in question and not _MOTIVATION.search(answer):
        return FOLLOW_UPS["motivation"]
    return FOLLOW_UPS["more"] if words < 8 else None


def _name(request: ReplyRequest) -> str:
    texts = [request.user_text, *(turn.content for turn in reversed(request.recent_turns) if turn.role == "user")]
    for text in texts:
        if (found := _NAME.search(text)) and found.group(1) not in _NOT_NAMES:
            return found.group(1)
    return ""


def offline_interviewer_reply(request: ReplyRequest) -> str | None:
    """The offline partner's line in an interview-mode session, or None for other modes.

    It asks the session's questions one at a time (interview_plan), follows up once on an answer
    that lacks what the question asks for (a specific example, the learner's own part, a result, a
    lesson), meets a greeting, a question or a goodbye as an interviewer would, and invites the
    learner's questions at the end before closing."""
    if request.mode != "interview":
        return None
    plan = interview_plan(
        preparation_type=request.preparation_type or "Other",
        meeting_subtype=request.meeting_subtype,
        starters=request.starter_turns,
        stories=request.story_titles,
        focus=request.focus,
    )
    said = [turn.content for turn in request.recent_turns if turn.role == "assistant"]
    ending = ENDINGS.get(request.preparation_type) or ENDINGS["Interview"]
    current, after = _position(plan, said, ending)
    text = request.user_text.strip()
    kind = _kind(text)
    name = _name(request)
    step = request.partner_step
    if after == "closed":
        return OVER
    # A goodbye once a question is answered; before that "good to talk to you" is a greeting.
    if kind == "goodbye" and current < 1:
        kind = "greeting"
    if after in ("invite", "answered") and kind == "answer" and len(_WORD.findall(text)) > 15:
        return f"{ACKNOWLEDGEMENTS[step % len(ACKNOWLEDGEMENTS)]} {ending['else']}"
    if kind == "goodbye" or (after in ("invite", "answered") and kind not in ("question", "clarify")):
        return ending["closing"].format(name=f", {name}" if name else "")
    if current < 0:
        welcome = f"Nice to meet you, {name}." if name else "Thanks for coming in."
        return f"{welcome} {plan[0]}"
    if kind == "greeting":
        return f"Nice to meet you{', ' + name if name else ''}. {_question_part(plan[current])}"
    if kind == "repeat":
        return f"Of course. {_question_part(plan[current])}"
    if kind == "clarify" and after not in ("invite", "answered"):
        return f"{ANY_EXAMPLE} {_question_part(plan[current])}"
    if kind in ("question", "clarify"):
        if after in ("invite", "answered"):
            return f"{ending['answer']} {ending['else']}"
        return f"{ending['later']} {_question_part(plan[current])}"
    if after != "follow_up" and (follow_up := _follow_up(plan[current], text)):
        return f"{NOTED[step % len(NOTED)]} {follow_up}"
    acknowledgement = ACKNOWLEDGEMENTS[step % len(ACKNOWLEDGEMENTS)]
    if current + 1 >= len(plan):
        return f"{acknowledgement} {ending['invite']}"
    following = plan[current + 1]
    # A template's question may open with its own thanks ("That's helpful, thanks. Tell me...").
    return following if _question_part(following) != following else f"{acknowledgement} {following}"
