"""The social part of a turn no script beat asks for: a greeting, how are you, a thank-you, a goodbye.

Each recogniser looks at one sentence on its own ("こんにちは。", "Thanks!", "じゃあ、また"), with the
partner's name allowed in it ("さようなら、ゆきさん"), and says what kind of sentence it is.
"""

import re
import unicodedata

GREETING = "greeting"
THANKS = "thanks"
FAREWELL = "farewell"
HOW_ARE_YOU = "how-are-you"

# Japanese sentences as the learner may write them, spaces and punctuation removed, kana folded.
_JAPANESE = {
    GREETING: {
        "こんにちは": "こんにちは！",
        "こんにちわ": "こんにちは！",
        "こんばんは": "こんばんは！",
        "こんばんわ": "こんばんは！",
        "おはよう": "おはようございます！",
        "おはようございます": "おはようございます！",
        "どうも": "どうも、こんにちは！",
        "やあ": "やあ！",
        "はろー": "こんにちは！",
    },
    # Asked with or without a question mark; a bare げんき only with one (「げんき。」 is an answer).
    HOW_ARE_YOU: {
        "おげんきですか",
        "げんきですか",
        "お元気ですか",
        "元気ですか",
        "おげんき",
        "お元気",
        "げんき",
        "元気",
    },
    THANKS: {
        "ありがとう",
        "ありがとうございます",
        "ありがとうございました",
        "どうもありがとう",
        "どうもありがとうございます",
        "どうもありがとうございました",
        "ありがとね",
        "さんきゅー",
    },
    FAREWELL: {
        "さようなら",
        "さよなら",
        "じゃあ",
        "じゃ",
        "じゃあまた",
        "じゃまた",
        "じゃあね",
        "じゃね",
        "またね",
        "またあした",
        "またこんど",
        "ではまた",
        "それじゃ",
        "それじゃあ",
        "それでは",
        "それじゃまた",
        "それじゃあまた",
        "じゃあまたね",
        "それじゃあね",
        "ばいばい",
        "おやすみ",
        "おやすみなさい",
        "しつれいします",
        "しつれいしました",
    },
}

_LATIN = {
    "english": {
        GREETING: (r"(?:hi|hello|hey)(?: there)?|good (?:morning|afternoon|evening)", "Hi!"),
        THANKS: r"thanks?(?: you)?(?: (?:so|very) much| a lot)?|cheers",
        FAREWELL: (
            r"(?:ok(?:ay)?,? )?(?:bye(?:-bye| for now)?|goodbye|see (?:you|ya)(?: later| soon| tomorrow)?|take care)"
        ),
        HOW_ARE_YOU: (r"how are you(?: doing| today)?|how(?: s| is) it going|how are things", "I'm fine, thanks!"),
    },
    "spanish": {
        GREETING: (r"hola|buen(?:os|as) (?:días|dias|tardes|noches)", "¡Hola!"),
        THANKS: r"(?:muchas )?gracias",
        FAREWELL: r"(?:vale,? )?(?:adiós|adios|chao|chau|nos vemos|hasta (?:luego|pronto|mañana|manana|la próxima))",
        HOW_ARE_YOU: (r"(?:qué|que) tal|(?:cómo|como) (?:estás|estas|está|esta|te va)", "¡Muy bien, gracias!"),
    },
    "french": {
        GREETING: (r"bonjour|salut|bonsoir|coucou", "Bonjour !"),
        THANKS: r"merci(?: beaucoup)?",
        FAREWELL: r"au revoir|à bientôt|a bientot|à plus|bonne (?:journée|soirée)",
        HOW_ARE_YOU: (r"ça va|ca va|comment (?:ça|ca) va|comment (?:vas tu|allez vous)", "Ça va bien, merci !"),
    },
    "german": {
        GREETING: (r"hallo|hi|guten (?:morgen|tag|abend)|servus|moin", "Hallo!"),
        THANKS: r"danke(?: schön| sehr)?|vielen dank",
        FAREWELL: r"tschüss|tschüs|auf wiedersehen|bis (?:bald|später|morgen|dann)|ciao",
        HOW_ARE_YOU: (r"wie geht(?:s| es)?(?: dir| ihnen)?", "Mir geht es gut, danke!"),
    },
    "italian": {
        GREETING: (r"ciao|buongiorno|buonasera|salve", "Ciao!"),
        THANKS: r"grazie(?: mille)?",
        FAREWELL: r"arrivederci|a presto|a dopo|ci vediamo|ciao ciao",
        HOW_ARE_YOU: (r"come (?:stai|sta|va)", "Bene, grazie!"),
    },
    "portuguese": {
        GREETING: (r"olá|ola|oi|bom dia|boa (?:tarde|noite)", "Olá!"),
        THANKS: r"obrigad[oa](?: (?:mesmo|muito))?|muito obrigad[oa]|valeu",
        FAREWELL: r"tchau|adeus|até (?:logo|mais|amanhã|breve|a próxima)|ate logo",
        HOW_ARE_YOU: (r"tudo bem|como (?:vai|está|esta|você está|voce esta)", "Tudo bem!"),
    },
}
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def _japanese_key(sentence: str, persona_names: frozenset[str]) -> str:
    text = unicodedata.normalize("NFKC", sentence)
    for name in sorted(persona_names, key=len, reverse=True):
        text = re.sub(re.escape(name) + r"(?:さん|ちゃん|くん|先生|せんせい)?", "", text, flags=re.I)
    text = re.sub(r"[\s\W_〜～]+", "", text)
    return _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)


def _latin_key(sentence: str, persona_names: frozenset[str]) -> str:
    text = _PUNCT.sub(" ", unicodedata.normalize("NFC", sentence).lower()).strip()
    words = [word for word in text.split() if word not in persona_names]
    return " ".join(words)


def social_kind(
    sentence: str, language: str, persona_names: frozenset[str], *, started: bool = False
) -> tuple[str, str] | None:
    """(kind, the greeting to say back) when the sentence is only a greeting, thanks or goodbye; else None.

    started: the conversation is under way, where a bare どうも is thanks, not hello.
    """
    if language == "japanese":
        key = _japanese_key(sentence, persona_names)
        if key == "どうも" and started:
            return THANKS, ""
        if back := _JAPANESE[GREETING].get(key):
            return GREETING, back
        if key in _JAPANESE[HOW_ARE_YOU] and (key.endswith("か") or sentence.rstrip().endswith(("?", "？"))):
            return HOW_ARE_YOU, "げんきです！ありがとう。"
        if key in _JAPANESE[THANKS]:
            return THANKS, ""
        if key in _JAPANESE[FAREWELL]:
            # Good night is said back as it is.
            return FAREWELL, "おやすみなさい。" if key.startswith("おやすみ") else ""
        return None
    table = _LATIN.get(language)
    if table is None:
        return None
    key = _latin_key(sentence, persona_names)
    greeting, back = table[GREETING]
    asked, fine = table[HOW_ARE_YOU]
    if re.fullmatch(rf"(?:(?:{greeting}) )?(?:{asked})", key):
        return HOW_ARE_YOU, fine
    # "Thanks, bye!" is a goodbye; "Hi, thanks" is thanks.
    for kind, pattern in ((FAREWELL, table[FAREWELL]), (THANKS, table[THANKS]), (GREETING, greeting)):
        parts = rf"(?:{table[THANKS]}|{greeting}|{table[FAREWELL]})"
        if re.fullmatch(rf"(?:{parts} )*{pattern}(?: {parts})*", key):
            return kind, back if kind == GREETING else ""
    return None
