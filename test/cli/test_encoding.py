# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `encode` / `decode` against doc/cli.md: round trips in every mode, Bonanza's Simple LZW vectors,
# exit codes for tampering, illegal chains and oversize data, and an independent
# re-computation of the encrypting encoder in Python (protobuf additional data written by
# hand, SHA-256, PADME, and AES-GCM-SIV / AES-GCM from `cryptography`).
import base64
import hashlib
import json
import os
import random
import tempfile

from clitest import CliTestCase, main, vectors

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESGCMSIV

TMP = tempfile.mkdtemp(prefix="sealpipe-encoding-")


def chain_file(chain):
    path = os.path.join(TMP, f"chain{random.getrandbits(64):016x}.json")
    with open(path, "w") as f:
        json.dump(chain, f)
    return path


def lzw():
    return {"lzwCompressing": {}}


def zstd(level):
    return {"zstdCompressing": {"level": level}}


def encrypting(key, aead=None):
    body = {"encryptionKey": base64.b64encode(key).decode()}
    if aead:
        body["aead"] = aead
    return {"encrypting": body}


# --- An independent model of the encrypting encoder (doc/protocol.md#encoders) --------------------

def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def length_delimited(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def binary_encoder(cfg):
    """bonanza.model.encoding.BinaryEncoder, deterministic encoding (proto3)."""
    if "lzwCompressing" in cfg:
        return length_delimited(1, b"")
    if "zstdCompressing" in cfg:  # this project's extension field 1000
        level = cfg["zstdCompressing"].get("level", 0)
        return length_delimited(1000, varint(1 << 3) + varint(level) if level else b"")
    body = cfg["encrypting"]
    inner = length_delimited(1, base64.b64decode(body["encryptionKey"]))
    if body.get("aead") == "AES_GCM":
        inner += varint(1000 << 3) + varint(1)
    return length_delimited(2, inner)


def additional_data(mode, before):
    """SHA-256 of EncryptingBinaryEncoderAdditionalDataInput{encoding_mode, additional_encoders}."""
    message = (varint(1 << 3) + varint(mode) if mode else b"")
    message += b"".join(length_delimited(2, binary_encoder(c)) for c in before)
    return hashlib.sha256(message).digest()


def padme(n):
    e = n.bit_length() - 1
    s = e - e.bit_length()
    return ((n >> s) + 1) << s


def pad(data):
    return data + b"\x80" + bytes(padme(len(data)) - len(data) - 1)


class Encoding(CliTestCase):
    def encode(self, chain_path, data, mode="deterministic", params=None):
        out_path = os.path.join(TMP, "params.txt")
        if os.path.exists(out_path):
            os.remove(out_path)
        args = ["encode", "--encoders", chain_path, "--mode", mode]
        if mode == "keyed":
            args += ["--params", params.hex()]
        else:
            args += ["--params-out", out_path]
        r = self.ok(*args, stdin=data)
        if mode == "keyed":
            return r.out, params
        with open(out_path) as f:
            text = f.read()
        self.assertTrue(text.endswith("\n"))
        return r.out, bytes.fromhex(text.strip())

    def decode_args(self, chain_path, params, mode="deterministic", max_size=None):
        args = ["decode", "--encoders", chain_path, "--params", params.hex(), "--mode", mode]
        if max_size is not None:
            args += ["--max-size", str(max_size)]
        return args

    def test_round_trips_in_every_mode(self):
        rng = random.Random(5)
        key32, key16 = rng.randbytes(32), rng.randbytes(16)
        chains = {
            "deterministic": [[lzw(), encrypting(key32)], [encrypting(key16)], [zstd(3), encrypting(key32)], [lzw()], []],
            "keyed": [[lzw(), encrypting(key32)], [encrypting(key16)], [zstd(1), encrypting(key16)]],
            "randomized": [[zstd(1), encrypting(key32, "AES_GCM")], [encrypting(key16, "AES_GCM")],
                           [lzw(), encrypting(key32)]],
        }
        for mode, lists in chains.items():
            for chain in lists:
                path = chain_file(chain)
                for n in (0, 1, 17, 1000, 70000):
                    data = (b"sealed text " * (n // 12 + 1))[:n] if n % 2 else rng.randbytes(n)
                    with self.subTest(mode=mode, chain=chain, size=n):
                        nonce = rng.randbytes(12) if mode == "keyed" else None
                        if mode == "keyed" and not any("encrypting" in c for c in chain):
                            nonce = b""
                        encoded, params = self.encode(path, data, mode, nonce)
                        if n == 0:
                            self.assertEqual(encoded, b"")
                        back = self.ok(*self.decode_args(path, params, mode), stdin=encoded).out
                        self.assertEqual(back, data)

    def test_deterministic_aes_gcm_siv_matches_python(self):
        rng = random.Random(8452)
        for chain_kind in ("alone", "after_lzw", "after_zstd"):
            for key_bytes in (16, 32):
                key = rng.randbytes(key_bytes)
                before = {"alone": [], "after_lzw": [lzw()], "after_zstd": [zstd(3)]}[chain_kind]
                chain = before + [encrypting(key)]
                path = chain_file(chain)
                for n in (1, 11, 100, 5000):
                    data = rng.randbytes(n)  # incompressible: LZW stores 0x80 || data
                    with self.subTest(chain=chain_kind, key_bytes=key_bytes, size=n):
                        encoded, tag = self.encode(path, data)
                        if chain_kind == "after_zstd":
                            # Zstandard output depends on libzstd: check the layer below only.
                            inner = AESGCMSIV(key).decrypt(bytes(12), encoded + tag, additional_data(0, before))
                            self.assertEqual(inner[:4], b"\x28\xb5\x2f\xfd")
                            continue
                        payload = data if chain_kind == "alone" else b"\x80" + data
                        sealed = AESGCMSIV(key).encrypt(bytes(12), pad(payload), additional_data(0, before))
                        self.assertEqual(encoded, sealed[:-16])
                        self.assertEqual(tag, sealed[-16:])
                        # Keyed mode: the caller's nonce, tag attached, encoding_mode = 1.
                        nonce = rng.randbytes(12)
                        keyed, _ = self.encode(path, data, "keyed", nonce)
                        self.assertEqual(keyed, AESGCMSIV(key).encrypt(nonce, pad(payload), additional_data(1, before)))

    def test_chains_of_several_compressors_match_python(self):
        # Bonanza accepts any number of compressors before the encrypting stage; the
        # additional data lists every one of them. Random data does not compress, so each
        # LZW pass stores its input after 0x80.
        rng = random.Random(1400)
        key = rng.randbytes(32)
        data = rng.randbytes(300)
        for before in ([lzw(), lzw()], [lzw(), lzw(), lzw()], [zstd(1), lzw()]):
            chain = before + [encrypting(key)]
            path = chain_file(chain)
            with self.subTest(chain=chain):
                encoded, tag = self.encode(path, data)
                sealed_ad = additional_data(0, before)
                inner = AESGCMSIV(key).decrypt(bytes(12), encoded + tag, sealed_ad)
                payload = inner[:inner.rindex(b"\x80")]
                if before[0] == lzw():
                    self.assertEqual(payload, b"\x80" * len(before) + data)
                    sealed = AESGCMSIV(key).encrypt(bytes(12), pad(payload), sealed_ad)
                    self.assertEqual(encoded + tag, sealed)
                self.assertEqual(self.ok(*self.decode_args(path, tag), stdin=encoded).out, data)
                nonce = rng.randbytes(12)
                keyed, _ = self.encode(path, data, "keyed", nonce)
                self.assertEqual(AESGCMSIV(key).decrypt(nonce, keyed, additional_data(1, before)), inner)
                self.assertEqual(self.ok(*self.decode_args(path, nonce, "keyed"), stdin=keyed).out, data)
        # Without encryption, and with text that compresses, in every mode.
        text = b"the same words over and over " * 200
        for chain in ([lzw(), lzw()], [lzw(), zstd(1), lzw(), zstd(1)]):
            path = chain_file(chain)
            for mode in ("deterministic", "keyed", "randomized"):
                with self.subTest(chain=chain, mode=mode):
                    encoded, params = self.encode(path, text, mode, b"" if mode == "keyed" else None)
                    self.assertEqual(params, b"")
                    self.assertLess(len(encoded), len(text) // 4)
                    self.assertEqual(self.ok(*self.decode_args(path, b"", mode), stdin=encoded).out, text)

    def test_randomized_aes_gcm_matches_python(self):
        rng = random.Random(38)
        key = rng.randbytes(32)
        chain = [lzw(), encrypting(key, "AES_GCM")]
        path = chain_file(chain)
        data = b"randomized mode draws a fresh nonce per object " * 20
        first, params = self.encode(path, data, "randomized")
        self.assertEqual(len(params), 28)
        nonce, tag = params[:12], params[12:]
        padded = AESGCM(key).decrypt(nonce, first + tag, additional_data(2, [lzw()]))
        payload = padded.rstrip(b"\x00")
        self.assertEqual(payload[-1:], b"\x80")
        self.assertEqual(padme(len(payload) - 1), len(padded))
        self.assertLess(len(payload), len(data) // 2)  # LZW compressed the repeated text
        second, params2 = self.encode(path, data, "randomized")
        self.assertNotEqual(params, params2)
        self.assertNotEqual(first, second)
        # What Python seals, the tool opens.
        nonce = rng.randbytes(12)
        payload = b"\x80" + b"xyz"  # LZW's stored form of "xyz"
        sealed = AESGCM(key).encrypt(nonce, pad(payload), additional_data(2, [lzw()]))
        back = self.ok(*self.decode_args(path, nonce + sealed[-16:], "randomized"), stdin=sealed[:-16]).out
        self.assertEqual(back, b"xyz")

    def test_bonanza_simple_lzw_vectors(self):
        path = chain_file([lzw()])
        with open(vectors("bonanza", "simplelzw_compress_test.json")) as f:
            cases = json.load(f)["cases"]
        for c in cases[:40] + cases[-3:]:
            data, compressed = bytes.fromhex(c["input_hex"]), bytes.fromhex(c["output_hex"])
            expected = compressed if len(compressed) <= len(data) else b"\x80" + data
            with self.subTest(name=c["name"]):
                encoded, params = self.encode(path, data)
                self.assertEqual(encoded, expected)
                self.assertEqual(params, b"")
        with open(vectors("bonanza", "simplelzw_decompress_test.json")) as f:
            for c in json.load(f)["cases"]:
                args = self.decode_args(path, b"", max_size=c["maximum_size_bytes"])
                with self.subTest(name=c["name"]):
                    if c["result"] == "ok":
                        self.assertEqual(self.ok(*args, stdin=bytes.fromhex(c["input_hex"])).out,
                                         bytes.fromhex(c["output_hex"]))
                    else:
                        self.fails(2, *args, stdin=bytes.fromhex(c["input_hex"]))

    def test_lzw_decides_by_the_declared_size(self):
        # Six literal codes take 8 bytes: valid at --max-size 6, as in Bonanza.
        path = chain_file([lzw()])
        literals = bytes.fromhex("8641428610296204")
        self.assertEqual(self.ok(*self.decode_args(path, b"", max_size=6), stdin=literals).out, b"ABCDEF")
        self.fails(2, *self.decode_args(path, b"", max_size=5), stdin=literals)

    def test_tampering_is_exit_1(self):
        key = bytes(range(32))
        for mode, chain in (("deterministic", [lzw(), encrypting(key)]), ("keyed", [encrypting(key)]),
                            ("randomized", [encrypting(key, "AES_GCM")])):
            path = chain_file(chain)
            nonce = bytes(12) if mode == "keyed" else None
            encoded, params = self.encode(path, b"tamper with me, if you can", mode, nonce)
            with self.subTest(mode=mode):
                bad = bytearray(encoded)
                bad[3] ^= 1
                self.fails(1, *self.decode_args(path, params, mode), stdin=bytes(bad))
                bad_params = bytearray(params)
                bad_params[-1] ^= 0x80
                self.fails(1, *self.decode_args(path, bytes(bad_params), mode), stdin=encoded)
                other = chain_file([zstd(1)] + chain[-1:]) if mode != "deterministic" else chain_file(chain[-1:])
                self.fails(1, *self.decode_args(other, params, mode), stdin=encoded)

    def test_malformed_oversize_and_illegal_chains_are_exit_2(self):
        key = bytes(32)
        path = chain_file([lzw(), encrypting(key)])
        data = b"a" * 5000
        encoded, tag = self.encode(path, data)
        self.fails(2, *self.decode_args(path, tag, max_size=4999), stdin=encoded)
        self.assertEqual(self.ok(*self.decode_args(path, tag, max_size=5000), stdin=encoded).out, data)
        self.fails(2, *self.decode_args(path, tag[:15]), stdin=encoded)
        self.fails(2, *self.decode_args(chain_file([lzw()]), b""), stdin=b"\x85garbage")
        big = os.urandom(3 << 20)
        encoded, _ = self.encode(chain_file([zstd(1)]), big)
        self.fails(2, *self.decode_args(chain_file([zstd(1)]), b""), stdin=encoded)  # default 2 MiB
        gcm = [zstd(1), encrypting(key, "AES_GCM")]
        r = self.fails(2, "encode", "--encoders", chain_file(gcm), stdin=b"x")
        self.assertIn("deterministic pipeline may only encrypt with a nonce-misuse-resistant AEAD", r.err.decode())
        self.fails(2, "encode", "--encoders", chain_file(gcm), "--mode", "keyed", "--params", "00" * 12, stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([encrypting(key), lzw()]), stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([encrypting(key), encrypting(key)]), stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([{"gzip": {}}]), stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([encrypting(bytes(24))]), stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([encrypting(key)]), "--mode", "keyed", "--params", "00",
                   stdin=b"x")
        self.fails(2, "encode", "--encoders", chain_file([encrypting(key)]), "--mode", "sideways", stdin=b"x")
        self.fails(2, "encode", "--encoders", os.path.join(TMP, "missing.json"), stdin=b"x")


if __name__ == "__main__":
    main()
