"""What a MongoDB 4.4+ member attaches to an error reply: error labels and its topologyVersion.

- ``RetryableWriteError`` only on a retryable write (a command carrying ``txnNumber``
  outside a transaction) that failed with a retryable code, or whose
  ``writeConcernError`` has one. Nothing else is labelled by the server: a read, or a
  write without ``txnNumber``, gets no label whatever its code.
- ``ResumableChangeStreamError`` on a change stream's ``aggregate``, or a ``getMore`` of one
  that has found its cursor, failed with a retryable, network, re-targeting,
  ``RetryChangeStream`` or ``FailedToSatisfyReadPreference`` code: pymongo resumes the
  stream only then (or on a network error or CursorNotFound).
  ``NonResumableChangeStreamError`` on ChangeStreamFatalError and ChangeStreamHistoryLost;
  labels the command itself raised with are kept.
- Labels a ``failCommand`` fail point names in ``errorLabels`` replace these (an empty
  list: no label at all).
- A not-primary error (NotWritablePrimary, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary,
  PrimarySteppedDown, InterruptedDueToReplStateChange), in the reply or in its
  ``writeConcernError``, carries the member's current ``topologyVersion``: a driver uses it
  to tell an error from before the last topology change (ignored) from a new one.
"""

from __future__ import annotations

from typing import Any

from mongosim._error_codes import NOT_PRIMARY_CODES, RETRYABLE_CODES

__all__ = ["RESUMABLE_CHANGE_STREAM_CODES", "decorate_error"]

RESUMABLE_CHANGE_STREAM_CODES = RETRYABLE_CODES | {63, 133, 150, 234, 401, 13388}
"""Codes for which a change stream's command is labelled ``ResumableChangeStreamError``:
the retryable ones, stale routing (StaleShardVersion, StaleEpoch, StaleConfig),
FailedToSatisfyReadPreference, RetryChangeStream, ResumeTenantChangeStream."""

_NON_RESUMABLE_CHANGE_STREAM_CODES = frozenset({280, 286})


def _codes(reply: dict[str, Any]) -> tuple[int | None, int | None]:
    code = reply.get("code") if not reply.get("ok") else None
    concern = reply.get("writeConcernError")
    concern_code = concern.get("code") if isinstance(concern, dict) else None
    return code, concern_code


def decorate_error(
    reply: dict[str, Any],
    body: dict[str, Any],
    topology_version: dict[str, Any],
    labels: tuple[str, ...] | None = None,
    *,
    change_stream: bool = False,
) -> dict[str, Any]:
    """Add ``errorLabels`` and ``topologyVersion`` to ``reply`` as a 4.4+ server would.

    ``labels`` are a fail point's explicit ``errorLabels`` (None: the server's own rules).
    ``change_stream`` says the command opened or reads a change stream.

    Examples
    --------
    >>> tv = {"processId": 1, "counter": 0}
    >>> decorate_error({"ok": 0, "code": 10107}, {"insert": "c", "txnNumber": 1}, tv)
    {'ok': 0, 'code': 10107, 'errorLabels': ['RetryableWriteError'], 'topologyVersion': {...}}
    >>> decorate_error({"ok": 0, "code": 10107}, {"find": "c"}, tv)["errorLabels"]
    Traceback (most recent call last):
    KeyError: 'errorLabels'
    """
    code, concern_code = _codes(reply)
    if code is None and concern_code is None:
        return reply
    if labels is None:
        retryable_write = body.get("txnNumber") is not None and "autocommit" not in body
        retryable = code in RETRYABLE_CODES or concern_code in RETRYABLE_CODES
        found = [label for label in reply.get("errorLabels", ()) if "ChangeStream" in label]
        if retryable_write and retryable:
            found.append("RetryableWriteError")
        if change_stream and concern_code is None and code in RESUMABLE_CHANGE_STREAM_CODES:
            found.append("ResumableChangeStreamError")
        if code in _NON_RESUMABLE_CHANGE_STREAM_CODES:
            found.append("NonResumableChangeStreamError")
        labels = tuple(dict.fromkeys(found))
    if labels:
        reply["errorLabels"] = list(labels)
    else:
        reply.pop("errorLabels", None)
    if code in NOT_PRIMARY_CODES or concern_code in NOT_PRIMARY_CODES:
        reply["topologyVersion"] = topology_version
    return reply
