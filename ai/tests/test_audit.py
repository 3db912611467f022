"""The audit rows: every call's prompt kept whole, its shared texts stored once; rows a caller writes itself."""

import json

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ai import (
    AIRateLimited,
    AIUnavailable,
    AuditRow,
    Findings,
    PromptText,
    ReplyRequest,
    Shared,
    audit_rows_save,
    reply_stream,
    reply_sync,
    structured,
)
from ai.models import AIInteraction, PromptPart
from conversations.tests.fake_provider import Scripted

pytestmark = pytest.mark.django_db(transaction=True)

SCAFFOLD = "You are the receptionist of a small hotel in Kyoto. " * 20
ASK = [{"role": "system", "content": "Report the learner's mistakes as JSON. " * 10}, {"role": "user", "content": "x"}]


@pytest.fixture
def offline(settings):
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []


def _request(text: str, summary: str = "") -> ReplyRequest:
    return ReplyRequest(language="english", system_prompt=SCAFFOLD, summary=summary, user_text=text)


def _part_inserts(queries) -> int:
    return sum("ai_promptpart" in query["sql"] and "INSERT" in query["sql"] for query in queries)


def test_a_reply_row_refers_to_its_shared_scaffold_and_keeps_its_own_text(offline, user):
    # when two turns of a conversation are answered, their summaries differing
    first = reply_sync(user=user, conversation=None, request=_request("Hello", summary="We met."))
    second = reply_sync(user=user, conversation=None, request=_request("Bye", summary="We met and talked."))
    rows = {row.pk: row for row in AIInteraction.objects.all()}
    # then each row gives back the prompt it sent, whole
    for result, summary, text in ((first, "We met.", "Hello"), (second, "We met and talked.", "Bye")):
        prompt = rows[result.interaction_id].prompt
        assert SCAFFOLD in prompt[0]["content"] and prompt[0]["content"].endswith(summary)
        assert prompt[-1] == {"role": "user", "content": text}
    # but the scaffold is stored once, the rows keeping only what was their own
    (part,) = PromptPart.objects.all()
    assert SCAFFOLD in part.text and "We met" not in part.text
    stored = json.dumps([row.stored_prompt for row in rows.values()], ensure_ascii=False)
    assert SCAFFOLD not in stored and stored.count(part.sha256) == 2 and "We met and talked." in stored


def test_a_shared_text_is_written_once_by_a_process(offline, user):
    reply_sync(user=user, conversation=None, request=_request("Hello"))

    with CaptureQueriesContext(connection) as queries:
        reply_sync(user=user, conversation=None, request=_request("Hello again"))

    assert _part_inserts(queries) == 0
    assert PromptPart.objects.count() == 1 and AIInteraction.objects.count() == 2


def test_a_shared_text_whose_insert_rolled_back_is_written_again(user):
    prompt = [{"role": "system", "content": SCAFFOLD}, {"role": "user", "content": "Hello"}]
    with pytest.raises(RuntimeError), transaction.atomic():
        AIInteraction.objects.create(user=user, purpose="reply", provider="offline", status="ok", prompt=prompt)
        raise RuntimeError("the caller's transaction fails")

    row = AIInteraction.objects.create(user=user, purpose="reply", provider="offline", status="ok", prompt=prompt)

    assert AIInteraction.objects.get(pk=row.pk).prompt == prompt


def test_rows_written_before_shared_texts_read_as_they_were(user):
    whole = [{"role": "system", "content": SCAFFOLD}, {"role": "user", "content": "Hello"}]
    row = AIInteraction.objects.create(user=user, purpose="reply", provider="offline", status="ok")
    AIInteraction.objects.filter(pk=row.pk).update(stored_prompt=whole)

    assert AIInteraction.objects.get(pk=row.pk).prompt == whole


def test_parts_of_a_text_are_shared_or_kept_as_marked():
    text = PromptText(Shared(SCAFFOLD), "\nWhere the scenario stands.")
    row = AIInteraction(purpose="reply", provider="offline", status="ok", prompt=[{"role": "system", "content": text}])
    row.save()

    (part,) = PromptPart.objects.all()
    assert part.text == SCAFFOLD
    assert row.stored_prompt == [
        {"role": "system", "content_parts": [{"sha256": part.sha256}, "\nWhere the scenario stands."]}
    ]
    assert AIInteraction.objects.get(pk=row.pk).prompt == [
        {"role": "system", "content": SCAFFOLD + "\nWhere the scenario stands."}
    ]


def test_the_admin_shows_the_prompt_as_sent(client, offline, user, admin_user):
    result = reply_sync(user=user, conversation=None, request=_request("Hello"))
    client.force_login(admin_user)

    page = client.get(f"/admin/ai/aiinteraction/{result.interaction_id}/change/").content.decode()

    assert "hotel in Kyoto" in page and "content_parts" not in page


async def test_a_row_handed_to_the_caller_is_written_by_it(offline, user):
    # given a caller collecting the rows of its calls
    audit: list[AuditRow] = []
    # when the partner answers, the reply streamed
    items = [item async for item in reply_stream(user=user, conversation=None, request=_request("Hi"), audit=audit)]
    # then no row is written yet, and the result says so
    assert items[-1].interaction_id is None and len(audit) == 1
    assert not await AIInteraction.objects.aexists()
    # until the caller writes it in a database call of its own
    await database_sync_to_async(audit_rows_save)(audit)
    row = await AIInteraction.objects.aget()
    assert (row.pk, row.purpose, row.status, row.response) == (audit[0].id, "reply", "ok", items[-1].text)


async def test_the_rows_of_several_calls_are_written_in_one_insert_after_their_shared_texts(offline, user):
    # given a caller collecting the rows of two replies, which share their scaffold
    audit: list[AuditRow] = []
    replies = [
        [item async for item in reply_stream(user=user, conversation=None, request=_request(text), audit=audit)]
        for text in ("Hi", "I like sushi")
    ]
    assert len(audit) == 2 and not await PromptPart.objects.aexists()

    # when it writes them
    def save():
        with CaptureQueriesContext(connection) as queries:
            audit_rows_save(audit)
        return [query["sql"] for query in queries.captured_queries]

    statements = await database_sync_to_async(save)()

    # then the rows took one INSERT after their shared texts', each row has its id, each prompt reads whole
    inserts = [sql.split(" (")[0].split()[-1].strip('"') for sql in statements if "INSERT" in sql]
    assert inserts == ["ai_promptpart", "conversations_aiinteraction"]
    rows = [row async for row in AIInteraction.objects.order_by("pk")]
    assert [row.pk for row in rows] == [audit[0].id, audit[1].id] and audit[0].id < audit[1].id
    assert [row.response for row in rows] == [items[-1].text for items in replies]
    prompts = await database_sync_to_async(lambda: [row.prompt for row in rows])()
    assert [prompt[-1]["content"] for prompt in prompts] == ["Hi", "I like sushi"]
    assert all(SCAFFOLD in json.dumps(prompt, ensure_ascii=False) for prompt in prompts)
    assert await PromptPart.objects.acount() == 1


@pytest.mark.parametrize(
    ("failures", "status"),
    [([Scripted(status=500)] * 3, "error"), ([Scripted(status=400)], "error"), ([Scripted(hang=1.0)] * 3, "timeout")],
)
async def test_a_failed_attempts_row_is_written_at_once(fake_llm, settings, user, failures, status):
    # given an LLM that fails, the offline partner after it, and a caller collecting the rows
    settings.LLM_TIMEOUT_SECONDS = 0.2
    settings.LLM_FALLBACKS = ["offline"]
    fake_llm.script(*failures)
    audit: list[AuditRow] = []
    # when the call falls back
    await structured(user=user, conversation=None, purpose="analyse_turn", schema=Findings, messages=ASK,
                     request=None, audit=audit)  # fmt: skip
    # then the failure is on record already, the success handed to the caller
    assert [row async for row in AIInteraction.objects.values_list("provider", "status")] == [("openai", status)]
    assert [(row.row.provider, row.row.status) for row in audit] == [("offline", "ok")]


async def test_a_call_that_fails_everywhere_leaves_its_rows_written_and_none_to_the_caller(fake_llm, user):
    fake_llm.script(*[Scripted(status=503)] * 3)
    audit: list[AuditRow] = []

    with pytest.raises(AIUnavailable):
        await structured(user=user, conversation=None, purpose="advice", schema=Findings, messages=ASK, audit=audit)

    assert audit == []
    assert [row async for row in AIInteraction.objects.values_list("status", flat=True)] == ["error"]


async def test_a_refused_calls_row_is_written_at_once(fake_llm, settings, user):
    settings.LLM_USER_RATE = 0
    settings.LLM_DAILY_TOKEN_BUDGET = 1
    await database_sync_to_async(_spend_budget)(user)
    audit: list[AuditRow] = []

    with pytest.raises(AIUnavailable) as refused:
        await structured(user=user, conversation=None, purpose="advice", schema=Findings, messages=ASK, audit=audit)

    assert not isinstance(refused.value, AIRateLimited) and audit == []
    assert [row async for row in AIInteraction.objects.values_list("status", flat=True)] == ["budget_exceeded"]


def _spend_budget(user) -> None:
    from ai import guards

    guards.budget_spend(user_id=user.pk, tokens=5)


async def test_rows_saved_again_by_a_retried_database_call_are_written_and_settled_once(fake_llm, user):
    # given an LLM's answer handed to a caller whose database call is retried
    fake_llm.script(Scripted(text='{"findings": []}'))
    audit: list[AuditRow] = []
    await structured(user=user, conversation=None, purpose="advice", schema=Findings, messages=ASK, audit=audit)
    # when it saves the rows twice
    for _ in range(2):
        await database_sync_to_async(audit_rows_save)(audit)
    # then there is one row, and the user's tokens were counted once
    assert await AIInteraction.objects.acount() == 1
    assert await database_sync_to_async(_tokens_spent)(user) == audit[0].outcome.tokens_in + audit[0].outcome.tokens_out


def _tokens_spent(user) -> int:
    from django.core.cache import cache

    from ai import guards

    return cache.get(guards._budget_key(user.pk))
