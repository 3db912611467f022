"""Reading aids in a real browser: furigana and romaji toggles kept per learner, a tapped word's dictionary
card with "Add to vocabulary", and a reading the learner corrects."""

import re

import pytest
from playwright.sync_api import expect

from config.tests.test_browser import (  # noqa: F401  (fixtures: pytest finds them by name in this module)
    _api,
    _clean_cache,
    _say,
    _sign_up,
    _start_japanese_session,
    browser_context_args,
    browser_type_launch_args,
    screenshots,
    server_database_url,
    servers,
)

pytestmark = pytest.mark.browser

SENTENCE = "昨日、東京で友達と映画を見ました。"


def _readings(bubble, word: str) -> str:
    """The furigana over one word of a bubble, joined (東京 → とうきょう)."""
    return bubble.locator(".ja-word", has_text=word).first.evaluate(
        "(el) => [...el.querySelectorAll('rt')].map((rt) => rt.dataset.reading).join('')"
    )


def test_furigana_romaji_dictionary_card_and_a_corrected_reading(page, servers, screenshots):  # noqa: F811
    page.context.set_default_timeout(20_000)
    _sign_up(page, servers["offline"])
    _start_japanese_session(page)
    _say(page, SENTENCE, replies=2)
    mine = page.locator(".bubble-user").first

    # Furigana are on by default, over the kanji only; romaji are off.
    furigana = page.get_by_label("Furigana")
    romaji = page.get_by_label("Romaji")
    expect(furigana).to_be_checked()
    expect(romaji).not_to_be_checked()
    expect(mine.locator('rt[data-reading="とう"]')).to_be_visible()
    assert _readings(mine, "東京") == "とうきょう"
    assert _readings(mine, "見") == "み"
    assert mine.locator(".bubble-text").text_content() == SENTENCE  # what chat.js reads stays as written
    expect(mine.locator(".bubble-romaji")).to_be_hidden()

    page.mouse.move(0, 0)
    page.screenshot(path=str(screenshots / "furigana.png"))

    # Both toggles change at once and are remembered for this learner after a reload.
    with page.expect_response(lambda r: "/readings/settings" in r.url and r.request.method == "PUT"):
        furigana.uncheck()
    with page.expect_response(lambda r: "/readings/settings" in r.url and r.request.method == "PUT"):
        romaji.check()
    expect(mine.locator('rt[data-reading="とう"]')).to_be_hidden()
    expect(mine.locator(".bubble-romaji")).to_have_text("Kinō, Tōkyō de tomodachi to eiga o mimashita.")
    page.reload()
    mine = page.locator(".bubble-user").first
    expect(page.get_by_label("Romaji")).to_be_checked()
    expect(page.get_by_label("Furigana")).not_to_be_checked()
    expect(mine.locator(".bubble-romaji")).to_be_visible()
    expect(mine.locator('rt[data-reading="とう"]')).to_be_hidden()
    page.get_by_label("Furigana").check()
    expect(mine.locator('rt[data-reading="とう"]')).to_be_visible()

    # Tapping a word shows its dictionary entry; "Add to vocabulary" keeps it with reading and meaning.
    mine.locator(".ja-word", has_text="映画").click()
    card = page.get_by_role("dialog", name="Dictionary")
    expect(card).to_be_visible()
    expect(card.locator(".dictionary-word").first).to_have_text("映画")
    expect(card.locator(".dictionary-reading").first).to_have_text("えいが")
    expect(card.locator(".dictionary-glosses").first).to_contain_text("movie")
    # Its pitch accent is the usual high/low line: 映画 is flat, so a particle after it stays high.
    accent = card.locator(".pitch-accent").first
    expect(accent).to_have_attribute("aria-label", "Pitch accent 0: low, high, high, then high")
    expect(accent.locator(".mora-high")).to_have_count(3)
    card.screenshot(path=screenshots / "dictionary-accent.png")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/vocabulary") and r.request.method == "POST") as added:
        card.get_by_role("button", name="Add to vocabulary").first.click()
    assert added.value.status == 201, added.value.text()
    item = added.value.json()
    assert (item["phrase"], item["reading"]) == ("映画", "えいが")
    assert "movie" in item["translation"]
    assert item["context_sentence"] == SENTENCE
    expect(page.locator(f'#vocabulary .vocab[data-id="{item["id"]}"] .reading')).to_have_text("えいが")

    # A conjugated word opens its dictionary form.
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    mine.locator(".ja-word", has_text="見").click()
    expect(card.locator(".dictionary-word").first).to_have_text("見る")

    # The learner corrects a reading; it shows at once and stays after a reload.
    page.keyboard.press("Escape")
    mine.locator(".ja-word", has_text="昨日").click()
    card.get_by_label(re.compile("Reading of 昨日")).fill("さくじつ")
    with page.expect_response(lambda r: "/readings/corrections" in r.url and r.request.method == "POST") as saved:
        card.get_by_role("button", name="Correct reading").click()
    assert saved.value.status == 201, saved.value.text()
    expect(mine.locator(".ja-word", has_text="昨日").locator("rt").first).to_have_attribute("data-reading", "さく")
    page.reload()
    mine = page.locator(".bubble-user").first
    expect(mine.locator(".ja-word", has_text="昨日").locator("rt").first).to_have_attribute("data-reading", "さく")
    assert _readings(mine, "昨日") == "さくじつ"
    corrections = page.request.get(_api(page, "readings/corrections")).json()
    assert [(c["word"], c["reading"]) for c in corrections] == [("昨日", "さくじつ")]
