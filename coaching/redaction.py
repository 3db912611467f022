"""PII redaction of CV text before it is stored or sent to a provider.

Rule-based, in the positions a CV puts personal data: the name in the header lines, after
"Name:", "My name is" / "I'm", a title (Dr., Ms.) or a reference label ("Contact:", "Referee:"),
and a known first name (coaching/data/first_names.txt, its source in its header) followed by a
surname; once found, a name goes everywhere, with its parts and the handles and domains built
from it. Emails (also written "jane[at]doe.org", "jane (at) doe (dot) org", "jane at doe dot
com"), phone numbers in national and international formats, street addresses with what follows
them (city, state and ZIP, postcodes), and personal profile URLs go too.
Measured on bench/data/cvs_labelled.yaml by bench/redaction.py (recall, and what else it removed).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PLACEHOLDERS = {
    "EMAIL_ADDRESS": "[EMAIL]",
    "PHONE_NUMBER": "[PHONE]",
    "URL": "[URL]",
    "STREET_ADDRESS": "[ADDRESS]",
    "PERSON": "[NAME]",
}
FIRST_NAMES_FILE = Path(__file__).resolve().parent / "data" / "first_names.txt"

# --- emails -------------------------------------------------------------------------------------
# Every repetition is bounded and every pattern starts at a token's start, so a 50,000-character
# CV of one repeated character is still read in linear time (bench/redaction.py times the worst).
_W = r"[ \t]{0,3}"
_AT = rf"(?:{_W}@{_W}|{_W}\[{_W}at{_W}\]{_W}|{_W}\({_W}at{_W}\){_W}|{_W}\{{{_W}at{_W}\}}{_W}|{_W}<{_W}at{_W}>{_W})"
_DOT = rf"(?:\.|{_W}\[{_W}dot{_W}\]{_W}|{_W}\({_W}dot{_W}\){_W}|{_W}\{{{_W}dot{_W}\}}{_W})"
_EMAILS = [
    re.compile(
        rf"(?<![\w.%+-])[A-Za-z0-9._%+-]{{1,64}}{_AT}[A-Za-z0-9-]{{1,63}}(?:{_DOT}[A-Za-z0-9-]{{1,63}}){{1,6}}",
        re.IGNORECASE,
    ),
    # "jane doe at gmail dot com": the words around " at " and " dot ", lower case as people write it.
    re.compile(r"\b[a-z0-9._+-]{1,64}(?: [a-z0-9._+-]{1,64})? at [a-z0-9-]{1,63}(?: dot [a-z0-9-]{1,63}){1,4}\b"),
    # "k.mensah at outlook.com": a local part no sentence has (a dot, digit or _), or a webmail domain.
    re.compile(
        r"(?i)(?<![\w.+-])(?:[a-z0-9+-]{0,32}[._\d+][a-z0-9._+-]{0,32}|[a-z0-9._+-]{1,64}(?= at (?:gmail|googlemail"
        r"|outlook|hotmail|live|yahoo|icloud|me|proton|protonmail|gmx|web|mail|yandex|qq|163|aol|zoho)\.))"
        r" at [a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}\b"
    ),
]

# --- URLs ---------------------------------------------------------------------------------------
_PROFILE_HOSTS = (
    r"linkedin|github|gitlab|bitbucket|twitter|x|medium|behance|dribbble|stackoverflow|facebook|instagram"
    r"|youtube|tiktok|kaggle|codepen|substack|about\.me|t\.me|orcid|researchgate|scholar\.google|wa\.me"
)
_URLS = [
    re.compile(r"(?<![\w.])(?:https?://|www\.)[^\s<>()\"'|·,]{1,300}", re.IGNORECASE),
    re.compile(rf"\b(?:{_PROFILE_HOSTS})(?:\.(?:com|net|io|me))?/[^\s<>()\"'|·,]{{1,300}}", re.IGNORECASE),
    # A bare domain with a path: janedoe.dev/work, orcid.org/0000-...
    re.compile(
        r"(?<![\w@.-])(?:[a-z0-9-]{1,63}\.){1,6}(?:com|org|net|io|dev|me|co|info|page|site|app|blog|[a-z]{2})"
        r"/[^\s<>()\"'|·,]{1,300}"
    ),
    # A handle: @janedoe (not an e-mail's domain)
    re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])?\b"),
    # A bare domain where a CV labels a personal site.
    re.compile(
        r"(?i)\b(?:website|web|site|portfolio|blog|homepage|home page)\s*[:\-]?\s*\**\s*"
        r"(?P<v>[\w.-]{1,100}\.[a-z]{2,24}(?:/[^\s|·,]{0,300})?)"
    ),
]

# --- phones -------------------------------------------------------------------------------------
_SEP = r"[ \t.\-–]"
_PHONES = [
    # +44 20 7946 0958, +1 (202) 555-0199, +33 6 12 34 56 78, 0049 (0)30 1234567
    (re.compile(rf"(?<![\w+])(?:\+|00)\d{{1,3}}(?:{_SEP}?\(\d{{1,5}}\)\d{{0,7}}|{_SEP}\d{{1,7}}){{1,6}}(?!\w)"), 7),
    (re.compile(r"(?<![\w+])\+\d{7,15}(?!\w)"), 7),
    # (202) 555-0143, (+84) 912 345 678
    (re.compile(rf"(?<!\w)\(\+?\d{{1,5}}\)(?:{_SEP}?\d{{2,4}}){{2,4}}(?!\w)"), 7),
    # 612 34 56 78, 0412 345 678: three or more groups of digits, at least nine in all
    (re.compile(r"(?<![\w+.,/-])\d{2,4}(?:[ .-]\d{2,4}){2,4}(?![\w/-]|[.,]\d)"), 9),
    # 090-1234-5678, 0161 496 0321, 07700 900123, 06 12 34 56 78, 087 123 4567
    (re.compile(rf"(?<![\w+])0\d{{1,4}}(?:{_SEP}\d{{2,6}}){{1,4}}(?![\w])"), 7),
    # 98765 12345
    (re.compile(r"(?<![\w+.,/-])\d{5}[ .-]\d{5}(?![\w/-]|[.,]\d)"), 10),
    # 416-555-0123, 202.555.0187
    (re.compile(r"(?<![\w+.-])\d{3}[ .-]\d{3}[ .-]\d{4}(?![\w.-]|-\d)"), 7),
    # 555-0199: a seven-digit local number
    (re.compile(r"(?<![\w+./-])\d{3}[.-]\d{4}(?![\w/-]|\.\d|-\d)"), 7),
    # after a label, whatever digits follow: "Tel: 555 0199", "Mobile 0211 1234567"
    (
        re.compile(
            r"(?i)\b(?:phone|tel|telephone|mobile|mob|cell|call|ph|fax|whatsapp|t[ée]l[ée]phone|t[ée]l|telefon"
            r"|telefono|tfno)\b\.?[ \t]{0,3}[:.]?[ \t]{0,3}\**[ \t]{0,3}(?P<v>[+(]?\d[\d ()./–-]{5,30}\d)"
        ),
        7,
    ),
]
_YEARS = re.compile(r"^(?:19|20)\d\d(?:[ \t]*[-–][ \t]*(?:19|20)?\d\d|[ \t]+(?:19|20)\d\d)*$")

# --- addresses ----------------------------------------------------------------------------------
_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq"
    r"|Terrace|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Row|Gardens|Grove|Hill|Mews|Walk|Circle|Trail"
)
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Floor|Fl)\.?[ \t]*#?[\w-]+"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"
_CA_POSTCODE = r"[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
_STATES = (
    r"AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC"
    r"|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AB|BC|MB|NB|NL|NS|ON|PE|QC|SK"
)
_PLACE = r"[A-ZÀ-Þ][\w'’.-]{0,40}(?:[ \t][A-ZÀ-Þ][\w'’.-]{0,40}){0,2}"
_STREETS = [
    # 1600 Pennsylvania Avenue NW, 221B Baker Street, 45 Queen's Road
    re.compile(
        rf"(?:{_UNIT},[ \t]*)?\b\d{{1,6}}[A-Za-z]?,?[ \t]+(?:[A-ZÀ-Þ][\w'’.-]{{0,40}}[ \t]+){{1,4}}"
        rf"(?:{_STREET_TYPES})\b\.?"
        r"(?:[ \t]+(?:NW|NE|SW|SE|N|S|E|W|West|East|North|South)\b)?"
    ),
    # 12 rue de la Paix, 45 Calle Mayor, 15 Via Roma
    re.compile(
        rf"(?:{_UNIT},[ \t]*)?\b\d{{1,5}}(?:[ \t]?bis|[ \t]?ter)?,?[ \t]+"
        r"(?i:rue|avenue|av\.|boulevard|bd|allée|impasse|chemin|place|quai|calle|avenida|paseo|plaza|via|viale|piazza"
        r"|corso|rua|carrer)\b[^\n,|·]{1,40}"
    ),
    # Calle de Alcalá 42, Via Roma 15
    re.compile(
        r"\b(?:Calle|Avenida|Paseo|Plaza|Via|Viale|Piazza|Corso|Rua|Carrer|Rue)[ \t]+"
        r"(?:(?:de|del|di|da|la|le|do|dos)[ \t]+)*"
        r"[A-ZÀ-Þ][\w'’-]*(?:[ \t][A-ZÀ-Þ][\w'’-]*){0,2},?[ \t]+\d{1,4}[a-z]?\b"
    ),
    # P.O. Box 4521, PO Box 12
    re.compile(r"\b(?:P\.?[ \t]?O\.?[ \t]?Box|Post(?:al)? Office Box|Postfach|Apartado)[ \t]+\d+"),
    # Hauptstraße 5, Königsallee 12
    re.compile(
        r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)[ \t]+\d{1,4}[a-z]?\b"
    ),
]
# What may follow a street: ", Apt 4B", ", Austin", ", TX 78731", ", London NW1 6XE", ", 75002 Paris".
_ADDRESS_TAIL = re.compile(
    rf",?[ \t]*(?:{_UNIT}|(?:{_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?|(?:{_STATES})[ \t]+{_CA_POSTCODE}|{_UK_POSTCODE}"
    rf"|\d{{4,6}}[ \t]+{_PLACE}|{_PLACE}(?:[ \t]+(?:{_UK_POSTCODE}|\d{{1,6}}))?)(?=[ \t]*(?:[,\n|·]|$))"
)
_ADDRESSES = [
    # Washington, DC 20500; Toronto, ON M5X 1A9
    re.compile(rf"\b{_PLACE},[ \t]*(?:{_STATES})[ \t]+(?:\d{{5}}(?:-\d{{4}})?|{_CA_POSTCODE})\b"),
    # Leeds LS1 4DY, Bristol BS8 1QU (a UK postcode, with its town)
    re.compile(rf"\b(?:[A-Z][a-z]+[ \t]+)?{_UK_POSTCODE}\b"),
    # ", Bucharest 010063", ", 111 21 Stockholm", ", 00-590 Warszawa": a postcode beside its town
    re.compile(r",[ \t]*(?P<v>[A-ZÀ-Þ][\w'’-]*(?:[ \t][A-ZÀ-Þ][\w'’-]*)?[ \t]+\d{5,6})\b"),
    re.compile(r"(?:^|,)[ \t]*(?P<v>(?:\d{4,6}|\d{3}[ \t]\d{2}|\d{2}-\d{3})[ \t]+[A-ZÀ-Þ][\w'’-]+)", re.MULTILINE),
    # 〒150-0002 and the rest of the line
    re.compile(r"〒[ \t]?\d{3}-?\d{4}[^\n|·]*"),
    # Irish Eircode
    re.compile(r"\b[AC-FHKNPRTV-Y]\d{2}[ \t]?[0-9AC-FHKNPRTV-Y]{4}\b"),
    # the value of an address label
    re.compile(
        r"(?im)^[ \t*]*(?:(?:home|permanent|current|postal|mailing|residential|correspondence)[ \t]+)?"
        r"(?:address|adresse|anschrift|dirección|indirizzo|location|lives (?:at|in))"
        r"\**[ \t]*[:\-]?\**[ \t]*(?P<v>[^\n]+)$"
    ),
    re.compile(r"(?i)\blives (?:at|in)[ \t]+(?P<v>[^\n.]+)"),
]

# --- names --------------------------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W\d_]\.|[^\W\d_]+(?:['’-][^\W\d_]+)*(?:'s)?")
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "dos", "das", "la", "le", "bin",
              "bint", "ibn", "al", "el", "y", "ter", "ten"}  # fmt: skip
# Capitalised words of a CV that are not names: headings, titles, places, kinds of firm.
NOT_NAME = frozenset(
    re.findall(
        r"\S+",
        """
    curriculum vitae cv resume résumé lebenslauf profile summary professional personal details contact contacts
    experience education skills references reference objective work employment history projects languages
    certifications interests about me hobbies publications awards perfil name full email e-mail phone mobile tel
    address location website portfolio blog dear hello hi kind regards best thanks sincerely yours
    senior junior lead principal staff chief head manager director engineer developer designer analyst scientist
    consultant architect officer specialist assistant associate intern teacher nurse accountant administrator
    software backend frontend full stack data product project marketing sales financial civil mechanical
    operations support research team business technical executive president vice founder owner student
    graduate professor lecturer doctor pharmacist librarian writer editor
    street road avenue lane drive court way place square boulevard
    university college school institute academy hospital bank group inc ltd llc plc corp corporation
    company co gmbh ag sa labs lab technologies technology systems solutions services partners consulting
    holdings foundation ventures capital air lines airlines international global tech
    north south east west new old san santa saint st united kingdom states america
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    info admin jobs careers office mail noreply hr recruiting
    """,
    )
)
# Firms and schools named after people, whose first word is also a first name.
_FIRMS = re.compile(
    r"\b(?:Morgan Stanley|JPMorgan Chase|Goldman Sachs|Johnson & Johnson|Procter & Gamble|Ernst & Young"
    r"|Marks & Spencer|John Lewis|John Deere|Ralph Lauren|Tommy Hilfiger|Calvin Klein|Hugo Boss|Louis Vuitton"
    r"|Jimmy Choo|Ben & Jerry's|Wells Fargo|Charles Schwab|Grace Hopper|Alan Turing Institute|Georgia Tech)\b"
)
_LABELS = re.compile(
    r"(?im)(?:\b(?:full[ \t]+name|name|contact(?:[ \t]+person)?|referee|references?|supervisor|manager|mentor"
    r"|reports?[ \t]+to|signed|candidate|applicant|nombre|nom|vorname|nachname)|氏名|名前|お名前|姓名|이름)"
    r"\**[ \t]*[:\-–：]\**[ \t]*"
)
_RELATIONS = re.compile(
    r"(?i)\b(?:report(?:ed|ing|s)? to|work(?:ed|ing)? (?:closely )?(?:with|alongside|under)|alongside|supervised by"
    r"|mentored by|managed by|coached by|led by|trained by|together with|collaborat(?:ed|ing) with|partnered with"
    r"|assisted|assisting|succeeded|replacing)[ \t]+"
)
_SUFFIX = re.compile(r",?[ \t]+(?:Jr|Sr|II|III|IV|PhD|Ph\.D|MD|MBA|CPA|Esq)\b\.?")
_REFERENCES = re.compile(r"(?im)^[ \t#*]*(?:references?|referees?)[ \t*:]*\n(?P<body>(?:[ \t]*\S[^\n]*\n?){1,8})")
_LIST_MARK = re.compile(r"[ \t]*(?:[-*•·]|\d{1,2}[.)])?[ \t]*")
_PARTICLE_CHAIN = re.compile(r"(?:(?:" + "|".join(_PARTICLES) + r")[ \t]+)+", re.IGNORECASE)
_NAME_END = re.compile(r"[ \t]*(?:[,(\-–]|$)", re.MULTILINE)
_INTRO = re.compile(r"(?i)\b(?:my name is|my name's|i'm|i’m|i am|this is|call me)[ \t]+")
_TITLES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Sister|Brother|Father|Chef|Coach|Captain|Capt|Rev|Judge"
    r"|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.?[ \t]+"
)
# After a name, another joined to it: "with Eleni Georgiou and Nikos Pappas".
_AND = re.compile(r"[ \t]*(?:,|and|&|y|et|und)[ \t]+")
# Words before a capitalised pair that make it a firm, not a person: "at Eddie Stobart".
_FIRM_BEFORE = re.compile(r"(?i)(?:\b(?:at|for|joined)|employer:|company:|clients?:)[ \t]+$")
_SIGN_OFF = re.compile(
    r"(?im)^[ \t]*(?:kind regards|best regards|regards|sincerely|yours sincerely|yours faithfully|best wishes|"
    r"best|thanks|thank you|cordialement|mit freundlichen grüßen|saludos)[ \t]*,?[ \t]*\n[ \t]*"
)
_HEADER_SKIP = re.compile(
    r"(?i)^[#*_\s]*(?:curriculum(?: vitae)?|cv|resume|résumé|lebenslauf|履歴書|職務経歴書|personal details"
    r"|persönliche daten|datos personales|contact|student cv|personal statement)[\s*_:]*$"
)
_HEADER_SPLIT = re.compile(r"[|·•—–\t(]|\s-\s|\s{2,}|,\s*(?=\S*\d)")
_CJK_CHARS = r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"  # kana, kanji, hangul
_CJK = re.compile(rf"{_CJK_CHARS}+")
_CJK_NAME = re.compile(rf"^[ \t]*\([ \t]*(?P<v>{_CJK_CHARS}{{2,6}})[ \t]*\)")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _cased(token: str) -> bool:
    """A token written as a name: Capitalised, ALL CAPS, an initial, or a short run of CJK characters."""
    return token[0].isupper() or (len(token) <= 4 and _CJK.fullmatch(token) is not None)


def _name_run(text: str, start: int, *, limit: int = 5) -> tuple[int, list[str]]:
    """The name written at `start`: its end and its tokens (name-cased words, initials, inner particles).

    Tokens are joined by single spaces or tabs; a comma, a line end or a word in lower case ends it.
    """
    tokens, end, position = [], start, start
    while len(tokens) < limit:
        match = _TOKEN.match(text, position)
        if not match:
            break
        token = match.group()
        if token.lower() in _PARTICLES and tokens:
            # van der Berg, de la Cruz: particles count only when a name word follows them.
            chain = _PARTICLE_CHAIN.match(text, position)
            following = _TOKEN.match(text, chain.end()) if chain else None
            if following and _cased(following.group()):
                tokens += chain.group().split()
                position = chain.end()
                continue
            break
        if not _cased(token) or token.lower().removesuffix("'s") in NOT_NAME:
            break
        tokens.append(token)
        end = match.end()
        if text[end : end + 1] not in (" ", "\t"):
            break
        position = end + 1
    while tokens and tokens[-1].lower() in _PARTICLES:
        tokens.pop()
    return end, tokens


def _real_name(tokens: list[str], *, minimum: int = 2) -> bool:
    words = [t for t in tokens if t.lower() not in _PARTICLES]
    return len(words) >= minimum and not all(len(w) == 2 and w.endswith(".") for w in words)


def _header_names(text: str) -> list[tuple[int, int]]:
    """The candidate's name in the first lines: the first line (of three) that starts with a name."""
    offset, seen = 0, 0
    for line in text.splitlines(keepends=True):
        if seen == 3:
            break
        stripped = line.strip()
        if stripped and not _HEADER_SKIP.match(stripped):
            seen += 1
            lead = len(line) - len(line.lstrip(" \t#*"))
            while title := _TITLES.match(line, lead):
                lead = title.end()
            segment = _HEADER_SPLIT.split(line[lead:].rstrip("\n"))[0].rstrip(" ,*")
            # "Doe, Jane"
            inverted = re.fullmatch(r"([^\W\d_][\w'’-]+),[ \t]*([^\W\d_][\w'’-]+)", segment)
            if inverted and all(_cased(w) and w.lower() not in NOT_NAME for w in inverted.groups()):
                return [(offset + lead, offset + lead + len(segment))]
            end, tokens = _name_run(line, lead)
            end = _suffixed(line, end)
            if _real_name(tokens) and end - lead >= len(segment):
                spans = [(offset + lead, offset + end)]
                if cjk := _CJK_NAME.match(line[end:]):
                    spans.append((offset + end + cjk.start("v"), offset + end + cjk.end("v")))
                return spans
        offset += len(line)
    return []


def _suffixed(text: str, end: int) -> int:
    """The end of a name with its suffix: "Robert J. Williams Jr."."""
    if text[end : end + 1] == "." and re.search(r"(?<![^\W\d_])(?:Jr|Sr)$", text[:end]):
        return end + 1
    suffix = _SUFFIX.match(text, end)
    return suffix.end() if suffix else end


def _reference_names(text: str) -> list[tuple[int, int]]:
    """The names that open the lines of a References / Referees section: "2. Chinedu Eze, Head of ..."."""
    spans = []
    for section in _REFERENCES.finditer(text):
        offset = section.start("body")
        for line in section.group("body").splitlines(keepends=True):
            start = offset + _LIST_MARK.match(line).end()
            while title := _TITLES.match(text, start):
                start = title.end()
            end, tokens = _name_run(text, start, limit=4)
            if _real_name(tokens) and _NAME_END.match(text, end):
                spans.append((start, end))
            offset += len(line)
    return spans


def _names_after(pattern: re.Pattern, text: str, *, minimum: int) -> list[tuple[int, int]]:
    spans = []
    for match in pattern.finditer(text):
        start = match.end()
        while title := _TITLES.match(text, start):
            start = title.end()
        end, tokens = _name_run(text, start, limit=4)
        first = tokens[0].lower() if tokens else ""
        if not (_real_name(tokens, minimum=minimum) or (tokens and first in first_names())):
            continue
        spans.append((start, _suffixed(text, end)))
    return spans


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The names joined to found ones: "with Eleni Georgiou and Nikos Pappas" (after a comma, only a
    known first name: "Dr. Mei Chen, ETH Zürich" names a school)."""
    more, starts = [], {start for start, _ in spans}
    for _, end in spans:
        while (joined := _AND.match(text, end)) and joined.end() not in starts:
            end, tokens = _name_run(text, joined.end(), limit=4)
            comma = joined.group().strip() == ","
            if not _real_name(tokens) or (comma and tokens[0].lower() not in first_names()):
                break
            more.append((joined.end(), end))
            starts.add(joined.end())
    return more


def _first_name_pairs(text: str) -> list[tuple[int, int]]:
    """A known first name followed by a surname: "worked with Sophie Turner"."""
    firms = [m.span() for m in _FIRMS.finditer(text)]
    spans = []
    for match in re.finditer(r"(?<![\w'’@.-])[^\W\d_]+(?:-[^\W\d_]+)?", text):
        word = match.group()
        if not _cased(word) or word.lower() not in first_names():
            continue
        if any(a <= match.start() < b for a, b in firms) or _FIRM_BEFORE.search(
            text, max(0, match.start() - 12), match.start()
        ):
            continue
        end, tokens = _name_run(text, match.start(), limit=4)
        second = tokens[1].lower() if len(tokens) >= 2 else ""
        if second and second not in first_names() and second not in NOT_NAME or len(tokens) >= 3:
            spans.append((match.start(), end))
    return spans


def _known(names: list[str]) -> list[str]:
    """Each full name and its parts (so "Jane" alone goes too), longest first."""
    names = [" ".join(n.split()) for n in names if n and n.strip()]
    parts = {
        part.strip(".,")
        for name in names
        for part in re.split(r"[\s,]+", name)
        if len(part.strip(".,")) >= 2 and part.lower() not in _PARTICLES
    }
    return sorted({*names, *parts}, key=len, reverse=True)


def name_candidates(*, text: str, known_names: list[str]) -> tuple[list[str], list[str]]:
    """The names to remove from `text`: the person's own (known, or in the header) and every name
    found where a CV puts names, each with its parts."""
    own = [*known_names, *(text[a:b] for a, b in _header_names(text))]
    found = _names_after(_LABELS, text, minimum=2)
    found += _names_after(_INTRO, text, minimum=2)
    found += _names_after(_TITLES, text, minimum=1)
    found += _names_after(_SIGN_OFF, text, minimum=2)
    found += _names_after(_RELATIONS, text, minimum=2)
    found += _reference_names(text)
    found += _first_name_pairs(text)
    found += _joined(text, found)
    return _known(own), _known([*own, *(text[a:b] for a, b in found)])


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str


@dataclass(frozen=True)
class Redaction:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _span(match: re.Match, entity: str) -> Span:
    group = "v" if "v" in match.re.groupindex and match.group("v") else 0
    return Span(match.start(group), match.end(group), entity)


_ADDRESS_WORDS = {"de", "del", "di", "da", "la", "le", "do", "dos", "bis", "ter", "ul", "str", "no", "nr", "and"}
_ADDRESS_CHUNK = re.compile(r"^[ \t]*[\w][\w.'’/ \t-]{0,38}$")


def _address_head(text: str, start: int) -> int:
    """Where the address ending at a postcode begins: back over the comma-separated chunks of its line
    that read like address parts ("H.No. 45", "Sector 21", "5 Kings Parade"), never past a label or a
    separator."""
    # An address line is short: look back 200 characters at most.
    line_start = text.rfind("\n", max(0, start - 200), start) + 1 or max(0, start - 200)
    head = start
    before = text[line_start:start]
    if not before.rstrip(" \t").endswith(","):
        return head
    chunks = before.rstrip(" \t")[:-1].split(",")
    position = start - len(before) + len(before.rstrip(" \t")) - 1
    for chunk in reversed(chunks):
        words = chunk.split()
        if not _ADDRESS_CHUNK.match(chunk) or not words or len(words) > 5 or ":" in chunk:
            break
        position -= len(chunk)
        # "Lives at 350 Fifth Avenue": the address starts after the last word of a sentence.
        prose = [m for m in re.finditer(r"(?<!\S)[a-z]{2,}(?!\S)", chunk) if m.group() not in _ADDRESS_WORDS]
        if prose:
            return position + prose[-1].end() + len(chunk[prose[-1].end() :]) - len(chunk[prose[-1].end() :].lstrip())
        head = position + len(chunk) - len(chunk.lstrip())
        position -= 1
    return head


def _address_spans(text: str) -> list[Span]:
    spans = []
    for pattern in _ADDRESSES:
        for match in pattern.finditer(text):
            span = _span(match, "STREET_ADDRESS")
            end = span.start + len(text[span.start : span.end].rstrip(" \t.,;"))
            spans.append(Span(_address_head(text, span.start), end, span.entity))
    for pattern in _STREETS:
        for match in pattern.finditer(text):
            end = match.end()
            for _ in range(4):
                tail = _ADDRESS_TAIL.match(text, end)
                if not tail or tail.end() == end:
                    break
                end = tail.end()
            spans.append(Span(match.start(), end, "STREET_ADDRESS"))
    return spans


def _phone_spans(text: str) -> list[Span]:
    spans = []
    for pattern, least in _PHONES:
        for match in pattern.finditer(text):
            span = _span(match, "PHONE_NUMBER")
            value = text[span.start : span.end].rstrip(" .-–")
            if least <= _digits(value) <= 15 and not _YEARS.match(value):
                spans.append(Span(span.start, span.start + len(value), "PHONE_NUMBER"))
    return spans


def _name_spans(text: str, own: list[str], names: list[str]) -> list[Span]:
    """Every occurrence of the names, and the handles and domains built from the person's own."""
    by_first: dict[str, list[str]] = {}
    for name in names:
        if first := re.match(r"[^\W_]+", name.lower()):
            by_first.setdefault(first.group(), []).append(name.lower())
    lowered, spans = text.lower(), []
    # Each word is looked up by its first word, so a long list of names costs no more than a short one.
    for word in re.finditer(r"(?<![\w])[^\W_]+", text):
        for name in by_first.get(word.group().lower(), ()):
            end = word.start() + len(name)
            if lowered.startswith(name, word.start()) and not (end < len(text) and (text[end].isalnum())):
                spans.append(Span(word.start(), end, "PERSON"))
                break
    # janedoe, priyasharma.io, github.com/davidkim
    parts = [n.lower() for n in own if " " not in n and len(n) >= 3]
    for match in re.finditer(r"\S+", text):
        token = match.group().strip("()[]<>\"',;:|·").rstrip(".-")
        if len(token) < 6 or not any(part in token.lower() for part in parts) or token.lower() in parts:
            continue
        start = match.start() + match.group().index(token)
        spans.append(Span(start, start + len(token), "URL"))
    firms = [m.span() for m in _FIRMS.finditer(text)]
    return [s for s in spans if not any(a <= s.start < b for a, b in firms)]


def pii_spans(*, text: str, known_names: list[str] = ()) -> list[Span]:
    """Where the personal data is in `text`, overlapping findings merged (the longest names the kind)."""
    spans = [_span(m, "EMAIL_ADDRESS") for p in _EMAILS for m in p.finditer(text)]
    spans += [_span(m, "URL") for p in _URLS for m in p.finditer(text)]
    spans += _phone_spans(text)
    spans += _address_spans(text)
    spans += _name_spans(text, *name_candidates(text=text, known_names=list(known_names)))
    merged: list[Span] = []
    priority = list(PLACEHOLDERS)
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), priority.index(s.entity))):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.entity)
        else:
            merged.append(span)
    return merged


def pii_redact(*, text: str, known_names: list[str] = ()) -> Redaction:
    """The text with emails, phones, URLs, addresses and people's names replaced by placeholders."""
    if not text.strip():
        return Redaction(text=text)
    spans = pii_spans(text=text, known_names=known_names)
    pieces, position, counts = [], 0, {}
    for span in spans:
        pieces += [text[position : span.start], PLACEHOLDERS[span.entity]]
        position = span.end
        counts[span.entity] = counts.get(span.entity, 0) + 1
    pieces.append(text[position:])
    return Redaction(text="".join(pieces), counts=counts)
