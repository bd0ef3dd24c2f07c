# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `store put` / `store get` against doc/cli.md: trees round trip byte for byte through every kind
# of store, roots are deterministic, missing or corrupt objects and wrong keys are exit 1.
import base64
import os
import sqlite3
import stat
import tempfile
import unittest

from clitest import CliTestCase, main, run


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
                link = self.ok("store", "put", "--store", uri, "--encoders", path, self.tree).text.strip()
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


if __name__ == "__main__":
    main()
