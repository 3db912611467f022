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
"""

import sys

MAX_FRAME_CHARS = 64_000
MAX_FRAME_BYTES = 4 * MAX_FRAME_CHARS


def main(argv: list[str]) -> None:
    # Imported here: the consumer and the settings read the limits without loading Twisted, and
    # daphne.server must be imported before the reactor (it installs the asyncio one).
    from daphne.cli import CommandLineInterface
    from daphne.http_protocol import WebRequest
    from daphne.server import Server
    from twisted.internet import reactor

    class BodyForTheAppRequest(WebRequest):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)

    class ParleyServer(Server):
        def run(self):
            # The factory exists once run() starts and before the reactor accepts a connection.
            reactor.callWhenRunning(self.factories_adjust)
            super().run()

        def factories_adjust(self):
            # A refused socket gets a close frame with its code (1009, 1002, ...), not a dropped connection.
            self.ws_factory.setProtocolOptions(failByDrop=False)
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
