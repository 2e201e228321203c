"""The names mongosim exports are exactly the documented ones."""

from __future__ import annotations

import mongosim


def test_all_is_exactly_the_public_names() -> None:
    assert sorted(mongosim.__all__) == sorted(
        [
            "FAULT_KINDS",
            "MAX_WIRE_VERSION",
            "Clock",
            "FaultKindError",
            "MemberIndexError",
            "MongosimError",
            "NoPrimaryError",
            "NotRunningError",
            "ReplicaSet",
            "__version__",
        ]
    )
    assert all(hasattr(mongosim, name) for name in mongosim.__all__)


def test_exceptions_share_one_root_and_builtin_meanings() -> None:
    assert issubclass(mongosim.FaultKindError, (mongosim.MongosimError, ValueError))
    assert issubclass(mongosim.MemberIndexError, IndexError)
    assert issubclass(mongosim.NoPrimaryError, RuntimeError)
    assert issubclass(mongosim.NotRunningError, RuntimeError)


def test_version_is_the_distribution_version() -> None:
    assert mongosim.__version__ == "0.1.0"
