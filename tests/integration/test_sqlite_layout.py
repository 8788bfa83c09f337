"""The SQLite store's ``rows`` layout: a key lookup reads the key's index, not
the rows it passes (one user's big rows must not slow everyone's writes)."""

from __future__ import annotations

from pathlib import Path

import apsw

from sync_server.store.sqlite import SCHEMA

#: the layout before (a file of it is rebuilt as it opens: test_row_identity)
OLD_SCHEMA = SCHEMA.replace("    UNIQUE (collection, row_id, scope)\n) STRICT;",
                            "    PRIMARY KEY (collection, row_id, scope)\n) STRICT, WITHOUT ROWID;", 1)


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
    assert OLD_SCHEMA != SCHEMA
    vfs = CountingVFS()
    try:
        _fill(tmp_path / "new.db", SCHEMA)
        _fill(tmp_path / "old.db", OLD_SCHEMA)
        new, old = _bytes_read_by_lookups(tmp_path / "new.db", vfs), _bytes_read_by_lookups(tmp_path / "old.db", vfs)
    finally:
        vfs.unregister()
    assert new < 200_000  # the key index, a few pages
    assert old > 10 * new  # WITHOUT ROWID read big rows' overflow pages to compare keys with them
