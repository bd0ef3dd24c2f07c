// Twin of secret_not_printable_fail.cpp: printing needs the explicit access token.
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/secret.hpp>
#include <iostream>

void leak(const sealpipe::FixedSecret<32>& key) {
    std::cout << sealpipe::hex_encode(key.reveal(sealpipe::hazmat::secret_access()));
}
