// expect: sealpipe: open_event\(key, \.\.\.\) requires an AeadKey<Purpose::ExecutionEvent> or AeadKey<Purpose::CompletionEvent>
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An action key cannot open an event: each message opens only under the key of its purpose.
#include <sealpipe/execution/sealing.hpp>

#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto misuse(const SharedSecret<X25519>& s, const execution::Event& e) {
    return execution::open_event(s.key_for<Purpose::Action>(), ByteView{}, e);
}
