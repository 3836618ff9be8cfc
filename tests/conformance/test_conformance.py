# SPDX-License-Identifier: GPL-2.0-or-later
"""Every conformance scenario on every engine: same nodes, same commands, same expectations."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from . import (
    scenarios_041,
    scenarios_bad_input,
    scenarios_faults,
    scenarios_jobs,
    scenarios_versions,
)
from .driver import ScenarioRun, create_image
from .engines import ENGINES, open_engine, require_engine
from .steps import Scenario

SCENARIOS: list[Scenario] = [
    *scenarios_041.SCENARIOS,
    *scenarios_bad_input.SCENARIOS,
    *scenarios_faults.SCENARIOS,
    *scenarios_jobs.SCENARIOS,
    *scenarios_versions.SCENARIOS,
]

pytestmark = pytest.mark.qemu


@pytest.fixture
def workdir() -> Iterator[str]:
    """A short private directory (unix socket paths must stay under 108 bytes)."""
    directory = tempfile.mkdtemp(prefix="gm-conf-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


async def _run(engine: str, scenario: Scenario, directory: str) -> None:
    async with open_engine(engine, directory) as connection:
        await ScenarioRun(connection, engine, directory).run(scenario)


def test_scenario_names_are_unique() -> None:
    names = [scenario.name for scenario in SCENARIOS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
@pytest.mark.parametrize("engine", ENGINES)
def test_conformance(engine: str, scenario: Scenario, workdir: str) -> None:
    if not scenario.runs_on(engine):
        pytest.skip(f"{scenario.name} does not run on the {engine} engine: {scenario.deviation}")
    require_engine(engine)
    for image in scenario.images:
        create_image(image, workdir)
    asyncio.run(asyncio.wait_for(_run(engine, scenario, workdir), 120))
