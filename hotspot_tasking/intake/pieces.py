"""Cutting a large text file into pieces an import reads one at a time.

A piece is the file's header line followed by whole records, cut only at a line break
outside double quotes (an even number of quote characters before it, counted from the
start of the file), so a quoted value with line breaks in it stays in one piece. A file of
a UTF-8 byte-order mark gives the mark to every piece, so each is decoded as the whole file
would be. Each piece knows the spreadsheet row number its first line has in the whole file: the
line breaks outside quotes before it, so a blank line counts as a row and a quoted value
over several lines as one.

A file at most :data:`PIECE_BYTES` long is one piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .textfiles import UTF8_BOM

#: Bytes of records in a piece (about 35,000 police.uk street rows): a piece in memory as a
#: parsed frame is several times this.
PIECE_BYTES = 8 * 1024 * 1024
_QUOTE, _NEWLINE = ord('"'), ord("\n")


@dataclass(frozen=True)
class Piece:
    """One piece of a file.

    Attributes
    ----------
    data : bytes
        The header line and whole records (the byte-order mark first, when the file has one).
    first_row : int
        The spreadsheet row number (header is row 1) of the piece's first line in the whole file.
    last : bool
        Whether the piece ends the file.
    """

    data: bytes
    first_row: int
    last: bool

    @property
    def row_offset(self) -> int:
        """What to add to a row number counted within the piece (header row 1) to number it
        within the whole file."""
        return self.first_row - 2


def pieces(data, *, piece_bytes: int = PIECE_BYTES) -> Iterator[Piece]:
    """The pieces of a file's bytes: ``bytes``, or an iterator of blocks of bytes read as they
    are asked for (so no more than about two pieces are held at once).

    Parameters
    ----------
    data : bytes or iterator of bytes
        The whole file, as read (not yet decoded).
    piece_bytes : int
        About how many bytes of records each piece holds (a piece runs on to the next line
        break outside quotes; a quoted value never closed makes the rest of the file one piece).

    Yields
    ------
    Piece
        At least one, even for an empty file.
    """
    if isinstance(data, bytes) and len(data) <= piece_bytes:  # the usual file: one piece, no copy
        yield Piece(data, 2, True)
        return
    blocks = iter([bytes(data)] if isinstance(data, (bytes, bytearray, memoryview)) else data)
    pending = bytearray()
    ended = False

    def fill(size: int) -> None:
        nonlocal ended
        while not ended and len(pending) < size:
            block = next(blocks, None)
            if block is None:
                ended = True
            else:
                pending.extend(block)

    fill(piece_bytes + 1)
    if ended and len(pending) <= piece_bytes:
        yield Piece(bytes(pending), 2, True)
        return
    bom = pending.startswith(UTF8_BOM)
    text_start = len(UTF8_BOM) if bom else 0
    head_end = _header_end(pending, text_start, fill)
    header = (UTF8_BOM if bom else b"") + bytes(pending[text_start:head_end])
    row, start, first = 2, head_end, True
    while True:
        cut, lines = _cut(pending, start, piece_bytes, fill, lambda: ended)
        if first:
            yield Piece(bytes(pending[:cut]), row, ended and cut >= len(pending))
        else:
            yield Piece(header + bytes(pending[start:cut]), row, ended and cut >= len(pending))
        if ended and cut >= len(pending):
            return
        del pending[:cut]
        row, start, first = row + lines, 0, False


def _header_end(pending: bytearray, start: int, fill) -> int:
    """The offset just after the header line's line break (or the end of the file)."""
    while True:
        match = re.search(rb"\r\n|\n|\r", bytes(pending[start:]))
        if match is not None:
            return start + match.end()
        size = len(pending)
        fill(size + PIECE_BYTES)  # a header longer than a piece: read on
        if len(pending) == size:
            return size


def _cut(pending: bytearray, start: int, piece_bytes: int, fill, ended) -> tuple[int, int]:
    """Where the piece starting at ``start`` ends: just after the last line break outside
    quotes within about ``piece_bytes``, further when there is none, else the end of the file;
    and how many line breaks outside quotes (rows, as a spreadsheet counts them) it holds.
    ``fill(n)`` reads on until ``pending`` holds ``n`` bytes or the file ends (``ended()``)."""
    stop = start + piece_bytes
    while True:
        fill(stop + 1)
        window = np.frombuffer(bytes(pending[start:stop]), dtype=np.uint8)
        quotes = np.cumsum(window == _QUOTE, dtype=np.uint8)  # wraps at 256: only its parity is used
        breaks = np.flatnonzero(window == _NEWLINE)
        outside = breaks[(quotes[breaks] & 1) == 0]
        if ended() and stop >= len(pending):
            return len(pending), len(outside)
        if len(outside):
            return start + int(outside[-1]) + 1, len(outside)
        stop += piece_bytes
