// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/codec/simple_lzw.hpp: every case of Bonanza's simplelzw compress and
// decompress tests and of its LZW encoder test that concerns the codec, Bonanza's random round
// trip, the raw fallback, hostile inputs (bounded allocation, unknown codes, mutations), and
// differential tests against the codec's previous implementation (simple_lzw_reference.hpp).
#include <sealpipe/codec/simple_lzw.hpp>

#include <sealpipe/core/hex.hpp>

#include "simple_lzw_reference.hpp"
#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <random>
#include <string>

using namespace sealpipe;
namespace lzw = sealpipe::codec::simple_lzw;

namespace {

Bytes english(std::size_t n) {
    static constexpr std::string_view words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                                                 "lazy ", "dog ", "and ", "objects ", "are ", "stored "};
    std::mt19937 rng(static_cast<std::uint32_t>(n));
    Bytes out;
    while (out.size() < n) append(out, as_bytes(words[rng() % std::size(words)]));
    out.resize(n);
    return out;
}

namespace ref = sealpipe::test::simple_lzw_reference;

/// Inputs of every shape the compressor's tables care about: random, compressible, runs,
/// periodic, every pair of bytes, sizes on both sides of the direct pair table (64 KiB).
std::vector<std::pair<std::string, Bytes>> differential_inputs() {
    std::vector<std::pair<std::string, Bytes>> v;
    std::mt19937_64 rng(2026);
    auto random = [&](std::size_t n, unsigned alphabet) {
        Bytes b(n);
        for (auto& c : b) c = static_cast<Byte>(rng() % alphabet);
        return b;
    };
    for (std::size_t n : {1, 2, 3, 255, 256, 257, 4095, 65535, 65536, 65537, 150000})
        v.emplace_back("random " + std::to_string(n), random(n, 256));
    for (unsigned alphabet : {2u, 4u, 17u})
        v.emplace_back("alphabet " + std::to_string(alphabet), random(100000, alphabet));
    for (std::size_t n : {10, 5000, 70000, 300000}) v.emplace_back("english " + std::to_string(n), english(n));
    v.emplace_back("zeros", Bytes(200000, 0));
    Bytes runs;
    while (runs.size() < 120000) runs.insert(runs.end(), 1 + rng() % 300, static_cast<Byte>(rng()));
    v.emplace_back("runs", runs);
    for (std::size_t period : {3, 64, 1000, 70001}) {
        const Bytes unit = random(period, 256);
        Bytes b;
        while (b.size() < 200000) append(b, unit);
        v.emplace_back("period " + std::to_string(period), b);
    }
    Bytes pairs;   // every two-byte string once, then again in another order
    for (unsigned i = 0; i < 65536; ++i) {
        pairs.push_back(static_cast<Byte>(i >> 8));
        pairs.push_back(static_cast<Byte>(i));
    }
    for (unsigned i = 0; i < 65536; ++i) {
        pairs.push_back(static_cast<Byte>(i));
        pairs.push_back(static_cast<Byte>(i * 7 >> 3));
    }
    v.emplace_back("pairs", pairs);
    Bytes counter;   // little-endian 32-bit counters, like tables of integers
    for (std::uint32_t i = 0; counter.size() < 100000; i += 3)
        for (int k = 0; k < 4; ++k) counter.push_back(static_cast<Byte>(i >> (8 * k)));
    v.emplace_back("counter", counter);
    Bytes mixed;   // large enough for the compressor's biggest tables: text, noise, runs
    while (mixed.size() < (3u << 19)) {
        append(mixed, english(1 + rng() % 20000));
        append(mixed, random(1 + rng() % 5000, 256));
        mixed.insert(mixed.end(), rng() % 3000, static_cast<Byte>(rng()));
    }
    v.emplace_back("mixed", mixed);
    // Beyond 1 MiB the compressor's table grows: 3 MiB of noise makes it grow once.
    v.emplace_back("random 3 MiB", random(3u << 20, 256));
    return v;
}

template <class T>
std::string outcome(const result<T>& r) {
    if (r) return "ok " + hex_encode(*r);
    return "error " + r.error().message();
}

} // namespace

BOOST_AUTO_TEST_SUITE(simple_lzw)

BOOST_AUTO_TEST_CASE(bonanza_compress_cases) {
    const auto doc = test::load_json("bonanza/simplelzw_compress_test.json");
    std::size_t count = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        BOOST_TEST_CONTEXT(c.at("name").as_string() << (c.contains("iteration") ? " #" : "")
                                                   << (c.contains("iteration") ? c.at("iteration").as_int64() : 0)) {
            BOOST_TEST(c.at("result").as_string() == "ok");
            const Bytes in = test::unhex(c.at("input_hex"));
            const Bytes expected = test::unhex(c.at("output_hex"));
            const auto out = lzw::compress_without_fallback(in);
            BOOST_TEST_REQUIRE(out.has_value());
            BOOST_TEST(hex_encode(*out) == c.at("output_hex").as_string());
            // MaybeCompress: the same, or stored raw after 0x80 when that is shorter.
            const Bytes stored = lzw::compress(in);
            if (expected.size() > in.size()) {
                Bytes raw{0x80};
                append(raw, in);
                BOOST_TEST((stored == raw));
            } else {
                BOOST_TEST((stored == expected));
            }
            // Both decompress to the input, with the input's size as the maximum.
            BOOST_TEST((lzw::decompress(expected, in.size()).value() == in));
            BOOST_TEST((lzw::decompress(stored, in.size()).value() == in));
            ++count;
        }
    }
    BOOST_TEST(count == 258u);
}

BOOST_AUTO_TEST_CASE(bonanza_decompress_cases) {
    const auto doc = test::load_json("bonanza/simplelzw_decompress_test.json");
    std::size_t count = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        BOOST_TEST_CONTEXT(c.at("name").as_string()) {
            const auto out = lzw::decompress(test::unhex(c.at("input_hex")),
                                             c.at("maximum_size_bytes").to_number<std::size_t>());
            if (c.at("result").as_string() == "ok") {
                BOOST_TEST_REQUIRE(out.has_value(), (out ? "" : out.error().message()));
                BOOST_TEST(hex_encode(*out) == c.at("output_hex").as_string());
            } else {
                BOOST_TEST_REQUIRE(!out.has_value());
                const auto& e = c.at("error").as_object();
                BOOST_TEST(e.at("code").as_string() == "InvalidArgument");
                BOOST_TEST(e.at("match").as_string() == "exact");
                BOOST_TEST(out.error().message() == e.at("message").as_string());
                BOOST_TEST((out.error() == condition::bad_input));
                const bool over_max = out.error().message().find("exceeds the permitted maximum") != std::string::npos;
                BOOST_TEST((out.error() == (over_max ? errc::size_limit_exceeded : errc::malformed_input)));
            }
            ++count;
        }
    }
    BOOST_TEST(count == 8u);
}

BOOST_AUTO_TEST_CASE(bonanza_lzw_encoder_cases) {
    // The codec's share of lzw_compressing_binary_encoder_test.json: empty input encodes to
    // empty output and decodes to empty output. Its compare_unique_decoding_keys cases concern
    // the encoder policy (encoding area), not the codec; they are counted, not run, here.
    const auto doc = test::load_json("bonanza/lzw_compressing_binary_encoder_test.json");
    std::size_t run = 0, encoder_only = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        const std::string_view op = c.at("operation").as_string();
        BOOST_TEST_CONTEXT(c.at("name").as_string()) {
            const auto max = c.contains("maximum_decoded_size_bytes")
                                 ? c.at("maximum_decoded_size_bytes").to_number<std::size_t>()
                                 : 0;
            if (op == "encode") {
                BOOST_TEST(hex_encode(lzw::compress(test::unhex(c.at("input_hex")))) == c.at("output_hex").as_string());
                BOOST_TEST(c.at("decoding_parameters_hex").as_string() == "");
                ++run;
            } else if (op == "decode") {
                BOOST_TEST(c.at("decoding_parameters_hex").as_string() == "");
                BOOST_TEST(hex_encode(lzw::decompress(test::unhex(c.at("input_hex")), max).value()) ==
                           c.at("output_hex").as_string());
                ++run;
            } else {
                BOOST_TEST(op == "compare_unique_decoding_keys");
                ++encoder_only;
            }
        }
    }
    BOOST_TEST(run == 2u);
    BOOST_TEST(encoder_only == 3u);
}

BOOST_AUTO_TEST_CASE(random_compress_decompress) {
    // Bonanza's TestCompress/RandomCompressDecompress covers every length 0..9999 of random
    // bytes; here every length up to 2047 and then every 61st, to keep the unoptimised test
    // build fast. Both compressors.
    std::mt19937_64 rng(99);
    std::size_t failures = 0;
    Bytes data;
    for (std::size_t n = 0; n < 10000; n += n < 2048 ? 1 : 61) {
        data.resize(n);
        for (auto& b : data) b = static_cast<Byte>(rng());
        const auto plain = lzw::compress_without_fallback(data).value();
        if (lzw::decompress(plain, n).value() != data) ++failures;
        if (n % 7 == 0) {
            const Bytes stored = lzw::compress(data);
            if (stored.size() > n + 1 || lzw::decompress(stored, n).value() != data) ++failures;
        }
    }
    BOOST_TEST(failures == 0u);
}

BOOST_AUTO_TEST_CASE(compressible_data_round_trips) {
    for (std::size_t n : {1, 2, 3, 100, 4096, 100000, 1 << 20}) {
        const Bytes in = english(n);
        const Bytes c = lzw::compress(in);
        BOOST_TEST_CONTEXT("n = " << n) {
            if (n >= 4096) BOOST_TEST(c.size() < n / 2);
            BOOST_TEST((lzw::decompress(c, n).value() == in));
            BOOST_TEST((lzw::decompress(c, n - 1).error() == errc::size_limit_exceeded));
        }
    }
    const Bytes zeros(1 << 20, 0);
    const Bytes c = lzw::compress(zeros);
    BOOST_TEST(c.size() < 3000u);
    BOOST_TEST((lzw::decompress(c, zeros.size()).value() == zeros));
}

BOOST_AUTO_TEST_CASE(fallback_stores_raw) {
    const Bytes in = test::pattern(1000);
    const Bytes c = lzw::compress(in);
    BOOST_TEST_REQUIRE(c.size() == 1001u);
    BOOST_TEST(c[0] == 0x80);
    BOOST_TEST((lzw::decompress(c, 1000).value() == in));
    BOOST_TEST(lzw::decompress(c, 999).error().message() ==
               "Decompressed data is 1000 bytes in size, which exceeds the permitted maximum of 999 bytes");
    BOOST_TEST((lzw::compress({}) == Bytes{}));
    BOOST_TEST((lzw::decompress({}, 0).value() == Bytes{}));
}

BOOST_AUTO_TEST_CASE(the_declared_size_decides_not_the_encoded_length) {
    // Six literals: a valid stream of 8 bytes for 6 bytes of output, at the limit.
    const Bytes literals = test::unhex(std::string_view("8641428610296204"));
    BOOST_TEST(hex_encode(lzw::decompress(literals, 6).value()) == "414243444546");
    BOOST_TEST((lzw::compress_without_fallback(as_bytes("ABCDEF")).value() == literals));
    BOOST_TEST((lzw::decompress(literals, 5).error() == errc::size_limit_exceeded));

    // max_compressed_size is the longest input decompress accepts: one code per output byte
    // (bytes 0, 1, 2, ... repeat no pair, so LZW emits literals only) behind the longest
    // header Bonanza reads, a non-minimal 10-byte varint.
    for (std::size_t n = 1; n <= 256; ++n) {
        Bytes distinct(n);
        for (std::size_t i = 0; i < n; ++i) distinct[i] = static_cast<Byte>(i);
        const Bytes c = lzw::compress_without_fallback(distinct).value();
        const std::size_t header = codec::varint::forward_size(std::uint32_t(n));
        Bytes widest = test::unhex(std::string_view("0040000000000000"));
        widest.push_back(static_cast<Byte>(n >> 8));
        widest.push_back(static_cast<Byte>(n));
        append(widest, ByteView(c).subspan(header));
        BOOST_TEST_CONTEXT("n = " << n) {
            BOOST_TEST(widest.size() == lzw::max_compressed_size(n));
            BOOST_TEST((lzw::decompress(widest, n).value() == distinct));
            widest.push_back(0);
            BOOST_TEST(!lzw::decompress(widest, n).has_value());
        }
    }
    // The stored form: 0x80 and the bytes, also behind a 10-byte header.
    BOOST_TEST(lzw::max_compressed_size(0) == 10u);
    BOOST_TEST(lzw::max_compressed_size(6) == 17u);
    BOOST_TEST(lzw::max_compressed_size(std::size_t(-1)) == std::size_t(-1));
    std::size_t previous = 0;
    for (std::size_t n : {1ul, 255ul, 256ul, 257ul, 70000ul, 2097152ul, 0xfffffffful, 0x100000000ul}) {
        BOOST_TEST(lzw::max_compressed_size(n) >= previous);
        BOOST_TEST(lzw::max_compressed_size(n) >= n + 10);
        previous = lzw::max_compressed_size(n);
    }
    // 2 MiB of single-byte codes, 22 bits each from code 2^21 - 255 on: under 2.7 times the size.
    BOOST_TEST(lzw::max_compressed_size(2097152) < 2097152u * 27 / 10);

    // A long input with a small declared size costs no more than the declared size: the
    // codes beyond it are never held.
    Bytes many = codec::varint::encode_forward(std::uint32_t{3});
    many.resize(many.size() + (8u << 20), 0x41);
    BOOST_TEST((lzw::decompress(many, 3).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_CASE(hostile_inputs) {
    // A header of 2^32 - 1 bytes with a huge maximum: the codes present could produce a few
    // bytes only, so nothing large is allocated, and the size mismatch is reported.
    {
        Bytes in = codec::varint::encode_forward(std::uint32_t{0xffffffff});
        append(in, test::unhex(std::string_view("414200")));  // codes A, B
        const auto r = lzw::decompress(in, std::size_t(-1));
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().message().find("which differs from size in header of 4294967295 bytes") !=
                   std::string::npos);
    }
    // A header above 32 bits is unreadable, as in Bonanza.
    BOOST_TEST(lzw::decompress(test::unhex(std::string_view("0f0000000000")), std::size_t(-1)).error().message() ==
               "Invalid leading decompressed size in header");
    // Unknown code: 'A' (8 bits) then 511 (9 bits).
    BOOST_TEST(lzw::decompress(test::unhex(std::string_view("8241ff01")), 100).error().message() ==
               "Input contains unexpected code 511");
    // Over the maximum before anything is decoded.
    BOOST_TEST((lzw::decompress(test::unhex(std::string_view("a44100030a1c48b0a041")), 0).error() == errc::size_limit_exceeded));
    // Every single-byte change of a valid stream is decoded or rejected, never more than max.
    const Bytes good = lzw::compress(english(3000));
    std::size_t accepted = 0, rejected = 0;
    for (std::size_t i = 0; i < good.size(); ++i)
        for (Byte x : {Byte{0x01}, Byte{0x10}, Byte{0x80}}) {
            Bytes m = good;
            m[i] ^= x;
            const auto r = lzw::decompress(m, 3000);
            if (r) {
                ++accepted;
                if (r->size() > 3000) BOOST_TEST(false, "output above the maximum");
            } else {
                ++rejected;
            }
        }
    BOOST_TEST(rejected > 0u);
    BOOST_TEST_MESSAGE("mutations decoded: " << accepted << ", rejected: " << rejected);
    // Truncations.
    for (std::size_t n = 0; n < good.size(); ++n)
        BOOST_TEST(!lzw::decompress(ByteView(good).first(n), 3000).has_value() == (n != 0));
}

BOOST_AUTO_TEST_CASE(differential_against_the_previous_implementation) {
    for (const auto& [name, in] : differential_inputs()) {
        BOOST_TEST_CONTEXT(name << " (" << in.size() << " bytes)") {
            const auto plain = lzw::compress_without_fallback(in);
            const auto expected = ref::compress_without_fallback(in);
            BOOST_TEST_REQUIRE(plain.has_value());
            BOOST_TEST_REQUIRE(expected.has_value());
            BOOST_TEST((*plain == *expected));
            const Bytes stored = lzw::compress(in);
            BOOST_TEST((stored == ref::compress(in)));
            BOOST_TEST((lzw::decompress(*plain, in.size()).value() == in));
            BOOST_TEST((lzw::decompress(stored, in.size()).value() == in));
            // Both decoders give the same result or the same error, with room to spare and at
            // every limit below the size.
            for (std::size_t max : {in.size(), in.size() + 1000, in.size() - 1, in.size() / 2})
                BOOST_TEST(outcome(lzw::decompress(*plain, max)) == outcome(ref::decompress(*plain, max)));
        }
    }
}

BOOST_AUTO_TEST_CASE(differential_decoding_of_damaged_streams) {
    // Corrupted, truncated and extended streams: the same output or the same error message.
    std::mt19937_64 rng(17);
    std::size_t compared = 0;
    for (const auto& [name, in] : differential_inputs()) {
        if (in.size() > 70000) continue;
        const Bytes good = lzw::compress_without_fallback(in).value();
        for (int trial = 0; trial < 40; ++trial) {
            Bytes m = good;
            switch (trial % 4) {
            case 0: m[rng() % m.size()] ^= static_cast<Byte>(1u << (rng() % 8)); break;
            case 1: m.resize(rng() % m.size()); break;
            case 2: m.push_back(static_cast<Byte>(rng())); break;
            default:
                for (int k = 0; k < 4; ++k) m[rng() % m.size()] = static_cast<Byte>(rng());
            }
            const std::size_t max = trial % 3 == 0 ? in.size() : in.size() * 2 + 16;
            BOOST_TEST_CONTEXT(name << ", trial " << trial) {
                BOOST_TEST(outcome(lzw::decompress(m, max)) == outcome(ref::decompress(m, max)));
            }
            ++compared;
        }
    }
    BOOST_TEST(compared > 500u);
}

BOOST_AUTO_TEST_SUITE_END()
