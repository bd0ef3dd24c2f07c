// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/keys against Project Wycheproof: X25519 (raw, ASN.1, PEM), ECDH on
// P-256/P-384/P-521, Ed25519 verification, HKDF-SHA-256. Every case is run; each
// `acceptable` case is decided by one documented rule per flag (doc/keys.md).
#include <sealpipe/keys.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>

using namespace sealpipe;
using namespace sealpipe::keys;
namespace json = boost::json;

namespace {

bool has_flag(const json::object& t, std::string_view flag) {
    for (const auto& f : t.at("flags").as_array())
        if (f.as_string() == flag) return true;
    return false;
}

std::string result_of(const json::object& t) { return std::string(t.at("result").as_string()); }

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](Byte c) { return c == 0; });
}

struct Tally {
    int valid = 0, invalid = 0, accepted = 0, rejected = 0;
};

// One X25519 case: decides acceptance and checks the result, once on every X25519 path this
// CPU supports (doc/keys.md "X25519 paths"). The rule (doc/keys.md): a case is rejected
// exactly when the shared secret is all zero (Go's rule, which Bonanza follows).
template <class Compute>
void x25519_case(const json::object& t, Compute compute, Tally& tally) {
    const std::string res = result_of(t);
    const Bytes expected = test::unhex(t.at("shared"));
    const bool must_reject = all_zero(expected);
    if (res == "invalid") ++tally.invalid;
    else if (must_reject) ++tally.rejected;
    else res == "valid" ? ++tally.valid : ++tally.accepted;
    // The rule coincides with Wycheproof's flag.
    if (res != "invalid") BOOST_TEST(must_reject == has_flag(t, "ZeroSharedSecret"));
    if (res == "valid") BOOST_TEST(!must_reject);
    for (auto path : keys::detail::all_x25519_paths) {
        if (!keys::detail::is_supported(path)) continue;
        BOOST_TEST_CONTEXT("X25519 path " << keys::detail::to_string(path)) {
            keys::detail::ScopedX25519Path force(path);
            auto got = compute();
            if (res == "invalid" || must_reject) {
                BOOST_TEST(!got.has_value());
                if (!got && res != "invalid") BOOST_TEST((got.error() == errc::invalid_key));
            } else {
                BOOST_TEST_REQUIRE(got.has_value(), got.error().message());
                const ByteView s = got->reveal(hazmat::secret_access());
                BOOST_TEST(Bytes(s.begin(), s.end()) == expected, boost::test_tools::per_element());
            }
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(wycheproof)

BOOST_AUTO_TEST_CASE(x25519_raw) {
    const auto doc = test::load_json("wycheproof/x25519_test.json");
    Tally tally;
    for (const auto& g : doc.at("testGroups").as_array())
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("x25519_test.json#" << t.at("tcId").as_int64() << " " << t.at("comment").as_string()) {
                x25519_case(t, [&]() -> result<SharedSecret<X25519>> {
                    auto priv = PrivateKey<X25519>::from_raw(test::unhex(t.at("private")));
                    if (!priv) return priv.error();
                    auto pub = PublicKey<X25519>::from_raw(test::unhex(t.at("public")));
                    if (!pub) return pub.error();
                    return ecdh(*priv, *pub);
                }, tally);
            }
        }
    BOOST_TEST(tally.valid == 264);
    BOOST_TEST(tally.rejected == 31);
    BOOST_TEST(tally.accepted == 518 - 264 - 31);
}

BOOST_AUTO_TEST_CASE(x25519_asn) {
    const auto doc = test::load_json("wycheproof/x25519_asn_test.json");
    Tally tally;
    for (const auto& g : doc.at("testGroups").as_array())
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("x25519_asn_test.json#" << t.at("tcId").as_int64() << " " << t.at("comment").as_string()) {
                x25519_case(t, [&]() -> result<SharedSecret<X25519>> {
                    auto priv = PrivateKey<X25519>::from_der(test::unhex(t.at("private")));
                    if (!priv) return priv.error();
                    auto pub = PublicKey<X25519>::from_der(test::unhex(t.at("public")));
                    if (!pub) return pub.error();
                    // Re-encoding gives back the input (one DER encoding per key).
                    BOOST_TEST(pub->to_der() == test::unhex(t.at("public")));
                    return ecdh(*priv, *pub);
                }, tally);
            }
        }
    BOOST_TEST(tally.invalid == 19);
    BOOST_TEST(tally.rejected == 31);
}

BOOST_AUTO_TEST_CASE(x25519_pem) {
    const auto doc = test::load_json("wycheproof/x25519_pem_test.json");
    Tally tally;
    for (const auto& g : doc.at("testGroups").as_array())
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("x25519_pem_test.json#" << t.at("tcId").as_int64()) {
                x25519_case(t, [&]() -> result<SharedSecret<X25519>> {
                    // Through the runtime variant this time, as the CLI reads keys.
                    auto priv = AnyPrivateKey::from_pem(std::string(t.at("private").as_string()));
                    if (!priv) return priv.error();
                    auto pub = AnyPublicKey::from_pem(std::string(t.at("public").as_string()));
                    if (!pub) return pub.error();
                    BOOST_TEST(pub->to_pem() == std::string(t.at("public").as_string()));
                    auto s = ecdh(*priv, *pub);
                    if (!s) return s.error();
                    return std::get<SharedSecret<X25519>>(std::move(*s));
                }, tally);
            }
        }
    BOOST_TEST(tally.rejected == 31);
}

// JWK (RFC 8037) is read by the JOSE area; here a minimal test-side reader turns the
// OKP/X25519 keys into raw bytes so that every case still runs through sealpipe's X25519.
// The invalid cases (other curves and key types, missing members) are refused by that
// reader; what this checks of the keys area is the agreement and public_from_private
// (the private JWK's "x" must be the public key sealpipe derives).
std::optional<Bytes> jwk_okp_x25519(const json::value& v, const char* member) {
    const auto* o = v.if_object();
    if (!o) return std::nullopt;
    const auto* kty = o->if_contains("kty");
    const auto* crv = o->if_contains("crv");
    const auto* m = o->if_contains(member);
    if (!kty || !crv || !m || !kty->is_string() || !crv->is_string() || !m->is_string()) return std::nullopt;
    if (kty->as_string() != "OKP" || crv->as_string() != "X25519") return std::nullopt;
    auto b = base64url_decode(std::string_view(m->as_string()), Base64Padding::unpadded);
    if (!b) return std::nullopt;
    return *b;
}

BOOST_AUTO_TEST_CASE(x25519_jwk) {
    const auto doc = test::load_json("wycheproof/x25519_jwk_test.json");
    Tally tally;
    for (const auto& g : doc.at("testGroups").as_array())
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("x25519_jwk_test.json#" << t.at("tcId").as_int64()) {
                x25519_case(t, [&]() -> result<SharedSecret<X25519>> {
                    auto d = jwk_okp_x25519(t.at("private"), "d");
                    auto x = jwk_okp_x25519(t.at("public"), "x");
                    if (!d || !x) return fail(errc::invalid_key, "JWK is not an OKP X25519 key");
                    auto priv = PrivateKey<X25519>::from_raw(*d);
                    if (!priv) return priv.error();
                    BOOST_TEST(to_bytes(priv->public_key().raw()) == *jwk_okp_x25519(t.at("private"), "x"));
                    auto pub = PublicKey<X25519>::from_raw(*x);
                    if (!pub) return pub.error();
                    return ecdh(*priv, *pub);
                }, tally);
            }
        }
    BOOST_TEST(tally.invalid == 13);
    BOOST_TEST(tally.rejected == 31);
}

// ECDH on NIST curves. Decisions (doc/keys.md): every `acceptable` flag here concerns a
// public-key encoding sealpipe refuses (compressed points, explicit or modified curve
// parameters, non-DER ASN.1), so every acceptable case is rejected. Run on every NIST path
// this program has (doc/keys.md "NIST curve paths"), with the same errors on each.
template <class Curve>
void nist_file(const std::string& file, int expect_valid) {
    const auto doc = test::load_json("wycheproof/" + file);
    int paths = 0;
    for (auto path : keys::detail::all_nist_paths) {
        if (!keys::detail::is_supported(path)) continue;
        ++paths;
        keys::detail::ScopedNistPath force(path);
        int valid = 0, rejected = 0;
        for (const auto& g : doc.at("testGroups").as_array())
            for (const auto& tv : g.at("tests").as_array()) {
                const auto& t = tv.as_object();
                BOOST_TEST_CONTEXT(file << "#" << t.at("tcId").as_int64() << " " << t.at("comment").as_string()
                                        << " (path " << keys::detail::to_string(path) << ")") {
                    // The private key is a big-endian integer, possibly with a leading 00.
                    Bytes d = test::unhex(t.at("private"));
                    while (d.size() > Curve::private_bytes && d.front() == 0) d.erase(d.begin());
                    while (d.size() < Curve::private_bytes) d.insert(d.begin(), 0);
                    auto priv = PrivateKey<Curve>::from_raw(d);
                    BOOST_TEST_REQUIRE(priv.has_value(), priv.error().message());
                    auto pub = PublicKey<Curve>::from_der(test::unhex(t.at("public")));
                    result<SharedSecret<Curve>> s = pub ? ecdh(*priv, *pub) : result<SharedSecret<Curve>>(pub.error());
                    if (result_of(t) == "valid") {
                        ++valid;
                        BOOST_TEST_REQUIRE(s.has_value(), s.error().message());
                        const ByteView v = s->reveal(hazmat::secret_access());
                        BOOST_TEST(Bytes(v.begin(), v.end()) == test::unhex(t.at("shared")), boost::test_tools::per_element());
                        BOOST_TEST(pub->to_der() == test::unhex(t.at("public")));
                    } else {
                        ++rejected;
                        BOOST_TEST(!s.has_value());
                    }
                    // The raw point, whatever its DER said, gets the same answer from the agreement
                    // itself on every path as from the key check.
                    if (!pub) continue;
                    FixedSecret<Curve::shared_secret_bytes, Curve> out;
                    const auto raw = Curve::agree(priv->raw(hazmat::secret_access()), pub->raw(),
                                                  out.reveal_mutable(hazmat::secret_access()));
                    BOOST_TEST(raw.has_value() == s.has_value());
                }
            }
        BOOST_TEST(valid == expect_valid);
        BOOST_TEST(rejected == static_cast<int>(doc.at("numberOfTests").as_int64()) - expect_valid);
    }
    // This test links the sealpipe::x509 component, so both paths ran.
    BOOST_TEST(paths == 2);
}

BOOST_AUTO_TEST_CASE(ecdh_p256) { nist_file<P256>("ecdh_secp256r1_test.json", 330); }
BOOST_AUTO_TEST_CASE(ecdh_p384) { nist_file<P384>("ecdh_secp384r1_test.json", 771); }
BOOST_AUTO_TEST_CASE(ecdh_p521) { nist_file<P521>("ecdh_secp521r1_test.json", 632); }

BOOST_AUTO_TEST_CASE(ed25519_verify) {
    const auto doc = test::load_json("wycheproof/ed25519_test.json");
    int valid = 0, invalid = 0;
    for (const auto& g : doc.at("testGroups").as_array()) {
        const auto& go = g.as_object();
        const Bytes pk = test::unhex(go.at("publicKey").at("pk"));
        auto key = PublicKey<Ed25519>::from_raw(pk);
        BOOST_TEST_REQUIRE(key.has_value(), key.error().message());
        // The DER and PEM forms name the same key, and are what sealpipe writes.
        auto from_der = PublicKey<Ed25519>::from_der(test::unhex(go.at("publicKeyDer")));
        BOOST_TEST_REQUIRE(from_der.has_value());
        BOOST_TEST((*from_der == *key));
        BOOST_TEST(key->to_pem() == std::string(go.at("publicKeyPem").as_string()));
        for (const auto& tv : go.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("ed25519_test.json#" << t.at("tcId").as_int64() << " " << t.at("comment").as_string()) {
                auto r = verify(*key, test::unhex(t.at("msg")), test::unhex(t.at("sig")));
                if (result_of(t) == "valid") {
                    ++valid;
                    BOOST_TEST(r.has_value(), (r ? "" : r.error().message()));
                } else {
                    ++invalid;
                    BOOST_TEST(!r.has_value());
                }
            }
        }
    }
    BOOST_TEST(valid == 88);
    BOOST_TEST(invalid == 63);
}

BOOST_AUTO_TEST_CASE(hkdf_sha256) {
    const auto doc = test::load_json("wycheproof/hkdf_sha256_test.json");
    int valid = 0, invalid = 0;
    for (const auto& g : doc.at("testGroups").as_array())
        for (const auto& tv : g.at("tests").as_array()) {
            const auto& t = tv.as_object();
            BOOST_TEST_CONTEXT("hkdf_sha256_test.json#" << t.at("tcId").as_int64() << " " << t.at("comment").as_string()) {
                Bytes out(static_cast<std::size_t>(t.at("size").as_int64()));
                auto r = sealpipe::hkdf_sha256(test::unhex(t.at("ikm")), test::unhex(t.at("salt")),
                                                   test::unhex(t.at("info")), out);
                if (result_of(t) == "valid") {
                    ++valid;
                    BOOST_TEST_REQUIRE(r.has_value());
                    BOOST_TEST(out == test::unhex(t.at("okm")), boost::test_tools::per_element());
                } else {
                    ++invalid;
                    BOOST_TEST(!r.has_value());
                    if (!r) BOOST_TEST((r.error() == errc::invalid_argument));
                }
            }
        }
    BOOST_TEST(valid == 83);
    BOOST_TEST(invalid == 3);
}

BOOST_AUTO_TEST_SUITE_END()
