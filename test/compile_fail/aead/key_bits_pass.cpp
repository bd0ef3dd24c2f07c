// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of key_bits_fail.cpp: a 256-bit key compiles.
#include <sealpipe/aead/aes_gcm_siv.hpp>

int main() {
    return static_cast<int>(sealpipe::aead::AesGcmSiv<256>::key_bytes);
}
