// expect: sealpipe: Pipeline<Stages\.\.\.>: stages of different modes cannot be mixed
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A keyed encrypting stage in a deterministic pipeline.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::DeterministicPipeline<enc::SimpleLzw, enc::KeyedEncrypting<aead::AesGcmSiv<256>>> p(
        {}, aead::AesGcmSiv<256>::Key{});
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
