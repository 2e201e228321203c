"""Which failures are retried: only what is proven not applied, for writes (issue 13)."""

from dataclasses import replace

import pytest
from helpers import make_state, refused
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WaitQueueTimeoutError,
    WriteConcernError,
)

from mongo_autoreconnect import (
    OperationKind,
    retry_if_idempotent,
    retry_if_not_applied,
    retry_if_read,
    retry_if_safe,
)
from mongo_autoreconnect._outcome import ambiguity, proves_not_applied

READ, WRITE = OperationKind.READ, OperationKind.WRITE
# Refused before the command ran, and pymongo did not retry it itself.
REFUSALS = [refused(code=10107), refused(code=13435), refused(code=13436)]
NOT_APPLIED = [*REFUSALS, ServerSelectionTimeoutError("no primary")]
# Returned by a server that may have started the command; pymongo raises them as
# NotPrimaryError too.
INTERRUPTED = [refused("interrupted", code) for code in (11602, 11600, 189, 91)]
AMBIGUOUS = [
    AutoReconnect("connection closed"),
    NetworkTimeout("timed out"),
    *INTERRUPTED,
    # A refusal of a write pymongo retried itself: an earlier attempt may have been applied.
    refused(code=10107, labels=("RetryableWriteError",)),
    NotPrimaryError("not primary, no code"),
    ExecutionTimeout("operation exceeded time limit", 50),
]
WRITE_CONCERN = [
    WriteConcernError("waiting for replication timed out", 64, {"errInfo": {"wtimeout": True}}),
    BulkWriteError({"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "x"}]}),
    # A refusal code in a writeConcernError comes after the write was applied.
    *(WriteConcernError("not primary", code, {"code": code}) for code in (10107, 13435, 13436)),
]
ANSWERS = [
    DuplicateKeyError("E11000", 11000),
    OperationFailure("validation", 121),
    WaitQueueTimeoutError("pool full"),
    BulkWriteError({"writeErrors": [{"code": 11000, "errmsg": "dup"}], "writeConcernErrors": []}),
]


@pytest.mark.parametrize(
    "error", [e for e in AMBIGUOUS + NOT_APPLIED if isinstance(e, AutoReconnect)]
)
def test_reads_retry_every_autoreconnect(error):
    assert retry_if_read(make_state(error=error, kind=READ))
    assert not retry_if_read(make_state(error=error, kind=WRITE))


@pytest.mark.parametrize("error", NOT_APPLIED)
def test_writes_retry_when_the_server_refused_or_nothing_was_sent(error):
    assert retry_if_safe(make_state(error=error, kind=WRITE))
    assert ambiguity(error) is None


@pytest.mark.parametrize("error", AMBIGUOUS)
def test_write_failures_that_may_have_been_applied_are_not_retried(error):
    assert not retry_if_not_applied(make_state(error=error, kind=WRITE))
    assert not retry_if_safe(make_state(error=error, kind=WRITE))
    assert ambiguity(error)


@pytest.mark.parametrize("error", INTERRUPTED)
def test_the_recovering_codes_say_the_command_may_have_started(error):
    assert ambiguity(error) == "the server interrupted it after it may have started"


@pytest.mark.parametrize("error", REFUSALS)
def test_a_refusal_proves_nothing_for_a_call_of_several_commands(error):
    state = replace(make_state(error=error, kind=WRITE), several_commands=True)
    assert not retry_if_not_applied(state)
    assert not retry_if_safe(state)
    assert retry_if_safe(replace(state, idempotent=True))
    assert "an earlier one may have been applied" in ambiguity(error, several_commands=True)


def test_a_server_selection_timeout_proves_it_even_for_several_commands():
    # pymongo selects the server once, before the first command of a bulk.
    error = ServerSelectionTimeoutError("no primary")
    assert proves_not_applied(error, several_commands=True)
    state = replace(make_state(error=error, kind=WRITE), several_commands=True)
    assert retry_if_safe(state)


@pytest.mark.parametrize("error", [e for e in AMBIGUOUS if isinstance(e, AutoReconnect)])
def test_ambiguous_failures_of_idempotent_writes_are_retried(error):
    assert retry_if_idempotent(make_state(error=error, kind=WRITE, idempotent=True))
    assert retry_if_safe(make_state(error=error, kind=WRITE, idempotent=True))


@pytest.mark.parametrize("error", WRITE_CONCERN)
def test_a_write_concern_error_is_ambiguous_and_never_retried(error):
    # The write was applied on the primary; only its replication is unconfirmed.
    assert not retry_if_safe(make_state(error=error, kind=WRITE, idempotent=True))
    assert "write concern was not satisfied" in ambiguity(error)


@pytest.mark.parametrize("error", ANSWERS)
@pytest.mark.parametrize("kind", [READ, WRITE])
def test_server_answers_are_never_retried_nor_ambiguous(error, kind):
    assert not retry_if_safe(make_state(error=error, kind=kind, idempotent=True))
    assert ambiguity(error) is None


def test_and_needs_both():
    condition = retry_if_read & (lambda state: state.attempt < 3)
    assert condition(make_state(2, error=AutoReconnect(), kind=READ))
    assert not condition(make_state(3, error=AutoReconnect(), kind=READ))
