# SPDX-License-Identifier: GPL-2.0-or-later
"""The engine's worker pool: outcomes reach their callers, calls run side by side, a cancelled
caller leaves the pool usable (a call it left before the call began is skipped), and one pool
serves successive event loops."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from guimirror.engine.workers import WorkerPool

TIMEOUT = 10.0


def test_results_and_errors_reach_their_callers() -> None:
    pool = WorkerPool(4, "test-workers")

    async def scenario() -> None:
        assert await pool.run(int, "7") == 7
        with pytest.raises(ValueError, match="invalid literal"):
            await pool.run(int, "seven")
        with pytest.raises(OSError) as error:
            await pool.run(os.stat, "/nonexistent/guimirror-worker-test")
        assert error.value.errno == 2
        # an asyncio future refuses StopIteration; the caller gets a RuntimeError instead
        with pytest.raises(RuntimeError, match="StopIteration"):
            await pool.run(next, iter(()))

    asyncio.run(scenario())


def test_many_calls_in_flight_each_get_their_own_result() -> None:
    pool = WorkerPool(16, "test-workers")

    async def scenario() -> None:
        async with asyncio.timeout(TIMEOUT):
            results = await asyncio.gather(*(pool.run(pow, n, 2) for n in range(2000)))
        assert results == [n * n for n in range(2000)]

    asyncio.run(scenario())


def test_a_burst_spreads_over_every_worker() -> None:
    """16 calls that each wait for all 16 to be running: they finish only if the loop's one
    wakeup and the workers' chained wakeups put every worker to work."""
    workers = 16
    pool = WorkerPool(workers, "test-workers")
    barrier = threading.Barrier(workers, timeout=TIMEOUT)
    names: set[str] = set()

    def meet() -> None:
        names.add(threading.current_thread().name)
        barrier.wait()

    async def scenario() -> None:
        for _ in range(3):  # again once the workers have gone back to sleep
            await asyncio.gather(*(pool.run(meet) for _ in range(workers)))

    asyncio.run(scenario())
    assert len(names) == workers


def test_a_cancelled_caller_leaves_the_pool_serving() -> None:
    pool = WorkerPool(1, "test-workers")
    release = threading.Event()

    async def scenario() -> None:
        started = asyncio.get_running_loop().create_future()
        loop = asyncio.get_running_loop()

        def blocked() -> str:
            loop.call_soon_threadsafe(started.set_result, None)
            release.wait(TIMEOUT)
            return "dropped"

        caller = asyncio.create_task(pool.run(blocked))
        await started
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        release.set()  # the call finishes after its caller left; its outcome goes nowhere
        async with asyncio.timeout(TIMEOUT):
            assert await pool.run(str.upper, "next") == "NEXT"

    asyncio.run(scenario())


def test_a_call_whose_caller_left_before_it_began_is_skipped() -> None:
    pool = WorkerPool(1, "test-workers")
    release = threading.Event()
    ran: list[str] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        started = loop.create_future()

        def blocked() -> None:
            loop.call_soon_threadsafe(started.set_result, None)
            release.wait(TIMEOUT)

        first = asyncio.create_task(pool.run(blocked))
        await started  # the only worker is busy: the next call waits in the queue
        queued = asyncio.create_task(pool.run(ran.append, "queued"))
        await asyncio.sleep(0)  # let the call be queued
        queued.cancel()
        release.set()
        await first
        async with asyncio.timeout(TIMEOUT):
            await pool.run(ran.append, "after")

    asyncio.run(scenario())
    assert ran == ["after"]


def test_one_pool_serves_successive_event_loops() -> None:
    pool = WorkerPool(2, "test-workers")

    async def scenario(value: int) -> int:
        return await pool.run(abs, value)

    assert [asyncio.run(scenario(-n)) for n in range(3)] == [0, 1, 2]
