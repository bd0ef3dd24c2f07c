// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-GCM-SIV with sealpipe: seal and open, the detached tag, the deterministic (zero-nonce)
// use that nonce-misuse resistance allows, a failed authentication, and the dispatch paths.

#include <sealpipe/aead.hpp>
#include <sealpipe/core.hpp>

#include <cstdio>
#include <string>

using namespace sealpipe;

int main() {
    // tag::seal[]
    using Aead = aead::AesGcmSiv<256>;
    static_assert(aead::NonceMisuseResistantAead<Aead>);   // later code may rely on it

    // A fresh key in wiping storage, and a context that caches the expanded keys.
    auto key = Aead::Key::generate();
    if (!key) return 2;
    Aead::Context ctx(*key);

    auto nonce = SystemRng{}.generate<Aead::Nonce>().value();
    const ByteView message = as_bytes("attack at dawn");
    const ByteView header = as_bytes("v1");   // authenticated, not encrypted

    result<Bytes> sealed = ctx.seal(nonce, message, header);   // ciphertext || 16-byte tag
    result<Bytes> opened = ctx.open(nonce, sealed.value(), header);
    std::printf("sealed %zu bytes into %zu; opened: %s\n", message.size(), sealed->size(),
                std::string(as_chars(opened.value())).c_str());
    // end::seal[]

    // tag::tamper[]
    Bytes forged = sealed.value();
    forged[0] ^= 1;
    Bytes out(forged.size() - Aead::tag_bytes, 0xff);
    result<void> r = ctx.open(nonce, forged, header, out);
    // Fails with errc::authentication_failed (CLI exit code 1); `out` is all zero.
    std::printf("forged: %s (exit code %d)\n", r.error().message().c_str(), (r.error() == condition::verification_failed ? 1 : 2));
    // end::tamper[]

    // tag::deterministic[]
    // Deterministic use: the all-zero nonce. Equal inputs give equal outputs, which is all a
    // repeated nonce reveals with AES-GCM-SIV; the tag is kept apart from the ciphertext.
    const Aead::Nonce zero{};
    Bytes ct1(message.size()), ct2(message.size());
    const Aead::Tag tag1 = ctx.seal_detached(zero, message, {}, ct1).value();
    const Aead::Tag tag2 = ctx.seal_detached(zero, message, {}, ct2).value();
    std::printf("deterministic: same ciphertext %s, same tag %s\n", ct1 == ct2 ? "yes" : "no",
                tag1 == tag2 ? "yes" : "no");
    Bytes back(ct1.size());
    if (!ctx.open_detached(zero, ct1, tag1, {}, back)) return 1;
    // end::deterministic[]

    // tag::paths[]
    std::printf("paths on this CPU:");
    for (aead::Implementation i : aead::supported_implementations()) std::printf(" %s", aead::to_string(i).data());
    std::printf("; in use: %s\n", aead::to_string(ctx.implementation()).data());
    // Force a path (tests and benchmarks do): errc::unsupported if the CPU lacks it.
    auto portable = Aead::Context::with_implementation(*key, aead::Implementation::portable);
    std::printf("portable agrees: %s\n", portable->seal(nonce, message, header).value() == *sealed ? "yes" : "no");
    // end::paths[]
    return 0;
}
