"""Voice in a real browser: a partner reply played, then a turn spoken into Chromium's fake microphone
(a WAV file of real Japanese speech), transcribed by the provider and sent.

daphne runs with the real openai SDK pointed at the fake provider server of this test process, so
transcription crosses the same wire as in production; Japanese replies are spoken by the server.
"""

import re
import subprocess
import sys

import pytest
import soundfile
from playwright.sync_api import expect

from config.tests.test_browser import (
    CHROMIUM,
    ROOT,
    _server_env,
    _sign_up,
    _start_japanese_session,
    daphne_running,
)
from conversations.tests.fake_provider import Scripted
from language.japanese import speech

pytestmark = pytest.mark.browser

SPOKEN = "えきは どこですか"


@pytest.fixture(autouse=True)
def _clean_cache():
    """As in the other browser tests: the servers' groups must survive between tests."""
    yield


@pytest.fixture(scope="module")
def spoken_turn(tmp_path_factory):
    """A WAV of the learner's turn, spoken by the same offline voice the server uses."""
    samples, rate = speech._openjtalk().tts(SPOKEN)
    path = tmp_path_factory.mktemp("mic") / "turn.wav"
    soundfile.write(path, (samples / 32768.0).astype("float32"), rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def provider_server(server_database_url, fake_provider_server, tmp_path_factory):
    """daphne whose provider is the fake server: it transcribes; replies come from it too."""
    setup = "import django; django.setup(); from django.core.management import call_command as c; "
    setup += "c('migrate', verbosity=0); c('seed_templates', verbosity=0)"
    env = {"LLM_PROVIDER": "openai", "OPENAI_API_KEY": "sk-test", "LLM_BASE_URL": fake_provider_server.url}
    env["LLM_MODEL"] = "fake-model"
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=_server_env(server_database_url, **env), check=True)
    with daphne_running(server_database_url, tmp_path_factory.mktemp("daphne") / "voice.log", **env) as url:
        yield url


@pytest.fixture
def microphone_page(browser_type, spoken_turn, provider_server, fake_provider_server):
    """A page in a Chromium whose microphone plays `spoken_turn`, the permission already granted."""
    fake_provider_server.reset()
    # Transcriptions hear the learner's words; every other call gets the default reply.
    fake_provider_server.responder = lambda body: Scripted(text=SPOKEN) if "file_bytes" in body else Scripted()
    browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={spoken_turn}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.grant_permissions(["microphone"], origin=provider_server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
    browser.close()
    fake_provider_server.reset()


def test_learner_hears_a_reply_then_speaks_a_turn_that_is_transcribed_and_sent(
    microphone_page, provider_server, fake_provider_server
):
    page = microphone_page
    _sign_up(page, provider_server)
    _start_japanese_session(page)
    # hear: the partner's opening line, spoken by the server
    reply = page.locator(".bubble-assistant").first
    with page.expect_response(re.compile(r"/api/v1/messages/[0-9a-f-]+/audio")) as audio:
        reply.get_by_role("button", name="Play this message aloud").click()
    assert audio.value.status == 200
    assert audio.value.headers["content-type"] == "audio/ogg"
    expect(reply.locator(".play-button.is-playing")).to_have_count(1)
    expect(reply.locator(".play-button.is-playing")).to_have_count(0, timeout=20_000)  # played to the end
    # speak: hold the button while the fake microphone plays the recording, then let go
    mic = page.get_by_role("button", name=re.compile("Hold to talk"))
    with page.expect_response(re.compile(r"/transcribe$")) as heard:
        mic.dispatch_event("pointerdown")
        page.wait_for_timeout(2_500)
        mic.dispatch_event("pointerup")
    assert heard.value.status == 200, heard.value.text()
    box = page.get_by_label("Your message")
    expect(box).to_have_value(SPOKEN)
    expect(page.locator("#mic-status")).to_contain_text(f"Heard: “{SPOKEN}”")
    (sent,) = [r["body"] for r in fake_provider_server.requests if r.get("path") == "/v1/audio/transcriptions"]
    assert sent["file_bytes"] > 1_000  # a real recording reached the provider
    # the learner checks it and sends it
    box.press("Enter")
    expect(page.locator(".bubble-user .bubble-text")).to_have_text(SPOKEN)
    expect(page.locator('.bubble-assistant[data-state="complete"]')).to_have_count(2)
