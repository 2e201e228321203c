"""pytest plugin: pymongo's unified spec tests with every operation going through the proxy.

``nox -s spec-tests-proxy`` runs mongosim's conformance script (pymongo's own retryable-reads
and retryable-writes unified tests against a 3-member mongosim) with this plugin loaded
(``-p proxied_spec``); it adds the asynchronous twin of each test module, so the same
scenarios run through `MongoProxy` and `AsyncMongoProxy`.

The runner's entities stay pymongo's own objects (its checks are ``isinstance`` and
``type(...).__name__``); while an operation runs on a client, database or collection, the
entity is replaced by a proxy of it (which reports the wrapped class as its ``__class__``),
so the operation itself goes through the proxy. Then, per test:

- **Specified errors**: an `AmbiguousWriteError` is checked against the error the
  specification expects through the error it carries (``.original``): the proxy surfaced
  it, wrapped. When the proxy rode out a specified error (pymongo, inside the proxy's
  deadline, kept retrying with the same transaction number until the fail point was
  used up), the operation counts as ridden out; for a write, the test's final data then
  hold it once, so the specification's ``outcome`` (written for the error) is not
  compared; every other test's outcome is.
- **First attempt**: the command events the specification expects must appear in order;
  the only other events allowed are retries (the same command again) after them.
- **Never a silent second application**, on the wire: a listener on every client sees each
  command; within one proxied write, a second pymongo call (a new operation id: the proxy's
  own retry, a new transaction number) is allowed only after every command of the previous
  call (pymongo's own retries included) failed with a refusal that proves nothing ran
  (10107, 13435, 13436 without the RetryableWriteError label), or it sent nothing.
  Anything else fails the test.

Counts go to the JSON-lines file named by ``MAR_SPEC_REPORT``; ``python proxied_spec.py
REPORT`` prints their totals and exits 1 if any test failed (the nox session does both).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.mongo_client import MongoClient

from mongo_autoreconnect import AmbiguousWriteError, AsyncMongoProxy, MongoProxy, RetryPolicy
from mongo_autoreconnect._operations import pipeline_writes

# Short, so that a scenario the proxy cannot ride out ends well within pytest's timeout.
POLICY = RetryPolicy(deadline=10.0, initial=0.01, maximum=0.1)
WRITES = frozenset({"insert", "update", "delete", "findAndModify", "bulkWrite"})
REFUSED = frozenset({10107, 13435, 13436})
SYNC_KINDS = (MongoClient, Database, Collection)
ASYNC_KINDS = (AsyncMongoClient, AsyncDatabase, AsyncCollection)


class _SeenAs:
    """A proxy that reports the wrapped object's class, so the runner's dispatch holds."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(self._target)  # type: ignore[attr-defined, no-any-return]


class SeenAsMongoProxy(_SeenAs, MongoProxy):  # type: ignore[misc]
    pass


class SeenAsAsyncMongoProxy(_SeenAs, AsyncMongoProxy):  # type: ignore[misc]
    pass


def proxy_for(target: Any) -> Any:
    """A proxy of ``target`` (a client, database or collection), or None."""
    if isinstance(target, SYNC_KINDS):
        return SeenAsMongoProxy(target, POLICY)
    if isinstance(target, ASYNC_KINDS):
        return SeenAsAsyncMongoProxy(target, POLICY)
    return None


class Wire(monitoring.CommandListener):
    """Every command every client sends, in order (the runner is sequential)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        with self.lock:
            self.events.append(event)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        with self.lock:
            self.events.append(event)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        with self.lock:
            self.events.append(event)

    def mark(self) -> int:
        with self.lock:
            return len(self.events)

    def since(self, mark: int) -> list[Any]:
        with self.lock:
            return self.events[mark:]


WIRE = Wire()


def _proves_nothing_ran(event: Any) -> bool:
    failure = getattr(event, "failure", None)
    if not isinstance(failure, dict):
        return False
    labels = failure.get("errorLabels", [])
    return failure.get("code") in REFUSED and "RetryableWriteError" not in labels


def second_applications(events: list[Any]) -> list[str]:
    """Write commands re-sent by the proxy after an error that does not prove nothing ran."""
    calls: dict[int, list[Any]] = {}
    for event in events:
        if event.command_name in WRITES:
            calls.setdefault(event.operation_id, []).append(event)
    problems = []
    ordered = list(calls.values())
    for previous, call in itertools.pairwise(ordered):
        # Every reply of the previous call counts, not only its last: pymongo raises the
        # last error of its own retries, and an earlier attempt may have been applied.
        replies = [e for e in previous if hasattr(e, "failure") or hasattr(e, "reply")]
        applied = [e for e in replies if not _proves_nothing_ran(e)]
        if applied:
            problems.append(
                f"{call[0].command_name} re-sent as a new operation after"
                f" {type(applied[0]).__name__} {getattr(applied[0], 'failure', '')}"
            )
    return problems


class Ledger:
    """What happened to the operations of one test."""

    def __init__(self) -> None:
        self.operations = 0
        self.surfaced = 0
        self.ambiguous = 0
        self.ridden_out = 0
        self.ridden_out_writes = 0
        self.retried_events = 0


def _ledger(test: Any) -> Ledger:
    ledger = test.__dict__.get("_proxied_ledger")
    if ledger is None:
        ledger = test.__dict__["_proxied_ledger"] = Ledger()
    return ledger


def _expected_error_succeeded(error: AssertionError) -> bool:
    return str(error).startswith("Expected error")


def _begin(test: Any, spec: dict[str, Any]) -> tuple[Any, Any, int] | None:
    name = spec["object"]
    real = test.entity_map._entities.get(name)
    proxy = proxy_for(real)
    if proxy is None:
        return None
    test.entity_map._entities[name] = proxy
    _ledger(test).operations += 1
    return name, real, WIRE.mark()


def _end(test: Any, begun: tuple[Any, Any, int]) -> None:
    name, real, mark = begun
    test.entity_map._entities[name] = real
    problems = second_applications(WIRE.since(mark))
    if problems:
        test.fail("the proxy applied a write a second time: " + "; ".join(problems))


# The unified format's names of the operations that write.
WRITE_OPERATIONS = frozenset(
    {
        "insertOne",
        "insertMany",
        "updateOne",
        "updateMany",
        "replaceOne",
        "deleteOne",
        "deleteMany",
        "findOneAndUpdate",
        "findOneAndReplace",
        "findOneAndDelete",
        "bulkWrite",
        "clientBulkWrite",
    }
)


def _ridden_out(test: Any, spec: dict[str, Any]) -> None:
    ledger = _ledger(test)
    ledger.ridden_out += 1
    pipeline = spec.get("arguments", {}).get("pipeline", [])
    if spec["name"] in WRITE_OPERATIONS or (
        spec["name"] == "aggregate" and pipeline_writes(pipeline)
    ):
        ledger.ridden_out_writes += 1


@contextlib.contextmanager
def _through_the_proxy(test: Any, spec: dict[str, Any]) -> Iterator[None]:
    """Run one entity operation with its entity proxied; a ridden-out error is no failure."""
    begun = _begin(test, spec)
    try:
        yield
    except AssertionError as error:
        if begun is None or not _expected_error_succeeded(error):
            raise
        _ridden_out(test, spec)
    finally:
        if begun is not None:
            _end(test, begun)


def patch_sync(mixin: type) -> None:
    run_entity_operation = mixin.run_entity_operation
    verify_outcome = mixin.verify_outcome

    @functools.wraps(run_entity_operation)
    def run(self: Any, spec: dict[str, Any]) -> Any:
        with _through_the_proxy(self, spec):
            return run_entity_operation(self, spec)
        return None  # a ridden-out specified error

    @functools.wraps(verify_outcome)
    def verify(self: Any, spec: Any) -> Any:
        # A ridden-out error left its write applied once: the spec's outcome assumes none.
        return None if _ledger(self).ridden_out_writes else verify_outcome(self, spec)

    mixin.run_entity_operation = run
    mixin.verify_outcome = verify
    _patch_common(mixin)


def patch_async(mixin: type) -> None:
    run_entity_operation = mixin.run_entity_operation
    verify_outcome = mixin.verify_outcome

    @functools.wraps(run_entity_operation)
    async def run(self: Any, spec: dict[str, Any]) -> Any:
        with _through_the_proxy(self, spec):
            return await run_entity_operation(self, spec)
        return None  # a ridden-out specified error

    @functools.wraps(verify_outcome)
    async def verify(self: Any, spec: Any) -> Any:
        return None if _ledger(self).ridden_out_writes else await verify_outcome(self, spec)

    mixin.run_entity_operation = run
    mixin.verify_outcome = verify
    _patch_common(mixin)


def _patch_common(mixin: type) -> None:
    process_error = mixin.process_error

    @functools.wraps(process_error)
    def process(self: Any, exception: BaseException, spec: Any) -> Any:
        ledger = _ledger(self)
        ledger.surfaced += 1
        if isinstance(exception, AmbiguousWriteError):
            ledger.ambiguous += 1
            exception = exception.original
        return process_error(self, exception, spec)

    mixin.process_error = process

    check_events = mixin.check_events

    @functools.wraps(check_events)
    def check(self: Any, spec: Any) -> Any:
        for event_spec in spec:
            if event_spec.get("ignoreExtraEvents") or event_spec.get("eventType", "command") != (
                "command"
            ):
                continue
            listener = self.entity_map.get_listener_for_client(event_spec["client"])
            extra = _retries_beyond(self, event_spec["events"], listener.get_events("command"))
            if extra:
                _ledger(self).retried_events += len(extra)
                listener.events = [e for e in listener.events if all(e is not x for x in extra)]
        return check_events(self, spec)

    mixin.check_events = check


def _retries_beyond(test: Any, expected: list[Any], actual: list[Any]) -> list[Any]:
    """The actual events that are retries beyond the expected ones, or [] if none fit.

    Each expected event must match an actual one, in order; an actual event that matches
    none may only repeat the command of the event before it (a retry).
    """
    if len(actual) <= len(expected):
        return []
    extra = []
    index = 0
    previous = None
    for event in actual:
        if index < len(expected) and _matches(test, expected[index], event):
            index += 1
        elif previous is not None and event.command_name == previous.command_name:
            extra.append(event)
        else:
            return []  # not explained by retries: let the runner report the difference
        previous = event
    return extra if index == len(expected) else []


def _matches(test: Any, expected: Any, event: Any) -> bool:
    try:
        test.match_evaluator.match_event(expected, event)
    except AssertionError:
        return False
    return True


def pytest_configure(config: pytest.Config) -> None:
    monitoring.register(WIRE)
    # The asynchronous twin of every module given, so AsyncMongoProxy runs the same tests.
    twins = []
    for arg in config.args:
        path = Path(arg)
        twin = path.parent / "asynchronous" / path.name
        if path.name.startswith("test_") and twin.exists():
            twins.append(str(twin))
    config.args.extend(twins)


def pytest_collection_finish(session: pytest.Session) -> None:
    for name, patch in (
        ("test.unified_format", patch_sync),
        ("test.asynchronous.unified_format", patch_async),
    ):
        module = sys.modules.get(name)
        if module is not None:
            patch(module.UnifiedSpecTestMixinV1)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = os.environ.get("MAR_SPEC_REPORT")
    if not path or report.when != "call":
        return
    ledger = LEDGERS.pop(report.nodeid, None)
    record = {"test": report.nodeid, "outcome": report.outcome}
    if ledger is not None:
        record.update(vars(ledger))
    with open(path, "a") as out:
        out.write(json.dumps(record) + "\n")


LEDGERS: dict[str, Ledger] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    yield
    instance = getattr(item, "instance", None)
    if instance is not None and "_proxied_ledger" in instance.__dict__:
        LEDGERS[item.nodeid] = instance.__dict__["_proxied_ledger"]


def summarize(path: Path) -> int:
    """Print what the proxy did over a report; 1 if a test failed, 2 if nothing ran."""
    records = [json.loads(line) for line in path.read_text().splitlines() if line]
    ran = [r for r in records if r["outcome"] != "skipped"]
    failed = [r["test"] for r in ran if r["outcome"] != "passed"]
    keys = ("operations", "surfaced", "ambiguous", "ridden_out", "retried_events")
    totals = {key: sum(r.get(key, 0) for r in ran) for key in keys}
    asynchronous = sum("/asynchronous/" in r["test"] for r in ran)
    rode = sum(1 for r in ran if r.get("ridden_out_writes"))
    print(
        f"through the proxy: {len(ran) - len(failed)} of {len(ran)} tests passed"
        f" ({len(ran) - asynchronous} MongoProxy, {asynchronous} AsyncMongoProxy);"
        f" {totals['operations']} operations proxied; specified errors: {totals['surfaced']}"
        f" surfaced ({totals['ambiguous']} as AmbiguousWriteError carrying them),"
        f" {totals['ridden_out']} ridden out by retries; {totals['retried_events']} command"
        " events beyond the specification's, all retries; no write re-sent as a new"
        " operation after an error that does not prove it was not applied; the final data"
        f" match the specification's outcome in {len(ran) - rode} tests (not compared in"
        f" the {rode} where the proxy rode out a write's specified error: it is applied)"
        if not failed
        else f"through the proxy: {len(failed)} of {len(ran)} tests failed"
    )
    for test in failed:
        print(f"  failed: {test}")
    if not ran:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(summarize(Path(sys.argv[1])))
