"""What the partner says around the script, in every language it speaks: plain, short, at beginner level.

Each kind has several variants so a long session never says one twice. Japanese is kana-first,
with a space between phrases, like the scripts.
"""


def _combined(acknowledgements: tuple[str, ...], closers: tuple[str, ...], joiner: str) -> tuple[str, ...]:
    # After the closing the learner may go on writing: short replies, never the same one twice.
    return tuple(joiner.join((ack, closer)) for closer in closers for ack in acknowledgements)


PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "japanese": {
        "ask_again": ("ところで、{question}", "もう いちど ききますね。{question}"),
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
        "invite": (
            "『{target}』を つかって、じぶんの ことを ひとつ おしえて ください。",
            "こんどは『{target}』を つかって みましょう。どんな ぶんが いえますか。",
            "『{target}』を つかって、きょうの ことを すこし はなして ください。",
        ),
        "invite_mistake": (
            "まえに『{target}』を れんしゅうしましたね。『{target}』を つかって、もう いちど いって みて ください。",
            "『{target}』の れんしゅうです。『{target}』を つかって、ぶんを ひとつ いって ください。",
        ),
        "praise_target": (
            "『{target}』、じょうずに つかえましたね！",
            "いいですね！『{target}』が ただしく つかえました。",
        ),
        "target_later": (
            "『{target}』は また あとで つかって みましょう。",
            "だいじょうぶです。『{target}』は また こんど。",
        ),
        "welcome": ("どういたしまして。", "いえいえ。", "いいえ、どういたしまして。"),
        "goodbye": (
            "はい、さようなら。きょうは ありがとう ございました。",
            "さようなら。また はなしましょうね。",
        ),
        "again": (
            "また はなしましょうね。",
            "はい、また こんど！",
            "じゃあ、また ね。",
            "またね！",
        ),
        "invite_question": ("わたしに なにか ききたい ことは ありますか。",),
        "finished": ("これで きょうの れんしゅうは おわりです。",),
        "after": (
            "きょうの れんしゅうは もう おわりました。また はなしましょう！",
            "おつかれさまでした！あたらしい れんしゅうも して みて ください。",
            "たのしかったですね。また あした！",
            "よく がんばりましたね！",
            "また いつでも はなしに きて ください。",
            "ありがとう ございました。では、また！",
        )
        + _combined(
            ("そうですね。", "なるほど。", "ええ、ええ。", "はい。"),
            (
                "また はなしましょうね。",
                "つづきは また こんど。",
                "きょうは ここまでに しましょう。",
                "また あいましょう。",
                "こんども たのしみです。",
                "ゆっくり やすんで くださいね。",
            ),
            "",
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
    },
    "english": {
        "ask_again": ("By the way, {lowered}", "So, {lowered}"),
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
        "invite": (
            'Let\'s practise "{target}". Can you tell me something about yourself using "{target}"?',
            'Now try "{target}": what could you say with it?',
            'Tell me a little about your day using "{target}".',
        ),
        "invite_mistake": (
            'Last time we worked on "{target}". Can you say a sentence with "{target}"?',
            'Let\'s practise "{target}" again: try a sentence with it.',
        ),
        "praise_target": ('Nice use of "{target}"!', 'Well done, you used "{target}" correctly!'),
        "target_later": ('We can try "{target}" again later.', 'No problem, we\'ll come back to "{target}".'),
        "welcome": ("You're welcome.", "No problem.", "My pleasure."),
        "goodbye": ("OK, bye for now! Thanks for today.", "Goodbye! Let's talk again soon."),
        "again": ("Talk soon!", "See you next time.", "Bye for now!", "Take care!"),
        "invite_question": ("Is there anything you'd like to ask me?",),
        "finished": ("That's the end of our practice for today.",),
        "after": (
            "Our practice is over for today. Let's talk again soon!",
            "Well done today! Try another scenario next time.",
            "It was fun talking with you. See you!",
            "You did really well today.",
            "Come back and practise any time.",
            "Thanks again. Bye for now!",
        )
        + _combined(
            ("I see.", "Right.", "Oh, nice.", "OK."),
            (
                "Let's talk again soon.",
                "We can go on next time.",
                "Let's stop here for today.",
                "See you next time.",
                "I'm looking forward to next time.",
                "Have a good rest.",
            ),
            " ",
        ),
        "say_word": ('"{query}" is "{reading}".',),
        "say_word_kanji": (),
        "say_word_missing": ("Sorry, I can't look that word up here.",),
    },
    "spanish": {
        "ask_again": ("Por cierto, {lowered}", "Entonces, {lowered}"),
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
        "invite": (
            "Vamos a practicar «{target}». ¿Me dices algo sobre ti con «{target}»?",
            "Ahora prueba con «{target}»: ¿qué puedes decir?",
            "Cuéntame algo de tu día con «{target}».",
        ),
        "invite_mistake": (
            "La otra vez practicamos «{target}». ¿Puedes decir una frase con «{target}»?",
            "Practiquemos otra vez «{target}»: di una frase con esa expresión.",
        ),
        "praise_target": ("¡Muy bien usado, «{target}»!", "¡Bien! Has usado «{target}» correctamente."),
        "target_later": ("Probamos «{target}» más tarde.", "No pasa nada, volvemos a «{target}» luego."),
        "welcome": ("De nada.", "¡No hay de qué!", "¡Con gusto!"),
        "goodbye": ("¡Vale, hasta luego! Gracias por hoy.", "¡Adiós! Hablamos pronto."),
        "again": ("¡Hasta pronto!", "¡Nos vemos!", "¡Hasta la próxima!", "¡Cuídate!"),
        "invite_question": ("¿Quieres preguntarme algo?",),
        "finished": ("Aquí termina nuestra práctica de hoy.",),
        "after": (
            "La práctica de hoy ya terminó. ¡Hablamos pronto!",
            "¡Muy bien hoy! La próxima vez, prueba otra situación.",
            "Me ha gustado hablar contigo. ¡Hasta luego!",
            "¡Lo has hecho muy bien hoy!",
            "Vuelve a practicar cuando quieras.",
            "Gracias otra vez. ¡Adiós!",
        )
        + _combined(
            ("Ya veo.", "Claro.", "¡Qué bien!", "Vale."),
            (
                "Hablamos pronto.",
                "Seguimos la próxima vez.",
                "Lo dejamos aquí por hoy.",
                "Nos vemos la próxima vez.",
                "¡Hasta la próxima!",
                "Que descanses.",
            ),
            " ",
        ),
        "say_word": ("«{query}» se dice «{reading}».",),
        "say_word_kanji": (),
        "say_word_missing": ("Lo siento, aquí no puedo buscar palabras.",),
    },
    "french": {
        "ask_again": ("Au fait, {lowered}", "Alors, {lowered}"),
        "hint": (
            "Par exemple, tu peux dire : « {text} »",
            "Que dirais-tu de : « {text} » ?",
            "Essaie de dire : « {text} »",
            "Tu peux dire « {text} », par exemple.",
        ),
        "move_on": (
            "Ce n'est pas grave. Continuons.",
            "D'accord. Une autre question.",
            "Pas de souci, parlons d'autre chose.",
            "Bon, on continue.",
        ),
        "unknown": ("Pardon, je ne sais pas.", "Hum, je ne sais pas trop.", "Ça, je ne le sais pas, hélas."),
        "invite": (
            "On pratique « {target} ». Tu peux me dire quelque chose sur toi avec « {target} » ?",
            "Maintenant, essaie « {target} » : qu'est-ce que tu peux dire ?",
            "Raconte-moi un peu ta journée avec « {target} ».",
        ),
        "invite_mistake": (
            "La dernière fois, on a travaillé « {target} ». Tu peux faire une phrase avec « {target} » ?",
            "On reprend « {target} » : fais une phrase avec.",
        ),
        "praise_target": ("Bien utilisé, « {target} » !", "Bravo, tu as bien utilisé « {target} » !"),
        "target_later": ("On essaiera « {target} » plus tard.", "Pas de souci, on reviendra à « {target} »."),
        "welcome": ("De rien.", "Avec plaisir.", "Je t'en prie."),
        "goodbye": ("D'accord, au revoir ! Merci pour aujourd'hui.", "Salut ! On se parle bientôt."),
        "again": ("À la prochaine !", "À plus tard !", "Bonne journée !", "À très vite !"),
        "invite_question": ("Tu veux me demander quelque chose ?",),
        "finished": ("C'est la fin de notre pratique pour aujourd'hui.",),
        "after": (
            "Notre pratique est finie pour aujourd'hui. À bientôt !",
            "Bravo pour aujourd'hui ! La prochaine fois, essaie une autre situation.",
            "C'était sympa de parler avec toi. Salut !",
            "Tu as très bien travaillé aujourd'hui.",
            "Reviens pratiquer quand tu veux.",
            "Merci encore. Au revoir !",
        )
        + _combined(
            ("Je vois.", "D'accord.", "Super.", "Ah oui."),
            (
                "On se parle bientôt.",
                "On continue la prochaine fois.",
                "On s'arrête là pour aujourd'hui.",
                "À la prochaine fois.",
                "J'ai hâte de te reparler.",
                "Bonne soirée !",
            ),
            " ",
        ),
        "say_word": ("« {query} » se dit « {reading} ».",),
        "say_word_kanji": (),
        "say_word_missing": ("Pardon, je ne peux pas chercher de mots ici.",),
    },
    "german": {
        "ask_again": ("Übrigens: {question}", "Also, noch mal: {question}"),
        "hint": (
            "Du kannst zum Beispiel sagen: „{text}“",
            "Wie wäre es mit: „{text}“?",
            "Versuch mal: „{text}“",
            "Du kannst „{text}“ sagen, zum Beispiel.",
        ),
        "move_on": (
            "Kein Problem. Machen wir weiter.",
            "Alles gut. Hier ist eine andere Frage.",
            "Macht nichts, sprechen wir über etwas anderes.",
            "Okay, weiter geht's.",
        ),
        "unknown": ("Das weiß ich leider nicht.", "Hm, da bin ich nicht sicher.", "Tut mir leid, das weiß ich nicht."),
        "invite": (
            "Wir üben „{target}“. Erzählst du mir etwas über dich mit „{target}“?",
            "Probier jetzt „{target}“: Was kannst du damit sagen?",
            "Erzähl mir ein bisschen von deinem Tag mit „{target}“.",
        ),
        "invite_mistake": (
            "Letztes Mal haben wir „{target}“ geübt. Sagst du einen Satz mit „{target}“?",
            "Wir üben noch einmal „{target}“: Sag einen Satz damit.",
        ),
        "praise_target": ("„{target}“, gut benutzt!", "Super, du hast „{target}“ richtig benutzt!"),
        "target_later": ("„{target}“ probieren wir später noch mal.", "Kein Problem, „{target}“ kommt später wieder."),
        "welcome": ("Gern geschehen.", "Bitte schön.", "Kein Problem."),
        "goodbye": ("Okay, tschüss! Danke für heute.", "Auf Wiedersehen! Bis bald."),
        "again": ("Bis zum nächsten Mal!", "Bis dann!", "Mach's gut!", "Bis später!"),
        "invite_question": ("Möchtest du mich etwas fragen?",),
        "finished": ("Damit ist unsere Übung für heute zu Ende.",),
        "after": (
            "Unsere Übung ist für heute vorbei. Bis bald!",
            "Gut gemacht heute! Probier nächstes Mal eine andere Situation.",
            "Es hat Spaß gemacht, mit dir zu sprechen. Tschüss!",
            "Das hast du heute sehr gut gemacht.",
            "Komm gern wieder zum Üben.",
            "Danke noch mal. Bis zum nächsten Mal!",
        )
        + _combined(
            ("Verstehe.", "Genau.", "Schön.", "Okay."),
            (
                "Wir sprechen bald wieder.",
                "Nächstes Mal machen wir weiter.",
                "Für heute hören wir hier auf.",
                "Bis zum nächsten Mal.",
                "Ich freue mich schon aufs nächste Mal.",
                "Erhol dich gut.",
            ),
            " ",
        ),
        "say_word": ("„{query}“ heißt „{reading}“.",),
        "say_word_kanji": (),
        "say_word_missing": ("Tut mir leid, hier kann ich keine Wörter nachschlagen.",),
    },
    "italian": {
        "ask_again": ("A proposito, {lowered}", "Allora, {lowered}"),
        "hint": (
            "Per esempio, puoi dire: «{text}»",
            "Che ne dici di: «{text}»?",
            "Prova a dire: «{text}»",
            "Puoi dire «{text}», per esempio.",
        ),
        "move_on": (
            "Non importa. Andiamo avanti.",
            "Va bene. Ecco un'altra domanda.",
            "Nessun problema, parliamo d'altro.",
            "Ok, continuiamo.",
        ),
        "unknown": ("Mi dispiace, non lo so.", "Mmm, non lo so bene.", "Scusa, questo non lo so."),
        "invite": (
            "Pratichiamo «{target}». Mi dici qualcosa di te con «{target}»?",
            "Adesso prova «{target}»: che cosa puoi dire?",
            "Raccontami un po' della tua giornata con «{target}».",
        ),
        "invite_mistake": (
            "L'ultima volta abbiamo lavorato su «{target}». Puoi dire una frase con «{target}»?",
            "Riproviamo «{target}»: di' una frase con questa espressione.",
        ),
        "praise_target": ("Ben usato, «{target}»!", "Bene, hai usato «{target}» correttamente!"),
        "target_later": ("Proviamo «{target}» più tardi.", "Nessun problema, torniamo a «{target}» dopo."),
        "welcome": ("Prego.", "Di niente.", "Figurati."),
        "goodbye": ("Va bene, ciao! Grazie per oggi.", "Arrivederci! Ci sentiamo presto."),
        "again": ("Alla prossima!", "A dopo!", "Buona giornata!", "Ci vediamo!"),
        "invite_question": ("Vuoi chiedermi qualcosa?",),
        "finished": ("La nostra pratica di oggi finisce qui.",),
        "after": (
            "La pratica di oggi è finita. A presto!",
            "Ottimo lavoro oggi! La prossima volta prova un'altra situazione.",
            "È stato bello parlare con te. Ciao!",
            "Oggi sei andato benissimo.",
            "Torna a esercitarti quando vuoi.",
            "Grazie ancora. Arrivederci!",
        )
        + _combined(
            ("Capisco.", "Certo.", "Che bello.", "Va bene."),
            (
                "Ci sentiamo presto.",
                "Continuiamo la prossima volta.",
                "Per oggi ci fermiamo qui.",
                "Alla prossima volta.",
                "Non vedo l'ora di risentirti.",
                "Riposati bene.",
            ),
            " ",
        ),
        "say_word": ("«{query}» si dice «{reading}».",),
        "say_word_kanji": (),
        "say_word_missing": ("Mi dispiace, qui non posso cercare le parole.",),
    },
    "portuguese": {
        "ask_again": ("Aliás, {lowered}", "Então, {lowered}"),
        "hint": (
            "Por exemplo, você pode dizer: «{text}»",
            "Que tal: «{text}»?",
            "Tente dizer: «{text}»",
            "Você pode dizer «{text}», por exemplo.",
        ),
        "move_on": (
            "Não tem problema. Vamos continuar.",
            "Tudo bem. Outra pergunta.",
            "Sem problema, vamos falar de outra coisa.",
            "Certo, vamos em frente.",
        ),
        "unknown": ("Desculpe, não sei.", "Hum, não tenho certeza.", "Perdão, isso eu não sei."),
        "invite": (
            "Vamos praticar «{target}». Você me conta algo sobre você com «{target}»?",
            "Agora tente «{target}»: o que você pode dizer?",
            "Me conte um pouco do seu dia com «{target}».",
        ),
        "invite_mistake": (
            "Da última vez praticamos «{target}». Você pode dizer uma frase com «{target}»?",
            "Vamos praticar «{target}» de novo: diga uma frase com essa expressão.",
        ),
        "praise_target": ("Muito bem usado, «{target}»!", "Boa! Você usou «{target}» corretamente."),
        "target_later": ("Tentamos «{target}» mais tarde.", "Sem problema, voltamos a «{target}» depois."),
        "welcome": ("De nada.", "Imagina!", "Não há de quê."),
        "goodbye": ("Certo, tchau! Foi bom conversar.", "Tchau! A gente se fala."),
        "again": ("Até mais!", "Até breve!", "Um abraço!", "Fique bem!"),
        "invite_question": ("Quer me perguntar alguma coisa?",),
        "finished": ("Aqui termina a nossa prática de hoje.",),
        "after": (
            "A prática de hoje já acabou. Até logo!",
            "Muito bem hoje! Da próxima vez, experimente outra situação.",
            "Foi bom conversar com você. Tchau!",
            "Você foi muito bem hoje.",
            "Volte para praticar quando quiser.",
            "Foi um prazer. Até a próxima!",
        )
        + _combined(
            ("Entendi.", "Claro.", "Que legal.", "Certo."),
            (
                "A gente se fala em breve.",
                "Continuamos na próxima vez.",
                "Por hoje é só.",
                "Até a próxima vez.",
                "Já estou esperando a próxima conversa.",
                "Descanse bem.",
            ),
            " ",
        ),
        "say_word": ("«{query}» se diz «{reading}».",),
        "say_word_kanji": (),
        "say_word_missing": ("Desculpe, aqui não consigo procurar palavras.",),
    },
}

# The languages the partner speaks: the engine has words of its own for them and content/ ships a
# small-talk script for each (free-form sessions follow it). A session in any other is refused.
SPOKEN = frozenset(PHRASES)
