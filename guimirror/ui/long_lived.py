"""The garbage collector and the objects that live as long as the application."""

from __future__ import annotations

import gc

_long_lived_frozen = False


def freeze_long_lived_objects() -> None:
    """Take the objects alive now (the imported modules, Qt wrappers, the window) out of the
    garbage collector's generations, once per process.

    They are some 90,000 objects that live as long as the application; while they sit in the
    oldest generation, every full collection scans them all, which stalls the event loop for
    30-50 ms in the middle of a mirror. Frozen, a full collection scans only what came later.
    Objects freed by reference counting are freed as before; the garbage of the moment is
    collected first, so none of it is frozen.
    """
    global _long_lived_frozen
    if not _long_lived_frozen:
        _long_lived_frozen = True
        gc.collect()
        gc.freeze()
