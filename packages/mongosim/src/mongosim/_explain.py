"""The ``explain`` command: a query plan in the shape mongod 6.0 reports it.

The simulator has no query planner (mongomock scans each collection), so the plan it
explains is the plan it runs: ``IDHACK`` for an equality on ``_id``, else ``COLLSCAN``,
under ``SORT``, ``SKIP``, ``LIMIT`` and ``PROJECTION_*`` stages as the command asks. With
``executionStats`` (or ``allPlansExecution``) the read is executed, without writing, and
``nReturned``/``totalDocsExamined`` are the real counts. Write commands are explained
without being applied.
"""

from __future__ import annotations

from typing import Any

from mongosim._command_error import CommandError

__all__ = ["VERBOSITIES", "explain_reply", "winning_plan"]

VERBOSITIES = frozenset({"queryPlanner", "executionStats", "allPlansExecution"})
"""The verbosities mongod accepts."""

_EXPLAINABLE = frozenset(
    {"find", "aggregate", "count", "distinct", "update", "delete", "findAndModify"}
)


def _filter_of(name: str, command: dict[str, Any]) -> dict[str, Any]:
    if name == "find":
        return dict(command.get("filter") or {})
    if name in ("count", "distinct"):
        return dict(command.get("query") or {})
    if name == "findAndModify":
        return dict(command.get("query") or {})
    if name in ("update", "delete"):
        statements = command.get("updates" if name == "update" else "deletes") or [{}]
        return dict(statements[0].get("q") or {})
    if name == "aggregate":
        pipeline = command.get("pipeline") or []
        first = pipeline[0] if pipeline and isinstance(pipeline[0], dict) else {}
        return dict(first.get("$match") or {})
    return {}


def winning_plan(name: str, command: dict[str, Any]) -> dict[str, Any]:
    """The plan the simulator runs for an explained command.

    Examples
    --------
    >>> winning_plan("find", {"find": "c", "filter": {"_id": 1}})
    {'stage': 'IDHACK'}
    >>> plan = winning_plan("find", {"find": "c", "filter": {"a": 1}, "sort": {"a": 1}})
    >>> plan["stage"], plan["inputStage"]["stage"]
    ('SORT', 'COLLSCAN')
    """
    query = _filter_of(name, command)
    identifier = query.get("_id")
    if set(query) == {"_id"} and not isinstance(identifier, dict):
        plan: dict[str, Any] = {"stage": "IDHACK"}
    else:
        plan = {"stage": "COLLSCAN", "filter": query, "direction": "forward"}
    if name != "find":
        return plan
    if command.get("sort"):
        sort: dict[str, Any] = {"stage": "SORT", "sortPattern": dict(command["sort"])}
        if command.get("limit"):
            sort["limitAmount"] = abs(int(command["limit"]))
        sort["inputStage"] = plan
        plan = sort
    elif command.get("limit"):
        plan = {"stage": "LIMIT", "limitAmount": abs(int(command["limit"])), "inputStage": plan}
    if command.get("skip"):
        plan = {"stage": "SKIP", "skipAmount": int(command["skip"]), "inputStage": plan}
    if command.get("projection"):
        plan = {
            "stage": "PROJECTION_SIMPLE",
            "transformBy": dict(command["projection"]),
            "inputStage": plan,
        }
    return plan


def explain_reply(
    body: dict[str, Any],
    server: dict[str, Any],
    run: Any,
) -> dict[str, Any]:
    """The reply to ``{explain: <command>, verbosity}``.

    ``run(command)`` executes the explained read and returns ``(returned, examined)``; it is
    called only for ``executionStats`` and ``allPlansExecution`` on a read.
    """
    command = body.get("explain")
    if not isinstance(command, dict) or not command:
        raise CommandError(14, "TypeMismatch", "explain command requires a nested object")
    name = next(iter(command))
    if name not in _EXPLAINABLE:
        raise CommandError(59, "CommandNotFound", f"Explain failed due to unknown command: {name}")
    verbosity = body.get("verbosity", "allPlansExecution")
    if verbosity not in VERBOSITIES:
        raise CommandError(
            2,
            "BadValue",
            f"verbosity string must be one of {{'queryPlanner', 'executionStats',"
            f" 'allPlansExecution'}}, got {verbosity!r}",
        )
    database = body.get("$db", "admin")
    target = command.get(name)
    namespace = f"{database}.{target}" if isinstance(target, str) else f"{database}.$cmd"
    plan = winning_plan(name, command)
    reply: dict[str, Any] = {
        "explainVersion": "1",
        "queryPlanner": {
            "namespace": namespace,
            "indexFilterSet": False,
            "parsedQuery": _filter_of(name, command),
            "maxIndexedOrSolutionsReached": False,
            "maxIndexedAndSolutionsReached": False,
            "maxScansToExplodeReached": False,
            "winningPlan": plan,
            "rejectedPlans": [],
        },
    }
    if verbosity != "queryPlanner":
        returned, examined = run(command) if name in ("find", "count", "distinct") else (0, 0)
        stats: dict[str, Any] = {
            "executionSuccess": True,
            "nReturned": returned,
            "executionTimeMillis": 0,
            "totalKeysExamined": 1 if plan.get("stage") == "IDHACK" and returned else 0,
            "totalDocsExamined": examined,
            "executionStages": {**plan, "nReturned": returned, "docsExamined": examined},
        }
        if verbosity == "allPlansExecution":
            stats["allPlansExecution"] = []
        reply["executionStats"] = stats
    reply["command"] = {**command, "$db": database}
    reply["serverInfo"] = server
    return reply
