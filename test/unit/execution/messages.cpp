// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/execution/messages.hpp: deterministic encodings of Duration,
// AdditionalData, Action and Event (checked bytes), strict decoding (duplicates, wrong wire
// types, unknown fields, out-of-range values), and Bonanza's test vector.
#include <sealpipe/execution/messages.hpp>

#include <sealpipe/core/hex.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sealpipe;
using namespace sealpipe::execution;

namespace {

using sealpipe::test::unhex;

template <class M>
std::string decode_error(std::string_view h) {
    auto m = M::decode(unhex(h));
    BOOST_TEST_REQUIRE(!m.has_value());
    return m.error().message();
}

Action sample_action() {
    Action a;
    a.platform_pkix_public_key = unhex("302a300506032b656e032100e3e18f466719f7a78b7ad227e876d1d2a4c9f816782feb618188fb2d405bcc37");
    a.client_certificate_chain = {unhex("3003020101"), unhex("3003020102")};
    a.nonce = Bytes(12, 0);
    a.additional_data = AdditionalData{unhex("0733201c4ae9d692"), Duration{600, 5}};
    a.ciphertext = unhex("00112233445566778899aabbccddeeff00");
    return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(messages)

BOOST_AUTO_TEST_CASE(duration_encoding) {
    BOOST_TEST(hex_encode(Duration{600, 0}.encode()) == "08d804");
    BOOST_TEST(hex_encode(Duration{0, 0}.encode()) == "");
    BOOST_TEST(hex_encode(Duration{1, 500000000}.encode()) == "08011080cab5ee01");
    BOOST_TEST(hex_encode(Duration{-1, -1}.encode()) == "08ffffffffffffffffff0110ffffffffffffffffff01");
    for (const Duration d : {Duration{600, 0}, Duration{-5, -7}, Duration{Duration::max_seconds, 999999999}}) {
        auto back = Duration::decode(d.encode());
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST((*back == d));
    }
    BOOST_TEST((Duration{1, 0}.valid()));
    BOOST_TEST((!Duration{1, -1}.valid()));
    BOOST_TEST((!Duration{0, 1000000000}.valid()));
    BOOST_TEST((!Duration{Duration::max_seconds + 1, 0}.valid()));
    BOOST_TEST((Duration{90, 5}.to_chrono().count() == 90'000'000'005));
}

BOOST_AUTO_TEST_CASE(duration_strictness) {
    BOOST_TEST(decode_error<Duration>("08010802").find("seconds (field 1) appears more than once") != std::string::npos);
    BOOST_TEST(decode_error<Duration>("0a00").find("seconds (field 1) has wire type 2, expected 0") != std::string::npos);
    BOOST_TEST(decode_error<Duration>("1880").find("truncated varint") != std::string::npos);
    BOOST_TEST(decode_error<Duration>("1801").find("unknown field 3") != std::string::npos);
    // nanos beyond int32 (protobuf would truncate it silently).
    BOOST_TEST(decode_error<Duration>("108080808010").find("does not fit int32") != std::string::npos);
    // A negative int32 is sign-extended; 5 bytes of 0xff...0x0f is +4294967295, not -1.
    BOOST_TEST(decode_error<Duration>("10ffffffff0f").find("does not fit int32") != std::string::npos);
    auto neg = Duration::decode(unhex("10ffffffffffffffffff01"));
    BOOST_TEST_REQUIRE(neg.has_value());
    BOOST_TEST(neg->nanos == -1);
}

BOOST_AUTO_TEST_CASE(action_encoding_is_deterministic) {
    const Action a = sample_action();
    const std::string expected =
        "0a2c302a300506032b656e032100e3e18f466719f7a78b7ad227e876d1d2a4c9f816782feb618188fb2d405bcc37"
        "12053003020101" "12053003020102"
        "1a0c000000000000000000000000"
        "2211" "0a080733201c4ae9d692" "1205" "08d8041005"
        "2a1100112233445566778899aabbccddeeff00";
    BOOST_TEST(hex_encode(a.encode()) == expected);
    auto back = Action::decode(a.encode());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((*back == a));
    // The empty action encodes to nothing; additional data present but empty is kept.
    BOOST_TEST(Action{}.encode().empty());
    Action e;
    e.additional_data = AdditionalData{};
    BOOST_TEST(hex_encode(e.encode()) == "2200");
    auto eb = Action::decode(e.encode());
    BOOST_TEST_REQUIRE(eb.has_value());
    BOOST_TEST(eb->additional_data.has_value());
    BOOST_TEST(!eb->additional_data->execution_timeout.has_value());
    // A zero timeout is present: an empty Duration, kept through a round trip.
    AdditionalData zero{{}, Duration{0, 0}};
    BOOST_TEST(hex_encode(zero.encode()) == "1200");
    auto zb = AdditionalData::decode(zero.encode());
    BOOST_TEST_REQUIRE(zb.has_value());
    BOOST_TEST((zb->execution_timeout == Duration{0, 0}));
    // Empty certificates are still written (repeated fields keep every element).
    Action c;
    c.client_certificate_chain = {Bytes{}, unhex("aa")};
    BOOST_TEST(hex_encode(c.encode()) == "12001201aa");
}

BOOST_AUTO_TEST_CASE(fields_in_any_order_are_read) {
    // protobuf parsers accept fields in any order; the canonical re-encoding sorts them.
    auto a = Action::decode(unhex("2a0101" "1a0c000000000000000000000000" "0a0102"));
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(hex_encode(a->encode()) == "0a01021a0c0000000000000000000000002a0101");
}

BOOST_AUTO_TEST_CASE(action_strictness) {
    BOOST_TEST(decode_error<Action>("0a01aa0a01bb").find("platform_pkix_public_key (field 1) appears more than once") !=
               std::string::npos);
    BOOST_TEST(decode_error<Action>("1a00" "1a00").find("nonce (field 3) appears more than once") != std::string::npos);
    BOOST_TEST(decode_error<Action>("2200" "2200").find("additional_data (field 4) appears more than once") !=
               std::string::npos);
    BOOST_TEST(decode_error<Action>("2a00" "2a00").find("ciphertext") != std::string::npos);
    BOOST_TEST(decode_error<Action>("1001").find("client_certificate_chain (field 2) has wire type 0") !=
               std::string::npos);
    BOOST_TEST(decode_error<Action>("0801").find("has wire type 0, expected 2") != std::string::npos);
    BOOST_TEST(decode_error<Action>("3001").find("unknown field 6") != std::string::npos);
    BOOST_TEST(decode_error<Action>("0a05aabb").find("exceeds") != std::string::npos);
    // Errors inside nested messages name the path.
    const std::string nested = decode_error<Action>("2204" "1202" "0880");
    BOOST_TEST(nested.find("bonanza.encryptedaction.Action.additional_data") != std::string::npos, nested);
    BOOST_TEST(nested.find("execution_timeout: google.protobuf.Duration at byte 1: truncated varint") != std::string::npos,
               nested);
    BOOST_TEST(decode_error<Action>("2204" "1202" "0801" "2204" "1202" "0801").find("appears more than once") !=
               std::string::npos);
    BOOST_TEST(decode_error<Action>("2206" "1202" "0801" "1200").find("execution_timeout (field 2) appears more than once") !=
               std::string::npos);
    BOOST_TEST(decode_error<Action>("2202" "1801").find("unknown field 3") != std::string::npos);
    // At most 16 certificates.
    std::string many;
    for (int i = 0; i < 17; ++i) many += "1201aa";
    auto m = Action::decode(unhex(many));
    BOOST_TEST_REQUIRE(!m.has_value());
    BOOST_TEST((m.error() == errc::size_limit_exceeded));
    BOOST_TEST(Action::decode(unhex(many.substr(6))).has_value());
}

BOOST_AUTO_TEST_CASE(event_encoding) {
    const Event e{Bytes(12, 7), unhex("0102030405060708090a0b0c0d0e0f10")};
    BOOST_TEST(hex_encode(e.encode()) == "0a0c070707070707070707070707" "12100102030405060708090a0b0c0d0e0f10");
    auto back = Event::decode(e.encode());
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST((*back == e));
    BOOST_TEST(decode_error<Event>("0a00" "0a00").find("nonce (field 1) appears more than once") != std::string::npos);
    BOOST_TEST(decode_error<Event>("1000").find("ciphertext (field 2) has wire type 0") != std::string::npos);
    BOOST_TEST(decode_error<Event>("1a00").find("unknown field 3") != std::string::npos);
    BOOST_TEST(decode_error<Event>("12").find("truncated") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncation_anywhere_is_refused_or_a_prefix) {
    // Cutting the encoding inside a field is an error; only cuts at field boundaries parse.
    const Bytes enc = sample_action().encode();
    std::size_t accepted = 0;
    for (std::size_t n = 0; n < enc.size(); ++n) {
        auto a = Action::decode(ByteView(enc).first(n));
        if (a) {
            ++accepted;
            BOOST_TEST(a->encode() == to_bytes(ByteView(enc).first(n)));
        } else {
            BOOST_TEST((a.error() == errc::malformed_input));
        }
    }
    BOOST_TEST(accepted == 6u);   // the empty prefix and the five whole-field boundaries before the end
}

BOOST_AUTO_TEST_CASE(bonanza_vector_decodes) {
    const auto doc = test::load_json("bonanza/encryptedaction_action_test.json");
    for (const auto& c : doc.at("cases").as_array()) {
        BOOST_TEST_CONTEXT(c.at("name").as_string().c_str()) {
            const auto& a = c.at("action").as_object();
            Action action;
            action.platform_pkix_public_key = unhex(std::string_view(a.at("platform_pkix_public_key_hex").as_string()));
            action.nonce = unhex(std::string_view(a.at("nonce_hex").as_string()));
            const auto& ad = a.at("additional_data").as_object();
            action.additional_data = AdditionalData{
                unhex(std::string_view(ad.at("stable_fingerprint_hex").as_string())),
                Duration{ad.at("execution_timeout").at("seconds").as_int64(), 0}};
            action.ciphertext = unhex(std::string_view(a.at("ciphertext_hex").as_string()));
            auto back = Action::decode(action.encode());
            BOOST_TEST_REQUIRE(back.has_value());
            BOOST_TEST((*back == action));
            BOOST_TEST(back->nonce.empty());
            BOOST_TEST(hex_encode(back->additional_data->encode()) == "0a100733201c4ae9d692769499c1c4082a32120308d804");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
