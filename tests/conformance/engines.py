"""The engines a scenario runs on, each reached over QMP the way the application reaches it."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator

import pytest

from guimirror.session.connection import QMPConnection
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint

from ..support import require_tools

ENGINES = ("qemu", "builtin")

QEMU_TOOLS = ("qemu-storage-daemon", "qemu-img", "qemu-io")


def builtin_available() -> bool:
    return (
        importlib.util.find_spec("guimirror.engine.engine") is not None
        and importlib.util.find_spec("guimirror.qmp.server") is not None
    )


def require_engine(engine: str) -> None:
    """Skip (fail in CI for QEMU) when the engine or the tools the scenarios use are missing."""
    if engine == "qemu":
        require_tools(*QEMU_TOOLS)
    else:
        require_tools("qemu-img", "qemu-io")
        if not builtin_available():
            pytest.skip("the built-in engine (guimirror.engine.engine, guimirror.qmp.server) "
                        "is not in the tree yet")


@contextlib.asynccontextmanager
async def open_engine(engine: str, directory: str) -> AsyncIterator[QMPConnection]:
    """A fresh engine with nothing in it, reached as the application reaches it."""
    endpoint: Endpoint
    if engine == "qemu":
        endpoint = DaemonEndpoint(f"qemu:{directory}")
    else:
        endpoint = BuiltinEndpoint(f"builtin:{directory}")
    await endpoint.open()
    try:
        yield endpoint.client.connection
    finally:
        await endpoint.close()
