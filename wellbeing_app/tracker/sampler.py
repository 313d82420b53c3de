"""One Sample per tick: asks each probe once and stamps the answer with the clock."""

from __future__ import annotations

from wellbeing_app.core.clock import Clock
from wellbeing_app.core.model import UNKNOWN_APP, Sample
from wellbeing_app.tracker.base import Foreground, ProbeSet

#: Media is asked about only when the person has been idle at least this long.
MEDIA_IDLE_SECONDS = 30.0


class Sampler:
    """Turns the probes' answers into a `Sample`.

    To keep a tick cheap, the media probe is asked only when the idle time is at least
    `media_idle_seconds` (30 s) or unknown: while someone types or moves the mouse they are
    active anyway, and whether a video plays matters only once input has stopped. The idle
    threshold of the core (minutes) is far above 30 s, so no decision ever misses it.
    Called on the thread that owns the probes.
    """

    def __init__(
        self, probes: ProbeSet, clock: Clock, *, media_idle_seconds: float = MEDIA_IDLE_SECONDS
    ) -> None:
        self.probes = probes
        self.clock = clock
        self.media_idle_seconds = media_idle_seconds
        #: What the foreground probe said at the last sample (with the pid, for "back to desktop").
        self.last_foreground: Foreground | None = None

    def sample(self, *, with_title: bool) -> Sample:
        elapsed = self.clock.elapsed()
        awake = self.clock.awake()
        wall = self.clock.wall()
        front = self.probes.foreground.foreground(with_title=with_title)
        self.last_foreground = front
        idle = self.probes.idle.idle_seconds()
        media = False
        if idle is None or idle >= self.media_idle_seconds:
            media = bool(self.probes.media.playing())
        locked = bool(self.probes.lock.locked())
        app = front.app
        if app is None and not front.nothing_in_front:
            # The app in front cannot be named (no backend, a backend that does not answer, a
            # window without a process or app id): the time still counts, as the unknown app,
            # so that the cap holds on every desktop.
            app = UNKNOWN_APP
        return Sample(
            elapsed=elapsed,
            wall=wall,
            app=app,
            idle_seconds=idle,
            media_playing=media,
            locked=locked,
            title=front.title if with_title else None,
            awake=awake,
        )
