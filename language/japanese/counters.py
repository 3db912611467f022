"""How a number from one to ten sounds before a counter: the small っ, the voiced and the p-sounds that
a tagger reading word by word misses (一本 いっぽん, 三本 さんぼん, 六本 ろっぽん)."""

NUMBERS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "何": 0,
    "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10,
}  # fmt: skip


def _series(readings: str) -> dict[int, str]:
    """Readings for 何 (0), then one to ten, apart by spaces."""
    return dict(enumerate(readings.split(" ")))


_HON = _series("なんぼん いっぽん にほん さんぼん よんほん ごほん ろっぽん ななほん はっぽん きゅうほん じゅっぽん")
_HIKI = _series("なんびき いっぴき にひき さんびき よんひき ごひき ろっぴき ななひき はっぴき きゅうひき じゅっぴき")
_HAI = _series("なんばい いっぱい にはい さんばい よんはい ごはい ろっぱい ななはい はっぱい きゅうはい じゅっぱい")
_FUN = _series("なんぷん いっぷん にふん さんぷん よんぷん ごふん ろっぷん ななふん はっぷん きゅうふん じゅっぷん")
_KAI = _series("なんかい いっかい にかい さんかい よんかい ごかい ろっかい ななかい はっかい きゅうかい じゅっかい")
_FLOOR = _series("なんがい いっかい にかい さんがい よんかい ごかい ろっかい ななかい はっかい きゅうかい じゅっかい")
_SATSU = _series("なんさつ いっさつ にさつ さんさつ よんさつ ごさつ ろくさつ ななさつ はっさつ きゅうさつ じゅっさつ")
_KO = _series("なんこ いっこ にこ さんこ よんこ ごこ ろっこ ななこ はっこ きゅうこ じゅっこ")
_SAI = _series("なんさい いっさい にさい さんさい よんさい ごさい ろくさい ななさい はっさい きゅうさい じゅっさい")
_MAI = _series("なんまい いちまい にまい さんまい よんまい ごまい ろくまい ななまい はちまい きゅうまい じゅうまい")
_NIN = _series("なんにん ひとり ふたり さんにん よにん ごにん ろくにん ななにん はちにん きゅうにん じゅうにん")
_TSU = _series("いくつ ひとつ ふたつ みっつ よっつ いつつ むっつ ななつ やっつ ここのつ とお")
_DAYS = _series("なんにち ついたち ふつか みっか よっか いつか むいか なのか ようか ここのか とおか")
_MONTHS = _series("なんがつ いちがつ にがつ さんがつ しがつ ごがつ ろくがつ しちがつ はちがつ くがつ じゅうがつ")
_HOURS = _series("なんじ いちじ にじ さんじ よじ ごじ ろくじ しちじ はちじ くじ じゅうじ")
_WEEKS = _series(
    "なんしゅうかん いっしゅうかん にしゅうかん さんしゅうかん よんしゅうかん ごしゅうかん ろくしゅうかん "
    "ななしゅうかん はっしゅうかん きゅうしゅうかん じゅっしゅうかん"
)

COUNTERS: dict[str, dict[int, str]] = {
    "本": _HON, "匹": _HIKI, "杯": _HAI, "分": _FUN, "回": _KAI, "階": _FLOOR, "冊": _SATSU, "個": _KO,
    "歳": _SAI, "才": _SAI, "枚": _MAI, "人": _NIN, "つ": _TSU, "日": _DAYS, "月": _MONTHS, "時": _HOURS,
    "週間": _WEEKS,
}  # fmt: skip


def counter_reading(number: str, counter: str) -> str | None:
    """The reading of a number and its counter (三, 本 → さんぼん), or None when the pair is not known here.

    一日 is left out: it is ついたち as a date and いちにち as a span, and only the sentence can tell.
    """
    if number not in NUMBERS or counter not in COUNTERS or (number in ("一", "1") and counter == "日"):
        return None
    return COUNTERS[counter].get(NUMBERS[number])
