// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// PADMÉ: exhaustive checks for small sizes, properties for large ones, strict unpadding.
#include <sealpipe/encoding/padme.hpp>

#include <support/vectors.hpp>

#include <boost/test/unit_test.hpp>

#include <bit>
#include <set>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

namespace {

// The definition as doc/protocol.md#padmé states it, computed without bit tricks: with e the exponent of n
// and s = e - bitlen(e), the smallest multiple of 2^s that is larger than n.
std::uint64_t reference_padme(std::uint64_t n) {
    std::uint64_t e = 0;
    while ((n >> (e + 1)) != 0) ++e;
    std::uint64_t bits_of_e = 0;
    while ((e >> bits_of_e) != 0) ++bits_of_e;
    const std::uint64_t step = std::uint64_t{1} << (e - bits_of_e);
    return (n / step + 1) * step;
}

} // namespace

static_assert(enc::padme_size(0) == 0);
static_assert(enc::padme_size(1) == 2 && enc::padme_size(11) == 12);

BOOST_AUTO_TEST_SUITE(padme)

BOOST_AUTO_TEST_CASE(exhaustive_up_to_64_kib) {
    std::uint64_t previous = 0;
    std::set<std::uint64_t> sizes;
    for (std::uint64_t n = 1; n <= 65536; ++n) {
        const std::uint64_t p = enc::padme_size(n);
        BOOST_TEST_REQUIRE(p > n, "n=" << n);
        BOOST_TEST_REQUIRE(p >= previous, "n=" << n);  // non-decreasing
        // Rounding n + 1 (room for the marker) up to the paper's granularity.
        BOOST_TEST_REQUIRE(p == reference_padme(n), "n=" << n);
        BOOST_TEST_REQUIRE(enc::is_padme_size(p));
        BOOST_TEST_REQUIRE(enc::padme_size(enc::padme_min_payload(p)) == p);
        BOOST_TEST_REQUIRE(enc::padme_min_payload(p) <= n);
        if (n >= 256) BOOST_TEST_REQUIRE(static_cast<double>(p - n) / static_cast<double>(n) <= 0.125, "n=" << n);
        sizes.insert(p);
        previous = p;
    }
    // Few distinct sizes: it hides all but O(log log n) bits.
    BOOST_TEST(sizes.size() < 1400u);
    for (std::uint64_t m = 1; m <= 4096; ++m) BOOST_TEST_REQUIRE(enc::is_padme_size(m) == sizes.contains(m), "m=" << m);
}

BOOST_AUTO_TEST_CASE(large_sizes) {
    for (std::uint64_t n : {std::uint64_t{1} << 20, (std::uint64_t{3} << 20) + 7, std::uint64_t{1} << 36,
                            (std::uint64_t{1} << 40) - 1}) {
        const std::uint64_t p = enc::padme_size(n);
        BOOST_TEST(p > n);
        BOOST_TEST(static_cast<double>(p - n) / static_cast<double>(n) <= 0.125);
        BOOST_TEST(enc::is_padme_size(p));
        const std::uint64_t m = enc::padme_min_payload(p);
        BOOST_TEST(m <= n);
        BOOST_TEST(enc::padme_size(m) == p);
        BOOST_TEST(enc::padme_size(m - 1) < p);  // the smallest payload of that padded size
    }
}

BOOST_AUTO_TEST_CASE(pad_then_unpad_every_small_size) {
    for (std::size_t n = 1; n <= 600; ++n) {
        const Bytes payload = test::pattern(n, static_cast<std::uint32_t>(n));
        Bytes padded(enc::padme_size(n));
        BOOST_TEST_REQUIRE(enc::padme_pad(payload, padded).has_value());
        BOOST_TEST_REQUIRE(padded[n] == 0x80);
        auto back = enc::padme_unpad(padded);
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST_REQUIRE(*back == n);
        // Any change to the padding is refused.
        for (std::size_t i = n; i < padded.size(); ++i) {
            Bytes bad = padded;
            bad[i] ^= 0x01;
            BOOST_TEST_REQUIRE(!enc::padme_unpad(bad).has_value(), "n=" << n << " i=" << i);
        }
    }
    Bytes wrong(5);
    BOOST_TEST(!enc::padme_pad(as_bytes("ab"), wrong).has_value());
}

BOOST_AUTO_TEST_CASE(unpad_messages) {
    BOOST_TEST(enc::padme_unpad(test::unhex(std::string_view("48656c6c6f20776f726c648076"))).error().message() ==
               "Padding contains invalid byte with value 118");
    BOOST_TEST(enc::padme_unpad(test::unhex(std::string_view("48656c6c6f20776f726c648000"))).error().message() ==
               "Encoded data is 13 bytes in size, while 12 bytes were expected for a payload of 11 bytes");
    BOOST_TEST(enc::padme_unpad(test::unhex(std::string_view("800000"))).error().message() == "No data remains after removing padding");
    BOOST_TEST(enc::padme_unpad({}).error().message() == "No data remains after removing padding");
    BOOST_TEST((enc::padme_unpad(test::unhex(std::string_view("0000"))).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_SUITE_END()
