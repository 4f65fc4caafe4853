"""Parser for brat standoff (.ann) files as used by PolNeAR: text-bound spans and the events linking them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

_RECORD_START = re.compile(r"^[TEARN#]\d*\t")
_SPAN = re.compile(r"^(\d+) (\d+)$")


@dataclass(frozen=True)
class TextBound:
    """A `T` record: an annotated span (possibly discontinuous) with its type and covered text."""

    id: str
    type: str
    spans: tuple[tuple[int, int], ...]
    text: str

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(frozen=True)
class Event:
    """An `E` record: a trigger and its role->TextBound-id arguments (Source, Cue, Content, ...)."""

    id: str
    type: str
    trigger: str
    args: dict = field(default_factory=dict)


@dataclass
class Annotations:
    """All text-bound spans and events of one .ann file."""

    textbounds: dict[str, TextBound]
    events: list[Event]


def _records(lines: list[str], name: str):
    """Group physical lines into records: a record starts with an id and a tab, other lines continue it."""
    current, start_line = None, 0
    for number, line in enumerate(lines, 1):
        if _RECORD_START.match(line):
            if current is not None:
                yield start_line, current
            current, start_line = line, number
        elif current is not None:
            current += "\n" + line
        elif line.strip():
            raise InputError(f"{name}:{number}: malformed brat line (no record id): {line[:60]!r}")
    if current is not None:
        yield start_line, current


def _parse_textbound(record: str, name: str, line: int) -> TextBound:
    parts = record.split("\t", 2)
    if len(parts) < 2:
        raise InputError(f"{name}:{line}: malformed text-bound record: {record[:60]!r}")
    rid, middle = parts[0], parts[1]
    text = parts[2] if len(parts) > 2 else ""
    type_, _, offsets = middle.partition(" ")
    spans = []
    for piece in offsets.split(";"):
        m = _SPAN.match(piece.strip())
        if not m or int(m.group(1)) > int(m.group(2)):
            raise InputError(f"{name}:{line}: malformed span {piece.strip()!r} in {rid}")
        spans.append((int(m.group(1)), int(m.group(2))))
    return TextBound(rid, type_, tuple(spans), text)


def _parse_event(record: str, name: str, line: int) -> Event:
    parts = record.split("\t")
    if len(parts) < 2 or ":" not in parts[1]:
        raise InputError(f"{name}:{line}: malformed event record: {record[:60]!r}")
    items = parts[1].split()
    try:
        type_, trigger = items[0].split(":", 1)
        args = dict(item.split(":", 1) for item in items[1:])
    except ValueError:
        raise InputError(f"{name}:{line}: malformed event argument in {parts[0]}") from None
    return Event(parts[0], type_, trigger, args)


def parse_ann(content: str, name: str = "<ann>") -> Annotations:
    """Parse the text of a .ann file; errors name the file and line."""
    textbounds: dict[str, TextBound] = {}
    events: list[Event] = []
    for line, record in _records(content.split("\n"), name):
        kind = record[0]
        if kind == "T":
            tb = _parse_textbound(record, name, line)
            textbounds[tb.id] = tb
        elif kind == "E":
            events.append(_parse_event(record, name, line))
    for event in events:
        for role, ref in [("trigger", event.trigger), *event.args.items()]:
            if ref not in textbounds:
                raise InputError(f"{name}: event {event.id} refers to unknown span {ref} ({role})")
    return Annotations(textbounds, events)


def read_ann(path: str | Path) -> Annotations:
    """Read and parse a .ann file (UTF-8)."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read annotation file ({exc})") from None
    return parse_ann(content, str(path))
