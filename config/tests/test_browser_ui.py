"""The learner UI beyond one practice chat, in a real browser: messages between two people, groups,
every way to start practising, and the chat on a phone. Same servers and launch options as
test_browser.py (its fixtures are reused); screenshots go to SCREENSHOT_DIR like its own."""

import json
import re

import pytest
from playwright.sync_api import expect

from config.tests.test_browser import (  # noqa: F401 (fixtures)
    ROOT,
    _clean_cache,
    _free_port,
    _say,
    _server_env,
    _sign_up,
    _start_japanese_session,
    _wait_until_up,
    browser_context_args,
    browser_type_launch_args,
    daphne_running,
    screenshots,
    server_database_url,
    servers,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# What the partner answers through the real OpenAI SDK: Markdown, streamed a word at a time.
MARKDOWN_REPLY = (
    "いいですね！ **三つ** の あいさつを おぼえましょう:\n\n"
    "- こんにちは (*konnichiwa*)\n- おはよう (*ohayou*)\n- こんばんは (*konbanwa*)\n\n"
    "よるは `こんばんは` を つかいます。 <b>ok</b> どれを つかいますか？"
)


def _provider_answer(body: dict):
    from conversations.tests.fake_provider import Scripted

    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    if schema == "Findings":
        return Scripted(text=json.dumps({"findings": []}))
    if schema == "VocabularyTags":
        return Scripted(text=json.dumps({"items": []}))
    if schema == "SummaryOut":
        return Scripted(text=json.dumps({"summary": "Greetings."}))
    return Scripted(text=MARKDOWN_REPLY, pace=0.12)


@pytest.fixture(scope="module")
def provider_server(servers, server_database_url, tmp_path_factory):  # noqa: F811
    """A daphne whose partner is a real provider SDK talking to the local fake provider, streaming slowly."""
    from conversations.tests.fake_provider import FakeProvider

    provider = FakeProvider()
    provider.start()
    provider.responder = _provider_answer
    log = tmp_path_factory.mktemp("daphne") / "provider.log"
    try:
        with daphne_running(
            server_database_url,
            log,
            LLM_PROVIDER="openai",
            OPENAI_API_KEY="sk-test",
            LLM_BASE_URL=provider.url,
            LLM_MODEL="fake-model",
            LLM_FALLBACKS="",
        ) as url:
            yield url
    finally:
        provider.stop()


@pytest.fixture
def other_page(browser, browser_context_args):  # noqa: F811
    """A second learner in a browser context of their own (own cookies, own socket)."""
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def _username(email: str) -> str:
    return email.split("@")[0]


def _messages_ready(page) -> None:
    expect(page.locator("#messages-layout[data-ready]")).to_have_count(1)


def _find_and_open(page, name: str) -> None:
    _messages_ready(page)
    page.get_by_label("Find a person to message").fill(name)
    page.locator("#people-results").get_by_role("button", name=re.compile(name)).click()


def test_two_people_message_each_other_with_typing_and_read_ticks(page, other_page, servers, screenshots):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    alice = _sign_up(page, base)
    bob = _sign_up(other_page, base)
    other_page.goto(f"{base}/messages/")
    expect(other_page.get_by_text("No conversations yet")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Messages")).click()
    _find_and_open(page, _username(bob))
    expect(page.locator("#thread-title")).to_have_text(_username(bob))
    box = page.get_by_label("Message", exact=True)
    box.fill("こんにちは、ボブさん！")
    box.press("Enter")
    mine = page.locator("#thread-messages .bubble-mine")
    expect(mine).to_have_count(1)
    expect(mine.locator(".tick")).to_have_attribute("aria-label", re.compile("Sent|Delivered"))
    page.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}/$"))

    # Bob's header and inbox show the unread message; he is online for Alice.
    expect(other_page.locator("#unread-total")).to_have_text("1")
    row = other_page.locator(".inbox-row").filter(has_text=_username(alice))
    expect(row.locator(".unread")).to_have_text("1")
    expect(row).to_contain_text("こんにちは、ボブさん！")
    expect(mine.locator(".tick")).to_have_attribute("aria-label", "Delivered")
    expect(page.locator(".inbox-row .avatar-online")).to_have_count(1)

    row.get_by_role("link").click()
    expect(other_page.locator("#thread-messages .bubble")).to_have_text([re.compile("こんにちは、ボブさん！")])
    expect(mine.locator(".tick")).to_have_attribute("aria-label", "Read")
    expect(other_page.locator("#unread-total")).to_be_hidden()

    # Bob types: Alice sees it; his reply arrives live.
    other_page.get_by_label("Message", exact=True).press_sequentially("やあ", delay=50)
    expect(page.get_by_text(f"{_username(bob)} is typing…")).to_be_visible()
    other_page.get_by_label("Message", exact=True).press("Enter")
    expect(page.locator("#thread-messages .bubble").last).to_contain_text("やあ")
    expect(page.get_by_text("is typing…")).to_be_hidden()

    page.mouse.move(0, 0)
    page.screenshot(path=str(screenshots / "messages.png"))
    other_page.set_viewport_size(PHONE)
    other_page.screenshot(path=str(screenshots / "messages-phone.png"))

    # Reload: the history comes back from the server with the ticks as they were.
    page.reload()
    expect(page.locator("#thread-messages .bubble")).to_have_count(2)
    expect(page.locator("#thread-messages .bubble-mine .tick")).to_have_attribute("aria-label", "Read")


def test_older_messages_load_when_scrolling_up(page, other_page, servers):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    bob = _sign_up(other_page, base)
    page.goto(f"{base}/messages/")
    _find_and_open(page, _username(bob))
    box = page.get_by_label("Message", exact=True)
    box.fill("first")
    box.press("Enter")
    expect(page.locator("#thread-messages .bubble-mine[data-seq]")).to_have_count(1)
    page.wait_for_url(re.compile(r"/messages/[0-9a-f-]{36}/$"))
    conversation = re.search(r"/messages/([0-9a-f-]{36})/", page.url).group(1)
    # Both write (each person may send 30 messages in 10 s): 45 messages in all.
    other_page.goto(f"{base}/messages/")
    for number in range(2, 46):
        sender = page if number % 2 else other_page
        token = sender.locator('meta[name="csrf-token"]').get_attribute("content")
        sent = sender.request.post(
            f"{base}/api/v1/conversations/{conversation}/messages",
            data={"content": f"message {number}"},
            headers={"X-CSRFToken": token},
        )
        assert sent.status == 201, sent.text()

    page.reload()
    _messages_ready(page)
    bubbles = page.locator("#thread-messages .bubble")
    expect(bubbles).to_have_count(30)
    expect(bubbles.last).to_contain_text("message 45")
    expect(bubbles.last).to_be_in_viewport()
    expect(bubbles.first).not_to_be_in_viewport()
    page.locator("#thread-messages").evaluate("(el) => { el.scrollTop = 0; }")
    expect(bubbles).to_have_count(45)
    expect(bubbles.first).to_contain_text("first")


def test_owner_creates_a_group_and_adds_and_removes_members(page, other_page, servers):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    bob = _sign_up(other_page, base)
    carol_page = other_page.context.browser.new_page()
    carol = _sign_up(carol_page, base)
    carol_page.close()

    page.goto(f"{base}/messages/")
    _messages_ready(page)
    page.get_by_role("button", name="New group").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Group name").fill("Study buddies")
    for person in (bob, carol):
        dialog.get_by_label("Add people").fill(_username(person))
        dialog.locator("#group-results").get_by_role("button", name=re.compile(_username(person))).click()
    expect(dialog.locator("#group-chosen li")).to_have_count(2)
    dialog.get_by_role("button", name="Create group").click()
    expect(page.locator("#thread-title")).to_have_text("Study buddies")
    expect(page.locator("#thread-status")).to_contain_text("3 members")

    other_page.goto(f"{base}/messages/")
    expect(other_page.locator(".inbox-row").filter(has_text="Study buddies")).to_be_visible()

    page.get_by_text("Members", exact=True).click()
    page.get_by_role("button", name=f"Remove {_username(carol)}").click()
    expect(page.locator("#thread-status")).to_contain_text("2 members")
    page.get_by_label("Add a person").fill(_username(carol))
    page.locator("#member-results").get_by_role("button", name=re.compile(_username(carol))).click()
    expect(page.locator("#thread-status")).to_contain_text("3 members")

    # A member who is not the owner can leave, not remove others.
    other_page.locator(".inbox-row").filter(has_text="Study buddies").get_by_role("link").click()
    other_page.get_by_text("Members", exact=True).click()
    expect(other_page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    expect(other_page.locator("#member-add")).to_be_hidden()
    other_page.get_by_role("button", name="Leave the group").click()
    expect(other_page.locator(".inbox-row").filter(has_text="Study buddies")).to_have_count(0)
    expect(page.locator("#thread-status")).to_contain_text("2 members")


def test_every_practice_mode_starts_from_the_dashboard(page, servers):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    form = page.locator("#start-form")

    # A scenario, with its goals shown under its situation.
    scenario = form.locator(".scenario", has_text="Finding your way in Kyoto")
    expect(scenario.locator(".scenario-goals li").first).to_be_visible()
    scenario.get_by_role("radio").check()
    form.get_by_role("button", name="Start practising").click()
    expect(page.locator("#chat-title")).to_have_text("Finding your way in Kyoto")

    # A language with no scenario says so and offers a free conversation instead.
    page.goto(f"{base}/")
    form.get_by_label("Language", exact=True).select_option("french")
    form.get_by_label("Level", exact=True).select_option("advanced")
    expect(page.get_by_text("There is no scenario for this language and level yet")).to_be_visible()
    expect(form.get_by_role("radio", name=re.compile("^Free conversation"))).to_be_checked()
    form.get_by_role("button", name="Start practising").click()
    expect(page.locator("#chat-title")).to_have_text(re.compile("French advanced practice"))
    expect(page.get_by_label("Your message")).to_be_visible()

    # Interview, pitch and meeting, with what the profile says prefilled.
    page.goto(f"{base}/profile/")
    page.get_by_label("Role you prepare for", exact=True).fill("Product manager")
    page.get_by_label("Agenda", exact=True).fill("Stakeholder conflicts and roadmaps")
    page.get_by_role("button", name="Save profile").click()
    for kind, preparation, title in (
        ("Interview", "Interview", "Interview"),
        ("Pitch", "Pitch", "Pitch"),
        ("Meeting", "Corporate", "Meeting"),
    ):
        page.goto(f"{base}/")
        rehearsal = page.locator("#rehearsal-form")
        expect(rehearsal.get_by_label("Role you prepare for")).to_have_value("Product manager")
        expect(rehearsal.get_by_label("Agenda")).to_have_value("Stakeholder conflicts and roadmaps")
        rehearsal.get_by_label(kind, exact=True).check()
        expect(rehearsal.get_by_label("Preparation type")).to_have_value(preparation)
        rehearsal.get_by_role("button", name="Start rehearsal").click()
        expect(page.get_by_label("Your message")).to_be_visible()
        # With no scenario the counterpart opens, as an interviewer would.
        expect(page.locator("#chat-title")).to_have_text(f"{title} rehearsal")
        expect(page.locator(".bubble-assistant")).to_have_count(1)
        expect(page.locator(".bubble-assistant")).to_contain_text("Thanks for coming in.")
        session_id = re.search(r"/sessions/([0-9a-f-]{36})/", page.url).group(1)
        session = page.request.get(f"{base}/api/v1/sessions/{session_id}").json()
        assert (session["mode"], session["preparation_type"]) == ("interview", preparation)


def test_on_a_phone_the_chat_opens_at_the_newest_message_with_the_composer_in_view(page, servers, screenshots):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    session_id = _start_japanese_session(page)
    for turn, text in enumerate(
        ["こんにちは", "はじめまして", "すしが たべたいです", "わたしを がくせい です"], start=2
    ):
        _say(page, text, replies=turn)

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/sessions/{session_id}/")
    expect(page.locator("#transcript[data-ready]")).to_have_count(1)
    composer = page.get_by_label("Your message")
    expect(composer).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    expect(composer).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport(ratio=1)
    expect(page.locator("#transcript .bubble").last).to_be_in_viewport(ratio=0.9)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "chat-phone.png"))

    # Typing keeps the composer in view; the notes open as a drawer over the chat.
    _say(page, "ありがとう ございます", replies=6)
    expect(composer).to_be_in_viewport(ratio=1)
    expect(page.locator("#transcript .bubble").last).to_be_in_viewport(ratio=0.9)
    page.get_by_role("button", name=re.compile("^Notes")).click()
    expect(page.locator("#mistakes .mistake").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#side-panel")).to_be_hidden()

    # At desktop width too the page never scrolls: only the transcript does.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator("#transcript[data-ready]")).to_have_count(1)
    expect(composer).to_be_in_viewport(ratio=1)
    expect(page.locator("#transcript .bubble").last).to_be_in_viewport(ratio=0.9)


def test_stop_regenerate_and_edit_with_a_streaming_provider(page, provider_server, screenshots):  # noqa: F811
    page.context.set_default_timeout(20_000)
    # The page's socket runs through Playwright, which can hand the page a frame of its own: one the
    # server could send late (a delta sent before the stop reached the writer).
    sockets = []

    def _through(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws/$"), _through)
    _sign_up(page, provider_server)
    session_id = _start_japanese_session(page)
    box = page.get_by_label("Your message")
    box.fill("こんにちは")
    box.press("Enter")

    # The reply is visibly written piece by piece; Stop cuts it short and keeps what was written.
    streaming = page.locator('.bubble-assistant[data-state="streaming"]')
    expect(streaming).to_have_count(1, timeout=20_000)
    expect(streaming.locator(".bubble-text")).not_to_have_text("")
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_visible()
    stop.click()
    stopped = page.locator('.bubble-assistant[data-state="stopped"]')
    expect(stopped).to_have_count(1, timeout=10_000)
    expect(stopped.locator(".tag-stopped")).to_have_text("stopped")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    partial = stopped.locator(".bubble-text").inner_text()
    assert partial and "どれを つかいますか" not in partial
    stopped_id = stopped.get_attribute("data-id")

    # Regenerate replaces it with a whole new reply, rendered as Markdown and never as HTML.
    stopped.get_by_role("button", name="Regenerate").click()
    expect(stopped).to_have_count(0)
    reply = page.locator('.bubble-assistant[data-state="complete"]').last
    expect(reply).to_contain_text("どれを つかいますか", timeout=30_000)
    expect(reply.locator(".bubble-text strong")).to_have_text("三つ")
    expect(reply.locator(".bubble-text li")).to_have_count(3)
    expect(reply.locator(".bubble-text code")).to_have_text("こんばんは")
    expect(reply.locator(".bubble-text b")).to_have_count(0)
    expect(reply.locator(".bubble-text")).to_contain_text("<b>ok</b>")
    assert "**" not in reply.inner_text()
    page.mouse.move(0, 0)
    page.screenshot(path=str(screenshots / "chat-markdown.png"))

    # Frames about the replaced reply arriving late (a delta sent before the stop reached the writer,
    # its stored end, its failure) do not bring it back, as being written, stopped or failed.
    page.evaluate(
        """(id) => document.addEventListener("parley:frame", (event) => {
            if ((event.detail.message_id ?? event.detail.message?.id) === id) {
                document.body.dataset.lateFrames = Number(document.body.dataset.lateFrames ?? 0) + 1;
            }
        })""",
        stopped_id,
    )
    stopped_message = {"id": stopped_id, "role": "assistant", "state": "stopped", "content": "おそい", "seq": 2}
    for late in (
        {"type": "ai.delta", "message_id": stopped_id, "index": 40, "delta": "おそい"},
        {"type": "ai.message", "message": stopped_message},
        {"type": "error", "code": "ai_unavailable", "message_id": stopped_id, "message": "The partner is away."},
    ):
        sockets[-1].send(json.dumps({**late, "session_id": session_id}))
    expect(page.locator('body[data-late-frames="3"]')).to_have_count(1)
    expect(page.locator(f'.bubble[data-id="{stopped_id}"]')).to_have_count(0)
    expect(page.locator("#ai-banner")).to_be_hidden()
    expect(page.get_by_role("button", name="Send")).to_be_visible()

    # Edit and resend the last turn: the old turn and its reply leave, a new reply comes.
    page.locator(".bubble-user").last.get_by_role("button", name="Edit").click()
    expect(box).to_have_value("こんにちは")
    box.fill("こんばんは")
    box.press("Enter")
    expect(page.locator(".bubble-user")).to_have_count(1)
    expect(page.locator(".bubble-user .bubble-text")).to_have_text("こんばんは")
    expect(page.locator('.bubble-assistant[data-state="complete"]')).to_have_count(2, timeout=30_000)

    # After a reload the server renders the same: superseded messages stay out, Markdown is HTML.
    page.reload()
    expect(page.locator(".bubble-user .bubble-text")).to_have_text(["こんばんは"])
    expect(page.locator(".bubble-assistant")).to_have_count(2)
    expect(page.locator(".bubble-assistant").last.locator(".bubble-text li")).to_have_count(3)
    expect(page.locator(".bubble-assistant").last.locator(".bubble-text b")).to_have_count(0)


def test_a_new_learners_dashboard_fits_in_a_few_screens_on_a_desktop_and_a_phone(page, servers, screenshots):  # noqa: F811
    desktop = {"width": 1280, "height": 900}
    page.context.set_default_timeout(20_000)
    page.set_viewport_size(desktop)
    _sign_up(page, servers["offline"])
    form = page.locator("#start-form")
    cards = form.locator(".scenario[data-language]:visible")
    expect(cards.first.locator(".scenario-goals li").first).to_be_visible()

    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    # The scenarios sit side by side across the page, the rehearsal is near the top.
    assert page.evaluate("document.documentElement.scrollHeight") <= 2.5 * desktop["height"]
    rehearse = page.get_by_role("button", name="Start rehearsal").bounding_box()
    assert rehearse["y"] + rehearse["height"] <= 2 * desktop["height"]
    columns = {round(box["x"]) for box in (card.bounding_box() for card in cards.all())}
    assert len(columns) >= 3
    expect(form.get_by_role("button", name="Start practising")).to_be_in_viewport()

    # On a phone: one column, nothing wider than the screen.
    page.set_viewport_size(PHONE)
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    columns = {round(box["x"]) for box in (card.bounding_box() for card in cards.all())}
    assert len(columns) == 1
    expect(cards.first.locator(".scenario-goals li").first).to_be_visible()
    expect(form.get_by_role("button", name="Start practising")).to_be_in_viewport()
    page.screenshot(path=str(screenshots / "dashboard-phone.png"))
    # The rehearsal, below every scenario there, is one link away.
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Rehearsal").click()
    expect(page.get_by_role("button", name="Start rehearsal")).to_be_in_viewport()
    page.screenshot(path=str(screenshots / "dashboard-phone-rehearsal.png"))
