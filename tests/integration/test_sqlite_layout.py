"""The SQLite store's ``rows`` layout: a key lookup reads the key's index, not
the rows it passes (one user's big rows must not slow everyone's writes), and
a file made with the former layout (WITHOUT ROWID) still works."""

from __future__ import annotations

from pathlib import Path

import apsw

from shared.merge import RowState
from sync_server.store.base import Batch
from sync_server.store.sqlite import SCHEMA, SQLiteStore

OLD_SCHEMA = SCHEMA.replace("    UNIQUE (scope, collection, row_id)\n) STRICT;",
                            "    PRIMARY KEY (scope, collection, row_id)\n) STRICT, WITHOUT ROWID;", 1)


class CountingVFS(apsw.VFS):
    """The default VFS, counting the bytes SQLite reads from its files."""

    def __init__(self) -> None:
        self.read = 0
        super().__init__("counting", "")

    def xOpen(self, name: object, flags: list[int]) -> apsw.VFSFile:  # noqa: N802 (apsw's name)
        return CountingFile(self, name, flags)


class CountingFile(apsw.VFSFile):
    def __init__(self, vfs: CountingVFS, name: object, flags: list[int]) -> None:
        self.vfs = vfs
        super().__init__("", name, flags)

    def xRead(self, amount: int, offset: int) -> bytes:  # noqa: N802
        self.vfs.read += amount
        return super().xRead(amount, offset)  # type: ignore[no-any-return]


def _fill(path: Path, schema: str) -> None:
    c = apsw.Connection(str(path))
    c.execute(schema)
    with c:
        c.executemany("INSERT INTO rows VALUES ('notes', ?, 'user:ada', ?, 1, 1, 0, ?, x'')",
                      [(f"big-{i}", i, b"x" * 100_000) for i in range(200)])
    c.close()


def _bytes_read_by_lookups(path: Path, vfs: CountingVFS) -> int:
    c = apsw.Connection(str(path), vfs="counting")
    before = vfs.read
    for i in range(50):  # keys between the big rows: each lookup passes some of them
        found = c.execute("SELECT fields FROM rows WHERE scope = 'user:ada' AND collection = 'notes' AND row_id = ?",
                          (f"big-{i}x",)).fetchall()
        assert found == []
    c.close()
    return vfs.read - before


def test_looking_up_keys_beside_big_rows_does_not_read_them(tmp_path: Path) -> None:
    vfs = CountingVFS()
    try:
        _fill(tmp_path / "new.db", SCHEMA)
        _fill(tmp_path / "old.db", OLD_SCHEMA)
        new, old = _bytes_read_by_lookups(tmp_path / "new.db", vfs), _bytes_read_by_lookups(tmp_path / "old.db", vfs)
    finally:
        vfs.unregister()
    assert new < 200_000  # the key index, a few pages
    assert old > 10 * new  # WITHOUT ROWID read big rows' overflow pages to compare keys with them


def test_a_file_made_with_the_former_layout_still_works(tmp_path: Path) -> None:
    assert OLD_SCHEMA != SCHEMA
    path = tmp_path / "old.db"
    c = apsw.Connection(str(path))
    c.execute(OLD_SCHEMA)
    c.close()
    store = SQLiteStore(str(path))

    def note(version: int, title: str) -> RowState:
        return RowState(collection="notes", row_id="n1", scope="user:ada", version=version, insert_order=1,
                        deleted=False, fields={"title": title}, stamps={})

    for batch in (Batch(new_rows=[(note(1, "a"), 1)], head=1), Batch(rows=[(note(2, "b"), 2)], head=2)):
        with store.write_transaction():  # an insert, then an upsert over it
            store.commit_batch(batch)
    with store.write_transaction():
        loaded = store.load_rows([("user:ada", "notes", "n1")])
    assert loaded[("user:ada", "notes", "n1")].fields == {"title": "b"}
    assert "WITHOUT ROWID" in apsw.Connection(str(path)).execute(
        "SELECT sql FROM sqlite_master WHERE name = 'rows'").fetchall()[0][0]  # kept as it was
    store.close()
