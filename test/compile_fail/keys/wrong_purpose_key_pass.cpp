// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of wrong_purpose_key_fail.cpp: the key agreed for actions opens an action.
#include <sealpipe/execution/sealing.hpp>
#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto use(const SharedSecret<X25519>& s, const execution::Action& a) {
    return execution::open_action(s.key_for<Purpose::Action>(), a);
}
