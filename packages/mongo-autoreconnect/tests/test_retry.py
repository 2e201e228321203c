from dataclasses import replace

import pytest
from helpers import make_state
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WaitQueueTimeoutError,
)

from mongo_autoreconnect import (
    OperationKind,
    retry_if_idempotent,
    retry_if_not_applied,
    retry_if_read,
    retry_if_safe,
)

READ, WRITE = OperationKind.READ, OperationKind.WRITE
AMBIGUOUS = [AutoReconnect("connection closed"), NetworkTimeout("timed out")]
NOT_APPLIED = [NotPrimaryError("not primary"), ServerSelectionTimeoutError("no primary")]
ANSWERS = [
    DuplicateKeyError("E11000", 11000),
    OperationFailure("validation", 121),
    WaitQueueTimeoutError("pool full"),
]


@pytest.mark.parametrize("error", AMBIGUOUS + NOT_APPLIED)
def test_reads_retry_every_autoreconnect(error):
    assert retry_if_read(make_state(error=error, kind=READ))
    assert not retry_if_read(make_state(error=error, kind=WRITE))


@pytest.mark.parametrize("error", NOT_APPLIED)
def test_writes_retry_when_the_server_refused_or_nothing_was_sent(error):
    assert retry_if_safe(make_state(error=error, kind=WRITE))


@pytest.mark.parametrize("error", AMBIGUOUS)
def test_ambiguous_write_failures_are_not_retried(error):
    assert not retry_if_not_applied(make_state(error=error, kind=WRITE))
    assert not retry_if_safe(make_state(error=error, kind=WRITE))


@pytest.mark.parametrize("error", NOT_APPLIED)
def test_a_refusal_proves_nothing_for_a_call_of_several_commands(error):
    state = replace(make_state(error=error, kind=WRITE), several_commands=True)
    assert not retry_if_not_applied(state)
    assert not retry_if_safe(state)
    assert retry_if_safe(replace(state, idempotent=True))


@pytest.mark.parametrize("error", AMBIGUOUS)
def test_ambiguous_failures_of_idempotent_writes_are_retried(error):
    assert retry_if_idempotent(make_state(error=error, kind=WRITE, idempotent=True))
    assert retry_if_safe(make_state(error=error, kind=WRITE, idempotent=True))


@pytest.mark.parametrize("error", ANSWERS)
@pytest.mark.parametrize("kind", [READ, WRITE])
def test_server_answers_are_never_retried(error, kind):
    assert not retry_if_safe(make_state(error=error, kind=kind, idempotent=True))


def test_and_needs_both():
    condition = retry_if_read & (lambda state: state.attempt < 3)
    assert condition(make_state(2, error=AutoReconnect(), kind=READ))
    assert not condition(make_state(3, error=AutoReconnect(), kind=READ))
