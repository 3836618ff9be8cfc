# SPDX-License-Identifier: GPL-2.0-or-later
"""The installed application's self-test: one real mirror on the built-in engine, without Qt.

``guimirror --self-test`` runs :func:`main`. It writes a small source image with data and a
hole into a temporary directory, mirrors it to a second image through READY and
``job-complete``, closes the engine, and compares the two files byte by byte. It proves that
a bundle or a package carries a working engine, not just a window.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from guimirror.errors import GuimirrorError
from guimirror.qapi.errors import QAPIError

IMAGE_SIZE = 4 * 1024 * 1024
EVENT_TIMEOUT = 60.0
JOB_ID = "self-test"
SOURCE_NODE = "self-test-source"
TARGET_NODE = "self-test-target"


class SelfTestError(GuimirrorError):
    """The self-test failed; the message says where, in the user's terms."""


def write_source_image(path: Path, size: int = IMAGE_SIZE) -> None:
    """Write a raw image of ``size`` bytes: random data, a hole, then a repeating pattern.

    Runs in a worker thread.
    """
    quarter = size // 4
    with open(path, "wb") as image:
        image.write(os.urandom(quarter))
        image.seek(2 * quarter)
        image.write(bytes(range(256)) * (quarter // 256))
        image.truncate(size)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's contents. Runs in a worker thread."""
    with open(path, "rb") as image:
        return hashlib.file_digest(image, "sha256").hexdigest()


def create_target_image(path: Path, size: int = IMAGE_SIZE) -> None:
    """Create an empty (sparse) raw image of ``size`` bytes. Runs in a worker thread."""
    with open(path, "wb") as image:
        image.truncate(size)


def raw_image_options(node_name: str, filename: Path) -> dict[str, Any]:
    """blockdev-add's arguments for a raw node on a file node, in QMP's names."""
    return {
        "driver": "raw",
        "node-name": node_name,
        "file": {"driver": "file", "filename": str(filename)},
    }


class EventWaiter:
    """Collects the engine's events in the order they arrive; the loop's task awaits them."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[Any] = asyncio.Queue()

    def __call__(self, event: Any) -> None:
        """The engine's event listener; called in the engine's loop."""
        self.events.put_nowait(event)

    async def wait_for(self, name: str) -> Any:
        """Return the next ``name`` event; fail on a job that ends or is cancelled before it.

        Gives up after EVENT_TIMEOUT seconds.
        """
        try:
            async with asyncio.timeout(EVENT_TIMEOUT):
                while True:
                    event = await self.events.get()
                    received = type(event).EVENT
                    if received == name:
                        return event
                    if received == "BLOCK_JOB_CANCELLED":
                        raise SelfTestError(f"the mirror job was cancelled before {name}")
                    if received == "BLOCK_JOB_COMPLETED":
                        error = getattr(event, "error", None) or "no error given"
                        raise SelfTestError(f"the mirror job ended before {name}: {error}")
        except TimeoutError:
            raise SelfTestError(f"no {name} event within {EVENT_TIMEOUT:.0f} s") from None


async def mirror_through_ready_and_complete(source: Path, target: Path) -> None:
    """Mirror ``source`` onto ``target`` on a fresh built-in engine; runs in the loop's task."""
    from guimirror.engine.engine import Engine
    from guimirror.qapi.base import parse_arguments
    from guimirror.qapi.commands import COMMANDS

    def arguments(command: str, raw: dict[str, Any]) -> Any:
        model = COMMANDS[command]
        assert model is not None, command
        return parse_arguments(model, raw)

    engine = Engine()
    waiter = EventWaiter()
    engine.add_event_listener(waiter)
    try:
        await engine.blockdev_add(arguments("blockdev-add", raw_image_options(SOURCE_NODE, source)))
        await engine.blockdev_add(arguments("blockdev-add", raw_image_options(TARGET_NODE, target)))
        await engine.blockdev_mirror(
            arguments(
                "blockdev-mirror",
                {"job-id": JOB_ID, "device": SOURCE_NODE, "target": TARGET_NODE, "sync": "full"},
            )
        )
        await waiter.wait_for("BLOCK_JOB_READY")
        await engine.job_complete(arguments("job-complete", {"id": JOB_ID}))
        completed = await waiter.wait_for("BLOCK_JOB_COMPLETED")
        if getattr(completed, "error", None):
            raise SelfTestError(f"the mirror job failed: {completed.error}")
    finally:
        engine.remove_event_listener(waiter)
        await engine.close()


async def run_self_test(workdir: Path, size: int = IMAGE_SIZE) -> str:
    """Run the whole self-test in ``workdir``; return the line that reports success.

    Runs in the loop's task; file I/O goes to worker threads. Raises SelfTestError.
    """
    source = workdir / "source.raw"
    target = workdir / "target.raw"
    started = time.monotonic()
    await asyncio.to_thread(write_source_image, source, size)
    await asyncio.to_thread(create_target_image, target, size)
    source_digest = await asyncio.to_thread(sha256_of, source)
    try:
        await mirror_through_ready_and_complete(source, target)
    except QAPIError as error:
        raise SelfTestError(f"the built-in engine refused a command: {error.desc}") from error
    if await asyncio.to_thread(sha256_of, source) != source_digest:
        raise SelfTestError("the mirror wrote to its source image")
    if await asyncio.to_thread(sha256_of, target) != source_digest:
        raise SelfTestError("the target image differs from the source after the mirror completed")
    elapsed = time.monotonic() - started
    return (
        f"guimirror self-test passed: mirrored {size // 1024} KiB through READY and complete "
        f"on the built-in engine; source and target are identical ({elapsed:.2f} s)"
    )


def main() -> int:
    """Run the self-test in a temporary directory; print the outcome; return the exit status."""
    try:
        with tempfile.TemporaryDirectory(prefix="guimirror-self-test-") as workdir:
            print(asyncio.run(run_self_test(Path(workdir))), flush=True)
    except SelfTestError as error:
        print(f"guimirror self-test FAILED: {error}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:
        print(
            f"guimirror self-test FAILED: unexpected {type(error).__name__}: {error}",
            file=sys.stderr,
            flush=True,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
