// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of unverified_payload_fail.cpp: the payload comes out of verify_sqooler.
#include <sealpipe/jose/jws.hpp>

sealpipe::result<sealpipe::jose::Verified<boost::json::object>> launder(const sealpipe::jose::SqoolerJws& jws,
                                                                       const sealpipe::jose::PublicJwk& key) {
    return sealpipe::jose::verify_sqooler(jws, key);
}
