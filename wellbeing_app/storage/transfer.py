"""The export formats (JSON and CSV) and the reading and checking of files offered for import.

Nothing here touches the database: exports are written from records and value objects, and an import file
is read and checked completely into value objects before the store writes anything.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, NoReturn, Protocol, TextIO, TypeVar

from wellbeing_app.core.days import split_span_at_day_starts
from wellbeing_app.core.events import Payload, PayloadError, payload_from_json
from wellbeing_app.core.model import AppRef, Event, EventKind, UsageSpan
from wellbeing_app.core.record import record

from .convert import day_start_ms, iso, local_day, offset_seconds, to_ms
from .errors import ImportFileError, StorageError
from .limits import DAY_REACH_MS, DEFAULT_DAY_START, MAX_SPAN_MS, UID_LENGTH

EXPORT_FORMAT = "wellbeing-export"
EXPORT_VERSION = 1
CSV_HEADER = ("record", "uid", "start", "end", "app", "name", "day", "kind", "data", "title")
MINIMAL_REQUIRED = ("start", "end", "app")
MINIMAL_OPTIONAL = ("name", "day")

_TIMESTAMP_EXPECTED = "an ISO-8601 time with a UTC offset, such as 2026-11-25T09:00:00+05:00"
#: Years an imported time may have: nothing was tracked before, and day arithmetic near year 1 or
#: 9999 overflows.
_YEARS = range(1970, 2200)
_DAY_EXPECTED = "a day written YYYY-MM-DD, such as 2026-11-25"
_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_ANY_FILE_EXPECTED = (
    "a Wellbeing JSON or CSV export, or a CSV file whose header has the columns start,end,app "
    "(and optionally name and day)"
)
_MINIMAL_HEADER_EXPECTED = (
    f"the header of a Wellbeing CSV export ({','.join(CSV_HEADER)}) or a header with the columns "
    "start,end,app and optionally name and day"
)

T = TypeVar("T")


@record(eq=False, repr=False)
class AppRecord:
    """An application as listed in a JSON export."""

    executable: str
    name: str
    first_seen: datetime | None


@record(eq=False, repr=False)
class ImportBatch:
    """Everything a checked import file holds, in file order."""

    spans: list[UsageSpan]
    events: list[Event]
    apps: dict[str, AppRecord]


# --- export -------------------------------------------------------------------------------


def span_record(
    *, uid: str, start: datetime, end: datetime, app: str, name: str, day: date, title: str | None
) -> dict[str, Any]:
    """A span as exported; `start` and `end` are written with their own UTC offset."""
    return {
        "uid": uid,
        "start": iso(start),
        "end": iso(end),
        "app": app,
        "name": name,
        "day": day.isoformat(),
        "title": title,
    }


def event_record(event: Event) -> dict[str, Any]:
    """An event as exported."""
    return {
        "uid": event.uid,
        "kind": event.kind.value,
        "at": iso(event.at),
        "day": event.day.isoformat(),
        "data": event.payload.to_json(),
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


def write_json(
    fp: TextIO,
    *,
    device_id: str,
    exported_at: datetime,
    apps: Iterable[AppRecord],
    spans: Iterable[dict[str, Any]],
    events: Iterable[Event],
) -> None:
    """Write the JSON export: one object, one record per line so that it diffs and greps well.

    `spans` are made by `span_record`.
    """
    head = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "device_id": device_id,
        "exported_at": iso(exported_at),
    }
    fp.write("{\n")
    for key, value in head.items():
        fp.write(f"{_dumps(key)}: {_dumps(value)},\n")
    app_records = (
        {"app": app.executable, "name": app.name, "first_seen": app.first_seen and iso(app.first_seen)}
        for app in apps
    )
    _write_json_list(fp, "apps", app_records)
    fp.write(",\n")
    _write_json_list(fp, "spans", spans)
    fp.write(",\n")
    _write_json_list(fp, "events", (event_record(event) for event in events))
    fp.write("\n}\n")


def _write_json_list(fp: TextIO, key: str, records: Iterable[dict[str, Any]]) -> None:
    fp.write(f"{_dumps(key)}: [")
    separator = "\n"
    for item in records:
        fp.write(separator)
        fp.write(_dumps(item))
        separator = ",\n"
    fp.write("\n]")


def write_csv(fp: TextIO, *, spans: Iterable[dict[str, Any]], events: Iterable[Event]) -> None:
    """Write the CSV export: spans (made by `span_record`), then events, under one header."""
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in spans:
        writer.writerow(
            (
                "span",
                row["uid"],
                row["start"],
                row["end"],
                row["app"],
                row["name"],
                row["day"],
                "",
                "",
                row["title"] or "",
            )
        )
    for event in events:
        writer.writerow(
            (
                "event",
                event.uid,
                iso(event.at),
                "",
                "",
                "",
                event.day.isoformat(),
                event.kind.value,
                _dumps(event.payload.to_json()),
                "",
            )
        )


# --- import: reading single values ----------------------------------------------------------


class _Missing:
    def __repr__(self) -> str:
        return "nothing"


MISSING = _Missing()


class _Refused(Exception):
    """A value was refused; the reader adds where it was (and `detail`: which part of it)."""

    def __init__(self, found: str, expected: str, detail: str | None = None) -> None:
        super().__init__(found)
        self.found = found
        self.expected = expected
        self.detail = detail


def _shown(value: object) -> str:
    if value is MISSING:
        return "nothing"
    if value == "":
        return "an empty value"
    try:
        text = _dumps(value) if not isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    except ValueError:  # NaN, Infinity: JSON that Python reads but will not write
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _string(value: object, expected: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Refused(_shown(value), expected)
    return value.strip()


def _optional_string(value: object, expected: str) -> str | None:
    """A string kept as given (titles may have spaces); missing and empty are None."""
    if value is MISSING or value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Refused(_shown(value), expected)
    return value


def _timestamp(value: object) -> datetime:
    text = _string(value, _TIMESTAMP_EXPECTED)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Refused(_shown(value), _TIMESTAMP_EXPECTED) from None
    if moment.utcoffset() is None:
        raise _Refused(f"{_shown(value)}, which has no UTC offset", _TIMESTAMP_EXPECTED)
    if moment.year not in _YEARS:
        raise _Refused(
            f"{_shown(value)}, in the year {moment.year}",
            f"{_TIMESTAMP_EXPECTED}, in the years {_YEARS.start} to {_YEARS.stop - 1}",
        )
    return moment


def _optional_timestamp(value: object) -> datetime | None:
    return None if value is MISSING or value is None or value == "" else _timestamp(value)


def _optional_day(value: object) -> date | None:
    if value is MISSING or value is None or value == "":
        return None
    if not isinstance(value, str) or not _DAY_PATTERN.fullmatch(value.strip()):
        raise _Refused(_shown(value), _DAY_EXPECTED)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Refused(_shown(value), _DAY_EXPECTED) from None


def _optional_uid(value: object) -> str | None:
    if value is MISSING or value is None or value == "":
        return None
    expected = f"an id of 1 to {UID_LENGTH} characters"
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > UID_LENGTH:
        raise _Refused(_shown(value), expected)
    return value.strip()


def _kind(value: object) -> EventKind:
    try:
        return EventKind(value.strip() if isinstance(value, str) else value)
    except ValueError:
        kinds = ", ".join(kind.value for kind in EventKind)
        raise _Refused(_shown(value), f"one of the event kinds {kinds}") from None


def _data_object(value: object) -> dict[str, Any]:
    if value is MISSING or value is None:
        return {}
    if not isinstance(value, dict):
        raise _Refused(_shown(value), "a JSON object with the event's details, such as {}")
    return value


def _data_text(value: object) -> dict[str, Any]:
    if value is MISSING or value == "":
        return {}
    expected = 'a JSON object with the event\'s details, such as {"minutes_left": 5}'
    if not isinstance(value, str):
        raise _Refused(_shown(value), expected)
    try:
        decoded = json.loads(value)
    except ValueError:
        raise _Refused(_shown(value), expected) from None
    if not isinstance(decoded, dict):
        raise _Refused(_shown(value), expected)
    return decoded


def _content_uid(*parts: object) -> str:
    """A uid made from a record's content, so that importing the same file again adds nothing."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def piece_uid(uid: str, start_ms: int, end_ms: int) -> str:
    """The uid of the piece [start_ms, end_ms) left of a span after trimming: stable across imports."""
    return _content_uid("piece", uid, start_ms, end_ms)


# --- import: assembling records -------------------------------------------------------------


class FieldReader(Protocol):
    """Reads one field of a record with a parser; a refusal is reported with where the field is."""

    def __call__(self, key: str, parse: Callable[[object], T], /) -> T: ...


def _read_span(field: FieldReader, day_starts_at: time) -> UsageSpan:
    uid: str | None = field("uid", _optional_uid)
    start: datetime = field("start", _timestamp)
    end: datetime = field("end", _timestamp)
    executable: str = field("app", lambda value: _string(value, "the application's executable name"))
    name: str | None = field("name", lambda value: _optional_string(value, "the application's name"))
    day: date | None = field("day", _optional_day)
    title: str | None = field("title", lambda value: _optional_string(value, "a window title or nothing"))
    start_ms, end_ms = to_ms(start), to_ms(end)

    # Reported at the end field, where the mistake most likely is.
    def after_start(_value: object) -> None:
        if end_ms <= start_ms:
            raise _Refused(f"{iso(end)}, which is not after the start {iso(start)}", "an end after the start")
        if end_ms - start_ms > MAX_SPAN_MS:
            raise _Refused(
                f"{iso(end)}, {(end_ms - start_ms) / 3_600_000:.1f} hours after the start",
                f"a span of at most {MAX_SPAN_MS // 3_600_000} hours; split longer stretches",
            )

    field("end", after_start)

    def near_start(_value: object) -> None:
        if day is not None and abs(start_ms - day_start_ms(day)) >= DAY_REACH_MS:
            raise _Refused(
                f"{day.isoformat()}, too far from the start {iso(start)}",
                "the local day of the span's start (or no day, to have it worked out)",
            )

    field("day", near_start)
    return UsageSpan(
        uid=uid or _content_uid("span", start_ms, end_ms, executable),
        app=AppRef(executable, name.strip() if name and name.strip() else executable),
        start=start,
        end=end,
        day=day or local_day(start, day_starts_at),
        utc_offset=timedelta(seconds=offset_seconds(start)),
        title=title,
    )


def _read_event(
    field: FieldReader, day_starts_at: time, at_key: str, data_parser: Callable[[object], dict[str, Any]]
) -> Event:
    uid: str | None = field("uid", _optional_uid)
    kind: EventKind = field("kind", _kind)
    at: datetime = field(at_key, _timestamp)
    day: date | None = field("day", _optional_day)
    data: dict[str, Any] = field("data", data_parser)
    payload: Payload = field("data", lambda _value: _payload(kind, data))
    return Event(
        uid=uid or _content_uid("event", kind.value, to_ms(at), json.dumps(data, sort_keys=True)),
        at=at,
        day=day or local_day(at, day_starts_at),
        payload=payload,
    )


def _payload(kind: EventKind, data: dict[str, Any]) -> Payload:
    try:
        return payload_from_json(kind, data)
    except PayloadError as error:
        if error.key is None:
            raise _Refused(error.given, error.allowed) from None
        raise _Refused(
            error.given, f"{error.allowed} for the {kind.value} event's {error.key}", error.key
        ) from None


# --- import: files --------------------------------------------------------------------------


def _namer(span: UsageSpan) -> Callable[[datetime, datetime], str]:
    return lambda start, end: piece_uid(span.uid, to_ms(start), to_ms(end))


def read_import(path: Path, *, day_starts_at: time = DEFAULT_DAY_START) -> ImportBatch:
    """Read and check a whole import file; raise ImportFileError at its first problem.

    JSON when the content starts with `{` or `[` (or the name ends in .json), CSV otherwise.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            path, f"line {line}", "bytes that are not UTF-8 text", _ANY_FILE_EXPECTED
        ) from None
    content = text.lstrip()
    if not content:
        raise ImportFileError(path, "line 1", "an empty file", _ANY_FILE_EXPECTED)
    if content[0] in "{[" or path.suffix.lower() == ".json":
        batch = _JsonReader(path, day_starts_at).read(text)
    else:
        batch = _CsvReader(path, day_starts_at).read(text)
    # Cut where a day starts, as live tracking does (03:50–04:20 is 10 min and 20 min).
    spans = [
        piece for span in batch.spans for piece in split_span_at_day_starts(span, day_starts_at, _namer(span))
    ]
    return ImportBatch(spans, batch.events, batch.apps)


class _JsonReader:
    def __init__(self, path: Path, day_starts_at: time) -> None:
        self.path = path
        self.day_starts_at = day_starts_at

    def fail(self, where: str, found: str, expected: str) -> NoReturn:
        raise ImportFileError(self.path, f"at {where}", found, expected)

    def fields_of(self, record: object, where: str) -> FieldReader:
        if not isinstance(record, dict):
            self.fail(where, _shown(record), "an object")
        fields: dict[str, Any] = record

        def field(key: str, parse: Callable[[object], T]) -> T:
            try:
                return parse(fields.get(key, MISSING))
            except _Refused as refused:
                detail = f".{refused.detail}" if refused.detail else ""
                self.fail(f"{where}.{key}{detail}", refused.found, refused.expected)

        return field

    def list_at(self, document: dict[str, Any], key: str, *, required: bool = True) -> list[Any]:
        value = document.get(key, MISSING)
        if value is MISSING and not required:
            return []
        if not isinstance(value, list):
            self.fail(f"$.{key}", _shown(value), f"a list of {key}")
        return value

    def read(self, text: str) -> ImportBatch:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                self.path,
                f"line {exc.lineno}, column {exc.colno}",
                f"text that is not valid JSON ({exc.msg})",
                "a Wellbeing JSON export",
            ) from None
        except (RecursionError, ValueError) as exc:
            # Valid JSON that Python will not read: nested thousands deep, a number of thousands of digits.
            raise ImportFileError(
                self.path, "the JSON document", f"JSON that cannot be read ({exc})", "a Wellbeing JSON export"
            ) from None
        if not isinstance(document, dict):
            self.fail("$", _shown(document), f'an object with "format": "{EXPORT_FORMAT}"')
        if document.get("format", MISSING) != EXPORT_FORMAT:
            self.fail("$.format", _shown(document.get("format", MISSING)), f'"{EXPORT_FORMAT}"')
        version = document.get("version", MISSING)
        if isinstance(version, int) and not isinstance(version, bool) and version > EXPORT_VERSION:
            self.fail(
                "$.version", _shown(version), f"{EXPORT_VERSION}: the file was written by a newer Wellbeing"
            )
        if version != EXPORT_VERSION or isinstance(version, bool):
            self.fail("$.version", _shown(version), str(EXPORT_VERSION))
        apps: dict[str, AppRecord] = {}
        for index, item in enumerate(self.list_at(document, "apps", required=False)):
            field = self.fields_of(item, f"$.apps[{index}]")
            executable = field("app", lambda value: _string(value, "the application's executable name"))
            name = field("name", lambda value: _optional_string(value, "the application's name"))
            first_seen = field("first_seen", _optional_timestamp)
            apps[executable] = AppRecord(executable, name or executable, first_seen)
        spans = [
            _read_span(self.fields_of(item, f"$.spans[{index}]"), self.day_starts_at)
            for index, item in enumerate(self.list_at(document, "spans"))
        ]
        events = [
            _read_event(self.fields_of(item, f"$.events[{index}]"), self.day_starts_at, "at", _data_object)
            for index, item in enumerate(self.list_at(document, "events"))
        ]
        return ImportBatch(spans=spans, events=events, apps=apps)


class _CsvReader:
    def __init__(self, path: Path, day_starts_at: time) -> None:
        self.path = path
        self.day_starts_at = day_starts_at

    def fail(self, where: str, found: str, expected: str) -> NoReturn:
        raise ImportFileError(self.path, where, found, expected)

    def rows(self, text: str) -> Iterator[tuple[int, list[str]]]:
        """(line number where the record starts, cells), skipping blank lines."""
        first_line = text.lstrip().split("\n", 1)[0]
        # Spreadsheets in many locales write semicolons; a header tells which one is meant.
        delimiter = ";" if ";" in first_line and "," not in first_line else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.fail(f"line {line}", f"malformed CSV ({exc})", 'comma-separated values, quoted with "')
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1

    def read(self, text: str) -> ImportBatch:
        rows = self.rows(text)
        header = next(rows, None)
        if header is None:
            self.fail("line 1", "no header", _MINIMAL_HEADER_EXPECTED)
        header_line, header_cells = header
        columns = [cell.strip().lower() for cell in header_cells]
        if tuple(columns) == CSV_HEADER:
            export = True
        elif (
            set(MINIMAL_REQUIRED) <= set(columns)
            and set(columns) <= set(MINIMAL_REQUIRED + MINIMAL_OPTIONAL)
            and len(set(columns)) == len(columns)
        ):
            export = False
        else:
            self.fail(
                f"line {header_line} (the header)", _shown(",".join(header_cells)), _MINIMAL_HEADER_EXPECTED
            )
        spans: list[UsageSpan] = []
        events: list[Event] = []
        for line, cells in rows:
            if len(cells) != len(columns):
                self.fail(
                    f"line {line}",
                    f"{len(cells)} values",
                    f"{len(columns)}, one for each column of the header ({','.join(columns)})",
                )
            field = self.fields_of(line, dict(zip(columns, cells, strict=True)))
            record = field("record", self.record_kind) if export else "span"
            if record == "span":
                spans.append(_read_span(field, self.day_starts_at))
            else:
                events.append(_read_event(field, self.day_starts_at, "start", _data_text))
        return ImportBatch(spans=spans, events=events, apps={})

    @staticmethod
    def record_kind(value: object) -> str:
        record = value.strip() if isinstance(value, str) else value
        if record not in ("span", "event"):
            raise _Refused(_shown(value), '"span" or "event"')
        return str(record)

    def fields_of(self, line: int, cells: dict[str, str]) -> FieldReader:
        def field(key: str, parse: Callable[[object], T]) -> T:
            value: object = cells.get(key, MISSING)
            try:
                return parse(value)
            except _Refused as refused:
                detail = f" ({refused.detail})" if refused.detail else ""
                self.fail(f'line {line}, column "{key}"{detail}', refused.found, refused.expected)

        return field
