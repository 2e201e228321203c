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
    "stop_base",
    "wait_base",
    "wait_exponential",
    "wait_fixed",
    "wait_full_jitter",
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
