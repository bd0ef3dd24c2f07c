// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of wrong_purpose_key_fail.cpp: the action key seals an action.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

template <class K>
    requires KeyFor<K, Purpose::Action>
int seal_action(const K&) { return 0; }

int use(const SharedSecret<X25519>& s) { return seal_action(s.key_for<Purpose::Action>()); }
