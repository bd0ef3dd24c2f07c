// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/bytes.hpp and constant_time.hpp.
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>

#include <boost/test/unit_test.hpp>

#include <type_traits>

using namespace sealpipe;

using Nonce = FixedBytes<12, struct NonceRole>;
using Tag16 = FixedBytes<16, struct AeadTagRole>;

BOOST_AUTO_TEST_SUITE(bytes)

BOOST_AUTO_TEST_CASE(fixed_bytes_checks_length) {
    Bytes twelve(12, 7), eight(8, 7);
    auto n = Nonce::from(twelve, "nonce");
    BOOST_TEST(n.has_value());
    BOOST_TEST((*n)[11] == 7);
    auto bad = Nonce::from(eight, "nonce");
    BOOST_TEST(!bad.has_value());
    BOOST_TEST(bad.error().message() == "nonce: expected 12 bytes, got 8");
}

BOOST_AUTO_TEST_CASE(fixed_bytes_roles_are_distinct_types) {
    static_assert(!std::is_convertible_v<Nonce, FixedBytes<12, struct OtherRole>>);
    static_assert(!std::is_convertible_v<Nonce, Tag16>);
    static_assert(std::is_convertible_v<Nonce, ByteView>);
    static_assert(Nonce::size_bytes == 12);
    Nonce a, b;
    BOOST_TEST((a == b));
    b[0] = 1;
    BOOST_TEST((a < b));
}

BOOST_AUTO_TEST_CASE(string_views) {
    BOOST_TEST(as_chars(as_bytes("abc")) == "abc");
    Bytes b = to_bytes(as_bytes("xy"));
    append(b, as_bytes("z"));
    BOOST_TEST(as_chars(b) == "xyz");
}

BOOST_AUTO_TEST_CASE(constant_time_equality) {
    Bytes a{1, 2, 3}, b{1, 2, 3}, c{1, 2, 4}, d{1, 2};
    BOOST_TEST(constant_time_equal(a, b));
    BOOST_TEST(!constant_time_equal(a, c));
    BOOST_TEST(!constant_time_equal(a, d));
    BOOST_TEST(constant_time_equal(ByteView{}, ByteView{}));
    // Every single-byte difference anywhere is detected.
    Bytes big(1000, 0x55);
    for (std::size_t i = 0; i < big.size(); i += 37) {
        Bytes other = big;
        other[i] ^= 0x80;
        BOOST_TEST(!constant_time_equal(big, other));
    }
}

BOOST_AUTO_TEST_SUITE_END()
