"""Golden conversations: each shipped scenario played through offline, learner turns in, partner lines and goals out.

Each table is one full session a learner could have: the scenario's own suggested replies
("Help me reply"), with a question from the facts or a turn that fits nothing woven in. A change
to a script or to the engine that alters what the partner says shows here, line by line.
"""

import pytest
from django.conf import settings

from partner.scenarios.engine import ScenarioState, scenario_build, scenario_reply
from templates.loader import template_sources_read

SOURCES = {
    source.source_path: source for source in template_sources_read(root=settings.BASE_DIR / "content" / "templates")
}

GOLDEN = {
    "english/beginner/small-talk.yaml": [
        ("Hi Sam. I'm Alex.", ["Nice to meet you, Alex!", "Where are you from?"], ["name"]),
        ("I come from Brazil.", ["Oh, Brazil! I've always wanted to go there.", "What do you do?"], ["from"]),
        (
            "I'm a student.",
            ["That sounds interesting. I'm a nurse myself.", "What do you like doing in your free time?"],
            ["work"],
        ),
        ("What do you do, Sam?", ["I'm a nurse at a hospital in Manchester.", "Have you got any hobbies?"], []),
        (
            "I like reading and cooking.",
            ["Oh, reading and cooking! Nice.", "Any plans for the weekend?"],
            ["like"],
        ),
        (
            "I'm going to visit my family.",
            [
                "That sounds great. I'm just going to relax.",
                "It was really nice talking to you. Speak soon!",
                "That's the end of our practice for today.",
            ],
            ["plans"],
        ),
    ],
    "french/beginner/small-talk.yaml": [
        ("Je m'appelle Sam.", ["Enchantée, Sam !", "Et toi, tu viens d'où ?"], ["name"]),
        (
            "Je viens du Canada.",
            ["Canada ? Je ne connais pas encore, mais j'aimerais bien y aller.", "Qu'est-ce que tu fais dans la vie ?"],
            ["from"],
        ),
        ("Et toi ?", ["Moi, je suis boulangère.", "Tu travailles ou tu étudies ?"], []),
        (
            "Je suis étudiant.",
            ["C'est intéressant ! Moi, je suis boulangère.", "Qu'est-ce que tu aimes faire le week-end ?"],
            ["work"],
        ),
        ("J'aime lire.", ["Ah, lire ! Moi aussi, j'adore ça !", "Et ce week-end, qu'est-ce que tu fais ?"], ["like"]),
        (
            "Je vais voir mes amis.",
            [
                "Super programme !",
                "C'était super de parler avec toi ! À bientôt et bon week-end !",
                "C'est la fin de notre pratique pour aujourd'hui.",
            ],
            ["plans"],
        ),
    ],
    "german/beginner/small-talk.yaml": [
        ("Ich heiße Sam.", ["Freut mich, Sam!", "Woher kommst du?"], ["name"]),
        ("Wo wohnst du?", ["Ich wohne in Hamburg, in der Nähe vom Hafen.", "Und wo wohnst du?"], []),
        (
            "Ich komme aus Kanada.",
            ["Kanada? Da war ich noch nie, aber ich möchte gern hin.", "Was machst du beruflich?"],
            ["from"],
        ),
        ("Ich bin Student.", ["Interessant! Ich bin Gärtner.", "Was machst du gern in deiner Freizeit?"], ["work"]),
        ("Ich lese gern.", ["Toll! Ich segle gern auf der Alster.", "Was machst du am Wochenende?"], ["like"]),
        (
            "Ich besuche meine Freunde.",
            [
                "Das klingt gut!",
                "Es war schön, mit dir zu sprechen! Bis bald und ein schönes Wochenende!",
                "Damit ist unsere Übung für heute zu Ende.",
            ],
            ["plans"],
        ),
    ],
    "italian/beginner/small-talk.yaml": [
        ("Mi chiamo Sam.", ["Piacere, Sam!", "Di dove sei?"], ["name"]),
        ("Sono canadese.", ["Che bello! Non ci sono mai stata.", "Che lavoro fai?"], ["from"]),
        (
            "Sono studente.",
            ["Interessante! Io sono insegnante di musica.", "Che cosa ti piace fare nel tempo libero?"],
            ["work"],
        ),
        ("Mmm...", ["Ti piace la musica? E lo sport?"], []),
        (
            "Mi piace leggere.",
            ["Ah, leggere! Piace molto anche a me!", "Che cosa fai questo fine settimana?"],
            ["like"],
        ),
        (
            "Vado a trovare i miei amici.",
            [
                "Che bel programma!",
                "È stato bello parlare con te! A presto e buon fine settimana!",
                "La nostra pratica di oggi finisce qui.",
            ],
            ["plans"],
        ),
    ],
    "japanese/beginner/business.yaml": [
        (
            "おはようございます。スミスと申します。",
            ["スミスさんですね。こちらこそ、よろしく おねがいします。", "これは わたしの めいしです。どうぞ。"],
            ["intro"],
        ),
        (
            "ありがとうございます。ちょうだいします。",
            ["めいしは りょうてで もらいます。いいですね。", "きょうは かいぎが あります。"],
            ["cards"],
        ),
        (
            "会議は何時からですか。",
            ["10じからです。3がいの かいぎしつです。", "かいぎの あとで、いっしょに ひるごはんを たべませんか。"],
            [],
        ),
        (
            "はい、ぜひおねがいします。",
            [
                "じゃあ、12じに いきましょう。しょくどうの カレーが おいしいですよ。",
                "もう 6じですね。きょうは どうでしたか。",
            ],
            ["schedule"],
        ),
        (
            "おつかれさまでした。",
            [
                "おつかれさまでした。また あした。",
                "あしたも よろしく おねがいします。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["greetings"],
        ),
    ],
    "japanese/beginner/casual.yaml": [
        # A beginner's small talk, kana-first: greeted back, asked back, a kana place name kept whole.
        ("こんにちは！", ["こんにちは！", "わたしは ゆきです。あなたの なまえは？"], []),
        (
            "アイコです。よろしくおねがいします。",
            ["アイコさん、はじめまして！", "アイコさんは どこから きましたか。"],
            ["name"],
        ),
        (
            "カナダから きました。ゆきさんは？",
            ["カナダですか！いいですね。", "わたしは とうきょうの 人です。", "おしごとは なんですか。がくせいですか。"],
            ["home", "ask-back"],
        ),
        (
            "だいがくせいです。にほんごを べんきょうしています。",
            ["にほんごを べんきょうして いるんですね。すごい！", "しゅみは なんですか。わたしは アニメが すきです。"],
            ["work"],
        ),
        (
            "アニメが だいすきです。ゆきさんも アニメが すきですか。",
            [
                "アニメですか！いいですね。",
                "わたしは アニメと ハイキングが すきです。カフェも すきです。",
                "アイコさん、しゅうまつは なにを しますか。",
            ],
            ["likes"],
        ),
        (
            "しゅうまつは きょうとに いきます。",
            [
                "きょうとですか。いいですね！",
                "アイコさん、きょうは たのしかったです。また はなしましょう！",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["weekend"],
        ),
        ("たのしみです。じゃあ、また！", ["また はなしましょうね。"], []),
    ],
    "japanese/beginner/directions.yaml": [
        (
            "すみません、郵便局はどこですか。",
            [
                "郵便局ですね。ちかいですよ。",
                "この みちを まっすぐ いって、ふたつめの かどを みぎに まがって ください。",
            ],
            ["where"],
        ),
        (
            "まっすぐ行って、二つ目のかどを右にまがるんですね。",
            ["はい、そうです。かどに ぎんこうが あります。", "郵便局は ぎんこうの となりに あります。"],
            ["route"],
        ),
        ("遠いですか。", ["いいえ、あるいて 5ふんぐらいです。", "わかりましたか。"], []),
        (
            "わかりました。ありがとうございます。",
            [
                "いいえ、どういたしまして。",
                "きを つけて いって くださいね。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["far"],
        ),
    ],
    "japanese/beginner/doctor.yaml": [
        ("のどが痛いです。", ["のどが いたいんですね。それは つらいですね。", "いつからですか。"], ["symptom"]),
        ("昨日からです。", ["昨日からですね。わかりました。", "ねつは ありますか。"], ["since"]),
        (
            "はい、三十八度あります。",
            [
                "そうですか。ちょっと みせて ください。",
                "しんぱい ありませんよ。くすりを だします。いちにち 3かい、ごはんの あとに のんで ください。",
            ],
            ["fever"],
        ),
        (
            "お風呂に入ってもいいですか。",
            [
                "ねつが なければ、シャワーは だいじょうぶです。",
                "だいじょうぶですよ。この くすりを あさと ひると よる、ごはんの あとに のんで ください。",
            ],
            [],
        ),
        (
            "わかりました。一日三回飲みます。",
            ["みっかぶん だしますね。よく ねて ください。", "また なにか あったら きて ください。"],
            [],
        ),
        (
            "ありがとうございました。",
            ["おだいじに。", "はやく よく なって くださいね。", "これで きょうの れんしゅうは おわりです。"],
            ["medicine"],
        ),
    ],
    "japanese/beginner/hobbies.yaml": [
        ("趣味は料理です。", ["料理ですか！いいですね。", "よく しますか。"], ["hobby"]),
        ("毎日します。", ["そんなに よく するんですか！すごいですね。", "いつから やって いますか。"], []),
        (
            "子どものときからです。はるかさんは？",
            [
                "そんなに ながいんですね！",
                "わたしは 12さいから ギターを ひいて います。",
                "らいしゅう みんなで カラオケに いきます。いっしょに いきませんか。",
            ],
            ["often", "ask"],
        ),
        (
            "はい、行きたいです！",
            ["よかった！みんな よろこびます。", "じゃあ、どようびの 6じに えきで あいましょう。"],
            [],
        ),
        (
            "わかりました。楽しみです。",
            ["わたしも たのしみです！", "じゃあ、また どようびに！", "これで きょうの れんしゅうは おわりです。"],
            ["join"],
        ),
    ],
    "japanese/beginner/hotel.yaml": [
        (
            "チェックインおねがいします。スミスです。",
            ["スミスさまですね。ごよやく、ありがとう ございます。", "なんぱくですか。"],
            ["checkin"],
        ),
        (
            "二泊です。",
            ["はい、わかりました。おへやは 8かいの 805ごうしつです。", "ほかに なにか ごしつもんは ありますか。"],
            ["nights"],
        ),
        ("チェックアウトは何時ですか。", ["チェックアウトは 11じです。", "なにか ききたい ことは ありますか。"], []),
        (
            "朝ご飯は何時からですか。",
            [
                "あさごはんは 7じから 9じはんまでです。2かいの レストランです。",
                "あさごはんの けんは こちらです。ほかに なにか ありますか。",
            ],
            ["breakfast"],
        ),
        (
            "Wi-Fiはありますか。",
            [
                "ワイファイは むりょうです。パスワードは かぎの かみに あります。",
                "エレベーターは あちらです。ごゆっくり どうぞ。",
            ],
            [],
        ),
        (
            "ありがとうございます。",
            [
                "こちらこそ、ありがとう ございます。",
                "おやすみなさいませ。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["wifi"],
        ),
    ],
    "japanese/beginner/introductions.yaml": [
        (
            "はじめまして。エマです。",
            ["エマさんですね。どうぞ、はいって ください。", "おくには どちらですか。"],
            ["name"],
        ),
        ("イギリスから来ました。", ["イギリスですか！とおいですね。", "おしごとは？がくせいさんですか。"], ["from"]),
        (
            "大学生です。日本語を勉強しています。",
            [
                "そうですか。がんばって くださいね。",
                "きょうの ばんごはんは なにが いいですか。すきな たべものは なんですか。",
            ],
            ["job"],
        ),
        (
            "すしが好きです。",
            ["すしですね。わかりました。こんばん つくりますね。", "きょうから ここが あなたの うちですよ。"],
            ["food"],
        ),
        (
            "どうぞよろしくおねがいします。",
            [
                "こちらこそ、よろしく おねがいします。",
                "これから よろしくね。さあ、ばんごはんに しましょう。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["thanks"],
        ),
    ],
    "japanese/beginner/konbini.yaml": [
        ("えっと…", ["おべんとう、でんしレンジで あたためますか。"], []),
        (
            "はい、おねがいします。",
            ["はい、しょうしょう おまち ください。", "650えんです。おしはらいは どうしますか。"],
            ["heat"],
        ),
        ("カードでおねがいします。", ["カードですね。どうぞ。", "ふくろは ごりようですか。"], ["pay"]),
        (
            "袋はいりません。",
            ["はい、わかりました。おはしも いれますね。", "ありがとう ございます。ほかに なにか ありますか。"],
            ["bag"],
        ),
        ("トイレはどこですか。", ["あちらです。いりぐちの みぎです。", "おべんとう、あたたまりました。どうぞ。"], []),
        (
            "ありがとうございます。",
            ["ありがとう ございました。", "また おこし ください。", "これで きょうの れんしゅうは おわりです。"],
            ["ask"],
        ),
    ],
    "japanese/beginner/phone.yaml": [
        (
            "もしもし、予約をしたいです。",
            ["ごよやくですね。ありがとう ございます。", "なんようびの なんじですか。"],
            ["book"],
        ),
        (
            "土曜日の七時におねがいします。",
            ["土曜日の 七時ですね。だいじょうぶですよ。", "おなまえと おでんわばんごうを おねがいします。"],
            ["when"],
        ),
        (
            "ブラウンです。電話番号は090-1234-5678です。",
            ["ブラウンさまですね。ありがとう ございます。", "なんめいさまですか。"],
            [],
        ),
        (
            "二人です。",
            ["はい、わかりました。カウンターの せきに なります。", "ほかに なにか ありますか。"],
            ["people"],
        ),
        (
            "よろしくおねがいします。失礼します。",
            [
                "はい、ありがとう ございます。",
                "では、おまちして います。しつれいします。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["name"],
        ),
    ],
    "japanese/beginner/restaurant.yaml": [
        ("一人です。", ["一人ですね。こちらへ どうぞ。", "メニューです。なにに しますか。"], ["party"]),
        (
            "おすすめは何ですか。",
            ["からあげていしょくが いちばん にんきですよ。", "こちら、メニューです。ごちゅうもんは？"],
            [],
        ),
        (
            "からあげ定食をください。",
            ["からあげ定食ですね。かしこまりました。", "おのみものは いかがですか。"],
            ["order"],
        ),
        (
            "お茶をください。",
            ["お茶ですね。すぐ もって きます。", "おまたせしました。どうぞ。あついですから、きを つけて ください。"],
            ["drink"],
        ),
        ("いただきます。", ["どうぞ、めしあがって ください。", "ほかに なにか いかがですか。"], []),
        (
            "お会計をおねがいします。",
            [
                "はい、からあげ定食は 1,000えんです。レジで おねがいします。",
                "1,000えん ちょうど いただきます。レシートです。",
            ],
            ["bill"],
        ),
        (
            "ごちそうさまでした。",
            ["ありがとう ございました。", "また きて くださいね！", "これで きょうの れんしゅうは おわりです。"],
            ["thanks"],
        ),
    ],
    "japanese/beginner/shopping.yaml": [
        (
            "Tシャツをさがしています。",
            [
                "ティーシャツですね。こちらに たくさん ありますよ。",
                "いろは しろと くろと あおが あります。なにいろが いいですか。",
            ],
            ["want"],
        ),
        ("青がいいです。", ["青ですね。いい いろですね。", "サイズは どうしますか。"], ["colour"]),
        (
            "Mサイズをください。",
            ["Mサイズですね。どうぞ、きて みて ください。", "どうですか。よく にあって いますよ。"],
            ["size"],
        ),
        (
            "これはいくらですか。",
            ["ティーシャツは ぜんぶ 2,500えんです。", "おしはらいは げんきんですか、カードですか。"],
            [],
        ),
        (
            "カードでおねがいします。",
            [
                "ありがとう ございます。ふくろに いれますね。",
                "ありがとう ございました！また きて くださいね。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["price"],
        ),
    ],
    "japanese/beginner/small-talk.yaml": [
        ("はじめまして。サムです。", ["サムさん、よろしく おねがいします。", "どこから きましたか。"], ["name"]),
        ("アメリカから来ました。", ["アメリカですか。いいですね。", "おしごとは なんですか。"], ["from"]),
        # asked back: Aoi answers for herself, then asks again in other words
        ("あおいさんは？", ["わたしは ほんやで はたらいて います。", "がくせいですか。かいしゃいんですか。"], []),
        (
            "学生です。日本語を勉強しています。",
            ["日本語を べんきょうして いるんですね。すごい！", "なにが すきですか。"],
            ["work"],
        ),
        ("音楽が好きです。", ["音楽ですか！わたしも すきです。", "きょうは なにを しましたか。"], ["like"]),
        (
            "日本語を勉強しました。",
            [
                "へえ、いいですね！",
                "きょうは たのしかったです。また はなしましょう！",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["day"],
        ),
    ],
    "japanese/beginner/train.yaml": [
        (
            "新宿まで行きたいです。",
            ["新宿ですね。この せんで いけますよ。", "きっぷは あそこの きかいで かえます。"],
            ["destination"],
        ),
        (
            "切符はいくらですか。",
            ["しんじゅくまで 570えんです。", "きっぷを かったら、かいさつを とおって ください。"],
            ["ticket"],
        ),
        (
            "何番線ですか。",
            ["3ばんせんです。かいだんを あがって、みぎです。", "でんしゃは 10ぷんごとに きます。"],
            ["platform"],
        ),
        (
            "次の電車は何時ですか。",
            ["つぎの でんしゃは 10じ 15ふんです。しんじゅくまで 40ぷんぐらいです。", "わかりましたか。"],
            [],
        ),
        (
            "わかりました。ありがとうございます。",
            [
                "どういたしまして。きを つけて。",
                "では、いってらっしゃい。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["time"],
        ),
    ],
    "japanese/beginner/travel.yaml": [
        # Kana place names stay whole; the learner asks in kana as in kanji.
        (
            "きんかくじに いきたいです。",
            ["きんかくじですね。いいですね。", "きょうとは バスが べんりですよ。"],
            ["destination"],
        ),
        (
            "地図はありますか。",
            ["はい、ちずを どうぞ。えいごの ちずも あります。", "でんしゃも バスも ありますよ。"],
            [],
        ),
        ("なんばんの バスですか。", ["きんかくじへは 205ばんの バスです。", "バスは えきの まえから でます。"], []),
        (
            "バス乗り場はどこですか。",
            [
                "ちゅうおうぐちを でて、まっすぐ いって ください。バスのりばは えきの まえに あります。",
                "ビーの 3ばんの のりばから のって ください。",
            ],
            ["where"],
        ),
        (
            "どのぐらいかかりますか。",
            ["きんかくじまで バスで 40ぷんぐらいです。", "ほかに なにか ありますか。"],
            ["how"],
        ),
        ("いくらですか。", ["バスは おとな 230えんです。おりる とき、はらいます。", "わかりましたか。"], []),
        (
            "わかりました。ありがとうございます。",
            [
                "どういたしまして。",
                "いってらっしゃい。きょうとを たのしんで くださいね。",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["price"],
        ),
    ],
    "japanese/beginner/weather.yaml": [
        ("おはようございます。", ["きょうも げんきですね。", "きょうは ほんとうに あついですね。"], ["greet"]),
        (
            "そうですね。暑いですね。",
            ["そうですね。みずを たくさん のんで くださいね。", "あしたは あめですよ。かさを もって いますか。"],
            ["today"],
        ),
        (
            "はい、かさがあります。",
            ["あめの ひは すずしいですから、いいですね。", "どの きせつが いちばん すきですか。"],
            ["tomorrow"],
        ),
        (
            "春が好きです。さくらがきれいですから。",
            ["春ですか。いいですね。", "じゃあ、わたしは かいものに いきます。"],
            [],
        ),
        (
            "いってらっしゃい。",
            ["はい、いって きます。", "また おはなし しましょうね。", "これで きょうの れんしゅうは おわりです。"],
            ["season"],
        ),
    ],
    "japanese/beginner/weekend.yaml": [
        (
            "友達と買い物に行きました。",
            ["そうですか！いいですね。", "こんしゅうの しゅうまつは なにを しますか。"],
            ["last"],
        ),
        (
            "土曜日は掃除をします。",
            ["なるほど、いいですね。", "にちようびに いっしょに えいがを みませんか。"],
            ["plan"],
        ),
        (
            "いいですね。行きましょう。",
            ["やった！あたらしい アニメの えいがが ありますよ。", "なんじに どこで あいましょうか。"],
            ["invite"],
        ),
        (
            "一時に駅で会いましょう。",
            [
                "一時に 駅ですね。わかりました。",
                "じゃあ、にちようびに。たのしみに して います！",
                "これで きょうの れんしゅうは おわりです。",
            ],
            ["meet"],
        ),
    ],
    "portuguese/beginner/small-talk.yaml": [
        ("Eu me chamo Sam.", ["Prazer, Sam!", "De onde você é?"], ["name"]),
        ("Eu sou do Canadá.", ["Canadá? Nunca fui, mas eu quero muito conhecer.", "O que você faz?"], ["from"]),
        ("E você?", ["Eu sou enfermeira.", "Você trabalha ou estuda?"], []),
        (
            "Eu sou estudante.",
            ["Que interessante! Eu sou enfermeira.", "O que você gosta de fazer no tempo livre?"],
            ["work"],
        ),
        ("Eu gosto de ler.", ["Ah, ler! Eu também gosto muito!", "O que você vai fazer no fim de semana?"], ["like"]),
        (
            "Eu vou visitar os meus amigos.",
            [
                "Que programa bom!",
                "Foi muito bom conversar com você! Até logo e bom fim de semana!",
                "Aqui termina a nossa prática de hoje.",
            ],
            ["plans"],
        ),
    ],
    "spanish/beginner/cafe.yaml": [
        (
            "Buenos días. Un café con leche, por favor.",
            ["¡Un café con leche, marchando!", "¿Y para comer? Tenemos cruasanes y tostadas."],
            [],
        ),
        ("¿Tenéis wifi?", ["Sí, hay wifi. La contraseña está en la pizarra.", "¿Quieres algo de comer?"], []),
        ("Un cruasán, por favor.", ["Perfecto.", "¿Es para tomar aquí o para llevar?"], ["order"]),
        ("Para tomar aquí.", ["Muy bien, ahora mismo te lo preparo.", "Aquí tienes. ¿Algo más?"], ["here"]),
        ("No, gracias. ¿Cuánto es?", ["Son cuatro euros con cincuenta.", "¿Con tarjeta o en efectivo?"], ["price"]),
        (
            "Con tarjeta, por favor.",
            ["Perfecto, gracias. ¡Que tengas un buen día!", "¡Hasta mañana!", "Aquí termina nuestra práctica de hoy."],
            ["pay"],
        ),
    ],
    "spanish/beginner/small-talk.yaml": [
        ("Me llamo Sam.", ["¡Encantada, Sam!", "¿De dónde eres?"], ["name"]),
        ("Soy de Canadá.", ["¿De Canadá? ¡Qué bien!", "¿A qué te dedicas?"], ["from"]),
        ("Soy estudiante.", ["¡Qué interesante! Yo soy maestra.", "¿Qué te gusta hacer en tu tiempo libre?"], ["work"]),
        ("Me gusta leer.", ["¡A mí también me gusta!", "¿Qué vas a hacer este fin de semana?"], ["like"]),
        (
            "Voy a ver a mis amigos.",
            [
                "¡Qué plan tan bueno!",
                "¡Me ha gustado mucho hablar contigo! ¡Hasta pronto y buen fin de semana!",
                "Aquí termina nuestra práctica de hoy.",
            ],
            ["plans"],
        ),
    ],
}


def test_every_scripted_template_has_a_golden_conversation():
    scripted = {path for path, source in SOURCES.items() if source.content.script}
    assert scripted <= set(GOLDEN)


@pytest.mark.parametrize("path", sorted(GOLDEN))
def test_the_golden_conversation(path):
    # given the scenario's script, run offline from the opening
    source = SOURCES[path]
    content = source.content
    scenario = scenario_build(script=content.script, language=source.language, persona_name=content.persona.name)
    state = ScenarioState()
    for learner, partner, reached in GOLDEN[path]:
        # when the learner says their turn
        reply = scenario_reply(scenario=scenario, state=state, text=learner)
        state = reply.state
        # then the partner says exactly these lines and these goals are ticked
        assert (reply.lines, reply.reached) == (partner, reached), learner
    # and the scenario is over: every beat answered, every goal the beats serve reached
    beats = content.script.beats
    assert state.finished
    assert set(state.done) == {beat.id for beat in beats}
    assert set(state.reached) >= {beat.goal for beat in beats}


def test_small_talk_with_a_new_friend_reacts_to_what_the_learner_said_and_never_repeats_itself():
    # given the casual scenario, played as in its golden conversation
    source = SOURCES["japanese/beginner/casual.yaml"]
    scenario = scenario_build(
        script=source.content.script, language="japanese", persona_name=source.content.persona.name
    )
    state, lines = ScenarioState(), []
    for learner, _, _ in GOLDEN["japanese/beginner/casual.yaml"]:
        reply = scenario_reply(scenario=scenario, state=state, text=learner)
        state, lines = reply.state, lines + reply.lines
    said = " ".join(lines)
    # then Yuki named the learner, their country, what they study, what they like and where they are going
    assert all(word in said for word in ["アイコさん", "カナダ", "にほんご", "アニメですか", "きょうとですか"])
    # and never said a line twice
    assert len(lines) == len(set(lines))


def _played(path: str, *turns: str):
    """The shipped scenario, and its state after the learner's `turns`."""
    source = SOURCES[path]
    scenario = scenario_build(
        script=source.content.script, language=source.language, persona_name=source.content.persona.name
    )
    state = ScenarioState()
    for text in turns:
        state = scenario_reply(scenario=scenario, state=state, text=text).state
    return scenario, state


@pytest.mark.parametrize(
    ("path", "answer", "place", "goal", "reaction"),
    [
        ("japanese/beginner/casual.yaml", "ブラジルからです。", "ブラジル", "home", "{}ですか！いいですね。"),
        ("japanese/beginner/casual.yaml", "カナダからです。", "カナダ", "home", "{}ですか！いいですね。"),
        # in kana, where the tagger reads にほんから as one word unless told
        ("japanese/beginner/casual.yaml", "にほんからです。", "にほん", "home", "{}ですか！いいですね。"),
        ("japanese/beginner/small-talk.yaml", "にほんからです。", "にほん", "from", "{}ですか。いいですね。"),
        ("japanese/beginner/small-talk.yaml", "ブラジルからです", "ブラジル", "from", "{}ですか。いいですね。"),
        # and by name only: never taken for a job, the question after it
        ("japanese/beginner/small-talk.yaml", "アメリカです。", "アメリカ", "from", "{}ですか。いいですね。"),
    ],
)
def test_a_beginners_short_answer_to_where_they_are_from_is_heard(path, answer, place, goal, reaction):
    # given a small-talk scenario, the learner named, the partner asking where they are from
    scenario, state = _played(path, "こんにちは。レオです。")

    # when the learner answers the short way beginners do, 〜からです
    reply = scenario_reply(scenario=scenario, state=state, text=answer)

    # then the partner takes the country in and moves on, rather than asking again
    assert reply.reached == [goal] and reply.lines[0] == reaction.format(place)


def test_what_a_beginner_says_after_a_comma_is_echoed_alone():
    # given the casual scenario at Yuki's question about hobbies
    scenario, state = _played("japanese/beginner/casual.yaml", "レオです。", "カナダからです。", "がくせいです。")

    # when the learner answers with the time first, after a comma
    reply = scenario_reply(scenario=scenario, state=state, text="しゅうまつ、えいがを みました。")

    # then Yuki names the film, not 'しゅうまつえいが'
    assert reply.reached == ["likes"] and reply.lines[0] == "えいがですか！いいですね。"


def test_talking_about_your_day_ticks_its_goal_in_japanese_small_talk():
    # given Aoi's small talk up to her question about the learner's day
    scenario, state = _played(
        "japanese/beginner/small-talk.yaml",
        "サラです。",
        "アメリカから きました。",
        "がくせいです。",
        "りょうりが すきです。",
    )
    assert scenario.beats[state.beat].id == "day"

    # when the learner says what they did
    reply = scenario_reply(scenario=scenario, state=state, text="しゅうまつ こうえんに いきました。")

    # then the goal "Talk about your day or your plans" is reached and the chat closes warmly
    assert reply.reached == ["day"] and reply.lines[0] == "へえ、いいですね！"


def test_the_learner_asking_the_partners_own_question_back_gets_her_answer():
    # given Aoi's small talk at her question about the learner's day
    scenario, state = _played(
        "japanese/beginner/small-talk.yaml", "サラです。", "アメリカから きました。", "がくせいです。", "すしが すき"
    )

    # when the learner asks her about the weekend instead of answering
    reply = scenario_reply(scenario=scenario, state=state, text="しゅうまつ なにを しますか？")

    # then she answers for herself and asks again; the question is no answer, so no goal and no goodbye
    assert reply.lines[:2] == [
        "きょうは こうえんを さんぽしました。しゅうまつは ともだちと カフェに いきます。",
        "しゅうまつは なにを しますか。",
    ]
    assert reply.reached == [] and not reply.finished
    # and the learner's own answer then reaches the goal
    assert scenario_reply(scenario=scenario, state=reply.state, text="えいがを みます。").reached == ["day"]


def test_asked_how_to_say_a_whole_sentence_the_partner_gives_an_answer_to_her_question():
    from language.japanese.dictionary import lookup

    # given Aoi asking where the learner is from
    scenario, state = _played("japanese/beginner/small-talk.yaml", "ジョンです")

    # when the learner asks how to say a sentence the dictionary has no entry for
    reply = scenario_reply(scenario=scenario, state=state, text="How do you say 'I am from England'?", lookup=lookup)

    # then she says so and gives a sample answer to her question, rather than asking something else
    assert reply.lines == [
        "すみません、「I am from England」は じしょに ありません。",
        "たとえば「アメリカから来ました（アメリカからきました）」と いえます。",
    ]


# The casual scenario to its last question, the learner never asking Yuki anything back, and its closing.
_NEVER_ASKING = (
    "こんにちは！",
    "アイコです。よろしくおねがいします。",
    "カナダから きました。",
    "だいがくせいです。にほんごを べんきょうしています。",
    "アニメが だいすきです。",
)
_CASUAL_CLOSING = [
    "アイコさん、きょうは たのしかったです。また はなしましょう！",
    "これで きょうの れんしゅうは おわりです。",
]


def test_before_closing_the_partner_invites_the_question_the_learner_has_not_asked():
    # given the casual scenario at its last question, its goal of asking Yuki something still open
    scenario, state = _played("japanese/beginner/casual.yaml", *_NEVER_ASKING)

    # when the learner answers it
    reply = scenario_reply(scenario=scenario, state=state, text="しゅうまつは きょうとに いきます。")

    # then Yuki reacts and invites a question rather than closing the practice
    assert reply.lines == ["きょうとですか。いいですね！", "わたしに なにか ききたい ことは ありますか。"]
    assert not reply.finished and "ask-back" not in reply.state.reached

    # when the learner asks one
    last = scenario_reply(scenario=scenario, state=reply.state, text="ゆきさんは なにが すきですか。")

    # then Yuki answers it, the goal is ticked, and only then does the practice close
    assert last.reached == ["ask-back"] and last.finished
    assert last.lines[-2:] == _CASUAL_CLOSING
    assert len(last.lines) > 2


def test_a_learner_with_no_question_for_the_partner_gets_the_closing():
    # given Yuki's invitation to ask her something
    scenario, state = _played("japanese/beginner/casual.yaml", *_NEVER_ASKING, "しゅうまつは きょうとに いきます。")

    # when the learner has nothing to ask
    reply = scenario_reply(scenario=scenario, state=state, text="いいえ、だいじょうぶです。")

    # then the practice closes, the goal left open, and the invitation is never said again
    assert reply.finished and reply.reached == []
    assert reply.lines == _CASUAL_CLOSING
    after = scenario_reply(scenario=scenario, state=reply.state, text="はい。")
    assert "わたしに なにか ききたい ことは ありますか。" not in after.lines


def test_a_learner_who_asks_back_in_the_last_answer_gets_the_closing_without_an_invitation():
    # given the casual scenario at its last question
    scenario, state = _played("japanese/beginner/casual.yaml", *_NEVER_ASKING)

    # when the learner answers it and asks Yuki the same
    reply = scenario_reply(scenario=scenario, state=state, text="しゅうまつは きょうとに いきます。ゆきさんは？")

    # then Yuki answers, the goal is ticked and the practice closes
    assert reply.reached == ["weekend", "ask-back"] and reply.finished
    assert "わたしに なにか ききたい ことは ありますか。" not in reply.lines
    assert reply.lines[-2:] == _CASUAL_CLOSING


@pytest.mark.parametrize(
    ("asked", "answer", "reached"),
    [
        # the last question asked back: the partner's own answer to it
        ("ゆきさんは？", "わたしは たかおさんに のぼります。", ["ask-back"]),
        # how she is: answered as how-are-you, not as a question she cannot answer
        ("げんきですか。", "げんきです！ありがとう。", []),
    ],
)
def test_what_the_learner_asks_when_invited_is_answered_before_the_closing(asked, answer, reached):
    # given Yuki's invitation to ask her something
    scenario, state = _played("japanese/beginner/casual.yaml", *_NEVER_ASKING, "しゅうまつは きょうとに いきます。")

    # when the learner asks
    reply = scenario_reply(scenario=scenario, state=state, text=asked)

    # then Yuki answers, then closes
    assert reply.lines == [answer, *_CASUAL_CLOSING]
    assert reply.reached == reached and reply.finished
