// expect: sealpipe: a keyed pipeline may only encrypt with a nonce-misuse-resistant AEAD
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-GCM under caller-chosen nonces, which may repeat.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::KeyedPipeline<enc::Zstd<>, aead::AesGcm<aead::Nonce12>> p({}, aead::AesGcm<aead::Nonce12>::Key{});
    return p.encode(as_bytes("x"), hazmat::chosen_nonce(decltype(p)::Parameters{})).has_value() ? 0 : 1;
}
