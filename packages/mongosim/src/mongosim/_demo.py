"""``python -m mongosim demo``: a scripted failover that pymongo rides out, step by step."""

from __future__ import annotations

import json
from typing import Any

from mongosim.replica_set import ReplicaSet

__all__ = ["run_demo"]


def run_demo(*, as_json: bool = False) -> int:
    """Start a 3-member set, fail it over under pymongo's feet, print what happened.

    Steps: a step-down (retryable write fails over), a lost reply (applied once), a
    ``failCommand`` fail point (retried), a step-down in the middle of ``update_many``.

    Returns 0 when every step ended as a real replica set would make it end, else 1.
    """
    import pymongo

    steps: list[dict[str, Any]] = []

    def step(what: str, outcome: object, expected: object) -> None:
        steps.append({"step": what, "outcome": outcome, "ok": outcome == expected})
        if not as_json:
            mark = "ok" if outcome == expected else f"UNEXPECTED (wanted {expected!r})"
            print(f"{what}: {outcome!r} {mark}", flush=True)

    with ReplicaSet(members=3) as rs:
        if not as_json:
            print(f"started a 3-member mongosim replica set: {rs.uri}", flush=True)
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            rs.uri, serverSelectionTimeoutMS=5000
        )
        try:
            counters = client.demo.counters
            counters.insert_one({"_id": "hits", "n": 0})
            step("insert on the primary (member 0)", rs.primary, 0)
            rs.step_down()
            counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})
            step("update after a step-down, retried by pymongo on", rs.primary, 1)
            rs.fail_next("update", "apply_then_hangup")
            counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})
            document = counters.find_one({"_id": "hits"}) or {}
            step("$inc whose reply was lost, retried with the same txnNumber: n", document["n"], 2)
            client.admin.command(
                "configureFailPoint",
                "failCommand",
                mode={"times": 1},
                data={"failCommands": ["update"], "errorCode": 189},
            )
            counters.update_one({"_id": "hits"}, {"$inc": {"n": 1}})
            document = counters.find_one({"_id": "hits"}) or {}
            step("failCommand PrimarySteppedDown (189), labelled and retried: n", document["n"], 3)
            counters.insert_many([{"_id": i, "done": False} for i in range(10)])
            rs.step_down(during="update", after_documents=4)
            try:
                counters.update_many({"done": False}, {"$set": {"done": True}})
                interrupted = None
            except pymongo.errors.NotPrimaryError as error:
                details = error.details
                interrupted = details.get("code") if isinstance(details, dict) else None
            step("update_many interrupted by a step-down: error code", interrupted, 11602)
            done = counters.count_documents({"done": True})
            step("documents it had updated before the step-down", done, 4)
        finally:
            client.close()
    ok = all(entry["ok"] for entry in steps)
    if as_json:
        print(json.dumps({"ok": ok, "steps": steps}))
    else:
        print("demo passed" if ok else "demo FAILED")
    return 0 if ok else 1
