// expect: sealpipe: a secret cannot be printed
// Secrets have no printable form: streaming one is a compile error.
#include <sealpipe/core/secret.hpp>
#include <iostream>

void leak(const sealpipe::FixedSecret<32>& key) { std::cout << key; }
