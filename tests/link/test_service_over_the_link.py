"""A real service on a real SQLite file, asked over a real socket: what `status` says there is
what the service says, without loss."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.link.running import Running
from wellbeing_app import __version__
from wellbeing_app.core.clock import FakeClock
from wellbeing_app.link.client import LinkClient
from wellbeing_app.link.codec import status_from
from wellbeing_app.link.handler import ServiceHandler
from wellbeing_app.link.server import LinkServer
from wellbeing_app.service import Service


def test_status_over_the_link_is_the_services_own(tmp_path: Path) -> None:
    zone = ZoneInfo("Asia/Almaty")
    service = Service.open(
        tmp_path / "data", clock=FakeClock(datetime(2026, 12, 6, 10, 0, tzinfo=zone), zone)
    )
    service.change_settings({"daily_cap_minutes": 45})
    handler = ServiceHandler(service, user="kid")
    folder = Path(tempfile.mkdtemp(prefix="wb-"))
    server = LinkServer(folder / "s", handler.handle, allow=lambda peer: peer.uid == os.getuid())
    with Running(server), LinkClient(server.path) as client:
        assert client.call("hello") == {"mode": "personal", "user": "kid", "version": __version__}
        assert status_from(client.call("status")) == service.status()
        assert status_from(client.call("status")).cap_minutes == 45
    service.close()
    folder.rmdir()
