# SPDX-License-Identifier: GPL-2.0-or-later
"""The example workspace offered on first start: a source holding data and an empty target.

Two raw images of the same size in the user's data directory. The source gets scattered
extents of random data and a text header (so a mirror has something to copy and holes to
skip); the target is a sparse file of the same size. Creating them blocks: run
``create_example_workspace`` in a worker thread. Qt-free.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

EXAMPLE_SIZE = 64 << 20
EXTENT = 1 << 20
EXTENTS = 24
SOURCE_NODE = "example-src"
TARGET_NODE = "example-tgt"
HEADER = b"guimirror example source image\n"


@dataclass(frozen=True)
class ExampleWorkspace:
    directory: str
    source: str
    target: str
    size: int

    def blockdev_add_options(self) -> list[dict[str, object]]:
        """blockdev-add arguments for both images: raw over file; the target discards."""
        return [
            {
                "driver": "raw",
                "node-name": SOURCE_NODE,
                "file": {"driver": "file", "filename": self.source},
            },
            {
                "driver": "raw",
                "node-name": TARGET_NODE,
                "discard": "unmap",
                "file": {"driver": "file", "filename": self.target, "discard": "unmap"},
            },
        ]


def example_paths(data_dir: str) -> ExampleWorkspace:
    directory = os.path.join(data_dir, "example")
    return ExampleWorkspace(
        directory=directory,
        source=os.path.join(directory, "source.img"),
        target=os.path.join(directory, "target.img"),
        size=EXAMPLE_SIZE,
    )


def create_example_workspace(data_dir: str, size: int = EXAMPLE_SIZE) -> ExampleWorkspace:
    """Create (or re-create) the two images under ``data_dir/example``. Blocks."""
    workspace = example_paths(data_dir)
    workspace = ExampleWorkspace(workspace.directory, workspace.source, workspace.target, size)
    os.makedirs(workspace.directory, mode=0o755, exist_ok=True)
    chooser = random.Random(size)
    extents = min(EXTENTS, size // EXTENT)
    offsets = sorted(chooser.sample(range(size // EXTENT), extents))
    with open(workspace.source, "wb") as source:
        source.truncate(size)
        source.write(HEADER)
        for index in offsets:
            source.seek(index * EXTENT)
            source.write(os.urandom(EXTENT))
    with open(workspace.target, "wb") as target:
        target.truncate(0)
        target.truncate(size)
    return workspace
