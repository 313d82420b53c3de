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
from wellbeing_app.service import Service
from wellbeing_app.tracker.base import ProbeSet
from wellbeing_app.tracker.sampler import Sampler

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0


def run_tracking(
    service: Service,
    probes: ProbeSet,
    *,
    seconds: float | None = None,
    tick_seconds: float = TICK_SECONDS,
    on_tick: Callable[[TickResult], None] | None = None,
) -> int:
    """Track until SIGTERM/SIGINT or for `seconds`; returns the number of samples taken.

    Waits in `select` on the foreground probe's change notifications (a window switch is
    sampled the moment it happens) and on a signal wake-up pipe; no sleeps, no threads.
    """
    sampler = Sampler(probes, service.clock)
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
    change_fd = probes.foreground.change_fd()
    if change_fd is not None:
        selector.register(change_fd, selectors.EVENT_READ, "switch")

    samples = 0
    service.start_tracking()
    start = clock.elapsed()
    signs = surroundings.Signs()
    for kind, data in signs.of_start():
        service.record_sign(kind, data)
    next_display_check = start
    next_tick = start  # the first sample at once: the time until then is credited to no app
    try:
        while not stop_requested:
            now = clock.elapsed()
            if seconds is not None and now - start >= seconds:
                break
            wait = max(0.0, next_tick - now)
            if seconds is not None:
                wait = min(wait, max(0.0, start + seconds - now))
            switched = False
            for key, _mask in selector.select(wait):
                if key.data == "switch":
                    switched = probes.foreground.drain_changes() or switched
                else:
                    with contextlib.suppress(BlockingIOError):
                        os.read(wake_read, 512)
            now = clock.elapsed()
            if now >= next_display_check:
                for kind, data in signs.new_displays():
                    service.record_sign(kind, data)
                next_display_check = now + surroundings.DISPLAY_CHECK_SECONDS
            if switched or now >= next_tick:
                result = service.tick(sampler.sample(with_title=service.settings.store_window_titles))
                samples += 1
                if on_tick is not None:
                    on_tick(result)
                if now >= next_tick:
                    next_tick = max(next_tick + tick_seconds, now + tick_seconds / 2)
    finally:
        service.stop_tracking(how="signal" if stop_requested else "quit")
        selector.close()
        signal.set_wakeup_fd(previous_wakeup)
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        os.close(wake_read)
        os.close(wake_write)
    return samples
