// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/hash.hpp: FIPS 180-4 example vectors, incremental equals one-shot.
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/hex.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(hash)

BOOST_AUTO_TEST_CASE(sha256_vectors) {
    BOOST_TEST(hex_encode(sha256(as_bytes(""))) ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(hex_encode(sha256(as_bytes("abc"))) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(hex_encode(sha256(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

BOOST_AUTO_TEST_CASE(sha512_vectors) {
    BOOST_TEST(hex_encode(sha512(as_bytes("abc"))) ==
               "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
               "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

BOOST_AUTO_TEST_CASE(incremental_equals_one_shot) {
    const Bytes data = test::pattern(1000);
    for (std::size_t split : {0, 1, 63, 64, 65, 500, 1000}) {
        Sha256 h;
        h.update(ByteView(data).first(split)).update(ByteView(data).subspan(split));
        BOOST_TEST(h.finish() == sha256(data));
    }
    Sha512 h;
    h.update(data);
    BOOST_TEST(h.finish() == sha512(data));
    // finish() resets: the object can be reused.
    h.update(as_bytes("abc"));
    BOOST_TEST(h.finish() == sha512(as_bytes("abc")));
}

BOOST_AUTO_TEST_SUITE_END()
