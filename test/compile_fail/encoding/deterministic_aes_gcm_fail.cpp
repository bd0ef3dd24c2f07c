// expect: sealpipe: a deterministic pipeline may only encrypt with a nonce-misuse-resistant AEAD
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The design card's Pipeline<Zstd, AesGcm<Nonce12>> in deterministic mode: AES-GCM under a fixed nonce.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::Pipeline<enc::Zstd<>, aead::AesGcm<aead::Nonce12>> p({}, aead::AesGcm<aead::Nonce12>::Key{});
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
