"""Streaming decode and re-encode of compressed bodies (gzip, deflate, br). Pure.

An inner compressor (an app's own gzip, a framework middleware placed inside ours)
sends compressed bytes; the rewriter needs text. :class:`Recoded` wraps a body filter
with a streaming decoder before it and an encoder after it, so the body never exists
whole in memory: the decoder's output is produced in bounded pieces (a small compressed
chunk may expand a lot), each rewritten and compressed again at once.
"""

from __future__ import annotations

import importlib
import logging
import zlib
from collections.abc import Iterator
from types import ModuleType
from typing import Protocol

logger = logging.getLogger("consentkit")

PIECE = 256 * 1024  # decoded bytes handled at a time
DAMAGED = "consentkit: compressed HTML body is damaged: %s"
_brotli: ModuleType | bool | None = False


def brotli_module() -> ModuleType | None:
    """The ``brotli`` package if it is installed (looked up once)."""
    global _brotli
    if _brotli is False:
        try:
            _brotli = importlib.import_module("brotli")
        except ImportError:
            _brotli = None
    return _brotli if isinstance(_brotli, ModuleType) else None


class BodyFilter(Protocol):
    def feed(self, chunk: bytes) -> bytes: ...

    def close(self) -> bytes: ...


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _Encoder(Protocol):
    def encode(self, data: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class _ZlibDecoder:
    """gzip (``wbits=31``), zlib-wrapped deflate (15) or raw deflate (-15); also reads
    several gzip members one after the other."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.inner: zlib._Decompress | None = None
        self.pending = b""

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.encoding == "gzip":
            return zlib.decompressobj(31)
        zlib_header = len(first) >= 2 and (first[0] & 0x0F) == 8 and (
            (first[0] << 8) | first[1]) % 31 == 0
        return zlib.decompressobj(15 if zlib_header else -15)

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of at most :data:`PIECE` bytes, produced one at a time."""
        data = self.pending + data
        self.pending = b""
        while data:
            if self.inner is None:
                if self.encoding != "gzip" and len(data) < 2:
                    self.pending = data
                    return
                self.inner = self._new(data)
            piece = self.inner.decompress(data, PIECE)
            if piece:
                yield piece
            data = self.inner.unconsumed_tail
            if self.inner.eof:
                rest = self.inner.unused_data
                self.inner = None
                if self.encoding != "gzip":
                    return  # trailing bytes after a deflate stream are ignored
                data = rest + data

    def flush(self) -> Iterator[bytes]:
        tail = self.inner.flush() if self.inner is not None else b""
        if tail:
            yield tail


class _ZlibEncoder:
    def __init__(self, encoding: str) -> None:
        wbits = 31 if encoding == "gzip" else 15
        self.inner = zlib.compressobj(6, zlib.DEFLATED, wbits)

    def encode(self, data: bytes) -> bytes:
        if not data:
            return b""
        return self.inner.compress(data) + self.inner.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self.inner.flush(zlib.Z_FINISH)


class _BrotliDecoder:
    def __init__(self, module: ModuleType) -> None:
        self.inner = module.Decompressor()
        self.bounded = hasattr(self.inner, "can_accept_more_data")  # brotli >= 1.2 limits output

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self.bounded:
            out = self.inner.process(data)
            for start in range(0, len(out), PIECE):
                yield out[start:start + PIECE]
            return
        # The limit stops the output buffer growing once it is reached (it may overshoot
        # by one block): memory stays within about two pieces.
        out = self.inner.process(data, output_buffer_limit=PIECE)
        while True:
            for start in range(0, len(out), PIECE):
                yield out[start:start + PIECE]
            if self.inner.is_finished():
                return
            out = self.inner.process(b"", output_buffer_limit=PIECE)
            if not out:  # everything decodable so far has come out: wait for more input
                return

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _BrotliEncoder:
    def __init__(self, module: ModuleType) -> None:
        self.inner = module.Compressor(quality=5)

    def encode(self, data: bytes) -> bytes:
        if not data:
            return b""
        return bytes(self.inner.process(data)) + bytes(self.inner.flush())

    def finish(self) -> bytes:
        return bytes(self.inner.finish())


def supported(encoding: str) -> bool:
    """Can a body with this (single) ``Content-Encoding`` be rewritten?"""
    if encoding in ("gzip", "x-gzip", "deflate"):
        return True
    return encoding == "br" and brotli_module() is not None


class Recoded:
    """``inner`` (a body filter on decoded bytes) between a decoder and an encoder.

    Never raises on a corrupt body: before any output it falls back to passing the
    original bytes through; after, it ends the re-encoded stream where the damage is."""

    def __init__(self, encoding: str, inner: BodyFilter) -> None:
        self.inner = inner
        encoding = "gzip" if encoding == "x-gzip" else encoding
        self.decoder: _Decoder
        self.encoder: _Encoder
        module = brotli_module()
        if encoding == "br" and module is not None:
            self.decoder, self.encoder = _BrotliDecoder(module), _BrotliEncoder(module)
        else:
            self.decoder, self.encoder = _ZlibDecoder(encoding), _ZlibEncoder(encoding)
        self.raw: list[bytes] | None = []  # the input until the first output, for a fallback
        self.raw_size = 0
        self.passthrough = False
        self.broken = False

    def feed(self, chunk: bytes) -> bytes:
        if self.passthrough:
            return chunk
        if self.broken:
            return b""
        if self.raw is not None:
            self.raw.append(chunk)
            self.raw_size += len(chunk)
        return self._run(self.decoder.decode(chunk), last=False)

    def close(self) -> bytes:
        if self.passthrough or self.broken:
            return b""
        return self._run(self.decoder.flush(), last=True) + self.encoder.finish()

    def _run(self, pieces: Iterator[bytes], last: bool) -> bytes:
        """Rewrite and encode each decoded piece as it comes (a small compressed chunk
        can expand a lot: it is never decoded whole)."""
        out: list[bytes] = []
        try:
            for piece in pieces:
                out.append(self.encoder.encode(self.inner.feed(piece)))
        except Exception as exc:  # zlib.error, brotli.error
            if any(out):
                self.raw = None
            if last:
                logger.warning(DAMAGED, exc)
            else:
                out.append(self._damaged(exc))
                return b"".join(out)
        if last:
            out.append(self.encoder.encode(self.inner.close()))
        data = b"".join(out)
        if data or (self.raw is not None and self.raw_size > PIECE):
            self.raw = None
        return data

    def _damaged(self, exc: Exception) -> bytes:
        logger.warning(DAMAGED, exc)
        if self.raw is not None:
            self.passthrough = True
            original = b"".join(self.raw)
            self.raw = None
            return original
        self.broken = True
        return self.encoder.finish()
