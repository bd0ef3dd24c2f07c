// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/aead/implementation.hpp and the dispatch paths: CPU detection against
// /proc/cpuinfo, and differential tests of every path against the portable one (every size
// 0..300, random sizes up to 70,000, unaligned buffers, in place, counter wrap-around).
#include <sealpipe/aead.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>

using namespace sealpipe;
using aead::AesGcmSiv;
using aead::Implementation;

namespace {

/// The CPU flags Linux reports, an independent view of CPUID.
std::set<std::string> cpuinfo_flags() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    std::set<std::string> flags;
    while (std::getline(f, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        for (std::string w; words >> w;) flags.insert(w);
        break;
    }
    return flags;
}

/// A buffer whose data starts `offset` bytes past a 64-byte boundary.
class Unaligned {
public:
    Unaligned(std::size_t n, std::size_t offset) : storage_(n + offset + 64), offset_(offset + 64 - reinterpret_cast<std::uintptr_t>(storage_.data()) % 64) {
        n_ = n;
    }
    MutableByteView view() { return {storage_.data() + offset_, n_}; }

private:
    Bytes storage_;
    std::size_t offset_;
    std::size_t n_ = 0;
};

template <std::size_t Bits>
using Ctx = typename AesGcmSiv<Bits>::Context;

template <std::size_t Bits>
std::vector<Ctx<Bits>> contexts(ByteView key) {
    std::vector<Ctx<Bits>> out;
    for (auto impl : aead::supported_implementations())
        out.push_back(Ctx<Bits>::with_implementation(AesGcmSiv<Bits>::Key::from(key).value(), impl).value());
    return out;
}

/// Seals on every path (out of place into unaligned buffers, and in place), checks that all
/// agree with the portable path, and that each path opens what the portable path sealed.
template <std::size_t Bits>
void check_all_paths(std::vector<Ctx<Bits>>& ctxs, const typename AesGcmSiv<Bits>::Nonce& nonce, std::size_t n,
                     std::size_t aad_n, std::uint32_t seed) {
    const Bytes pt = test::pattern(n, seed), aad = test::pattern(aad_n, seed + 1);
    Unaligned in(n, seed % 61), aad_buf(aad_n, (seed / 7) % 13);
    std::copy(pt.begin(), pt.end(), in.view().begin());
    std::copy(aad.begin(), aad.end(), aad_buf.view().begin());
    Bytes reference;
    for (auto& ctx : ctxs) {
        BOOST_TEST_CONTEXT("Bits " << Bits << ", size " << n << ", aad " << aad_n << ", seed " << seed << " on "
                                   << aead::to_string(ctx.implementation())) {
            Unaligned out(n + 16, (seed / 3) % 59 + 1);
            BOOST_TEST_REQUIRE(ctx.seal(nonce, in.view(), aad_buf.view(), out.view()).has_value());
            const Bytes sealed(out.view().begin(), out.view().end());
            if (reference.empty()) reference = sealed;   // the first path is the portable one
            BOOST_TEST(sealed == reference);
            // In place gives the same bytes.
            Bytes buf = pt;
            const auto tag = ctx.seal_in_place(nonce, buf, aad).value();
            BOOST_TEST(std::ranges::equal(ByteView(buf), ByteView(reference).first(n)));
            BOOST_TEST(std::ranges::equal(tag.view(), ByteView(reference).last(16)));
            // Opening the reference, out of place (unaligned) and in place.
            Unaligned back(n, seed % 17 + 3);
            BOOST_TEST_REQUIRE(ctx.open(nonce, reference, aad_buf.view(), back.view()).has_value());
            BOOST_TEST(std::ranges::equal(ByteView(back.view()), ByteView(pt)));
            BOOST_TEST_REQUIRE(ctx.open_in_place(nonce, buf, tag, aad).has_value());
            BOOST_TEST(buf == pt);
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(aead_dispatch)

BOOST_AUTO_TEST_CASE(detection_matches_cpuinfo) {
    const auto flags = cpuinfo_flags();
    BOOST_TEST_REQUIRE(!flags.empty());
    auto has = [&](std::initializer_list<const char*> names) {
        return std::all_of(names.begin(), names.end(), [&](const char* f) { return flags.contains(f); });
    };
    const bool aesni = has({"aes", "pclmulqdq", "ssse3", "sse4_1"});
    const bool avx2 = aesni && has({"avx2", "vaes", "vpclmulqdq"});
    const bool avx512 = avx2 && has({"avx512f", "avx512vl", "avx512bw"});
    BOOST_TEST(aead::is_supported(Implementation::portable));
    BOOST_TEST(aead::is_supported(Implementation::aesni) == aesni);
    BOOST_TEST(aead::is_supported(Implementation::vaes_avx2) == avx2);
    BOOST_TEST(aead::is_supported(Implementation::vaes_avx512) == avx512);
    std::string paths;
    for (auto i : aead::supported_implementations()) {
        paths += ' ';   // not `" " + std::string(...)`: a bogus -Wrestrict at -O3 (GCC bug 105651)
        paths += aead::to_string(i);
    }
    BOOST_TEST_MESSAGE("AES-GCM-SIV paths on this CPU:" << paths << "; default "
                                                        << aead::to_string(aead::default_implementation()));
    BOOST_TEST(aead::default_implementation() == aead::supported_implementations().back());
    // An unsupported path is refused, not run.
    for (auto i : aead::all_implementations)
        if (!aead::is_supported(i))
            BOOST_TEST((AesGcmSiv<128>::Context::with_implementation({}, i).error() == errc::unsupported));
}

BOOST_AUTO_TEST_CASE(every_size_up_to_300) {
    auto c128 = contexts<128>(test::pattern(16, 21));
    auto c256 = contexts<256>(test::pattern(32, 22));
    AesGcmSiv<128>::Nonce n128;
    AesGcmSiv<256>::Nonce n256;
    std::copy_n(test::pattern(12, 23).begin(), 12, n128.begin());
    for (std::size_t n = 0; n <= 300; ++n) {
        check_all_paths<128>(c128, n128, n, (n * 7) % 70, static_cast<std::uint32_t>(n + 1));
        check_all_paths<256>(c256, n256, n, (n * 11) % 300, static_cast<std::uint32_t>(n + 1000));
    }
}

BOOST_AUTO_TEST_CASE(random_sizes_up_to_70000) {
    std::mt19937_64 rng(20261123);
    BOOST_TEST_MESSAGE("random_sizes_up_to_70000: seed 20261123");
    for (int round = 0; round < 12; ++round) {
        const Bytes key = test::pattern(32, 100 + round);
        auto c256 = contexts<256>(key);
        auto c128 = contexts<128>(ByteView(key).first(16));
        AesGcmSiv<256>::Nonce nonce;
        std::copy_n(test::pattern(12, 200 + round).begin(), 12, nonce.begin());
        for (int i = 0; i < 6; ++i) {
            const std::size_t n = rng() % 70001, aad_n = rng() % 3000;
            const auto seed = static_cast<std::uint32_t>(rng());
            if (i % 2 == 0) check_all_paths<256>(c256, nonce, n, aad_n, seed);
            else check_all_paths<128>(c128, nonce, n, aad_n, seed);
        }
    }
}

BOOST_AUTO_TEST_CASE(fresh_nonce_every_call) {
    // Each seal derives new keys (the paths' fused derive_keys) and must agree with the
    // portable path's separate steps, for both key sizes, short and longer messages.
    auto c128 = contexts<128>(test::pattern(16, 31));
    auto c256 = contexts<256>(test::pattern(32, 32));
    std::mt19937_64 rng(17);
    for (int i = 0; i < 200; ++i) {
        AesGcmSiv<256>::Nonce nonce;
        for (auto& b : nonce) b = static_cast<Byte>(rng());
        const std::size_t n = i % 4 == 0 ? rng() % 5000 : rng() % 1100;
        if (i % 2 == 0) check_all_paths<256>(c256, nonce, n, rng() % 40, static_cast<std::uint32_t>(i));
        else check_all_paths<128>(c128, nonce, n, rng() % 40, static_cast<std::uint32_t>(i));
    }
}

BOOST_AUTO_TEST_CASE(counter_wraps_modulo_2_32) {
    // RFC 8452 §4: only the first 32 bits count, little-endian, modulo 2^32. Drive each path's
    // CTR with a counter just below the wrap and compare with the portable path.
    const Bytes key = test::pattern(32, 5);
    for (std::size_t len : {16u * 40 + 5, 16u * 33, 1024u + 512 + 64 + 7}) {
        Bytes reference;
        for (auto impl : aead::supported_implementations()) {
            BOOST_TEST_CONTEXT("len " << len << " on " << aead::to_string(impl)) {
                const auto& ops = aead::detail::ops_for<14>(impl);
                aead::detail::AesKey k;
                ops.set_key(k, key.data(), 32);
                Byte counter[16];
                std::fill_n(counter, 16, Byte{0x5c});
                aead::detail::store_le32(counter, 0xffffffe9u);
                const Bytes in = test::pattern(len, 6);
                Bytes out(len);
                ops.ctr32(k, counter, in.data(), out.data(), len);
                if (reference.empty()) {
                    // Independent check of the portable path: block i is AES(counter + i) xor in.
                    reference = out;
                    for (std::size_t i = 0; i * 16 < len; ++i) {
                        Byte block[16], ks[16];
                        std::copy_n(counter, 16, block);
                        aead::detail::store_le32(block, 0xffffffe9u + static_cast<std::uint32_t>(i));
                        ops.encrypt_blocks(k, block, ks, 1);
                        for (std::size_t j = 0; j < 16 && i * 16 + j < len; ++j)
                            BOOST_TEST(reference[i * 16 + j] == Byte(in[i * 16 + j] ^ ks[j]));
                    }
                }
                BOOST_TEST(out == reference);
                k.clear();
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(fused_open_pass_matches_ctr_then_polyval) {
    // Open's fused pass (CTR and POLYVAL in one loop) against the separate operations of the
    // same path, with the counter crossing 2^32 inside the pass.
    const Bytes key = test::pattern(32, 31), h = test::pattern(16, 32);
    std::size_t fused_paths = 0;
    for (auto impl : aead::supported_implementations()) {
        const auto& ops = aead::detail::ops_for<14>(impl);
        if (ops.decrypt_and_hash == nullptr) continue;
        ++fused_paths;
        aead::detail::AesKey k;
        aead::detail::HashKey hk;
        ops.set_key(k, key.data(), 32);
        ops.set_hash_key(hk, h.data());
        aead::detail::prepare_hash_key(ops, hk, aead::detail::unlimited_blocks);
        BOOST_TEST(hk.ready_blocks == aead::detail::unlimited_blocks);
        for (std::size_t len : {0u, 100u, 128u, 256u, 512u, 16u * 70, 512u * 3 + 100, 8192u}) {
            BOOST_TEST_CONTEXT("len " << len << " on " << aead::to_string(impl)) {
                const Bytes in = test::pattern(len, 33);
                Byte counter[16];
                std::fill_n(counter, 16, Byte{0xa5});
                aead::detail::store_le32(counter, 0xffffffd0u);
                Byte start[16];
                std::copy_n(counter, 16, start);
                Bytes out(len), state = test::pattern(16, 34);
                const std::size_t done =
                    ops.decrypt_and_hash(k, hk, state.data(), counter, in.data(), out.data(), len);
                BOOST_TEST(done <= len);
                BOOST_TEST(done % 128 == 0u);
                BOOST_TEST(len - done < 512u);
                Bytes ref_out(done), ref_state = test::pattern(16, 34);
                ops.ctr32(k, start, in.data(), ref_out.data(), done);
                ops.polyval(hk, ref_state.data(), ref_out.data(), done / 16);
                BOOST_TEST(ByteView(out).first(done).size() == ref_out.size());
                BOOST_TEST(std::ranges::equal(ByteView(out).first(done), ByteView(ref_out)));
                BOOST_TEST(state == ref_state);
                aead::detail::counter_add(start, done / 16);
                BOOST_TEST(std::ranges::equal(ByteView(counter, 16), ByteView(start, 16)));
            }
        }
        k.clear();
        hk.clear();
    }
    BOOST_TEST(fused_paths + 1 == aead::supported_implementations().size());   // all but portable
}

BOOST_AUTO_TEST_CASE(polyval_paths_agree) {
    // POLYVAL alone, every block count 0..100 plus large ones, against the portable path; and
    // RFC 8452 Appendix A's worked example.
    const Bytes h = test::unhex(std::string_view("25629347589242761d31f826ba4b757b"));
    const Bytes x = test::unhex(std::string_view("4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362"));
    for (auto impl : aead::supported_implementations()) {
        const auto& ops = aead::detail::ops_for<10>(impl);
        aead::detail::HashKey hk;
        ops.set_hash_key(hk, h.data());
        Byte s[16] = {};
        ops.polyval(hk, s, x.data(), 2);
        BOOST_TEST(hex_encode(ByteView(s, 16)) == "f7a3b47b846119fae5b7866cf5e5b77e");
    }
    const Bytes h2 = test::pattern(16, 77), data = test::pattern(16 * 1101, 78);
    std::vector<std::size_t> counts;
    for (std::size_t n = 0; n <= 100; ++n) counts.push_back(n);
    for (std::size_t n : {127, 128, 129, 255, 511, 1024, 1100}) counts.push_back(n);
    for (std::size_t n : counts) {
        Bytes reference;
        for (auto impl : aead::supported_implementations()) {
            BOOST_TEST_CONTEXT(n << " blocks on " << aead::to_string(impl)) {
                const auto& ops = aead::detail::ops_for<10>(impl);
                aead::detail::HashKey hk;
                ops.set_hash_key(hk, h2.data());
                BOOST_TEST(hk.ready_blocks >= 8u);
                if (n <= hk.ready_blocks) {   // with only the powers computed up front
                    Bytes s = test::pattern(16, 79);
                    ops.polyval(hk, s.data(), data.data() + 16, n);
                    if (reference.empty()) reference = s;
                    BOOST_TEST(s == reference);
                }
                aead::detail::prepare_hash_key(ops, hk, n);
                BOOST_TEST(hk.ready_blocks >= n);
                Bytes s = test::pattern(16, 79);
                ops.polyval(hk, s.data(), data.data() + 16, n);   // starts off 64-byte alignment
                if (reference.empty()) reference = s;
                BOOST_TEST(s == reference);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
