# SPDX-License-Identifier: GPL-2.0-or-later
"""LoopFromAnyThread: libvirt's watches reach the loop from any thread, and a watch wished
for once the loop has closed (libvirt freeing a connection late) is dropped quietly."""

from __future__ import annotations

import asyncio
import os
import threading

from guimirror.session.libvirt_events import LoopFromAnyThread


def test_a_reader_added_from_another_thread_is_watched_in_the_loops_thread() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        adapter = LoopFromAnyThread(loop)
        read_end, write_end = os.pipe()
        called = asyncio.Event()
        try:
            thread = threading.Thread(
                target=adapter.add_reader, args=(read_end, called.set))
            thread.start()
            thread.join()
            os.write(write_end, b"x")
            async with asyncio.timeout(5):
                await called.wait()
            adapter.remove_reader(read_end)
        finally:
            os.close(read_end)
            os.close(write_end)

    asyncio.run(main())


def test_a_watch_wished_for_after_the_loop_closed_is_dropped() -> None:
    loop = asyncio.new_event_loop()
    adapter = LoopFromAnyThread(loop)
    loop.close()
    read_end, write_end = os.pipe()
    try:
        adapter.add_reader(read_end, lambda: None)
        adapter.remove_reader(read_end)
        adapter.flush()
    finally:
        os.close(read_end)
        os.close(write_end)
