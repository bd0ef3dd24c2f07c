// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/hex.hpp.
#include <sealpipe/core/hex.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(hex)

BOOST_AUTO_TEST_CASE(encodes_lowercase) {
    BOOST_TEST(hex_encode(Bytes{0x00, 0x9f, 0xAB, 0xff}) == "009fabff");
    BOOST_TEST(hex_encode(Bytes{}) == "");
}

BOOST_AUTO_TEST_CASE(decodes_either_case) {
    BOOST_TEST((hex_decode("009FabFF").value() == Bytes{0x00, 0x9f, 0xab, 0xff}));
    BOOST_TEST(hex_decode("").value().empty());
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    for (std::string_view bad : {"0", "abc", "0g", "0x00", " 00", "00 ", "zz"}) {
        auto r = hex_decode(bad);
        BOOST_TEST_CONTEXT(bad) {
            BOOST_TEST(!r.has_value());
            BOOST_TEST((r.error() == errc::malformed_input));
        }
    }
}

BOOST_AUTO_TEST_CASE(round_trips_every_length) {
    for (std::size_t n = 0; n < 70; ++n) {
        Bytes b = test::pattern(n, static_cast<std::uint32_t>(n));
        BOOST_TEST(hex_decode(hex_encode(b)).value() == b);
    }
}

BOOST_AUTO_TEST_SUITE_END()
