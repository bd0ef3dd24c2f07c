// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/base64.hpp: RFC 4648 §10 vectors, url alphabet, strictness.
#include <sealpipe/core/base64.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
    const std::pair<std::string_view, std::string_view> v[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (auto [plain, enc] : v) {
        BOOST_TEST(base64_encode(as_bytes(plain)) == enc);
        BOOST_TEST(as_chars(base64_decode(enc).value()) == plain);
        std::string unpadded(enc.substr(0, enc.find('=')));
        BOOST_TEST(base64_encode(as_bytes(plain), Base64Alphabet::standard, Base64Padding::unpadded) == unpadded);
        BOOST_TEST(as_chars(base64_decode(unpadded).value()) == plain);
    }
}

BOOST_AUTO_TEST_CASE(url_alphabet) {
    const Bytes b{0xfb, 0xff, 0xbf};
    BOOST_TEST(base64_encode(b) == "+/+/");
    BOOST_TEST(base64url_encode(b) == "-_-_");
    BOOST_TEST(base64url_decode("-_-_").value() == b);
    BOOST_TEST(!base64url_decode("+/+/").has_value());
    BOOST_TEST(!base64_decode("-_-_").has_value());
    BOOST_TEST(base64url_encode(Bytes{1}) == "AQ==");
    BOOST_TEST(base64url_encode(Bytes{1}, Base64Padding::unpadded) == "AQ");
}

BOOST_AUTO_TEST_CASE(padding_modes_are_enforced) {
    BOOST_TEST(!base64_decode("Zg", Base64Alphabet::standard, Base64Padding::padded).has_value());
    BOOST_TEST(!base64_decode("Zg==", Base64Alphabet::standard, Base64Padding::unpadded).has_value());
    BOOST_TEST(base64_decode("Zg==", Base64Alphabet::standard, Base64Padding::padded).has_value());
    BOOST_TEST(base64_decode("Zg", Base64Alphabet::standard, Base64Padding::unpadded).has_value());
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    for (std::string_view bad : {"Z", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n",
                                 "=Zm9", "Zm9v=", "Zg==Zg==", "Zm*v", "Zm9vY"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto r = base64_decode(bad);
            BOOST_TEST(!r.has_value());
            if (!r) BOOST_TEST((r.error() == errc::malformed_input));
        }
    }
}

BOOST_AUTO_TEST_CASE(round_trips_every_length) {
    for (std::size_t n = 0; n < 100; ++n) {
        Bytes b = test::pattern(n, static_cast<std::uint32_t>(n + 5));
        for (auto a : {Base64Alphabet::standard, Base64Alphabet::url})
            for (auto p : {Base64Padding::padded, Base64Padding::unpadded})
                BOOST_TEST(base64_decode(base64_encode(b, a, p), a, p).value() == b);
    }
}

BOOST_AUTO_TEST_SUITE_END()
