# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Checks sealpipe::jose::parse_python_json and python_dumps against Python itself: random
# JSON documents (unicode with astral, control and surrogate characters, floats of every
# kind, integers at the 64-bit edges and beyond, duplicate keys, deep nesting, mutated and
# broken texts) go through the C++ filter (test/support/python_json_filter.cpp); every line
# must match json.dumps(json.loads(line)) byte for byte, or be rejected where Python rejects it.
# Then the same documents go through compact_dumps, compared with pydantic's JSON serializer
# (pydantic_core.to_json, what model_dump_json uses) for everything but floats, which
# compact_dumps does not support; through python_dumps again, parsed into a monotonic
# resource; and, for objects, through sign_sqooler and to_json, compared with the JWSDict that
# Python signs (json.dumps, pydantic and `cryptography`) under the same key.
# Strings include long runs of plain ASCII with escapes and multi-byte characters at every
# offset, for the eight-bytes-at-a-time scans of the parser and the serializer.
# Usage: python_json_corpus.py FILTER [COUNT] [SEED]
import json
import math
import random
import re
import struct
import subprocess
import sys

import base64

import pydantic_core
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

INT64_MIN, UINT64_MAX = -(1 << 63), (1 << 64) - 1


def rand_char(r, allow_surrogates):
    k = r.random()
    if k < 0.45:
        return chr(r.randint(0x20, 0x7E))
    if k < 0.55:
        return r.choice('"\\/\b\f\n\r\t\x7f')
    if k < 0.62:
        return chr(r.randint(0, 0x1F))
    if k < 0.80:
        return chr(r.choice([r.randint(0x80, 0x7FF), r.randint(0x800, 0xD7FF), r.randint(0xE000, 0xFFFF)]))
    if k < 0.95:
        return chr(r.randint(0x10000, 0x10FFFF))
    if allow_surrogates:
        return chr(r.randint(0xD800, 0xDFFF))
    return "\u2028"


def rand_string(r, allow_surrogates):
    if r.random() < 0.2:
        # a long run of plain ASCII with a few other characters at any offset
        s = [chr(r.randint(0x20, 0x7E)) for _ in range(r.randint(0, 70))]
        for _ in range(r.choice([0, 1, 1, 2, 3])):
            s.insert(r.randint(0, len(s)), rand_char(r, allow_surrogates))
        return "".join(s)
    return "".join(rand_char(r, allow_surrogates) for _ in range(r.choice([0, 1, 2, 5, 12, 30])))


def boundary_strings():
    """A special character at each offset of a 17-character ASCII run, as values and keys,
    escaped and raw."""
    out = []
    for special in ['"', "\\", "\n", "\x01", "\x1f", "\x7f", "/", "\u00e9", "\u20ac", "\U0001F600", "\ud800"]:
        for i in range(18):
            s = "x" * i + special + "y" * (17 - i)
            out.append(json.dumps([s, {s: i}]))
            if special != "\ud800":
                out.append(json.dumps([s, {s: i}], ensure_ascii=False))
    return out


def rand_float(r):
    k = r.random()
    if k < 0.3:
        return struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
    if k < 0.4:
        return r.choice([0.0, -0.0, 1.0, -1.0, 0.1, 1e-7, 1e16, 1e15, 1e-4, 1e-5, 1.5e300, 5e-324,
                         2.2250738585072014e-308, 1.7976931348623157e308, 9007199254740993.0,
                         math.inf, -math.inf, math.nan, 123456789012345678.0, 0.30000000000000004])
    if k < 0.6:
        return r.randint(-10**6, 10**6) / r.choice([1, 10, 100, 1000, 7, 3])
    if k < 0.8:
        return r.uniform(-1, 1) * 10.0 ** r.randint(-30, 30)
    return float(r.randint(-2**60, 2**60)) * 10.0 ** r.randint(-320, 290)


def rand_int(r):
    k = r.random()
    if k < 0.5:
        return r.randint(-1000, 1000)
    if k < 0.8:
        return r.choice([INT64_MIN, INT64_MIN + 1, (1 << 63) - 1, 1 << 63, UINT64_MAX, UINT64_MAX - 1, 0])
    if k < 0.93:
        return r.randint(INT64_MIN, UINT64_MAX)
    return r.choice([UINT64_MAX + 1, INT64_MIN - 1, 10**30, -(10**40), r.randint(-10**80, 10**80),
                     int("9" * 4300), -int("1" * 4300)])   # beyond 64 bits (up to Python's 4300 digits)


def rand_value(r, depth, allow_surrogates):
    k = r.random()
    if depth < 6 and k < 0.25:
        return [rand_value(r, depth + 1, allow_surrogates) for _ in range(r.randint(0, 5))]
    if depth < 6 and k < 0.5:
        return {rand_string(r, allow_surrogates): rand_value(r, depth + 1, allow_surrogates)
                for _ in range(r.randint(0, 5))}
    if k < 0.62:
        return rand_string(r, allow_surrogates)
    if k < 0.77:
        return rand_float(r)
    if k < 0.92:
        return rand_int(r)
    return r.choice([True, False, None])


def loads(text):
    """json.loads (integers beyond 64 bits are kept exactly, on both sides); the one key
    sealpipe reserves for them ("\\u0000sealpipe:int") is refused."""
    def pairs(items):
        if any(k == "\0sealpipe:int" for k, _ in items):
            raise ValueError("reserved key")
        return dict(items)
    return json.loads(text, object_pairs_hook=pairs)


def source_text(r, value):
    """One line of JSON source for `value`, in a random style."""
    k = r.random()
    if k < 0.4:
        return json.dumps(value)
    if k < 0.6:
        return json.dumps(value, separators=(",", ":"))
    if k < 0.8:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
            return json.dumps(value, ensure_ascii=False, separators=(" ,\t", " :\r "))
        except UnicodeEncodeError:  # lone surrogates cannot be raw UTF-8
            return json.dumps(value)
    # \u escapes with upper-case hex, escaped '/', exponents spelled 'E+'
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), json.dumps(value))
    return text.replace("/", "\\/").replace("e+", "E+")


def duplicate_key_text(r):
    keys = [rand_string(r, False) for _ in range(3)]
    parts = []
    for _ in range(r.randint(2, 8)):
        parts.append(json.dumps(r.choice(keys)) + ": " + json.dumps(rand_value(r, 4, False)))
    return "{" + ", ".join(parts) + "}"


def mutate(r, text):
    b = bytearray(text.encode("utf-8", "surrogatepass"))
    for _ in range(r.randint(1, 3)):
        k = r.random()
        pos = r.randint(0, len(b))
        if k < 0.3 and len(b) > 0:
            del b[pos:pos + r.randint(1, 3)]
        elif k < 0.6:
            b[pos:pos] = r.choice([b",", b"]", b"}", b"\"", b"\\", b"0", b"-", b".", b"e", b"1", b"\x01",
                                   b"NaN", b"nan", b"+", b" ", b"\\u12", b"\\ud800", b"\xff", b"\xc3",
                                   b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\x80", b"01", b"1.", b"1e"])
        else:
            b = b[:pos]
    return bytes(b).replace(b"\n", b" ")


def has_float(v):
    if isinstance(v, float):
        return True
    if isinstance(v, list):
        return any(has_float(e) for e in v)
    if isinstance(v, dict):
        return any(has_float(e) for e in v.values())
    return False


def compare(tool, args, lines, expected):
    data = b"".join(line + b"\n" for line in lines)
    out = subprocess.run([tool, *args], input=data, capture_output=True, check=True).stdout.split(b"\n")
    assert out[-1] == b"", "output must end with a newline"
    out = out[:-1]
    assert len(out) == len(lines), f"{len(out)} output lines for {len(lines)} inputs"
    bad = 0
    for src, want, got in zip(lines, expected, out):
        if want != (got.split(b" ")[0] if want == b"ERR" else got):
            bad += 1
            if bad <= 10:
                print(f"MISMATCH {args} for input {src!r}\n  python: {want!r}\n  sealpipe: {got!r}")
    ok = sum(1 for e in expected if e.startswith(b"OK"))
    print(f"{' '.join(args) or 'python_dumps'}: {len(lines)} documents: {ok} serialized, "
          f"{len(lines) - ok} rejected; {bad} mismatches")
    return bad


def main():
    tool = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261123
    r = random.Random(seed)
    lines, expected = [], []
    literals = ["NaN", "Infinity", "-Infinity", "-0", "-0.0", "0e0", "1E400", "-1e400", "1e-400", "-1e-400",
                "2.4703282292062328e-324", "2.4703282292062327e-324", "0.000000e999999", "1e99999999999999999999",
                "[1.0, 1e-07, 1e+16, 1e16, 0.1, 100.0, 1e22, 123e-20]", '"\\ud83d\\ude00\\ud800\\udc00x\\udfff"',
                '"\\ud800\\u0041"', '"\\uD834\\uDD1E"', "{}", "[]", " [ ] ", "[1,]", '{"a":1,}', "", " ", "\ufeff[]",
                "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
                "1" * 4300, "-" + "2" * 4300, "3" * 4301, "[" + "-" + "4" * 4301 + "]", '{"\\u0000sealpipe:int": "5"}',
                "nan", "inf", "+1", ".5", "5.", "00", "-", "--1", "1e", "1e+", '"\\x"', '"\t"', '"\x7f"']
    for t in literals + boundary_strings():
        lines.append(t.encode("utf-8"))
    for i in range(count):
        k = r.random()
        if k < 0.1:
            lines.append(duplicate_key_text(r).encode("utf-8"))
        else:
            v = rand_value(r, 0, True)
            text = source_text(r, v)
            b = text.encode("utf-8", "surrogatepass")
            if k < 0.3:
                b = mutate(r, text)
            lines.append(b)
    compact_expected = []
    for b in lines:
        try:
            value = loads(b.decode("utf-8"))
        except (ValueError, RecursionError):
            expected.append(b"ERR")   # malformed, or an integer of more than 4300 digits
            compact_expected.append(b"ERR")
            continue
        expected.append(b"OK " + json.dumps(value).encode("ascii"))
        if has_float(value):
            compact_expected.append(b"ERR")
            continue
        try:
            compact_expected.append(b"OK " + pydantic_core.to_json(value))
        except Exception:  # lone surrogates cannot be UTF-8
            compact_expected.append(b"ERR")
    bad = compare(tool, [], lines, expected) + compare(tool, ["--compact"], lines, compact_expected)
    bad += compare(tool, ["--arena"], lines, expected)
    bad += compare(tool, ["--jws"], lines, [jws_expected(b, e) for b, e in zip(lines, expected)])
    sys.exit(1 if bad else 0)


JWS_SEED = bytes(range(32))
JWS_KID = "corpus-k\u00e9y"


def b64(data):
    return base64.urlsafe_b64encode(data)


def jws_expected(line, expected):
    """What the helper's --jws mode must print: the JWSDict Python signs, as json.dumps writes it."""
    if not expected.startswith(b"OK"):
        return expected
    payload = json.loads(line.decode("utf-8"))
    if not isinstance(payload, dict):
        return b"ERR"
    header = {"alg": "EdDSA", "kid": JWS_KID, "typ": "JWS", "version": "0.1"}
    message = b64(pydantic_core.to_json(header)) + b"." + b64(json.dumps(payload).encode("ascii"))
    signature = Ed25519PrivateKey.from_private_bytes(JWS_SEED).sign(message)
    jws = {"header": header, "payload": payload, "signature": b64(signature).decode("ascii")}
    return b"OK " + json.dumps(jws).encode("ascii")


if __name__ == "__main__":
    main()
