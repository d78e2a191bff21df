"""CSV files the product writes for people to open in a spreadsheet. A text cell that starts
like a formula (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed with `'`, so a department
named `=HYPERLINK(...)` is shown as text instead of being evaluated (OWASP, CSV injection).
Numbers and booleans are written as they are: only text can carry a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | None


def spreadsheet_cell(value: Cell) -> str:
    """One cell: null as an empty field, booleans as true/false, numbers unrounded, text
    neutralised when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A whole CSV file: a header row, then every cell through `spreadsheet_cell`. Lines end in
    CRLF (RFC 4180), which also makes the writer quote a cell holding a lone CR: with `\\n`
    alone, a CR inside a name would split the row for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return buffer.getvalue()
