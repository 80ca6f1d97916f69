"""Durable state: one SQLite database (WAL) per service under the data dir, blobs as files.

Every write made outside an explicit transaction commits at once, so an acknowledged request
survives ``kill -9``. Each service declares its schema as an ordered list of migrations; the
database remembers how many it has applied (``PRAGMA user_version``), so a newer cloudlet
upgrades an older data dir and an older cloudlet refuses a newer one.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

STORE_FORMAT = 1  # the layout of the data dir itself
# Pages of WAL at which a request would copy it back into the database itself (with an fsync); the
# runtime checkpoints twice a second in a worker thread instead (Store.checkpoint).
BACKSTOP_CHECKPOINT_PAGES = 10_000


class StoreError(Exception):
    pass


class Database:
    def __init__(self, path: str, name: str, migrations: Sequence[str]):
        self.name = name
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")  # durable against process death
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.path = path
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_lock = threading.Lock()
        if path != ":memory:":
            self.conn.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
        self._depth = 0
        self._migrate(list(migrations))

    def _migrate(self, migrations: list[str]) -> None:
        applied = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if applied > len(migrations):
            raise StoreError(
                f"the {self.name} state in this data dir has schema version {applied}, newer than "
                f"this cloudlet understands ({len(migrations)}); upgrade cloudlet or use another data dir")
        for version, script in enumerate(migrations[applied:], start=applied + 1):
            with self.transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={version}")

    def execute(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """All-or-nothing; nests with savepoints."""
        savepoint = f"sp{self._depth}"
        self.conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            self.conn.execute("ROLLBACK" if self._depth == 0 else f"ROLLBACK TO {savepoint}")
            if self._depth:
                self.conn.execute(f"RELEASE {savepoint}")
            raise
        else:
            self._depth -= 1
            self.conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {savepoint}")

    def tables(self) -> list[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        return [r[0] for r in rows]

    def wipe(self) -> None:
        with self.transaction():
            self.conn.execute("PRAGMA defer_foreign_keys=ON")
            for table in self.tables():
                self.conn.execute(f'DELETE FROM "{table}"')

    def checkpoint(self) -> None:
        """Copy committed WAL frames back into the database on a connection of its own (PASSIVE:
        it never waits for, nor blocks, the request path). Called from a worker thread."""
        if self.path == ":memory:" or not os.path.exists(self.path + "-wal"):
            return
        with self._checkpoint_lock:
            if self._checkpointer is None:
                self._checkpointer = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        with self._checkpoint_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None
        self.conn.close()


class Store:
    """The data dir (or, in memory, a throwaway temp dir for blobs)."""

    def __init__(self, data_dir: Path | None):
        self.in_memory = data_dir is None
        self.root = Path(tempfile.mkdtemp(prefix="cloudlet-")) if data_dir is None else Path(data_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self.databases: dict[str, Database] = {}
        if not self.in_memory:
            self._check_format()

    def _check_format(self) -> None:
        marker = self.root / "cloudlet.json"
        if marker.exists():
            try:
                found = json.loads(marker.read_text()).get("format")
            except ValueError as e:
                raise StoreError(f"{marker} is not readable: {e}") from e
            if not isinstance(found, int) or found > STORE_FORMAT:
                raise StoreError(f"{self.root} was written by a newer cloudlet (format {found}); "
                                 f"this one reads format {STORE_FORMAT}")
        else:
            marker.write_text(json.dumps({"format": STORE_FORMAT}) + "\n")

    def database(self, name: str, migrations: Sequence[str]) -> Database:
        if name not in self.databases:
            path = ":memory:" if self.in_memory else str(self.root / f"{name}.db")
            self.databases[name] = Database(path, name, migrations)
        return self.databases[name]

    def saved_databases(self) -> list[str]:
        """Names of the databases a previous run left in the data dir."""
        if self.in_memory:
            return []
        return sorted(path.stem for path in self.root.glob("*.db"))

    def checkpoint(self) -> None:
        for db in list(self.databases.values()):
            db.checkpoint()

    def blob_dir(self, name: str) -> Path:
        path = self.root / "blobs" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def reset(self, name: str | None = None) -> None:
        for db_name, db in self.databases.items():
            if name is None or db_name == name:
                db.wipe()
        blobs = self.root / "blobs"
        target = blobs if name is None else blobs / name
        shutil.rmtree(target, ignore_errors=True)

    def close(self) -> None:
        for db in self.databases.values():
            db.close()
        if self.in_memory:
            shutil.rmtree(self.root, ignore_errors=True)
