# SPDX-License-Identifier: GPL-2.0-or-later
"""The engines a scenario runs on, each reached over QMP the way the application reaches it.

``qemu-7.2`` and ``qemu-10.0`` are qemu-storage-daemon of those versions (tests/support.py
finds them); a scenario that names ``qemu`` in its engines or its ``steps_for`` means both.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator

import pytest

from guimirror.session.connection import QMPConnection
from guimirror.session.endpoint import BuiltinEndpoint, DaemonEndpoint, Endpoint

from ..support import QEMU_VERSIONS, require_qemu, require_tools

ENGINES = (*(f"qemu-{version}" for version in QEMU_VERSIONS), "builtin")


def family(engine: str) -> str:
    """``qemu`` for every QEMU version, else the engine itself."""
    return engine.split("-", 1)[0]


def qemu_version(engine: str) -> str:
    return engine.split("-", 1)[1]


def builtin_available() -> bool:
    return (
        importlib.util.find_spec("guimirror.engine.engine") is not None
        and importlib.util.find_spec("guimirror.qmp.server") is not None
    )


def require_engine(engine: str) -> None:
    """Skip (fail in CI for QEMU) when the engine or the tools the scenarios use are missing."""
    require_tools("qemu-img", "qemu-io")
    if family(engine) == "qemu":
        require_qemu(qemu_version(engine))
    elif not builtin_available():
        pytest.skip("the built-in engine (guimirror.engine.engine, guimirror.qmp.server) "
                    "is not in the tree yet")


@contextlib.asynccontextmanager
async def open_engine(engine: str, directory: str) -> AsyncIterator[QMPConnection]:
    """A fresh engine with nothing in it, reached as the application reaches it."""
    endpoint: Endpoint
    if family(engine) == "qemu":
        endpoint = DaemonEndpoint(f"qemu:{directory}", binary=require_qemu(qemu_version(engine)))
    else:
        endpoint = BuiltinEndpoint(f"builtin:{directory}")
    await endpoint.open()
    try:
        yield endpoint.client.connection
    finally:
        await endpoint.close()
