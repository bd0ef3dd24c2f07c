# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `sealpipe object ref|inspect|verify` against doc/cli.md, cross-checked with an independent
# Python implementation of SHA256_V1 references (hashlib, doc/protocol.md#objects-and-references).
import hashlib
import json
import os
import random

from clitest import CliTestCase, main, vectors

MAX_OBJECT = 2 * 1024 * 1024


# --- An independent model of doc/protocol.md#objects-and-references ---------------------------
def f16_round_up(v):
    if v <= 2047:
        return v
    assert v <= 0xfff << 30
    e = v.bit_length() - 12
    v = (v + (1 << e) - 1) >> e << e
    e = v.bit_length() - 12
    return ((e + 1) << 11) | ((v >> e) & 0x7ff)


def f16_value(x):
    e = x >> 11
    return x if e == 0 else ((x & 0x7ff) | 0x800) << (e - 1)


def fields(ref):
    return {
        "hash": ref[:32],
        "size": int.from_bytes(ref[32:35], "little"),
        "height": ref[35],
        "degree": int.from_bytes(ref[36:38], "little"),
        "m": f16_value(int.from_bytes(ref[38:40], "little")),
    }


def bounds():
    table = [(0, 0), (0, 0)]
    lo = hi = 0
    for _ in range(2, 256):
        lo = f16_round_up(f16_value(lo) + 40)
        hi = f16_round_up(f16_value(hi) + MAX_OBJECT)
        table.append((lo, hi))
    return table


BOUNDS = bounds()


def valid(ref):
    if len(ref) != 40:
        return False
    f = fields(ref)
    if not 1 <= f["size"] <= MAX_OBJECT or f["degree"] > f["size"] // 40:
        return False
    if (f["degree"] > 0) != (f["height"] > 0):
        return False
    lo, hi = BOUNDS[f["height"]]
    raw_m = int.from_bytes(ref[38:40], "little")
    return lo <= raw_m <= hi


def model_ref(children, payload):
    data = b"".join(children) + payload
    height, m = 0, 0
    for c in children:
        f = fields(c)
        height = max(height, f["height"] + 1)
        m = max(m, f["m"] + (f["size"] if f["height"] > 0 else 0))
    return (hashlib.sha256(data).digest() + len(data).to_bytes(3, "little") + bytes([height]) +
            len(children).to_bytes(2, "little") + f16_round_up(m).to_bytes(2, "little"))


def human(ref):
    f = fields(ref)
    return f"SHA256={f['hash'].hex()}:S={f['size']}:H={f['height']}:D={f['degree']}:M={f['m']}"


class ObjectRef(CliTestCase):
    def ref(self, payload, *children):
        args = ["object", "ref"]
        for c in children:
            args += ["--child", c.hex()]
        out = self.ok(*args, stdin=payload).text
        self.assertRegex(out, r"^[0-9a-f]{80}\n$")
        return bytes.fromhex(out.strip())

    def test_leaf_matches_model(self):
        for payload in (b"a", b"Hello", os.urandom(1000), bytes(MAX_OBJECT)):
            self.assertEqual(self.ref(payload), model_ref([], payload))
        # Bonanza's SmallestPossibleObject is the reference of "a".
        self.assertEqual(self.ref(b"a").hex(),
                         "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb0100000000000000")

    def test_random_dag_matches_model(self):
        rng = random.Random(4)
        refs = []
        for i in range(60):
            k = rng.randrange(0, 5) if refs else 0
            children = sorted(set(rng.sample(refs, min(k, len(refs)))))
            payload = rng.randbytes(rng.randrange(0 if children else 1, 100))
            r = self.ref(payload, *children)
            self.assertEqual(r, model_ref(children, payload), f"object {i}")
            self.assertTrue(valid(r))
            refs.append(r)
        self.assertGreaterEqual(max(fields(r)["height"] for r in refs), 3)

    def test_children_rules(self):
        a, b = sorted([self.ref(b"a"), self.ref(b"b")])
        self.ref(b"", a, b)
        self.assertIn("not properly sorted", self.fails(2, "object", "ref", "--child", b.hex(),
                                                        "--child", a.hex()).err.decode())
        self.assertIn("equal", self.fails(2, "object", "ref", "--child", a.hex(), "--child", a.hex()).err.decode())
        bad = bytes(40)  # size 0: not a valid reference
        self.fails(2, "object", "ref", "--child", bad.hex())
        self.fails(2, "object", "ref", "--child", "zz")
        self.fails(2, "object", "ref", "--child", a.hex()[:-2])

    def test_size_bounds(self):
        self.fails(2, "object", "ref")                                  # empty object
        self.fails(2, "object", "ref", stdin=bytes(MAX_OBJECT + 1))
        a = self.ref(b"a")
        self.ref(bytes(MAX_OBJECT - 40), a)
        self.fails(2, "object", "ref", "--child", a.hex(), stdin=bytes(MAX_OBJECT - 39))


class ObjectInspect(CliTestCase):
    def test_bonanza_vectors(self):
        with open(vectors("bonanza", "local_reference_test.json")) as f:
            cases = json.load(f)["cases"]
        for c in cases:
            raw = bytes.fromhex(c["raw_reference_hex"])
            with self.subTest(c["name"]):
                if c["result"] == "ok":
                    x = c["expected"]
                    out = self.ok("object", "inspect", raw.hex()).text
                    self.assertEqual(out, f"SHA256={x['hash_hex']}:S={x['size_bytes']}:H={x['height']}"
                                          f":D={x['degree']}:M={x['maximum_total_parents_size_bytes_excluding_self']}\n")
                    self.assertEqual(out, human(raw) + "\n")
                else:
                    err = self.fails(2, "object", "inspect", raw.hex()).err.decode()
                    if len(raw) == 40:
                        self.assertIn(c["error"]["message"], err)

    def test_agrees_with_model_on_mutations(self):
        base = bytes.fromhex("37ddcf55ded31b263331b31ffe68d6f410e8186c61ab66ed8db04e2b43dc4818000020ffcccce097")
        rng = random.Random(5)
        for _ in range(100):
            m = bytearray(base)
            i = rng.randrange(32, 40)
            m[i] = rng.randrange(256)
            m = bytes(m)
            with self.subTest(m.hex()):
                if valid(m):
                    self.assertEqual(self.ok("object", "inspect", m.hex().upper()).text, human(m) + "\n")
                else:
                    self.fails(2, "object", "inspect", m.hex())

    def test_malformed(self):
        self.fails(2, "object", "inspect", "xyz")
        self.fails(2, "object", "inspect", "00" * 39)
        self.fails(2, "object", "inspect")


class ObjectVerify(CliTestCase):
    def test_match_and_mismatch(self):
        rng = random.Random(6)
        kids = sorted(model_ref([], rng.randbytes(10 + i)) for i in range(3))
        payload = b"payload"
        data = b"".join(kids) + payload
        ref = model_ref(kids, payload)
        self.ok("object", "verify", ref.hex(), stdin=data)
        self.assertEqual(self.ok("object", "verify", ref.hex(), stdin=data).out, b"")
        self.fails(1, "object", "verify", ref.hex(), stdin=data[:-1])
        self.fails(1, "object", "verify", ref.hex(), stdin=data + b"x")
        self.fails(1, "object", "verify", ref.hex(), stdin=data + bytes(MAX_OBJECT))
        for i in range(0, len(data), 7):
            bad = bytearray(data)
            bad[i] ^= 0x40
            self.fails(1, "object", "verify", ref.hex(), stdin=bytes(bad))

    def test_children_must_be_valid_and_sorted(self):
        # Data whose hash matches but whose children break the rules: exit 1.
        a, b = sorted(model_ref([], bytes([i])) for i in range(2))
        unsorted = b + a
        ref = (hashlib.sha256(unsorted).digest() + (80).to_bytes(3, "little") + bytes([1]) +
               (2).to_bytes(2, "little") + bytes(2))
        self.assertTrue(valid(ref))
        self.assertIn("not properly sorted", self.fails(1, "object", "verify", ref.hex(), stdin=unsorted).err.decode())
        good = model_ref([a, b], b"")
        self.ok("object", "verify", good.hex(), stdin=a + b)
        wrong_height = good[:35] + bytes([2]) + good[36:38] + (40).to_bytes(2, "little")
        self.assertTrue(valid(wrong_height))
        self.assertIn("Object has height 1, while 2 was expected",
                      self.fails(1, "object", "verify", wrong_height.hex(), stdin=a + b).err.decode())

    def test_bad_reference_is_exit_2(self):
        self.fails(2, "object", "verify", "nothex", stdin=b"a")
        self.fails(2, "object", "verify", "00" * 40, stdin=b"a")


if __name__ == "__main__":
    main()
