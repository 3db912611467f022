"""Rules about how words are used: the particles that motion, meeting and riding verbs take, いる/ある,
adjectives as adverbs and with なる, question words with は, doubled particles, これ/この, ですと思う,
and the ない-form.

The kinds come from the errors textbooks and learner-corpus studies list for beginners (Genki and
Minna no Nihongo's notes on に/を with 行く, 会う and 乗る; いる/ある; 〜く/〜に with adverbs and なる;
question words with が; は and も replacing が and を; こ・そ・あ・ど words; the plain negative).
"""

from collections.abc import Iterator

from .finding import Hit
from .lexicon import NA_ADJECTIVES, PEOPLE, words
from .particles import _is_place, _noun_before
from .text import GODAN, Sentence, Token, adjective_negative

# Places you move along rather than to: 道を行く and 橋を渡る are right.
_PATHS = words("道 橋 廊下 通り 角 坂 階段 トンネル 川 空 歩道 横断歩道 交差点 線路")
# 返る is how the tagger often reads 帰る (and かえる) after a place.
_MOTION = words("行く 来る 帰る 返る 着く 入る 戻る 出かける 出掛ける")
_ANIMALS = words("犬 猫 鳥 魚 馬 牛 豚 兎 パンダ 動物 ペット 虫 猿 象 熊")
_ANIMATE = PEOPLE | _ANIMALS | words("兄弟 姉妹 両親 子ども 彼氏 恋人 店員 学生 家族 人達 友人")
_THINGS = words(
    "本 ペン 鉛筆 車 机 椅子 テレビ 時計 傘 鞄 かばん 辞書 パソコン 電話 携帯 スマホ 家 店 駅 レストラン 銀行 "
    "病院 公園 学校 図書館 時間 お金 金 宿題 試験 雑誌 新聞 ノート カメラ 自転車 冷蔵庫 ベッド 窓 ドア 部屋 "
    "トイレ 水 お茶 コーヒー 牛乳 パン 卵 りんご 野菜 果物 肉 切符 財布 鍵 写真 手紙 仕事 授業 予定 用事 木 花 山 川 海"
)
_QUESTION_WORDS = words("何 誰 どれ 何れ 何処 どこ どちら どなた")
_KO_SO_A_DO = {
    "此れ": "この", "其れ": "その", "彼れ": "あの", "何れ": "どの",
    "これ": "この", "それ": "その", "あれ": "あの", "どれ": "どの",
}  # fmt: skip
_KONO_SONO = {
    "此の": "これ",
    "其の": "それ",
    "彼の": "あれ",
    "何の": "どれ",
    "この": "これ",
    "その": "それ",
    "あの": "あれ",
    "どの": "どれ",
}
_A_ROW = dict(zip("うくぐすつぬぶむる", "わかがさたなばまら", strict=True))


def _text(s: Sentence, t: Token) -> str:
    return s.text[t.start : t.end]


def _verb_after(toks: tuple[Token, ...], i: int) -> int | None:
    """The verb right after particle i, with at most adverbs or numbers between (友達に よく 会います)."""
    for j in range(i + 1, len(toks)):
        t = toks[j]
        if t.is_verb:
            return j
        if not (t.pos1 == "副詞" or t.pos2 == "数詞" or (t.pos1 == "接尾辞" and t.pos3 == "助数詞")):
            return None
    return None


def particle_with_verb(s: Sentence) -> Iterator[Hit]:
    """を where 行く/来る/帰る take に for the goal, and where 会う and 乗る take に."""
    toks = s.tokens
    for i, t in enumerate(toks[1:], start=1):
        before = toks[i - 1]
        if not t.is_particle("を") or t.pos2 != "格助詞" or not (before.is_noun or before.pos1 == "接尾辞"):
            continue
        j = _verb_after(toks, i)
        if j is None:
            continue
        lemma = toks[j].lemma
        if lemma in _MOTION and _is_place(toks, i) and _noun_before(toks, i) not in _PATHS:
            verb = _text(s, toks[j])
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                ((t.start, t.end, "に"),),
                f"Where you go takes に (or へ): {verb} is not done to a place. を marks a path you go along "
                "(こうえんを さんぽします).",
                "wo_for_destination",
            )
        elif lemma == "会う":
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                ((t.start, t.end, "に"),),
                "会う takes に (or と) for the person you meet: ともだちに あいます.",
                "wo_with_au",
            )
        elif lemma == "乗る":
            yield Hit(
                "particle",
                "high",
                t.start,
                t.end,
                ((t.start, t.end, "に"),),
                "乗る takes に for what you get on: バスに のります. (降りる takes を: バスを おります.)",
                "wo_with_noru",
            )


def _existence_fix(s: Sentence, toks: tuple[Token, ...], j: int, to_iru: bool) -> tuple[int, int, str] | None:
    """The edit turning ある into いる (or back) in the form the learner used."""
    verb = toks[j]
    nxt = toks[j + 1] if j + 1 < len(toks) else None
    written = _text(s, verb)
    if to_iru:
        forms = {"あり": "い", "有り": "い", "ある": "いる", "有る": "いる", "あっ": "い", "有っ": "い"}
        return (verb.start, verb.end, forms[written]) if written in forms else None
    if nxt is not None and nxt.is_aux("ない"):
        return (verb.start, nxt.end, "ない")
    if written in ("い", "居"):
        ending = "あっ" if nxt is not None and (nxt.is_aux("た") or nxt.is_particle("て")) else "あり"
        return (verb.start, verb.end, ending)
    return (verb.start, verb.end, "ある") if written in ("いる", "居る") else None


def existence_verb(s: Sentence) -> Iterator[Hit]:
    """いる for people and animals, ある for things: ねこが います, ほんが あります."""
    toks = s.tokens
    for i, t in enumerate(toks[1:], start=1):
        if not t.is_particle("が", "は", "も") or not toks[i - 1].is_noun:
            continue
        j = _verb_after(toks, i)
        if j is None or toks[j].lemma not in ("有る", "居る"):
            continue
        noun = toks[i - 1].lemma
        animate = noun in _ANIMATE or toks[i - 1].surface in _ANIMATE or toks[i - 1].pos3 == "人名"
        if toks[j].lemma == "有る" and animate:
            edit = _existence_fix(s, toks, j, to_iru=True)
            kind, verb = "people and animals", "いる"
        elif toks[j].lemma == "居る" and noun in _THINGS and not animate:
            edit = _existence_fix(s, toks, j, to_iru=False)
            kind, verb = "things and places", "ある"
        else:
            continue
        if edit:
            yield Hit(
                "vocabulary",
                "high",
                toks[j].start,
                toks[j].end,
                (edit,),
                f"For {kind}, say {verb}: ねこが います, ほんが あります.",
                "iru_aru",
            )


def adjective_forms(s: Sentence) -> Iterator[Hit]:
    """An い-adjective before a verb takes 〜く (はやく はしる; さむく なる); a な-adjective before なる takes に."""
    toks = s.tokens
    for i, t in enumerate(toks[:-2]):
        nxt, after = toks[i + 1], toks[i + 2]
        if t.pos1 == "形容詞" and t.cform.startswith("終止形") and nxt.is_particle("に") and after.is_verb:
            adverb = adjective_negative(_text(s, t))[:-2]  # たかくない → たかく
            edit = (t.start, nxt.end, adverb)
            if after.lemma == "成る":
                yield Hit(
                    "conjugation",
                    "high",
                    t.start,
                    nxt.end,
                    (edit,),
                    "With なる, an い-adjective takes 〜く: さむく なりました.",
                    "adjective_with_naru",
                )
            else:
                yield Hit(
                    "conjugation",
                    "high",
                    t.start,
                    nxt.end,
                    (edit,),
                    "To say how you do something, an い-adjective takes 〜く: はやく はしります.",
                    "adjective_as_adverb",
                )
        elif (
            (t.pos1 == "形状詞" or t.lemma in NA_ADJECTIVES)
            and _text(s, nxt) == "く"
            and nxt.start == t.end
            and after.lemma == "成る"
        ):
            yield Hit(
                "conjugation",
                "high",
                t.start,
                nxt.end,
                ((nxt.start, nxt.end, "に"),),
                "With なる, a な-adjective takes に: きれいに なりました.",
                "adjective_with_naru",
            )


def question_word_with_wa(s: Sentence) -> Iterator[Hit]:
    """なにが/だれが: a question word is new information and cannot be the topic with は."""
    toks = s.tokens
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if t.lemma in _QUESTION_WORDS and t.pos1 == "代名詞" and nxt.is_particle("は") and nxt.pos2 == "係助詞":
            if i > 0 and (toks[i - 1].is_particle("の") or toks[i - 1].is_noun):
                continue  # a noun before it: 日本の何は… is another construction
            yield Hit(
                "particle",
                "high",
                nxt.start,
                nxt.end,
                ((nxt.start, nxt.end, "が"),),
                f"A question word takes が, not は: {_text(s, t)}が ….",
                "wa_after_question_word",
            )


# (first, second) → which one stays. は and も replace が and を; they never stand together.
_DOUBLES = {
    ("も", "は"): 0,
    ("も", "が"): 0,
    ("も", "を"): 0,
    ("を", "は"): 1,
    ("が", "は"): 1,
    ("を", "も"): 1,
    ("が", "も"): 1,
}


def double_particle(s: Sentence) -> Iterator[Hit]:
    toks = s.tokens
    for i, t in enumerate(toks[1:-1], start=1):
        nxt = toks[i + 1]
        if t.pos1 != "助詞" or nxt.pos1 != "助詞" or nxt.start != t.end:
            continue
        keep = _DOUBLES.get((_text(s, t), _text(s, nxt)))
        if keep is None or t.pos2 not in ("係助詞", "格助詞") or nxt.pos2 not in ("係助詞", "格助詞"):
            continue
        drop = nxt if keep == 0 else t
        kept = _text(s, t if keep == 0 else nxt)
        yield Hit(
            "particle",
            "high",
            t.start,
            nxt.end,
            ((drop.start, drop.end, ""),),
            f"{kept} takes the place of が and を; use {kept} alone: わたしも がくせいです, ごはんは たべません.",
            "double_particle",
        )


def ko_so_a_do(s: Sentence) -> Iterator[Hit]:
    """この/その/あの come before a noun; これ/それ/あれ stand alone."""
    toks = s.tokens
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        # Before a noun the tagger may read あれ/どれ as interjections (あれ!): the spelling decides.
        pronoun = (t.pos1 == "代名詞" and t.lemma in _KO_SO_A_DO) or (t.pos1 == "感動詞" and _text(s, t) in _KO_SO_A_DO)
        if pronoun and nxt.pos1 == "名詞" and nxt.pos2 == "普通名詞":
            k = i + 1
            while k < len(toks) and (toks[k].is_noun or toks[k].pos1 == "接尾辞"):
                k += 1
            if nxt.pos3 in ("副詞可能", "助数詞可能") or (k < len(toks) and toks[k].is_aux("です", "だ")):
                continue  # これ全部, これ一つ; あれ としょかんです lacks は, not an この
            right = _KO_SO_A_DO.get(t.lemma) or _KO_SO_A_DO[_text(s, t)]
            yield Hit(
                "grammar",
                "high",
                t.start,
                nxt.end,
                ((t.start, t.end, right),),
                f"Before a noun, use {right}: {right} {_text(s, nxt)}.",
                "kore_before_noun",
            )
        elif (
            _text(s, t) in ("この", "その", "あの", "どの")
            and (t.pos1 == "連体詞" or t.pos1 == "感動詞")
            and nxt.is_particle("は", "が", "を", "も")
            and nxt.pos2 in ("係助詞", "格助詞")
        ):
            right = _KONO_SONO.get(t.lemma) or _KONO_SONO[_text(s, t)]
            yield Hit(
                "grammar",
                "high",
                t.start,
                nxt.end,
                ((t.start, t.end, right),),
                f"Alone, without a noun after it, say {right}: {right}{_text(s, nxt)} ….",
                "kono_without_noun",
            )


def desu_before_to_omou(s: Sentence) -> Iterator[Hit]:
    """たかいと おもいます, がくせいだと おもいます: と思う quotes the plain form."""
    toks = s.tokens
    for i, t in enumerate(toks[1:-2], start=1):
        nxt, verb = toks[i + 1], toks[i + 2]
        if not (t.is_aux("です") and nxt.is_particle("と") and verb.lemma == "思う"):
            continue
        prev = toks[i - 1]
        right = "" if prev.pos1 == "形容詞" or prev.is_aux("たい", "ない") else "だ"
        yield Hit(
            "grammar",
            "medium",
            t.start,
            t.end,
            ((t.start, t.end, right),),
            "Before と おもいます use the plain form: たかいと おもいます, がくせいだと おもいます.",
            "desu_before_to_omou",
        )


def _nai_form(base: str, ctype: str) -> str | None:
    if base in ("ある", "有る"):
        return "ない"
    if ctype.startswith("サ行変格"):
        return base[:-2] + "しない"
    if ctype.startswith("カ行変格"):
        return "来ない" if base.endswith("来る") else base[:-2] + "こない"
    if ctype.startswith(GODAN):
        return base[:-1] + _A_ROW[base[-1]] + "ない" if base[-1] in _A_ROW else None
    if ctype.startswith(("下一段", "上一段")):
        return base[:-1] + "ない"
    return None


def nai_form(s: Sentence) -> Iterator[Hit]:
    """The plain negative: いかない (not いきない), たべない (not たべるない), ない (not あらない)."""
    toks = s.tokens
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if not (t.is_verb and nxt.is_aux("ない") and nxt.start == t.end):
            continue
        godan_stem = t.ctype.startswith(GODAN) and t.cform.startswith("連用形")
        wrong = (
            t.cform.startswith(("終止形", "連体形"))
            or godan_stem
            or (t.lemma == "有る" and _text(s, t) in ("あら", "有ら"))
        )
        right = _nai_form(t.base, t.ctype) if wrong else None
        if right is None or right == _text(s, t) + _text(s, nxt):
            continue
        yield Hit(
            "conjugation",
            "high",
            t.start,
            nxt.end,
            ((t.start, nxt.end, right),),
            "The plain negative: う-verbs change u to a (いく → いかない), る-verbs drop る (たべる → たべない), "
            "ある becomes ない.",
            "nai_form",
        )


RULES = (
    particle_with_verb,
    existence_verb,
    adjective_forms,
    question_word_with_wa,
    double_particle,
    ko_so_a_do,
    desu_before_to_omou,
    nai_form,
)
