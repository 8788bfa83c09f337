"""sync_client/web/msgpack.js against msgspec in a real Chromium: what the
server encodes decodes exact in the page (integers past 2^53 as BigInt) and
comes back byte for byte; bad bytes are refused with a message."""

from __future__ import annotations

import msgspec
from playwright.sync_api import Browser

from ..servers import ThreadServer

VALUES = [
    0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**64 - 1,
    -1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**53) + 1, -(2**53) - 1, -(2**63),
    1.5, -0.25, 1e300, "", "é✓ text", "x" * 40, "y" * 300, "z" * 70000, b"", b"\x00\xff" * 200, None, True, False,
    [], [1, [2, [3]]], {"a": {"b": [1, 2**60]}}, {"type": "changes", "rows": [{"row_id": "r", "fields": {"n": 2**62}}]},
]

ROUNDTRIP = """async (frames) => {
    const { decode, encode } = await import('/client/msgpack.js');
    const out = [];
    for (const frame of frames) {
        const value = decode(new Uint8Array(frame));
        const again = Array.from(encode(value));
        out.push([again, typeof value === 'bigint' ? 'bigint' : typeof value]);
    }
    return out;
}"""


def test_values_from_msgspec_decode_exact_and_encode_back(browser: Browser, served: ThreadServer) -> None:
    page = browser.new_page()
    page.goto(f"{served.base}/client/")
    frames = [list(msgspec.msgpack.encode(v)) for v in VALUES]
    results = page.evaluate(ROUNDTRIP, frames)
    for value, (again, kind) in zip(VALUES, results, strict=True):
        assert msgspec.msgpack.decode(bytes(again)) == value, value
        if isinstance(value, int) and not isinstance(value, bool):
            assert kind == ("number" if abs(value) <= 2**53 - 1 else "bigint"), value
    big = page.evaluate("async () => { const { decode, encode } = await import('/client/msgpack.js'); "
                        "return Array.from(encode(2 ** 60)); }")
    assert msgspec.msgpack.decode(bytes(big)) == float(2**60)  # a double stays a double
    page.close()


def test_bad_bytes_are_refused_with_a_message(browser: Browser, served: ThreadServer) -> None:
    page = browser.new_page()
    page.goto(f"{served.base}/client/")
    errors = page.evaluate("""async () => {
        const { decode, encode } = await import('/client/msgpack.js');
        const out = [];
        for (const bad of [[0x92, 0x01], [0xc1], [0x01, 0x02], [0xd9, 0x05, 0x61]]) {
            try { decode(new Uint8Array(bad)); out.push(null); } catch (e) { out.push(e.message); }
        }
        for (const bad of [2n ** 64n, () => 1]) {
            try { encode(bad); out.push(null); } catch (e) { out.push(e.message); }
        }
        return out;
    }""")
    assert all(errors), errors
    assert "truncated" in errors[0] and "0xc1" in errors[1] and "after the value" in errors[2]
    assert "64 bits" in errors[4] and "function" in errors[5]
    page.close()
