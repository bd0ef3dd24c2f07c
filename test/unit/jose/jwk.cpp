// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/jose/jwk.hpp: sqooler's JWK JSON and config string, RFC 8037 form
// (Appendix A.1 key), private to public, and refusal of inconsistent keys.
#include <sealpipe/jose/jwk.hpp>

#include "support/vectors.hpp"

#include "support/print_error.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sealpipe;
using namespace sealpipe::jose;

namespace {
// RFC 8037 Appendix A.1 (the key of RFC 8032 §7.1 test 1)
constexpr std::string_view rfc_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view rfc_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

std::string text(const SecretBytes& s) { return std::string(as_chars(s.reveal(hazmat::secret_access()))); }

PrivateJwk rfc_key(std::string kid = "rfc") {
    const Bytes d = base64url_decode(rfc_d).value();
    return PrivateJwk::from_key(std::move(kid), Ed25519PrivateKey::from_raw(d).value()).value();
}
bool same_seed(const PrivateJwk& a, const PrivateJwk& b) {
    return constant_time_equal(a.private_key().raw(hazmat::secret_access()), b.private_key().raw(hazmat::secret_access()));
}
} // namespace

BOOST_AUTO_TEST_SUITE(jwk)

BOOST_AUTO_TEST_CASE(rfc8037_a1_public_key_from_private) {
    const PrivateJwk key = rfc_key();
    BOOST_TEST(base64url_encode(key.public_jwk().key().raw(), Base64Padding::unpadded) == rfc_x);
    BOOST_TEST(key.public_jwk().to_json(JwkForm::rfc8037) ==
               R"({"kty":"OKP","crv":"Ed25519","x":")" + std::string(rfc_x) + R"(","kid":"rfc"})");
    BOOST_TEST(text(key.to_json(JwkForm::rfc8037)) == R"({"kty":"OKP","crv":"Ed25519","x":")" + std::string(rfc_x) +
                                                           R"(","d":")" + std::string(rfc_d) + R"(","kid":"rfc"})");
    // RFC 8037 A.1 as printed there (no kid): a private key needs a kid, the public half does not
    const std::string a1 = R"({"kty":"OKP","crv":"Ed25519","d":")" + std::string(rfc_d) + R"(","x":")" +
                           std::string(rfc_x) + R"("})";
    BOOST_TEST(PrivateJwk::parse(a1).error() == errc::invalid_key);
    const auto a2 = PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + std::string(rfc_x) + R"("})");
    BOOST_REQUIRE(a2.has_value());
    BOOST_TEST(a2->kid().empty());
    BOOST_TEST((a2->key() == key.public_jwk().key()));
}

BOOST_AUTO_TEST_CASE(sqooler_form_byte_for_byte) {
    const PrivateJwk key = rfc_key("bob");
    const std::string x = base64url_encode(key.public_jwk().key().raw());  // padded
    const std::string d = std::string(rfc_d) + "=";
    BOOST_TEST(x == std::string(rfc_x) + "=");
    const std::string priv = R"({"x":")" + x + R"(","key_ops":"sign","kid":"bob","d":")" + d +
                             R"(","kty":"OKP","alg":"EdDSA","crv":"Ed25519"})";
    BOOST_TEST(text(key.to_json()) == priv);
    BOOST_TEST(text(key.to_config_string()) == base64url_encode(as_bytes(priv)));
    BOOST_TEST(key.public_jwk().to_json() ==
               R"({"x":")" + x + R"(","key_ops":"verify","kid":"bob","d":null,"kty":"OKP","alg":"EdDSA","crv":"Ed25519"})");
    BOOST_TEST(python_dumps(key.public_jwk().to_value()).value() ==
               R"({"x": ")" + x +
                   R"(", "key_ops": "verify", "kid": "bob", "d": null, "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519"})");
}

BOOST_AUTO_TEST_CASE(config_string_round_trip) {
    const PrivateJwk key = PrivateJwk::generate("k\xc3\xa9y \"1\"").value();
    const std::string config = text(key.to_config_string());
    const auto back = PrivateJwk::from_config_string(config);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(back->kid() == key.kid());
    BOOST_TEST(same_seed(*back, key));
    BOOST_TEST(back->public_jwk() == key.public_jwk());
    // unpadded is accepted too; non-base64url and non-JSON are malformed
    BOOST_TEST(PrivateJwk::from_config_string(config.substr(0, config.find('='))).has_value());
    BOOST_TEST(PrivateJwk::from_config_string(config + "\n").error() == errc::malformed_input);
    BOOST_TEST(PrivateJwk::from_config_string(base64url_encode(as_bytes("{nope"))).error() == errc::malformed_input);
    // two generated keys differ
    BOOST_TEST(!same_seed(PrivateJwk::generate("a").value(), PrivateJwk::generate("a").value()));
}

BOOST_AUTO_TEST_CASE(parse_both_forms_and_key_ops) {
    const PrivateJwk key = rfc_key("k");
    const PublicJwk pub = key.public_jwk();
    for (JwkForm form : {JwkForm::sqooler, JwkForm::rfc8037}) {
        BOOST_TEST(PublicJwk::parse(pub.to_json(form)).value() == pub);
        const auto back = PrivateJwk::parse(text(key.to_json(form)));
        BOOST_REQUIRE(back.has_value());
        BOOST_TEST(same_seed(*back, key));
    }
    const std::string x = std::string(rfc_x);
    // key_ops as an RFC 7517 array
    BOOST_TEST(PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + x + R"(","key_ops":["verify"]})").has_value());
    BOOST_TEST(PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + x + R"(","key_ops":"sign"})").error() ==
               errc::invalid_key);
    BOOST_TEST(PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + x + R"(","key_ops":[]})").error() ==
               errc::invalid_key);
    BOOST_TEST(PrivateJwk::parse(R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + x + R"(","d":")" +
                                 std::string(rfc_d) + R"(","key_ops":"verify"})")
                   .error() == errc::invalid_key);
}

BOOST_AUTO_TEST_CASE(inconsistent_or_foreign_keys_are_refused) {
    const std::string x = std::string(rfc_x);
    const std::string d = std::string(rfc_d);
    const std::string other_x = base64url_encode(Bytes(32, 7));
    const std::pair<std::string, errc> cases[] = {
        {R"({"kty":"EC","crv":"Ed25519","x":")" + x + R"("})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"X25519","x":")" + x + R"("})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519","alg":"ES256","x":")" + x + R"("})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519"})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519","x":"!!"})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519","x":5})", errc::invalid_key},
        {R"({"kty":"OKP","crv":"Ed25519","kid":7,"x":")" + x + R"("})", errc::invalid_key},
        {R"([1])", errc::invalid_key},
        {R"({"kty":"OKP",)", errc::malformed_input},
        // a private key where a public one is expected
        {R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + x + R"(","d":")" + d + R"("})", errc::invalid_key},
    };
    for (const auto& [json, e] : cases) {
        BOOST_TEST_CONTEXT(json) { BOOST_TEST(PublicJwk::parse(json).error() == e); }
    }
    // x that is not the public key of d
    BOOST_TEST(PrivateJwk::parse(R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + other_x + R"(","d":")" + d +
                                 R"("})")
                   .error() == errc::invalid_key);
    BOOST_TEST(PrivateJwk::parse(R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + x + R"(","d":"AAAA"})").error() ==
               errc::invalid_key);
    BOOST_TEST(PrivateJwk::parse(R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + x + R"(","d":null})").error() ==
               errc::invalid_key);
    BOOST_TEST(PrivateJwk::generate("").error() == errc::invalid_argument);
    BOOST_TEST(PrivateJwk::generate("\xff").error() == errc::invalid_argument);
    BOOST_TEST(PublicJwk::make("k", Bytes(31)).error() == errc::invalid_length);
}

// A JWK of small order would let anyone "sign" under its kid (R = identity, S = 0): refused
// when it is made or read, like libsodium refuses it.
BOOST_AUTO_TEST_CASE(small_order_keys_are_refused) {
    const std::string_view small_order[] = {
        "0100000000000000000000000000000000000000000000000000000000000000",  // the identity
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        // non-canonical encodings (y = p, y = p + 1) do not decode at all
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    for (const auto hex : small_order) {
        const Bytes x = test::unhex(hex);
        BOOST_TEST_CONTEXT(hex) {
            BOOST_TEST(PublicJwk::make("k", x).error() == errc::invalid_key);
            const std::string json = R"({"kty":"OKP","crv":"Ed25519","kid":"k","x":")" + base64url_encode(x) + R"("})";
            BOOST_TEST(PublicJwk::parse(json).error() == errc::invalid_key);
            const std::string sqooler = R"({"x":")" + base64url_encode(x, Base64Padding::padded) +
                                        R"(","key_ops":"verify","kid":"k","d":null,"kty":"OKP","alg":"EdDSA","crv":"Ed25519"})";
            BOOST_TEST(PublicJwk::parse(sqooler).error() == errc::invalid_key);
        }
    }
    BOOST_TEST(PublicJwk::make("k", Ed25519PublicKey::from_raw(test::unhex(small_order[0])).value()).error() ==
               errc::invalid_key);
}

// RFC 7517 §4: member names are unique; a repeated one is refused, not read with its last value.
BOOST_AUTO_TEST_CASE(repeated_members_are_refused) {
    const std::string x = std::string(rfc_x);
    const std::string other_x = base64url_encode(PrivateJwk::generate("o").value().public_jwk().key().raw());
    BOOST_TEST(PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","x":")" + x + R"(","x":")" + other_x + R"("})").error() ==
               errc::malformed_input);
    BOOST_TEST(PublicJwk::parse(R"({"kty":"OKP","crv":"Ed25519","kid":"a","kid":"b","x":")" + x + R"("})").error() ==
               errc::malformed_input);
    const std::string priv = text(rfc_key().to_json());
    BOOST_TEST(PrivateJwk::parse(priv.substr(0, priv.size() - 1) + R"(,"kid":"other"})").error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(wycheproof_public_jwks) {
    const auto doc = test::load_json("wycheproof/ed25519_test.json");
    for (const auto& g : doc.at("testGroups").as_array()) {
        const auto key = PublicJwk::from_value(g.at("publicKeyJwk"));
        BOOST_REQUIRE(key.has_value());
        BOOST_TEST(key->key().raw().size() == 32u);
        BOOST_TEST(Bytes(key->key().raw().begin(), key->key().raw().end()) == test::unhex(g.at("publicKey").at("pk")));
    }
}

BOOST_AUTO_TEST_SUITE_END()
