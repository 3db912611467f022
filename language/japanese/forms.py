"""Rules about forms: verb groups, adjectives, です/だ/ます, and tense after past time words."""

import re
from collections.abc import Iterator
from functools import lru_cache

from .finding import Hit
from .lexicon import HOMES, KANA_TO_KANJI, NA_ADJECTIVES, PAST_TIMES, PLACES, TIMES_OF_DAY, words
from .text import GODAN, Sentence, Token, adjective_negative, adjective_past, masu_stem, tagger, te_form

# Verbs beginners conjugate; their misspelt て/た forms are often segmented into nonsense, so they are
# recognised by spelling (いきった, たべった) once the tagger has confirmed they are not real words.
_VERBS = words(
    "いく 行く かく 書く きく 聞く あるく 歩く はたらく 働く およぐ 泳ぐ はなす 話す まつ 待つ もつ 持つ あそぶ 遊ぶ "
    "のむ 飲む よむ 読む やすむ 休む すむ 住む かう 買う あう 会う つかう 使う ならう 習う うたう 歌う いう 言う "
    "かえる 帰る はいる 入る はしる 走る つくる 作る とる 撮る のる 乗る わかる 分かる おわる 終わる "
    "たべる 食べる みる 見る ねる 寝る おきる 起きる でかける 出かける おしえる 教える あける 開ける しめる 閉める "
    "かりる 借りる する くる 来る"
)
_ICHIDAN = words(
    "たべる 食べる みる 見る ねる 寝る おきる 起きる でかける 出かける おしえる 教える "
    "あける 開ける しめる 閉める かりる 借りる"
)
_NA_SPELLINGS = NA_ADJECTIVES | {kana for kana, kanji in KANA_TO_KANJI.items() if kanji in NA_ADJECTIVES}
_NA_PATTERN = re.compile(
    "(" + "|".join(sorted(_NA_SPELLINGS, key=len, reverse=True)) + r")(かった(?:です)?|くなかった(?:です)?|くない)"
)


def _ctype(verb: str) -> str:
    if verb.endswith("する"):
        return "サ行変格"
    if verb in ("くる", "来る"):
        return "カ行変格"
    return "下一段" if verb in _ICHIDAN else "五段-" + ("カ行" if verb.endswith("く") else "")


def _is_bad_te(verb: Token, nxt: Token) -> bool:
    """A godan verb's plain 連用形 before て/た (のみて, かきた); only す-verbs form て that way."""
    ends_te = (nxt.is_particle("て") and nxt.pos2 == "接続助詞") or nxt.is_aux("た")
    return ends_te and verb.ctype.startswith(GODAN) and verb.cform == "連用形-一般" and not verb.ctype.endswith("サ行")


@lru_cache(maxsize=1)
def _misspelt_forms() -> dict[str, str]:
    """Misspelt forms of beginner verbs mapped to the right form: たべった → たべた, おきります → おきます."""
    right = {te_form(verb, _ctype(verb), past) for verb in _VERBS for past in (False, True)}
    wrong: dict[str, str] = {}
    for verb in _VERBS:
        ctype, stem = _ctype(verb), masu_stem(verb, _ctype(verb))
        for ending in ("て", "た"):
            correct = te_form(verb, ctype, past=ending == "た")
            for candidate in (stem + "っ" + ending, verb + ending, stem + ending):
                if candidate in right:
                    continue
                tokens = list(tagger()(candidate))
                grammatical = len(tokens) == 2 and tokens[0].feature.pos1 == "動詞" and tokens[1].surface == ending
                if grammatical and not tokens[0].feature.cType.startswith(GODAN):
                    continue
                wrong[candidate] = correct
    # る-verbs conjugated as う-verbs; some are rare real words (ねります, 練ります) a beginner hardly means.
    for verb in _ICHIDAN:
        for ending in ("ます", "ました", "ません"):
            wrong[verb[:-1] + "り" + ending] = verb[:-1] + ending
    return wrong


@lru_cache(maxsize=1)
def _misspelt_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_misspelt_forms(), key=len, reverse=True))


def _means_go_home(toks: tuple[Token, ...], i: int) -> bool:
    """かえ(る) after うちに/へ is 帰る (an う-verb) misread by the tagger as 変える."""
    return (
        toks[i].lemma == "変える"
        and i > 1
        and toks[i - 1].is_particle("に", "へ")
        and toks[i - 2].lemma in HOMES | PLACES
    )


def _text(s: Sentence, t: Token) -> str:
    return s.text[t.start : t.end]


def verb_group(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    fired: set[int] = set()
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if t.is_verb and t.cform.startswith("終止形") and nxt.is_aux("ます"):
            stem = masu_stem(_text(s, t), t.ctype)
            yield Hit(
                "conjugation",
                "high",
                t.start,
                nxt.end,
                ((t.start, t.end, stem),),
                "ます attaches to the ます-stem of the verb.",
                "masu_after_dictionary_form",
            )
        elif nxt.lemma == "り" and nxt.is_aux() and i + 2 < len(toks) and toks[i + 2].is_aux("ます"):
            yield Hit(
                "conjugation",
                "high",
                t.start,
                toks[i + 2].end,
                ((nxt.start, nxt.end, ""),),
                "This verb's ます-stem has no り (る-verb: たべる → たべます).",
                "verb_group_masu",
            )
        elif _text(s, t) == "かえ" and nxt.is_aux("ます") and _means_go_home(toks, i):
            yield Hit(
                "conjugation",
                "high",
                t.start,
                nxt.end,
                ((t.start, t.end, "かえり"),),
                "帰る (go home) is an う-verb: かえります.",
                "verb_group_masu",
            )
        elif t.is_verb and _is_bad_te(t, nxt):
            fired.add(t.start)
            right = te_form(t.base, t.ctype, past=nxt.is_aux("た"))
            yield Hit(
                "conjugation",
                "high",
                t.start,
                nxt.end,
                ((t.start, nxt.end, right),),
                "Wrong て/た form for this う-verb.",
                "te_form",
            )
    starts, ends = {t.start for t in toks}, {t.end for t in toks}
    wrong_forms = _misspelt_forms()
    for wrong in _misspelt_longest_first():
        if wrong not in s.text:  # a substring test first: a sentence holds at most a few of them
            continue
        for match in re.finditer(re.escape(wrong), s.text):
            a, b = match.span()
            if a in starts and b in ends and a not in fired:
                fired.add(a)
                yield Hit(
                    "conjugation",
                    "high",
                    a,
                    b,
                    ((a, b, wrong_forms[wrong]),),
                    "This verb is conjugated as if it were in the other verb group.",
                    "te_form",
                )


def adjectives(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    for i, t in enumerate(toks[:-2]):
        nxt, after = toks[i + 1], toks[i + 2]
        is_adj = (t.pos1 == "形容詞" or t.is_aux("たい")) and t.cform.startswith("終止形")
        if is_adj and nxt.is_aux("です") and nxt.cform.startswith("連用形") and after.is_aux("た"):
            fix = adjective_past(_text(s, t)) + "です"
            yield Hit(
                "conjugation",
                "high",
                t.start,
                after.end,
                ((t.start, after.end, fix),),
                "An い-adjective's past is 〜かったです, not 〜いでした.",
                "i_adjective_past",
            )
        elif is_adj and t.pos1 == "形容詞" and nxt.is_aux("だ") and nxt.cform.startswith("連用形"):
            end = after.end if after.is_particle("は") else nxt.end
            fix = adjective_negative(_text(s, t))[:-2]
            yield Hit(
                "conjugation",
                "high",
                t.start,
                end,
                ((t.start, end, fix),),
                "An い-adjective's negative is 〜くない, not 〜いじゃない.",
                "i_adjective_negative",
            )
    for match in _NA_PATTERN.finditer(s.norm):
        a, b = s.norm_to_text(*match.span(2))
        tail = match.group(2)
        fix = "じゃない" if tail == "くない" else "じゃなかったです" if tail.startswith("くなかった") else "でした"
        start = s.norm_to_text(*match.span(1))[0]
        yield Hit(
            "conjugation",
            "high",
            start,
            b,
            ((a, b, fix),),
            "A な-adjective is not conjugated like an い-adjective: しずかでした.",
            "na_adjective_past",
        )


def copula(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    for i, t in enumerate(toks[1:], start=1):
        prev = toks[i - 1]
        if not (t.is_aux("です") and t.cform.startswith("終止形")):
            continue
        if prev.is_aux("だ") and prev.cform.startswith("終止形"):
            yield Hit(
                "grammar",
                "medium",
                prev.start,
                t.end,
                ((prev.start, prev.end, ""),),
                "だ and です are the same word; use only です.",
                "da_with_desu",
            )
        elif prev.is_aux("ます") or prev.is_aux("ず", "た") and i > 1 and toks[i - 2].is_aux("ます"):
            yield Hit(
                "politeness",
                "medium",
                prev.start,
                t.end,
                ((prev.end, t.end, ""),),
                "A ます-form is already polite; drop です.",
                "desu_after_masu",
            )
        elif prev.is_verb and prev.cform.startswith("終止形"):
            ctype = "五段-ラ行" if _means_go_home(toks, i - 1) else prev.ctype
            fix = masu_stem(_text(s, prev), ctype) + "ます"
            yield Hit(
                "politeness",
                "medium",
                prev.start,
                t.end,
                ((prev.start, t.end, fix),),
                "Make a verb polite with ます, not です.",
                "desu_after_verb",
            )
        elif prev.is_aux("た") and i > 1 and toks[i - 2].is_verb:
            verb = toks[i - 2]
            fix = masu_stem(verb.base, verb.ctype) + "ました"
            yield Hit(
                "politeness",
                "medium",
                verb.start,
                t.end,
                ((verb.start, t.end, fix),),
                "Make a past verb polite with ました, not たです.",
                "desu_after_verb",
            )


def _predicate_end(toks: tuple[Token, ...]) -> int:
    end = len(toks)
    while end > 0 and (toks[end - 1].pos1 in ("補助記号", "記号") or toks[end - 1].is_particle("か", "ね", "よ")):
        end -= 1
    return end - 1


def past_tense(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    if any(t.is_aux("た") for t in toks):
        return
    for i, t in enumerate(toks):
        if not (t.is_noun and (t.lemma in PAST_TIMES or t.surface in PAST_TIMES)):
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt and nxt.is_particle("から", "まで", "より", "と"):
            return
        if nxt and nxt.is_particle("の") and not (i + 2 < len(toks) and toks[i + 2].lemma in TIMES_OF_DAY):
            return
        last = _predicate_end(toks)
        if last <= i:
            return
        p = toks[last]
        before = toks[last - 1]
        edit: tuple[int, int, str] | None = None
        if p.is_aux("ます") and p.cform.startswith("終止形"):
            edit = (p.start, p.end, "ました")
        elif p.is_aux("ず") and before.is_aux("ます"):
            edit = (p.end, p.end, "でした")
        elif p.is_aux("です") and p.cform.startswith("終止形"):
            if before.pos1 == "形容詞" or before.is_aux("たい"):
                edit = (before.start, before.end, adjective_past(_text(s, before)))
            else:
                edit = (p.start, p.end, "でした")
        elif p.is_verb and p.cform.startswith("終止形"):
            edit = (p.start, p.end, te_form(_text(s, p), p.ctype, past=True))
        elif p.pos1 == "形容詞" and p.cform.startswith("終止形"):
            edit = (p.start, p.end, adjective_past(_text(s, p)))
        if edit:
            yield Hit(
                "grammar",
                "high",
                p.start,
                p.end,
                (edit,),
                f"{_text(s, t)} is in the past: put the verb or です in the past.",
                "past_time_non_past",
            )
        return


RULES = (verb_group, adjectives, copula, past_tense)
