"""Rules about particles: は/を/が, に/で, の, and に after relative time words."""

from collections.abc import Iterator

from .finding import Hit
from .lexicon import (
    ACTIONS,
    EVENTS,
    GA_PREDICATES,
    HOMES,
    KANA_VERBS,
    NA_ADJECTIVES,
    NI_VERBS,
    PEOPLE,
    PLACE_SUFFIXES,
    PLACES,
    POSSESSIVE_PRONOUNS,
    RELATIVE_TIMES,
    TOPIC_PRONOUNS,
    TRANSITIVE,
)
from .text import Sentence, Token


def _predicate(tokens: tuple[Token, ...], after: int) -> tuple[int, str, str] | None:
    """The first predicate after a particle: (index, lemma, kind), kind being verb, adj, na or copula."""
    for j in range(after + 1, len(tokens)):
        t = tokens[j]
        if t.is_verb:
            previous = tokens[j - 1]
            if t.lemma == "為る" and previous.is_noun and j - 1 > after:
                return j, previous.lemma, "verb"
            return j, KANA_VERBS.get(t.base, t.lemma), "verb"
        if t.pos1 == "形容詞":
            return j, t.lemma, "adj"
        if t.pos1 == "形状詞" or (t.is_noun and t.lemma in NA_ADJECTIVES | GA_PREDICATES):
            return j, t.lemma, "na"
        if t.is_aux("です", "だ"):
            return j, t.lemma, "copula"
        if t.pos1 in ("感動詞", "接続詞", "助動詞") or t.is_particle() and t.pos2 == "接続助詞":
            return None
    return None


def _noun_like(prev: Token, t: Token) -> bool:
    """A noun, or a suffix the learner separated with a space (かのじょ ほん is read as 彼女 + 本 suffix)."""
    return t.is_noun or (t.pos1 == "接尾辞" and t.pos2 == "名詞的" and t.start > prev.end)


def _is_person(token: Token) -> bool:
    return token.pos1 == "代名詞" or token.lemma in PEOPLE or token.surface in PEOPLE or token.pos3 == "人名"


def _noun_before(toks: tuple[Token, ...], i: int) -> str:
    """The compound noun ending just before token i (図書 + 館)."""
    j = i
    while j > 0 and (toks[j - 1].is_noun or toks[j - 1].pos1 in ("接尾辞", "接頭辞")):
        j -= 1
    return "".join(t.surface for t in toks[j:i])


def _is_place(toks: tuple[Token, ...], i: int) -> bool:
    noun = _noun_before(toks, i)
    return bool(noun) and (
        noun in PLACES or toks[i - 1].lemma in PLACES or noun.endswith(PLACE_SUFFIXES) or toks[i - 1].pos3 == "地名"
    )


def _swap(s: Sentence, t: Token, to: str) -> tuple[int, int, str]:
    return t.start, t.end, to


def wo_before_desu(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    has_topic = any(t.is_particle("は") for t in toks)
    for i, t in enumerate(toks[1:], start=1):
        if not t.is_particle("を", "に", "で", "へ") or t.pos2 != "格助詞":
            continue
        found = _predicate(toks, i)
        if found is None or found[2] == "verb" or found[1] in GA_PREDICATES | {"欲しい"}:
            continue
        j = found[0]
        adverbial = j + 2 < len(toks) and toks[j + 1].surface == "に" and toks[j + 2].is_verb
        if found[2] == "na" and adverbial:
            continue  # きれいに する: the な-adjective is an adverb of the verb, which takes the を
        if i + 1 < len(toks) and toks[i + 1].is_aux("です", "だ"):
            edit = (toks[i - 1].end, t.end, "")
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                (edit,),
                f"No particle goes between a noun and です; drop {t.surface}.",
                "particle_before_desu",
            )
        elif not has_topic and (t.surface == "を" or toks[i - 1].lemma in TOPIC_PRONOUNS):
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                (_swap(s, t, "は"),),
                f"Mark the topic of 〜です with は, not {t.surface}.",
                "particle_before_desu",
            )


def missing_topic_or_no(s: Sentence) -> Iterator[Hit]:
    """わたし がくせいです lacks は; これは わたし ほんです lacks の."""
    toks = s.tokens
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if (
            t.lemma not in TOPIC_PRONOUNS
            or t.pos1 != "代名詞"
            or not (_noun_like(t, nxt) or nxt.pos1 in ("形状詞", "動詞", "形容詞", "副詞"))
        ):
            continue
        if nxt.pos2 == "数詞" or (i > 0 and toks[i - 1].pos1 in ("名詞", "連体詞", "接頭辞")):
            continue
        later_topic = any(x.is_particle("は", "も") for x in toks[i + 1 :])
        if (i > 0 or later_topic) and t.lemma in POSSESSIVE_PRONOUNS and _noun_like(t, nxt) and nxt.pos3 != "副詞可能":
            yield Hit(
                "particle",
                "medium",
                t.start,
                nxt.end,
                ((t.end, t.end, "の"),),
                "Join two nouns with の: わたしの ほん (my book).",
                "missing_no",
            )
        elif i == 0 and not later_topic and not any(x.is_particle("が") for x in toks[1:3]):
            yield Hit(
                "particle",
                "medium",
                t.start,
                t.end,
                ((t.end, t.end, "は"),),
                "The topic needs は after it: わたしは ….",
                "missing_topic",
            )


def wo_ga(s: Sentence) -> Iterator[Hit]:
    """を with すき/ある/わかる/できる…, and が with a transitive verb."""
    toks = s.tokens
    has_wo = any(t.is_particle("を") for t in toks)
    for i, t in enumerate(toks[1:], start=1):
        if t.pos2 != "格助詞" or not t.is_particle("を", "が"):
            continue
        found = _predicate(toks, i)
        if found is None:
            continue
        j, lemma, kind = found
        if any(x.pos1 == "助詞" for x in toks[i + 1 : j]):  # another phrase, or a mis-segmented one, in between
            continue
        if t.surface == "を" and lemma in GA_PREDICATES:
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                (_swap(s, t, "が"),),
                f"{s.text[toks[j].start : toks[j].end]} takes が for its object, not を.",
                "wo_for_ga",
            )
            continue
        if t.surface != "が" or has_wo or kind != "verb" or lemma not in TRANSITIVE or _is_person(toks[i - 1]):
            continue
        if toks[j].ctype.startswith("下一段") and not lemma.endswith("る"):  # a potential: はなせる, よめる
            continue
        rest = toks[j + 1 :]
        if any(x.is_aux("たい", "れる", "られる") or x.is_noun or x.pos1 == "形容詞" for x in rest):
            continue
        yield Hit(
            "particle",
            "high",
            t.start,
            t.end,
            (_swap(s, t, "を"),),
            "The object of a transitive verb takes を, not が.",
            "ga_for_wo",
        )


def ni_de(s: Sentence) -> Iterator[Hit]:
    """で for where an action happens, に for where something is or where one goes."""
    toks = s.tokens
    for i, t in enumerate(toks[1:], start=1):
        if t.pos2 != "格助詞" or not t.is_particle("に", "で") or not _is_place(toks, i):
            continue
        found = _predicate(toks, i)
        if found is None or found[2] != "verb":
            continue
        j, lemma, _ = found
        if toks[j - 1].is_particle("て", "で") and toks[j - 1].pos2 == "接続助詞":
            continue
        if t.surface == "に" and lemma in ACTIONS and not any(x.is_particle("に", "へ") for x in toks[i + 1 : j]):
            yield Hit(
                "particle",
                "medium",
                t.start,
                t.end,
                (_swap(s, t, "で"),),
                "Use で for the place where an action happens.",
                "ni_for_de",
            )
        elif t.surface == "で" and lemma in NI_VERBS and not any(x.is_particle("で") for x in toks[i + 1 : j]):
            subjects = {x.lemma for x in toks[i + 1 : j] if x.is_noun} | {x.surface for x in toks[i + 1 : j]}
            if lemma in ("有る", "居る") and subjects & EVENTS:
                continue
            if lemma in ("行く", "来る", "帰る") and _noun_before(toks, i) not in PLACES | HOMES:
                continue
            yield Hit(
                "particle",
                "medium",
                t.start,
                t.end,
                (_swap(s, t, "に"),),
                "Use に for where something is, or where you go or live.",
                "de_for_ni",
            )


def ni_after_relative_time(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    for i, t in enumerate(toks[1:], start=1):
        prev = toks[i - 1]
        if not t.is_particle("に") or prev.lemma not in RELATIVE_TIMES and prev.surface not in RELATIVE_TIMES:
            continue
        if i + 1 < len(toks) and toks[i + 1].lemma in ("成る", "比べる", "一", "何"):
            continue
        if i > 1 and toks[i - 2].is_particle("の"):
            continue
        yield Hit(
            "particle",
            "medium",
            t.start,
            t.end,
            ((t.start, t.end, ""),),
            f"Relative time words like {s.text[prev.start : prev.end]} take no に.",
            "ni_after_relative_time",
        )


def no_after_adjective(s: Sentence) -> Iterator[Hit]:
    """おいしいの ケーキ → おいしい ケーキ; しずかの へや / しずか へや → しずかな へや."""
    toks = s.tokens
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        after = toks[i + 2] if i + 2 < len(toks) else None
        noun_follows = after is not None and after.pos1 == "名詞" and after.pos2 != "数詞"
        # A kana adjective at a word start is sometimes read as an adjectival suffix (やすい → 易い).
        starts_word = i == 0 or toks[i - 1].end < t.start
        is_adjective = (t.pos1, t.pos2) == ("形容詞", "一般") or (t.pos2 == "形容詞的" and starts_word)
        if is_adjective and nxt.is_particle("の") and noun_follows:
            yield Hit(
                "particle",
                "medium",
                t.start,
                nxt.end,
                ((nxt.start, nxt.end, ""),),
                "An い-adjective goes straight before its noun, without の.",
                "no_after_i_adjective",
            )
        elif t.lemma in NA_ADJECTIVES and t.pos1 in ("形状詞", "名詞"):
            if nxt.is_particle("の") and noun_follows:
                yield Hit(
                    "grammar",
                    "medium",
                    t.start,
                    nxt.end,
                    ((nxt.start, nxt.end, "な"),),
                    "A な-adjective takes な before a noun.",
                    "na_adjective_attributive",
                )
            elif _noun_like(t, nxt) and nxt.pos2 in ("普通名詞", "固有名詞", "名詞的") and nxt.pos3 != "副詞可能":
                yield Hit(
                    "grammar",
                    "medium",
                    t.start,
                    nxt.end,
                    ((t.end, t.end, "な"),),
                    "A な-adjective takes な before a noun.",
                    "na_adjective_attributive",
                )


RULES = (wo_before_desu, missing_topic_or_no, wo_ga, ni_de, ni_after_relative_time, no_after_adjective)
