// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// X25519 agreement, Ed25519 sign and verify, P-256, P-384 and P-521 agreement: sealpipe versus
// libsodium and OpenSSL, in one run (X25519 also on sealpipe's portable donna path, the NIST
// curves also on the portable Crypto++ path). Keys and peers are parsed outside the timed
// loops.

#include <sealpipe/keys.hpp>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

namespace {

using namespace sealpipe;
using namespace sealpipe::keys;

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench: %s failed\n", what);
        std::abort();
    }
}

const Bytes message(64, 0x5a);   // a short message, as a JWS header.payload or a config hash

template <class K>
void sealpipe_agree(benchmark::State& state) {
    const auto mine = PrivateKey<K>::generate().value();
    const auto peer = PrivateKey<K>::generate().value().public_key();
    for (auto _ : state) {
        auto s = ecdh(mine, peer);
        require(s.has_value(), "sealpipe ecdh");
        benchmark::DoNotOptimize(s->reveal(hazmat::secret_access()).data());
    }
}

// The same agreement with X25519 forced onto Crypto++'s donna (the portable path).
void sealpipe_x25519_donna(benchmark::State& state) {
    keys::detail::ScopedX25519Path force(keys::detail::X25519Path::donna);
    sealpipe_agree<X25519>(state);
}

// The same agreement with the NIST curves forced onto Crypto++ (the path without OpenSSL).
template <class K>
void sealpipe_nist_cryptopp(benchmark::State& state) {
    keys::detail::ScopedNistPath force(keys::detail::NistPath::cryptopp);
    sealpipe_agree<K>(state);
}

void sodium_x25519(benchmark::State& state) {
    unsigned char sk[32], peer_sk[32], peer_pk[32], out[32];
    randombytes_buf(sk, 32);
    randombytes_buf(peer_sk, 32);
    crypto_scalarmult_base(peer_pk, peer_sk);
    for (auto _ : state) {
        require(crypto_scalarmult(out, sk, peer_pk) == 0, "libsodium x25519");
        benchmark::DoNotOptimize(out);
    }
}

EVP_PKEY* openssl_key(const char* type) {
    EVP_PKEY* k = std::string_view(type).starts_with("P-") ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", type)
                                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    require(k != nullptr, "OpenSSL keygen");
    return k;
}

void openssl_agree(benchmark::State& state, const char* type) {
    EVP_PKEY* mine = openssl_key(type);
    EVP_PKEY* peer = openssl_key(type);
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(mine, nullptr);
    require(EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1, "OpenSSL derive init");
    unsigned char out[64];
    for (auto _ : state) {
        std::size_t n = sizeof out;
        require(EVP_PKEY_derive(ctx, out, &n) == 1, "OpenSSL derive");
        benchmark::DoNotOptimize(out);
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(mine);
}

void sealpipe_sign(benchmark::State& state) {
    const auto k = PrivateKey<Ed25519>::generate().value();
    for (auto _ : state) benchmark::DoNotOptimize(sign(k, message));
}

void sealpipe_verify(benchmark::State& state) {
    const auto k = PrivateKey<Ed25519>::generate().value();
    const auto sig = sign(k, message);
    for (auto _ : state) require(verify(k.public_key(), message, sig).has_value(), "sealpipe verify");
}

void sodium_sign(benchmark::State& state) {
    unsigned char pk[32], sk[64], sig[64];
    crypto_sign_keypair(pk, sk);
    for (auto _ : state) {
        crypto_sign_detached(sig, nullptr, message.data(), message.size(), sk);
        benchmark::DoNotOptimize(sig);
    }
}

void sodium_verify(benchmark::State& state) {
    unsigned char pk[32], sk[64], sig[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, nullptr, message.data(), message.size(), sk);
    for (auto _ : state)
        require(crypto_sign_verify_detached(sig, message.data(), message.size(), pk) == 0, "libsodium verify");
}

void openssl_sign(benchmark::State& state) {
    EVP_PKEY* k = openssl_key("ED25519");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char sig[64];
    for (auto _ : state) {
        std::size_t n = sizeof sig;
        require(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, k) == 1 &&
                    EVP_DigestSign(ctx, sig, &n, message.data(), message.size()) == 1,
                "OpenSSL sign");
        benchmark::DoNotOptimize(sig);
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
}

void openssl_verify(benchmark::State& state) {
    EVP_PKEY* k = openssl_key("ED25519");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char sig[64];
    std::size_t n = sizeof sig;
    require(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, k) == 1 &&
                EVP_DigestSign(ctx, sig, &n, message.data(), message.size()) == 1,
            "OpenSSL sign");
    for (auto _ : state)
        require(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, k) == 1 &&
                    EVP_DigestVerify(ctx, sig, n, message.data(), message.size()) == 1,
                "OpenSSL verify");
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
}

} // namespace

BENCHMARK(sealpipe_agree<X25519>)->Name("x25519/sealpipe");
BENCHMARK(sealpipe_x25519_donna)->Name("x25519/sealpipe_donna");
BENCHMARK(sodium_x25519)->Name("x25519/libsodium");
BENCHMARK_CAPTURE(openssl_agree, x25519, "X25519")->Name("x25519/openssl");
BENCHMARK(sealpipe_sign)->Name("ed25519_sign/sealpipe");
BENCHMARK(sodium_sign)->Name("ed25519_sign/libsodium");
BENCHMARK(openssl_sign)->Name("ed25519_sign/openssl");
BENCHMARK(sealpipe_verify)->Name("ed25519_verify/sealpipe");
BENCHMARK(sodium_verify)->Name("ed25519_verify/libsodium");
BENCHMARK(openssl_verify)->Name("ed25519_verify/openssl");
BENCHMARK(sealpipe_agree<P256>)->Name("p256/sealpipe");
BENCHMARK(sealpipe_nist_cryptopp<P256>)->Name("p256/sealpipe_cryptopp");
BENCHMARK_CAPTURE(openssl_agree, p256, "P-256")->Name("p256/openssl");
BENCHMARK(sealpipe_agree<P384>)->Name("p384/sealpipe");
BENCHMARK(sealpipe_nist_cryptopp<P384>)->Name("p384/sealpipe_cryptopp");
BENCHMARK_CAPTURE(openssl_agree, p384, "P-384")->Name("p384/openssl");
BENCHMARK(sealpipe_agree<P521>)->Name("p521/sealpipe");
BENCHMARK(sealpipe_nist_cryptopp<P521>)->Name("p521/sealpipe_cryptopp");
BENCHMARK_CAPTURE(openssl_agree, p521, "P-521")->Name("p521/openssl");

int main(int argc, char** argv) {
    require(sodium_init() >= 0, "sodium_init");
    require(keys::detail::active_nist_path() == keys::detail::NistPath::openssl, "the OpenSSL path of the NIST curves");
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
