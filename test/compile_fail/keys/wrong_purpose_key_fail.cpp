// expect: sealpipe: open_action\(key, action\) requires an AeadKey<Purpose::Action>
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A key agreed for one purpose cannot be used for another: the library's own call that
// opens an action refuses the key of execution events, with a sentence.
#include <sealpipe/execution/sealing.hpp>
#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto misuse(const SharedSecret<X25519>& s, const execution::Action& a) {
    return execution::open_action(s.key_for<Purpose::ExecutionEvent>(), a);
}
