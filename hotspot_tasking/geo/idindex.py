"""The index of stored incident ids: what an import checks "already imported" against
without loading the incidents.

Each id is kept as a 128-bit key: two 64-bit SipHash-2-4 values of its UTF-8 text under two
fixed keys (:func:`pandas.util.hash_array`), 16 bytes however long the id (a police.uk
Crime ID is 64 characters). Two different ids share a key with probability about
``n * m / 2**128`` for ``n`` stored and ``m`` new ids, about 3e-25 for ten million of each;
finding a new id that matches a given stored one means searching ``2**128`` keys (SipHash
is a keyed pseudo-random function), so a hostile file cannot make another row look stored.

A workspace writes one index file per import, ``index/ID-ids.parquet`` (columns ``h1``,
``h2``, unsigned 64-bit), listed in the import log; :meth:`IdSet.contains` answers for a
batch of ids with a binary search in sorted arrays: about 16 bytes of memory per stored id.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: The two SipHash keys (16 characters each); changing them invalidates every stored index.
HASH_KEYS = ("hotspot-tasking1", "hotspot-tasking2")
_EMPTY = np.array([], dtype=np.uint64)


def id_keys(ids) -> tuple[np.ndarray, np.ndarray]:
    """The two 64-bit halves of each id's key (see the module docstring).

    Parameters
    ----------
    ids : array-like of str
        Incident ids (a pandas Series, numpy array or list).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``h1`` and ``h2``, unsigned 64-bit, one per id.
    """
    values = pd.Series(ids, dtype="str").to_numpy(dtype=object)
    if len(values) == 0:
        return _EMPTY, _EMPTY
    return (pd.util.hash_array(values, hash_key=HASH_KEYS[0], categorize=False),
            pd.util.hash_array(values, hash_key=HASH_KEYS[1], categorize=False))


class IdSet:
    """A set of id keys that grows by batches and answers membership for a batch.

    Kept as a few sorted runs whose sizes at least double from the newest to the oldest,
    so adding ``n`` keys in batches costs ``O(n log n)`` in all and a lookup searches at most
    ``log2(n)`` runs.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(h1) for h1, _ in self._runs)

    @classmethod
    def of(cls, ids) -> IdSet:
        """The set of ``ids`` (array-like of str)."""
        out = cls()
        out.add(*id_keys(ids))
        return out

    def add(self, h1: np.ndarray, h2: np.ndarray) -> None:
        """Add keys (from :func:`id_keys`); repeats are harmless."""
        if len(h1) == 0:
            return
        order = np.argsort(h1, kind="stable")
        self._runs.append((np.asarray(h1)[order], np.asarray(h2)[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (a1, a2), (b1, b2) = self._runs[-2], self._runs[-1]
            h1s, h2s = np.concatenate([a1, b1]), np.concatenate([a2, b2])
            order = np.argsort(h1s, kind="stable")  # two sorted runs: about linear
            self._runs[-2:] = [(h1s[order], h2s[order])]

    def contains(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """A bool per key: whether it is in the set.

        The keys are looked up in ``h1`` order, so each run's binary searches narrow from the
        last one's answer (numpy's search of sorted keys) instead of starting over.
        """
        h1, h2 = np.asarray(h1), np.asarray(h2)
        found = np.zeros(len(h1), dtype=bool)
        if not len(h1) or not self._runs:
            return found
        order = np.argsort(h1, kind="stable")
        q1, q2 = h1[order], h2[order]
        hit = np.zeros(len(q1), dtype=bool)
        for s1, s2 in self._runs:
            left = np.searchsorted(s1, q1, side="left")
            inside = np.flatnonzero((left < len(s1)) & ~hit)
            same = inside[s1[left[inside]] == q1[inside]]
            match = s2[left[same]] == q2[same]
            hit[same[match]] = True
            for i in same[~match]:  # two stored ids sharing h1: about never
                j = left[i] + 1
                while j < len(s1) and s1[j] == q1[i] and not hit[i]:
                    hit[i] = s2[j] == q2[i]
                    j += 1
        found[order] = hit
        return found


def write_id_index(path: Path, h1: np.ndarray, h2: np.ndarray) -> None:
    """Write keys as an index file (Parquet, columns ``h1`` and ``h2``)."""
    pq.write_table(pa.table({"h1": pa.array(h1, pa.uint64()), "h2": pa.array(h2, pa.uint64())}), path,
                   compression="zstd")


def read_id_index(path: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The keys of an index file written by :func:`write_id_index`; None when it is missing
    or cannot be read (the ids are then read from the import's data files)."""
    try:
        table = pq.read_table(path, columns=["h1", "h2"])
    except (OSError, pa.ArrowException):
        return None
    return (table.column("h1").to_numpy().astype(np.uint64, copy=False),
            table.column("h2").to_numpy().astype(np.uint64, copy=False))
