// expect: sealpipe: key_for<Purpose>\(\) uses the raw-XOR tweak, which needs a 16- or 32-byte secret
// A P-384 secret (48 bytes) is no AES-GCM-SIV key: the raw tweak is refused at compile time.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

auto misuse(const SharedSecret<P384>& s) { return s.key_for<Purpose::Action>(); }
