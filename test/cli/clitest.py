# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Shared harness for the CLI tests: runs the tool and checks the conventions of doc/cli.md on every
# call (nothing on stdout on failure, exactly one "sealpipe: error:" line on stderr).
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import unittest

TOOL = None
# Seconds one run of the tool may take (the large tests raise it).
TIMEOUT = 120


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    @property
    def text(self):
        return self.out.decode()


def run(*args, stdin=b"", check_conventions=True):
    p = subprocess.run([TOOL, *map(str, args)], input=stdin, capture_output=True, timeout=TIMEOUT)
    r = Result(p.returncode, p.stdout, p.stderr)
    if check_conventions and r.code != 0:
        assert r.code in (1, 2), f"{args}: exit code {r.code} is not 0, 1 or 2"
        assert r.out == b"", f"{args}: wrote {r.out[:80]!r} to stdout on failure"
        lines = r.err.decode(errors="replace").splitlines()
        assert len(lines) == 1 and lines[0].startswith("sealpipe: error: "), \
            f"{args}: stderr must be one 'sealpipe: error:' line, got {r.err!r}"
    return r


@contextlib.contextmanager
def redis_server(directory):
    """A private redis-server on a free loopback port, without persistence; yields its URI."""
    server = shutil.which("redis-server")
    assert server, "redis-server is required (scripts/bootstrap)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", directory],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.025)
        yield "redis://127.0.0.1:%d/0" % port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def vectors(*parts):
    return os.path.join(os.environ["SEALPIPE_VECTORS"], *parts)


class CliTestCase(unittest.TestCase):
    def ok(self, *args, stdin=b""):
        r = run(*args, stdin=stdin)
        self.assertEqual(r.code, 0, f"{args}: {r.err.decode(errors='replace')}")
        return r

    def fails(self, code, *args, stdin=b""):
        r = run(*args, stdin=stdin)
        self.assertEqual(r.code, code, f"{args}: expected exit {code}, got {r.code}: {r.err!r}")
        return r


def main():
    global TOOL
    TOOL = sys.argv.pop(1)
    unittest.main(verbosity=1)
