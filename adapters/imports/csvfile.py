"""Reading an import file: UTF-8 CSV with a header row, records numbered by the physical line
where they start (the header is line 1, quoted multi-line fields count), and the problems found
reported as `FILE:LINE: column: problem`."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one column of one record (or of the header, line 1)."""

    line: int
    column: str
    message: str

    def render(self, file_name: str) -> str:
        return f"{file_name}:{self.line}: {self.column}: {self.message}"


@dataclass(slots=True)
class CsvRecord:
    """One data row: the line it starts on and its stripped cells; `index` (shared by the
    file's records) gives each layout column's position, columns the file omits pointing
    at a blank cell appended to every row."""

    line: int
    cells: list[str]
    index: dict[str, int]

    def get(self, column: str) -> str:
        return self.cells[self.index[column]]


@dataclass(frozen=True, slots=True)
class Layout:
    """The columns one kind of file may have, in the contract's order, and those it must have."""

    columns: tuple[str, ...]
    required: tuple[str, ...]


# what to do about a file a spreadsheet saved in another encoding or with other separators
SAVE_AS = "save it as CSV UTF-8, comma-separated"


class ImportFileError(Exception):
    """The file cannot be read at all (missing, a folder, unreadable)."""


def read_csv(path: Path, layout: Layout) -> tuple[list[CsvRecord], list[Problem]]:
    """The file's records, or the problems with its encoding, header and shape. Rows that are
    entirely blank are skipped; a row with more or fewer fields than the header is a problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte}); {SAVE_AS}"
        return [], [Problem(line, "encoding", message)]
    if "\x00" in text:  # no database column can hold one (PostgreSQL refuses the row)
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [Problem(line, "encoding", f"contains a NUL character, not text; {SAVE_AS}")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [Problem(1, "header", f"unreadable CSV: {exc}")]
    if header is None or not any(name.strip() for name in header):
        expected = ",".join(layout.columns)
        return [], [Problem(1, "header", f"no header row; expected columns from {expected}")]
    names = [name.strip() for name in header]
    if _separated_by_semicolons(names, layout):
        return [], [Problem(1, "header", f"the columns are separated by ';'; {SAVE_AS}")]
    problems = _header_problems(names, layout)
    if problems:
        return [], problems
    index = {column: len(names) for column in layout.columns} | {
        name: position for position, name in enumerate(names)
    }
    return _records(reader, index, len(names), problems)


def _separated_by_semicolons(names: Sequence[str], layout: Layout) -> bool:
    """A header like `email;name;...`, as spreadsheets in many locales save "CSV"."""
    parts = {part.strip() for name in names for part in name.split(";")}
    return any(";" in name for name in names) and bool(parts & set(layout.columns))


def _header_problems(names: Sequence[str], layout: Layout) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            problems.append(Problem(1, f"column {position}", "blank column name"))
        elif name not in layout.columns:
            known = ", ".join(layout.columns)
            problems.append(Problem(1, name, f"unknown column (known columns: {known})"))
        elif name in seen:
            problems.append(Problem(1, name, "column appears more than once"))
        seen.add(name)
    problems.extend(
        Problem(1, name, "required column missing") for name in layout.required if name not in seen
    )
    return problems


def _records(
    reader: Any, index: dict[str, int], width: int, problems: list[Problem]
) -> tuple[list[CsvRecord], list[Problem]]:
    records: list[CsvRecord] = []
    line = reader.line_num + 1
    try:
        for row in reader:
            cells = list(map(str.strip, row))
            if any(cells):
                if len(cells) == width:
                    cells.append("")
                    records.append(CsvRecord(line, cells, index))
                else:
                    message = f"{len(cells)} fields, the header has {width}"
                    problems.append(Problem(line, "row", message))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(line, "row", f"unreadable CSV: {exc}"))
    return records, problems
