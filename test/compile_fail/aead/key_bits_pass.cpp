// Twin of key_bits_fail.cpp: a 256-bit key compiles.
#include <sealpipe/aead/aes_gcm_siv.hpp>

int main() {
    return static_cast<int>(sealpipe::aead::AesGcmSiv<256>::key_bytes);
}
