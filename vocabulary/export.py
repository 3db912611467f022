"""Vocabulary as files: a CSV a spreadsheet opens safely, and an Anki deck."""

import csv
import functools
import html
import io
from collections.abc import Iterable

from vocabulary.models import VocabularyItem

CSV_COLUMNS = ["phrase", "reading", "translation", "context_sentence", "language", "mastery", "due_at", "created_at"]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Fixed ids: importing a newer export updates the same note type and deck instead of adding copies.
ANKI_MODEL_ID = 1_607_392_319
ANKI_DECK_ID = 2_059_400_110


@functools.cache
def _anki_model():
    # genanki (with sqlite3) is imported on the first export, not by every process at start-up.
    import genanki

    return genanki.Model(
        ANKI_MODEL_ID,
        "Parley vocabulary",
        fields=[{"name": "Phrase"}, {"name": "Reading"}, {"name": "Translation"}, {"name": "Context"}],
        templates=[
            {
                "name": "Recognition",
                "qfmt": '<div class="phrase">{{Phrase}}</div>',
                "afmt": '{{FrontSide}}<hr id="answer"><div>{{Reading}}</div><div>{{Translation}}</div>'
                '<div class="context">{{Context}}</div>',
            }
        ],
        css=".card { font-size: 24px; text-align: center; } .context { font-size: 16px; color: #555; }",
    )


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def csv_export(items: Iterable[VocabularyItem]) -> str:
    """The items as CSV, with a BOM so Excel reads UTF-8 (Japanese) text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                _cell(item.phrase),
                _cell(item.reading),
                _cell(item.translation),
                _cell(item.context_sentence),
                _cell(item.language),
                item.mastery,
                item.due_at.isoformat(),
                item.created_at.isoformat(),
            ]
        )
    return out.getvalue()


def anki_export(items: Iterable[VocabularyItem], *, deck_name: str) -> bytes:
    """The items as an Anki .apkg deck, one note per item, stable across exports."""
    import genanki

    model = _anki_model()
    deck = genanki.Deck(ANKI_DECK_ID, deck_name)
    for item in items:
        # Anki renders fields as HTML: the learner's text is escaped, never markup.
        fields = [html.escape(v) for v in (item.phrase, item.reading, item.translation, item.context_sentence)]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for(str(item.id))))
    out = io.BytesIO()
    genanki.Package(deck).write_to_file(out)
    return out.getvalue()
