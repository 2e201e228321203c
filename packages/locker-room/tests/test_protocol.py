"""Judging a release that matched nothing, from the document read back."""

import pytest

from locker_room import LockLost, NotLockOwner
from locker_room._protocol import release_failure


def doc(**fields):
    return {"_id": "x", "locked": True, "owner": "gustav", "token": 4, "attempt": "a1", **fields}


def test_own_release_already_applied_is_success():
    assert release_failure(doc(locked=False, attempt="r1"), "x", "gustav", 4, "r1") is None


def test_missing_lock_is_not_owner():
    error = release_failure(None, "x", "gustav", 4, "r1")
    assert isinstance(error, NotLockOwner)
    assert "no such lock" in str(error)


def test_newer_token_means_lost():
    error = release_failure(doc(owner="bob", token=5), "x", "gustav", 4, "r1")
    assert isinstance(error, LockLost)
    assert error.token == 4
    assert "'bob' took it (token 5)" in str(error)


def test_newer_token_on_a_free_lock_means_lost_and_says_how():
    error = release_failure(doc(locked=False, token=5), "x", "gustav", 4, "r1")
    assert isinstance(error, LockLost)
    assert "it expired or was force-released; the token is now 5" in str(error)


def test_same_token_already_released_is_not_owner():
    error = release_failure(doc(locked=False), "x", "gustav", 4, "r1")
    assert isinstance(error, NotLockOwner)
    assert "already released" in str(error)


@pytest.mark.parametrize(
    ("fields", "holder"), [({"owner": "bob"}, "bob"), ({"locked": False}, None)]
)
def test_release_by_owner_without_token(fields, holder):
    error = release_failure(doc(**fields), "x", "carl", None, "r1")
    assert isinstance(error, NotLockOwner)
    assert error.holder == holder
    assert error.owner == "carl"
