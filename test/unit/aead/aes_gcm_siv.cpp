// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/aead/aes_gcm_siv.hpp: every Wycheproof AES-GCM-SIV case and the RFC 8452
// examples on every dispatch path, then the API's contract (detached, in place, tampering
// wipes the output, size limits, overlap, the concept and the trait).
#include <sealpipe/aead.hpp>
#include <sealpipe/hazmat/aead.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <string>

using namespace sealpipe;
using aead::AesGcmSiv;
using aead::Implementation;

namespace {

// The policy models the concept; the trait is what deterministic modes check.
static_assert(aead::Aead<AesGcmSiv<128>>);
static_assert(aead::Aead<AesGcmSiv<256>>);
static_assert(aead::NonceMisuseResistantAead<AesGcmSiv<256>>);
static_assert(aead::is_nonce_misuse_resistant_v<AesGcmSiv<128>>);
static_assert(!aead::is_nonce_misuse_resistant_v<int>);
static_assert(!aead::Aead<int>);
static_assert(AesGcmSiv<128>::key_bytes == 16 && AesGcmSiv<256>::key_bytes == 32);
static_assert(AesGcmSiv<256>::nonce_bytes == 12 && AesGcmSiv<256>::tag_bytes == 16);

/// A policy that says nothing about nonce misuse is not misuse-resistant.
struct NoTrait {
    static constexpr std::size_t key_bytes = 16, nonce_bytes = 12, tag_bytes = 16;
    static constexpr std::string_view name = "x";
};
static_assert(!aead::is_nonce_misuse_resistant_v<NoTrait> && !aead::Aead<NoTrait>);

bool all_zero(ByteView b) {
    return std::all_of(b.begin(), b.end(), [](Byte c) { return c == 0; });
}

template <std::size_t Bits>
typename AesGcmSiv<Bits>::Context context(ByteView key, Implementation impl) {
    return AesGcmSiv<Bits>::Context::with_implementation(AesGcmSiv<Bits>::Key::from(key).value(), impl).value();
}

std::string paths_message() {
    std::string s = "AES-GCM-SIV paths on this CPU:";
    for (auto i : aead::supported_implementations()) {
        s += ' ';   // not `" " + std::string(...)`: a bogus -Wrestrict at -O3 (GCC bug 105651)
        s += aead::to_string(i);
    }
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(aes_gcm_siv)

BOOST_AUTO_TEST_CASE(wycheproof_on_every_path) {
    BOOST_TEST_MESSAGE(paths_message());
    const auto doc = test::load_json("wycheproof/aes_gcm_siv_test.json");
    std::size_t cases = 0;
    for (const auto impl : aead::supported_implementations()) {
        std::size_t valid = 0, invalid = 0;
        for (const auto& group : doc.at("testGroups").as_array()) {
            for (const auto& t : group.at("tests").as_array()) {
                BOOST_TEST_CONTEXT("aes_gcm_siv_test.json#" << t.at("tcId").as_int64() << " ("
                                                            << t.at("comment").as_string() << ") on "
                                                            << aead::to_string(impl)) {
                    const Bytes key = test::unhex(t.at("key")), iv = test::unhex(t.at("iv"));
                    const Bytes aad = test::unhex(t.at("aad")), msg = test::unhex(t.at("msg"));
                    Bytes sealed = test::unhex(t.at("ct"));
                    append(sealed, test::unhex(t.at("tag")));
                    const bool expect_valid = t.at("result").as_string() == "valid";
                    const auto opened = hazmat::aes_gcm_siv_open(key, iv, sealed, aad, impl);
                    if (expect_valid) {
                        ++valid;
                        BOOST_TEST_REQUIRE(opened.has_value());
                        BOOST_TEST(*opened == msg);
                        const auto s = hazmat::aes_gcm_siv_seal(key, iv, msg, aad, impl);
                        BOOST_TEST_REQUIRE(s.has_value());
                        BOOST_TEST(*s == sealed);
                    } else {
                        ++invalid;
                        BOOST_TEST_REQUIRE(!opened.has_value());
                        BOOST_TEST((opened.error() == errc::authentication_failed));
                    }
                }
            }
        }
        BOOST_TEST(valid == 136u);
        BOOST_TEST(invalid == 66u);
        cases += valid + invalid;
    }
    BOOST_TEST(cases == 202u * aead::supported_implementations().size());
}

// RFC 8452 Appendix C.1 and C.2 (AEAD_AES_128_GCM_SIV / AEAD_AES_256_GCM_SIV): a few cases
// copied from the RFC's text (also checked against Python cryptography's AESGCMSIV).
BOOST_AUTO_TEST_CASE(rfc8452_appendix_c) {
    struct Case {
        const char *key, *nonce, *aad, *pt, *result;
    };
    const Case cases[] = {
        // C.1, first example: empty plaintext.
        {"01000000000000000000000000000000", "030000000000000000000000", "", "",
         "dc20e2d83f25705bb49e439eca56de25"},
        // C.1: 8-byte plaintext.
        {"01000000000000000000000000000000", "030000000000000000000000", "", "0100000000000000",
         "b5d839330ac7b786578782fff6013b815b287c22493a364c"},
        // C.1: 8-byte plaintext with 1 byte of AAD.
        {"01000000000000000000000000000000", "030000000000000000000000", "01", "0200000000000000",
         "1e6daba35669f4273b0a1a2560969cdf790d99759abd1508"},
        // C.2, first example: empty plaintext, AES-256.
        {"0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000", "", "",
         "07f5f4169bbf55a8400cd47ea6fd400f"},
        // C.2: 8-byte plaintext.
        {"0100000000000000000000000000000000000000000000000000000000000000", "030000000000000000000000", "",
         "0100000000000000", "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28"},
    };
    for (const auto impl : aead::supported_implementations()) {
        for (const auto& c : cases) {
            BOOST_TEST_CONTEXT("key " << c.key << " pt " << c.pt << " on " << aead::to_string(impl)) {
                const auto s = hazmat::aes_gcm_siv_seal(test::unhex(std::string_view(c.key)), test::unhex(std::string_view(c.nonce)),
                                                        test::unhex(std::string_view(c.pt)),
                                                        test::unhex(std::string_view(c.aad)), impl);
                BOOST_TEST_REQUIRE(s.has_value());
                BOOST_TEST(hex_encode(*s) == c.result);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(detached_in_place_and_attached_agree) {
    for (const auto impl : aead::supported_implementations()) {
        auto ctx = context<256>(test::pattern(32, 7), impl);
        const AesGcmSiv<256>::Nonce nonce{};
        for (std::size_t n : {0, 1, 15, 16, 17, 255, 256, 257, 1000, 4096, 10000}) {
            BOOST_TEST_CONTEXT("size " << n << " on " << aead::to_string(impl)) {
                const Bytes pt = test::pattern(n, 3), aad = test::pattern(n % 37, 4);
                const Bytes sealed = ctx.seal(nonce, pt, aad).value();
                BOOST_TEST(sealed.size() == n + 16);
                // Detached: the same ciphertext and tag, apart.
                Bytes ct(n);
                const auto tag = ctx.seal_detached(nonce, pt, aad, ct).value();
                BOOST_TEST(std::ranges::equal(ByteView(sealed).first(n), ByteView(ct)));
                BOOST_TEST(std::ranges::equal(ByteView(sealed).subspan(n), tag.view()));
                // In place, detached.
                Bytes buf = pt;
                BOOST_TEST(ctx.seal_in_place(nonce, buf, aad).value() == tag);
                BOOST_TEST(buf == ct);
                BOOST_TEST(ctx.open_in_place(nonce, buf, tag, aad).has_value());
                BOOST_TEST(buf == pt);
                // In place, attached: the output starts where the input does.
                Bytes whole = pt;
                whole.resize(n + 16);
                BOOST_TEST(ctx.seal(nonce, ByteView(whole).first(n), aad, whole).has_value());
                BOOST_TEST(whole == sealed);
                BOOST_TEST(ctx.open(nonce, whole, aad, MutableByteView(whole).first(n)).has_value());
                BOOST_TEST(std::ranges::equal(ByteView(whole).first(n), ByteView(pt)));
                // Out of place.
                Bytes out(n);
                BOOST_TEST(ctx.open_detached(nonce, ct, tag, aad, out).has_value());
                BOOST_TEST(out == pt);
                BOOST_TEST(ctx.open(nonce, sealed, aad).value() == pt);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(nonce_cache_follows_the_nonce) {
    // Alternating nonces must not reuse the previous nonce's keys; the result must equal a
    // fresh context's.
    const Bytes key = test::pattern(16, 9), pt = test::pattern(100, 1);
    auto ctx = context<128>(key, aead::default_implementation());
    AesGcmSiv<128>::Nonce a{}, b{};
    b[11] = 1;
    const Bytes sa = ctx.seal(a, pt).value(), sb = ctx.seal(b, pt).value(), sa2 = ctx.seal(a, pt).value();
    BOOST_TEST(sa == sa2);
    BOOST_TEST(sa != sb);
    auto fresh = context<128>(key, aead::default_implementation());
    BOOST_TEST(fresh.seal(b, pt).value() == sb);
    // Deterministic: same key, nonce, plaintext and AAD give the same bytes; different AAD not.
    BOOST_TEST(ctx.seal(a, pt, as_bytes("x")).value() != sa);
}

BOOST_AUTO_TEST_CASE(tampering_fails_and_wipes_the_output) {
    const Bytes key = test::pattern(32, 11), pt = test::pattern(40, 12), aad = test::pattern(20, 13);
    for (const auto impl : aead::supported_implementations()) {
        auto ctx = context<256>(key, impl);
        AesGcmSiv<256>::Nonce nonce;
        std::copy_n(test::pattern(12, 14).begin(), 12, nonce.begin());
        const Bytes sealed = ctx.seal(nonce, pt, aad).value();
        auto expect_rejected = [&](const AesGcmSiv<256>::Nonce& n, const Bytes& s, const Bytes& a) {
            Bytes out(s.size() - 16, 0xAA);
            const auto r = ctx.open(n, s, a, out);
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST((r.error() == errc::authentication_failed));
            BOOST_TEST((r.error() == condition::verification_failed ? 1 : 2) == 1);
            BOOST_TEST(all_zero(out));
        };
        BOOST_TEST_CONTEXT("on " << aead::to_string(impl)) {
            for (std::size_t i = 0; i < sealed.size(); ++i) {   // ciphertext and tag
                Bytes s = sealed;
                s[i] ^= Byte(1u << (i % 8));
                BOOST_TEST_CONTEXT("sealed byte " << i) { expect_rejected(nonce, s, aad); }
            }
            for (std::size_t i = 0; i < aad.size(); ++i) {
                Bytes a = aad;
                a[i] ^= 0x80;
                BOOST_TEST_CONTEXT("aad byte " << i) { expect_rejected(nonce, sealed, a); }
            }
            for (std::size_t i = 0; i < nonce.size(); ++i) {
                auto n = nonce;
                n[i] ^= 0x01;
                BOOST_TEST_CONTEXT("nonce byte " << i) { expect_rejected(n, sealed, aad); }
            }
            // Truncated AAD and appended AAD byte, and an in-place failure wipes the buffer.
            expect_rejected(nonce, sealed, Bytes(aad.begin(), aad.end() - 1));
            Bytes buf(sealed.begin(), sealed.end() - 16);
            auto tag = AesGcmSiv<256>::Tag::from(ByteView(sealed).last(16)).value();
            tag[0] ^= 1;
            BOOST_TEST((ctx.open_in_place(nonce, buf, tag, aad).error() == errc::authentication_failed));
            BOOST_TEST(all_zero(buf));
            // The untampered message still opens.
            BOOST_TEST(ctx.open(nonce, sealed, aad).value() == pt);
        }
    }
}

BOOST_AUTO_TEST_CASE(lengths_and_overlap_are_checked) {
    auto ctx = context<128>(test::pattern(16, 1), Implementation::portable);
    const AesGcmSiv<128>::Nonce nonce{};
    Bytes buf(64);
    auto r = ctx.seal(nonce, ByteView(buf).first(10), {}, MutableByteView(buf).subspan(20, 25));
    BOOST_TEST((r.error() == errc::invalid_length));
    BOOST_TEST(r.error().detail() == "aead seal output: expected 26 bytes, got 25");
    BOOST_TEST((ctx.open(nonce, ByteView(buf).first(15), {}).error() == errc::malformed_input));
    BOOST_TEST(ctx.open(nonce, ByteView(buf).first(15), {}).error().detail() ==
               "aead open: expected at least 16 bytes (the tag), got 15");
    // Partial overlap is refused; exact aliasing is in place and allowed.
    BOOST_TEST((ctx.seal_detached(nonce, ByteView(buf).first(32), {}, MutableByteView(buf).subspan(1, 32)).error() ==
                errc::invalid_argument));
    BOOST_TEST(ctx.seal_detached(nonce, ByteView(buf).first(32), {}, MutableByteView(buf).first(32)).has_value());
    // hazmat: key and nonce lengths.
    BOOST_TEST(hazmat::aes_gcm_siv_seal(Bytes(24), Bytes(12), {}).error().detail() ==
               "aead key: expected 16 or 32 bytes, got 24");
    BOOST_TEST(hazmat::aes_gcm_siv_seal(Bytes(16), Bytes(8), {}).error().detail() ==
               "aead nonce: expected 12 bytes, got 8");
    // A moved-from context refuses to work instead of crashing.
    auto moved = std::move(ctx);
    BOOST_TEST((ctx.seal(nonce, Bytes(3)).error() == errc::invalid_argument));   // NOLINT(bugprone-use-after-move)
    BOOST_TEST(moved.seal(nonce, Bytes(3)).has_value());
}

BOOST_AUTO_TEST_CASE(size_limits) {
    // A reserved, inaccessible region of 2^36 + 32 bytes: any read of it would crash, so the
    // limits must be checked before the data is touched.
    const std::size_t limit = std::size_t{1} << 36, span = limit + 32;
    void* p = ::mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    BOOST_TEST_REQUIRE(p != MAP_FAILED);
    const auto* big = static_cast<const Byte*>(p);
    for (const auto impl : aead::supported_implementations()) {
        auto ctx = context<256>(test::pattern(32, 1), impl);
        const AesGcmSiv<256>::Nonce nonce{};
        const ByteView too_big(big, limit + 1);
        BOOST_TEST((ctx.seal(nonce, too_big).error() == errc::size_limit_exceeded));
        BOOST_TEST((ctx.seal(nonce, {}, too_big).error() == errc::size_limit_exceeded));
        BOOST_TEST((ctx.open(nonce, ByteView(big, limit + 17)).error() == errc::size_limit_exceeded));
        BOOST_TEST((ctx.open(nonce, ByteView(big, 16), too_big).error() == errc::size_limit_exceeded));
        Bytes out(16);
        BOOST_TEST((ctx.seal_detached(nonce, too_big, {}, out).error() == errc::size_limit_exceeded));
        BOOST_TEST(ctx.seal(nonce, too_big).error().detail() ==
                   "aead: plaintext of 68719476737 bytes exceeds the RFC 8452 limit of 2^36 bytes");
    }
    ::munmap(p, span);
}

BOOST_AUTO_TEST_SUITE_END()
