"""Judging a release or renewal whose reply was lost, or that matched nothing."""

import pymongo
import pytest

from locker_room import LockLost, NotLockOwner
from locker_room._protocol import release_outcome, renewal_outcome, wake_events


def doc(**fields):
    return {"_id": "x", "locked": True, "owner": "gustav", "token": 4, "attempt": "a1", **fields}


def test_own_release_already_applied_is_success():
    assert release_outcome(doc(locked=False, release="r1"), "x", "gustav", 4, "r1") is None


def test_own_release_that_handed_the_lock_over_is_success():
    handed = doc(owner="bob", token=5, release="r1", attempt="b7")
    assert release_outcome(handed, "x", "gustav", 4, "r1") is None


def test_release_not_applied_while_still_held_is_sent_again():
    assert release_outcome(doc(release="r0"), "x", "gustav", 4, "r1") is True


def test_missing_lock_is_not_owner():
    error = release_outcome(None, "x", "gustav", 4, "r1")
    assert isinstance(error, NotLockOwner)
    assert "no such lock" in str(error)


def test_newer_token_means_lost():
    error = release_outcome(doc(owner="bob", token=5), "x", "gustav", 4, "r1")
    assert isinstance(error, LockLost)
    assert error.token == 4
    assert "'bob' took it (token 5)" in str(error)


def test_newer_token_on_a_free_lock_means_lost_and_says_how():
    error = release_outcome(doc(locked=False, token=5), "x", "gustav", 4, "r1")
    assert isinstance(error, LockLost)
    assert "it expired or was force-released; the token is now 5" in str(error)


def test_same_token_already_released_is_not_owner():
    error = release_outcome(doc(locked=False), "x", "gustav", 4, "r1")
    assert isinstance(error, NotLockOwner)
    assert "already released" in str(error)


@pytest.mark.parametrize(
    ("fields", "holder"), [({"owner": "bob"}, "bob"), ({"locked": False}, None)]
)
def test_release_by_owner_without_token(fields, holder):
    error = release_outcome(doc(**fields), "x", "carl", None, "r1")
    assert isinstance(error, NotLockOwner)
    assert error.holder == holder
    assert error.owner == "carl"


@pytest.mark.parametrize(
    ("fields", "verdict"),
    [
        ({"renewal": "n1"}, True),  # applied
        ({"renewal": "n0"}, None),  # not applied, still ours: send again
        ({"renewal": "n1", "token": 5}, False),  # taken over
        ({"renewal": "n1", "locked": False}, False),  # released or broken
        ({"owner": "bob"}, False),
    ],
)
def test_renewal_outcome(fields, verdict):
    assert renewal_outcome(doc(**fields), "gustav", 4, "n1") is verdict


def test_renewal_outcome_of_a_missing_lock_is_lost():
    assert renewal_outcome(None, "gustav", 4, "n1") is False


def update(**fields):
    return {"operationType": "update", "updateDescription": {"updatedFields": fields}}


@pytest.mark.parametrize(
    ("event", "attempt", "wakes"),
    [
        (update(queue=[]), None, False),  # a waiter joined
        (update(**{"queue.0": {}}), "a1", False),
        (update(expires_at=1, renewal="n"), None, False),  # a renewal
        (update(locked=False, holds=0, release="r"), None, True),  # released
        (update(locked=False), "a1", True),
        (update(holds=1, release="r"), None, False),  # one reentrant hold dropped
        (update(owner="b", token=3, attempt="a"), None, False),  # another took it
        (update(locked=True, owner="b", token=3, attempt="a2"), "a1", False),
        (update(owner="w1", token=3, attempt="a1", queue=[]), "a1", True),  # handed to a1
        (update(owner="w2", token=3, attempt="a2", queue=[]), "a1", False),  # handed to a2
        (update(token=3, attempt="a1", queue=[]), "a1", True),  # handed over, same owner
        (update(owner="w1", token=3, attempt="a1"), None, False),  # a plain waiter: no hand-over
        (
            {"operationType": "update", "updateDescription": {"removedFields": ["locked"]}},
            None,
            True,
        ),
        ({"operationType": "replace"}, None, True),
        ({"operationType": "delete"}, None, True),
        ({"operationType": "insert"}, "a1", True),
    ],
)
def test_which_events_wake_a_waiter_as_the_server_filters_them(
    mongo_uri, collection_name, event, attempt, wakes
):
    # The $match of the waiter's change stream, run by the server on the event as a document.
    [stage] = wake_events("x", attempt)
    with pymongo.MongoClient(mongo_uri) as client:
        events = client["locker_room_tests"][collection_name]
        events.insert_one({"documentKey": {"_id": "x"}, **event})
        events.insert_one({"documentKey": {"_id": "y"}, **event})  # another lock: never
        woken = [doc["documentKey"]["_id"] for doc in events.find(stage["$match"])]
    assert woken == (["x"] if wakes else [])
