"""What the partner says around the script, in every language it speaks: plain, short, at beginner level.

Each kind has several variants so a long session never says one twice. Japanese is kana-first,
with a space between phrases, like the scripts.
"""

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "japanese": {
        "hint": (
            "たとえば「{text}」と いえます。",
            "「{text}」は どうですか。",
            "こう いって みて ください：「{text}」",
            "「{text}」と いっても いいですよ。",
        ),
        "move_on": (
            "だいじょうぶです。つぎに いきましょう。",
            "いいですよ。では、つぎの しつもんです。",
            "じゃあ、ほかの ことを はなしましょう。",
            "では、つぎの はなしに しましょう。",
        ),
        "unknown": (
            "すみません、それは ちょっと わかりません。",
            "うーん、それは よく しりません。",
            "ごめんなさい、わたしにも わかりません。",
        ),
        "finished": ("これで きょうの れんしゅうは おわりです。",),
        "after": (
            "きょうの れんしゅうは もう おわりました。また はなしましょう！",
            "おつかれさまでした！あたらしい れんしゅうも してみて ください。",
            "たのしかったですね。また あした！",
            "よく がんばりましたね！",
            "また いつでも はなしに きて ください。",
            "ありがとう ございました。では、また！",
        ),
        "say_word": (
            "「{query}」は にほんごで「{reading}」です。",
            "「{query}」は「{reading}」と いいます。",
            "にほんごでは「{reading}」です。",
        ),
        "say_word_kanji": ("かんじでは「{word}」と かきます。", "かんじは「{word}」です。"),
        "say_word_missing": (
            "すみません、「{query}」は じしょに ありません。",
            "ごめんなさい、「{query}」は わかりません。",
        ),
        "echo": ("「{text}」ですね。",),
    },
    "english": {
        "hint": (
            'For example, you could say: "{text}"',
            'How about: "{text}"',
            'Try saying: "{text}"',
            'You can say "{text}", for example.',
        ),
        "move_on": (
            "No problem. Let's move on.",
            "That's fine. Here's another question.",
            "Never mind, let's talk about something else.",
            "OK, let's go on.",
        ),
        "unknown": ("Sorry, I'm not sure about that.", "Hmm, I don't really know.", "I'm afraid I don't know."),
        "finished": ("That's the end of our practice for today.",),
        "after": (
            "Our practice is over for today. Let's talk again soon!",
            "Well done today! Try another scenario next time.",
            "It was fun talking with you. See you!",
            "You did really well today.",
            "Come back and practise any time.",
            "Thanks again. Bye for now!",
        ),
        "say_word": ('"{query}" is "{reading}".',),
        "say_word_kanji": (),
        "say_word_missing": ("Sorry, I can't look that word up here.",),
        "echo": ('"{text}", I see.',),
    },
    "spanish": {
        "hint": (
            "Por ejemplo, puedes decir: «{text}»",
            "¿Qué tal: «{text}»?",
            "Prueba a decir: «{text}»",
            "Puedes decir «{text}», por ejemplo.",
        ),
        "move_on": (
            "No pasa nada. Sigamos.",
            "Está bien. Otra pregunta.",
            "No importa, hablemos de otra cosa.",
            "Vale, seguimos.",
        ),
        "unknown": ("Lo siento, no lo sé.", "Mmm, no lo tengo claro.", "Perdona, eso no lo sé."),
        "finished": ("Aquí termina nuestra práctica de hoy.",),
        "after": (
            "La práctica de hoy ya terminó. ¡Hablamos pronto!",
            "¡Muy bien hoy! La próxima vez, prueba otra situación.",
            "Me ha gustado hablar contigo. ¡Hasta luego!",
            "¡Lo has hecho muy bien hoy!",
            "Vuelve a practicar cuando quieras.",
            "Gracias otra vez. ¡Adiós!",
        ),
        "say_word": ("«{query}» se dice «{reading}».",),
        "say_word_kanji": (),
        "say_word_missing": ("Lo siento, aquí no puedo buscar palabras.",),
        "echo": ("«{text}», ya veo.",),
    },
}

# The languages the partner speaks: the engine has words of its own for them and content/ ships a
# small-talk script for each (free-form sessions follow it). A session in any other is refused.
SPOKEN = frozenset(PHRASES)
