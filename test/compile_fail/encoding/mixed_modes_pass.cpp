// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of mixed_modes_fail.cpp: the keyed stage in a keyed pipeline.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::KeyedPipeline<enc::SimpleLzw, enc::KeyedEncrypting<aead::AesGcmSiv<256>>> p({}, aead::AesGcmSiv<256>::Key{});
    return p.encode(as_bytes("x"), hazmat::chosen_nonce(decltype(p)::Parameters{})).has_value() ? 0 : 1;
}
