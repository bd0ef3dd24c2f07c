# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The key commands against doc/cli.md, cross-checked with Python `cryptography` (OpenSSL):
# PEM interop both ways, ECDH on every curve, the Ed25519 -> X25519 conversion, purpose
# keys, verification zeros, client certificate chains and X25519 on edge u-coordinates.
import base64
import datetime
import hashlib
import os
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from clitest import CliTestCase, main

P = 2**255 - 19
CURVES = {"p256": ec.SECP256R1, "p384": ec.SECP384R1, "p521": ec.SECP521R1}
PEM = serialization.Encoding.PEM
PKCS8 = serialization.PrivateFormat.PKCS8
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
NOENC = serialization.NoEncryption()


def new_key(kind):
    if kind == "x25519":
        return x25519.X25519PrivateKey.generate()
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(CURVES[kind]())


def exchange(priv, pub):
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        return priv.exchange(ec.ECDH(), pub)
    return priv.exchange(pub)


def ed_to_x_private(k):
    seed = k.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, NOENC)
    return x25519.X25519PrivateKey.from_private_bytes(hashlib.sha512(seed).digest()[:32])


def ed_to_x_public(pub):
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, P - 2, P) % P
    return x25519.X25519PublicKey.from_public_bytes(u.to_bytes(32, "little"))


class Files:
    def __init__(self, test):
        self.dir = tempfile.TemporaryDirectory()
        test.addCleanup(self.dir.cleanup)

    def write(self, name, data):
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path


class Keys(CliTestCase):
    def setUp(self):
        self.files = Files(self)

    def priv_file(self, name, k):
        return self.files.write(name, k.private_bytes(PEM, PKCS8, NOENC))

    def pub_file(self, name, k):
        return self.files.write(name, k.public_key().public_bytes(PEM, SPKI))

    def test_generate_reads_in_python(self):
        for kind in ("x25519", "ed25519", "p256", "p384", "p521"):
            pem = self.ok("key", "generate", "--type", kind).out
            k = serialization.load_pem_private_key(pem, None)
            if kind in CURVES:
                self.assertIsInstance(k.curve, CURVES[kind])
            else:
                self.assertIsInstance(k, {"x25519": x25519.X25519PrivateKey,
                                          "ed25519": ed25519.Ed25519PrivateKey}[kind])
            # key public agrees with Python, byte for byte.
            self.assertEqual(self.ok("key", "public", stdin=pem).out, k.public_key().public_bytes(PEM, SPKI))
        self.fails(2, "key", "generate", "--type", "rsa")
        self.fails(2, "key", "generate")

    def test_python_keys_read_by_the_tool(self):
        for kind in ("x25519", "ed25519", "p256", "p384", "p521"):
            k = new_key(kind)
            out = self.ok("key", "public", stdin=k.private_bytes(PEM, PKCS8, NOENC)).out
            self.assertEqual(out, k.public_key().public_bytes(PEM, SPKI))

    def test_ecdh_matches_python(self):
        for kind in ("x25519", "p256", "p384", "p521"):
            a, b = new_key(kind), new_key(kind)
            expected = exchange(a, b.public_key())
            r = self.ok("key", "ecdh", "--private", self.priv_file("a.pem", a), "--peer", self.pub_file("b.pub", b))
            self.assertEqual(r.text, expected.hex() + "\n", kind)

    def test_x25519_edge_u_matches_python(self):
        # Peer u-coordinates above p, with bit 255 set and at radix-2^51 limb boundaries:
        # the tool (on the fastest X25519 path of this CPU) agrees with OpenSSL via Python.
        edges = [P + 2, P + 9, 2**255 - 2, 2**255 - 1, 2**256 - 1, 2**255 + 9, 2**255 + P + 5,
                 2**51, 2**102 - 1, 2**153, 2**204 + 1]
        edges += [int.from_bytes(os.urandom(32), "little") | (1 << 255) for _ in range(4)]
        a = new_key("x25519")
        pa = self.priv_file("a.pem", a)
        for u in edges:
            peer = x25519.X25519PublicKey.from_public_bytes(u.to_bytes(32, "little"))
            expected = a.exchange(peer)
            pb = self.files.write("u.pub", peer.public_bytes(PEM, SPKI))
            r = self.ok("key", "ecdh", "--private", pa, "--peer", pb)
            self.assertEqual(r.text, expected.hex() + "\n", hex(u))

    def test_ed25519_converted_on_either_side(self):
        ed, x = new_key("ed25519"), new_key("x25519")
        expected = exchange(ed_to_x_private(ed), x.public_key())
        self.assertEqual(exchange(x, ed_to_x_public(ed.public_key())), expected)
        r1 = self.ok("key", "ecdh", "--private", self.priv_file("ed.pem", ed), "--peer", self.pub_file("x.pub", x))
        r2 = self.ok("key", "ecdh", "--private", self.priv_file("x.pem", x), "--peer", self.pub_file("ed.pub", ed))
        self.assertEqual(r1.text, expected.hex() + "\n")
        self.assertEqual(r2.text, expected.hex() + "\n")

    def test_purposes(self):
        a, b = new_key("p256"), new_key("p256")
        raw = exchange(a, b.public_key())
        args = ("key", "ecdh", "--private", self.priv_file("a.pem", a), "--peer", self.pub_file("b.pub", b))
        for name, value in (("none", 0), ("action", 1), ("execution-event", 2), ("completion-event", 3)):
            expected = bytes([raw[0] ^ value]) + raw[1:]
            self.assertEqual(self.ok(*args, "--purpose", name).text, expected.hex() + "\n")
        self.fails(2, *args, "--purpose", "bogus")
        # HKDF-SHA-256 extension.
        hk = HKDF(hashes.SHA256(), 32, None, b"sealpipe purpose\x02").derive(raw)
        self.assertEqual(self.ok(*args, "--purpose", "execution-event", "--kdf", "hkdf-sha256").text, hk.hex() + "\n")
        self.fails(2, *args, "--kdf", "hkdf-sha256")   # no purpose
        self.fails(2, *args, "--purpose", "action", "--kdf", "sha1")

    def test_p384_purpose_needs_kdf(self):
        a, b = new_key("p384"), new_key("p384")
        raw = exchange(a, b.public_key())
        args = ("key", "ecdh", "--private", self.priv_file("a.pem", a), "--peer", self.pub_file("b.pub", b))
        self.assertIn("hkdf-sha256", self.fails(2, *args, "--purpose", "action").err.decode())
        hk = HKDF(hashes.SHA256(), 32, None, b"sealpipe purpose\x01").derive(raw)
        self.assertEqual(self.ok(*args, "--purpose", "action", "--kdf", "hkdf-sha256").text, hk.hex() + "\n")

    def test_verification_zeros(self):
        for kind in ("x25519", "p256"):
            a, b = new_key(kind), new_key(kind)
            raw = exchange(a, b.public_key())
            enc = Cipher(algorithms.AES(raw), modes.ECB()).encryptor()
            expected = enc.update(bytes(16)) + enc.finalize()
            r = self.ok("key", "verification-zeros", "--private", self.priv_file("a.pem", a),
                        "--peer", self.pub_file("b.pub", b))
            self.assertEqual(r.text, expected.hex() + "\n")
        a = new_key("p521")
        self.fails(2, "key", "verification-zeros", "--private", self.priv_file("c.pem", a),
                   "--peer", self.pub_file("c.pub", a))

    def test_bad_inputs(self):
        a, b = new_key("x25519"), new_key("p256")
        pa, pb = self.priv_file("a.pem", a), self.pub_file("b.pub", b)
        err = self.fails(2, "key", "ecdh", "--private", pa, "--peer", pb).err.decode()
        self.assertIn("expected an X25519 key, got a P-256 key", err)
        self.fails(2, "key", "ecdh", "--private", pb, "--peer", pa)            # swapped kinds of file
        self.fails(2, "key", "public", stdin=b"not a key")
        self.fails(2, "key", "ecdh", "--private", pa, "--peer", "/nonexistent")
        # A low-order X25519 peer key (all-zero secret) is refused.
        zero = self.files.write("zero.pub", x25519.X25519PublicKey.from_public_bytes(bytes(32)).public_bytes(PEM, SPKI))
        self.assertIn("low order", self.fails(2, "key", "ecdh", "--private", pa, "--peer", zero).err.decode())
        # Trailing garbage after the DER inside the PEM.
        der = a.private_bytes(serialization.Encoding.DER, PKCS8, NOENC) + b"\x00"
        pem = b"-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(der) + b"\n-----END PRIVATE KEY-----\n"
        self.assertIn("trailing", self.fails(2, "key", "public", stdin=pem).err.decode())


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(cn, key, issuer=None, issuer_key=None, ca=False, eku=None, days=(-30, 365), now=None):
    now = now or datetime.datetime(2027, 1, 15, tzinfo=datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(name(cn))
         .issuer_name(issuer.subject if issuer else name(cn))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now + datetime.timedelta(days=days[0]))
         .not_valid_after(now + datetime.timedelta(days=days[1]))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    signer = issuer_key or key
    algo = None if isinstance(signer, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(signer, algo)


def pem_of(*certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


NOW = "1800000000"   # 2027-01-15


class Certificates(CliTestCase):
    def setUp(self):
        self.files = Files(self)
        self.root_key = ed25519.Ed25519PrivateKey.generate()
        self.root = issue("root", self.root_key, ca=True)
        self.int_key = ec.generate_private_key(ec.SECP256R1())
        self.inter = issue("intermediate", self.int_key, self.root, self.root_key, ca=True)
        self.leaf_key = ed25519.Ed25519PrivateKey.generate()
        self.leaf = issue("alice", self.leaf_key, self.inter, self.int_key, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        self.ca = self.files.write("ca.pem", pem_of(self.root))

    def test_valid_chain(self):
        self.ok("cert", "verify", "--ca", self.ca, "--at", NOW, stdin=pem_of(self.leaf, self.inter))

    def test_expired_and_not_yet_valid(self):
        chain = pem_of(self.leaf, self.inter)
        self.fails(1, "cert", "verify", "--ca", self.ca, "--at", str(int(NOW) + 400 * 86400), stdin=chain)
        self.fails(1, "cert", "verify", "--ca", self.ca, "--at", str(int(NOW) - 40 * 86400), stdin=chain)
        # Default time is now (2026): the chain is not yet valid.
        self.fails(1, "cert", "verify", "--ca", self.ca, stdin=chain)

    def test_untrusted(self):
        other_key = ed25519.Ed25519PrivateKey.generate()
        other = issue("other root", other_key, ca=True)
        self.fails(1, "cert", "verify", "--ca", self.files.write("o.pem", pem_of(other)), "--at", NOW,
                   stdin=pem_of(self.leaf, self.inter))
        self.fails(1, "cert", "verify", "--ca", self.ca, "--at", NOW, stdin=pem_of(self.leaf))   # no intermediate
        server = issue("srv", ec.generate_private_key(ec.SECP256R1()), self.inter, self.int_key,
                       eku=[ExtendedKeyUsageOID.SERVER_AUTH])
        err = self.fails(1, "cert", "verify", "--ca", self.ca, "--at", NOW, stdin=pem_of(server, self.inter)).err
        self.assertIn(b"client authentication", err)
        der = bytearray(self.leaf.public_bytes(serialization.Encoding.DER))
        der[-3] ^= 1
        tampered = x509.load_der_x509_certificate(bytes(der))
        self.fails(1, "cert", "verify", "--ca", self.ca, "--at", NOW, stdin=pem_of(tampered, self.inter))

    def test_malformed(self):
        self.fails(2, "cert", "verify", "--ca", self.ca, "--at", NOW, stdin=b"garbage")
        self.fails(2, "cert", "verify", "--ca", self.ca, "--at", "yesterday", stdin=pem_of(self.leaf))
        self.fails(2, "cert", "verify", "--ca", "/nonexistent", stdin=pem_of(self.leaf))

    def test_ecdh_with_a_certificate_chain_peer(self):
        mine = x25519.X25519PrivateKey.generate()
        mine_file = self.files.write("m.pem", mine.private_bytes(PEM, PKCS8, NOENC))
        chain = self.files.write("chain.pem", pem_of(self.leaf, self.inter))
        expected = exchange(mine, ed_to_x_public(self.leaf_key.public_key()))
        self.assertEqual(self.ok("key", "ecdh", "--private", mine_file, "--peer", chain).text, expected.hex() + "\n")


if __name__ == "__main__":
    main()
