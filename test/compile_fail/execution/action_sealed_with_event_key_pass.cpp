// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The twin of action_sealed_with_event_key_fail.cpp: the action key seals actions.
#include <sealpipe/execution/sealing.hpp>

#include <sealpipe/keys.hpp>

using namespace sealpipe;
using namespace sealpipe::keys;

auto use(const SharedSecret<X25519>& s, execution::Action& a) {
    return execution::seal_action(s.key_for<Purpose::Action>(), ByteView{}, a);
}
