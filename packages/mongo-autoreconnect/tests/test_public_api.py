import ast
import importlib
import inspect
import itertools

import pytest

import mongo_autoreconnect

PUBLIC = {
    "AmbiguousWriteError",
    "AsyncMongoProxy",
    "AsyncProxiedClient",
    "AsyncProxiedCollection",
    "AsyncProxiedDatabase",
    "AsyncResumableCursor",
    "CursorResumeError",
    "MongoAutoreconnectError",
    "MongoProxy",
    "OperationKind",
    "ProxiedClient",
    "ProxiedCollection",
    "ProxiedDatabase",
    "ResumableCursor",
    "RetryCondition",
    "RetryPolicy",
    "RetryState",
    "StopStrategy",
    "WaitStrategy",
    "__version__",
    "retry_base",
    "retry_if_idempotent",
    "retry_if_not_applied",
    "retry_if_read",
    "retry_if_safe",
    "stop_after_attempt",
    "stop_after_delay",
    "stop_all",
    "stop_any",
    "stop_base",
    "stop_never",
    "wait_base",
    "wait_chain",
    "wait_combine",
    "wait_exponential",
    "wait_fixed",
    "wait_incrementing",
    "wait_none",
    "wait_random",
    "wait_random_exponential",
}


def test_all_is_exactly_the_public_names():
    assert set(mongo_autoreconnect.__all__) == PUBLIC
    assert len(mongo_autoreconnect.__all__) == len(PUBLIC)


def test_every_public_name_is_importable():
    for name in PUBLIC:
        assert getattr(mongo_autoreconnect, name) is not None


def test_version_is_the_distribution_version():
    import importlib.metadata

    assert mongo_autoreconnect.__version__ == importlib.metadata.version("mongo-autoreconnect")


# Type aliases cannot carry __doc__: their docstring is the string after the assignment
# (what mkdocstrings shows).
ALIASES = {"RetryCondition": "_retry", "StopStrategy": "_policy", "WaitStrategy": "_policy"}


def test_every_public_name_has_a_docstring():
    missing = [
        name
        for name in PUBLIC - {"__version__"} - ALIASES.keys()
        if not (getattr(mongo_autoreconnect, name).__doc__ or "").strip()
    ]
    assert missing == []


@pytest.mark.parametrize(("alias", "module"), ALIASES.items())
def test_every_type_alias_has_an_attribute_docstring(alias, module):
    source = inspect.getsource(importlib.import_module(f"mongo_autoreconnect.{module}"))
    body = ast.parse(source).body
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.Assign) and [t.id for t in node.targets] == [alias]:
            assert isinstance(after, ast.Expr), alias
            assert isinstance(after.value.value, str), alias
            return
    raise AssertionError(f"{alias} is not assigned at the top of {module}")
