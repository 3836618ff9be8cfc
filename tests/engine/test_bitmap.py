# SPDX-License-Identifier: GPL-2.0-or-later
"""The dirty bitmap against a plain Python set of chunks, and its size on a 1 TiB disk."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from guimirror.engine.bitmap import DirtyBitmap

KIB = 1024
TIB = 1024**4


def test_a_write_dirties_every_chunk_it_touches() -> None:
    bitmap = DirtyBitmap(1024 * KIB, 64 * KIB)
    bitmap.set_dirty(64 * KIB - 1, 2)
    assert bitmap.count == 2
    assert bitmap.dirty_bytes == 128 * KIB
    assert [bitmap.is_dirty(c) for c in range(3)] == [True, True, False]


def test_unaligned_length_has_a_last_partial_chunk() -> None:
    bitmap = DirtyBitmap(1025 * KIB, 64 * KIB)
    assert bitmap.nb_chunks == 17
    bitmap.set_all()
    assert bitmap.count == 17
    assert bitmap.next_clean(0) == 17
    assert bitmap.next_dirty(17) is None


def test_one_tebibyte_at_64k_is_small_and_fast_to_search() -> None:
    bitmap = DirtyBitmap(TIB, 64 * KIB)
    assert bitmap.nbytes <= 4 * 1024 * KIB
    bitmap.set_dirty(TIB - 4096, 1)
    started = time.perf_counter()
    for _ in range(20):
        assert bitmap.next_dirty(0) == bitmap.nb_chunks - 1
    assert (time.perf_counter() - started) / 20 < 0.05
    bitmap.set_all()
    assert bitmap.dirty_bytes == TIB
    bitmap.reset_chunks(0, bitmap.nb_chunks)
    assert bitmap.count == 0


operations = st.lists(
    st.tuples(st.booleans(), st.integers(0, 300), st.integers(0, 300)), max_size=30
)


@settings(max_examples=150, deadline=None)
@given(nb_chunks=st.integers(1, 300), ops=operations, probe=st.integers(0, 310))
def test_matches_a_set_of_chunks(
    nb_chunks: int, ops: list[tuple[bool, int, int]], probe: int
) -> None:
    bitmap = DirtyBitmap(nb_chunks * 512, 512)
    model: set[int] = set()
    for dirty, first, count in ops:
        chunks = set(range(first, min(first + count, nb_chunks)))
        if dirty:
            bitmap.set_chunks(first, first + count)
            model |= chunks
        else:
            bitmap.reset_chunks(first, first + count)
            model -= chunks
    assert bitmap.count == len(model)
    dirty_after = [c for c in sorted(model) if c >= probe]
    assert bitmap.next_dirty(probe) == (dirty_after[0] if dirty_after else None)
    clean_after = [c for c in range(probe, nb_chunks) if c not in model]
    assert bitmap.next_clean(probe) == (clean_after[0] if clean_after else nb_chunks)
    run = 0
    while probe + run < nb_chunks and probe + run in model and run < 7:
        run += 1
    assert bitmap.dirty_run(probe, 7) == run
