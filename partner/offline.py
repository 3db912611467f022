"""The offline partner: reply, summary, vocabulary and turn analysis without a provider.

Simple, honest logic: it follows the persona, walks through the template's starter turns, weaves
in the vocabulary hints and answers questions plainly. It never pretends to understand more.
"""

import logging
import re
from collections.abc import Callable

from ai import offline_handler
from ai.types import (
    Findings,
    ReplyRequest,
    SummaryOut,
    SummaryRequest,
    TurnAnalysisRequest,
    VocabularyRequest,
    VocabularyTags,
)
from partner.hints import hint_position

logger = logging.getLogger("parley.llm")

SUMMARY_MAX_SENTENCES = 8
SUMMARY_MAX_CHARS = 600

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_QUESTION = re.compile(r"[?？]\s*$|か[。]?\s*$")
_ASKS_NAME = re.compile(r"\bname\b|なまえ|名前|だれ|誰", re.IGNORECASE)

PHRASES = {
    "japanese": {
        "hello": "こんにちは。{name}です。{role}です。",
        "name": "わたしの なまえは {name}です。",
        "question": "いい しつもんですね。わたしは そう おもいます。",
        "thanks": "ありがとう ございます。",
        "hint": "「{phrase}」（{reading}）を つかって みましょう。",
        "hint_plain": "「{phrase}」を つかって みましょう。",
        "next": "{starter}",
        "more": "もっと おしえて ください。",
        "sep": "",
    },
    "english": {
        "hello": "Hello! I'm {name}, your {role}.",
        "name": "My name is {name}.",
        "question": "Good question. I think so, yes.",
        "thanks": "Thank you.",
        "hint": 'Try the phrase "{phrase}" ({translation}).',
        "hint_plain": 'Try the phrase "{phrase}".',
        "next": "{starter}",
        "more": "Tell me more, please.",
        "sep": " ",
    },
}


# The offline lines of session modes another app plays (coaching's interviewer for "interview"),
# registered from its AppConfig.ready().
_MODE_REPLIES: dict[str, Callable[[ReplyRequest], str | None]] = {}


def offline_mode_reply_register(*, mode: str, reply: Callable[[ReplyRequest], str | None]) -> None:
    """Let `reply(request)` write the offline partner's lines in sessions of this mode (None: the usual line)."""
    _MODE_REPLIES[mode] = reply


def _phrases(language: str) -> dict[str, str]:
    return PHRASES.get(language.lower(), PHRASES["english"])


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip()


@offline_handler("reply")
def partner_reply(request: ReplyRequest) -> str:
    """The next partner line: greet once, answer a question plainly, one hint, the next starter turn.

    In a mode another app registered (interview: the offline interviewer) that app writes the line.
    """
    mode_reply = _MODE_REPLIES.get(request.mode)
    if mode_reply is not None and (line := mode_reply(request)) is not None:
        return line
    # A scripted scenario: the engine already worked out the line (conversations.scenarios).
    if request.scenario is not None and request.scenario.line:
        return request.scenario.line
    say = _phrases(request.language)
    persona = request.persona
    step = request.partner_step
    parts = []
    if step == 0:
        parts.append(say["hello"].format(name=persona.name, role=persona.role))
    text = request.user_text.strip()
    if _QUESTION.search(text):
        parts.append(say["name" if _ASKS_NAME.search(text) else "question"].format(name=persona.name))
    elif step > 0:
        parts.append(say["thanks"])
    if request.vocab_hints:
        hint = request.vocab_hints[step % len(request.vocab_hints)]
        template = say["hint"] if (hint.reading or hint.translation) else say["hint_plain"]
        parts.append(
            template.format(phrase=hint.phrase, reading=hint.reading or hint.phrase, translation=hint.translation)
        )
    if step < len(request.starter_turns):
        parts.append(say["next"].format(starter=request.starter_turns[step]))
    else:
        parts.append(say["more"])
    return say["sep"].join(parts)


@offline_handler("summary")
def partner_summary(request: SummaryRequest) -> SummaryOut:
    """The previous summary plus the first sentence of each older user turn, keeping the latest ones."""
    sentences = [s for s in re.split(r"(?<=[.!?。！？])\s+|\n+", request.previous_summary) if s.strip()]
    sentences += [
        first_sentence(turn.content) for turn in request.turns if turn.role == "user" and turn.content.strip()
    ]
    kept: list[str] = []
    for sentence in reversed(sentences[-SUMMARY_MAX_SENTENCES:]):
        if sum(len(s) + 1 for s in kept) + len(sentence) > SUMMARY_MAX_CHARS:
            break
        kept.insert(0, sentence)
    return SummaryOut(summary="\n".join(kept))


@offline_handler("vocabulary")
def partner_vocabulary(request: VocabularyRequest) -> VocabularyTags:
    """The hints that appear in the text (by phrase or reading, partner.hints), in the order they
    appear, each once."""
    found = []
    for hint in request.hints:
        at = hint_position(phrase=hint.phrase, reading=hint.reading, text=request.text, language=request.language)
        if at is not None:
            found.append((at, hint))
    found.sort(key=lambda pair: pair[0])
    unique = list({hint.phrase: hint for _, hint in found}.values())
    return VocabularyTags(items=unique[:10])


@offline_handler("analyse_turn")
def partner_analysis(request: TurnAnalysisRequest) -> Findings:
    """Nothing beyond the local checker, which partner.analysis already ran."""
    return Findings(findings=[])
