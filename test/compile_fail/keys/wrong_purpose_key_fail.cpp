// expect: no matching function for call to .*seal_action.*AeadKey<sealpipe::keys::Purpose::ExecutionEvent>
// An event key cannot seal an action: functions take only the key of their own purpose.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

template <class K>
    requires KeyFor<K, Purpose::Action>
int seal_action(const K&) { return 0; }

int misuse(const SharedSecret<X25519>& s) { return seal_action(s.key_for<Purpose::ExecutionEvent>()); }
