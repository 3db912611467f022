"""Words unidic-lite misreads, with the reading a beginner's textbook gives them (bench/readings.py checks them).

A word is put right only where the tagger's own word boundaries fall around it, so 行っ is いっ in 行った
but 行 inside 旅行 keeps the tagger's reading.
"""

EXCEPTIONS: dict[str, str] = {
    "羽田空港": "はねだくうこう",
    "羽田": "はねだ",
    "成田空港": "なりたくうこう",
    "私": "わたし",  # unidic-lite gives the formal わたくし
    "日本": "にほん",  # にっぽん is the formal reading
    "日本語": "にほんご",
    "日本人": "にほんじん",
    "行っ": "いっ",  # 行った, 行って: unidic-lite reads おこなっ
    "明日": "あした",  # あす is formal
    "何時": "なんじ",  # unidic-lite: なんどき
    "一昨日": "おととい",
    "明後日": "あさって",
    "二十歳": "はたち",
    "富士山": "ふじさん",
    "大人": "おとな",
    "今日": "きょう",
}
