"""The checks of ``conformance/proxied_spec.py`` (the spec-tests-proxy plugin) can fail.

The plugin runs in ``nox -s spec-tests-proxy`` against pymongo's own test suite; here its
wire check is fed made-up command events.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

PLUGIN = Path(__file__).resolve().parents[1] / "conformance" / "proxied_spec.py"


@pytest.fixture(scope="module")
def plugin():
    spec = importlib.util.spec_from_file_location("proxied_spec_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def started(name, operation_id):
    return SimpleNamespace(command_name=name, operation_id=operation_id)


def failed(name, operation_id, code, labels=()):
    failure = {"ok": 0, "code": code, "errorLabels": list(labels)}
    return SimpleNamespace(command_name=name, operation_id=operation_id, failure=failure)


def test_a_write_re_sent_after_an_interruption_is_reported(plugin):
    events = [started("update", 1), failed("update", 1, 11602), started("update", 2)]
    (problem,) = plugin.second_applications(events)
    assert problem.startswith("update re-sent as a new operation after")


def test_a_write_re_sent_after_a_labelled_refusal_is_reported(plugin):
    events = [
        started("insert", 1),
        failed("insert", 1, 10107, ["RetryableWriteError"]),
        started("insert", 2),
    ]
    assert plugin.second_applications(events)


def test_a_write_re_sent_after_a_refusal_is_fine(plugin):
    events = [started("update", 1), failed("update", 1, 10107), started("update", 2)]
    assert plugin.second_applications(events) == []


def succeeded(name, operation_id, reply):
    return SimpleNamespace(command_name=name, operation_id=operation_id, reply=reply)


def test_a_write_re_sent_after_pymongos_retry_was_refused_is_reported(plugin):
    # The refusal is of pymongo's retry; its first attempt (lost reply) may have been applied.
    events = [
        started("update", 1),
        SimpleNamespace(
            command_name="update", operation_id=1, failure={"errtype": "AutoReconnect"}
        ),
        started("update", 1),
        failed("update", 1, 10107),
        started("update", 2),
    ]
    (problem,) = plugin.second_applications(events)
    assert "AutoReconnect" in problem


def test_a_write_re_sent_after_a_write_concern_error_is_reported(plugin):
    reply = {"ok": 1, "n": 1, "writeConcernError": {"code": 10107, "errmsg": "x"}}
    events = [started("update", 1), succeeded("update", 1, reply), started("update", 2)]
    assert plugin.second_applications(events)


def test_pymongos_own_retries_share_an_operation_id(plugin):
    events = [started("insert", 1), failed("insert", 1, 91), started("insert", 1)]
    assert plugin.second_applications(events) == []


def test_reads_are_not_writes(plugin):
    events = [started("find", 1), failed("find", 1, 91), started("find", 2)]
    assert plugin.second_applications(events) == []
