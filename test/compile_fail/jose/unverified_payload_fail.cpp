// expect: sealpipe: a Verified<T> is made only by a jose verify function
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A payload cannot be passed off as verified: making a Verified<T> by hand is a compile error.
#include <sealpipe/jose/jws.hpp>

sealpipe::jose::Verified<boost::json::object> launder(const sealpipe::jose::SqoolerJws&,
                                                      boost::json::object unverified) {
    return sealpipe::jose::Verified<boost::json::object>(std::move(unverified), std::string("kid"));
}
