"""daphne as Parley runs it: `python -m config.server [daphne's arguments]`.

daphne reads a socket message of up to 1 MiB by default and, on a larger one, drops the TCP
connection (the client sees 1006 and no reason). Parley's largest frame is MAX_FRAME_CHARS
characters (docs/websocket.md), and a character is at most 4 bytes of UTF-8, so here daphne reads
frames of up to MAX_FRAME_BYTES: every frame it reads that is too long gets the documented
`invalid` error from the consumer, and a frame too large to read (over the character limit in any
encoding) ends with the WebSocket closing handshake and its code 1009, "message too big".
`manage.py runserver` takes the same size limit from settings (DAPHNE_WEBSOCKET_MAX_*).

A request body is left to the app: twisted.web would also parse every form or multipart body
itself (a second copy of an upload in memory) and answer one it cannot parse with a bare 400
that the app never sees, so the client would get no error envelope.

A process holds thousands of idle sockets (docs/deploy.md, "Capacity"), so two things daphne keeps
for each are trimmed: the HTTP channel that read the upgrade request (with the request and its
headers, about 5 KiB) is let go of once the socket has taken its connection, and a socket's events
wait in a SocketInput rather than an asyncio.Queue.

The event loop under Twisted's asyncio reactor is uvloop's (libuv, in C): the loop's own work, the
sockets' callbacks and every hop to and from a database thread, is about a tenth of a practice
turn's CPU on asyncio's loop (docs/deploy.md, "Capacity").
"""

import asyncio
import collections
import sys
from functools import partial

MAX_FRAME_CHARS = 64_000
MAX_FRAME_BYTES = 4 * MAX_FRAME_CHARS


class SocketInput:
    """A socket's events on their way to its consumer: daphne puts, the consumer takes one at a time.

    What daphne uses of an asyncio.Queue, for the queue a socket holds as long as it is open:
    asyncio.Queue keeps three deques and an Event, about 3 KiB whether anything waits or not; this
    keeps a deque only while events wait, and a future only while its one reader (the consumer's
    receive loop) waits.
    """

    __slots__ = ("_events", "_waiter")

    def __init__(self) -> None:
        self._events: collections.deque | None = None
        self._waiter: asyncio.Future | None = None

    def put_nowait(self, event: dict) -> None:
        if self._events is None:
            self._events = collections.deque()
        self._events.append(event)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def get(self) -> dict:
        while not self._events:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        event = self._events.popleft()
        if not self._events:
            self._events = None
        return event


def main(argv: list[str]) -> None:
    # Before daphne.server is imported: it makes its event loop on import, through the policy.
    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    # Imported here: the consumer and the settings read the limits without loading Twisted, and
    # daphne.server must be imported before the reactor (it installs the asyncio one).
    from daphne.cli import CommandLineInterface
    from daphne.http_protocol import WebRequest
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketProtocol
    from twisted.internet import reactor

    class BodyForTheAppRequest(WebRequest):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)

    class HandedOverWebSocketProtocol(WebSocketProtocol):
        def connectionMade(self):  # noqa: N802 (Twisted's name)
            # daphne hands the socket the connection of the HTTP channel that read the upgrade; the
            # channel stays registered as the connection's producer, only to be told to pause and
            # resume, which it no longer passes on to anything. Unregistered, it and its request go.
            self.transport.unregisterProducer()
            super().connectionMade()

    class ParleyServer(Server):
        def run(self):
            # The factory exists once run() starts and before the reactor accepts a connection.
            reactor.callWhenRunning(self.factories_adjust)
            super().run()

        def create_application(self, protocol, scope):
            """daphne's, with a SocketInput as a socket's queue (HTTP requests keep asyncio's)."""
            if scope["type"] != "websocket":
                return super().create_application(protocol, scope)
            events = SocketInput()
            scope.setdefault("asgi", {"version": "3.0"})
            instance = self.application(scope=scope, receive=events.get, send=partial(self.handle_reply, protocol))
            if protocol not in self.connections:
                return None
            self.connections[protocol]["application_instance"] = asyncio.ensure_future(instance)
            return events

        def factories_adjust(self):
            # A refused socket gets a close frame with its code (1009, 1002, ...), not a dropped connection.
            self.ws_factory.setProtocolOptions(failByDrop=False)
            self.ws_factory.protocol = HandedOverWebSocketProtocol
            build = self.http_factory.buildProtocol

            def protocol_build(addr):
                protocol = build(addr)
                protocol.requestFactory = BodyForTheAppRequest
                return protocol

            self.http_factory.buildProtocol = protocol_build

    cli = CommandLineInterface()
    cli.server_class = ParleyServer
    limits = ["--websocket-max-message-size", str(MAX_FRAME_BYTES), "--websocket-max-frame-size", str(MAX_FRAME_BYTES)]
    cli.run([*limits, *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
