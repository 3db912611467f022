"""The offline partner's scenario engine: a learner turn and the session's state in, a reply and the new state out.

Pure logic over a template's script (templates.schema.Script) and tokenised turns: no database,
no network, a few milliseconds a turn. The session keeps the state (ScenarioState.as_dict) between
turns; see docs/templates.md for how a session runs.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from conversations.scenarios.phrases import PHRASES
from conversations.scenarios.words import WordAnswer, say_query, word_answer
from language.tokens import PUNCT, Pattern, Tokens, hiragana, pattern_compile, tokenise
from templates.schema import PLACEHOLDER, Beat, Hint, Line, Script

_ASK_BACK = {
    "english": re.compile(r"\b(?:and|what about|how about) you\b|^\W*you\W*$", re.I),
    "spanish": re.compile(r"(?:^|\W)y (?:tú|tu|usted|vos)\b", re.I),
    "french": re.compile(r"\bet (?:toi|vous)\b", re.I),
    "german": re.compile(r"\bund (?:du|sie|dir|ihnen)\b", re.I),
    "italian": re.compile(r"\be (?:tu|lei|te)\b", re.I),
    "portuguese": re.compile(r"\be (?:você|voce|tu)\b", re.I),
}


@dataclass
class ScenarioState:
    """Where a session is in its script; stored on the session as a JSON object."""

    beat: int = 0  # index of the beat the partner is on
    slots: dict[str, str] = field(default_factory=dict)  # what the learner told: name, place, drink...
    used: list[str] = field(default_factory=list)  # keys of the lines already said
    done: list[str] = field(default_factory=list)  # beats the learner answered
    reached: list[str] = field(default_factory=list)  # goal ids, in the order reached
    asked: bool = False  # the learner asked something the partner answered
    misses: int = 0  # turns in a row that did not fit the current beat
    finished: bool = False

    def as_dict(self) -> dict:
        return {
            "beat": self.beat,
            "slots": dict(self.slots),
            "used": list(self.used),
            "done": list(self.done),
            "reached": list(self.reached),
            "asked": self.asked,
            "misses": self.misses,
            "finished": self.finished,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> "ScenarioState":
        data = data or {}
        return cls(
            beat=int(data.get("beat", 0)),
            slots=dict(data.get("slots", {})),
            used=list(data.get("used", [])),
            done=list(data.get("done", [])),
            reached=list(data.get("reached", [])),
            asked=bool(data.get("asked", False)),
            misses=int(data.get("misses", 0)),
            finished=bool(data.get("finished", False)),
        )


@dataclass(frozen=True)
class Scenario:
    """A script ready to run: its patterns compiled once, the persona's names known."""

    script: Script
    language: str
    persona_names: frozenset[str]  # spellings of the partner's own name: never taken as the learner's
    listen: dict[str, tuple[Pattern, ...]]
    asks: tuple[tuple[Pattern, ...], ...]

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


def scenario_build(*, script: Script, language: str, persona_name: str) -> Scenario:
    """Compile a validated script for the engine."""
    return Scenario(
        script=script,
        language=language,
        persona_names=_persona_names(persona_name, language),
        listen={beat.id: tuple(pattern_compile(p, language) for p in beat.listen) for beat in script.beats},
        asks=tuple(tuple(pattern_compile(p, language) for p in fact.ask) for fact in script.facts),
    )


class _Turn:
    """One reply being put together: the lines chosen, the keys they use, the state they change."""

    def __init__(self, scenario: Scenario, state: ScenarioState):
        self.scenario = scenario
        self.state = ScenarioState.from_dict(state.as_dict())
        self.parts: list[str] = []

    def phrases(self, kind: str) -> tuple[str, ...]:
        return PHRASES.get(self.scenario.language, PHRASES["english"])[kind]

    def pick(self, key: str, lines: Iterable[Line], unknown: Iterable[str] = (), **extra: str) -> str | None:
        """The first variant not said yet whose slots are known, rendered; None when there is none."""
        values = {name: value for name, value in self.state.slots.items() if name not in unknown} | extra
        for index, line in enumerate(lines):
            line_key = f"{key}.{index}"
            if line_key in self.state.used or line.slots - values.keys():
                continue
            self.state.used.append(line_key)
            return PLACEHOLDER.sub(lambda match: values[match.group(1)], line.text)
        return None

    def generic(self, kind: str, **values: str) -> str | None:
        return self.pick(f"g.{kind}", (Line(text=text) for text in self.phrases(kind)), **values)

    def say(self, text: str | None) -> bool:
        if text:
            self.parts.append(text)
        return bool(text)

    @property
    def text(self) -> str:
        return self.scenario.joiner.join(self.parts)


def _name_is_persona(scenario: Scenario, value: str) -> bool:
    return any(hiragana(word) in scenario.persona_names for word in re.findall(r"[^\W\d_]+", value) or [value])


def _listen(
    scenario: Scenario, beat: Beat, sentences: list[Tokens], *, with_slot: bool = False
) -> tuple[dict[str, str], Tokens] | None:
    """The slots of the first pattern that fits one of the sentences, and that sentence; None when none fits.

    with_slot: only patterns that capture something count (a later beat needs clear evidence).
    """
    for pattern in scenario.listen[beat.id]:
        if with_slot and not pattern.slots:
            continue
        for sentence in sentences:
            captured = pattern.match(sentence)
            if captured is None:
                continue
            # "ゆきさんは？" is the learner asking back, not the learner being called Yuki.
            if "name" in captured and _name_is_persona(scenario, captured["name"]):
                continue
            return captured, sentence
    return None


def _is_ask_back(scenario: Scenario, sentence: Tokens) -> bool:
    if scenario.language == "japanese":
        words = [token for token in sentence.items if token.kind != PUNCT]
        if any("あなた" in token.keys for token in words):
            return True
        return bool(words) and words[-1].surface == "は"
    pattern = _ASK_BACK.get(scenario.language)
    return bool(pattern and pattern.search(sentence.text))


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


def _reask(turn: _Turn, beat: Beat) -> bool:
    """The current question again, in words not said yet: its other variants, a simpler one, a hint."""
    return (
        turn.say(turn.pick(f"{beat.id}.say", beat.say))
        or turn.say(turn.pick(f"{beat.id}.rephrase", beat.rephrase))
        or _offer_hint(turn, beat)
    )


def _advance(turn: _Turn) -> None:
    """Ask the next open beat's question, or close the scenario after the last one."""
    scenario, state = turn.scenario, turn.state
    while state.beat < len(scenario.beats) and scenario.beats[state.beat].id in state.done:
        state.beat += 1
    if state.beat < len(scenario.beats):
        beat = scenario.beats[state.beat]
        turn.say(turn.pick(f"{beat.id}.say", beat.say))
        return
    turn.say(turn.pick("closing", scenario.script.closing))
    turn.say(turn.generic("finished"))
    state.finished = True


def _goals_update(scenario: Scenario, state: ScenarioState) -> None:
    script = scenario.script
    for goal in script.goals:
        if goal.id in state.reached:
            continue
        beats = [beat.id for beat in script.beats if beat.goal == goal.id]
        by_beats = bool(beats) and all(beat in state.done for beat in beats)
        if by_beats or (state.asked and goal.id == script.asked_goal):
            state.reached.append(goal.id)


def _answer_question(turn: _Turn, questions: list[Tokens], beat: Beat | None) -> bool:
    """Answer the learner's question from the facts, or with the partner's own answer when asked back."""
    scenario = turn.scenario
    if not questions:
        return False
    fact_index = _fact_for(scenario, questions)
    answered = False
    if fact_index is not None:
        fact = scenario.script.facts[fact_index]
        answered = turn.say(turn.pick(f"fact{fact_index}", fact.answer))
        if answered and fact.goal and fact.goal not in turn.state.reached:
            turn.state.reached.append(fact.goal)
    elif beat is not None and beat.answer and any(_is_ask_back(scenario, q) for q in questions):
        answered = turn.say(turn.pick(f"{beat.id}.answer", beat.answer))
    if answered:
        turn.state.asked = True
    return answered


def _word(turn: _Turn, answer: WordAnswer | None, query: str) -> None:
    if answer is None:
        turn.say(turn.generic("say_word_missing", query=query))
        return
    turn.say(turn.generic("say_word", query=query, reading=answer.reading))
    if answer.word != answer.reading:
        turn.say(turn.generic("say_word_kanji", word=answer.word))


def scenario_reply(*, scenario: Scenario, state: ScenarioState, text: str, lookup: Callable | None = None) -> Reply:
    """The partner's reply to one learner turn, and the state after it."""
    turn = _Turn(scenario, state)
    state = turn.state
    before = set(state.reached)
    tokens = tokenise(text, scenario.language)
    sentences = list(tokens.sentences)
    questions = [s for s in sentences if s.is_question]
    current = scenario.beats[state.beat] if not state.finished and state.beat < len(scenario.beats) else None

    if (query := say_query(text, scenario.language)) is not None:
        _word(turn, word_answer(query, lookup=lookup) if lookup else None, query)
        if current is not None:
            _reask(turn, current)
    elif current is None:
        if not _answer_question(turn, questions, None):
            turn.say(turn.generic("after"))
    else:
        statements = [s for s in sentences if not s.is_question or _is_ask_back(scenario, s)]
        # In a shop or at a counter the learner's part is to ask ("いくらですか"): a question no fact
        # answers may answer the current beat, whose reaction then gives the answer.
        unanswered = [q for q in questions if q not in statements and _fact_for(scenario, [q]) is None]
        answered_beat = None
        index = state.beat
        # The current beat, then later ones the same turn also answers ("アイコです。カナダから来ました。").
        while index < len(scenario.beats):
            beat = scenario.beats[index]
            later = index > state.beat
            heard = _listen(scenario, beat, statements, with_slot=later) if beat.id not in state.done else None
            if heard is None and not later and unanswered and (heard := _listen(scenario, beat, unanswered)):
                questions.remove(heard[1])
                statements.append(heard[1])
            if heard is None:
                if index == state.beat:
                    break
                index += 1
                continue
            captured, sentence = heard
            # A sentence answers one beat: "アイコです" is a name, not also a job.
            statements.remove(sentence)
            state.slots.update(captured)
            state.done.append(beat.id)
            # A reaction names what was said in this turn, not an older answer to the same beat.
            turn.say(turn.pick(f"{beat.id}.react", beat.react, unknown=beat.captures, **captured))
            answered_beat = beat
            index += 1
        asked = _answer_question(turn, questions, answered_beat or current)
        if answered_beat is not None:
            state.misses = 0
            _advance(turn)
        elif asked:
            _reask(turn, current)
        else:
            state.misses += 1
            if questions:
                turn.say(turn.generic("unknown"))
            if state.misses == 1:
                turn.say(turn.pick(f"{current.id}.rephrase", current.rephrase)) or _reask(turn, current)
            elif state.misses == 2:
                _offer_hint(turn, current) or _reask(turn, current)
            else:
                # Never a loop: after a rephrasing and a hint, the partner moves on without the goal.
                state.misses = 0
                turn.say(turn.generic("move_on"))
                state.beat += 1
                _advance(turn)
    _goals_update(scenario, state)
    if not turn.parts:
        turn.say(turn.generic("after") if state.finished else turn.generic("move_on")) or _echo(turn, text)
    return Reply(
        text=turn.text,
        lines=list(turn.parts),
        state=state,
        reached=[goal for goal in state.reached if goal not in before],
        finished=state.finished,
    )


def _echo(turn: _Turn, text: str) -> None:
    # Every other line is said: acknowledge the learner's own words, which differ turn to turn.
    words = " ".join(text.split())[:30]
    key = f"echo.{words}"
    if words and key not in turn.state.used:
        turn.state.used.append(key)
        turn.say(turn.phrases("echo")[0].format(text=words))


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
