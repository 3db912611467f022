"""One timer for the whole process instead of a task per socket (presence heartbeats, delivery
receipts): a subclass says whether there is work (`busy`), how often (`interval`, read at each
turn) and what to do (`tick`)."""

import asyncio


class ProcessTimer:
    """Runs `tick()` every `interval()` seconds while `busy()`; stops when there is nothing left and
    starts again with the next `start()`, on whichever event loop is running then."""

    timer: asyncio.Task | None = None

    def busy(self) -> bool:
        raise NotImplementedError

    def interval(self) -> float:
        raise NotImplementedError

    async def tick(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """From the event loop: make sure the timer runs."""
        loop = asyncio.get_running_loop()
        if self.timer is None or self.timer.done() or self.timer.get_loop() is not loop:
            self.timer = loop.create_task(self._run())

    async def _run(self) -> None:
        while self.busy():
            await asyncio.sleep(self.interval())
            if self.busy():
                await self.tick()
