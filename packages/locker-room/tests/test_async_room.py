"""AsyncLockerRoom over pymongo.AsyncMongoClient: the same protocol from asyncio."""

from __future__ import annotations

import asyncio

import pytest
from conftest import DB, SlowFirstReply
from pymongo import AsyncMongoClient
from pymongo.server_type import SERVER_TYPE

from locker_room import AsyncLockerRoom, LockLost, LockTimeout, NotLockOwner, ServerUnavailable


def run(mongo_uri, collection_name, scenario):
    async def main():
        client = AsyncMongoClient(mongo_uri)
        room = AsyncLockerRoom(client=client, db=DB, collection=collection_name)
        try:
            await scenario(room)
        finally:
            await room.close()
            await client.close()

    asyncio.run(main())


def test_async_with_decorator_status_and_tokens(mongo_uri, collection_name):
    async def scenario(locker):
        async with locker.lock_and_release("x", owner="gustav", timeout=2) as lease:
            assert lease.token == 1
            assert (await locker.status("x"))["locked"] is True

        @locker.lock_and_release("x", owner="gustav", timeout=2)
        async def important():
            return (await locker.status("x"))["token"]

        assert await important() == 2
        assert (await locker.status("x"))["locked"] is False
        await locker.lock("x", timeout=0)
        assert [s["_id"] for s in await locker.locks()] == ["x"]
        await locker.release("x")
        assert (await locker.status("x"))["token"] == 3

    run(mongo_uri, collection_name, scenario)


def test_async_body_raising_releases_and_propagates(mongo_uri, collection_name):
    async def scenario(locker):
        async def body():
            async with locker.lock_and_release("x", owner="gustav"):
                raise KeyError("boom")

        with pytest.raises(KeyError):
            await body()
        assert (await locker.status("x"))["locked"] is False

    run(mongo_uri, collection_name, scenario)


def test_async_timeouts_and_ownership(mongo_uri, collection_name):
    async def scenario(locker):
        lease = await locker.lock("x", owner="gustav")
        with pytest.raises(LockTimeout, match="held by 'gustav'"):
            await locker.lock("x", owner="bob", timeout=0)
        with pytest.raises(LockTimeout, match=r"after waiting 0\.3 s"):
            await locker.lock("x", owner="bob", timeout=0.3)
        with pytest.raises(NotLockOwner):
            await locker.release("x", owner="bob")
        await locker.force_release("x")
        taker = await locker.lock("x", owner="bob", timeout=0)
        with pytest.raises(LockLost):
            await lease.release()
        await taker.release()

    run(mongo_uri, collection_name, scenario)


def test_async_default_owner_differs_between_tasks(mongo_uri, collection_name):
    async def scenario(locker):
        lease = await locker.lock("x")

        async def other_task():
            await locker.lock("x", timeout=0)

        with pytest.raises(LockTimeout):
            await asyncio.create_task(other_task())
        await lease.release()

    run(mongo_uri, collection_name, scenario)


def test_async_finished_task_does_not_pass_its_owner_on(mongo_uri, collection_name):
    async def scenario(locker):
        first = await asyncio.create_task(locker.lock("x"))
        with pytest.raises(LockTimeout):
            await asyncio.create_task(locker.lock("x", timeout=0))
        await first.release()

    run(mongo_uri, collection_name, scenario)


def test_async_renewal_keeps_a_short_lease(mongo_uri, collection_name):
    async def scenario(locker):
        async with await locker.lock("x", owner="worker", ttl=0.6) as lease:
            first = lease.expires_at
            await asyncio.sleep(1.5)
            assert lease.valid
            assert lease.expires_at > first
            with pytest.raises(LockTimeout):
                await locker.lock("x", owner="other", timeout=0)

    run(mongo_uri, collection_name, scenario)


def test_async_failed_renewal_is_reported(mongo_rs, collection_name):
    reports = []

    async def scenario(locker):
        lost = asyncio.Event()

        def on_lost(error):
            reports.append(error)
            lost.set()

        with pytest.raises(LockLost):  # noqa: PT012
            async with locker.lock_and_release("x", ttl=1.0, on_lost=on_lost) as lease:
                mongo_rs.step_down(no_primary_for=3.0)
                await asyncio.wait_for(lost.wait(), 30)
        assert reports == [lease.lost]

    run(mongo_rs.uri, collection_name, scenario)


def test_async_reply_that_arrives_after_the_ttl_is_not_handed_out(mongo_uri, collection_name):
    slow = SlowFirstReply(ttl=30)

    async def main():
        client = AsyncMongoClient(mongo_uri, event_listeners=[slow])
        try:
            room = AsyncLockerRoom(
                client=client, db=DB, collection=collection_name, clock=slow.clock
            )
            lease = await room.lock("x", owner="gustav", ttl=30)
            assert slow.acquires == 2
            assert lease.valid
            assert lease.token == 1
            await lease.release()
        finally:
            await client.close()

    asyncio.run(main())


def test_async_renewal_that_raises_loses_its_lease(mongo_uri, collection_name):
    async def scenario(locker):
        lost = asyncio.Event()
        lease = await locker.lock("x", owner="worker", ttl=0.6, on_lost=lambda _: lost.set())

        async def bug():
            raise ZeroDivisionError("bug")

        lease.renew = bug
        await asyncio.wait_for(lost.wait(), 30)
        assert isinstance(lease.lost, LockLost)
        assert "ZeroDivisionError" in str(lease.lost)
        with pytest.raises(LockLost):
            await lease.release()

    run(mongo_uri, collection_name, scenario)


def test_async_no_primary_until_the_deadline_gives_server_unavailable(mongo_rs, collection_name):
    async def main():
        client = AsyncMongoClient(
            mongo_rs.uri, serverSelectionTimeoutMS=600_000, heartbeatFrequencyMS=500
        )
        room = AsyncLockerRoom(client=client, db=DB, collection=collection_name)
        await (await room.lock("warm")).release()
        killed = mongo_rs.primary
        mongo_rs.kill(killed)
        try:
            with pytest.raises(ServerUnavailable, match="cannot reach MongoDB to lock 'x'"):
                await asyncio.wait_for(room.lock("x", timeout=0.5), 120)  # a hang detector
        finally:
            mongo_rs.revive(killed)
            mongo_rs.elect((killed + 1) % 3)
            # pymongo's async monitors leak their socket when close() cancels them in the
            # middle of connecting to the dead member (seen on Python 3.10): close only once
            # every member answers their heartbeats again.
            await asyncio.wait_for(_every_member_known(client), 30)
            await client.close()

    asyncio.run(main())


async def _every_member_known(client):
    while any(
        server.server_type == SERVER_TYPE.Unknown
        for server in client.topology_description.server_descriptions().values()
    ):
        await asyncio.sleep(0.05)


def test_async_room_validates_arguments():
    with pytest.raises(ValueError, match="pass either `host` or `client`"):
        AsyncLockerRoom(host="localhost", client=object())  # type: ignore[arg-type]
