// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The twin of event_opened_with_action_key_fail.cpp: the completion key opens events.
#include <sealpipe/execution/sealing.hpp>

#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto use(const SharedSecret<X25519>& s, const execution::Event& e) {
    return execution::open_event(s.key_for<Purpose::CompletionEvent>(), ByteView{}, e);
}
