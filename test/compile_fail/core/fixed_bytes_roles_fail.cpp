// expect: (invalid initialization of reference of type|no matching function for call to)
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A nonce is not an AEAD tag: fixed-size byte types with different roles do not convert.
#include <sealpipe/core/bytes.hpp>

using Nonce = sealpipe::FixedBytes<12, struct NonceRole>;
using AeadTag = sealpipe::FixedBytes<12, struct AeadTagRole>;

bool check(const AeadTag& t) { return t[0] == 0; }
bool misuse(const Nonce& n) { return check(n); }
