import asyncio

import pytest

from conversations.services import replies


@pytest.fixture
async def replies_settled():
    """Let replies still running in the background finish before the database is torn down."""
    yield
    if replies._background:
        await asyncio.wait(list(replies._background), timeout=10)
