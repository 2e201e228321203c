"""Fail points, as a mongod started with ``enableTestCommands`` has them.

A driver's test suite configures them with the ``configureFailPoint`` command on one member:

``failCommand``
    The next matching commands (``data.failCommands``, optionally only from clients whose
    ``appName`` matches, or on one ``namespace``) are held for ``blockTimeMS`` when
    ``blockConnection`` is set, then the connection is closed (``closeConnection``) or the
    command fails with ``errorCode`` (``errorLabels`` replacing the labels the server would
    add); with ``writeConcernError`` the command runs and its reply carries that document.
``onPrimaryTransactionalWrite``
    Each statement a retryable write commits on the primary: the connection closes after
    the statement is written (``closeConnection``, default true), or the statement fails
    with ``failBeforeCommitExceptionCode`` and is not written.
``failGetMoreAfterCursorCheckout``
    A ``getMore`` fails with ``errorCode`` once it has found its cursor.

``mode`` is ``"alwaysOn"``, ``"off"``, ``{"times": n}`` (the next n activations),
``{"skip": n}`` (all activations after the first n) or ``{"activationProbability": p}``.
A mode counts only activations: commands the data does not match leave it untouched.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from mongosim._command_error import CommandError

__all__ = [
    "FAIL_POINT_NAMES",
    "FailCommandEffect",
    "FailPoint",
    "FailPoints",
    "Mode",
]

FAIL_POINT_NAMES = ("failCommand", "onPrimaryTransactionalWrite", "failGetMoreAfterCursorCheckout")

# Command names a driver may send in either spelling; a fail point names one of them.
_ALIASES = {"ismaster": "isMaster", "findandmodify": "findAndModify"}


def _bad_value(message: str) -> CommandError:
    return CommandError(2, "BadValue", message)


def _count(value: object, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _bad_value(f"'{key}' must be an integer")
    if value < 0:
        raise _bad_value(f"'{key}' must be >= 0")
    return int(value)


@dataclass
class Mode:
    """When a fail point fires: ``kind`` is off, alwaysOn, times, skip or probability.

    Examples
    --------
    >>> mode = Mode.parse({"times": 2})
    >>> [mode.activate(random.Random(0)) for _ in range(3)]
    [True, True, False]
    >>> mode = Mode.parse({"skip": 1})
    >>> [mode.activate(random.Random(0)) for _ in range(3)]
    [False, True, True]
    """

    kind: str
    value: float = 0

    @classmethod
    def parse(cls, mode: object) -> Mode:
        """Read ``mode`` as ``configureFailPoint`` takes it.

        Raises
        ------
        CommandError
            BadValue (2), naming the problem, for anything else.
        """
        if mode in ("off", "alwaysOn"):
            return cls(str(mode))
        if isinstance(mode, dict) and len(mode) == 1:
            ((key, value),) = mode.items()
            if key in ("times", "skip"):
                return cls(key, _count(value, key))
            if key == "activationProbability":
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not 0 <= value <= 1
                    or math.isnan(value)
                ):
                    raise _bad_value("'activationProbability' must be a number in [0, 1]")
                return cls("probability", float(value))
        raise _bad_value(
            "'mode' must be 'off', 'alwaysOn', {times: n}, {skip: n} or"
            f" {{activationProbability: p}}, not {mode!r}"
        )

    def activate(self, rng: random.Random) -> bool:
        """One activation: whether the fail point fires now (and count it)."""
        if self.kind == "alwaysOn":
            return True
        if self.kind == "times":
            if self.value <= 0:
                self.kind = "off"
                return False
            self.value -= 1
            if self.value <= 0:
                self.kind = "off"
            return True
        if self.kind == "skip":
            if self.value > 0:
                self.value -= 1
                return False
            return True
        if self.kind == "probability":
            return rng.random() < self.value
        return False


@dataclass
class FailPoint:
    """One fail point: its mode, its data, and how many times it has fired."""

    mode: Mode = field(default_factory=lambda: Mode("off"))
    data: dict[str, Any] = field(default_factory=dict)
    entered: int = 0

    def fire(self, rng: random.Random) -> bool:
        """An activation; True (and counted) when the mode lets it fire."""
        if self.mode.kind == "off":
            return False
        fired = self.mode.activate(rng)
        if fired:
            self.entered += 1
        return fired


@dataclass(frozen=True)
class FailCommandEffect:
    """What a fired ``failCommand`` does to the command it caught.

    Attributes
    ----------
    block_ms : int
        Hold the command this long first (0: not at all).
    close_connection : bool
        Then close the connection without replying.
    error_code : int or None
        Else fail the command with this code.
    error_labels : tuple of str, or None
        The labels of that error; None lets the server decide as for any error.
    extra : dict
        Simulator-only effects of ``ReplicaSet.fail_next`` (never set over the wire).
    """

    block_ms: int = 0
    close_connection: bool = False
    error_code: int | None = None
    error_labels: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _labels(data: dict[str, Any]) -> tuple[str, ...] | None:
    labels = data.get("errorLabels")
    if not isinstance(labels, list):
        return None
    return tuple(str(label) for label in labels)


def _matches(data: dict[str, Any], command: str, app_name: str | None, namespace: str) -> bool:
    """mongod's shouldActivateFailCommandFailPoint, for a client connection."""
    if command == "configureFailPoint":
        return False
    if "appName" in data and data["appName"] != app_name:
        return False
    if "namespace" in data and data["namespace"] != namespace:
        return False
    if data.get("failAllCommands"):
        return True
    names = data.get("failCommands")
    if not isinstance(names, list):
        return False
    return any(isinstance(n, str) and _ALIASES.get(n.lower(), n) == command for n in names)


def fail_command_effect(data: dict[str, Any], extra: dict[str, Any]) -> FailCommandEffect | None:
    """The effect of ``data`` if it has one that acts before the command runs."""
    block = bool(data.get("blockConnection"))
    close = bool(data.get("closeConnection"))
    code = data.get("errorCode")
    error_code = code if isinstance(code, int) and not isinstance(code, bool) else None
    if not (block or close or error_code is not None or extra):
        return None
    return FailCommandEffect(
        block_ms=int(data.get("blockTimeMS", 0)) if block else 0,
        close_connection=close,
        error_code=error_code,
        error_labels=_labels(data),
        extra=extra,
    )


def _validate_fail_command(data: dict[str, Any]) -> None:
    if data.get("blockConnection"):
        block = data.get("blockTimeMS")
        if isinstance(block, bool) or not isinstance(block, (int, float)):
            raise CommandError(
                72, "InvalidOptions", "must specify 'blockTimeMS' when 'blockConnection' is true"
            )
        if block < 0:
            raise CommandError(72, "InvalidOptions", "'blockTimeMS' must be non-negative")
    if "writeConcernError" in data and not isinstance(data["writeConcernError"], dict):
        raise _bad_value("'writeConcernError' must be a document")
    if "errorLabels" in data and not isinstance(data["errorLabels"], list):
        raise _bad_value("'errorLabels' must be an array")


class FailPoints:
    """The fail points of one member, configured by ``configureFailPoint``. Thread-safe.

    Parameters
    ----------
    rng : random.Random
        Draws for ``activationProbability``.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._points = {name: FailPoint() for name in FAIL_POINT_NAMES}
        self._lock = threading.Lock()

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run ``configureFailPoint``; its reply fields (``count``: times fired before).

        Raises
        ------
        CommandError
            FailPointSetFailed (266) for a fail point the simulator does not have;
            BadValue (2) or InvalidOptions (72) for a bad ``mode`` or ``data``.
        """
        name = body.get("configureFailPoint")
        if name not in self._points:
            raise CommandError(
                266,
                "FailPointSetFailed",
                f"{name} not found (mongosim has the fail points {', '.join(FAIL_POINT_NAMES)})",
            )
        mode = Mode.parse(body.get("mode"))
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise _bad_value("'data' must be a document")
        if name == "failCommand":
            _validate_fail_command(data)
        with self._lock:
            previous = self._points[name]
            self._points[name] = FailPoint(mode, dict(data))
        return {"count": previous.entered}

    def clear(self) -> None:
        """Turn every fail point off."""
        with self._lock:
            self._points = {name: FailPoint() for name in FAIL_POINT_NAMES}

    def fail_command(
        self, command: str, app_name: str | None, namespace: str
    ) -> FailCommandEffect | None:
        """The ``failCommand`` effect on this command, if the fail point fires for it."""
        with self._lock:
            point = self._points["failCommand"]
            if point.mode.kind == "off" or not _matches(point.data, command, app_name, namespace):
                return None
            effect = fail_command_effect(point.data, {})
            if effect is None or not point.fire(self._rng):
                return None
            return effect

    def write_concern_error(
        self, command: str, app_name: str | None, namespace: str
    ) -> tuple[dict[str, Any], tuple[str, ...] | None] | None:
        """The ``writeConcernError`` (and labels) to reply with instead of waiting, if any."""
        with self._lock:
            point = self._points["failCommand"]
            if point.mode.kind == "off" or "writeConcernError" not in point.data:
                return None
            if not _matches(point.data, command, app_name, namespace):
                return None
            if not point.fire(self._rng):
                return None
            return dict(point.data["writeConcernError"]), _labels(point.data)

    def transactional_write(self) -> dict[str, Any] | None:
        """``onPrimaryTransactionalWrite``'s data if it fires for this statement."""
        return self._simple("onPrimaryTransactionalWrite")

    def get_more_after_checkout(self) -> int | None:
        """The error code of ``failGetMoreAfterCursorCheckout`` if it fires now."""
        data = self._simple("failGetMoreAfterCursorCheckout")
        if data is None:
            return None
        code = data.get("errorCode")
        return int(code) if isinstance(code, int) and not isinstance(code, bool) else 1

    def _simple(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            point = self._points[name]
            if point.mode.kind == "off" or not point.fire(self._rng):
                return None
            return dict(point.data)
