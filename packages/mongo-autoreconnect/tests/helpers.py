"""Test helpers: build retry states and fake time without sleeping."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.errors import NotPrimaryError

from mongo_autoreconnect import OperationKind, RetryState
from mongo_autoreconnect._compat import csot_remaining


def make_state(
    attempt: int = 1,
    elapsed: float = 0.0,
    error: BaseException | None = None,
    *,
    kind: OperationKind = OperationKind.READ,
    idempotent: bool = False,
    operation: str = "db.c.op",
) -> RetryState:
    """A RetryState as the proxy builds it after ``attempt`` failures, ``elapsed`` seconds in."""
    return RetryState(
        operation, kind, idempotent, start=100.0, now=100.0 + elapsed, attempt=attempt, error=error
    )


def refused(message: str = "not primary", code: int = 10107, labels: tuple[str, ...] = ()) -> Any:
    """The ``NotPrimaryError`` pymongo raises for a server's not-primary family reply."""
    reply = {"ok": 0, "errmsg": message, "code": code, "errorLabels": list(labels)}
    return NotPrimaryError(message, reply)


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def policy_kwargs(self) -> dict[str, Any]:
        return {"clock": self.clock, "sleep": self.sleep, "async_sleep": self.async_sleep}


class ScriptedCollection(Collection):
    """A real pymongo Collection whose CRUD methods play a script instead of doing I/O.

    Each call pops the next outcome: an exception instance is raised, anything else returned.
    ``calls`` records (method, remaining pymongo.timeout seconds or None).
    """

    def __init__(self, database: Any, name: str, script: list[Any], read_preference: Any = None):
        super().__init__(database, name, read_preference=read_preference)
        self.script = script
        self.calls: list[tuple[str, float | None]] = []
        self.inserted: list[list[Any]] = []

    def _play(self, method: str) -> Any:
        self.calls.append((method, csot_remaining()))
        outcome = self.script.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def with_options(self, *args: Any, **kwargs: Any) -> ScriptedCollection:
        twin = ScriptedCollection(self.database, self.name, self.script, kwargs["read_preference"])
        twin.calls = self.calls
        twin.inserted = self.inserted
        return twin

    def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("insert_one")

    def insert_many(self, documents: Any, *args: Any, **kwargs: Any) -> Any:
        # Like pymongo, read the documents before sending anything.
        self.inserted.append(list(documents))
        return self._play("insert_many")

    def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("update_one")

    def update_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("update_many")

    def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("find_one_and_update")

    def bulk_write(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("bulk_write")

    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._play(f"find_one@{self.read_preference.mongos_mode}")

    def create_index(self, *args: Any, **kwargs: Any) -> Any:
        return self._play("create_index")
