"""The offline partner's scenario engine: a learner turn and the session's state in, a reply and the new state out.

Pure logic over a template's script (templates.schema.Script) and tokenised turns: no database,
no network, a few milliseconds a turn. The session keeps the state (ScenarioState.as_dict) between
turns; see docs/templates.md for how a session runs.
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from language.tokens import CONTENT, FUNCTION, PUNCT, SKIP, Pattern, Tokens, hiragana, pattern_compile, tokenise
from partner.scenarios.kana import Swapped
from partner.scenarios.kana import reading as kana_reading
from partner.scenarios.kana import swap as kana_swap
from partner.scenarios.kana import vocabulary as kana_vocabulary
from partner.scenarios.phrases import PHRASES
from partner.scenarios.social import FAREWELL, GREETING, HOW_ARE_YOU, THANKS, social_kind
from partner.scenarios.words import WordAnswer, say_query, word_answer
from templates.schema import PLACEHOLDER, Beat, Hint, Line, Script

_ASK_BACK = {
    "english": re.compile(r"\b(?:and|what about|how about) you\b|^\W*you\W*$", re.I),
    "spanish": re.compile(r"(?:^|\W)y (?:tú|tu|usted|vos)\b", re.I),
    "french": re.compile(r"\bet (?:toi|vous)\b", re.I),
    "german": re.compile(r"\bund (?:du|sie|dir|ihnen)\b", re.I),
    "italian": re.compile(r"\be (?:tu|lei|te)\b", re.I),
    "portuguese": re.compile(r"\be (?:você|voce|tu)\b", re.I),
}


@dataclass(frozen=True)
class Target:
    """A word or phrase a review session steers toward: a due word, or the correction of a past mistake."""

    text: str
    kind: str = "vocabulary"  # vocabulary | mistake


@dataclass
class ScenarioState:
    """Where a session is in its script; stored on the session as a JSON object."""

    beat: int = 0  # index of the beat the partner is on
    slots: dict[str, str] = field(default_factory=dict)  # what the learner told: name, place, drink...
    used: list[str] = field(default_factory=list)  # keys of the lines already said, oldest first
    said: list[str] = field(default_factory=list)  # the lines already said, as said
    done: list[str] = field(default_factory=list)  # beats the learner answered
    reached: list[str] = field(default_factory=list)  # goal ids, in the order reached
    asked: bool = False  # the learner asked something the partner answered
    misses: int = 0  # turns in a row that did not fit the current beat
    greeted: bool = False  # the partner greeted the learner back
    finished: bool = False
    invited: list[str] = field(default_factory=list)  # practice targets the partner asked the learner to use
    practised: list[str] = field(default_factory=list)  # practice targets the learner used
    pending: str = ""  # the target the partner just invited the learner to use

    def as_dict(self) -> dict:
        return {
            "beat": self.beat,
            "slots": dict(self.slots),
            "used": list(self.used),
            "said": list(self.said),
            "done": list(self.done),
            "reached": list(self.reached),
            "asked": self.asked,
            "misses": self.misses,
            "greeted": self.greeted,
            "finished": self.finished,
            "invited": list(self.invited),
            "practised": list(self.practised),
            "pending": self.pending,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "ScenarioState":
        data = data or {}
        return cls(
            beat=int(data.get("beat", 0)),
            slots=dict(data.get("slots", {})),
            used=list(data.get("used", [])),
            said=list(data.get("said", [])),
            done=list(data.get("done", [])),
            reached=list(data.get("reached", [])),
            asked=bool(data.get("asked", False)),
            misses=int(data.get("misses", 0)),
            greeted=bool(data.get("greeted", False)),
            finished=bool(data.get("finished", False)),
            invited=list(data.get("invited", [])),
            practised=list(data.get("practised", [])),
            pending=str(data.get("pending", "")),
        )


@dataclass(frozen=True)
class Scenario:
    """A script ready to run: its patterns compiled once, the persona's names known."""

    script: Script
    language: str
    persona_names: frozenset[str]  # spellings of the partner's own name: never taken as the learner's
    listen: dict[str, tuple[Pattern, ...]]
    asks: tuple[tuple[Pattern, ...], ...]
    accept: dict[str, dict[str, tuple[Pattern, ...]]] = field(default_factory=dict)  # beat -> slot -> words it takes
    # Per beat: which listen patterns are evidence enough for a beat the partner has not asked yet.
    strong: dict[str, tuple[bool, ...]] = field(default_factory=dict)
    asking: frozenset[str] = frozenset()  # beats where the learner's part is to ask (their hints are questions)
    kana: dict[str, str] = field(default_factory=dict)  # reading -> the script's spelling (きんかくじ -> 金閣寺)
    common: frozenset[str] = frozenset()  # the script's own lowercase words: "Café" first in a sentence is café

    @property
    def beats(self) -> list[Beat]:
        return self.script.beats

    @property
    def joiner(self) -> str:
        return "" if self.language == "japanese" else " "


@dataclass
class Reply:
    text: str
    lines: list[str]  # the lines the text is made of, each said once in a session
    state: ScenarioState
    reached: list[str]  # goal ids reached by this turn
    finished: bool


def _persona_names(persona_name: str, language: str) -> frozenset[str]:
    # "Yuki (ゆき)", "Sato-san (さとうさん)": every word of it, with and without the honorific.
    words = re.findall(r"[^\W\d_]+", persona_name)
    names = {hiragana(word) for word in words}
    names |= {re.sub(r"(さん|san)$", "", name) for name in names}
    return frozenset(name for name in names if name and name not in {"san", "さん"})


def _strong(pattern: Pattern, language: str) -> bool:
    """A pattern that captures, or names only things (お茶|水|ビール): not a bare verb like 行く or 好き.

    Only Japanese words carry their part of speech here: in the other languages one bare word
    ("go|will|plan") is no evidence for a question not asked yet, a phrase ("para llevar") is.
    """
    if pattern.slots:
        return True
    if language != "japanese":
        return len(pattern.parts) > 1
    words = [word for chunk in pattern.source.split() if chunk != SKIP for word in chunk.split("|")]
    return all(
        all(token.kind == CONTENT and token.nominal for token in tokenise(word, language).items) for word in words
    )


def _pattern_words(script: Script) -> list[str]:
    sources = [source for beat in script.beats for source in beat.listen]
    sources += [source for fact in script.facts for source in fact.ask]
    sources += [word for beat in script.beats for words in beat.accept.values() for word in words]
    return [word for source in sources for chunk in source.split() for word in chunk.split("|")]


def scenario_build(*, script: Script, language: str, persona_name: str) -> Scenario:
    """Compile a validated script for the engine."""
    listen = {beat.id: tuple(pattern_compile(p, language) for p in beat.listen) for beat in script.beats}
    return Scenario(
        script=script,
        language=language,
        persona_names=_persona_names(persona_name, language),
        listen=listen,
        asks=tuple(tuple(pattern_compile(p, language) for p in fact.ask) for fact in script.facts),
        accept={
            beat.id: {slot: tuple(pattern_compile(w, language) for w in words) for slot, words in beat.accept.items()}
            for beat in script.beats
        },
        strong={beat_id: tuple(_strong(p, language) for p in patterns) for beat_id, patterns in listen.items()},
        asking=frozenset(
            beat.id
            for beat in script.beats
            if sum(tokenise(hint.text, language).is_question for hint in beat.hints) * 2 > len(beat.hints)
        ),
        kana=kana_vocabulary(_pattern_words(script)) if language == "japanese" else {},
        common=frozenset(word for word in _pattern_words(script) if word.islower())
        if language != "japanese"
        else frozenset(),
    )


@cache
def _phrase_lines(language: str, kind: str) -> tuple[Line, ...]:
    """The generic lines of a kind (partner.scenarios.phrases) in `language`, built once."""
    return tuple(Line(text=text) for text in PHRASES.get(language, PHRASES["english"])[kind])


def _line_key(key: str, index: int) -> str:
    """How a said line is remembered in the state's `used`: its lines' key and its variant."""
    return f"{key}.{index}"


def _generic_key(kind: str) -> str:
    """The lines' key of one of the language's generic phrases (phrases.PHRASES)."""
    return f"g.{kind}"


class _Turn:
    """One reply being put together: the lines chosen, the keys they use, the state they change."""

    def __init__(self, scenario: Scenario, state: ScenarioState, avoid: Collection[str] = ()):
        self.scenario = scenario
        self.state = ScenarioState.from_dict(state.as_dict())
        self.avoid = set(avoid)  # keys of a reply being written again: other variants first
        self.parts: list[str] = []

    def phrases(self, kind: str) -> tuple[Line, ...]:
        return _phrase_lines(self.scenario.language, kind)

    def pick(self, key: str, lines: Iterable[Line], unknown: Iterable[str] = (), **extra: str) -> str | None:
        """The first variant not said yet whose slots are known, rendered; None when there is none."""
        values = {name: value for name, value in self.state.slots.items() if name not in unknown} | extra
        fresh = []
        for index, line in enumerate(lines):
            line_key = _line_key(key, index)
            if line_key in self.state.used or line.slots - values.keys():
                continue
            text = PLACEHOLDER.sub(lambda match: values[match.group(1)], line.text)
            if text not in self.state.said:
                fresh.append((line_key, text))
        if not fresh:
            return None
        line_key, text = next((item for item in fresh if item[0] not in self.avoid), fresh[0])
        self.state.used.append(line_key)
        self.state.said.append(text)
        return text

    def generic(self, kind: str, **values: str) -> str | None:
        return self.pick(_generic_key(kind), self.phrases(kind), **values)

    def again(self, key: str, lines: Sequence[Line], **extra: str) -> str | None:
        """When every variant was said: the one said longest ago (never the last one said), rendered."""
        values = self.state.slots | extra
        keys = [_line_key(key, index) for index, line in enumerate(lines) if not line.slots - values.keys()]
        said = [k for k in self.state.used if k in keys]
        if not keys or not said:
            return None
        oldest = said[0]
        self.state.used.remove(oldest)
        self.state.used.append(oldest)
        line = lines[int(oldest.rsplit(".", 1)[1])]
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], line.text)

    def generic_again(self, kind: str, **values: str) -> str | None:
        """A generic line not said yet, or the one said longest ago: the partner never runs out of words."""
        return self.generic(kind, **values) or self.again(_generic_key(kind), self.phrases(kind), **values)

    def say(self, text: str | None) -> bool:
        if text:
            self.parts.append(text)
        return bool(text)

    @property
    def text(self) -> str:
        return self.scenario.joiner.join(self.parts)


def _name_is_persona(scenario: Scenario, value: str) -> bool:
    return any(hiragana(word) in scenario.persona_names for word in re.findall(r"[^\W\d_]+", value) or [value])


Pool = list[tuple[int, Tokens]]


def _capture(
    scenario: Scenario, beat: Beat, pattern: Pattern, sentence: Tokens, swapped: Swapped
) -> dict[str, str] | None:
    captured = pattern.match(sentence)
    if captured is None:
        return None
    # A slot with words of its own takes only those, as the script spells them or as the learner did:
    # 「メニューを ください」 orders no meal; 「きんかくじ」 is 金閣寺, 「きよみずでら」 is in kana in the list.
    for name, words in scenario.accept.get(beat.id, {}).items():
        value = captured.get(name)
        if value is not None and not any(_accepted(scenario, v, words) for v in (value, swapped.learner(value))):
            return None
    captured = {name: _common(scenario, swapped.learner(value)) for name, value in captured.items()}
    # "ゆきさんは？" is the learner asking back, not the learner being called Yuki.
    if "name" in captured and _name_is_persona(scenario, captured["name"]):
        return None
    return captured


def _accepted(scenario: Scenario, value: str, words: tuple[Pattern, ...]) -> bool:
    said = tokenise(value, scenario.language)
    return any(word.match(said) is not None for word in words)


def _common(scenario: Scenario, value: str) -> str:
    """A value as said mid-sentence: "Café con leche" at the start of a turn is the script's café con leche."""
    first, _, rest = value.partition(" ")
    lowered = first.lower()
    return " ".join(filter(None, (lowered, rest))) if lowered != first and lowered in scenario.common else value


def _listen(
    scenario: Scenario, beat: Beat, pool: Pool, swapped: Swapped, *, only: Callable[[int], bool] = lambda i: True
) -> tuple[dict[str, str], int] | None:
    """The slots of the first pattern that fits one of the sentences, and that sentence's index; None when none fits.

    only: which of the beat's patterns may count (by their index).
    """
    for index, pattern in enumerate(scenario.listen[beat.id]):
        if not only(index):
            continue
        for at, sentence in pool:
            if (captured := _capture(scenario, beat, pattern, sentence, swapped)) is not None:
                return captured, at
    return None


def _listen_ahead(
    scenario: Scenario, beat: Beat, pool: Pool, swapped: Swapped, *, strong_only: bool
) -> tuple[dict[str, str], int] | None:
    """A beat the partner has not asked yet, answered early: by a pattern that names a thing of its own
    (お茶 for the drink), or by one that captures; the learner's own question for a beat that is theirs to ask."""
    strong = scenario.strong[beat.id]
    heard = _listen(scenario, beat, pool, swapped, only=lambda i: strong[i] and not scenario.listen[beat.id][i].slots)
    if heard is None and beat.id in scenario.asking:
        heard = _listen(scenario, beat, [(at, s) for at, s in pool if s.is_question], swapped)
    if heard is not None:
        # Said by name: what the beat's capturing patterns take from that sentence ("お茶を ください": お茶).
        sentence = [(at, s) for at, s in pool if at == heard[1]]
        captured = _listen(scenario, beat, sentence, swapped, only=lambda i: bool(scenario.listen[beat.id][i].slots))
        return (captured[0] if captured else heard[0]), heard[1]
    if strong_only:
        return None
    return _listen(scenario, beat, pool, swapped, only=lambda i: bool(scenario.listen[beat.id][i].slots))


_REQUEST = re.compile(r"(?:ください|下さい|おねがい(?:します)?|お願い(?:します)?|por favor|please)\W*$", re.I)
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30faー・]+")


def _name_like(token) -> bool:
    """A name, or a word in katakana: アレックス, 田中; not げんき or がくせい."""
    return token.kind == CONTENT and token.nominal and (token.proper or bool(_KATAKANA_WORD.fullmatch(token.surface)))


def _is_ask_back(scenario: Scenario, sentence: Tokens) -> bool:
    if scenario.language == "japanese":
        words = [token for token in sentence.items if token.kind != PUNCT]
        if any("あなた" in token.keys for token in words):
            return True
        return bool(words) and words[-1].surface == "は"
    pattern = _ASK_BACK.get(scenario.language)
    return bool(pattern and pattern.search(sentence.text))


# Words in an English query from which it is a sentence ("I am from England"), not a word ("train station").
_SENTENCE_WORDS = 3
# Topics too general to say what a question is about.
_FORMAL_TOPICS = frozenset({"こと", "もの", "これ", "それ", "あれ", "ここ", "そこ"})
# Question words: a Japanese question with one asks for something (「なにを しますか」), it answers nothing.
_QUESTION_WORDS = frozenset(
    {"何", "なに", "なん", "どこ", "何処", "いつ", "誰", "だれ", "どう", "どんな", "どれ", "どちら"}
)


@lru_cache(maxsize=1024)
def _topic(line: str) -> str:
    """What a Japanese question is about, the words before its は, in hiragana: しゅうまつ in
    「しゅうまつは なにを しますか」; "" when it has no topic."""
    words: list[str] = []
    for token in tokenise(line, "japanese").items:
        if token.kind == FUNCTION and token.surface == "は":
            return hiragana(kana_reading("".join(words))) if words else ""
        words = [*words, token.surface] if token.kind == CONTENT else []
    return ""


def _asks_the_same(scenario: Scenario, beat: Beat, sentence: Tokens, swapped: Swapped) -> bool:
    """The learner asks the partner the beat's own question back, in Japanese: a question word and
    the question's topic, 「しゅうまつ なにを しますか」 when asked 「しゅうまつは なにを しますか」."""
    if scenario.language != "japanese" or not sentence.is_question:
        return False
    if not any(token.keys & _QUESTION_WORDS for token in sentence.items):
        return False
    text = sentence.text
    for put, written in swapped.back.items():
        text = text.replace(put, written)
    said = hiragana(kana_reading(re.sub(r"\s+", "", text)))
    topics = {_topic(line.text) for line in beat.say if tokenise(line.text, "japanese").is_question}
    return any(topic in said for topic in topics - _FORMAL_TOPICS - {""})


def _fact_for(scenario: Scenario, questions: list[Tokens]) -> int | None:
    for index, patterns in enumerate(scenario.asks):
        if any(pattern.match(question) is not None for pattern in patterns for question in questions):
            return index
    return None


def _hint_text(hint: Hint) -> str:
    # Shown inside quotation marks, where Japanese drops the final 。
    text = hint.text.rstrip("。.")
    reading = (hint.reading or "").rstrip("。.")
    return f"{text}（{reading}）" if reading and reading != text else text


def _offer_hint(turn: _Turn, beat: Beat) -> bool:
    for index, hint in enumerate(beat.hints):
        key = f"{beat.id}.hint.{index}"
        if key in turn.state.used:
            continue
        if turn.say(turn.generic("hint", text=_hint_text(hint))):
            turn.state.used.append(key)
            return True
        return False
    return False


_SENTENCES = re.compile(r"[¡¿]?[^.!?。！？]+[.!?。！？]*")


def _plain_question(turn: _Turn, beat: Beat) -> str | None:
    """The beat's question on its own, from its first line the partner can say: おなまえは なんですか。"""
    values = turn.state.slots
    for line in beat.say:
        if line.slots - values.keys():
            continue
        text = PLACEHOLDER.sub(lambda match: values[match.group(1)], line.text)
        last = _SENTENCES.findall(text)[-1].strip()
        return last if tokenise(last, turn.scenario.language).is_question else None
    return None


def _lowered(question: str, slots: dict[str, str]) -> str:
    """The question to follow "By the way, ": its first letter small, unless it starts with a name or "I"."""
    at = len(question) - len(question.lstrip("¡¿"))
    word = re.match(r"[^\W\d_]+", question[at:])
    if word is None or word.group() == "I" or word.group() in slots.values() or not question[at + 1 : at + 2].islower():
        return question
    return question[:at] + question[at].lower() + question[at + 1 :]


def _ask_again(turn: _Turn, beat: Beat) -> bool:
    """The question once more, plainly, after a turn about something else: 「ところで、おなまえは なんですか。」"""
    question = _plain_question(turn, beat)
    if question is None:
        return False
    return turn.say(turn.generic("ask_again", question=question, lowered=_lowered(question, turn.state.slots)))


def _reask(turn: _Turn, beat: Beat, *, stuck: bool = True) -> bool:
    """The current question again, in words not said yet: its other variants, a simpler one, a hint.

    stuck: the learner wrote nothing the partner could use; after a turn about something else the
    question first comes back plainly, and a sample answer only once that was said too.
    """
    return (
        turn.say(turn.pick(f"{beat.id}.say", beat.say))
        or turn.say(turn.pick(f"{beat.id}.rephrase", beat.rephrase))
        or (not stuck and _ask_again(turn, beat))
        or _offer_hint(turn, beat)
    )


def _advance(turn: _Turn) -> None:
    """Ask the next open beat's question; after the last one, invite a question (_question_invite)
    or close the scenario."""
    scenario, state = turn.scenario, turn.state
    while state.beat < len(scenario.beats) and scenario.beats[state.beat].id in state.done:
        state.beat += 1
    if state.beat < len(scenario.beats):
        beat = scenario.beats[state.beat]
        turn.say(turn.pick(f"{beat.id}.say", beat.say)) or _reask(turn, beat)
        return
    if not _question_invite(turn):
        _finish(turn, _closing(turn))


def _closing(turn: _Turn) -> str | None:
    return turn.pick("closing", turn.scenario.script.closing)


def _finish(turn: _Turn, farewell: str | None) -> None:
    """The partner's last words, then that the practice is over."""
    turn.say(farewell)
    turn.say(turn.generic("finished"))
    turn.state.finished = True


_INVITE_QUESTION = "invite_question"


def _question_invite(turn: _Turn) -> bool:
    """Every question answered, but the goal of asking the partner something (`asked_goal`) still
    open: before the closing, the partner invites a question (「わたしに なにか ききたい ことは
    ありますか。」), once: a line said is not picked again."""
    goal, state = turn.scenario.script.asked_goal, turn.state
    if not goal or goal in state.reached or state.asked:
        return False
    return turn.say(turn.generic(_INVITE_QUESTION))


def _question_invited(state: ScenarioState) -> bool:
    """Whether the partner's last words were the invitation to ask it something (_question_invite)."""
    return not state.finished and _line_key(_generic_key(_INVITE_QUESTION), 0) in state.used


def _question_answer(turn: _Turn, sentences: list[Tokens]) -> None:
    """The turn after the invitation: its question answered (「ゆきさんは？」 as the last question asked
    back), then the closing."""
    _, questions = _how_are_you_answered(turn, sentences)
    if questions and not _answer_question(turn, questions, turn.scenario.beats[-1]):
        turn.say(turn.generic("unknown"))
    _finish(turn, _closing(turn))


def _close(turn: _Turn, back: str = "") -> None:
    """The learner said goodbye: the partner says it too (in the scenario's own words on its last
    question, or as the learner said it: おやすみなさい) and the scenario is over."""
    on_last_question = turn.state.beat >= len(turn.scenario.beats) - 1
    _finish(turn, back or (_closing(turn) if on_last_question else turn.generic("goodbye")))


def _goals_update(scenario: Scenario, state: ScenarioState) -> None:
    script = scenario.script
    for goal in script.goals:
        if goal.id in state.reached:
            continue
        beats = [beat.id for beat in script.beats if beat.goal == goal.id]
        by_beats = bool(beats) and all(beat in state.done for beat in beats)
        if by_beats or (state.asked and goal.id == script.asked_goal):
            state.reached.append(goal.id)


def _answer_question(turn: _Turn, questions: list[Tokens], beat: Beat | None, asked_back: bool = False) -> bool:
    """Answer the learner's question from the facts, or with the partner's own answer when asked back
    (`asked_back`: the learner asked the beat's own question, _asks_the_same)."""
    scenario = turn.scenario
    if not questions:
        return False
    fact_index = _fact_for(scenario, questions)
    answered = False
    if fact_index is not None:
        fact = scenario.script.facts[fact_index]
        answered = turn.say(turn.pick(f"fact{fact_index}", fact.answer) or turn.again(f"fact{fact_index}", fact.answer))
        if answered and fact.goal and fact.goal not in turn.state.reached:
            turn.state.reached.append(fact.goal)
    elif beat is not None and beat.answer and (asked_back or any(_is_ask_back(scenario, q) for q in questions)):
        answered = turn.say(turn.pick(f"{beat.id}.answer", beat.answer))
    if answered:
        turn.state.asked = True
    return answered


def _word(turn: _Turn, answer: WordAnswer | None, query: str) -> None:
    if answer is None:
        turn.say(turn.generic("say_word_missing", query=query))
        return
    turn.say(turn.generic_again("say_word", query=query, reading=answer.reading))
    if answer.word != answer.reading:
        turn.say(turn.generic_again("say_word_kanji", word=answer.word))


def _swap(scenario: Scenario, text: str) -> Swapped:
    # Only Japanese is cut at the learner's spaces: elsewhere a space is between words of one value ("café con leche").
    return kana_swap(text, scenario.kana) if scenario.language == "japanese" else Swapped(text=text)


def scenario_reply(
    *,
    scenario: Scenario,
    state: ScenarioState,
    text: str,
    lookup: Callable | None = None,
    avoid: Collection[str] = (),
    targets: Sequence[Target] = (),
) -> Reply:
    """The partner's reply to one learner turn, and the state after it.

    avoid: keys of lines of a reply the learner asked to have written again: other variants come first.
    targets: what a review session steers toward: the partner invites the learner to use each.
    """
    turn = _Turn(scenario, state, avoid)
    state = turn.state
    if not state.used and not state.done and state.beat == 0:
        # The session's opening line asked the first beat's question: asked again, it comes in other words.
        state.used.append(_line_key(f"{scenario.beats[0].id}.say", 0))
    before = set(state.reached)
    swapped = _swap(scenario, text)
    sentences = list(tokenise(swapped.text, scenario.language).sentences)
    current = scenario_beat(scenario=scenario, state=state)

    if (query := say_query(text, scenario.language)) is not None:
        answer = word_answer(query, lookup=lookup) if lookup else None
        _word(turn, answer, query)
        # A sentence the dictionary has no entry for ("How do you say 'I am from England'?") is most
        # likely an answer to the question: a sample answer, rather than the question again.
        sentence = answer is None and len(query.split()) >= _SENTENCE_WORDS
        if current is not None and not (sentence and _offer_hint(turn, current)):
            _reask(turn, current)
    elif current is None and _question_invited(state):
        _question_answer(turn, sentences)
    elif current is None:
        _after(turn, sentences)
    else:
        _converse(turn, current, sentences, swapped, targets)
    _goals_update(scenario, state)
    if not turn.parts:
        turn.say(turn.generic_again("after") if state.finished else turn.generic_again("move_on"))
    return Reply(
        text=turn.text,
        lines=list(turn.parts),
        state=state,
        reached=[goal for goal in state.reached if goal not in before],
        finished=state.finished,
    )


def _socials(turn: _Turn, sentences: list[Tokens], free: Iterable[int]) -> dict[int, tuple[str, str]]:
    scenario = turn.scenario
    started = bool(turn.state.said or turn.state.done)
    found = {}
    for at in free:
        if kind := social_kind(sentences[at].text, scenario.language, scenario.persona_names, started=started):
            found[at] = kind
    return found


def _welcome(turn: _Turn) -> str | None:
    """The reply to a thank-you: the script's own (staff thank the customer back) or "you're welcome"."""
    if lines := turn.scenario.script.thanks:
        return turn.pick("thanks", lines) or turn.again("thanks", lines)
    return turn.generic_again("welcome")


def _how_are_you_answered(turn: _Turn, sentences: list[Tokens]) -> tuple[dict[str, str], list[Tokens]]:
    """The social phrases of a turn by kind (with the partner's reply to each), "how are you?"
    answered; and the turn's other questions."""
    socials = _socials(turn, sentences, range(len(sentences)))
    kinds = {kind: back for kind, back in socials.values()}
    turn.say(kinds.get(HOW_ARE_YOU))
    return kinds, [sentence for at, sentence in enumerate(sentences) if sentence.is_question and at not in socials]


def _after(turn: _Turn, sentences: list[Tokens]) -> None:
    """After the closing: a short natural reply, never the scenario again."""
    kinds, questions = _how_are_you_answered(turn, sentences)
    if THANKS in kinds:
        turn.say(_welcome(turn))
    answered = _answer_question(turn, questions, None) or HOW_ARE_YOU in kinds
    if FAREWELL in kinds or GREETING in kinds or not answered:
        turn.say(turn.generic_again("again" if kinds else "after"))


def _converse(turn: _Turn, current: Beat, sentences: list[Tokens], swapped: Swapped, targets: Sequence[Target]):
    scenario, state = turn.scenario, turn.state
    every_social = _socials(turn, sentences, range(len(sentences)))
    # "How are you?" is only that: 「元気ですか」 is no name.
    about = [at for at in range(len(sentences)) if every_social.get(at, ("",))[0] != HOW_ARE_YOU]
    statements = [at for at in about if not sentences[at].is_question or _is_ask_back(scenario, sentences[at])]
    questions = [at for at in about if sentences[at].is_question]
    # The current question asked back is for the partner to answer (_answer_question), never an answer.
    asked_back = {at for at in questions if _asks_the_same(scenario, current, sentences[at], swapped)}
    statements = [at for at in statements if at not in asked_back]
    facts = {at: _fact_for(scenario, [sentences[at]]) for at in questions}
    used: set[int] = set()
    heard: list[tuple[Beat, dict[str, str]]] = []

    def _asks(beat: Beat) -> bool:
        return beat.id in scenario.asking

    def _named_ahead(at: int) -> bool:
        # The sentence names the thing of a question still to come: 「ふくろは いりません」 is about the bag.
        return any(
            _listen(scenario, beat, [(at, sentences[at])], swapped, only=lambda i, beat=beat: _names(beat, i))
            for beat in scenario.beats[state.beat + 1 :]
            if beat.id not in state.done
        )

    def _completes(beat: Beat) -> bool:
        others = [b.id for b in scenario.beats if b.goal == beat.goal and b is not beat]
        return bool(others) and all(b in state.done for b in others)

    def _names_nothing(beat: Beat, index: int) -> bool:
        return not scenario.listen[beat.id][index].slots

    def _names(beat: Beat, index: int) -> bool:
        return scenario.strong[beat.id][index] and not scenario.listen[beat.id][index].slots

    def _listen_current(beat: Beat) -> tuple[dict[str, str], int] | None:
        # The beat's patterns in order; one that is not made of the beat's own nouns only in a sentence
        # that names no later question's thing (「ふくろは いりません」 is no answer to "shall I heat it?",
        # 「ふたりです」 no name). Where the learner's part is to ask, a question a fact also answers counts
        # when it names the beat's own thing ("バス乗り場はどこですか"); "ここは どこですか" is the fact's.
        strong = scenario.strong[beat.id]
        candidates = pool(asking=False)
        unnamed = [(at, s) for at, s in candidates if not _named_ahead(at)]
        for index in range(len(scenario.listen[beat.id])):
            sentences_here = candidates if _names(beat, index) else unnamed
            if found := _listen(scenario, beat, sentences_here, swapped, only=lambda i, index=index: i == index):
                return found
        if _asks(beat):
            return _listen(scenario, beat, pool(asking=True), swapped, only=lambda i: strong[i])
        return None

    def _bare(beat: Beat) -> tuple[dict[str, str], int] | None:
        # 「アレックス」, 「わたしは アレックス。」: a Japanese answer that ends on a name, read as if
        # it ended in です, for the beat's capturing patterns; never a later question's thing.
        if scenario.language != "japanese":
            return None
        captures = scenario.listen[beat.id]
        for at, sentence in pool(asking=False):
            words = [token for token in sentence.items if token.kind != PUNCT]
            if sentence.is_question or not words or not _name_like(words[-1]):
                continue
            if _named_ahead(at):
                continue
            said = tokenise(sentence.text.rstrip("。.！!") + "です", scenario.language)
            if found := _listen(scenario, beat, [(at, said)], swapped, only=lambda i: bool(captures[i].slots)):
                return found
        return None

    def pool(*, asking: bool) -> Pool:
        # A question no fact answers may answer a beat ("いくらですか" at a counter, "¿Me pones un té?");
        # where the learner's part is to ask, any question may.
        ats = statements + [
            at for at in questions if at not in statements and (asking or (facts[at] is None and at not in asked_back))
        ]
        return [(at, sentences[at]) for at in sorted(ats) if at not in used]

    if practice := _practice(turn, sentences, targets):
        # The learner was asked to use a word: the answer is about that, not the script's question.
        used |= set(range(len(sentences)))
    elif current.id not in state.done and (found := _listen_current(current) or _bare(current)):
        heard.append((current, found[0]))
        used.add(found[1])
    # Beats further on that the turn answers already: "カナダから来ました" before being asked. A beat
    # named by its own words (お茶 for the drink) comes before one whose pattern only captures.
    ahead = [beat for beat in scenario.beats[state.beat + 1 :] if beat.id not in state.done]
    for strong_only in (True, False):
        for beat in ahead:
            if beat in [b for b, _ in heard]:
                continue
            if found := _listen_ahead(scenario, beat, pool(asking=False), swapped, strong_only=strong_only):
                heard.append((beat, found[0]))
                used.add(found[1])
    # A thank-you or a goodbye said before its beat does the beat that listens for exactly that, when it
    # completes a goal begun: 「ありがとう」 after the price the learner asked ahead of its question.
    for at, (kind, _) in every_social.items():
        if kind not in (THANKS, FAREWELL) or at in used:
            continue
        for beat in ahead:
            if beat in [b for b, _ in heard] or not _completes(beat):
                continue
            if _listen(
                scenario, beat, [(at, sentences[at])], swapped, only=lambda i, beat=beat: _names_nothing(beat, i)
            ):
                if kind == FAREWELL:
                    # The goodbye still closes the scenario, in the partner's goodbye words.
                    state.done.append(beat.id)
                else:
                    heard.append((beat, {}))
                    used.add(at)
                break
    heard.sort(key=lambda item: scenario.beats.index(item[0]))
    # A question a fact answers also does the beat whose part is to ask it, now or further on: the
    # learner asked where something is, or how much it costs.
    already = set(state.done)
    for at in questions:
        if facts[at] is None or at in used:
            continue
        for beat in scenario.beats[state.beat :]:
            if not _asks(beat) or beat.id in state.done or beat in [b for b, _ in heard]:
                continue
            if _listen(scenario, beat, [(at, sentences[at])], swapped):
                state.done.append(beat.id)
                break

    socials = {at: kind for at, kind in every_social.items() if at not in used}
    kinds = {kind: back for kind, back in socials.values()}
    if GREETING in kinds and (state.greeted or heard):
        # Greeted once, "Hi" again is no news; with an answer ("Buenos días. Un café..."), the reaction greets.
        state.greeted = True
        kinds.pop(GREETING)
    greeted_at = len(turn.parts) if turn.say(kinds.get(GREETING)) else None
    state.greeted = state.greeted or GREETING in kinds
    if turn.say(kinds.get(HOW_ARE_YOU)):
        # "I'm fine, thanks!" then the question, without its own "Hello there!"
        greeted_at = len(turn.parts)
    if THANKS in kinds:
        turn.say(_welcome(turn))
    turn.say(practice)
    answered_beat = None
    for beat, captured in heard:
        state.slots.update(captured)
        state.done.append(beat.id)
        # A reaction names what was said in this turn, not an older answer to the same beat.
        turn.say(turn.pick(f"{beat.id}.react", beat.react, unknown=beat.captures, **captured))
        answered_beat = answered_beat or beat
    # A request no beat took is asked of the facts too: 「メニューを ください」 gets the menu.
    requests = [at for at in statements if _REQUEST.search(sentences[at].text) and at not in questions]
    asking_at = [
        at
        for at in sorted(questions + [at for at in requests if _fact_for(scenario, [sentences[at]]) is not None])
        if at not in used and at not in socials
    ]
    asks = [sentences[at] for at in asking_at]
    asked = _answer_question(
        turn, asks, answered_beat or current, asked_back=not answered_beat and bool(asked_back & set(asking_at))
    )
    if FAREWELL in kinds:
        _close(turn, kinds[FAREWELL])
    elif practice:
        _advance(turn) if current.id in state.done else _reask(turn, current)
    elif current.id in state.done and current.id not in already:
        state.misses = 0
        _invite_or_advance(turn, targets)
    elif heard or asked or kinds:
        state.misses = 0
        if current.id in state.done:
            _advance(turn)
        elif not _reask(turn, current, stuck=False):
            # Everything about this question has been said: on to the next one, after the reaction.
            _move_on(turn, targets, quietly=True)
    else:
        state.misses += 1
        if asks:
            turn.say(turn.generic("unknown"))
        if state.misses == 1 and (
            turn.say(turn.pick(f"{current.id}.rephrase", current.rephrase)) or _reask(turn, current)
        ):
            return
        if state.misses == 2 and (_offer_hint(turn, current) or _reask(turn, current)):
            return
        # Never a loop: after a rephrasing and a hint (or with none left), the partner moves on without the goal.
        _move_on(turn, targets)
    if greeted_at is not None and len(turn.parts) > greeted_at:
        # "こんにちは！" then the question, without the question's own "こんにちは。"
        turn.parts[greeted_at] = _without_greeting(scenario, turn.parts[greeted_at])


def _move_on(turn: _Turn, targets: Sequence[Target], *, quietly: bool = False) -> None:
    """On to the next question without the current beat's goal."""
    turn.state.misses = 0
    turn.state.beat += 1
    if turn.state.beat < len(turn.scenario.beats) and not quietly:
        turn.say(turn.generic("move_on"))
    _invite_or_advance(turn, targets)


_FIRST_SENTENCE = re.compile(r"^\s*(?:[¡¿]?[^.!?。！？]*[.!?。！？]+)\s*")


def _without_greeting(scenario: Scenario, line: str) -> str:
    first = _FIRST_SENTENCE.match(line)
    if first is None or first.end() == len(line):
        return line
    kind = social_kind(first.group(), scenario.language, scenario.persona_names)
    return line[first.end() :] if kind and kind[0] == GREETING else line


def _flat(text: str) -> str:
    return re.sub(r"[\s\W_〜～]+", "", unicodedata.normalize("NFKC", text).lower())


def _uses(text: str, target: Target, language: str) -> bool:
    """The learner's turn has the target in it, as written or, in Japanese, as read (がくせい for 学生)."""
    bare = _flat(target.text)
    if not bare:
        return False
    if language != "japanese":
        return re.search(rf"(?<!\w){re.escape(target.text.strip().lower())}(?!\w)", text.lower()) is not None
    return bare in _flat(text) or hiragana(kana_reading(bare)) in hiragana(kana_reading(_flat(text)))


def _practice(turn: _Turn, sentences: list[Tokens], targets: Sequence[Target]) -> str | None:
    """The learner's answer to the partner's invitation to use a target: praise when they used it."""
    state = turn.state
    text = " ".join(sentence.text for sentence in sentences)
    for target in targets:
        if target.text not in state.practised and _uses(text, target, turn.scenario.language):
            state.practised.append(target.text)
    pending, state.pending = state.pending, ""
    if not pending:
        return None
    if pending in state.practised:
        return turn.generic_again("praise_target", target=pending)
    return turn.generic_again("target_later", target=pending)


def _invite_or_advance(turn: _Turn, targets: Sequence[Target]) -> None:
    """In a review session, ask the learner to use the next target before the script's next question."""
    state = turn.state
    for target in targets:
        if target.text in state.invited or target.text in state.practised:
            continue
        kind = "invite_mistake" if target.kind == "mistake" else "invite"
        if turn.say(turn.generic_again(kind, target=target.text)):
            state.invited.append(target.text)
            state.pending = target.text
            return
    _advance(turn)


def scenario_goals_apply(*, scenario: Scenario, state: ScenarioState, goal_ids: Iterable[str]) -> ScenarioState:
    """Count goals another judge (the LLM's turn analysis) saw the learner reach, and move past their beats."""
    state = ScenarioState.from_dict(state.as_dict())
    wanted = set(goal_ids) & {goal.id for goal in scenario.script.goals}
    for beat in scenario.beats:
        if beat.goal in wanted and beat.id not in state.done:
            state.done.append(beat.id)
    for goal in scenario.script.goals:
        if goal.id in wanted and goal.id not in state.reached:
            state.reached.append(goal.id)
    while state.beat < len(scenario.beats) and scenario.beats[state.beat].id in state.done:
        state.beat += 1
    _goals_update(scenario, state)
    return state


def scenario_hints(*, scenario: Scenario, state: ScenarioState) -> list[dict]:
    """The current beat's suggested replies, [] once the scenario is over."""
    if state.finished or state.beat >= len(scenario.beats):
        return []
    return [hint.model_dump(exclude_none=True) for hint in scenario.beats[state.beat].hints]


def scenario_goals(*, scenario: Scenario, state: ScenarioState) -> list[dict]:
    """Every goal with whether it is reached, in the script's order."""
    return [{"id": goal.id, "text": goal.text, "reached": goal.id in state.reached} for goal in scenario.script.goals]


def scenario_beat(*, scenario: Scenario, state: ScenarioState) -> Beat | None:
    """The beat the partner is on, None once the scenario is over."""
    if state.finished or state.beat >= len(scenario.beats):
        return None
    return scenario.beats[state.beat]
