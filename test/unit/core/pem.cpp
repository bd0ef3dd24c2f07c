// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/pem.hpp.
#include <sealpipe/core/pem.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(pem)

BOOST_AUTO_TEST_CASE(write_then_parse) {
    const Bytes der = test::pattern(100);
    const std::string text = pem_write("PUBLIC KEY", der);
    BOOST_TEST(text.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    BOOST_TEST(text.ends_with("-----END PUBLIC KEY-----\n"));
    // 100 bytes -> 136 base64 characters -> lines of 64, 64, 8.
    BOOST_TEST(text.find("\n", 27 + 64) == 27 + 64);
    auto block = pem_parse_one(text, "PUBLIC KEY");
    BOOST_REQUIRE(block.has_value());
    BOOST_TEST(Bytes(block->der.begin(), block->der.end()) == der);
}

BOOST_AUTO_TEST_CASE(several_blocks_with_text_around) {
    const std::string text = "subject=CN=leaf\n" + pem_write("CERTIFICATE", Bytes{1, 2, 3}) + "\r\n" +
                             "issuer: CN=ca\n" + pem_write("CERTIFICATE", Bytes{4, 5});
    auto blocks = pem_parse(text);
    BOOST_REQUIRE(blocks.has_value());
    BOOST_TEST(blocks->size() == 2u);
    BOOST_TEST(((*blocks)[1].der == SecureBytes{4, 5}));
    BOOST_TEST(!pem_parse_one(text, "CERTIFICATE").has_value());   // two blocks where one expected
}

BOOST_AUTO_TEST_CASE(crlf_lines_are_accepted) {
    std::string text = pem_write("PRIVATE KEY", Bytes(40, 9));
    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    BOOST_TEST(pem_parse_one(crlf, "PRIVATE KEY").has_value());
}

BOOST_AUTO_TEST_CASE(type_is_checked) {
    auto r = pem_parse_one(pem_write("PRIVATE KEY", Bytes{1}), "PUBLIC KEY");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message() == "expected PEM block PUBLIC KEY, got PRIVATE KEY");
}

BOOST_AUTO_TEST_CASE(rejects_malformed) {
    const std::string_view bad[] = {
        "",
        "no pem here",
        "-----BEGIN X-----\nAQID\n",                                 // not terminated
        "-----BEGIN X-----\nAQID\n-----END Y-----\n",                // label mismatch
        "-----BEGIN X-----\nAQ*D\n-----END X-----\n",                // bad base64
        "-----BEGIN X-----\nAQ\n-----END X-----\n",                  // missing padding
        "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAQID\n-----END X-----\n",
        "-----BEGIN X-----\n-----BEGIN X-----\nAQID\n-----END X-----\n",
    };
    for (auto text : bad) {
        BOOST_TEST_CONTEXT(text) {
            auto r = pem_parse(text);
            BOOST_TEST(!r.has_value());
            if (!r) BOOST_TEST((r.error() == errc::malformed_input));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
