// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/random.hpp.
#include <sealpipe/core/random.hpp>

#include <boost/test/unit_test.hpp>

#include <set>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(rng)

BOOST_AUTO_TEST_CASE(fills_and_differs) {
    std::set<Bytes> seen;
    for (int i = 0; i < 64; ++i) {
        Bytes b(16);
        BOOST_TEST(random_bytes(b).has_value());
        seen.insert(b);
    }
    BOOST_TEST(seen.size() == 64u);  // a collision of 128-bit values means a broken RNG
}

BOOST_AUTO_TEST_CASE(generates_strong_types) {
    using Nonce = FixedBytes<12, struct NonceRole>;
    auto a = SystemRng{}.generate<Nonce>();
    auto b = SystemRng{}.generate<Nonce>();
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST((*a != *b));
    BOOST_TEST(random_bytes(MutableByteView{}).has_value());
}

BOOST_AUTO_TEST_CASE(bytes_look_uniform) {
    // 64 KiB: every byte value should appear; a stuck or biased source fails this.
    Bytes b(65536);
    BOOST_REQUIRE(random_bytes(b).has_value());
    std::array<int, 256> counts{};
    for (Byte c : b) ++counts[c];
    for (int c : counts) {
        BOOST_TEST(c > 150);   // expected 256, sd 16
        BOOST_TEST(c < 370);
    }
}

BOOST_AUTO_TEST_SUITE_END()
