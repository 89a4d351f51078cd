"""A graceful stop that clients notice: SIGTERM starts a drain before the server stops.

For `drain_seconds` after SIGTERM (0: only the requests in flight) a worker keeps serving, but
every response says `Connection: close` and /readyz answers 503: clients on kept-alive
connections reconnect (to another instance, behind a load balancer) instead of sending their
next request into a closing socket, and load balancers take the instance out of rotation. Then
the worker stops as the HTTP server always does: it finishes what is in flight and exits.
SIGINT (Ctrl-C) stops at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

logger = logging.getLogger("modeldir.server")

CLOSE = (b"connection", b"close")


class Drain:
    """Whether this worker is draining, and the SIGTERM handler that starts it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = False

    def install(self) -> bool:
        """Take SIGTERM over on the running loop; False where signals cannot be handled here.

        Call it after the HTTP server has set its own handlers (from the app's start-up): at
        the drain's end, SIGINT hands the stop back to the server's handler.
        """
        if threading.current_thread() is not threading.main_thread():
            return False
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, self.begin, loop)
        except (NotImplementedError, RuntimeError, ValueError):
            return False
        return True

    def begin(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start draining; stop the server when the drain time is over."""
        if self.active:
            return
        self.active = True
        logger.info("SIGTERM: draining for %.1f s before stopping", self.seconds)
        loop.call_later(self.seconds, os.kill, os.getpid(), signal.SIGINT)
