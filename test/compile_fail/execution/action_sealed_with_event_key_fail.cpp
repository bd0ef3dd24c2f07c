// expect: sealpipe: seal_action\(key, \.\.\.\) requires an AeadKey<Purpose::Action>
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An event key cannot seal (or open) an action.
#include <sealpipe/execution/sealing.hpp>

#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto misuse(const SharedSecret<X25519>& s, execution::Action& a) {
    return execution::seal_action(s.key_for<Purpose::ExecutionEvent>(), ByteView{}, a);
}
