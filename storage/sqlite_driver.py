"""SQLite through aiosqlite in one trip per statement.

aiosqlite runs each connection's calls on a thread of its own; SQLAlchemy's adapter makes four
trips there for every statement (open a cursor, execute, fetch, close), and one more to roll
back a transaction that never began (SQLite reads take none). Each trip is a queue hand-off,
a thread wake-up and an event-loop wake-up: at a burst of `/coaching` forms they cost more
than SQLite's work. This adapter runs the whole statement in one trip (the rows are read and
the cursor closed on aiosqlite's thread) and skips the trip of a commit or rollback when SQLite
says no transaction is open. Errors are SQLite's own, translated as before.

It leans on two names aiosqlite keeps private (`Connection._execute`, `Connection._conn`), as
SQLAlchemy's own adapter does; `tests/storage/test_sqlite_driver.py` checks the behaviour it
relies on."""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any], int, int | None, bool]
"""What one trip brings back: description, rows, rowcount, lastrowid, in a transaction."""


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Outcome:
    """On aiosqlite's thread: the statement from cursor to closed cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid, connection.in_transaction
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement makes one trip to aiosqlite's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: OneTripConnection) -> None:  # no trip to open it
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        """Nothing to close: the cursor was closed on the thread."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._trip(operation, seq_of_parameters, many=True)

    def _trip(self, operation: str, parameters: Any, *, many: bool) -> None:
        adapt = cast("OneTripConnection", self._adapt_connection)
        try:
            outcome = await_(self._in_turn(operation, parameters, many))
        except Exception as error:  # noqa: BLE001 - translated as SQLAlchemy's adapter does
            adapt._in_transaction = True  # not known after a failure: end it properly
            adapt._handle_exception(error)
        description, rows, self._rowcount, self._lastrowid, adapt._in_transaction = outcome
        self._description = description
        self._rows = deque(rows)

    async def _in_turn(self, operation: str, parameters: Any, many: bool) -> Outcome:
        driver: Any = self._connection  # an aiosqlite.Connection
        async with self._adapt_connection._execute_mutex:
            outcome: Outcome = await driver._execute(
                _run, driver._conn, operation, parameters, many
            )
            return outcome


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection with one-trip cursors; a commit or rollback with no
    transaction open (as SQLite reported after the last statement) makes no trip."""

    __slots__ = ("_in_transaction",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # a subclass (mypy sees the base's)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._in_transaction = True  # unknown until a statement says

    def rollback(self) -> None:
        if self._in_transaction:
            super().rollback()
            self._in_transaction = False

    def commit(self) -> None:
        if self._in_transaction:
            super().commit()
            self._in_transaction = False

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:  # aiosqlite's own cursor: the transaction's state is not seen
            self._in_transaction = True
        return super().cursor(server_side)


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module to hand `create_async_engine(module=...)` for `sqlite+aiosqlite`."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)
