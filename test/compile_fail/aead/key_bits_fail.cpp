// expect: sealpipe: AesGcmSiv<KeyBits> requires KeyBits to be 128 or 256
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-GCM-SIV is defined for 128- and 256-bit keys only (RFC 8452): 192 is refused.
#include <sealpipe/aead/aes_gcm_siv.hpp>

int main() {
    return static_cast<int>(sealpipe::aead::AesGcmSiv<192>::key_bytes);
}
