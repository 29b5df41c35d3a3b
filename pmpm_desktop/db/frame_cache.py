"""Each import's rows kept beside it as one compressed Arrow blob.

Imports never change once stored (a newer file replaces a roster month, it does not edit rows),
so the blob written in the import's own transaction stays true. Reconciling 100k members × 24
months reads 24 blobs in well under a second instead of 2.4M rows through Python objects; the
rows tables remain the record that queries and the UI use, and the blob is only a faster copy.
"""

from __future__ import annotations

import io

import polars as pl


def encode_frame(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="zstd")
    return buffer.getvalue()


def decode_frame(data: bytes) -> pl.DataFrame:
    return pl.read_ipc(io.BytesIO(data))
