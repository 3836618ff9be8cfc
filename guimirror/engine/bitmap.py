# SPDX-License-Identifier: GPL-2.0-or-later
"""The dirty bitmap: one bit per ``granularity`` chunk of a node (QEMU's HBitmap, flat).

Bits are packed into 64-bit words in a numpy array, so a 1 TiB disk at 64 KiB granularity
takes 2 MiB. Searching for the next dirty or clean chunk scans whole words with numpy, in
growing blocks, so finding the next run stays fast on huge, mostly clean maps. Every method
runs in the caller's task on the event loop; nothing here blocks or does I/O.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_WORD_BITS = 64
_ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_FIRST_SEARCH_WORDS = 64


def _low_mask(bits: int) -> int:
    """A word with the ``bits`` lowest bits set."""
    return (1 << bits) - 1


class DirtyBitmap:
    """One bit per ``granularity`` bytes of a ``length``-byte node; a set bit is a dirty chunk.

    Byte ranges are rounded outward to whole chunks, as QEMU's ``hbitmap_set`` does, so a
    1-byte write dirties its whole chunk. ``count`` is in chunks, ``dirty_bytes`` in bytes
    (chunks times granularity, as ``query-named-block-nodes`` reports it).
    """

    def __init__(self, length: int, granularity: int) -> None:
        # blockdev-mirror's arguments were checked (guimirror.qapi.mirror.check_granularity).
        assert granularity > 0 and not granularity & (granularity - 1), granularity
        if length < 0:
            raise ValueError(f"length must not be negative, not {length}")
        self.length = length
        self.granularity = granularity
        self.nb_chunks = -(-length // granularity)
        self._words: npt.NDArray[np.uint64] = np.zeros(
            -(-self.nb_chunks // _WORD_BITS), dtype=np.uint64
        )
        self._count = 0

    @property
    def count(self) -> int:
        """Dirty chunks."""
        return self._count

    @property
    def dirty_bytes(self) -> int:
        """Dirty bytes as QEMU counts them: dirty chunks times the granularity."""
        return self._count * self.granularity

    @property
    def nbytes(self) -> int:
        """Memory the bits take."""
        return int(self._words.nbytes)

    def chunks_of(self, offset: int, length: int) -> tuple[int, int]:
        """The chunk range ``[first, end)`` that the byte range touches (rounded outward)."""
        if length <= 0:
            return offset // self.granularity, offset // self.granularity
        first = offset // self.granularity
        end = min(-(-(offset + length) // self.granularity), self.nb_chunks)
        return first, max(first, end)

    def set_dirty(self, offset: int, length: int) -> None:
        """Mark every chunk the byte range touches dirty."""
        self.set_chunks(*self.chunks_of(offset, length))

    def reset_dirty(self, offset: int, length: int) -> None:
        """Mark every chunk the byte range touches clean."""
        self.reset_chunks(*self.chunks_of(offset, length))

    def set_all(self) -> None:
        self.set_chunks(0, self.nb_chunks)

    def set_chunks(self, first: int, end: int) -> None:
        """Set the bits of chunks ``[first, end)``."""
        self._update(first, end, dirty=True)

    def reset_chunks(self, first: int, end: int) -> None:
        """Clear the bits of chunks ``[first, end)``."""
        self._update(first, end, dirty=False)

    def is_dirty(self, chunk: int) -> bool:
        word, bit = divmod(chunk, _WORD_BITS)
        return bool((int(self._words[word]) >> bit) & 1)

    def any_dirty(self, first: int, end: int) -> bool:
        """Whether any chunk of ``[first, end)`` is dirty."""
        found = self.next_dirty(first)
        return found is not None and found < end

    def next_dirty(self, start: int) -> int | None:
        """The first dirty chunk at or after ``start``, or None."""
        return self._next(start, want_dirty=True)

    def next_clean(self, start: int) -> int:
        """The first clean chunk at or after ``start``; ``nb_chunks`` if there is none."""
        found = self._next(start, want_dirty=False)
        return self.nb_chunks if found is None else found

    def dirty_run(self, start: int, max_chunks: int) -> int:
        """How many dirty chunks follow ``start`` without a gap, at most ``max_chunks``."""
        if start >= self.nb_chunks or not self.is_dirty(start):
            return 0
        limit = min(self.nb_chunks, start + max_chunks)
        return min(self.next_clean(start), limit) - start

    def _update(self, first: int, end: int, dirty: bool) -> None:
        end = min(end, self.nb_chunks)
        if first >= end:
            return
        first_word, first_bit = divmod(first, _WORD_BITS)
        last_word, end_bit = divmod(end, _WORD_BITS)
        if first_word == last_word:
            self._apply(first_word, _low_mask(end_bit - first_bit) << first_bit, dirty)
            return
        self._apply(first_word, _low_mask(_WORD_BITS) ^ _low_mask(first_bit), dirty)
        middle = self._words[first_word + 1 : last_word]
        if len(middle):
            set_before = int(np.bitwise_count(middle).sum())
            middle[:] = _ALL_ONES if dirty else np.uint64(0)
            self._count += len(middle) * _WORD_BITS - set_before if dirty else -set_before
        if end_bit:
            self._apply(last_word, _low_mask(end_bit), dirty)

    def _apply(self, word: int, mask: int, dirty: bool) -> None:
        """Set or clear the ``mask`` bits of one word, keeping ``count`` (in Python ints: a
        copy's few chunks cost less than a numpy call)."""
        value = int(self._words[word])
        new = value | mask if dirty else value & ~mask
        self._words[word] = new
        self._count += new.bit_count() - value.bit_count()

    def _next(self, start: int, want_dirty: bool) -> int | None:
        if start >= self.nb_chunks:
            return None
        start = max(start, 0)
        word, bit = divmod(start, _WORD_BITS)
        value = int(self._words[word])
        if not want_dirty:
            value = ~value & _low_mask(_WORD_BITS)
        value &= ~_low_mask(bit)
        if value:
            found = word * _WORD_BITS + ((value & -value).bit_length() - 1)
            return found if found < self.nb_chunks else None
        word += 1
        step = _FIRST_SEARCH_WORDS
        while word < len(self._words):
            block = self._words[word : word + step]
            hits = np.flatnonzero(block if want_dirty else block != _ALL_ONES)
            if len(hits):
                return self._next(int(word + hits[0]) * _WORD_BITS, want_dirty)
            word += step
            step *= 4
        return None
