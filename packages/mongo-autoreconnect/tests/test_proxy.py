"""The proxy without a server: navigation, dunders, and the retry loop on a scripted collection."""

import itertools
import logging
import time

import pymongo
import pytest
from helpers import FakeTime, ScriptedCollection, refused
from pymongo import ReadPreference
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    ClientBulkWriteException,
    DuplicateKeyError,
    NetworkTimeout,
    NotPrimaryError,
    ServerSelectionTimeoutError,
)

from mongo_autoreconnect import (
    AmbiguousWriteError,
    AsyncMongoProxy,
    MongoProxy,
    OperationKind,
    RetryPolicy,
    _runner,
)

PASSWORD = "s3cr3t-hunter2"


@pytest.fixture
def client():
    # A direct connection: pymongo takes it for a server it can use, so calls try it at
    # once (no wait for a server) and the scripted collection answers. Without retryable
    # writes pymongo sends a write once, so a scripted refusal proves it was not applied.
    client = pymongo.MongoClient(
        f"mongodb://alice:{PASSWORD}@localhost:1/?directConnection=true&retryWrites=false",
        connect=False,
    )
    yield client
    client.close()


@pytest.fixture
def fake_time():
    return FakeTime()


def scripted(client, script, fake_time, **policy):
    """A proxy over a ScriptedCollection with fake time and no jitter."""
    collection = ScriptedCollection(client.blogs, "posts", script)
    kwargs = {"deadline": 10.0, "initial": 0.1, "jitter": False, **fake_time.policy_kwargs()}
    kwargs.update(policy)
    events = []
    proxy = MongoProxy(collection, RetryPolicy(**kwargs), on_retry=events.append)
    return proxy, collection, events


class TestNavigation:
    def test_attribute_and_item_access_return_proxies_of_the_same_kind(self, client):
        proxy = MongoProxy(client)
        assert isinstance(proxy.blogs, MongoProxy)
        assert isinstance(proxy.blogs.unwrap(), Database)
        assert isinstance(proxy["blogs"]["posts"].unwrap(), Collection)
        assert proxy.blogs.posts.unwrap().full_name == "blogs.posts"
        assert proxy.get_database("x").get_collection("y").unwrap().full_name == "x.y"
        assert proxy.blogs.posts.database.unwrap().name == "blogs"
        assert proxy.blogs.client.unwrap() is client

    def test_with_options_keeps_the_proxy_and_the_options(self, client):
        posts = MongoProxy(client).blogs.posts
        secondary = posts.with_options(read_preference=ReadPreference.SECONDARY)
        assert isinstance(secondary, MongoProxy)
        assert secondary.unwrap().read_preference == ReadPreference.SECONDARY

    def test_plain_attributes_pass_through(self, client):
        posts = MongoProxy(client).blogs.posts
        assert posts.name == "posts"
        assert posts.full_name == "blogs.posts"

    def test_resolved_attributes_are_cached(self, client):
        proxy = MongoProxy(client)
        assert proxy.blogs is proxy.blogs
        assert proxy.blogs.posts.insert_one is proxy.blogs.posts.insert_one
        assert proxy["blogs"] is proxy["blogs"]

    def test_unwrap_returns_the_real_object(self, client):
        assert MongoProxy(client).unwrap() is client

    def test_a_proxy_of_a_proxy_wraps_the_real_object(self, client):
        assert MongoProxy(MongoProxy(client)).unwrap() is client

    def test_bool_does_not_raise_although_pymongo_collections_do(self, client):
        with pytest.raises(NotImplementedError):
            bool(client.blogs.posts)
        assert bool(MongoProxy(client).blogs.posts) is True
        assert bool(MongoProxy(client).blogs) is True

    def test_equality_and_hash_follow_the_wrapped_object(self, client):
        a = MongoProxy(client).blogs.posts
        b = MongoProxy(client).blogs.posts
        assert a == b
        assert a == client.blogs.posts
        assert a != MongoProxy(client).blogs.comments
        assert hash(a) == hash(client.blogs.posts)

    def test_dir_lists_pymongo_methods_and_the_proxy_extras(self, client):
        names = dir(MongoProxy(client).blogs.posts)
        assert {"insert_one", "find", "unwrap", "idempotent"} <= set(names)

    def test_calling_a_mistyped_method_gives_pymongos_message(self, client):
        with pytest.raises(TypeError, match="'Collection' object is not callable"):
            MongoProxy(client).blogs.posts.insert_onee({})

    def test_private_names_are_not_databases(self, client):
        with pytest.raises(AttributeError):
            MongoProxy(client).__wrapped__  # noqa: B018

    def test_rejects_what_it_cannot_wrap(self, client):
        with pytest.raises(
            TypeError, match="MongoProxy wraps one of MongoClient, Database, Collection"
        ):
            MongoProxy({"not": "a client"})
        async_client = pymongo.AsyncMongoClient(connect=False)
        with pytest.raises(TypeError, match="got AsyncMongoClient"):
            MongoProxy(async_client)
        with pytest.raises(TypeError, match="AsyncMongoProxy wraps one of AsyncMongoClient"):
            AsyncMongoProxy(client)
        with pytest.raises(TypeError, match="`policy` must be a RetryPolicy"):
            MongoProxy(client, {"deadline": 1})

    def test_context_manager_yields_the_proxy(self):
        with MongoProxy(pymongo.MongoClient(connect=False)) as proxy:
            assert isinstance(proxy, MongoProxy)


class TestSecrets:
    def test_repr_shows_no_password(self, client):
        text = repr(MongoProxy(client).blogs.posts)
        assert text.startswith("MongoProxy(Collection(")
        assert PASSWORD not in text

    def test_log_lines_and_errors_show_no_password(self, client, fake_time, caplog):
        leaky = f"mongodb://alice:{PASSWORD}@db.example:27017 said: connection closed"
        proxy, _, _ = scripted(client, [refused(leaky), AutoReconnect(leaky)], fake_time)
        with (
            caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"),
            pytest.raises(AmbiguousWriteError) as caught,
        ):
            proxy.update_many({}, {"$set": {"x": 1}})
        assert caplog.records, "the retry was not logged"
        assert all(PASSWORD not in record.getMessage() for record in caplog.records)
        assert PASSWORD not in str(caught.value)
        assert "<redacted>" in str(caught.value)

    def test_a_password_given_as_keyword_is_redacted_too(self, fake_time, caplog):
        client = pymongo.MongoClient(
            "localhost",
            1,
            username="bob",
            password=PASSWORD,
            directConnection=True,
            retryWrites=False,
            connect=False,
        )
        collection = ScriptedCollection(client.db, "c", [refused(f"auth {PASSWORD}"), 1])
        proxy = MongoProxy(collection, RetryPolicy(jitter=False, **fake_time.policy_kwargs()))
        with caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"):
            assert proxy.insert_one({}) == 1
        assert PASSWORD not in caplog.text
        client.close()


class TestRetryLoop:
    def test_returns_the_result_of_the_first_successful_attempt(self, client, fake_time):
        proxy, collection, events = scripted(
            client, [refused("np"), ServerSelectionTimeoutError("none"), "ok"], fake_time
        )
        assert proxy.insert_one({"x": 1}) == "ok"
        assert [name for name, _ in collection.calls] == ["insert_one"] * 3
        assert fake_time.sleeps == [0.1, 0.2]
        assert [(e.attempt, type(e.error).__name__) for e in events] == [
            (1, "NotPrimaryError"),
            (2, "ServerSelectionTimeoutError"),
        ]
        assert events[0].operation == "blogs.posts.insert_one"
        assert events[0].kind is OperationKind.WRITE

    def test_each_attempt_runs_inside_pymongo_timeout_of_the_remaining_deadline(
        self, client, fake_time
    ):
        proxy, collection, _ = scripted(
            client, [refused("np"), "ok"], fake_time, deadline=5.0, initial=1.0
        )
        proxy.insert_one({})
        first, second = (remaining for _, remaining in collection.calls)
        assert 4.9 < first <= 5.0
        assert 3.9 < second <= 4.0  # one fake second slept

    def test_a_client_timeout_ms_still_bounds_each_attempt(self, fake_time):
        client = pymongo.MongoClient(
            "localhost", 1, timeoutMS=2000, directConnection=True, retryWrites=False, connect=False
        )
        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        proxy.insert_one({})
        assert all(remaining <= 2.0 for _, remaining in collection.calls)
        assert len(collection.calls) == 2
        client.close()

    def test_a_client_timeout_ms_of_zero_leaves_the_deadline_in_force(self, fake_time):
        # timeoutMS=0 means "no client timeout", not "a zero bound": without the policy's
        # deadline pymongo would neither retry with the same txnNumber nor stop.
        client = pymongo.MongoClient(
            "localhost", 1, timeoutMS=0, directConnection=True, retryWrites=False, connect=False
        )
        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        proxy.insert_one({})
        first, second = (remaining for _, remaining in collection.calls)
        assert first is not None
        assert 9.9 < first <= 10.0
        assert second is not None
        client.close()

    def test_duplicate_key_error_is_raised_at_once(self, client, fake_time):
        error = DuplicateKeyError("E11000 duplicate key", 11000)
        proxy, collection, events = scripted(client, [error, "never"], fake_time)
        with pytest.raises(DuplicateKeyError) as caught:
            proxy.insert_one({"_id": 1})
        assert caught.value is error
        assert len(collection.calls) == 1
        assert fake_time.sleeps == []
        assert events == []

    @pytest.mark.parametrize("error", [AutoReconnect("closed"), NetworkTimeout("timed out")])
    def test_an_ambiguous_update_many_raises_ambiguous_write_error(self, client, fake_time, error):
        proxy, collection, _ = scripted(client, [error, "never"], fake_time)
        with pytest.raises(AmbiguousWriteError) as caught:
            proxy.update_many({}, {"$inc": {"n": 1}})
        assert caught.value.original is error
        assert caught.value.__cause__ is error
        assert caught.value.operation == "blogs.posts.update_many"
        assert caught.value.attempts == 1
        assert isinstance(caught.value, AutoReconnect)
        assert len(collection.calls) == 1

    def test_not_primary_on_update_many_is_retried(self, client, fake_time):
        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        assert proxy.update_many({}, {"$inc": {"n": 1}}) == "ok"
        assert len(collection.calls) == 2

    def test_not_primary_on_a_one_document_insert_many_is_retried(self, client, fake_time):
        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        assert proxy.insert_many([{"_id": 1}]) == "ok"
        assert len(collection.calls) == 2

    @pytest.mark.parametrize(
        ("method", "args"),
        [
            ("insert_one", ({"_id": 1},)),
            ("insert_many", ([{"_id": 1}],)),
            ("update_one", ({}, {"$inc": {"n": 1}})),
            ("find_one_and_update", ({}, {"$inc": {"n": 1}})),
            ("bulk_write", ([pymongo.UpdateOne({}, {"$inc": {"n": 1}})],)),
        ],
    )
    def test_a_refusal_of_a_write_pymongo_retries_itself_is_ambiguous(
        self, fake_time, method, args
    ):
        # With retryable writes pymongo may have sent it before (same txnNumber) and
        # raises only its last attempt's error, labelled or not.
        client = pymongo.MongoClient("localhost", 1, directConnection=True, connect=False)
        proxy, collection, events = scripted(client, [refused("np"), "never"], fake_time)
        with pytest.raises(AmbiguousWriteError, match="pymongo retries it itself"):
            getattr(proxy, method)(*args)
        assert len(collection.calls) == 1
        assert events == []
        client.close()

    def test_a_refusal_of_a_write_pymongo_sends_once_is_retried(self, fake_time):
        # update_many and a bulk with a multi-document write carry no txnNumber.
        client = pymongo.MongoClient("localhost", 1, directConnection=True, connect=False)
        proxy, collection, _ = scripted(client, [refused("np"), "ok"] * 2, fake_time)
        assert proxy.update_many({}, {"$inc": {"n": 1}}) == "ok"
        assert proxy.bulk_write([pymongo.UpdateMany({}, {"$inc": {"n": 1}})]) == "ok"
        assert len(collection.calls) == 4
        client.close()

    @pytest.mark.parametrize(
        "documents",
        [[{"_id": 1}, {"_id": 2}], ({"_id": i} for i in range(2))],
        ids=["list", "gen"],
    )
    def test_not_primary_on_a_batched_write_is_ambiguous(self, client, fake_time, documents):
        # Each batch is its own command: the refused one may not be the first.
        proxy, collection, _ = scripted(client, [refused("np"), "never"], fake_time)
        with pytest.raises(AmbiguousWriteError):
            proxy.insert_many(documents)
        assert len(collection.calls) == 1

    def test_an_insert_many_of_a_generator_is_retried_with_the_same_documents(
        self, client, fake_time
    ):
        # pymongo reads the documents before it selects a server: a retry after a server
        # selection timeout (nothing sent) must not get an exhausted generator.
        proxy, collection, _ = scripted(
            client, [ServerSelectionTimeoutError("none"), "ok"], fake_time
        )
        assert proxy.insert_many({"_id": i} for i in range(3)) == "ok"
        assert collection.inserted == [[{"_id": 0}, {"_id": 1}, {"_id": 2}]] * 2

    def test_marked_idempotent_ambiguous_writes_are_retried(self, client, fake_time):
        proxy, collection, _ = scripted(client, [AutoReconnect("closed"), "ok"], fake_time)
        assert proxy.idempotent.update_many({}, {"$set": {"n": 1}}) == "ok"
        assert len(collection.calls) == 2

    def test_retry_writes_always_retries_ambiguous_writes(self, client, fake_time):
        proxy, _collection, _ = scripted(
            client, [AutoReconnect("closed"), "ok"], fake_time, retry_writes="always"
        )
        assert proxy.update_many({}, {"$set": {"n": 1}}) == "ok"

    def test_idempotent_by_nature_calls_are_retried(self, client, fake_time):
        proxy, _, _ = scripted(client, [AutoReconnect("closed"), "ok"], fake_time)
        assert proxy.create_index("x") == "ok"

    def test_reads_are_retried_after_ambiguous_errors(self, client, fake_time):
        proxy, _, _ = scripted(client, [AutoReconnect("closed"), {"_id": 1}], fake_time)
        assert proxy.find_one({}) == {"_id": 1}

    def test_past_the_deadline_the_last_error_is_raised_unchanged(self, client, fake_time):
        errors = [refused(f"np {i}") for i in range(100)]
        proxy, collection, _ = scripted(
            client, list(errors), fake_time, deadline=1.0, initial=0.1, maximum=0.4
        )
        with pytest.raises(NotPrimaryError) as caught:
            proxy.insert_one({})
        assert caught.value is errors[len(collection.calls) - 1]
        assert fake_time.now <= 1.0 + 0.4
        assert len(collection.calls) >= 4

    def test_an_enclosing_pymongo_timeout_that_expired_ends_the_retries(self, client, fake_time):
        # The caller's own deadline is shorter than the policy's: without this the proxy
        # kept retrying (pymongo failing at once) until its own 10 s deadline.
        proxy, collection, events = scripted(client, [refused("np"), "ok"], fake_time)
        with pymongo.timeout(0.001):
            time.sleep(0.002)
            with pytest.raises(NotPrimaryError):
                proxy.insert_one({})
        assert len(collection.calls) == 1
        assert fake_time.sleeps == []
        assert events == []

    def test_a_transaction_statement_is_never_retried(self, client, fake_time):
        class InTransaction:
            in_transaction = True

        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        with pytest.raises(NotPrimaryError):
            proxy.insert_one({}, session=InTransaction())
        assert len(collection.calls) == 1

    def test_a_positional_transaction_session_is_never_retried_either(self, client, fake_time):
        class InTransaction:
            in_transaction = True

        proxy, collection, _ = scripted(client, [refused("np"), "ok"], fake_time)
        with pytest.raises(NotPrimaryError):
            proxy.insert_one({}, None, InTransaction())
        assert len(collection.calls) == 1

    def test_the_first_retry_is_a_warning_naming_the_error_and_the_deadline(
        self, client, fake_time, caplog
    ):
        proxy, _, _ = scripted(client, [refused("np"), "ok"], fake_time)
        with caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"):
            proxy.insert_one({})
        (record,) = caplog.records
        assert record.levelno == logging.WARNING
        assert record.getMessage().startswith(
            "blogs.posts.insert_one failed (NotPrimaryError: np, full error:"
        )
        assert "retrying until its 10s deadline, 10.0s from now" in record.getMessage()

    def test_a_call_that_keeps_failing_warns_at_most_every_5_seconds(
        self, client, fake_time, caplog
    ):
        # 1.5 s between attempts (fake time, no sleeping): 30 s of failures give a warning
        # at the first retry and then one per 5 s, the other retries at DEBUG.
        script = [refused(f"np {i}") for i in range(21)] + ["ok"]
        proxy, _, events = scripted(
            client, script, fake_time, deadline=60.0, initial=1.5, maximum=1.5
        )
        with caplog.at_level(logging.DEBUG, logger="mongo_autoreconnect"):
            assert proxy.insert_one({}) == "ok"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
        assert len(events) == 21
        assert len(warnings) + len(debug) == 21
        times = [float(r.getMessage().split(" after ")[1].split("s")[0]) for r in warnings[1:]]
        assert [0.0, *times] == [0.0, 6.0, 12.0, 18.0, 24.0, 30.0]
        assert all(b - a >= 5.0 for a, b in itertools.pairwise([0.0, *times]))
        assert "still failing after 6.0s and 5 attempts (NotPrimaryError: np 4" in (
            warnings[1].getMessage()
        )
        assert "54.0s left of its 60s deadline" in warnings[1].getMessage()

    def test_a_custom_logger_receives_the_retries(self, client, fake_time, caplog):
        collection = ScriptedCollection(client.db, "c", [refused("np"), "ok"])
        logger = logging.getLogger("my.app.mongo")
        proxy = MongoProxy(
            collection, RetryPolicy(jitter=False, **fake_time.policy_kwargs()), logger=logger
        )
        with caplog.at_level(logging.WARNING, logger="my.app.mongo"):
            proxy.insert_one({})
        assert [record.name for record in caplog.records] == ["my.app.mongo"]

    @pytest.mark.parametrize("offset", [None, 1000.0])
    def test_a_call_starts_at_the_policys_clock_reading_of_its_first_attempt(self, client, offset):
        # The fast path reads only time.monotonic(); once an attempt failed, the call's start
        # is told in the policy's clock (time.monotonic itself, or another clock).
        clock = time.monotonic if offset is None else lambda: time.monotonic() + offset
        collection = ScriptedCollection(client.db, "c", [refused("np"), "ok"])
        events = []
        policy = RetryPolicy(jitter=False, clock=clock, sleep=lambda seconds: None)
        proxy = MongoProxy(collection, policy, on_retry=events.append)
        before = clock()
        proxy.insert_one({})
        after = clock()
        (event,) = events
        assert before <= event.start <= event.now <= after


class BulkClient(pymongo.MongoClient):
    """A client whose client-level bulk_write (pymongo 4.9+, MongoDB 8.0+) plays a script."""

    script: list[BaseException | str]

    def bulk_write(self, *args, **kwargs):
        outcome = self.script.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def client_bulk_error(error=None, write_concern_errors=(), successful=False):
    """The ClientBulkWriteException pymongo raises for a client-level bulk write."""
    details = {
        "error": error,
        "writeErrors": [],
        "writeConcernErrors": list(write_concern_errors),
        "anySuccessful": successful,
        "nInserted": 0,
        "nUpserted": 0,
        "nMatched": 0,
        "nModified": 0,
        "nDeleted": 0,
    }
    return ClientBulkWriteException(details, False)


class TestClientBulkWrite:
    """pymongo wraps every error of MongoClient.bulk_write in a ClientBulkWriteException."""

    @pytest.mark.parametrize(
        ("error", "why"),
        [
            (client_bulk_error(AutoReconnect("connection closed")), "connection failed"),
            (client_bulk_error(refused("interrupted", 11602)), "interrupted it"),
            (
                client_bulk_error(
                    None, [{"code": 64, "errmsg": "waiting for replication timed out"}], True
                ),
                "write concern was not satisfied",
            ),
        ],
    )
    def test_a_write_that_may_have_been_applied_is_ambiguous(self, fake_time, error, why):
        client = BulkClient("localhost", 1, directConnection=True, connect=False)
        client.script = [error, "never"]
        proxy = MongoProxy(client, RetryPolicy(**fake_time.policy_kwargs()))
        models = [pymongo.InsertOne({"x": 1}, namespace="db.c")] * 2
        with pytest.raises(AmbiguousWriteError, match=why) as caught:
            proxy.bulk_write(models)
        assert caught.value.original is error
        assert client.script == ["never"]
        client.close()

    def test_an_answer_passes_through(self, fake_time):
        client = BulkClient("localhost", 1, directConnection=True, connect=False)
        error = client_bulk_error(DuplicateKeyError("E11000", 11000))
        client.script = [error]
        proxy = MongoProxy(client, RetryPolicy(**fake_time.policy_kwargs()))
        with pytest.raises(ClientBulkWriteException) as caught:
            proxy.bulk_write([pymongo.InsertOne({"x": 1}, namespace="db.c")])
        assert caught.value is error
        client.close()


class TestReadFallback:
    def test_a_read_with_no_primary_known_is_served_by_the_fallback(self, client, fake_time):
        proxy, collection, events = scripted(
            client,
            [{"_id": 1, "from": "secondary"}],
            fake_time,
            read_fallback=ReadPreference.PRIMARY_PREFERRED,
        )
        assert not client.topology_description.has_writable_server()
        assert proxy.find_one({}) == {"_id": 1, "from": "secondary"}
        assert [name for name, _ in collection.calls] == ["find_one@primaryPreferred"]
        assert events[0].read_preference == ReadPreference.PRIMARY_PREFERRED
        assert fake_time.sleeps == []

    def test_writes_never_fall_back(self, client, fake_time):
        proxy, _collection, _ = scripted(
            client,
            [refused("np"), "ok"],
            fake_time,
            read_fallback=ReadPreference.SECONDARY_PREFERRED,
        )
        assert proxy.update_one({}, {"$set": {"a": 1}}) == "ok"
        assert fake_time.sleeps == [0.1]


class TestNoServer:
    """A wrong host: the proxy waits for a server in logged slices, not silently."""

    @pytest.fixture
    def unreachable(self, monkeypatch):
        # Slices and warnings every 0.5 s instead of 5 s, to keep the test short.
        monkeypatch.setattr(_runner, "WARNING_INTERVAL", 0.5)
        client = pymongo.MongoClient("mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=60_000)
        yield client
        client.close()

    def test_a_wrong_host_is_heard_and_ends_at_the_deadline(self, unreachable, caplog):
        events = []
        proxy = MongoProxy(unreachable, RetryPolicy(deadline=1.2), on_retry=events.append)
        started = time.monotonic()
        with (
            caplog.at_level(logging.WARNING, logger="mongo_autoreconnect"),
            pytest.raises(ServerSelectionTimeoutError),
        ):
            proxy.db.c.insert_one({})
        assert time.monotonic() - started < 10  # the deadline, not serverSelectionTimeoutMS
        first = caplog.records[0].getMessage()
        assert first.startswith("db.c.insert_one failed (ServerSelectionTimeoutError")
        assert "retrying until its 1.2s deadline" in first
        assert len(events) >= 1
