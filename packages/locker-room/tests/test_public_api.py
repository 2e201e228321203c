import inspect
import subprocess
import sys
from pathlib import Path

import locker_room

PUBLIC = {
    "DEFAULT_TTL",
    "AsyncLease",
    "AsyncLockAndRelease",
    "AsyncLockerRoom",
    "Lease",
    "Lock",
    "LockAndRelease",
    "LockError",
    "LockLost",
    "LockTimeout",
    "LockerRoom",
    "NotLockOwner",
    "ServerUnavailable",
    "__version__",
}


def test_all_is_exactly_the_public_names():
    assert set(locker_room.__all__) == PUBLIC
    assert len(locker_room.__all__) == len(PUBLIC)


def test_every_public_name_resolves():
    for name in locker_room.__all__:
        assert getattr(locker_room, name) is not None


def test_exception_tree():
    assert issubclass(locker_room.LockError, RuntimeError)
    assert issubclass(locker_room.LockTimeout, locker_room.LockError)
    assert issubclass(locker_room.LockTimeout, TimeoutError)
    assert issubclass(locker_room.LockLost, locker_room.LockError)
    assert issubclass(locker_room.NotLockOwner, locker_room.LockError)
    assert issubclass(locker_room.ServerUnavailable, locker_room.LockError)
    assert issubclass(locker_room.ServerUnavailable, ConnectionError)


def test_every_public_name_has_a_docstring():
    import locker_room._protocol

    for name in locker_room.__all__:
        value = getattr(locker_room, name)
        if name == "DEFAULT_TTL":
            assert "Lease length" in inspect.getsource(locker_room._protocol).split(name, 2)[2]
        elif name != "__version__":
            assert inspect.getdoc(value), name


def test_no_sphinx_roles_or_skipped_doctests_in_docstrings():
    package = Path(locker_room.__file__).parent
    for path in package.glob("*.py"):
        text = path.read_text()
        for role in (":func:", ":class:", ":meth:", ":attr:", ":mod:", "doctest: +SKIP"):
            assert role not in text, f"{path.name}: {role}"


def test_import_loads_neither_pymongo_nor_asyncio():
    code = (
        "import sys, locker_room;"
        "print(sorted(m for m in ('asyncio', 'pymongo', 'locker_room._async_room')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sync_api_does_not_load_the_async_half():
    code = (
        "import sys; from locker_room import LockerRoom, Lock, Lease;"
        "print([m for m in sys.modules"
        " if m.startswith('locker_room._async') or m == 'locker_room._tasks'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_version_is_the_distribution_version():
    from importlib.metadata import version

    from locker_room._version import __version__

    assert locker_room.__version__ == __version__ == version("locker-room")
