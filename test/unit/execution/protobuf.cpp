// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/codec/protobuf.hpp: the writer's bytes against hand-checked protobuf
// encodings, reader round trips, and every malformed case the reader must refuse.
#include <sealpipe/codec/protobuf.hpp>

#include <sealpipe/core/hex.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

using namespace sealpipe;
using namespace sealpipe::codec::protobuf;

namespace {

std::string hex_of(const Bytes& b) { return hex_encode(b); }

using sealpipe::test::unhex;

/// Reads every field; returns the error message of the first failure, or "".
std::string read_all(ByteView b) {
    Reader r(b, "test.Message");
    for (;;) {
        auto f = r.next();
        if (!f) {
            BOOST_TEST((f.error() == errc::malformed_input));
            return f.error().message();
        }
        if (!*f) return "";
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(protobuf_codec)

BOOST_AUTO_TEST_CASE(varints_as_protobuf_writes_them) {
    const std::pair<std::uint64_t, const char*> cases[] = {
        {0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {300, "ac02"}, {16384, "808001"},
        {0xffffffffu, "ffffffff0f"}, {std::numeric_limits<std::uint64_t>::max(), "ffffffffffffffffff01"}};
    for (auto [v, h] : cases) {
        Writer w;
        w.varint(v);
        BOOST_TEST(hex_of(w.bytes()) == h);
    }
}

BOOST_AUTO_TEST_CASE(fields_and_defaults) {
    Writer w;
    w.int64_field(1, 0);             // default: omitted
    w.bytes_field(2, {});            // default: omitted
    w.int64_field(1, 600);
    w.int32_field(2, -1);            // sign-extended to 10 bytes
    w.bytes_field(3, as_bytes("hi"));
    w.bytes_always(4, {});           // present even when empty
    w.fixed32_field(5, 0x01020304);
    w.fixed64_field(6, 1);
    w.uint64_field(7, 5);
    w.message_field(536870911, {});  // the largest field number
    BOOST_TEST(hex_of(w.bytes()) == "08d80410ffffffffffffffffff011a0268692200"
                                    "2d04030201310100000000000000"
                                    "3805" "faffffff0f00");
}

BOOST_AUTO_TEST_CASE(reader_round_trip) {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 200; ++round) {
        const std::uint64_t v = rng() >> (rng() % 64);
        const auto n = static_cast<std::uint32_t>(1 + rng() % max_field_number);
        Bytes payload(rng() % 40);
        for (auto& b : payload) b = static_cast<Byte>(rng());
        Writer w;
        w.uint64_field(n, v | 1);
        w.bytes_always(n, payload);
        w.fixed64_field(n, v | 1);
        w.fixed32_field(n, static_cast<std::uint32_t>(v) | 1);
        const Bytes enc = w.take();
        Reader r(enc, "m");
        auto a = r.next().value();
        BOOST_TEST_REQUIRE(a.has_value());
        BOOST_TEST(a->number == n);
        BOOST_TEST((a->type == WireType::varint));
        BOOST_TEST(a->number_value == (v | 1));
        auto b = r.next().value();
        BOOST_TEST((b->type == WireType::length_delimited));
        BOOST_TEST(to_bytes(b->bytes) == payload);
        auto c = r.next().value();
        BOOST_TEST((c->type == WireType::fixed64));
        BOOST_TEST(c->number_value == (v | 1));
        auto d = r.next().value();
        BOOST_TEST((d->type == WireType::fixed32));
        BOOST_TEST(d->number_value == ((static_cast<std::uint32_t>(v) | 1)));
        BOOST_TEST(!r.next().value().has_value());
        BOOST_TEST(r.done());
    }
}

BOOST_AUTO_TEST_CASE(non_minimal_varints_within_ten_bytes_are_read) {
    // protobuf accepts padded varints of up to 10 bytes; so does the reader.
    const Bytes padded = unhex("88808080808080808000" "00");   // key 1/varint padded to 10 bytes, value 0
    Reader r(padded, "m");
    auto f = r.next();
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST((*f)->number == 1u);
}

BOOST_AUTO_TEST_CASE(malformed_inputs) {
    const std::pair<const char*, const char*> cases[] = {
        {"80", "truncated varint"},
        {"08", "truncated varint"},                                       // key without value
        {"08ffffffffffffffffff", "truncated varint"},
        {"08ffffffffffffffffff02", "overflows 64 bits"},
        {"08ffffffffffffffffff8001", "longer than 10 bytes"},
        {"088080808080808080808001", "longer than 10 bytes"},
        {"0001", "field number 0"},
        {"8080808080808080808001", "longer than 10 bytes"},
        {"f8ffffffff0100", "out of range"},                                // a key beyond 32 bits
        {"808080801000", "out of range"},                                  // key 2^32: field number 2^29
        {"0e00", "invalid wire type 6"},
        {"0f00", "invalid wire type 7"},
        {"0b", "groups"},
        {"0c", "groups"},
        {"09010203", "truncated fixed64"},
        {"0d0102", "truncated fixed32"},
        {"0a05abcd", "length 5 exceeds the 2 bytes left"},
        {"0aff", "truncated varint"},
        {"0affffffffffffffffff01", "exceeds the 0 bytes left"},            // 2^64 − 1: no wrap-around
        {"0a8080808010", "exceeds"},
    };
    for (auto [h, expect] : cases) {
        BOOST_TEST_CONTEXT("input " << h) {
            const std::string msg = read_all(unhex(h));
            BOOST_TEST(msg.find(expect) != std::string::npos, msg);
            BOOST_TEST(msg.find("test.Message at byte") == 0u, msg);
        }
    }
    BOOST_TEST(read_all({}) == "");   // the empty message
}

BOOST_AUTO_TEST_SUITE_END()
