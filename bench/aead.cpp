// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-256-GCM-SIV seal and open: sealpipe versus BoringSSL's EVP_aead_aes_256_gcm_siv, with
// Crypto++'s GCM<AES> (a different mode) as a reference line. Run by scripts/bench.

#include <sealpipe/aead.hpp>

#include <openssl/aead.h>   // BoringSSL

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using sealpipe::Byte;
using sealpipe::Bytes;
using A = sealpipe::aead::AesGcmSiv<256>;

Bytes filled(std::size_t n, Byte seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<Byte>(seed + i * 131);
    return b;
}

const Bytes key_bytes = filled(32, 1);
const Bytes aad = filled(16, 3);
const Bytes nonce_bytes = filled(12, 2);

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench: %s failed\n", what);
        std::abort();
    }
}

A::Context sealpipe_context(sealpipe::aead::Implementation impl) {
    return A::Context::with_implementation(A::Key::from(key_bytes).value(), impl).value();
}

// sealpipe, one context and one nonce (the deterministic mode: derived keys are cached).
void sealpipe_seal(benchmark::State& state, sealpipe::aead::Implementation impl) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto ctx = sealpipe_context(impl);
    const auto nonce = A::Nonce::from(nonce_bytes).value();
    const Bytes pt = filled(n, 4);
    Bytes out(n + 16);
    for (auto _ : state) {
        require(ctx.seal(nonce, pt, aad, out).has_value(), "sealpipe seal");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

// sealpipe with a different nonce on every call: the per-nonce key derivation is paid each time.
void sealpipe_seal_fresh_nonce(benchmark::State& state, sealpipe::aead::Implementation impl) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto ctx = sealpipe_context(impl);
    auto nonce = A::Nonce::from(nonce_bytes).value();
    const Bytes pt = filled(n, 4);
    Bytes out(n + 16);
    std::uint32_t i = 0;
    for (auto _ : state) {
        sealpipe::aead::detail::store_le32(nonce.data(), ++i);
        require(ctx.seal(nonce, pt, aad, out).has_value(), "sealpipe seal");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void sealpipe_open(benchmark::State& state, sealpipe::aead::Implementation impl) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto ctx = sealpipe_context(impl);
    const auto nonce = A::Nonce::from(nonce_bytes).value();
    const Bytes sealed = ctx.seal(nonce, filled(n, 4), aad).value();
    Bytes out(n);
    for (auto _ : state) {
        require(ctx.open(nonce, sealed, aad, out).has_value(), "sealpipe open");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

struct Boring {
    EVP_AEAD_CTX* ctx = EVP_AEAD_CTX_new(EVP_aead_aes_256_gcm_siv(), key_bytes.data(), key_bytes.size(),
                                         EVP_AEAD_DEFAULT_TAG_LENGTH);
    Boring() { require(ctx != nullptr, "EVP_AEAD_CTX_new"); }
    ~Boring() { EVP_AEAD_CTX_free(ctx); }
    Boring(const Boring&) = delete;
    Boring& operator=(const Boring&) = delete;
    bool seal(const Bytes& in, Bytes& out) const {
        std::size_t out_len = 0;
        return EVP_AEAD_CTX_seal(ctx, out.data(), &out_len, out.size(), nonce_bytes.data(), nonce_bytes.size(),
                                 in.data(), in.size(), aad.data(), aad.size()) == 1;
    }
    bool open(const Bytes& in, Bytes& out) const {
        std::size_t out_len = 0;
        return EVP_AEAD_CTX_open(ctx, out.data(), &out_len, out.size(), nonce_bytes.data(), nonce_bytes.size(),
                                 in.data(), in.size(), aad.data(), aad.size()) == 1;
    }
};

void boringssl_seal(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Boring b;
    const Bytes pt = filled(n, 4);
    Bytes out(n + 16);
    for (auto _ : state) {
        require(b.seal(pt, out), "BoringSSL seal");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void boringssl_open(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Boring b;
    Bytes sealed(n + 16);
    require(b.seal(filled(n, 4), sealed), "BoringSSL seal");
    Bytes out(n + 16);
    for (auto _ : state) {
        require(b.open(sealed, out), "BoringSSL open");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void cryptopp_gcm_seal(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
    enc.SetKeyWithIV(key_bytes.data(), key_bytes.size(), nonce_bytes.data(), nonce_bytes.size());
    const Bytes pt = filled(n, 4);
    Bytes out(n + 16);
    for (auto _ : state) {
        enc.EncryptAndAuthenticate(out.data(), out.data() + n, 16, nonce_bytes.data(), 12, aad.data(), aad.size(),
                                   pt.data(), n);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void cryptopp_gcm_open(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
    CryptoPP::GCM<CryptoPP::AES>::Decryption dec;
    enc.SetKeyWithIV(key_bytes.data(), key_bytes.size(), nonce_bytes.data(), nonce_bytes.size());
    dec.SetKeyWithIV(key_bytes.data(), key_bytes.size(), nonce_bytes.data(), nonce_bytes.size());
    const Bytes pt = filled(n, 4);
    Bytes sealed(n + 16), out(n);
    enc.EncryptAndAuthenticate(sealed.data(), sealed.data() + n, 16, nonce_bytes.data(), 12, aad.data(), aad.size(),
                               pt.data(), n);
    for (auto _ : state) {
        require(dec.DecryptAndVerify(out.data(), sealed.data() + n, 16, nonce_bytes.data(), 12, aad.data(),
                                     aad.size(), sealed.data(), n),
                "Crypto++ GCM open");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void sizes(benchmark::internal::Benchmark* b) {
    for (std::int64_t n : {64, 1024, 16 * 1024, 1024 * 1024}) b->Arg(n);
}

} // namespace

int main(int argc, char** argv) {
    // Sanity: the peers agree on the bytes before anything is timed.
    {
        const Bytes pt = filled(1000, 4);
        Boring b;
        Bytes ref(pt.size() + 16);
        require(b.seal(pt, ref), "BoringSSL seal");
        for (auto impl : sealpipe::aead::supported_implementations())
            require(sealpipe_context(impl).seal(A::Nonce::from(nonce_bytes).value(), pt, aad).value() == ref,
                    "agreement with BoringSSL");
    }
    using sealpipe::aead::Implementation;
    const auto best = sealpipe::aead::default_implementation();
    benchmark::RegisterBenchmark("seal/sealpipe", sealpipe_seal, best)->Apply(sizes);
    benchmark::RegisterBenchmark("seal/boringssl", boringssl_seal)->Apply(sizes);
    benchmark::RegisterBenchmark("seal/cryptopp_gcm", cryptopp_gcm_seal)->Apply(sizes);
    benchmark::RegisterBenchmark("seal/sealpipe_fresh_nonce", sealpipe_seal_fresh_nonce, best)->Apply(sizes);
    benchmark::RegisterBenchmark("open/sealpipe", sealpipe_open, best)->Apply(sizes);
    benchmark::RegisterBenchmark("open/boringssl", boringssl_open)->Apply(sizes);
    benchmark::RegisterBenchmark("open/cryptopp_gcm", cryptopp_gcm_open)->Apply(sizes);
    // The other sealpipe paths, for the record.
    for (auto impl : sealpipe::aead::supported_implementations()) {
        if (impl == best) continue;
        const std::string name = std::string(sealpipe::aead::to_string(impl));
        benchmark::RegisterBenchmark(("seal/sealpipe_" + name).c_str(), sealpipe_seal, impl)->Apply(sizes);
        benchmark::RegisterBenchmark(("open/sealpipe_" + name).c_str(), sealpipe_open, impl)->Apply(sizes);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
