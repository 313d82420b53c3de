"""A stand-in guard for the agent's tests: a real service on a real SQLite file, its
`ServiceHandler` in guard mode and a real `LinkServer`, processed on a thread of its own (the real
guard is the `guard` package's). The service's clock is fake: the test says when time passes."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from wellbeing_app.core.clock import FakeClock
from wellbeing_app.core.engine import TickResult
from wellbeing_app.core.model import AppRef, Sample
from wellbeing_app.link.codec import tick_message
from wellbeing_app.link.handler import ServiceHandler
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service

GAME = AppRef("supertux2", "SuperTux")
PASSCODE = "2468"


class StandInGuard:
    """`start()` serves, `stop()` goes away (a guard restart is stop + start); `use(seconds)`
    ticks the service as the guard's watcher would and pushes each tick to the agents."""

    def __init__(self, data: Path, *, zone: str = "Asia/Almaty") -> None:
        tz = ZoneInfo(zone)
        self.clock = FakeClock(datetime.now(tz), tz)
        self.service = Service.open(data, clock=self.clock)
        self.folder = Path(tempfile.mkdtemp(prefix="wb-guard-"))
        self.folder.chmod(0o755)
        self.path = self.folder / "socket"
        self.lock = threading.Lock()
        self._server: LinkServer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        handler = ServiceHandler(self.service, mode="guard", user="kid", manager=lambda peer: False)
        server = LinkServer(self.path, handler.handle, allow=lambda peer: peer.uid == os.getuid())
        server.open()
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                assert self._server is not None
                self._server.process(0)
            self._stop.wait(0.01)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._server is not None:
            self._server.close()
            self._server = None

    def close(self) -> None:
        self.stop()
        self.service.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def watchers(self) -> int:
        with self.lock:
            return len(self._server.watchers()) if self._server is not None else 0

    def use(self, seconds: int, app: AppRef = GAME) -> TickResult:
        with self.lock:
            result = self.service.tick(Sample(self.clock.elapsed(), self.clock.wall(), app, idle_seconds=0.0))
            for _ in range(seconds):
                self.clock.advance(1)
                result = self.service.tick(
                    Sample(self.clock.elapsed(), self.clock.wall(), app, idle_seconds=0.0)
                )
            if self._server is not None:
                self._server.push(tick_message(result, self.service.status()))
            return result
