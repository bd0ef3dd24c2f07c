// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of deterministic_aes_gcm_fail.cpp: AES-GCM in randomized mode (a fresh nonce per object).
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::RandomizedPipeline<enc::Zstd<>, aead::AesGcm<aead::Nonce12>> p({}, aead::AesGcm<aead::Nonce12>::Key{});
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
