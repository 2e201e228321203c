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


def test_version_is_the_distribution_version():
    from importlib.metadata import version

    assert locker_room.__version__ == version("locker-room")
