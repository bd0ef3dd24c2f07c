# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The network commands in separate processes over loopback (doc/cli.md, "Over the network"):
# `scheduler serve` on port 0, two `worker run` processes and several `execute` clients at
# once; command results, failures and time-outs; a worker killed with SIGKILL mid-run; TLS and
# mutual TLS, with a wrong CA refused; SIGINT and SIGTERM ending each process with status 0.
# Nothing here sleeps blindly: every wait is for a line, an exit, or a retried condition.
import datetime
import os
import signal
import subprocess
import sys
import time
import unittest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import clitest
from clitest import CliTestCase, main
from test_keys import NOENC, PEM, PKCS8, SPKI, Files

# The worker's command: uppercases its input after one progress line on stderr; "fail" exits
# 3, "slow" announces itself and sleeps (to be timed out or killed); "flaky" does the same the
# first time only (a file next to the script remembers it), then answers like any other word.
WORKER_SCRIPT = r'''
read x
once="$(dirname "$0")/flaky.once"
case "$x" in
  fail) echo failing >&2; exit 3;;
  slow) echo started >&2; sleep 60;;
  flaky) if [ ! -e "$once" ]; then : > "$once"; echo started >&2; sleep 60; fi;;
esac
echo progress >&2
printf '%s\n' "$x" | tr a-z A-Z
'''


def certificate(cn, key, issuer=None, issuer_key=None, ca=False, eku=None, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(issuer.subject if issuer else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), critical=False)
    signer = issuer_key or key
    return b.sign(signer, None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class Process:
    """A long-running tool process; `line()` reads its stdout line by line."""

    def __init__(self, *args, stdout=subprocess.PIPE):
        self.args = [clitest.TOOL, *map(str, args)]
        self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE)

    def line(self):
        return self.p.stdout.readline().decode()

    def signal(self, sig):
        self.p.send_signal(sig)
        out, err = self.p.communicate(timeout=60)
        return self.p.returncode, err

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.communicate(timeout=60)


class Network(CliTestCase):
    def setUp(self):
        self.files = Files(self)
        self.platform = x25519.X25519PrivateKey.generate()
        self.platform_priv = self.files.write("platform.pem", self.platform.private_bytes(PEM, PKCS8, NOENC))
        self.platform_pub = self.files.write("platform.pub", self.platform.public_key().public_bytes(PEM, SPKI))
        ca_key = ed25519.Ed25519PrivateKey.generate()
        ca = certificate("client CA", ca_key, ca=True)
        self.ca = self.files.write("ca.pem", pem(ca))
        client_key = ed25519.Ed25519PrivateKey.generate()
        self.client_cert = self.files.write("client.pem", pem(certificate(
            "alice", client_key, ca, ca_key, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])))
        self.client_key = self.files.write("client.key", client_key.private_bytes(PEM, PKCS8, NOENC))
        self.script = self.files.write("worker.sh", WORKER_SCRIPT)
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            p.stop()

    def start(self, *args, stdout=subprocess.PIPE):
        p = Process(*args, stdout=stdout)
        self.processes.append(p)
        return p

    def serve(self, *extra):
        s = self.start("scheduler", "serve", "--listen", "127.0.0.1:0", *extra)
        line = s.line()
        self.assertRegex(line, r"^listening on 127\.0\.0\.1:[0-9]+\n$")
        return s, line.split(":")[-1].strip()

    def worker(self, url, name, *extra):
        return self.start("worker", "run", "--scheduler", url, "--platform-key", self.platform_priv,
                          "--ca", self.ca, "--worker-id", "name=" + name, *extra,
                          "--", "sh", self.script, stdout=subprocess.DEVNULL)

    def execute_args(self, url, *extra):
        return ["execute", "--scheduler", url, "--platform-key", self.platform_pub,
                "--client-cert", self.client_cert, "--client-key", self.client_key, *extra]

    def execute(self, url, text, *extra):
        # Event lines come before the error line: the conventions are checked here.
        r = clitest.run(*self.execute_args(url, *extra), stdin=text.encode() + b"\n", check_conventions=False)
        if r.code != 0:
            self.assertEqual(r.out, b"")
            lines = r.err.decode().splitlines()
            self.assertTrue(lines[-1].startswith("sealpipe: error: "), r.err)
            self.assertTrue(all(l.startswith("event: ") for l in lines[:-1]), r.err)
        return r

    def until_a_worker_is_there(self, url, *extra):
        """Runs a first action until a worker has registered (FAILED_PRECONDITION before)."""
        for _ in range(2000):
            r = self.execute(url, "ready?", *extra)
            if b"FAILED_PRECONDITION" not in r.err:
                return r
            time.sleep(0.005)
        self.fail("no worker registered")

    def test_scheduler_two_workers_and_several_clients(self):
        s, port = self.serve()
        url = "grpc://127.0.0.1:" + port
        w1, w2 = self.worker(url, "one"), self.worker(url, "two", "--concurrency", "2")
        r = self.until_a_worker_is_there(url)
        self.assertEqual(r.code, 0, r.err)
        self.assertEqual(r.out, b"READY?\n")
        self.assertIn(b"event: progress\n", r.err)
        # Eight clients at once, random nonces (no deduplication).
        words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        clients = [subprocess.Popen([clitest.TOOL, *self.execute_args(url, "--nonce", "random")],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for _ in words]
        for c, w in zip(clients, words):
            out, err = c.communicate(w.encode() + b"\n", timeout=60)
            self.assertEqual(c.returncode, 0, err)
            self.assertEqual(out, w.upper().encode() + b"\n")
        # A failing command, a timed-out one, an unknown platform key: exit 1, one error line.
        r = self.execute(url, "fail")
        self.assertEqual(r.code, 1)
        self.assertIn(b"event: failing\nsealpipe: error: remote command exited with status 3\n", r.err)
        r = self.execute(url, "slow", "--timeout", "1")
        self.assertEqual(r.code, 1)
        self.assertIn(b"remote command timed out", r.err)
        other = self.files.write("other.pub", x25519.X25519PrivateKey.generate().public_key().public_bytes(PEM, SPKI))
        r = clitest.run(*self.execute_args(url)[:-6], "--platform-key", other, "--client-cert", self.client_cert,
                        "--client-key", self.client_key, stdin=b"x\n")
        self.assertEqual(r.code, 1)
        self.assertIn(b"FAILED_PRECONDITION", r.err)
        # --raw: the completion plaintext, a sealpipe.command.Result (stdout = 1, exit_code = 2).
        r = self.execute(url, "raw", "--raw")
        self.assertEqual(r.code, 0, r.err)
        self.assertEqual(r.out, b"\x0a\x04RAW\n")
        # Signals end each process with status 0.
        for w in (w1, w2):
            code, err = w.signal(signal.SIGTERM)
            self.assertEqual(code, 0, err)
        code, err = s.signal(signal.SIGINT)
        self.assertEqual(code, 0, err)

    def running(self, *serve, word):
        """A scheduler, one worker, and a client whose action `word` that worker has started."""
        s, port = self.serve("--worker-gone-after", "1", *serve)
        url = "grpc://127.0.0.1:" + port
        w = self.worker(url, "first")
        self.assertEqual(self.until_a_worker_is_there(url).code, 0)
        client = subprocess.Popen([clitest.TOOL, *self.execute_args(url)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        client.stdin.write(word + b"\n")
        client.stdin.close()
        client.stdin = None
        self.assertEqual(client.stderr.readline(), b"event: started\n")   # the worker runs it
        return url, w, client

    def test_a_worker_killed_mid_run_ends_the_stream_unavailable(self):
        url, w, client = self.running(word=b"slow")
        w.p.kill()
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 1)
        self.assertIn(b"UNAVAILABLE", err)
        self.assertEqual(out, b"")

    def test_a_worker_killed_mid_run_is_replaced_when_requeue_is_on(self):
        url, first, client = self.running("--requeue", "1", word=b"flaky")
        self.worker(url, "second")
        first.p.kill()
        # The scheduler notices the lease run out, queues the action again, and the second
        # worker runs it to the end: the client sees a result, not UNAVAILABLE.
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 0, err)
        self.assertEqual(out, b"FLAKY\n")
        self.assertNotIn(b"UNAVAILABLE", err)

    def test_scheduler_restart(self):
        s, port = self.serve()
        url = "grpc://127.0.0.1:" + port
        self.worker(url, "survivor")
        self.assertEqual(self.until_a_worker_is_there(url).code, 0)
        client = subprocess.Popen([clitest.TOOL, *self.execute_args(url)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        client.stdin.write(b"slow\n")
        client.stdin.close()
        client.stdin = None
        self.assertEqual(client.stderr.readline(), b"event: started\n")
        code, err = s.signal(signal.SIGTERM)
        self.assertEqual(code, 0, err)
        # The client learns at once, with a clear error.
        out, err = client.communicate(timeout=60)
        self.assertEqual(client.returncode, 1)
        self.assertEqual(out, b"")
        self.assertRegex(err, rb"^sealpipe: error: UNAVAILABLE: ")
        # A new scheduler on the same port: the worker proves its keys again and carries on.
        again = self.start("scheduler", "serve", "--listen", "127.0.0.1:" + port)
        self.assertEqual(again.line(), "listening on 127.0.0.1:%s\n" % port)
        r = self.until_a_worker_is_there(url)
        self.assertEqual(r.code, 0, r.err)
        self.assertEqual(r.out, b"READY?\n")

    def test_tls_and_mutual_tls(self):
        server_ca_key = ec.generate_private_key(ec.SECP256R1())
        server_ca = certificate("server CA", server_ca_key, ca=True)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = certificate("localhost", server_key, server_ca, server_ca_key,
                             eku=[ExtendedKeyUsageOID.SERVER_AUTH], san=["localhost"])
        tls_client_key = ec.generate_private_key(ec.SECP256R1())
        tls_client = certificate("tls client", tls_client_key, server_ca, server_ca_key,
                                 eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        f = self.files
        server_ca_file = f.write("server-ca.pem", pem(server_ca))
        tls = ["--tls-ca", server_ca_file, "--tls-cert", f.write("tls-client.pem", pem(tls_client)),
               "--tls-key", f.write("tls-client.key", tls_client_key.private_bytes(PEM, PKCS8, NOENC))]
        s, port = self.serve("--tls-cert", f.write("server.pem", pem(server)),
                             "--tls-key", f.write("server.key", server_key.private_bytes(PEM, PKCS8, NOENC)),
                             "--tls-client-ca", server_ca_file)
        url = "grpcs://localhost:" + port
        self.worker(url, "tls", *tls)
        r = self.until_a_worker_is_there(url, *tls)
        self.assertEqual(r.code, 0, r.err)
        self.assertEqual(r.out, b"READY?\n")
        # Without a client certificate, or trusting another CA: refused.
        r = self.execute(url, "x", "--tls-ca", server_ca_file)
        self.assertEqual(r.code, 1)
        self.assertIn(b"UNAVAILABLE", r.err)
        wrong = self.files.write("wrong-ca.pem", pem(certificate("other CA", ec.generate_private_key(ec.SECP256R1()),
                                                                 ca=True)))
        r = self.execute(url, "x", "--tls-ca", wrong, *tls[2:])
        self.assertEqual(r.code, 1)
        self.assertIn(b"UNAVAILABLE", r.err)
        # Plaintext to a TLS port fails too.
        r = self.execute("grpc://localhost:" + port, "x")
        self.assertEqual(r.code, 1)

    def test_usage_errors(self):
        self.fails(2, "scheduler", "serve", "--listen", "127.0.0.1:0", "--tls-cert", self.ca)
        self.fails(2, *self.execute_args("http://127.0.0.1:1"), stdin=b"x")
        self.fails(2, *self.execute_args("grpc://127.0.0.1:1", "--priority", "high"), stdin=b"x")
        self.fails(2, "worker", "run", "--scheduler", "grpc://127.0.0.1:1", "--platform-key", self.platform_priv,
                   "--ca", self.ca)


if __name__ == "__main__":
    main()
