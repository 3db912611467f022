"""A practice session's scenario: which script it follows, its state, the turn that advances it.

The script of a session is its template's, or for a free-form session the small-talk script of its
language (docs/templates.md). Parsed scripts are cached per template version, so a turn costs the
tagging of one learner turn and a few pattern matches.
"""

from collections import OrderedDict
from collections.abc import Callable

from django.core.cache import cache
from pydantic import ValidationError

from ai.types import ScenarioBrief
from conversations.models import PracticeSession, SessionMode
from partner.scenarios.engine import (
    Reply,
    Scenario,
    ScenarioState,
    Target,
    scenario_beat,
    scenario_build,
    scenario_goals,
    scenario_goals_apply,
    scenario_hints,
    scenario_reply,
)
from partner.scenarios.phrases import SPOKEN
from templates.models import ConversationTemplate, Level
from templates.schema import Script
from templates.selectors import template_list

SMALL_TALK = "small-talk"
SMALL_TALK_CACHE_SECONDS = 60
_CACHE_SIZE = 256
_scenarios: OrderedDict[tuple, Scenario | None] = OrderedDict()


def scenario_of(*, template: ConversationTemplate) -> Scenario | None:
    """The template's script compiled for the engine, None when it has none. Cached per template version."""
    key = (template.id, template.source_hash, template.updated_at)
    if key in _scenarios:
        _scenarios.move_to_end(key)
        return _scenarios[key]
    scenario = None
    if template.script:
        try:
            script = Script.model_validate(template.script, context={"language": template.language})
        except ValidationError:
            script = None
        if script is not None:
            persona = str((template.persona or {}).get("name") or "")
            scenario = scenario_build(script=script, language=template.language, persona_name=persona)
    _scenarios[key] = scenario
    if len(_scenarios) > _CACHE_SIZE:
        _scenarios.popitem(last=False)
    return scenario


def small_talk_template(*, language: str, level: str) -> ConversationTemplate | None:
    """The language's small-talk script: at the level if there is one, else the nearest level.

    Cached a minute: every free-form session of a language asks for the same row.
    """
    key = f"small-talk:{language}:{level}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    found = {t.level: t for t in template_list(language=language).filter(slug=SMALL_TALK).exclude(script={})}
    levels = list(Level.values)
    here = levels.index(level) if level in levels else 0
    nearest = sorted(found, key=lambda other: abs(levels.index(other) - here))
    template = found[nearest[0]] if nearest else None
    cache.set(key, template or "", SMALL_TALK_CACHE_SECONDS)
    return template


def partner_languages() -> list[str]:
    """The languages the offline partner converses in: a small-talk script and its own words for them."""
    scripted = template_list().filter(slug=SMALL_TALK).exclude(script={}).values_list("language", flat=True)
    return sorted(set(scripted) & SPOKEN)


def scenario_template(*, session: PracticeSession) -> ConversationTemplate | None:
    """The template whose script the session follows, None for interview sessions and unscripted ones."""
    if session.mode != SessionMode.LANGUAGE:
        return None
    if session.template_id is not None:
        return session.template if session.template.script else None
    return small_talk_template(language=session.language, level=session.level)


def scenario_and_state(*, session: PracticeSession) -> tuple[Scenario | None, ScenarioState]:
    """The session's compiled script (None when it follows none) and where it is in it."""
    template = scenario_template(session=session)
    scenario = scenario_of(template=template) if template else None
    return scenario, ScenarioState.from_dict(session.scenario)


def _lookup_for(language: str) -> Callable | None:
    if language != "japanese":
        return None
    # Imported on the first Japanese look-up: the dictionary opens its database on first use.
    from language.japanese.dictionary import lookup

    return lookup


def scenario_turn(*, session: PracticeSession, text: str, seq: int, save: bool = True) -> tuple[Scenario, Reply] | None:
    """Run the learner's turn `seq` through the session's script and save the new state; None without a script.

    Idempotent per turn: a reply generated again (a retry after an outage) gets the same line and
    leaves the state as the first run left it. `save=False` only sets `session.scenario`, for a
    caller that saves it with its own update of the session (turn_submit).
    """
    scenario, state = scenario_and_state(session=session)
    if scenario is None:
        return None
    stored = session.scenario or {}
    if stored.get("seq") == seq and "line" in stored:
        return scenario, Reply(text=stored["line"], lines=[], state=state, reached=[], finished=state.finished)
    avoid = list(stored.get("avoid", [])) if stored.get("seq") == seq else []
    reply = scenario_reply(
        scenario=scenario,
        state=state,
        text=text,
        lookup=_lookup_for(scenario.language),
        avoid=avoid,
        targets=_targets(session),
    )
    session.scenario = {
        **reply.state.as_dict(),
        "seq": seq,
        "line": reply.text,
        "before": state.as_dict(),
        "avoid": avoid,
    }
    if save:
        PracticeSession.objects.filter(id=session.id).update(scenario=session.scenario)
    return scenario, reply


def _targets(session: PracticeSession) -> list[Target]:
    # A review session's due words and corrected phrases; a kind of mistake is no phrase to say.
    return [
        Target(text=str(target["text"]), kind=str(target.get("kind") or "vocabulary"))
        for target in session.targets or []
        if target.get("kind") in ("vocabulary", "mistake") and str(target.get("text") or "").strip()
    ]


def scenario_turn_regenerate(*, session: PracticeSession, seq: int) -> None:
    """The reply to turn `seq` is written again: the scenario goes back to before the turn, and the lines
    of the replaced reply (and of any replaced before it) are said only when nothing else fits."""
    stored = PracticeSession.objects.filter(id=session.id).values_list("scenario", flat=True).first() or {}
    if stored.get("seq") != seq or "before" not in stored:
        return
    said = set(stored.get("used", [])) - set(stored["before"].get("used", []))
    avoid = sorted(set(stored.get("avoid", [])) | said)
    session.scenario = {**stored["before"], "seq": seq, "before": stored["before"], "avoid": avoid}
    PracticeSession.objects.filter(id=session.id).update(scenario=session.scenario)


def scenario_turn_undo(*, session: PracticeSession, seq: int) -> None:
    """The learner replaced turn `seq`: the scenario goes back to where it was before that turn."""
    stored = PracticeSession.objects.filter(id=session.id).values_list("scenario", flat=True).first() or {}
    if stored.get("seq") == seq and "before" in stored:
        session.scenario = stored["before"]
        PracticeSession.objects.filter(id=session.id).update(scenario=session.scenario)


def scenario_brief(*, scenario: Scenario, reply: Reply) -> ScenarioBrief:
    """What the prompt is told about the scenario after this turn, and the offline partner's line."""
    facts = [_english(line) for fact in scenario.script.facts for line in fact.answer[:1]]
    beat = scenario_beat(scenario=scenario, state=reply.state)
    goals = scenario_goals(scenario=scenario, state=reply.state)
    return ScenarioBrief(
        facts=facts,
        current=_english(next(line for line in beat.say if not line.slots)) if beat else "",
        goals_open=[goal["text"] for goal in goals if not goal["reached"]],
        finished=reply.finished,
        line=reply.text,
    )


def _english(line) -> str:
    return f"{line.text} ({line.translation})" if line.translation else line.text


def scenario_goals_open(*, session: PracticeSession) -> list[dict]:
    """The goals of the session's scenario not reached yet, as {id, text}, for the turn analysis."""
    return [
        {"id": goal["id"], "text": goal["text"]}
        for goal in session_scenario_view(session=session)["goals"]
        if not goal["reached"]
    ]


def scenario_goals_reached(*, session: PracticeSession, goal_ids: list[str]) -> None:
    """Count goals the LLM's turn analysis saw the learner reach; unknown ids mean the analysis is ignored."""
    session.refresh_from_db(fields=["scenario"])
    scenario, state = scenario_and_state(session=session)
    if scenario is None or not goal_ids:
        return
    known = {goal.id for goal in scenario.script.goals}
    if not set(goal_ids) <= known:
        return
    state = scenario_goals_apply(scenario=scenario, state=state, goal_ids=goal_ids)
    session.scenario = {**(session.scenario or {}), **state.as_dict()}
    PracticeSession.objects.filter(id=session.id).update(scenario=session.scenario)


def session_scenario_view(*, session: PracticeSession) -> dict:
    """{"goals": [{id, text, reached}], "finished"}: empty goals when the session follows no script."""
    scenario, state = scenario_and_state(session=session)
    if scenario is None:
        return {"goals": [], "finished": False}
    return {"goals": scenario_goals(scenario=scenario, state=state), "finished": state.finished}


def session_hint_list(*, session: PracticeSession) -> list[dict]:
    """2 or 3 replies that fit where the session is in its scenario; [] without a script or after its end."""
    scenario, state = scenario_and_state(session=session)
    return scenario_hints(scenario=scenario, state=state) if scenario else []
