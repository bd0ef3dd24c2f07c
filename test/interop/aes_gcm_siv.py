# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# AES-GCM-SIV (RFC 8452) in plain Python over AES-ECB, for the interop peer: Debian's
# python3-cryptography (the one that sits next to Debian's grpcio) has AES but not
# AES-GCM-SIV. Slow and not constant-time: a test tool, checked against Wycheproof's vectors.
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# POLYVAL's field: x^128 + x^127 + x^126 + x^121 + 1, bit i of a little-endian block is x^i.
_P = (1 << 128) | (1 << 127) | (1 << 126) | (1 << 121) | 1


def _aes(key, block):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def _dot(a, b):
    """a * b * x^-128 in POLYVAL's field (RFC 8452 section 3)."""
    r = 0
    for i in range(128):
        if (b >> i) & 1:
            r ^= a << i
    for i in range(254, 127, -1):
        if (r >> i) & 1:
            r ^= _P << (i - 128)
    for _ in range(128):   # times x^-1: add P when odd (its constant term is 1), then halve
        if r & 1:
            r ^= _P
        r >>= 1
    return r


def _polyval(h, data):
    h = int.from_bytes(h, "little")
    s = 0
    for i in range(0, len(data), 16):
        s = _dot(s ^ int.from_bytes(data[i:i + 16], "little"), h)
    return s.to_bytes(16, "little")


def _pad16(b):
    return b + b"\0" * (-len(b) % 16)


def _keys(key, nonce):
    blocks = [_aes(key, struct.pack("<I", i) + nonce)[:8] for i in range(6 if len(key) == 32 else 4)]
    return b"".join(blocks[:2]), b"".join(blocks[2:])


def _tag(auth, enc, nonce, plaintext, ad):
    s = bytearray(_polyval(auth, _pad16(ad) + _pad16(plaintext) +
                           struct.pack("<QQ", len(ad) * 8, len(plaintext) * 8)))
    for i in range(12):
        s[i] ^= nonce[i]
    s[15] &= 0x7f
    return _aes(enc, bytes(s))


def _ctr(enc, tag, data):
    block = bytearray(tag)
    block[15] |= 0x80
    counter = int.from_bytes(block[:4], "little")
    out = bytearray()
    for i in range(0, len(data), 16):
        ks = _aes(enc, struct.pack("<I", (counter + i // 16) & 0xffffffff) + bytes(block[4:]))
        out += bytes(x ^ y for x, y in zip(data[i:i + 16], ks))
    return bytes(out)


def seal(key, nonce, plaintext, ad=b""):
    """Ciphertext followed by the 16-byte tag."""
    assert len(key) in (16, 32) and len(nonce) == 12
    auth, enc = _keys(key, nonce)
    tag = _tag(auth, enc, nonce, plaintext, ad)
    return _ctr(enc, tag, plaintext) + tag


def open_(key, nonce, sealed, ad=b""):
    """The plaintext, or None when the tag does not verify."""
    if len(sealed) < 16 or len(nonce) != 12 or len(key) not in (16, 32):
        return None
    auth, enc = _keys(key, nonce)
    tag = sealed[-16:]
    plaintext = _ctr(enc, tag, sealed[:-16])
    if not hmac.compare_digest(_tag(auth, enc, nonce, plaintext, ad), tag):
        return None
    return plaintext


def check_wycheproof(path):
    """Runs Wycheproof's AES-GCM-SIV vectors; returns how many were checked."""
    import json
    with open(path) as f:
        doc = json.load(f)
    n = 0
    for group in doc["testGroups"]:
        if group["keySize"] not in (128, 256) or group["ivSize"] != 96:
            continue
        for t in group["tests"]:
            key, iv, aad = (bytes.fromhex(t[k]) for k in ("key", "iv", "aad"))
            msg, ct, tag = (bytes.fromhex(t[k]) for k in ("msg", "ct", "tag"))
            got = open_(key, iv, ct + tag, aad)
            if t["result"] == "invalid":
                assert got is None or got != msg, f"tcId {t['tcId']}: an invalid vector opened"
            else:
                assert got == msg, f"tcId {t['tcId']}: did not open"
                assert seal(key, iv, msg, aad) == ct + tag, f"tcId {t['tcId']}: sealed differently"
            n += 1
    return n
