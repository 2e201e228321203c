"""Functions run in child processes (spawn context), so they live in an importable module."""

from __future__ import annotations

import time
from typing import Any

import pymongo


def write_then_wait_for(uri: str, mine: str, theirs: str) -> None:
    """Insert ``mine``, then wait until another process's ``theirs`` is visible."""
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        uri, serverSelectionTimeoutMS=20_000
    )
    try:
        client.db.shared.insert_one({"_id": mine})
        deadline = time.monotonic() + 30
        while client.db.shared.find_one({"_id": theirs}) is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"{mine}: never saw {theirs}")
            time.sleep(0.02)
    finally:
        client.close()
