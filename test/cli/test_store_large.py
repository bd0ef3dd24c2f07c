# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `store put` / `store get` at sizes that take minutes (CTest label "large", configured with
# -DSEALPIPE_LARGE_TESTS=ON): a directory of 1,000,000 entries, a copy of /usr/include on every
# backend, and deep trees whose every listing holds 480 links of 4,000 bytes.
import base64
import glob
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import clitest
import treegen
from clitest import CliTestCase, main, redis_server

clitest.TIMEOUT = 3600


def scratch():
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.TemporaryDirectory(dir=base)


class Large(CliTestCase):
    def setUp(self):
        self.tmp = scratch()
        self.dir = self.tmp.name
        self.encoders = os.path.join(self.dir, "enc.json")
        with open(self.encoders, "w") as f:
            f.write('[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]'
                    % base64.b64encode(os.urandom(32)).decode())

    def tearDown(self):
        treegen.remove(self.dir)
        self.tmp.cleanup()

    def round_trip(self, tree, uri, times=True):
        started = time.monotonic()
        link = self.ok("store", "put", "--store", uri, "--encoders", self.encoders, tree).text.strip()
        put = time.monotonic()
        out = os.path.join(self.dir, "out")
        self.ok("store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", out)
        got = time.monotonic()
        self.ok("store", "check", "--store", uri, link)
        print("\n%s via %s: put %.1f s, get %.1f s" % (os.path.basename(tree), uri.split(":")[0], put - started,
                                                       got - put), flush=True)
        return link, out

    def test_a_directory_of_1000000_entries(self):
        tree = os.path.join(self.dir, "t")
        treegen.huge_directory(os.path.join(tree, "big"), 1_000_000)
        link, out = self.round_trip(tree, "sqlite:" + os.path.join(self.dir, "s.db"))
        self.assertEqual(treegen.snapshot(tree, times=False), treegen.snapshot(out, times=False))

    def test_a_copy_of_usr_include_on_every_backend(self):
        tree = os.path.join(self.dir, "include")
        shutil.copytree("/usr/include", tree, symlinks=True)
        expected = treegen.snapshot(tree)
        with redis_server(self.dir) as redis:
            for uri in ("sqlite:" + os.path.join(self.dir, "s.db"), "dir:" + os.path.join(self.dir, "objects"), redis):
                link, out = self.round_trip(tree, uri)
                d = subprocess.run(["diff", "-r", "--no-dereference", tree, out], capture_output=True)
                self.assertEqual(d.returncode, 0, d.stdout[:2000])
                self.assertEqual(treegen.snapshot(out), expected)   # modes, mtimes, link targets too
                treegen.remove(out)

    def test_deep_trees_with_480_links_of_4000_bytes_per_level(self):
        # 100 levels: stored and restored. 150 levels: each split listing takes two levels of
        # the DAG, which would make it higher than a reference may be; refused before anything
        # is stored.
        tree = os.path.join(self.dir, "t")
        treegen.deep(tree, 100, links=480, target_bytes=4000)
        link, out = self.round_trip(tree, "dir:" + os.path.join(self.dir, "objects"))
        self.assertEqual(treegen.snapshot(tree), treegen.snapshot(out))
        treegen.remove(out)
        treegen.remove(tree)
        treegen.deep(tree, 150, links=480, target_bytes=4000)
        store = os.path.join(self.dir, "fresh")
        r = self.fails(2, "store", "put", "--store", "dir:" + store, "--encoders", self.encoders, tree)
        self.assertIn("too deep to store", r.err.decode())
        self.assertEqual(glob.glob(os.path.join(store, "*", "*")), [])


if __name__ == "__main__":
    main()
