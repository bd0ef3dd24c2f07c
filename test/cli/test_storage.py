# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `store check` and `store gc` against doc/cli.md. The objects are built here, independently of
# the library (SHA256_V1 references per doc/protocol.md#objects-and-references), and written straight into the
# store's medium: files in the dir: layout, rows through Python's sqlite3 module.
import hashlib
import os
import sqlite3
import tempfile
import time

from clitest import CliTestCase, main


def float16_up(v):
    if v <= 2047:
        return v
    e = v.bit_length() - 12
    v = -(-v >> e) << e
    e = v.bit_length() - 12
    return ((e + 1) << 11) | ((v >> e) & 0x7FF)


def float16_decode(x):
    e = x >> 11
    return x if e == 0 else ((x & 0x7FF) | 0x800) << (e - 1)


def make_object(payload, children=()):
    children = sorted(set(children))
    data = b"".join(children) + payload
    height, parents = 0, 0
    for c in children:
        ch, cs = c[35], int.from_bytes(c[32:35], "little")
        height = max(height, ch + 1)
        parents = max(parents, float16_decode(int.from_bytes(c[38:40], "little")) + (cs if ch else 0))
    ref = (hashlib.sha256(data).digest() + len(data).to_bytes(3, "little") + bytes([height])
           + len(children).to_bytes(2, "little") + float16_up(parents).to_bytes(2, "little"))
    return ref, data


def dag():
    """Two roots sharing a subtree, and garbage that references live data."""
    l1, l2, l3 = (make_object(os.urandom(n)) for n in (300, 200, 100))
    m1 = make_object(b"m1", [l1[0], l2[0]])
    m2 = make_object(b"m2", [l2[0], l3[0]])
    a = make_object(b"root a", [m1[0], m2[0]])
    b = make_object(b"root b", [m2[0]])
    g1 = make_object(os.urandom(400))
    g2 = make_object(b"garbage", [g1[0], l1[0]])
    return dict(l1=l1, l2=l2, l3=l3, m1=m1, m2=m2, a=a, b=b, g1=g1, g2=g2)


class DirMedium:
    def __init__(self, root):
        self.root = root
        self.uri = "dir:" + root

    def put(self, ref, data):
        shard = os.path.join(self.root, ref.hex()[:2])
        os.makedirs(shard, exist_ok=True)
        with open(os.path.join(shard, ref.hex()), "wb") as f:
            f.write(data)
        past = time.time() - 10
        os.utime(os.path.join(shard, ref.hex()), (past, past))

    def path(self, ref):
        return os.path.join(self.root, ref.hex()[:2], ref.hex())

    def has(self, ref):
        return os.path.exists(self.path(ref))

    def remove(self, ref):
        os.unlink(self.path(ref))

    def tamper(self, ref):
        with open(self.path(ref), "r+b") as f:
            b = f.read()
            f.seek(len(b) // 2)
            f.write(bytes([b[len(b) // 2] ^ 1]))


class SqliteMedium:
    SCHEMA = ("CREATE TABLE IF NOT EXISTS objects (key BLOB PRIMARY KEY NOT NULL, "
              "written INTEGER NOT NULL, data BLOB NOT NULL)")

    def __init__(self, path):
        self.path = path
        self.uri = "sqlite:" + path
        with self._db() as db:
            db.execute(self.SCHEMA)

    def _db(self):
        return sqlite3.connect(self.path)

    def put(self, ref, data):
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)",
                       (ref, int((time.time() - 10) * 1e6), data))

    def has(self, ref):
        with self._db() as db:
            return db.execute("SELECT 1 FROM objects WHERE key = ?", (ref,)).fetchone() is not None

    def remove(self, ref):
        with self._db() as db:
            db.execute("DELETE FROM objects WHERE key = ?", (ref,))

    def tamper(self, ref):
        with self._db() as db:
            (data,) = db.execute("SELECT data FROM objects WHERE key = ?", (ref,)).fetchone()
            data = bytearray(data)
            data[len(data) // 2] ^= 1
            db.execute("UPDATE objects SET data = ? WHERE key = ?", (bytes(data), ref))


class StoreCommands:
    """Mixed into one TestCase per medium."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.medium = self.make_medium(self.tmp.name)
        self.objects = dag()
        for ref, data in self.objects.values():
            self.medium.put(ref, data)

    def tearDown(self):
        self.tmp.cleanup()

    def ref(self, name):
        return self.objects[name][0].hex()

    def test_check_counts_reachable_objects(self):
        r = self.ok("store", "check", "--store", self.medium.uri, self.ref("a"))
        total = sum(len(self.objects[n][1]) for n in ("l1", "l2", "l3", "m1", "m2", "a"))
        self.assertEqual(r.text, f"ok: 6 objects, {total} bytes\n")
        self.ok("store", "check", "--store", self.medium.uri, self.ref("b").upper())
        # A link: the decoding parameters after the dot do not matter to storage.
        self.ok("store", "check", "--store", self.medium.uri, self.ref("b") + "." + "ab" * 16)

    def test_check_names_the_missing_object(self):
        self.medium.remove(self.objects["l3"][0])
        r = self.fails(1, "store", "check", "--store", self.medium.uri, self.ref("b"))
        self.assertIn(self.ref("l3"), r.err.decode())
        self.assertIn(self.ref("m2"), r.err.decode())   # who references it
        self.fails(1, "store", "check", "--store", self.medium.uri, make_object(b"absent")[0].hex())

    def test_check_names_the_corrupt_object(self):
        self.medium.tamper(self.objects["l2"][0])
        r = self.fails(1, "store", "check", "--store", self.medium.uri, self.ref("a"))
        self.assertIn(self.ref("l2"), r.err.decode())
        self.ok("store", "check", "--store", self.medium.uri, self.ref("l3"))

    def test_check_bad_input(self):
        self.fails(2, "store", "check", "--store", self.medium.uri, "xyz")
        self.fails(2, "store", "check", "--store", self.medium.uri, self.ref("a")[:-2])
        self.fails(2, "store", "check", "--store", "nope:" + self.tmp.name, self.ref("a"))
        self.fails(2, "store", "check", self.ref("a"))                       # --store missing
        self.fails(2, "store", "check", "--store", "redis://127.0.0.1:1/0", self.ref("a"))
        zero_size = bytes(32) + bytes(8)
        self.fails(2, "store", "check", "--store", self.medium.uri, zero_size.hex())

    def test_a_mistyped_store_path_is_not_a_new_store(self):
        # Read-only commands (and gc) open existing stores only; nothing is created.
        wrong = self.medium.uri + "-typo"
        path = wrong.split(":", 1)[1]
        for args in (("store", "check", "--store", wrong, self.ref("a")),
                     ("store", "gc", "--store", wrong, "--keep", self.ref("a"))):
            r = self.fails(2, *args)
            self.assertIn("no store at " + path, r.err.decode())
            self.assertFalse(os.path.exists(path))

    def test_gc_deletes_unreachable(self):
        gc = ("store", "gc", "--store", self.medium.uri, "--keep", self.ref("b"))
        # By default, objects written in the last hour are kept: these are 10 s old.
        self.assertEqual(self.ok(*gc).text, "0\n")
        self.assertTrue(all(self.medium.has(ref) for ref, _ in self.objects.values()))
        r = self.ok(*gc, "--grace", "0", "--dry-run")
        self.assertEqual(r.text, "5\n")
        self.assertTrue(all(self.medium.has(ref) for ref, _ in self.objects.values()))
        r = self.ok(*gc, "--grace", "0")
        self.assertEqual(r.text, "5\n")
        for name in ("g1", "g2", "a", "m1", "l1"):
            self.assertFalse(self.medium.has(self.objects[name][0]), name)
        self.ok("store", "check", "--store", self.medium.uri, self.ref("b"))
        self.fails(1, "store", "check", "--store", self.medium.uri, self.ref("a"))
        r = self.ok(*gc, "--grace", "0")
        self.assertEqual(r.text, "0\n")

    def test_gc_keeps_every_root_and_recent_objects(self):
        r = self.ok("store", "gc", "--store", self.medium.uri, "--keep", self.ref("a"), "--keep", self.ref("b"),
                    "--grace", "0")
        self.assertEqual(r.text, "2\n")
        ref, data = make_object(b"fresh")
        self.medium.put(ref, data)   # written 10 s ago, like everything else here
        r = self.ok("store", "gc", "--store", self.medium.uri, "--keep", self.ref("a"), "--grace", "3600")
        self.assertEqual(r.text, "0\n")   # root b and "fresh" are unreachable but recent
        self.assertTrue(self.medium.has(ref))
        r = self.ok("store", "gc", "--store", self.medium.uri, "--keep", self.ref("a"), "--grace", "5")
        self.assertEqual(r.text, "2\n")   # now they are older than the grace period
        self.assertFalse(self.medium.has(ref))
        self.assertFalse(self.medium.has(self.objects["b"][0]))
        self.ok("store", "check", "--store", self.medium.uri, self.ref("a"))

    def test_gc_with_a_missing_root_deletes_nothing(self):
        absent = make_object(b"absent")[0].hex()
        self.fails(1, "store", "gc", "--store", self.medium.uri, "--keep", self.ref("a"), "--keep", absent)
        self.assertTrue(all(self.medium.has(ref) for ref, _ in self.objects.values()))
        self.fails(2, "store", "gc", "--store", self.medium.uri)               # --keep missing
        self.fails(2, "store", "gc", "--store", self.medium.uri, "--keep", "zz")
        self.fails(2, "store", "gc", "--store", self.medium.uri, "--keep", self.ref("a"), "--grace", "-1")


class DirStore(StoreCommands, CliTestCase):
    def make_medium(self, tmp):
        return DirMedium(os.path.join(tmp, "store"))


class SqliteStore(StoreCommands, CliTestCase):
    def make_medium(self, tmp):
        return SqliteMedium(os.path.join(tmp, "store.db"))


if __name__ == "__main__":
    main()
