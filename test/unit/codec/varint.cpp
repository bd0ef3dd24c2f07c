// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/codec/varint.hpp: every case of Bonanza's forward varint tests (decoding
// by type with Bonanza's messages, and encoding of every valid input), and round trips of
// random and boundary values of every integer type.
#include <sealpipe/codec/varint.hpp>

#include <sealpipe/core/hex.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>

using namespace sealpipe;
namespace varint = sealpipe::codec::varint;

namespace {

template <class T>
T parse_decimal(std::string_view s) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) throw std::runtime_error("bad decimal in vectors");
    return v;
}

template <class T>
void check_case(const boost::json::object& c) {
    const Bytes in = test::unhex(c.at("input_hex"));
    const auto decoded = varint::decode_forward<T>(in);
    const auto& consume = c.at("consume_forward").as_object();
    const auto& read = c.at("read_forward").as_object();
    if (consume.at("result").as_string() == "ok") {
        BOOST_TEST_REQUIRE(decoded.has_value(), (decoded ? "" : decoded.error().message()));
        BOOST_TEST(decoded->size == consume.at("n").to_number<std::size_t>());
        BOOST_TEST(decoded->value == parse_decimal<T>(consume.at("value").as_string()));
        BOOST_TEST(read.at("result").as_string() == "ok");
        BOOST_TEST(decoded->value == parse_decimal<T>(read.at("value").as_string()));
        // Each ok input is exactly what AppendForward produces.
        BOOST_TEST(hex_encode(varint::encode_forward(decoded->value)) == c.at("input_hex").as_string());
        BOOST_TEST(varint::forward_size(decoded->value) == in.size());
    } else {
        BOOST_TEST(consume.at("n").to_number<int>() == -1);
        BOOST_TEST_REQUIRE(!decoded.has_value());
        BOOST_TEST((decoded.error() == errc::malformed_input));
        BOOST_TEST(read.at("result").as_string() == "error");
        const auto& e = read.at("error").as_object();
        BOOST_TEST(e.at("code").as_string() == "InvalidArgument");
        BOOST_TEST(decoded.error().message() == e.at("message").as_string());
    }
}

template <class T>
void round_trip(T v) {
    const Bytes enc = varint::encode_forward(v);
    const auto dec = varint::decode_forward<T>(enc);
    if (!dec || dec->value != v || dec->size != enc.size() || enc.size() != varint::forward_size(v))
        BOOST_TEST(false, "round trip of " << +v << " as " << hex_encode(enc));
    // Followed by other bytes, it still reads the same and consumes only its own.
    Bytes more = enc;
    more.push_back(0xab);
    const auto dec2 = varint::decode_forward<T>(more);
    if (!dec2 || dec2->value != v || dec2->size != enc.size()) BOOST_TEST(false, "trailing byte for " << +v);
    // Truncated, it is an error.
    if (varint::decode_forward<T>(ByteView(enc).first(enc.size() - 1)).has_value())
        BOOST_TEST(false, "truncation accepted for " << +v);
}

template <class T>
void round_trips(std::mt19937_64& rng) {
    using L = std::numeric_limits<T>;
    for (T v : {T(0), T(1), L::max(), L::min(), T(L::max() - 1), T(L::min() + 1)}) round_trip(v);
    // Both sides of every length boundary.
    for (unsigned bits = 6; bits < 64; bits += 7) {
        const std::uint64_t b = std::uint64_t{1} << bits;
        for (std::uint64_t u : {b - 1, b, b + 1})
            if (u <= static_cast<std::uint64_t>(L::max())) round_trip(static_cast<T>(u));
        if constexpr (L::is_signed)
            for (std::int64_t s : {-static_cast<std::int64_t>(b) - 1, -static_cast<std::int64_t>(b),
                                   -static_cast<std::int64_t>(b) + 1})
                if (s >= static_cast<std::int64_t>(L::min())) round_trip(static_cast<T>(s));
    }
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t r = rng() >> (rng() % 64);  // all magnitudes
        round_trip(static_cast<T>(r));
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(varint_forward)

BOOST_AUTO_TEST_CASE(bonanza_cases) {
    const auto doc = test::load_json("bonanza/varint_forward_test.json");
    std::size_t count = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        const std::string_view type = c.at("type").as_string();
        BOOST_TEST_CONTEXT(c.at("name").as_string() << " " << type << " " << c.at("input_hex").as_string()) {
            if (type == "int8") check_case<std::int8_t>(c);
            else if (type == "uint8") check_case<std::uint8_t>(c);
            else if (type == "int16") check_case<std::int16_t>(c);
            else if (type == "uint16") check_case<std::uint16_t>(c);
            else if (type == "int32") check_case<std::int32_t>(c);
            else if (type == "uint32") check_case<std::uint32_t>(c);
            else if (type == "int64") check_case<std::int64_t>(c);
            else if (type == "uint64") check_case<std::uint64_t>(c);
            else BOOST_TEST(false, "unknown type " << type);
            ++count;
        }
    }
    BOOST_TEST(count == 32u);
}

BOOST_AUTO_TEST_CASE(spec_examples) {
    // doc/protocol.md#forward-varints: 0..63 -> one byte 0x80 | v; below 2^13 -> two bytes v | 0x4000.
    BOOST_TEST(hex_encode(varint::encode_forward(0)) == "80");
    BOOST_TEST(hex_encode(varint::encode_forward(63)) == "bf");
    BOOST_TEST(hex_encode(varint::encode_forward(64)) == "4040");
    BOOST_TEST(hex_encode(varint::encode_forward(8191)) == "5fff");
    BOOST_TEST(hex_encode(varint::encode_forward(8192)) == "202000");
    BOOST_TEST(hex_encode(varint::encode_forward(-1)) == "ff");
    BOOST_TEST(hex_encode(varint::encode_forward(-64)) == "c0");
    BOOST_TEST(hex_encode(varint::encode_forward(-65)) == "7fbf");
    BOOST_TEST(hex_encode(varint::encode_forward(std::uint64_t{1} << 62)) == "00404000000000000000");
    BOOST_TEST(hex_encode(varint::encode_forward((std::uint64_t{1} << 62) - 1)) == "00bfffffffffffffff");
    BOOST_TEST(hex_encode(varint::encode_forward(std::numeric_limits<std::int64_t>::min())) == "007f8000000000000000");
    static_assert(varint::forward_size(0) == 1 && varint::forward_size(-64) == 1 && varint::forward_size(64) == 2);
}

BOOST_AUTO_TEST_CASE(non_minimal_encodings_are_accepted_like_bonanza) {
    const auto v = varint::decode_forward<std::uint32_t>(test::unhex(std::string_view("4005")));
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(v->value == 5u);
    BOOST_TEST(v->size == 2u);
}

BOOST_AUTO_TEST_CASE(truncated_input) {
    for (const char* h : {"", "40", "2000", "00", "0080", "0040ffff"}) {
        const auto v = varint::decode_forward<std::uint64_t>(test::unhex(std::string_view(h)));
        BOOST_TEST_CONTEXT(h) {
            BOOST_TEST_REQUIRE(!v.has_value());
            BOOST_TEST((v.error() == errc::malformed_input));
            BOOST_TEST(v.error().message().find("forward varint: expected") == 0u);
        }
    }
    // 11 bytes and more are never valid, whatever follows.
    BOOST_TEST(varint::decode_forward<std::int64_t>(test::unhex(std::string_view("0020"))).error().message() ==
               "Value is out of range for int64 and uint64");
}

BOOST_AUTO_TEST_CASE(random_round_trips) {
    // TestForward/<Type>/Random, for every type.
    std::mt19937_64 rng(42);
    round_trips<std::int8_t>(rng);
    round_trips<std::uint8_t>(rng);
    round_trips<std::int16_t>(rng);
    round_trips<std::uint16_t>(rng);
    round_trips<std::int32_t>(rng);
    round_trips<std::uint32_t>(rng);
    round_trips<std::int64_t>(rng);
    round_trips<std::uint64_t>(rng);
}

BOOST_AUTO_TEST_SUITE_END()
