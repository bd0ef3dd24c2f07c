// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/jose/jws.hpp: sqooler's JWSDict byte for byte, RFC 7515 compact and
// flattened (RFC 8037 Appendix A.4), tampering, alg/kid checks, Verified<T>, and every
// Wycheproof Ed25519 case through the verifier.
#include <sealpipe/jose/jws.hpp>

#include "support/vectors.hpp"

#include <boost/json/serialize.hpp>
#include "support/print_error.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

using namespace sealpipe;
using namespace sealpipe::jose;

namespace {
constexpr std::string_view rfc8037_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
// RFC 8037 Appendix A.4: the compact JWS of "Example of Ed25519 signing" under {"alg":"EdDSA"}
constexpr std::string_view rfc_a4 =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

PrivateJwk key_with_kid(std::string kid) {
    return PrivateJwk::from_key(std::move(kid), Ed25519PrivateKey::from_raw(base64url_decode(rfc8037_d).value()).value()).value();
}

boost::json::object sample_payload() {
    return parse_python_json(R"({"job_id": "j-1", "value": 0.1, "n": 1e16, "s": "\u00e9\ud83d\ude00", "l": [1, -2.5, null, true]})")
        .value()
        .as_object();
}

std::string flip_char(std::string s, std::size_t i) {
    s[i] = s[i] == 'A' ? 'B' : 'A';
    return s;
}
} // namespace

static_assert(!std::is_default_constructible_v<Verified<Bytes>>);
static_assert(std::is_copy_constructible_v<Verified<Bytes>>);

BOOST_AUTO_TEST_SUITE(jws)

BOOST_AUTO_TEST_CASE(rfc8037_a4_compact) {
    const PrivateJwk key = key_with_kid("ignored");
    const auto pub = PublicJwk::parse(key.public_jwk().to_json(JwkForm::rfc8037)).value();
    // the A.4 JWS has no kid: verify with a key without kid
    const auto no_kid = PublicJwk::make("", pub.key()).value();
    const auto v = verify_compact(rfc_a4, no_kid);
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(as_chars(v->payload()) == "Example of Ed25519 signing");
    // and our signer reproduces the signature part (Ed25519 is deterministic)
    const std::string protected_b64 = "eyJhbGciOiJFZERTQSJ9";
    const std::string input = protected_b64 + ".RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    const auto sig = key.sign_raw(as_bytes(input)).value();
    BOOST_TEST(input + "." + base64url_encode(sig, Base64Padding::unpadded) == rfc_a4);
    BOOST_TEST(verify_jws(rfc_a4, no_kid).has_value());
}

BOOST_AUTO_TEST_CASE(sqooler_message_bytes) {
    const PrivateJwk key = key_with_kid("bob");
    const auto payload = sample_payload();
    const SqoolerJws jws = sign_sqooler(payload, key).value();
    // the signed message, rebuilt here from doc/protocol.md#signed-results
    const std::string header = R"({"alg":"EdDSA","kid":"bob","typ":"JWS","version":"0.1"})";
    const std::string body = R"({"job_id": "j-1", "value": 0.1, "n": 1e+16, "s": "\u00e9\ud83d\ude00", "l": [1, -2.5, null, true]})";
    const std::string message = base64url_encode(as_bytes(header)) + "." + base64url_encode(as_bytes(body));
    BOOST_TEST(jws.signature() == key.sign_raw(as_bytes(message)).value());
    const std::string stored = jws.to_json().value();
    BOOST_TEST(stored == R"({"header": {"alg": "EdDSA", "kid": "bob", "typ": "JWS", "version": "0.1"}, "payload": )" + body +
                             R"(, "signature": ")" + base64url_encode(jws.signature()) + "\"}");
    // storage round trip, then verification
    const auto back = SqoolerJws::parse(stored).value();
    const auto v = verify_sqooler(back, key.public_jwk());
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(v->kid() == "bob");
    BOOST_TEST(python_dumps(v->payload()).value() == body);
    BOOST_TEST(back.is_signed_by(key).value());
    BOOST_TEST(!back.is_signed_by(PrivateJwk::generate("bob").value()).value());
}

BOOST_AUTO_TEST_CASE(sqooler_signed_and_parsed_forms_agree) {
    // A JWSDict made by sign_sqooler keeps the text it signed; one read back keeps the
    // parsed payload. Both must write, verify and hand out the same thing.
    const PrivateJwk key = key_with_kid("k\xc3\xa9y \"q\"\t");
    const std::string run(40, 'r');
    boost::json::object payload = sample_payload();
    payload["long"] = run + "\"" + run + "\xf0\x9f\x98\x80" + run;
    payload["lone"] = "\xed\xa0\x80x";
    payload["edges"] = boost::json::array{5e-324, -0.0, std::numeric_limits<std::uint64_t>::max(),
                                          std::numeric_limits<std::int64_t>::min(), 1e16};
    payload["nested"] = boost::json::object{{"a", boost::json::array{boost::json::object{}, boost::json::array{}}}};
    const auto original = payload;
    const auto body = python_dumps(boost::json::value(payload)).value();
    const SqoolerJws jws = sign_sqooler(payload, key).value();
    BOOST_TEST(payload == original);  // the caller's object is not touched
    const std::string stored = jws.to_json().value();
    BOOST_TEST(stored == python_dumps(boost::json::value(jws.to_value())).value());
    BOOST_TEST(stored.find(R"(, "payload": )" + body + R"(, "signature": )") != std::string::npos);
    BOOST_TEST(jws.is_signed_by(key).value());
    const auto pub = key.public_jwk();
    const auto fresh = verify_sqooler(jws, pub);
    BOOST_REQUIRE(fresh.has_value());
    BOOST_TEST(python_dumps(boost::json::value(fresh->payload())).value() == body);
    BOOST_TEST(fresh->payload() == original);
    BOOST_TEST(as_chars(verify_jws(stored, pub).value().payload()) == body);

    SqoolerJws back = SqoolerJws::parse(stored).value();
    BOOST_TEST(back.to_json().value() == stored);
    BOOST_TEST(python_dumps(boost::json::value(back.to_value())).value() == stored);
    BOOST_TEST(back.is_signed_by(key).value());
    const auto kept = verify_sqooler(back, pub);
    BOOST_REQUIRE(kept.has_value());
    BOOST_TEST(kept->payload() == original);
    const auto moved = verify_sqooler(std::move(back), pub);
    BOOST_REQUIRE(moved.has_value());
    BOOST_TEST(moved->payload() == original);
    BOOST_TEST(moved->kid() == key.kid());
    // the move overload checks as much as the other one
    BOOST_TEST(verify_sqooler(SqoolerJws::parse(stored).value(), PrivateJwk::generate(key.kid()).value().public_jwk())
                   .error() == errc::signature_invalid);
    BOOST_TEST(verify_sqooler(SqoolerJws::parse(stored).value(), PrivateJwk::generate("other").value().public_jwk())
                   .error() == errc::signature_invalid);
    // a signed JWSDict verifies under the move overload too (its payload is read back)
    BOOST_TEST(verify_sqooler(sign_sqooler(original, key).value(), pub).value().payload() == original);
}

BOOST_AUTO_TEST_CASE(sqooler_payload_with_big_integers) {
    const auto key = PrivateJwk::generate("k").value();
    // Integers beyond 64 bits inside the payload are signed as json.dumps prints them...
    const auto payload = parse_python_json(R"({"shots": 18446744073709551616, "n": [-1e3, -99999999999999999999]})")
                             .value()
                             .as_object();
    const std::string stored = sign_sqooler(payload, key).value().to_json().value();
    BOOST_TEST(stored.find(R"("payload": {"shots": 18446744073709551616, "n": [-1000.0, -99999999999999999999]})") !=
               std::string::npos);
    auto verified = verify_sqooler(SqoolerJws::parse(stored).value(), key.public_jwk());
    BOOST_TEST_REQUIRE(verified.has_value());
    BOOST_TEST(big_integer_digits(verified->payload().at("shots")).value() == "18446744073709551616");
    // ...but a big integer is no payload object.
    const auto number = big_integer("18446744073709551616").value().as_object();
    BOOST_TEST(sign_sqooler(number, key).error() == errc::malformed_input);
    const std::string with_number = R"({"header": {"alg": "EdDSA", "kid": "k", "typ": "JWS", "version": "0.1"}, )"
                                    R"("payload": 18446744073709551616, "signature": "")";
    BOOST_TEST(SqoolerJws::parse(with_number + "}").error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(sqooler_header_order_and_defaults) {
    const PrivateJwk key = key_with_kid("k");
    const auto jws = sign_sqooler(sample_payload(), key).value();
    auto stored = parse_python_json(jws.to_json().value()).value();
    // header members in another order, and missing defaults: still the same signed header
    auto& h = stored.as_object()["header"].as_object();
    boost::json::object reordered;
    reordered["version"] = h["version"];
    reordered["kid"] = h["kid"];
    reordered["typ"] = h["typ"];
    h = reordered;
    BOOST_TEST(verify_sqooler(SqoolerJws::from_value(stored).value(), key.public_jwk()).has_value());
    h.erase("version");
    h.erase("typ");
    BOOST_TEST(verify_sqooler(SqoolerJws::from_value(stored).value(), key.public_jwk()).has_value());
    h["typ"] = "JWT";
    BOOST_TEST(verify_sqooler(SqoolerJws::from_value(stored).value(), key.public_jwk()).error() ==
               errc::signature_invalid);
}

BOOST_AUTO_TEST_CASE(sqooler_tampering_is_caught) {
    const PrivateJwk key = key_with_kid("k");
    const std::string stored = sign_sqooler(sample_payload(), key).value().to_json().value();
    const auto check = [&](boost::json::value doc, errc want) {
        const auto jws = SqoolerJws::from_value(doc);
        if (!jws) {
            BOOST_TEST(jws.error() == want);
            return;
        }
        BOOST_TEST(verify_sqooler(*jws, key.public_jwk()).error() == want);
    };
    const auto base = parse_python_json(stored).value();
    {
        auto d = base;
        d.as_object()["payload"].as_object()["value"] = 0.2;
        check(d, errc::signature_invalid);
    }
    {
        auto d = base;
        d.as_object()["payload"].as_object()["extra"] = 1;
        check(d, errc::signature_invalid);
    }
    {
        auto d = base;
        d.as_object()["header"].as_object()["alg"] = "none";
        check(d, errc::signature_invalid);
    }
    {
        auto d = base;
        d.as_object()["header"].as_object()["kid"] = "mallory";
        check(d, errc::signature_invalid);
    }
    {
        auto d = base;
        d.as_object()["header"].as_object()["x5u"] = "http://example";
        check(d, errc::malformed_input);
    }
    {
        auto d = base;
        d.as_object()["signature"] = flip_char(std::string(d.at("signature").as_string()), 5);
        check(d, errc::signature_invalid);
    }
    {
        auto d = base;
        d.as_object()["signature"] = "AAAA";
        check(d, errc::malformed_input);
    }
    {
        auto d = base;
        d.as_object()["more"] = 1;
        check(d, errc::malformed_input);
    }
    {
        auto d = base;
        d.as_object()["payload"] = boost::json::array{};
        check(d, errc::malformed_input);
    }
    // a different key under the same kid
    const auto other = PrivateJwk::generate("k").value().public_jwk();
    BOOST_TEST(verify_sqooler(SqoolerJws::parse(stored).value(), other).error() == errc::signature_invalid);
    // the original verifies
    BOOST_TEST(verify_sqooler(SqoolerJws::parse(stored).value(), key.public_jwk()).has_value());
}

BOOST_AUTO_TEST_CASE(compact_and_flattened_round_trip) {
    const PrivateJwk key = key_with_kid("alice");
    const Bytes payload = test::pattern(1024);
    const std::string compact = sign_compact(payload, key).value();
    BOOST_TEST(compact.substr(0, compact.find('.')) == base64url_encode(as_bytes(R"({"alg":"EdDSA","kid":"alice"})"),
                                                                        Base64Padding::unpadded));
    BOOST_TEST(compact.find('=') == std::string::npos);
    const auto v = verify_compact(compact, key.public_jwk());
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(v->payload() == payload);
    BOOST_TEST(v->kid() == "alice");

    const std::string flat = sign_flattened(payload, key).value();
    const auto fj = parse_python_json(flat).value().as_object();
    BOOST_TEST(fj.size() == 3u);
    BOOST_TEST(std::string(fj.at("protected").as_string()) + "." + std::string(fj.at("payload").as_string()) + "." +
                   std::string(fj.at("signature").as_string()) ==
               compact);
    BOOST_TEST(verify_flattened(flat, key.public_jwk())->payload() == payload);
    BOOST_TEST((detect_jws_format(compact).value() == JwsFormat::compact));
    BOOST_TEST((detect_jws_format(" " + flat + "\n").value() == JwsFormat::flattened));
    BOOST_TEST(verify_jws(flat + "\n", key.public_jwk())->payload() == payload);
    BOOST_TEST(verify_jws(sign_compact({}, key).value(), key.public_jwk())->payload().empty());
}

BOOST_AUTO_TEST_CASE(compact_rejections) {
    const PrivateJwk key = key_with_kid("alice");
    const std::string good = sign_compact(as_bytes("payload"), key).value();
    const auto pub = key.public_jwk();
    const auto d1 = good.find('.');
    const auto d2 = good.find('.', d1 + 1);
    const std::string payload_b64 = good.substr(d1 + 1, d2 - d1 - 1);
    const std::string sig_b64 = good.substr(d2 + 1);
    const auto with_header = [&](std::string_view header) {
        const std::string input = base64url_encode(as_bytes(header), Base64Padding::unpadded) + "." + payload_b64;
        return input + "." + base64url_encode(key.sign_raw(as_bytes(input)).value(), Base64Padding::unpadded);
    };
    BOOST_TEST(verify_compact(with_header(R"({"alg":"EdDSA","kid":"alice","typ":"JOSE"})"), pub).has_value());
    const std::pair<std::string, errc> cases[] = {
        {flip_char(good, good.size() - 5), errc::signature_invalid},
        {flip_char(good, d1 + 2), errc::signature_invalid},
        {good.substr(0, d2), errc::malformed_input},
        {good + ".x", errc::malformed_input},
        {good + "=", errc::malformed_input},
        {good.substr(0, d2 + 1) + sig_b64.substr(4), errc::malformed_input},
        {"", errc::malformed_input},
        {with_header(R"({"alg":"none","kid":"alice"})"), errc::signature_invalid},
        {with_header(R"({"alg":"HS256","kid":"alice"})"), errc::signature_invalid},
        {with_header(R"({"alg":"EdDSA","kid":"bob"})"), errc::signature_invalid},
        {with_header(R"({"kid":"alice"})"), errc::malformed_input},
        {with_header(R"({"alg":"EdDSA","alg":"EdDSA"})"), errc::malformed_input},
        {with_header(R"({"alg":"EdDSA","crit":["exp"]})"), errc::unsupported},
        {with_header(R"({"alg":"EdDSA","b64":false})"), errc::unsupported},
        {with_header(R"({"alg":"EdDSA","kid":1})"), errc::malformed_input},
        {with_header(R"(["alg"])"), errc::malformed_input},
        {with_header("not json"), errc::malformed_input},
    };
    for (const auto& [jws, want] : cases) {
        BOOST_TEST_CONTEXT(jws) { BOOST_TEST(verify_compact(jws, pub).error() == want); }
    }
    // flattened: unprotected header, general serialization, unknown members
    const std::string flat = sign_flattened(as_bytes("payload"), key).value();
    auto obj = parse_python_json(flat).value().as_object();
    auto with = [&](std::string_view k, boost::json::value v) {
        auto o = obj;
        o[k] = std::move(v);
        return compact_dumps(o).value();
    };
    BOOST_TEST(verify_flattened(with("header", boost::json::object{{"kid", "alice"}}), pub).error() == errc::unsupported);
    BOOST_TEST(verify_flattened(with("signatures", boost::json::array{}), pub).error() == errc::unsupported);
    BOOST_TEST(verify_flattened(with("extra", 1), pub).error() == errc::malformed_input);
    BOOST_TEST(verify_flattened(with("payload", 1), pub).error() == errc::malformed_input);
    BOOST_TEST(verify_flattened(with("payload", "cGF5bG9hZA"), pub).has_value());
    BOOST_TEST(verify_flattened(with("payload", "cGF5bG9hZa"), pub).error() == errc::malformed_input);
    BOOST_TEST(verify_flattened(with("payload", "cGF5bG9hZB"), pub).error() == errc::malformed_input);
    BOOST_TEST(verify_flattened(with("payload", "cGF5bG9hZC"), pub).error() == errc::malformed_input);
    BOOST_TEST(verify_flattened(with("payload", "cGF5bG9hZQ"), pub).error() == errc::signature_invalid);
    BOOST_TEST(detect_jws_format(R"({"a":1})").error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(key_without_kid_accepts_any_kid) {
    const PrivateJwk key = key_with_kid("alice");
    const auto anonymous = PublicJwk::make("", key.public_jwk().key()).value();
    BOOST_TEST(verify_compact(sign_compact(as_bytes("x"), key).value(), anonymous)->kid() == "alice");
    BOOST_TEST(verify_sqooler(sign_sqooler({}, key).value(), anonymous).has_value());
}

BOOST_AUTO_TEST_CASE(wycheproof_ed25519) {
    const auto doc = test::load_json("wycheproof/ed25519_test.json");
    std::size_t count = 0;
    for (const auto& g : doc.at("testGroups").as_array()) {
        const auto key = PublicJwk::make("", test::unhex(g.at("publicKey").at("pk"))).value();
        for (const auto& t : g.at("tests").as_array()) {
            BOOST_TEST_CONTEXT("tcId " << t.at("tcId").as_int64() << " " << t.at("comment").as_string()) {
                const Bytes msg = test::unhex(t.at("msg"));
                const Bytes sig = test::unhex(t.at("sig"));
                const bool want = t.at("result").as_string() == "valid";
                const auto s = Ed25519Signature::from(sig);
                const bool got = s.has_value() && key.verify_raw(msg, *s);
                BOOST_TEST(got == want);
                ++count;
            }
        }
    }
    BOOST_TEST(count == doc.at("numberOfTests").as_int64());
}

BOOST_AUTO_TEST_SUITE_END()
