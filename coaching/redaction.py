"""PII redaction of CV text before it is stored or sent to a provider.

Presidio runs with its no-op NLP engine (no spaCy model to download) and only pattern-based
recognisers: ours for emails, URLs, street addresses and names, and Presidio's phonenumbers-backed
one for phones next to a plain digit pattern. Presidio's own email and URL recognisers are left
out on purpose: they call tldextract, which tries to download the public-suffix list at run time.
Presidio pulls in spaCy (about 3 s to import), so it is imported on first use, not at start-up.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

PLACEHOLDERS = {
    "EMAIL_ADDRESS": "[EMAIL]",
    "PHONE_NUMBER": "[PHONE]",
    "URL": "[URL]",
    "STREET_ADDRESS": "[ADDRESS]",
    "PERSON": "[NAME]",
}

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_URL = (
    r"(?i)(?:https?://|www\.)[^\s<>()\"']+"
    r"|\b(?:linkedin|github|gitlab|bitbucket|twitter|x|medium|behance|dribbble|stackoverflow|facebook"
    r"|instagram)\.com/[^\s<>()\"']+"
)
# At least 9 digits, so date ranges (2019-2021) and amounts stay.
_PHONE = r"(?<![\w+])\+?\(?\d[\d().\s-]{7,}\d(?!\w)"
_STREET_TYPES = (
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Square|Sq"
    r"|Terrace|Close|Crescent|Parkway|Highway|Hwy"
)
_ADDRESS = [
    r"(?im)^[ \t]*(?:address|adresse|home|location)[ \t]*:[^\n]*",
    rf"\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?:[A-Z][\w'-]*[ \t]+){{1,4}}(?:{_STREET_TYPES})\b\.?(?:,[ \t]*[A-Z][\w' -]+)?",
    r"(?i)\b\d{1,5}(?:\s?bis|\s?ter)?,?[ \t]+(?:rue|avenue|boulevard|bd|allée|impasse|chemin|place|quai)\b[^\n,]{1,40}",
    r"(?i)\b\d{1,5}[ \t]+[\w'-]+(?:stra(?:ss|ß)e|weg|gasse|platz)\b",
    # UK postcodes.
    r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b",
]
_NAME_LINE = re.compile(r"(?im)^[ \t]*(?:full[ \t]+)?name[ \t]*:[ \t]*(?P<name>[^\n]+)$")
_LIKELY_NAME = re.compile(r"^[A-Z][\w'.-]+(?:[ \t]+[A-Z][\w'.-]+){1,3}$")


@dataclass(frozen=True)
class Redaction:
    text: str
    counts: dict[str, int] = field(default_factory=dict)


def name_candidates(*, text: str, known_names: list[str]) -> list[str]:
    """The person's names to remove: known names, the "Name:" line and a first line that looks like a name.

    Each full name also yields its parts (so "Jane" alone goes too), longest first.
    """
    names = [n.strip() for n in known_names if n and n.strip()]
    names += [m.group("name").strip() for m in _NAME_LINE.finditer(text)]
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if _LIKELY_NAME.match(first_line) and not re.search(r"\d", first_line):
        names.append(first_line)
    parts = {part for name in names for part in re.split(r"[\s,]+", name) if len(part) >= 2}
    return sorted({*names, *parts}, key=len, reverse=True)


@lru_cache(maxsize=1)
def _engines():
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer
    from presidio_anonymizer import AnonymizerEngine

    def patterns(entity: str, regexes: list[str], score: float) -> PatternRecognizer:
        return PatternRecognizer(
            supported_entity=entity,
            patterns=[Pattern(name=f"{entity.lower()}_{i}", regex=r, score=score) for i, r in enumerate(regexes)],
            global_regex_flags=re.MULTILINE,
        )

    registry = RecognizerRegistry(
        recognizers=[
            patterns("EMAIL_ADDRESS", [_EMAIL], 1.0),
            patterns("URL", [_URL], 0.9),
            patterns("STREET_ADDRESS", _ADDRESS, 0.8),
            patterns("PHONE_NUMBER", [_PHONE], 0.7),
            PhoneRecognizer(supported_regions=("US", "UK", "GB", "FR", "DE", "ES", "IT", "JP", "IN", "CA")),
        ],
        global_regex_flags=re.MULTILINE,
        supported_languages=["en"],
    )
    analyzer = AnalyzerEngine(
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}]),
        registry=registry,
        supported_languages=["en"],
    )
    return analyzer, AnonymizerEngine(), PatternRecognizer


def _phone_digits_ok(text: str, start: int, end: int) -> bool:
    return sum(ch.isdigit() for ch in text[start:end]) >= 9


def pii_redact(*, text: str, known_names: list[str] = ()) -> Redaction:
    """The text with emails, phones, URLs, street addresses and the person's names replaced by placeholders."""
    from presidio_anonymizer.entities import OperatorConfig

    if not text.strip():
        return Redaction(text=text)
    analyzer, anonymizer, pattern_recognizer = _engines()
    ad_hoc = []
    names = name_candidates(text=text, known_names=list(known_names))
    if names:
        ad_hoc.append(pattern_recognizer(supported_entity="PERSON", deny_list=names, global_regex_flags=re.IGNORECASE))
    results = analyzer.analyze(text=text, language="en", ad_hoc_recognizers=ad_hoc, score_threshold=0.3)
    results = [r for r in results if r.entity_type != "PHONE_NUMBER" or _phone_digits_ok(text, r.start, r.end)]
    operators = {entity: OperatorConfig("replace", {"new_value": value}) for entity, value in PLACEHOLDERS.items()}
    anonymized = anonymizer.anonymize(text=text, analyzer_results=results, operators=operators)
    counts: dict[str, int] = {}
    for item in anonymized.items:
        counts[item.entity_type] = counts.get(item.entity_type, 0) + 1
    return Redaction(text=anonymized.text, counts=counts)
