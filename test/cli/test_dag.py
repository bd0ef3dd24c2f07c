# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `store put` / `store get` against doc/cli.md: trees round trip byte for byte through every kind
# of store, with modes, mtimes, symlinks wherever they point, huge directories, deep trees and
# sparse files; roots are deterministic; missing or corrupt objects and wrong keys are exit 1;
# a put never prints a root that a concurrent gc broke; a failed restore leaves nothing.
import base64
import glob
import os
import signal
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

import clitest
import treegen
from clitest import CliTestCase, main, redis_server, run


def scratch():
    """A temporary directory, in memory where possible: these tests make many inodes."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.TemporaryDirectory(dir=base)


def make_tree(root):
    os.makedirs(os.path.join(root, "src", "nested"))
    os.makedirs(os.path.join(root, "empty"))
    with open(os.path.join(root, "README"), "wb") as f:
        f.write(b"hello\n")
    with open(os.path.join(root, "run.sh"), "wb") as f:
        f.write(b"#!/bin/sh\necho hi\n")
    os.chmod(os.path.join(root, "run.sh"), 0o755)
    with open(os.path.join(root, "src", "big.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 17))        # several 1 MiB chunks
    with open(os.path.join(root, "src", "nested", "empty.txt"), "wb"):
        pass
    os.symlink("../README", os.path.join(root, "src", "readme-link"))


def snapshot(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read(), bool(st.st_mode & stat.S_IXUSR))
    return out


class StoreTree(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.tree = os.path.join(self.dir, "tree")
        make_tree(self.tree)
        self.encoders = self.write_encoders("enc.json", bytes(range(32)))

    def tearDown(self):
        self.tmp.cleanup()

    def write_encoders(self, name, key):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write('[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]'
                    % base64.b64encode(key).decode())
        return path

    def round_trip(self, uri):
        link = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, self.tree).text.strip()
        self.assertRegex(link, r"^[0-9a-f]{80}\.[0-9a-f]{32}$")
        out = os.path.join(self.dir, "out-" + uri.split(":")[0])
        self.ok("store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", out)
        self.assertEqual(snapshot(self.tree), snapshot(out))
        self.ok("store", "check", "--store", uri, link)
        return link

    def test_round_trip_in_every_file_store(self):
        a = self.round_trip("sqlite:" + os.path.join(self.dir, "s.db"))
        b = self.round_trip("dir:" + os.path.join(self.dir, "objects"))
        self.assertEqual(a, b)            # deterministic: same tree, same root, any store

    def test_jobs_do_not_change_the_root(self):
        for extra in range(40):   # more files than the queues hold, in several directories
            d = os.path.join(self.tree, "many", str(extra % 7))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "f%d" % extra), "wb") as f:
                f.write(os.urandom(extra * 1000))
        links = set()
        for jobs in ("1", "2", "5"):
            with self.subTest(jobs=jobs):
                uri = "sqlite:" + os.path.join(self.dir, "jobs-%s.db" % jobs)
                link = self.ok("store", "put", "--jobs", jobs, "--store", uri, "--encoders", self.encoders,
                               self.tree).text.strip()
                links.add(link)
                out = os.path.join(self.dir, "out-jobs-" + jobs)
                self.ok("store", "get", "--jobs", jobs, "--store", uri, "--encoders", self.encoders, link, "--out", out)
                self.assertEqual(snapshot(self.tree), snapshot(out))
                self.ok("store", "check", "--store", uri, link)
        self.assertEqual(len(links), 1)
        for bad in ("0", "65", "x"):
            self.fails(2, "store", "put", "--jobs", bad, "--store", "sqlite:" + os.path.join(self.dir, "j.db"),
                       "--encoders", self.encoders, self.tree)

    def test_chains_of_several_compressors(self):
        key = base64.b64encode(bytes(range(32))).decode()
        for chain, parameters in (('[{"lzwCompressing": {}}, {"lzwCompressing": {}}, '
                                   '{"encrypting": {"encryptionKey": "%s"}}]' % key, 32),
                                  ('[{"zstdCompressing": {"level": 1}}, {"lzwCompressing": {}}]', 0)):
            with self.subTest(chain=chain):
                path = os.path.join(self.dir, "chain.json")
                with open(path, "w") as f:
                    f.write(chain)
                uri = "dir:" + os.path.join(self.dir, "objects-%d" % parameters)
                clear = ["--no-encryption"] if parameters == 0 else []   # a chain that does not encrypt
                link = self.ok("store", "put", "--store", uri, "--encoders", path, *clear, self.tree).text.strip()
                self.assertRegex(link, r"^[0-9a-f]{80}\.[0-9a-f]{%d}$" % parameters)
                out = os.path.join(self.dir, "out-%d" % parameters)
                self.ok("store", "get", "--store", uri, "--encoders", path, link, "--out", out)
                self.assertEqual(snapshot(self.tree), snapshot(out))

    def test_single_file(self):
        uri = "sqlite:" + os.path.join(self.dir, "s.db")
        src = os.path.join(self.tree, "src", "big.bin")
        link = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, src).text.strip()
        out = os.path.join(self.dir, "big.out")
        self.ok("store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", out)
        with open(src, "rb") as f1, open(out, "rb") as f2:
            self.assertEqual(f1.read(), f2.read())

    def test_wrong_key_missing_and_corrupt_objects_are_exit_1(self):
        db = os.path.join(self.dir, "s.db")
        uri = "sqlite:" + db
        link = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, self.tree).text.strip()
        other = self.write_encoders("other.json", bytes(32))
        self.fails(1, "store", "get", "--store", uri, "--encoders", other, link, "--out", os.path.join(self.dir, "o1"))
        # Tamper with one stored object directly in the database.
        con = sqlite3.connect(db)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        table = next(t for t in tables if "object" in t)
        cols = [r[1] for r in con.execute(f"pragma table_info({table})")]
        data_col = next(c for c in cols if c in ("data", "value", "bytes", "contents"))
        key_col = cols[0]
        row = con.execute(f"select {key_col}, {data_col} from {table} where length({data_col}) > 100 limit 1").fetchone()
        tampered = bytearray(row[1])
        tampered[-1] ^= 1
        con.execute(f"update {table} set {data_col} = ? where {key_col} = ?", (bytes(tampered), row[0]))
        con.commit()
        con.close()
        self.fails(1, "store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", os.path.join(self.dir, "o2"))
        self.fails(1, "store", "check", "--store", uri, link)

    def test_bad_usage_is_exit_2(self):
        uri = "sqlite:" + os.path.join(self.dir, "s.db")
        self.fails(2, "store", "get", "--store", uri, "--encoders", self.encoders, "nothex.", "--out", os.path.join(self.dir, "x"))
        self.fails(2, "store", "put", "--store", uri, "--encoders", self.encoders, os.path.join(self.dir, "absent"))
        self.fails(2, "store", "put", "--store", "ftp://nowhere", "--encoders", self.encoders, self.tree)
        link = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, self.tree).text.strip()
        self.fails(2, "store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", self.tree)  # exists


class Fidelity(CliTestCase):
    """What `put` accepts, `get` restores: links, modes, times, sizes, depths, names."""

    def setUp(self):
        self.tmp = scratch()
        self.dir = self.tmp.name
        self.encoders = os.path.join(self.dir, "enc.json")
        with open(self.encoders, "w") as f:
            f.write('[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]'
                    % base64.b64encode(bytes(range(32))).decode())
        self.uri = "sqlite:" + os.path.join(self.dir, "s.db")

    def tearDown(self):
        treegen.remove(self.dir)
        self.tmp.cleanup()

    def put(self, path, *extra, uri=None):
        return self.ok("store", "put", "--store", uri or self.uri, "--encoders", self.encoders, *extra,
                       path).text.strip()

    def get(self, link, out, uri=None):
        return self.ok("store", "get", "--store", uri or self.uri, "--encoders", self.encoders, link, "--out", out)

    def round_trip(self, tree, uri=None, times=True):
        link = self.put(tree, uri=uri)
        out = tree + ".out"
        self.get(link, out, uri=uri)
        self.assertEqual(treegen.snapshot(tree, times), treegen.snapshot(out, times))
        self.ok("store", "check", "--store", uri or self.uri, link)
        treegen.remove(out)
        return link

    def test_symlinks_leaving_the_tree_come_back_as_links(self):
        tree = os.path.join(self.dir, "t")
        outside = os.path.join(self.dir, "outside")
        targets = treegen.links(tree, outside)
        for uri in (self.uri, "dir:" + os.path.join(self.dir, "objects")):
            link = self.put(tree, uri=uri)
            out = os.path.join(self.dir, "out")
            self.get(link, out, uri=uri)
            for name, target in targets.items():
                self.assertEqual(os.readlink(os.path.join(out, name)), target)
            self.assertEqual(treegen.snapshot(tree), treegen.snapshot(out))
            self.assertEqual(os.listdir(outside), [])     # nothing was written through a link
            self.assertFalse(os.path.lexists(os.path.join(self.dir, "escape")))
            treegen.remove(out)

    def test_modes_times_odd_names_and_sparse_files(self):
        tree = os.path.join(self.dir, "t")
        treegen.modes_and_times(os.path.join(tree, "m"))
        treegen.odd_names(os.path.join(tree, "odd"))
        treegen.sparse(os.path.join(tree, "sparse"), 6 << 20, [0, (3 << 20) + 7])
        old = os.umask(0o022)
        try:
            self.round_trip(tree)
            link = self.put(tree)
            out = os.path.join(self.dir, "out")
            self.get(link, out)
        finally:
            os.umask(old)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(out, "m", "secret")).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(out, "m", "tool")).st_mode), 0o700)
        self.assertLess(os.stat(os.path.join(out, "sparse")).st_blocks * 512, 1 << 20)   # holes stay holes
        self.assertEqual(self.put(tree), link)   # same content and metadata, same root
        os.utime(os.path.join(tree, "m", "group"), ns=(1, 1))
        self.assertNotEqual(self.put(tree), link)

    def test_single_file_and_symlink_roots_keep_their_metadata(self):
        f = os.path.join(self.dir, "tool")
        treegen.write(f, b"#!/bin/sh\n", 0o750, mtime_ns=1_600_000_000_000_000_001)
        self.round_trip(f)
        link = os.path.join(self.dir, "link")
        os.symlink("/nowhere/at/all", link)
        self.round_trip(link)
        # "LINK/" names the directory a symlink points to, as everywhere.
        os.makedirs(os.path.join(self.dir, "real"))
        treegen.write(os.path.join(self.dir, "real", "f"), b"f")
        os.symlink("real", os.path.join(self.dir, "to-dir"))
        out = os.path.join(self.dir, "followed")
        self.get(self.put(os.path.join(self.dir, "to-dir") + "/"), out)
        self.assertEqual(os.listdir(out), ["f"])

    def test_a_listing_larger_than_an_object_round_trips(self):
        # 9,000 names of 250 bytes: a listing of more than 2 MiB, split into pages. (A
        # directory of 1,000,000 entries is in test_store_large.py.)
        tree = os.path.join(self.dir, "t")
        treegen.huge_directory(os.path.join(tree, "big"), 9_000, prefix="n" * 243)
        treegen.write(os.path.join(tree, "big", "zz-not-empty"), b"data")
        self.round_trip(tree)

    def test_deep_trees_round_trip_or_are_refused_before_anything_is_stored(self):
        tree = os.path.join(self.dir, "t")
        treegen.deep(tree, 200, links=2, target_bytes=3000)   # paths far beyond PATH_MAX
        self.round_trip(tree)
        too_deep = os.path.join(self.dir, "too-deep")
        treegen.deep(too_deep, 300)
        uri = "dir:" + os.path.join(self.dir, "fresh")
        r = self.fails(2, "store", "put", "--store", uri, "--encoders", self.encoders, too_deep)
        self.assertIn("too deep to store", r.err.decode())
        objects = [p for p in glob.glob(os.path.join(self.dir, "fresh", "*", "*"))]
        self.assertEqual(objects, [])

    def test_the_store_inside_the_tree_is_left_out(self):
        for kind in ("sqlite", "dir"):
            tree = os.path.join(self.dir, kind)
            os.makedirs(tree)
            treegen.write(os.path.join(tree, "data"), os.urandom(3 << 20))
            inside = os.path.join(tree, "a.db" if kind == "sqlite" else "objects")
            uri = kind + ":" + inside
            p = subprocess.run([clitest.TOOL, "store", "put", "--store", uri, "--encoders", self.encoders, tree],
                               capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(b"it is the store itself", p.stderr)
            out = tree + ".out"
            self.get(p.stdout.decode().strip(), out, uri=uri)
            self.assertEqual(sorted(os.listdir(out)), ["data"])
            self.assertLess(sum(e.stat().st_size for e in os.scandir(tree) if e.is_file()), 20 << 20)
            if kind == "dir":
                r = self.fails(2, "store", "put", "--store", uri, "--encoders", self.encoders, inside)
                self.assertIn("is the store itself", r.err.decode())

    def test_a_mistyped_store_path_is_not_a_new_store(self):
        link = self.put(self.write_small_tree())
        wrong = os.path.join(self.dir, "typo.db")
        r = self.fails(2, "store", "get", "--store", "sqlite:" + wrong, "--encoders", self.encoders, link,
                       "--out", os.path.join(self.dir, "out"))
        self.assertIn("no store at " + wrong, r.err.decode())
        self.assertFalse(os.path.exists(wrong))
        self.fails(2, "store", "check", "--store", "dir:" + wrong, link)
        self.assertFalse(os.path.exists(wrong))

    def write_small_tree(self):
        tree = os.path.join(self.dir, "small")
        os.makedirs(tree, exist_ok=True)
        for i in range(5):
            treegen.write(os.path.join(tree, "f%d" % i), os.urandom(3000 + i))
        return tree

    def test_repair_rewrites_a_corrupt_object(self):
        tree = self.write_small_tree()
        store = os.path.join(self.dir, "objects")
        uri = "dir:" + store
        link = self.put(tree, uri=uri)
        victim = max(glob.glob(os.path.join(store, "*", "*")), key=os.path.getsize)
        os.chmod(victim, 0o644)
        with open(victim, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 1]))
        r = self.fails(1, "store", "check", "--store", uri, link)
        self.assertIn("--repair", r.err.decode())
        self.assertEqual(self.put(tree, uri=uri), link)       # refreshed, not read: still corrupt
        self.fails(1, "store", "check", "--store", uri, link)
        self.assertEqual(self.put(tree, "--repair", uri=uri), link)
        self.ok("store", "check", "--store", uri, link)
        out = os.path.join(self.dir, "out")
        self.get(link, out, uri=uri)
        self.assertEqual(treegen.snapshot(tree), treegen.snapshot(out))

    def test_command_line_conventions(self):
        tree = self.write_small_tree()
        link = self.put(tree)
        # --out DIR/ names DIR.
        self.get(link, os.path.join(self.dir, "slash") + "/")
        self.assertEqual(treegen.snapshot(tree), treegen.snapshot(os.path.join(self.dir, "slash")))
        # Names reach the terminal escaped.
        evil = os.path.join(self.dir, "\x1b]0;owned\x07\r\x9b")
        os.makedirs(evil)
        os.mkfifo(os.path.join(evil, "fifo"))
        r = self.fails(2, "store", "put", "--store", self.uri, "--encoders", self.encoders, evil)
        for raw in (b"\x1b", b"\x07", b"\r", b"\xc2\x9b"):
            self.assertNotIn(raw, r.err)
        self.assertIn(b"\\x1b]0;owned\\x07\\x0d", r.err)
        # A chain that does not encrypt needs --no-encryption.
        plain = os.path.join(self.dir, "plain.json")
        with open(plain, "w") as f:
            f.write('[{"lzwCompressing": {}}]')
        fresh = os.path.join(self.dir, "fresh.db")
        r = self.fails(2, "store", "put", "--store", "sqlite:" + fresh, "--encoders", plain, tree)
        self.assertIn("--no-encryption", r.err.decode())
        self.assertFalse(os.path.exists(fresh))
        self.ok("store", "put", "--store", self.uri, "--encoders", plain, "--no-encryption", tree)

    def test_exclude_and_skip_unreadable(self):
        tree = os.path.join(self.dir, "t")
        os.makedirs(os.path.join(tree, "build", "obj"))
        os.makedirs(os.path.join(tree, "src"))
        for rel in ("src/a.c", "src/a.o", "build/obj/x", "keep"):
            treegen.write(os.path.join(tree, rel), rel.encode())
        os.mkfifo(os.path.join(tree, "src", "pipe"))
        # A store inside the tree (a warning) and a FIFO (a failure): the one error line only.
        inside = "sqlite:" + os.path.join(tree, "in.db")
        r = self.fails(2, "store", "put", "--store", inside, "--encoders", self.encoders, tree)
        self.assertIn("is a FIFO", r.err.decode())
        os.unlink(os.path.join(tree, "in.db"))
        p = subprocess.run([clitest.TOOL, "store", "put", "--store", self.uri, "--encoders", self.encoders,
                            "--exclude", "*.o", "--exclude", "build/obj", "--skip-unreadable", tree],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"warning: left out", p.stderr)
        self.assertIn(b"pipe is a FIFO", p.stderr)
        out = os.path.join(self.dir, "out")
        self.get(p.stdout.decode().strip(), out)
        got = sorted(os.path.relpath(os.path.join(d, n), out) for d, ds, fs in os.walk(out) for n in ds + fs)
        self.assertEqual(got, ["build", "keep", "src", "src/a.c"])

    def test_one_path_out_of_a_tree_and_verbose(self):
        tree = os.path.join(self.dir, "t")
        treegen.modes_and_times(os.path.join(tree, "m"))
        p = subprocess.run([clitest.TOOL, "store", "put", "--store", self.uri, "--encoders", self.encoders,
                            "--verbose", tree], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        named = p.stderr.decode().splitlines()
        self.assertIn(os.path.join(tree, "m", "private", "inner", "key"), named)
        self.assertEqual(named[-1], tree)
        link = p.stdout.decode().strip()
        out = os.path.join(self.dir, "inner")
        self.ok("store", "get", "--store", self.uri, "--encoders", self.encoders, link, "--out", out,
                "--path", "m/private/inner")
        self.assertEqual(treegen.snapshot(os.path.join(tree, "m", "private", "inner")), treegen.snapshot(out))
        r = self.fails(2, "store", "get", "--store", self.uri, "--encoders", self.encoders, link,
                       "--out", os.path.join(self.dir, "none"), "--path", "m/nothing")
        self.assertIn("the tree holds no 'm/nothing'", r.err.decode())
        r = self.ok("store", "get", "--store", self.uri, "--encoders", self.encoders, link,
                    "--out", os.path.join(self.dir, "secret"), "--path", "m/secret", "--verbose")
        self.assertEqual(r.err.decode().splitlines(), [os.path.join(self.dir, "secret")])

    def test_a_file_changing_during_the_put_is_refused_not_stored_torn(self):
        tree = os.path.join(self.dir, "t")
        os.makedirs(tree)
        log = os.path.join(tree, "log")
        treegen.write(log, os.urandom(2 << 20))
        treegen.write(os.path.join(tree, "stable"), b"stable")
        stop = threading.Event()

        def grow():
            with open(log, "ab") as f:
                while not stop.is_set():
                    f.write(b"x" * 4096)
                    f.flush()
                    time.sleep(0.001)

        writer = threading.Thread(target=grow)
        writer.start()
        try:
            r = self.fails(2, "store", "put", "--store", self.uri, "--encoders", self.encoders, tree)
            self.assertIn("log changed while it was being read", r.err.decode())
            p = subprocess.run([clitest.TOOL, "store", "put", "--store", self.uri, "--encoders", self.encoders,
                                "--skip-unreadable", tree], capture_output=True, timeout=120)
        finally:
            stop.set()
            writer.join()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"changed while it was being read", p.stderr)
        out = os.path.join(self.dir, "out")
        self.get(p.stdout.decode().strip(), out)
        self.assertEqual(os.listdir(out), ["stable"])

    def test_an_interrupted_or_failed_get_leaves_nothing(self):
        tree = os.path.join(self.dir, "t")
        os.makedirs(os.path.join(tree, "on", "a", "b", "c"))
        treegen.write(os.path.join(tree, "big"), os.urandom(8 << 20))
        treegen.write(os.path.join(tree, "on", "a", "b", "c", "abs"), os.urandom(5000))
        store = os.path.join(self.dir, "objects")
        uri = "dir:" + store
        link = self.put(tree, uri=uri)
        out = os.path.join(self.dir, "out")
        p = subprocess.Popen([clitest.TOOL, "store", "get", "--store", uri, "--encoders", self.encoders, link,
                              "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while not glob.glob(os.path.join(self.dir, ".sealpipe-partial-*", "big")) and time.time() < deadline:
            time.sleep(0.005)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 2, err)
        self.assertIn(b"interrupted", err)
        self.assertFalse(os.path.lexists(out))
        self.assertEqual(glob.glob(os.path.join(self.dir, ".sealpipe-partial-*")), [])
        # A missing object: the error names the file, in full; nothing is left either.
        small = [f for f in glob.glob(os.path.join(store, "*", "*")) if os.path.getsize(f) > 5000 and
                 os.path.getsize(f) < 6000]
        self.assertEqual(len(small), 1)
        os.unlink(small[0])
        r = self.fails(1, "store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", out)
        self.assertIn(os.path.join(out, "on", "a", "b", "c", "abs"), r.err.decode())
        self.assertFalse(os.path.lexists(out))
        self.assertEqual(glob.glob(os.path.join(self.dir, ".sealpipe-partial-*")), [])


class GcDuringPuts(CliTestCase):
    """`store gc` in a loop against concurrent puts: every root a put prints passes `store check`."""

    def setUp(self):
        self.tmp = scratch()
        self.dir = self.tmp.name
        self.encoders = os.path.join(self.dir, "enc.json")
        with open(self.encoders, "w") as f:
            f.write('[{"encrypting": {"encryptionKey": "%s"}}]' % base64.b64encode(bytes(range(32))).decode())
        self.trees = []
        for t in range(3):
            tree = os.path.join(self.dir, "tree%d" % t)
            os.makedirs(tree)
            for i in range(150):
                treegen.write(os.path.join(tree, "f%03d" % i), os.urandom(6000 + t))
            treegen.write(os.path.join(tree, "shared"), b"same in every tree" * 1000)
            self.trees.append(tree)

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, uri):
        base = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, self.trees[0]).text.strip()
        roots, failures = [], []
        done = threading.Event()

        def puts(tree):
            for _ in range(3):
                r = run("store", "put", "--store", uri, "--encoders", self.encoders, tree)
                if r.code == 0:
                    roots.append(r.text.strip())
                else:
                    failures.append(r.err)

        workers = [threading.Thread(target=puts, args=(t,)) for t in self.trees[1:]]
        for w in workers:
            w.start()
        collections = 0
        while any(w.is_alive() for w in workers):
            r = run("store", "gc", "--store", uri, "--keep", base)
            self.assertEqual(r.code, 0, r.err)
            collections += 1
        for w in workers:
            w.join()
        self.assertEqual(failures, [])
        self.assertEqual(len(roots), 6)
        self.assertGreater(collections, 1)
        for root in roots + [base]:
            self.ok("store", "check", "--store", uri, root)

    def test_dir(self):
        self.check("dir:" + os.path.join(self.dir, "objects"))

    def test_sqlite(self):
        self.check("sqlite:" + os.path.join(self.dir, "s.db"))

    def test_redis(self):
        with redis_server(self.dir) as uri:
            self.check(uri)


if __name__ == "__main__":
    main()
