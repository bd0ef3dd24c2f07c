// expect: no matching function for call to .*seal_action.*AeadKey<sealpipe::keys::Purpose::ExecutionEvent>
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An event key cannot seal an action: functions take only the key of their own purpose.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

template <class K>
    requires KeyFor<K, Purpose::Action>
int seal_action(const K&) { return 0; }

int misuse(const SharedSecret<X25519>& s) { return seal_action(s.key_for<Purpose::ExecutionEvent>()); }
