"""A threaded HTTP server on 127.0.0.1 for the stand-ins of Eurostat's and the OECD's APIs."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer


class LocalServer:
    """``with Subclass(...) as api: api.base_url``: serves `handler` on a free port of 127.0.0.1 under
    the subclass's URL `PREFIX`, in a daemon thread, until the block ends."""

    PREFIX = "/"

    def serve(self, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        # shutdown() waits for the next poll: 0.5 s by default, paid by every pytest session (mutmut starts one
        # per mutant) since the OECD stand-in serves the whole session
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.PREFIX}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
