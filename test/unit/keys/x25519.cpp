// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for the X25519 paths (keys/detail/curve25519.hpp, keys/detail/x25519_ifma.hpp):
// RFC 7748 §5.2 and §6.1 vectors on every path, forcing a path through the public API, and
// a differential test of every path against Crypto++'s donna and libsodium on random and
// edge-case scalars and u-coordinates (u >= p, bit 255 set, limb boundaries).
#include <sealpipe/keys.hpp>
#include <sealpipe/keys/detail/curve25519.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <cryptopp/donna.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::keys;
namespace kd = sealpipe::keys::detail;

namespace {

using Bytes32 = std::array<Byte, 32>;

Bytes32 b32(std::string_view hex) {
    const Bytes b = test::unhex(hex);
    BOOST_TEST_REQUIRE(b.size() == 32u);
    Bytes32 out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

std::vector<kd::X25519Path> supported_paths() {
    std::vector<kd::X25519Path> out;
    for (auto p : kd::all_x25519_paths)
        if (kd::is_supported(p)) out.push_back(p);
    return out;
}

Bytes32 x25519_on(kd::X25519Path p, const Bytes32& k, const Bytes32& u) {
    Bytes32 out{};
    kd::x25519_on(p, k.data(), u.data(), out.data());
    return out;
}

Bytes32 donna(const Bytes32& k, const Bytes32& u) {
    Bytes32 out{};
    CryptoPP::Donna::curve25519_mult(out.data(), k.data(), u.data());
    return out;
}

/// The little-endian bytes of sum(words[i] * 2^(64 i)).
Bytes32 from_words(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, std::uint64_t w3) {
    Bytes32 out{};
    const std::uint64_t w[4] = {w0, w1, w2, w3};
    for (int i = 0; i < 32; ++i) out[i] = static_cast<Byte>(w[i / 8] >> (8 * (i % 8)));
    return out;
}

/// u-coordinates where a field implementation is likely to slip: around 0 and p, at or above
/// p (non-canonical), with bit 255 set, and with limbs at radix-2^51 and 2^64 boundaries.
std::vector<Bytes32> edge_us() {
    constexpr std::uint64_t ones = ~std::uint64_t{0};
    constexpr std::uint64_t top = ones >> 1;   // 2^63 - 1
    const std::uint64_t p0 = ones - 18;        // p = 2^255 - 19
    std::vector<Bytes32> us = {
        from_words(0, 0, 0, 0),                // low order: the all-zero result
        from_words(1, 0, 0, 0),
        from_words(2, 0, 0, 0),
        from_words(9, 0, 0, 0),
        from_words(p0 - 1, ones, ones, top),   // p - 1
        from_words(p0, ones, ones, top),       // p, reduces to 0
        from_words(p0 + 1, ones, ones, top),   // p + 1
        from_words(p0 + 2, ones, ones, top),   // p + 2
        from_words(p0 + 9, ones, ones, top),   // p + 9
        from_words(ones - 1, ones, ones, top), // 2^255 - 2
        from_words(ones, ones, ones, top),     // 2^255 - 1
        from_words(ones, ones, ones, ones),    // 2^256 - 1: bit 255 masked
        from_words(0, 0, 0, std::uint64_t{1} << 63),        // 2^255: masked to 0
        from_words(9, 0, 0, std::uint64_t{1} << 63),        // 2^255 + 9
        from_words(p0 + 2, ones, ones, ones),  // p + 2 with bit 255 set
    };
    // Limb boundaries: 2^(51 j) - 1, 2^(51 j), and all-ones radix-2^51 limbs.
    for (int j = 1; j < 5; ++j) {
        Bytes32 below{}, at{};
        for (int bit = 0; bit < 51 * j; ++bit) below[bit / 8] |= static_cast<Byte>(1u << (bit % 8));
        at[(51 * j) / 8] = static_cast<Byte>(1u << ((51 * j) % 8));
        us.push_back(below);
        us.push_back(at);
    }
    return us;
}

} // namespace

BOOST_AUTO_TEST_SUITE(x25519_paths)

BOOST_AUTO_TEST_CASE(path_selection) {
    BOOST_TEST(kd::is_supported(kd::X25519Path::donna));
    BOOST_TEST(kd::is_supported(kd::default_x25519_path()));
    // The default is the last (fastest) supported path.
    BOOST_TEST((kd::default_x25519_path() == supported_paths().back()));
    BOOST_TEST_MESSAGE("X25519 default path on this machine: " << kd::to_string(kd::default_x25519_path()));
    BOOST_TEST((kd::active_x25519_path() == kd::default_x25519_path()));
    for (auto p : supported_paths()) {
        kd::ScopedX25519Path force(p);
        BOOST_TEST((kd::active_x25519_path() == p));
        {
            kd::ScopedX25519Path inner(kd::X25519Path::donna);
            BOOST_TEST((kd::active_x25519_path() == kd::X25519Path::donna));
        }
        BOOST_TEST((kd::active_x25519_path() == p));
    }
    BOOST_TEST((kd::active_x25519_path() == kd::default_x25519_path()));
}

// RFC 7748 §5.2: the two single vectors and the iterated one (1 and 1,000 rounds).
BOOST_AUTO_TEST_CASE(rfc7748_section_5_2) {
    struct Case {
        const char* k;
        const char* u;
        const char* out;
    };
    const Case cases[] = {
        {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    };
    for (auto p : supported_paths()) {
        BOOST_TEST_CONTEXT("path " << kd::to_string(p)) {
            for (const auto& c : cases) BOOST_TEST(x25519_on(p, b32(c.k), b32(c.u)) == b32(c.out));
            Bytes32 k = from_words(9, 0, 0, 0), u = k;
            for (int i = 1; i <= 1000; ++i) {
                const Bytes32 r = x25519_on(p, k, u);
                u = k;
                k = r;
                if (i == 1) BOOST_TEST(k == b32("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"));
            }
            BOOST_TEST(k == b32("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"));
        }
    }
}

// RFC 7748 §6.1 through the public API with each path forced: both public keys and the
// shared secret from both sides.
BOOST_AUTO_TEST_CASE(rfc7748_section_6_1) {
    const Bytes alice = test::unhex(std::string_view("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    const Bytes bob = test::unhex(std::string_view("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    const Bytes alice_pub = test::unhex(std::string_view("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    const Bytes bob_pub = test::unhex(std::string_view("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
    const Bytes shared = test::unhex(std::string_view("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
    for (auto p : supported_paths()) {
        BOOST_TEST_CONTEXT("path " << kd::to_string(p)) {
            kd::ScopedX25519Path force(p);
            auto a = PrivateKey<X25519>::from_raw(alice).value();
            auto b = PrivateKey<X25519>::from_raw(bob).value();
            BOOST_TEST(to_bytes(a.public_key().raw()) == alice_pub);
            BOOST_TEST(to_bytes(b.public_key().raw()) == bob_pub);
            auto s1 = ecdh(a, b.public_key());
            auto s2 = ecdh(b, a.public_key());
            BOOST_TEST_REQUIRE((s1.has_value() && s2.has_value()));
            const ByteView v1 = s1->reveal(hazmat::secret_access()), v2 = s2->reveal(hazmat::secret_access());
            BOOST_TEST(Bytes(v1.begin(), v1.end()) == shared);
            BOOST_TEST(Bytes(v2.begin(), v2.end()) == shared);
        }
    }
}

// Every path against Crypto++'s donna and libsodium: random scalars with random u (a third
// of them with bit 255 set, a tenth pushed to or above p) and with every edge-case u.
BOOST_AUTO_TEST_CASE(differential) {
    BOOST_TEST_REQUIRE(sodium_init() >= 0);
    std::mt19937_64 rng(0x7748);
    auto random32 = [&] {
        Bytes32 out{};
        for (auto& b : out) b = static_cast<Byte>(rng());
        return out;
    };
    std::vector<std::pair<Bytes32, Bytes32>> inputs;
    for (int i = 0; i < 3000; ++i) {
        Bytes32 k = random32(), u = random32();
        if (i % 3 == 0) u[31] |= 0x80;
        else u[31] &= 0x7f;
        if (i % 10 == 1) {   // u in [p, 2^255) or that plus 2^255
            std::fill(u.begin() + 1, u.begin() + 31, Byte{0xff});
            u[0] = static_cast<Byte>(0xed + rng() % 19);
            u[31] |= 0x7f;
        }
        inputs.emplace_back(k, u);
    }
    const Bytes32 edge_ks[] = {Bytes32{}, from_words(~0ull, ~0ull, ~0ull, ~0ull), from_words(9, 0, 0, 0)};
    for (const auto& u : edge_us()) {
        for (const auto& k : edge_ks) inputs.emplace_back(k, u);
        for (int i = 0; i < 20; ++i) inputs.emplace_back(random32(), u);
    }
    int compared_with_sodium = 0, all_zero = 0;
    for (std::size_t n = 0; n < inputs.size(); ++n) {
        const auto& [k, u] = inputs[n];
        const Bytes32 expected = donna(k, u);
        Bytes32 sodium{};
        if (crypto_scalarmult(sodium.data(), k.data(), u.data()) == 0) {
            BOOST_TEST_CONTEXT("input " << n) { BOOST_TEST(sodium == expected); }
            ++compared_with_sodium;
        }
        if (expected == Bytes32{}) ++all_zero;
        for (auto p : supported_paths()) {
            const Bytes32 got = x25519_on(p, k, u);
            BOOST_TEST_CONTEXT("input " << n << " path " << kd::to_string(p)) { BOOST_TEST(got == expected); }
        }
    }
    // libsodium refuses only low-order points; donna and every path agree on the rest too.
    BOOST_TEST(compared_with_sodium >= 3000);
    BOOST_TEST(all_zero > 0);
    BOOST_TEST_MESSAGE(inputs.size() << " inputs on " << supported_paths().size() << " paths, "
                                     << compared_with_sodium << " also against libsodium");
}

BOOST_AUTO_TEST_SUITE_END()
