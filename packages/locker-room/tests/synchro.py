"""Generate the synchronous half of locker-room from its asyncio half, as pymongo does.

``_async_room.py``, ``_async_keeper.py`` and ``_async_lease.py`` are the source; the sync
modules ``_room.py``, ``_keeper.py`` and ``_lease.py`` are this script's output, never edited
by hand. ``test_synchro.py`` fails when they drift apart. After editing an async module::

    python packages/locker-room/tests/synchro.py      # rewrites the sync modules

What really differs between threads and tasks (who is calling, the renewal thread or
tasks, the default sleep) lives in ``_threads.py`` and ``_tasks.py``, written by hand.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

PAIRS = {
    "_async_room.py": "_room.py",
    "_async_keeper.py": "_keeper.py",
    "_async_lease.py": "_lease.py",
}

# Whole words or phrases, replaced in this order (code, type hints and docstrings alike).
REPLACEMENTS = [
    ("locker_room._async_room", "locker_room._room"),
    ("locker_room._async_keeper", "locker_room._keeper"),
    ("locker_room._async_lease", "locker_room._lease"),
    ("locker_room._tasks", "locker_room._threads"),
    ("pymongo.asynchronous.change_stream", "pymongo.change_stream"),
    ("pymongo.asynchronous.collection", "pymongo.collection"),
    ("from collections.abc import Awaitable, Callable", "from collections.abc import Callable"),
    ("Callable[[float], Awaitable[object]]", "Callable[[float], object]"),
    ("Callable[P, Awaitable[R]]", "Callable[P, R]"),
    ("AsyncMongoClient", "MongoClient"),
    ("AsyncCollection", "Collection"),
    ("AsyncChangeStream", "ChangeStream"),
    ("AsyncChangeWatch", "ChangeWatch"),
    ("AsyncLockerRoom", "LockerRoom"),
    ("AsyncLockAndRelease", "LockAndRelease"),
    ("AsyncLeaseKeeper", "LeaseKeeper"),
    ("AsyncLease", "Lease"),
    ("AsyncKeeper", "Keeper"),
    ("_AsyncAcquire", "_Acquire"),
    ("__aenter__", "__enter__"),
    ("__aexit__", "__exit__"),
    ("default=asyncio.sleep", "default=time.sleep"),
    ("pymongo.AsyncMongoClient", "pymongo.MongoClient"),
    (" (asyncio).", "."),
    (", for asyncio.", "."),
    # Docstring examples: the coroutine main() becomes a plain function.
    (">>> import asyncio, os", ">>> import os"),
    ("asyncio.run(main())", "main()"),
]

_KEYWORDS = [
    (re.compile(r"\basync with\b"), "with"),
    (re.compile(r"\basync for\b"), "for"),
    (re.compile(r"\basync def\b"), "def"),
    (re.compile(r"\bawait "), ""),
]

_PUBLIC = {"_room.py": "LockerRoom", "_keeper.py": "Keeper", "_lease.py": "Lease"}

HEADER = "# Generated from {source} by tests/synchro.py: edit that file, not this one.\n"


def unasync(source: str, name: str) -> str:
    """The synchronous twin of the asyncio module ``source`` (named ``name``)."""
    for old, new in REPLACEMENTS:
        source = source.replace(old, new)
    for pattern, new in _KEYWORDS:
        source = pattern.sub(new, source)
    notice = (
        f"The synchronous `{_PUBLIC[PAIRS[name]]}` (``{PAIRS[name]}``) is generated from this"
        " file by\n``tests/synchro.py``: edit this one."
    )
    source = source.replace(notice, f"Generated from ``{name}`` by ``tests/synchro.py``.")
    return HEADER.format(source=name) + source


def main() -> None:
    package = Path(__file__).resolve().parents[1] / "src" / "locker_room"
    written = []
    for source, target in PAIRS.items():
        (package / target).write_text(unasync((package / source).read_text(), source))
        written.append(str(package / target))
    ruff = shutil.which("ruff")
    if ruff:
        # Import order is the only lint the renaming can upset (_async_x sorts before _errors).
        subprocess.run([ruff, "check", "--quiet", "--select", "I", "--fix", *written], check=True)
        subprocess.run([ruff, "format", "--quiet", *written], check=True)
    else:
        print("ruff not found: the sync modules are not formatted", file=sys.stderr)
    print("\n".join(written))


if __name__ == "__main__":
    main()
