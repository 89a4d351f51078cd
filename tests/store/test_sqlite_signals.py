"""SQLite's change signals: a wake-up once watching, then one after each commit made elsewhere.

The first wake-up matters: a commit made between the snapshot's load and the signal's first
look would otherwise wait for the periodic check (seen once in CI as a 10 s stall).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from modeldir.store.sqlite import SqliteChangeSignals


def test_wakes_once_watching_then_after_each_commit_elsewhere(tmp_path: Path) -> None:
    path = str(tmp_path / "signals.db")
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.commit()
    signals = SqliteChangeSignals(path)
    woken = threading.Semaphore(0)
    thread = threading.Thread(target=signals.run, args=(woken.release,), daemon=True)
    thread.start()
    try:
        assert woken.acquire(timeout=10), "no first wake-up once watching"
        for n in range(3):
            writer.execute("INSERT INTO t VALUES (?)", (n,))
            writer.commit()
            assert woken.acquire(timeout=10), f"commit {n} went unnoticed"
        assert not woken.acquire(timeout=0.3)  # nothing committed: no wake-up
    finally:
        signals.stop()
        thread.join(timeout=10)
        writer.close()
