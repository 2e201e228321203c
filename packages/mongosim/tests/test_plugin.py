"""The pytest plugin's fixtures, run in an inner pytest session."""

from __future__ import annotations

import pytest

SIMULATED = """
import pymongo

def test_rs(mongo_rs):
    assert mongo_rs.primary == 0

def test_uri(mongo_uri):
    client = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000)
    client.db.c.insert_one({"_id": 1})
    assert client.db.c.find_one() == {"_id": 1}
    client.close()
"""

REAL = """
def test_rs(mongo_rs):
    raise AssertionError("must be skipped")

def test_uri(mongo_uri):
    assert mongo_uri == "mongodb://db.example:27017/?replicaSet=prod"
"""


def test_fixtures_use_the_simulator_by_default(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    pytester.makepyfile(SIMULATED)

    result = pytester.runpytest("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


def test_a_real_server_skips_fault_injection_with_a_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.example:27017/?replicaSet=prod")
    pytester.makepyfile(REAL)

    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")

    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*MONGODB_URI is set: this test injects faults*"])
