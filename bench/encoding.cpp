// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoding pipelines: MB/s of [lzw, encrypting], [zstd-1, encrypting] and [encrypting] at
// 4 KiB and 1 MiB, each next to the sum of its stages run alone (the pipeline's overhead),
// and Simple LZW on text and on random data. Prints Markdown tables. Run by scripts/bench.

#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace sealpipe;
namespace enc = sealpipe::encoding;
using Siv = aead::AesGcmSiv<256>;

Bytes text(std::size_t n) {
    static const std::string words =
        "the quick brown fox jumps over the lazy dog while sealed objects wait in untrusted storage ";
    Bytes b(n);
    std::uint32_t x = 12345;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        b[i] = static_cast<Byte>(words[(i + (x >> 28)) % words.size()]);
    }
    return b;
}

Bytes random_bytes_of(std::size_t n) {
    Bytes b(n);
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    for (auto& c : b) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c = static_cast<Byte>(x);
    }
    return b;
}

/// Seconds per call of each function, measured in interleaved rounds (so that a busy
/// machine slows all of them alike), median of 15 rounds of ~20 ms each.
std::vector<double> seconds_per_call(const std::vector<std::function<void()>>& fs) {
    using clock = std::chrono::steady_clock;
    std::vector<int> inner;
    for (const auto& f : fs) {
        f();
        const auto t0 = clock::now();
        f();
        const double once = std::chrono::duration<double>(clock::now() - t0).count();
        inner.push_back(std::max(1, static_cast<int>(0.02 / std::max(once, 1e-9))));
    }
    std::vector<std::vector<double>> samples(fs.size());
    for (int r = 0; r < 15; ++r)
        for (std::size_t k = 0; k < fs.size(); ++k) {
            const auto t0 = clock::now();
            for (int i = 0; i < inner[k]; ++i) fs[k]();
            samples[k].push_back(std::chrono::duration<double>(clock::now() - t0).count() / inner[k]);
        }
    std::vector<double> out;
    for (auto& s : samples) {
        std::sort(s.begin(), s.end());
        out.push_back(s[s.size() / 2]);
    }
    return out;
}


void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench: %s failed\n", what);
        std::abort();
    }
}

template <class Compressor>
void row(const char* name, std::size_t n, bool has_compressor) {
    const Bytes in = text(n);
    const auto key = Siv::Key::from(Bytes(32, 7)).value();
    // The whole pipeline.
    using P = std::conditional_t<std::is_void_v<Compressor>, enc::DeterministicPipeline<Siv>,
                                 enc::DeterministicPipeline<std::conditional_t<std::is_void_v<Compressor>, enc::SimpleLzw, Compressor>, Siv>>;
    auto make = [&]() -> P {
        if constexpr (std::is_void_v<Compressor>) return P(key);
        else return P({}, key);
    };
    P pipeline = make();
    auto sealed = pipeline.encode(in).value();

    // The stages alone, on the same data they see inside the pipeline.
    std::conditional_t<std::is_void_v<Compressor>, enc::SimpleLzw, Compressor> c{};
    Bytes middle = in;
    if constexpr (!std::is_void_v<Compressor>) middle = c.encode(in, {}).value();
    enc::DeterministicEncrypting<Siv> e(key, enc::AdditionalData{});
    Bytes tag(16);
    const Bytes ct = e.encode(middle, tag).value();
    auto compress = [&] {
        if constexpr (!std::is_void_v<Compressor>) require(c.encode(in, {}).has_value(), "compress");
    };
    auto decompress = [&] {
        if constexpr (!std::is_void_v<Compressor>) require(c.decode(middle, {}, n).has_value(), "decompress");
    };
    const auto t = seconds_per_call({
        [&] { require(pipeline.encode(in).has_value(), "encode"); },
        compress,
        [&] { require(e.encode(middle, tag).has_value(), "seal"); },
        [&] { require(pipeline.decode(sealed.data, sealed.parameters, n).has_value(), "decode"); },
        decompress,
        [&] { require(e.decode(ct, tag, middle.size()).has_value(), "open"); },
    });
    const double pipe_enc = t[0], stage_enc = (std::is_void_v<Compressor> ? 0 : t[1]) + t[2];
    const double pipe_dec = t[3], stage_dec = (std::is_void_v<Compressor> ? 0 : t[4]) + t[5];
    (void)has_compressor;
    const double mb = static_cast<double>(n) / 1e6;
    std::printf("| %s | %s | %.0f | %.0f | %+.1f%% | %.0f | %.0f | %+.1f%% |\n", name,
                n >= (1u << 20) ? "1 MiB" : "4 KiB", mb / pipe_enc, mb / stage_enc, (pipe_enc / stage_enc - 1) * 100,
                mb / pipe_dec, mb / stage_dec, (pipe_dec / stage_dec - 1) * 100);
}

} // namespace

int main() {
    std::printf("| chain | size | encode MB/s | stages alone | overhead | decode MB/s | stages alone | overhead |\n");
    std::printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (std::size_t n : {std::size_t{4096}, std::size_t{1} << 20}) {
        row<enc::SimpleLzw>("[lzw, encrypting]", n, true);
        row<enc::Zstd<1>>("[zstd-1, encrypting]", n, true);
        row<void>("[encrypting]", n, false);
    }
    std::printf("\n| Simple LZW | size | compress MB/s | decompress MB/s | ratio |\n| --- | --- | ---: | ---: | ---: |\n");
    for (bool is_text : {true, false})
        for (std::size_t n : {std::size_t{4096}, std::size_t{1} << 20}) {
            const Bytes in = is_text ? text(n) : random_bytes_of(n);
            const Bytes packed = codec::simple_lzw::compress(in);
            const Bytes raw = codec::simple_lzw::compress_without_fallback(in).value();
            const auto t = seconds_per_call({[&] { require(!codec::simple_lzw::compress(in).empty(), "lzw"); },
                                             [&] { require(codec::simple_lzw::decompress(raw, n).has_value(), "unlzw"); }});
            const double c = t[0], d = t[1];
            std::printf("| %s | %s | %.0f | %.0f | %.2f |\n", is_text ? "text" : "random", n >= (1u << 20) ? "1 MiB" : "4 KiB",
                        static_cast<double>(n) / 1e6 / c, static_cast<double>(n) / 1e6 / d,
                        static_cast<double>(packed.size()) / static_cast<double>(n));
        }
    return 0;
}
