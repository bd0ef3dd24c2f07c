// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/core/secret.hpp: wiping, access tokens, constant-time equality.
#include <sealpipe/core/secret.hpp>

#include <boost/test/unit_test.hpp>

#include <type_traits>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(secret)

BOOST_AUTO_TEST_CASE(secret_bytes_reveal_and_clone) {
    const Bytes raw{1, 2, 3, 4};
    SecretBytes s = SecretBytes::copy_of(raw);
    BOOST_TEST(s.size() == 4u);
    auto v = s.reveal(hazmat::secret_access());
    BOOST_TEST(Bytes(v.begin(), v.end()) == raw);
    SecretBytes c = s.clone();
    BOOST_TEST(c.equals(s));
    c.reveal_mutable(hazmat::secret_access())[0] = 9;
    BOOST_TEST(!c.equals(s));
    static_assert(!std::is_copy_constructible_v<SecretBytes>);
    static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
}

BOOST_AUTO_TEST_CASE(fixed_secret_checks_length) {
    auto k = FixedSecret<32>::from(Bytes(32, 1), "key");
    BOOST_TEST(k.has_value());
    auto bad = FixedSecret<32>::from(Bytes(16, 1), "key");
    BOOST_TEST(bad.error().message() == "key: expected 32 bytes, got 16");
}

BOOST_AUTO_TEST_CASE(fixed_secret_wipes_on_destruction) {
    // Construct in caller-owned storage, destroy, and look at the bytes left behind.
    alignas(FixedSecret<32>) unsigned char storage[sizeof(FixedSecret<32>)];
    auto* k = new (storage) FixedSecret<32>(FixedSecret<32>::from(Bytes(32, 0xAB)).value());
    BOOST_TEST(k->reveal(hazmat::secret_access())[5] == 0xAB);
    k->~FixedSecret<32>();
    bool all_zero = true;
    for (unsigned char c : storage) all_zero = all_zero && c == 0;
    BOOST_TEST(all_zero);
}

BOOST_AUTO_TEST_CASE(wipe_zeroes) {
    Bytes b(100, 0xff);
    wipe(b);
    BOOST_TEST(std::all_of(b.begin(), b.end(), [](Byte c) { return c == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
