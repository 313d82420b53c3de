"""Benchmarks that print figures (not timed tests): `python -m benchmarks.run [--quick] [NAME...]`.

Each benchmark prints one table row: what, the figure, and how it was measured. Figures go to
docs/performance.md by hand, with the command that reproduced them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Asia/Almaty")
APPS = [("firefox", "Firefox"), ("code", "Visual Studio Code"), ("supertux2", "SuperTux"), ("vlc", "VLC"),
        ("telegram-desktop", "Telegram"), ("libreoffice", "LibreOffice"), ("gnome-calculator", "Calculator")]  # fmt: skip

rows: list[tuple[str, str, str]] = []


def report(what: str, figure: str, how: str) -> None:
    rows.append((what, figure, how))
    print(f"| {what} | {figure} | {how} |", flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- a real X desktop for the tracker benchmarks -----------------------------------------------


@contextlib.contextmanager
def x_desktop(*, tray: bool = False) -> Iterator[str]:
    """A private Xvfb with openbox (and a trayer tray) and an xterm in front; yields the DISPLAY name."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-s", "0", "-screen", "0", "1280x800x24"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        display = ":" + pipe.readline().strip().decode()
    env = {**os.environ, "DISPLAY": display}
    wm = subprocess.Popen(
        ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    extra = []
    if tray:
        extra.append(subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel",
                                       "--width", "120", "--height", "24"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))  # fmt: skip
    term = subprocess.Popen(["xterm", "-e", "cat"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(term.pid)], env=env,
                   capture_output=True, timeout=60, check=True)  # fmt: skip
    try:
        yield display
    finally:
        for process in (term, *extra, wm, server):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


# --- benchmarks ----------------------------------------------------------------------------------


def bench_tick(quick: bool) -> None:
    """One sample of every probe, and one whole service tick, on X11."""
    from wellbeing_app.service import Service
    from wellbeing_app.tracker.choose import choose_probes
    from wellbeing_app.tracker.sampler import Sampler

    with x_desktop() as display, tempfile.TemporaryDirectory() as data:
        env = {
            k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        }
        env["DISPLAY"] = display
        os.environ["DISPLAY"] = display
        probes = choose_probes(env)
        service = Service.open(Path(data))
        sampler = Sampler(probes, service.clock)
        service.start_tracking()
        count = 500 if quick else 3000
        sample_times, tick_times = [], []
        for _ in range(count):
            began = time.perf_counter()
            sample = sampler.sample(with_title=False)
            middle = time.perf_counter()
            service.tick(sample)
            ended = time.perf_counter()
            sample_times.append((middle - began) * 1000)
            tick_times.append((ended - middle) * 1000)
        service.close()
        probes.close()
    report("tracker sample, all probes (X11)", f"median {statistics.median(sample_times):.3f} ms, "
           f"p99 {percentile(sample_times, 0.99):.3f} ms", f"{count} samples, Xvfb + openbox + xterm in front")  # fmt: skip
    report("service tick (accounting + policy)", f"median {statistics.median(tick_times):.3f} ms, "
           f"p99 {percentile(tick_times, 0.99):.3f} ms", f"{count} ticks after those samples")  # fmt: skip


def realistic_spans(days: int, *, switch_seconds: int = 30, hours: float = 8.0) -> Iterator[object]:
    """An app switch every 30 s over 8 hours a day, for `days` days ending yesterday."""
    from wellbeing_app.core.model import AppRef, UsageSpan

    rng = random.Random(7)
    apps = [AppRef(e, n) for e, n in APPS]
    first = datetime.now(ZONE).date() - timedelta(days=days)
    for offset in range(days):
        day = first + timedelta(days=offset)
        start = datetime.combine(day, dtime(9, 0), tzinfo=ZONE)
        for _ in range(int(hours * 3600 / switch_seconds)):
            end = start + timedelta(seconds=switch_seconds)
            # uids as the tracker makes them (uuid4 hex)
            uid = f"{rng.getrandbits(128):032x}"
            yield UsageSpan(uid, rng.choice(apps), start, end, day, timedelta(hours=5))
            start = end


def fill(data_dir: Path, days: int) -> None:
    from wellbeing_app.storage import open_store

    store = open_store(data_dir).store
    batch: list[object] = []
    for span in realistic_spans(days):
        batch.append(span)
        if len(batch) >= 20000:
            store.upsert_spans(batch)  # type: ignore[arg-type]
            batch = []
    store.upsert_spans(batch)  # type: ignore[arg-type]
    store.close()


def database_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("wellbeing.sqlite3*"))


def bench_database(quick: bool) -> None:
    """Bytes per day, size after two years, status and report times on that database."""
    from wellbeing_app.service import Service

    days = 120 if quick else 730
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        began = time.perf_counter()
        fill(data, days)
        filled = time.perf_counter() - began
        # checkpoint the WAL so the file size is the database's own
        import sqlite3

        with contextlib.closing(sqlite3.connect(data / "wellbeing.sqlite3")) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = database_bytes(data)
        report("database size", f"{size / days / 1024:.1f} KiB/day; {size / 1024 / 1024:.1f} MiB after {days} days",
               f"an app switch every 30 s for 8 h a day ({960 * days} spans, filled in {filled:.1f} s)")  # fmt: skip
        env = {**os.environ, "WELLBEING_DATA_DIR": str(data)}
        times = []
        for _ in range(3 if quick else 7):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "wellbeing_app", "status", "--json"], env=env, check=True,
                           capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - began)
        report("`wellbeing-app status` (whole process)", f"median {statistics.median(times) * 1000:.0f} ms",
               f"on the {days}-day database, no tracker running (it reads the database)")  # fmt: skip
        report("`wellbeing-app status` with a tracker running",
               f"median {statistics.median(status_with_a_tracker(env, 3 if quick else 7)) * 1000:.0f} ms",
               f"on the {days}-day database, `track` running: it answers over its socket")  # fmt: skip
        service = Service.open(data)
        for label, span in (("a week", 7), ("a month", 30), ("a year", 365)):
            times = []
            for _ in range(5):
                began = time.perf_counter()
                service.report(span)
                times.append(time.perf_counter() - began)
            report(f"report query for {label}", f"median {statistics.median(times) * 1000:.1f} ms",
                   f"per-day per-app totals, {days}-day database")  # fmt: skip
        service.close()


def status_with_a_tracker(env: dict[str, str], runs: int) -> list[float]:
    """Times of `status --json` while `wellbeing-app track` runs on the data dir of `env`."""
    from wellbeing_app.link.client import LinkClient
    from wellbeing_app.link.paths import personal_socket
    from wellbeing_app.link.protocol import LinkError

    tracker = subprocess.Popen([sys.executable, "-m", "wellbeing_app", "track"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        socket_path = personal_socket(Path(env["WELLBEING_DATA_DIR"]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with LinkClient(socket_path) as client:
                    client.call("status")
                break
            except LinkError:  # not serving yet
                time.sleep(0.05)
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "wellbeing_app", "status", "--json"], env=env, check=True,
                           capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - began)
        return times
    finally:
        tracker.send_signal(signal.SIGTERM)
        tracker.wait(timeout=20)


def bench_track(quick: bool) -> None:
    """CPU, memory and disk writes of `wellbeing-app track` while nothing changes."""
    import psutil

    seconds = 20 if quick else 60
    with x_desktop() as display, tempfile.TemporaryDirectory() as folder:
        env = {
            k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        }
        env.update(DISPLAY=display, WELLBEING_DATA_DIR=folder)
        process = subprocess.Popen([sys.executable, "-m", "wellbeing_app", "track"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        journal = Path(folder) / "live-journal.json"
        deadline = time.monotonic() + 20
        while not journal.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(3)  # let start-up settle before measuring steady tracking
        handle = psutil.Process(process.pid)
        cpu0, io0 = handle.cpu_times(), _io(process.pid)
        began = time.monotonic()
        rss_peak = 0
        while time.monotonic() - began < seconds:
            time.sleep(1)
            rss_peak = max(rss_peak, handle.memory_info().rss)
        cpu1, io1 = handle.cpu_times(), _io(process.pid)
        spent = time.monotonic() - began
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / spent * 100
    written = (io1[0] - io1[1] - io0[0] + io0[1]) / spent * 60 / 1024
    report("`track` CPU", f"{cpu:.2f} % of one core", f"{seconds} s of steady tracking, 1 s tick, Xvfb")
    report("`track` memory", f"{rss_peak / 1024 / 1024:.0f} MB resident (peak)", "same run")
    report(
        "`track` disk writes", f"{written:.1f} KiB/min", "write_bytes - cancelled_write_bytes of /proc/PID/io"
    )


def _tray_windows(display: str) -> int:
    """How many tray icons are embedded (windows with _XEMBED_INFO that a tray reparented)."""
    from Xlib import X
    from Xlib import display as xdisplay
    from Xlib import error as xerror

    dpy = xdisplay.Display(display)
    try:
        if not dpy.get_selection_owner(dpy.intern_atom("_NET_SYSTEM_TRAY_S0")):
            return -1
        xembed = dpy.intern_atom("_XEMBED_INFO")
        root = dpy.screen().root
        count, todo = 0, list(root.query_tree().children)
        while todo:
            window = todo.pop()
            try:
                children = window.query_tree().children
                if window.get_full_property(xembed, X.AnyPropertyType) is not None:
                    count += window.query_tree().parent != root
            except xerror.XError:
                continue
            todo.extend(children)
        return count
    finally:
        dpy.close()


def bench_app(quick: bool, minutes: float | None = None) -> None:
    """The tray app: start to tray icon, then CPU and memory while it runs (`minutes`: 10, or 1
    with `--quick`)."""
    import psutil

    minutes = minutes or (1 if quick else 10)
    with x_desktop(tray=True) as display, tempfile.TemporaryDirectory() as folder:
        env = {
            k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        }
        env.update(DISPLAY=display, WELLBEING_DATA_DIR=folder, QT_QPA_PLATFORM="xcb")
        subprocess.run([sys.executable, "-m", "wellbeing_app", "config", "set", "start_at_login", "off"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        deadline = time.monotonic() + 20
        while _tray_windows(display) < 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        starts = []
        process = None
        for _ in range(3 if quick else 5):
            before = _tray_windows(display)
            began = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-m", "wellbeing_app", "run"], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            while _tray_windows(display) <= before and time.perf_counter() - began < 30:
                time.sleep(0.01)
            starts.append(time.perf_counter() - began)
            if len(starts) < (3 if quick else 5):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
                while _tray_windows(display) > before:
                    time.sleep(0.05)
        assert process is not None
        report("tray app start to tray icon", f"median {statistics.median(starts) * 1000:.0f} ms",
               f"{len(starts)} starts, process start until the icon is embedded in trayer")  # fmt: skip
        handle = psutil.Process(process.pid)
        time.sleep(5)
        cpu0 = handle.cpu_times()
        began = time.monotonic()
        rss: list[int] = []
        uss: list[int] = []
        while time.monotonic() - began < minutes * 60:
            time.sleep(2)
            info = handle.memory_full_info()
            rss.append(info.rss)
            uss.append(info.uss)
        cpu1 = handle.cpu_times()
        spent = time.monotonic() - began
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / spent * 100
    report(
        "tray app CPU while idle in the tray", f"{cpu:.2f} % of one core", f"{minutes:g} min, 1 s tick, Xvfb"
    )
    report("tray app memory", f"{rss[0] / 1024 / 1024:.0f} MB at start, {rss[-1] / 1024 / 1024:.0f} MB after "
           f"{minutes:g} min", "resident set size (shared libraries included)")  # fmt: skip
    mib = [size / 1024 / 1024 for size in uss]
    report("tray app memory of its own", f"{mib[0]:.1f} MiB at start, {mib[-1]:.1f} MiB after {minutes:g} min "
           f"(lowest {min(mib):.1f}, highest {max(mib):.1f})",
           "unique set size: what quitting it would free, every 2 s")  # fmt: skip


@contextlib.contextmanager
def tracking_process(
    command: str, display: str, folder: str, extra_env: dict[str, str] | None = None
) -> Iterator[int]:
    """`wellbeing-app run` (the tray app) or `track` on a data dir, started and tracking; yields its pid."""
    env = {k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}}
    env.update(DISPLAY=display, WELLBEING_DATA_DIR=folder, QT_QPA_PLATFORM="xcb", **(extra_env or {}))
    subprocess.run([sys.executable, "-m", "wellbeing_app", "config", "set", "start_at_login", "off"], env=env,
                   check=True, capture_output=True)  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "wellbeing_app", command], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    journal = Path(folder) / "live-journal.json"
    deadline = time.monotonic() + 60
    while not (journal.exists() and '"clean":false' in journal.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def bench_disk(quick: bool) -> None:
    """Disk writes of steady tracking, `run` and `track`, over 5 minutes (1 with --quick), while a
    person moves the mouse now and then in one app."""
    import psutil

    minutes = 1 if quick else 5
    for command in ("run", "track"):
        with (
            x_desktop(tray=True) as display,
            tempfile.TemporaryDirectory() as folder,
            tracking_process(command, display, folder) as pid,
        ):
            time.sleep(5)  # past start-up: what counts is steady tracking
            handle = psutil.Process(pid)
            io0, began = _io(pid), time.monotonic()
            uss0 = handle.memory_full_info().uss
            while time.monotonic() - began < minutes * 60:
                subprocess.run(["xdotool", "mousemove", str(random.randint(50, 600)), "300"],
                               env={**os.environ, "DISPLAY": display}, check=False)  # fmt: skip
                time.sleep(10)
            io1, spent = _io(pid), time.monotonic() - began
            uss1 = handle.memory_full_info().uss
        written = (io1[0] - io1[1] - io0[0] + io0[1]) / spent * 60 / 1024
        report(f"`{command}` disk writes", f"{written:.1f} KiB/min",
               f"write_bytes - cancelled_write_bytes over {minutes} min of steady tracking")  # fmt: skip
        report(f"`{command}` memory of its own", f"{uss0 / 2**20:.1f} MiB, {uss1 / 2**20:.1f} MiB {minutes} min later",
               "unique set size (USS)")  # fmt: skip


def bench_compare(quick: bool, *, with_activitywatch: bool = False) -> None:
    """Side by side with ActivityWatch (see benchmarks/activitywatch.py); prints one table."""
    from benchmarks import activitywatch

    switches, dwell = (6, 3.0) if quick else (20, 15.0)
    columns: dict[str, activitywatch.Figures] = {}
    note = ""
    for command in ("run", "track"):
        with x_desktop(tray=True) as display:
            columns[f"`{command}`"] = activitywatch.run_wellbeing(command, display, switches, dwell)
    if with_activitywatch:
        try:
            with x_desktop() as display:
                columns["ActivityWatch, 3 processes"] = activitywatch.run_activitywatch(
                    display, switches, dwell
                )
        except activitywatch.NotInstallable as problem:
            note = f"ActivityWatch was not measured: {problem}"
    lines = [f"| | {' | '.join(columns)} |", f"| --- |{' --- |' * len(columns)}"]
    measures: list[tuple[str, Callable[[activitywatch.Figures], str]]] = [
        ("CPU, % of one core", lambda f: f"{f.cpu_percent:.2f}"),
        ("memory, unique (USS)", lambda f: f"{f.uss_mib:.0f} MiB"),
        ("memory, resident", lambda f: f"{f.rss_mib:.0f} MiB"),
        ("disk writes", lambda f: f"{f.disk_kib_per_min:.0f} KiB/min"),
        (f"time per app, {switches} switches", lambda f: f"{f.seconds_off_per_switch:.2f} s off per switch"),
    ]
    for label, shown in measures:
        cells = [shown(figures) for figures in columns.values()]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    print("\n".join(lines), flush=True)
    print(
        f"({switches} switches, {dwell:.0f} s each, the mouse moved every second; one run each)", flush=True
    )
    if note:
        print(note, flush=True)


def _io(pid: int) -> tuple[int, int]:
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(fields["write_bytes"]), int(fields["cancelled_write_bytes"])


def bench_simulation(quick: bool) -> None:
    """Speed of the engine over an accelerated month, then its memory (no growth)."""
    from wellbeing_app.core.model import AppRef
    from wellbeing_app.core.settings import Settings
    from wellbeing_app.core.simulation import Simulation

    days = 5 if quick else 30
    apps = [AppRef(e, n) for e, n in APPS]

    def month(on_day_end: Callable[[], None]) -> float:
        sim = Simulation(
            Settings().replace(daily_cap_minutes=120), datetime(2026, 11, 2, 8, 0, tzinfo=ZONE), ZONE
        )
        began = time.perf_counter()
        for _day in range(days):
            for app in apps:
                sim.use(app, 20)
                sim.idle(10)
            sim.sleep(24 * 60 - len(apps) * 30)
            sim.spans.clear()  # storage keeps them; the engine must not
            sim.events.clear()
            on_day_end()
        return time.perf_counter() - began

    elapsed = month(lambda: None)
    ticks = days * len(apps) * 30 * 60
    report(
        "simulated ticks per second",
        f"{ticks / elapsed:,.0f}",
        f"{days} days of 3.5 h use in {elapsed:.1f} s",
    )
    memory: list[int] = []
    tracemalloc.start()
    month(lambda: memory.append(tracemalloc.get_traced_memory()[0]))
    tracemalloc.stop()
    report("engine memory over a simulated month", f"{memory[0] / 1024:.0f} KiB after day 1, "
           f"{memory[-1] / 1024:.0f} KiB after day {days}", "tracemalloc, 3.5 h of use a day, 1 s ticks")  # fmt: skip


def bench_accuracy(quick: bool) -> None:
    """Real windows switched by xdotool while `track` runs: seconds per app against the truth, and
    how soon the tracker sees a switch (PropertyNotify on _NET_ACTIVE_WINDOW)."""
    import select

    from wellbeing_app.tracker.x11 import open_x11

    switches = 6 if quick else 20
    with x_desktop() as display, tempfile.TemporaryDirectory() as folder:
        env = {
            k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"}
        }
        env["DISPLAY"] = display
        terms = []
        windows = []
        for name in ("alphaterm", "betaterm"):
            program = Path(folder) / name
            shutil.copy(shutil.which("xterm") or "xterm", program)
            terms.append(subprocess.Popen([str(program), "-e", "cat"], env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
            found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(terms[-1].pid)],
                                   env=env, capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
            windows.append(found.stdout.split()[-1])

        def activate(window: str) -> None:
            subprocess.run(["xdotool", "windowactivate", "--sync", window], env=env, check=True, timeout=20)

        # How soon a switch is seen: from asking for it to the probe's file descriptor waking up.
        foreground, idle = open_x11(display)
        fd = foreground.change_fd()
        assert fd is not None
        latencies = []
        for index in range(switches):
            foreground.drain_changes()
            began = time.perf_counter()
            subprocess.Popen(["xdotool", "windowactivate", windows[index % 2]], env=env).wait()
            while True:
                ready, _, _ = select.select([fd], [], [], 5)
                if not ready or foreground.drain_changes():
                    break
            latencies.append(time.perf_counter() - began)
        foreground.close()
        idle.close()
        report("a window switch seen by the tracker", f"median {statistics.median(latencies) * 1000:.0f} ms, "
               f"worst {max(latencies) * 1000:.0f} ms", f"{switches} switches; includes starting xdotool")  # fmt: skip

        data = Path(folder) / "data"
        tenv = {**env, "WELLBEING_DATA_DIR": str(data)}
        activate(windows[0])
        tracker = subprocess.Popen([sys.executable, "-m", "wellbeing_app", "track"], env=tenv,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        journal = data / "live-journal.json"
        while not (journal.exists() and '"clean":false' in journal.read_text()):
            time.sleep(0.05)
        truth = {"alphaterm": 0.0, "betaterm": 0.0}
        activate(windows[0])
        subprocess.run(["xdotool", "mousemove", "10", "10"], env=env, check=True)
        mark, current = time.monotonic(), "alphaterm"
        for index in range(switches):
            time.sleep(1.5)
            target = index % 2 == 0
            activate(windows[1 if target else 0])
            now = time.monotonic()
            truth[current] += now - mark
            mark, current = now, ("betaterm" if target else "alphaterm")
        time.sleep(1.5)
        tracker.send_signal(signal.SIGTERM)
        truth[current] += time.monotonic() - mark
        tracker.wait(timeout=20)
        exported = subprocess.run([sys.executable, "-m", "wellbeing_app", "export", "--format", "json"], env=tenv,
                                  capture_output=True, check=True).stdout  # fmt: skip
        measured = {"alphaterm": 0.0, "betaterm": 0.0}
        for span in json.loads(exported)["spans"]:
            seconds = (
                datetime.fromisoformat(span["end"]) - datetime.fromisoformat(span["start"])
            ).total_seconds()
            measured[span["app"]] = measured.get(span["app"], 0.0) + seconds
        for process in terms:
            process.terminate()
            process.wait(timeout=10)
    error = sum(abs(measured[app] - truth[app]) for app in truth)
    report("seconds per app against the truth", f"{error / switches:.2f} s off per switch "
           f"({', '.join(f'{a} {measured[a]:.1f}/{truth[a]:.1f} s' for a in truth)})",
           f"{switches} switches by xdotool while `track` ran")  # fmt: skip


def bench_logind(quick: bool) -> None:
    """The guard's logind client against logind's stand-in (python3-dbusmock) on a private system
    bus: reading 10 sessions, a lock reaching logind; and `service install`'s check of this venv."""
    from tests.guard.logind_mock import LogindMock
    from wellbeing_app.guard.install import check_installation
    from wellbeing_app.guard.logind import Logind

    calls = 50 if quick else 500
    with tempfile.TemporaryDirectory(prefix="bus-") as folder:
        started = time.perf_counter()
        mock = LogindMock.start(Path(folder))
        report("logind stand-in ready", f"{(time.perf_counter() - started) * 1000:.0f} ms",
               "dbus-daemon + python3-dbusmock's logind template, until it owns its name")  # fmt: skip
        try:
            for number in range(10):
                mock.add_session(f"c{number}", uid=1000 + number, user=f"user{number}", display=f":{number}")
            with Logind.connect(mock.address) as logind:
                reads = []
                for _ in range(calls):
                    started = time.perf_counter()
                    assert len(logind.sessions()) == 10
                    reads.append(time.perf_counter() - started)
                report("sessions() with 10 sessions",
                       f"median {statistics.median(reads) * 1000:.1f} ms, p99 {percentile(reads, 0.99) * 1000:.1f} ms",
                       f"{calls} reads: one ListSessions, then one Properties.GetAll a session")  # fmt: skip
                locks = []
                for _ in range(calls):
                    mock.clear_calls()
                    started = time.perf_counter()
                    logind.lock("c3")
                    locks.append(time.perf_counter() - started)
                    assert mock.manager_calls("LockSession") == [("c3",)]
                report("lock(), answered by logind",
                       f"median {statistics.median(locks) * 1000:.2f} ms, p99 {percentile(locks, 0.99) * 1000:.2f} ms",
                       f"{calls} LockSession calls, each then found in the stand-in's call log")  # fmt: skip
        finally:
            mock.stop()
    started = time.perf_counter()
    installation, changeable = check_installation(Path(sys.executable))
    files = sum(1 for entry in (installation.import_path if installation else ()) for _ in entry.rglob("*"))
    report("`service install`'s check of this venv", f"{(time.perf_counter() - started) * 1000:.0f} ms",
           f"{len(changeable)} changeable paths; {files} files on the import path")  # fmt: skip


BENCHMARKS: dict[str, Callable[[bool], None]] = {
    "tick": bench_tick,
    "database": bench_database,
    "track": bench_track,
    "simulation": bench_simulation,
    "app": bench_app,
    "accuracy": bench_accuracy,
    "disk": bench_disk,
    "compare": bench_compare,
    "logind": bench_logind,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a first look")
    parser.add_argument(
        "--with-activitywatch",
        action="store_true",
        help="`compare` also runs ActivityWatch, installed from PyPI into a venv under ~/.cache",
    )
    parser.add_argument("--app-minutes", type=float, help="how long `app` watches the tray app (default 10)")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="which (default: all)")
    args = parser.parse_args()
    for tool in ("Xvfb", "openbox", "xterm", "xdotool"):
        if shutil.which(tool) is None:
            sys.exit(
                f"{tool} is missing: run scripts/test once, or apt-get install xvfb openbox xterm xdotool"
            )
    print("| what | figure | how |\n| --- | --- | --- |")
    for name in args.names or BENCHMARKS:
        if name == "compare":
            bench_compare(args.quick, with_activitywatch=args.with_activitywatch)
        elif name == "app":
            bench_app(args.quick, args.app_minutes)
        else:
            BENCHMARKS[name](args.quick)
    print(json.dumps({"finished": datetime.now(UTC).isoformat()}), file=sys.stderr)


if __name__ == "__main__":
    main()
