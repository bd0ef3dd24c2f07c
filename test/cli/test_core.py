# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The tool's skeleton against doc/cli.md: version, help, dispatch errors, exit codes, binary I/O.
import base64
import hashlib
import os

from clitest import CliTestCase, main, run


class Skeleton(CliTestCase):
    def test_version(self):
        r = self.ok("--version")
        self.assertRegex(r.text, r"^sealpipe \d+\.\d+\.\d+\n$")

    def test_help_lists_commands(self):
        for args in (("help",), ("--help",)):
            r = self.ok(*args)
            self.assertIn("usage: sealpipe", r.text)
            self.assertIn("digest", r.text)

    def test_help_for_a_command(self):
        a = self.ok("help", "digest").text
        b = self.ok("digest", "--help").text
        self.assertEqual(a, b)
        self.assertIn("--algorithm", a)

    def test_no_arguments_is_usage_error(self):
        r = run(check_conventions=False)
        self.assertEqual(r.code, 2)
        self.assertEqual(r.out, b"")

    def test_unknown_command_and_option(self):
        self.assertIn("unknown command", self.fails(2, "frobnicate").err.decode())
        self.assertIn("unknown option", self.fails(2, "digest", "--bogus").err.decode())
        self.fails(2, "digest", "--algorithm")            # value missing
        self.fails(2, "digest", "--algorithm", "md5")     # bad value
        self.fails(2, "digest", "extra-positional")
        self.fails(2, "digest", "--algorithm", "sha256", "--algorithm", "sha512")


class BinarySafety(CliTestCase):
    def test_digest_of_binary_stdin(self):
        data = bytes(range(256)) * 1000 + b"\x00\r\n\x1a"
        self.assertEqual(self.ok("digest", stdin=data).text, hashlib.sha256(data).hexdigest() + "\n")
        self.assertEqual(self.ok("digest", "--algorithm=sha512", stdin=data).text,
                         hashlib.sha512(data).hexdigest() + "\n")

    def test_hex_and_base64_round_trip(self):
        data = os.urandom(1000)
        self.assertEqual(self.ok("hex", stdin=data).text, data.hex() + "\n")
        self.assertEqual(self.ok("hex", "--decode", stdin=data.hex().upper().encode()).out, data)
        self.assertEqual(self.ok("base64", "--url", stdin=data).text,
                         base64.urlsafe_b64encode(data).decode() + "\n")
        enc = base64.b64encode(data)
        self.assertEqual(self.ok("base64", "--decode", stdin=enc).out, data)

    def test_malformed_input_is_exit_2_with_nothing_on_stdout(self):
        self.fails(2, "hex", "--decode", stdin=b"abc")
        self.fails(2, "base64", "--decode", stdin=b"Zh==")


if __name__ == "__main__":
    main()
