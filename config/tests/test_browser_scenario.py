"""The scenario side panel in a real browser: goals ticked as they are reached, "Help me reply"."""

import re

import pytest
from playwright.sync_api import expect

from config.tests.test_browser import (  # noqa: F401 (fixtures)
    _clean_cache,
    _say,
    _sign_up,
    _start_japanese_session,
    browser_context_args,
    browser_type_launch_args,
    server_database_url,
    servers,
)

pytestmark = pytest.mark.browser


def test_help_me_reply_fills_the_box_and_the_goal_is_ticked(page, servers):  # noqa: F811 (the fixture)
    page.context.set_default_timeout(20_000)
    _sign_up(page, servers["offline"])
    _start_japanese_session(page)

    # The goals are listed, none reached.
    goals = page.locator("#goals .goal")
    expect(goals).to_have_count(6)
    expect(page.locator("#goals .goal-reached")).to_have_count(0)
    expect(goals.first).to_contain_text("Tell Yuki your name")

    # "Help me reply" offers replies to Yuki's question, with reading and translation.
    page.get_by_role("button", name="Help me reply").click()
    hints = page.locator("#hints .hint")
    expect(hints).to_have_count(2)
    expect(hints.first.locator(".hint-text")).to_have_text("アレックスです。よろしくお願いします。")
    expect(hints.first.locator(".hint-reading")).to_have_text("アレックスです。よろしくおねがいします。")
    expect(hints.first.locator(".hint-translation")).to_have_text("I'm Alex. Nice to meet you.")

    # Choosing one puts it in the message box; the learner sends it.
    hints.nth(1).locator(".hint-use").click()
    box = page.get_by_label("Your message")
    expect(box).to_have_value("はじめまして。マリアと申します。")
    box.press("Enter")
    expect(page.locator('.bubble-assistant[data-state="complete"]')).to_have_count(2)
    expect(page.locator(".bubble-assistant").last).to_contain_text("マリアさん")

    # The name goal is ticked, the suggestions are gone until asked again.
    expect(page.locator("#goals .goal-reached")).to_have_count(1)
    expect(page.locator('#goals [data-goal-id="name"]')).to_have_class(re.compile("goal-reached"))
    expect(hints).to_have_count(0)

    # Where the learner is from: the next hints are for the next question.
    page.get_by_role("button", name="Help me reply").click()
    expect(hints.first.locator(".hint-text")).to_have_text("カナダから来ました。")
    _say(page, "カナダから来ました。", replies=3)
    expect(page.locator('#goals [data-goal-id="home"]')).to_have_class(re.compile("goal-reached"))

    # The review lists the goals with what was reached.
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name=re.compile("^Goals \\(2 of 6 reached\\)"))).to_be_visible()
    expect(page.locator("#scenario-goals .goal-reached")).to_have_count(2)
