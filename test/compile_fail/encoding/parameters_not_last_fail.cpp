// expect: sealpipe: Pipeline<Stages\.\.\.>: only the last stage may yield decoding parameters
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encrypting twice: the first stage would yield decoding parameters that nothing can carry.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    const aead::AesGcmSiv<256>::Key key{};
    enc::Pipeline<aead::AesGcmSiv<256>, aead::AesGcmSiv<256>> p(key, key);
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
