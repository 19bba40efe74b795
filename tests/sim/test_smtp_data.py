"""The SMTP server's block reader of DATA: the end marker wherever it falls, dot-unstuffing,
limits, and nothing read past the marker."""
from __future__ import annotations

import asyncio
import os

import pytest

from panel_tui.sim.smtp import read_message_data

CASES = {
    "empty": (b".\r\n", b""),
    "one empty line": (b"\r\n.\r\n", b"\r\n"),
    "one char": (b"x\r\n.\r\n", b"x\r\n"),
    "two chars": (b"xy\r\n.\r\n", b"xy\r\n"),
    "short lines": (b"a\r\n\r\nb\r\n.\r\n", b"a\r\n\r\nb\r\n"),
    "stuffed first line": (b"..\r\n.\r\n", b".\r\n"),
    "stuffed lines": (b"Subject: x\r\n\r\n..\r\n..hidden\r\n...\r\nend\r\n.\r\n",
                      b"Subject: x\r\n\r\n.\r\n.hidden\r\n..\r\nend\r\n"),
    "dot mid-line": (b"a.b\r\n.\r\n", b"a.b\r\n"),
    "bare CR before the end": (b"a\r\r\n.\r\n", b"a\r\r\n"),
    "empty line then stuffed": (b"\r\n..x\r\n.\r\n", b"\r\n.x\r\n"),
}


async def _read(wire: bytes, piece: int, limit: int = 64 * 1024, size_limit: int | None = None,
                line_limit: int = 64 * 1024) -> tuple[bytes, str, bytes]:
    reader = asyncio.StreamReader(limit=limit)
    after = b"QUIT\r\n"
    for start in range(0, len(wire + after), piece):
        reader.feed_data((wire + after)[start:start + piece])
    reader.feed_eof()
    content, problem = await read_message_data(reader, size_limit, line_limit)
    return content, problem, await reader.read()


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 4096])
@pytest.mark.parametrize("name", list(CASES))
async def test_end_marker_and_unstuffing_wherever_the_bytes_split(name, piece):
    wire, expected = CASES[name]
    content, problem, rest = await _read(wire, piece)
    assert (content, problem, rest) == (expected, "", b"QUIT\r\n")


async def test_a_message_larger_than_the_reader_buffer():
    body = b"".join(os.urandom(38).hex().encode() + b"\r\n" for _ in range(5000))  # 385 KB
    wire = b"Subject: big\r\n\r\n" + body.replace(b"\r\n", b"\r\n..") + b"\r\n.\r\n"
    content, problem, rest = await _read(wire, 65536, limit=1024)
    assert problem == "" and rest == b"QUIT\r\n"
    assert content == b"Subject: big\r\n\r\n" + body.replace(b"\r\n", b"\r\n.") + b"\r\n"


async def test_too_much_data_is_drained_and_refused():
    wire = b"x" * 100 + b"\r\n" + b"y" * 100 + b"\r\n.\r\n"
    content, problem, rest = await _read(wire, 16, size_limit=150)
    assert (content, problem, rest) == (b"", "552 Error: Too much mail data", b"QUIT\r\n")


async def test_a_line_too_long_is_refused():
    content, problem, rest = await _read(b"x" * 2000 + b"\r\n.\r\n", 512, line_limit=1000)
    assert problem.startswith("500 Line too long") and rest == b"QUIT\r\n"
