# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `store put` and `store gc` killed with SIGKILL at random moments, in a SQLite store, a directory
# store and a Redis store (doc/cli.md: a root is printed only when everything it reaches is
# stored). For each store, a sequence of puts of generated trees (2,000 small files and three
# large ones each), most of them killed after a random delay spread over a put's duration, and
# one collection killed too. After every kill:
#   - what the killed process printed is nothing or one whole link;
#   - the medium holds only whole objects under their final names (every row or object file
#     matches its reference, read here without the tool), and SQLite is neither locked nor
#     damaged;
#   - every root printed so far passes `store check`, with the same object count as before;
#   - a put of the same tree completes and prints the link the killed put would have printed;
#   - a sample (a directory or a large file of a random printed root) restores byte for byte.
# The delays come from a seed printed at the start (SEALPIPE_CRASH_SEED=N replays them; the
# moment a process is killed still depends on the machine's load).
import hashlib
import os
import random
import signal
import subprocess
import tempfile
import time
import sqlite3

import clitest
import treegen
from clitest import CliTestCase, main, redis_server

SEED = int(os.environ.get("SEALPIPE_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
SMALL_FILES = 2000
KILLED_PUTS = 4      # per store, after the first put
LARGE_SIZES = (200_000, 1_000_000, 2_600_000)


def scratch():
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.TemporaryDirectory(prefix="sealpipe-crash-", dir=base)


def make_tree(root, seed):
    """SMALL_FILES small files (0 to 9 KiB) in 40 x 5 directories, and large files of
    several chunks; contents from `seed`."""
    rng = random.Random(seed)
    for i in range(SMALL_FILES):
        d = os.path.join(root, "d%02d" % (i % 40), "e%d" % (i % 5))
        os.makedirs(d, exist_ok=True)
        size = rng.choice((0, 1, 17, 100, 700, 2000, 4096, 9000))
        treegen.write(os.path.join(d, "f%05d" % i), rng.randbytes(size), mode=rng.choice((0o644, 0o755)))
    for j, size in enumerate(LARGE_SIZES):
        treegen.write(os.path.join(root, "large%d" % j), rng.randbytes(size))


def ref_of(link):
    return bytes.fromhex(link.split(".")[0])


def check_object(where, key, data):
    """The object's bytes match its reference (SHA-256 and size, doc/protocol.md)."""
    assert len(key) == 40, "%s: a key of %d bytes" % (where, len(key))
    assert len(data) == int.from_bytes(key[32:35], "little"), \
        "%s: %d bytes under a reference of %d (torn)" % (where, len(data), int.from_bytes(key[32:35], "little"))
    assert hashlib.sha256(data).digest() == key[:32], "%s: bytes do not match the reference" % where


def reachable(objects, links):
    """The keys reachable from the roots, through the outgoing references at the front of
    each object (their number is the reference's degree)."""
    seen, stack = set(), [ref_of(link) for link in links]
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        seen.add(k)
        assert k in objects, "object %s is reachable but not stored" % k.hex()
        degree = int.from_bytes(k[36:38], "little")
        stack.extend(objects[k][40 * i:40 * i + 40] for i in range(degree))
    return seen


class SqliteMedium:
    def __init__(self, path):
        self.path, self.uri = path, "sqlite:" + path

    def objects(self):
        """Every row, checked; also proves the database is neither locked nor damaged."""
        if not os.path.exists(self.path):
            return {}
        db = sqlite3.connect(self.path, timeout=10)
        try:
            (ok,) = db.execute("PRAGMA integrity_check").fetchone()
            assert ok == "ok", "integrity_check: " + ok
            db.execute("BEGIN IMMEDIATE")   # the write lock is free (waits 10 s at most)
            db.execute("ROLLBACK")
            rows = db.execute("SELECT key, data FROM objects").fetchall()
        finally:
            db.close()
        out = {}
        for key, data in rows:
            check_object("row " + key.hex(), key, data)
            out[key] = data
        return out


class DirMedium:
    def __init__(self, root):
        self.root, self.uri = root, "dir:" + root

    def objects(self):
        """Every object file, checked, including those a killed collection set aside;
        temporary files of killed writers are allowed, any other name is not."""
        out = {}
        if not os.path.exists(self.root):
            return out
        for shard in sorted(os.listdir(self.root)):
            assert len(shard) == 2 and all(c in "0123456789abcdef" for c in shard), "stray entry " + shard
            for name in os.listdir(os.path.join(self.root, shard)):
                if name.startswith(".tmp-"):
                    continue
                if name.startswith(".gc-"):
                    # Set aside by a killed collection, named for its object (.gc-HEX-...):
                    # still that object, which reads and the next collection put back.
                    hex_name = name[len(".gc-"):].split("-", 1)[0]
                else:
                    hex_name = name
                assert len(hex_name) == 80 and hex_name.startswith(shard), "stray file %s/%s" % (shard, name)
                with open(os.path.join(self.root, shard, name), "rb") as f:
                    data = f.read()
                key = bytes.fromhex(hex_name)
                assert out.get(key, data) == data, "two files of %s differ" % hex_name
                check_object("file " + name, key, data)
                out[key] = data
        return out


class RedisMedium:
    """No independent reader: the tool's check and get, and the key count, judge it."""

    def __init__(self, uri, port):
        self.uri, self.port = uri, port

    def objects(self):
        return None

    def size(self):
        return int(subprocess.run(["redis-cli", "-p", str(self.port), "DBSIZE"], capture_output=True,
                                  check=True, timeout=30).stdout)


class StoreCrash(CliTestCase):
    @classmethod
    def setUpClass(cls):
        print("\nstore crash test: seed %d (SEALPIPE_CRASH_SEED=%d replays the delays)" % (SEED, SEED), flush=True)
        cls.tmp = scratch()
        cls.dir = cls.tmp.name
        cls.encoders = os.path.join(cls.dir, "encoders.json")
        clitest.run("encoders", "new", "--compress", "zstd:3", "--out", cls.encoders)
        # Tree 0 is put whole first; trees 1.. are put with a kill, then whole; "junk" is put
        # whole and never kept, so that a collection has garbage to delete.
        cls.trees = {}
        for name in ["0"] + [str(i) for i in range(1, KILLED_PUTS + 1)] + ["junk"]:
            path = os.path.join(cls.dir, "trees", name)
            make_tree(path, "%d-%s" % (SEED, name))
            cls.trees[name] = (path, treegen.snapshot(path))

    @classmethod
    def tearDownClass(cls):
        treegen.remove(cls.dir)
        cls.tmp.cleanup()

    def setUp(self):
        self.work = tempfile.mkdtemp(dir=self.dir)

    def tearDown(self):
        treegen.remove(self.work)

    def say(self, text):
        print("  %s: %s" % (self.name, text), flush=True)

    def killed(self, args, delay):
        """Runs the tool and sends it SIGKILL after `delay` seconds unless it ended before.
        Returns (killed, stdout)."""
        p = subprocess.Popen([clitest.TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
        out, err = p.communicate(timeout=clitest.TIMEOUT)
        if p.returncode == -signal.SIGKILL:
            return True, out
        self.assertEqual(p.returncode, 0, "%s ended by itself, but failed: %r" % (args[:2], err))
        return False, out

    def put(self, tree):
        return self.ok("store", "put", "--store", self.uri, "--encoders", self.encoders, self.trees[tree][0]).text

    def link_line(self, out, what):
        """A killed put wrote nothing, or one whole link."""
        if not out:
            return None
        text = out.decode()
        self.assertTrue(text.endswith("\n") and text.count("\n") == 1, "%s wrote %r" % (what, out))
        link = text.strip()
        ref, _, params = link.partition(".")
        self.assertEqual(len(ref), 80, "%s wrote %r" % (what, out))
        bytes.fromhex(ref + params)
        return link

    def record(self, tree, link):
        if tree in self.roots:
            self.assertEqual(self.roots[tree], link, "tree %s stored twice gave two links" % tree)
        self.roots[tree] = link

    def check_roots(self, after, only=None):
        """Every printed root (or `only` one) passes `store check`, with the count it had when
        it was first checked."""
        for tree, link in sorted(self.roots.items()):
            if only is not None and tree != only:
                continue
            r = clitest.run("store", "check", "--store", self.uri, link)
            self.assertEqual(r.code, 0, "after %s (seed %d): root of tree %s: %s" % (after, SEED, tree, r.err))
            count = r.text.split()[1]
            self.assertEqual(self.counts.setdefault(tree, count), count, "tree %s changed its count" % tree)

    def check_medium(self, after):
        try:
            objects = self.medium.objects()
        except AssertionError as e:
            self.fail("after %s (seed %d): %s" % (after, SEED, e))
        if objects is not None:
            # Independently of the tool: everything a printed root reaches is there.
            reachable(objects, self.roots.values())
        return objects

    def restore_sample(self, rng):
        tree = rng.choice(sorted(self.roots))
        source = self.trees[tree][0]
        inside = rng.choice(["d%02d" % rng.randrange(40), "large%d" % rng.randrange(len(LARGE_SIZES))])
        out = os.path.join(self.work, "restored-%d" % len(os.listdir(self.work)))
        self.ok("store", "get", "--store", self.uri, "--encoders", self.encoders, self.roots[tree], "--out", out,
                "--path", inside)
        self.assertEqual(treegen.snapshot(out), treegen.snapshot(os.path.join(source, inside)),
                         "tree %s, %s (seed %d)" % (tree, inside, SEED))
        treegen.remove(out)

    def crash(self, name, medium):
        self.name, self.medium, self.uri = name, medium, medium.uri
        rng = random.Random("%d-%s" % (SEED, name))
        self.roots, self.counts = {}, {}
        kills, gc_killed = 0, False

        # The very first put, creating the store, killed early.
        delay = rng.uniform(0.0, 0.3)
        was_killed, out = self.killed(["store", "put", "--store", self.uri, "--encoders", self.encoders,
                                       self.trees["0"][0]], delay)
        kills += was_killed
        self.say("first put killed after %.3f s: %s" % (delay, "killed" if was_killed else "had ended"))
        self.check_medium("the first put was killed")
        if link := self.link_line(out, "the first put"):
            self.record("0", link)
        started = time.monotonic()
        self.record("0", self.put("0").strip())
        duration = time.monotonic() - started
        self.check_roots("the first put")

        for i in range(1, KILLED_PUTS + 1):
            tree = str(i)
            # A new tree takes about as long as tree 0 did: spread the kills over that time
            # and a little beyond, so that some land around the moment the root is printed.
            delay = rng.uniform(0.0, 1.1 * duration)
            was_killed, out = self.killed(["store", "put", "--store", self.uri, "--encoders", self.encoders,
                                           self.trees[tree][0]], delay)
            kills += was_killed
            printed = self.link_line(out, "put of tree " + tree)
            self.say("put of tree %s killed after %.3f s: %s%s" % (
                tree, delay, "killed" if was_killed else "had ended", ", root printed" if printed else ""))
            if printed:
                self.record(tree, printed)
            after = "put of tree %s killed after %.3f s" % (tree, delay)
            self.check_medium(after)
            self.check_roots(after)
            # The store takes the same tree again, and gives it the same link.
            self.record(tree, self.put(tree).strip())
            self.check_roots("put of tree %s again" % tree, only=tree)
            self.restore_sample(rng)

            if i == 2:
                gc_killed = self.killed_collection(rng)

        # The last root, whole.
        out = os.path.join(self.work, "restored-all")
        last = str(KILLED_PUTS)
        self.ok("store", "get", "--store", self.uri, "--encoders", self.encoders, self.roots[last], "--out", out)
        self.assertEqual(treegen.snapshot(out), self.trees[last][1])
        # Without a single process killed while it ran, this test proved nothing.
        self.assertGreater(kills, 0, "no put was killed while it ran (seed %d)" % SEED)
        self.assertTrue(gc_killed, "four collections ended before their kill (seed %d)" % SEED)
        self.say("%d of %d puts killed while running" % (kills, KILLED_PUTS + 1))

    def killed_collection(self, rng):
        """A tree put and not kept, then a collection that keeps every printed root, killed;
        then one that completes must delete exactly what no kept root reaches. Again (with
        shorter delays, at most four times) while the killed collection had ended by itself."""
        keep = [a for link in self.roots.values() for a in ("--keep", link)]
        for attempt in range(4):
            self.put("junk")
            started = time.monotonic()
            dry = self.ok("store", "gc", "--store", self.uri, "--grace", "0", "--dry-run", *keep)
            dry_duration = time.monotonic() - started
            garbage = int(dry.text)
            self.assertGreater(garbage, SMALL_FILES // 2, "the junk tree should be garbage")
            # The collection also deletes, which its dry run does not: spread the kill wider.
            delay = rng.uniform(0.0, 1.5 * dry_duration / 2 ** attempt)
            was_killed, out = self.killed(["store", "gc", "--store", self.uri, "--grace", "0", *keep], delay)
            self.say("gc killed after %.3f s: %s" % (delay, "killed" if was_killed else "had ended"))
            if out:
                self.assertRegex(out.decode(), r"^\d+\n$")
            after = "gc killed after %.3f s" % delay
            before = self.check_medium(after)
            self.check_roots(after)
            size_before = self.medium.size() if before is None else len(before)
            deleted = int(self.ok("store", "gc", "--store", self.uri, "--grace", "0", *keep).text)
            self.assertLessEqual(deleted, garbage)
            if not was_killed:
                self.assertEqual(deleted, 0, "the collection had ended; nothing was left to delete")
            objects = self.check_medium("the collection after the killed one")
            if objects is not None:
                self.assertEqual(set(objects), reachable(objects, self.roots.values()),
                                 "the collection kept garbage or lost a reachable object (seed %d)" % SEED)
                self.assertEqual(len(objects), size_before - deleted)
            else:
                self.assertEqual(self.medium.size(), size_before - deleted)
            self.assertEqual(self.ok("store", "gc", "--store", self.uri, "--grace", "0", "--dry-run", *keep).text,
                             "0\n")
            self.check_roots("the collection after the killed one")
            if was_killed:
                return True
        return False

    def test_sqlite(self):
        self.crash("sqlite", SqliteMedium(os.path.join(self.work, "store.db")))

    def test_directory(self):
        self.crash("dir", DirMedium(os.path.join(self.work, "objects")))

    def test_redis(self):
        with redis_server(self.work) as uri:
            port = int(uri.split(":")[2].split("/")[0])
            self.crash("redis", RedisMedium(uri, port))


if __name__ == "__main__":
    main()
