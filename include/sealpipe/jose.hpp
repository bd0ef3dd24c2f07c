// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The jose area: Ed25519 JWKs and JWS (sqooler's JWSDict, RFC 7515 compact and flattened),
// over the Python-exact JSON they are signed in.

#ifndef SEALPIPE_JOSE_HPP
#define SEALPIPE_JOSE_HPP

#include <sealpipe/jose/jwk.hpp>
#include <sealpipe/jose/jws.hpp>
#include <sealpipe/jose/python_json.hpp>

#endif // SEALPIPE_JOSE_HPP
