"""Compressed bodies are decoded and encoded again in bounded pieces, and a damaged one
never raises."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from consentkit.html.codecs import PIECE, Recoded


class Upper:
    """A body filter that records the size of each piece it is given."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def feed(self, chunk: bytes) -> bytes:
        self.sizes.append(len(chunk))
        return chunk.upper()

    def close(self) -> bytes:
        return b"<!--END-->"


def run(encoding: str, body: bytes, chunk: int) -> tuple[bytes, Upper]:
    inner = Upper()
    recoded = Recoded(encoding, inner)
    out = [recoded.feed(body[i:i + chunk]) for i in range(0, len(body), chunk)]
    out.append(recoded.close())
    return b"".join(out), inner


HTML = b"<p>hello consent</p>\n" * 5000

DECODE = {"gzip": gzip.decompress, "deflate": zlib.decompress, "br": brotli.decompress}
ENCODE = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}


@pytest.mark.parametrize("encoding", sorted(ENCODE))
@pytest.mark.parametrize("chunk", [1, 7, 4096, 10**6])
def test_round_trip_in_any_chunking(encoding: str, chunk: int) -> None:
    out, _ = run(encoding, ENCODE[encoding](HTML), chunk)
    assert DECODE[encoding](out) == HTML.upper() + b"<!--END-->"


def test_raw_deflate_and_several_gzip_members_are_read() -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw.compress(HTML) + raw.flush()
    out, _ = run("deflate", body, 1000)
    assert zlib.decompress(out) == HTML.upper() + b"<!--END-->"
    members = gzip.compress(b"<p>one</p>") + gzip.compress(b"<p>two</p>")
    out, _ = run("gzip", members, 5)
    assert gzip.decompress(out) == b"<P>ONE</P><P>TWO</P><!--END-->"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_small_chunk_that_expands_a_lot_is_decoded_in_bounded_pieces(encoding: str) -> None:
    body = ENCODE[encoding](b" " * (20 * PIECE))
    assert len(body) < 65536
    out, inner = run(encoding, body, len(body))
    assert max(inner.sizes) <= PIECE
    assert sum(inner.sizes) == 20 * PIECE
    assert len(DECODE[encoding](out)) == 20 * PIECE + len(b"<!--END-->")


def test_damage_before_any_output_passes_the_original_through() -> None:
    body = b"\x1f\x8b\x08\x00garbage that is not deflate at all"
    out, _ = run("gzip", body, 8)
    assert out == body


def test_damage_after_output_ends_the_stream_cleanly() -> None:
    page = b"".join(b"<p>%d</p>" % number for number in range(50_000))
    good = gzip.compress(page)
    body = good[:len(good) // 2] + b"\xff" * 64 + good[len(good) // 2:]
    out, _ = run("gzip", body, 512)
    decoded = gzip.decompress(out)  # a complete, valid gzip stream
    assert 1000 < len(decoded) < len(page)
    assert page.upper().startswith(decoded[:1000])
