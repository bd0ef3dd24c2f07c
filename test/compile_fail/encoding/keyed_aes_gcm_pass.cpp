// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of keyed_aes_gcm_fail.cpp: AES-GCM-SIV in keyed mode.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::KeyedPipeline<enc::Zstd<>, aead::AesGcmSiv<256>> p({}, aead::AesGcmSiv<256>::Key{});
    return p.encode(as_bytes("x"), hazmat::chosen_nonce(decltype(p)::Parameters{})).has_value() ? 0 : 1;
}
