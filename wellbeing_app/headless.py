"""The headless tracker: one sample per tick and one at every window switch, until told to stop."""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import signal
from collections.abc import Callable

from wellbeing_app import surroundings
from wellbeing_app.core.engine import TickResult
from wellbeing_app.link.codec import tick_message
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service
from wellbeing_app.service.loop import TICK_SECONDS, TickLoop
from wellbeing_app.tracker.base import ProbeSet

log = logging.getLogger(__name__)


def run_tracking(
    service: Service,
    probes: ProbeSet,
    *,
    seconds: float | None = None,
    tick_seconds: float = TICK_SECONDS,
    on_tick: Callable[[TickResult], None] | None = None,
    server: LinkServer | None = None,
) -> int:
    """Track until SIGTERM/SIGINT or for `seconds`; returns the number of samples taken.

    Runs the service's `TickLoop`, waiting in `select` on the foreground probe's change
    notifications (a window switch is sampled the moment it happens) and on a signal wake-up
    pipe; no sleeps, no threads. `server` (open), when given, is served on the same loop: `status`
    asks it, and watchers get every tick.
    """
    loop = TickLoop(service, probes, tick_seconds=tick_seconds)
    clock = service.clock
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    previous_wakeup = signal.set_wakeup_fd(wake_write)
    previous_handlers = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    selector = selectors.DefaultSelector()
    selector.register(wake_read, selectors.EVENT_READ, "signal")
    change_fd = loop.change_fd()
    if change_fd is not None:
        selector.register(change_fd, selectors.EVENT_READ, "switch")
    if server is not None:
        selector.register(server.fileno(), selectors.EVENT_READ, "link")

    loop.start()
    start = clock.elapsed()
    # Signs around the app: how it was started (once), other displays of the account (now and then).
    signs = surroundings.Signs()
    for sign in signs.of_start():
        service.record_sign(sign)
    next_display_check = start
    try:
        while not stop_requested:
            now = clock.elapsed()
            if seconds is not None and now - start >= seconds:
                break
            wait = loop.seconds_to_next_tick()
            if seconds is not None:
                wait = min(wait, max(0.0, start + seconds - now))
            switched = False
            for key, _mask in selector.select(wait):
                if key.data == "switch":
                    switched = loop.drain_switches() or switched
                elif key.data == "link":
                    assert server is not None
                    server.process()
                else:
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
            now = clock.elapsed()
            if now >= next_display_check:
                for display in signs.new_displays():
                    service.record_sign(display)
                next_display_check = now + surroundings.DISPLAY_CHECK_SECONDS
            result = loop.step(switched=switched)
            if result is not None and on_tick is not None:
                on_tick(result)
            if result is not None and server is not None and server.watchers():
                server.push(tick_message(result, service.status()))
    finally:
        loop.stop(how="signal" if stop_requested else "quit")
        selector.close()
        signal.set_wakeup_fd(previous_wakeup)
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        os.close(wake_read)
        os.close(wake_write)
    return loop.samples
