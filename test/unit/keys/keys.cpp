// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/keys/key.hpp, ecdh.hpp, purpose.hpp, proof.hpp and ed25519.hpp:
// round trips, clear errors for wrong inputs, the Ed25519 → X25519 conversion against
// libsodium, purposes in the type system, proof of possession against OpenSSL's AES.
#include <sealpipe/keys.hpp>

#include "support/vectors.hpp"

#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include <atomic>
#include <concepts>
#include <thread>
#include <vector>
#include <string>
#include <type_traits>

using namespace sealpipe;
using namespace sealpipe::keys;

namespace {

using AllTypes = boost::mp11::mp_list<X25519, Ed25519, P256, P384, P521>;
using ProofTypes = boost::mp11::mp_list<X25519, P256>;
using AgreementTypes = boost::mp11::mp_list<X25519, P256, P384, P521>;

Bytes raw_private(const auto& k) {
    const ByteView v = k.raw(hazmat::secret_access());
    return Bytes(v.begin(), v.end());
}
Bytes reveal_bytes(const auto& s) {
    const ByteView v = s.reveal(hazmat::secret_access());
    return Bytes(v.begin(), v.end());
}

// A function that will seal actions: it takes only the action key (the pattern the
// actions area follows).
template <class K>
    requires KeyFor<K, Purpose::Action>
std::size_t seal_action_example(const K& key) {
    return key.size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(keys_types)

BOOST_AUTO_TEST_CASE_TEMPLATE(generate_and_round_trip, K, AllTypes) {
    auto k = PrivateKey<K>::generate();
    BOOST_TEST_REQUIRE(k.has_value());
    auto k2 = PrivateKey<K>::generate().value();
    BOOST_TEST(raw_private(*k) != raw_private(k2));

    // PKCS#8 DER and PEM, typed and through the runtime variant.
    auto der = k->to_der();
    auto back = PrivateKey<K>::from_der(der);
    BOOST_TEST_REQUIRE(back.has_value(), back.error().message());
    BOOST_TEST(raw_private(*back) == raw_private(*k));
    BOOST_TEST((back->public_key() == k->public_key()));
    auto pem = k->to_pem();
    BOOST_TEST(std::string_view(pem).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    auto any = AnyPrivateKey::from_pem(std::string_view(pem.data(), pem.size()));
    BOOST_TEST_REQUIRE(any.has_value());
    BOOST_TEST(any->type_name() == K::name);
    BOOST_TEST(any->template is<K>());
    BOOST_TEST(raw_private(any->template get<K>().value()) == raw_private(*k));

    // SubjectPublicKeyInfo.
    const PublicKey<K>& pub = k->public_key();
    BOOST_TEST(pub.raw().size() == K::public_bytes);
    auto pub_back = PublicKey<K>::from_pem(pub.to_pem());
    BOOST_TEST_REQUIRE(pub_back.has_value());
    BOOST_TEST((*pub_back == pub));
    auto any_pub = AnyPublicKey::from_der(pub.to_der());
    BOOST_TEST_REQUIRE(any_pub.has_value());
    BOOST_TEST((any_pub->template get<K>().value() == pub));
    BOOST_TEST((any->public_key() == *any_pub));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ecdh_agrees_both_ways, K, AgreementTypes) {
    auto a = PrivateKey<K>::generate().value();
    auto b = PrivateKey<K>::generate().value();
    auto ab = ecdh(a, b.public_key());
    auto ba = ecdh(b, a.public_key());
    BOOST_TEST_REQUIRE((ab.has_value() && ba.has_value()));
    BOOST_TEST(ab->equals(*ba));
    BOOST_TEST(ab->reveal(hazmat::secret_access()).size() == K::shared_secret_bytes);
    static_assert(SharedSecret<K>::size_bytes == K::shared_secret_bytes);
}

BOOST_AUTO_TEST_CASE(wrong_type_errors_are_clear) {
    auto p256 = PrivateKey<P256>::generate().value();
    auto r = PublicKey<X25519>::from_der(p256.public_key().to_der());
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::invalid_key));
    BOOST_TEST(r.error().message() == "expected an X25519 key, got a P-256 key");
    auto r2 = PrivateKey<P384>::from_der(p256.to_der());
    BOOST_TEST(r2.error().message() == "expected a P-384 key, got a P-256 key");
    auto any = AnyPublicKey(p256.public_key());
    BOOST_TEST(any.get<Ed25519>().error().message() == "expected an Ed25519 key, got a P-256 key");

    // A private key where a public one is expected, and the other way round.
    auto pem = p256.to_pem();
    auto r3 = AnyPublicKey::from_pem(std::string_view(pem.data(), pem.size()));
    BOOST_TEST(r3.error().message() == "expected PEM block PUBLIC KEY, got PRIVATE KEY");

    // Runtime ECDH between curves.
    auto x = AnyPrivateKey::generate("x25519").value();
    auto s = ecdh(x, AnyPublicKey(p256.public_key()));
    BOOST_TEST(s.error().message() == "ECDH: expected an X25519 key, got a P-256 key");
    BOOST_TEST(AnyPrivateKey::generate("rsa").error().message().find("unknown key type 'rsa'") == 0u);
}

BOOST_AUTO_TEST_CASE(trailing_garbage_and_bad_der) {
    auto k = PrivateKey<Ed25519>::generate().value();
    Bytes spki = k.public_key().to_der();
    Bytes longer = spki;
    longer.push_back(0);
    auto r = PublicKey<Ed25519>::from_der(longer);
    BOOST_TEST((r.error() == errc::malformed_input));
    BOOST_TEST(r.error().message().find("trailing") != std::string::npos);
    auto der = k.to_der();
    SecureBytes der2 = der;
    der2.push_back(0x05);
    BOOST_TEST((PrivateKey<Ed25519>::from_der(der2).error() == errc::malformed_input));
    for (std::size_t n = 0; n < spki.size(); ++n)   // every truncation
        BOOST_TEST(!PublicKey<Ed25519>::from_der(ByteView(spki).first(n)).has_value());
    // A non-minimal length (0x81 0x2a instead of 0x2a).
    Bytes nonminimal{0x30, 0x81};
    nonminimal.insert(nonminimal.end(), spki.begin() + 1, spki.end());
    BOOST_TEST(!PublicKey<Ed25519>::from_der(nonminimal).has_value());
    // An unknown algorithm (X448's OID).
    Bytes x448 = spki;
    x448[8] = 0x6f;
    auto u = AnyPublicKey::from_der(x448);
    BOOST_TEST((u.error() == errc::unsupported));
    BOOST_TEST(u.error().message() == "unsupported key algorithm (OID 1.3.101.111)");
}

BOOST_AUTO_TEST_CASE(invalid_points) {
    auto k = PrivateKey<P256>::generate().value();
    Bytes raw = to_bytes(k.public_key().raw());
    raw[64] ^= 1;   // y changed: off the curve
    auto r = PublicKey<P256>::from_raw(raw);
    BOOST_TEST((r.error() == errc::invalid_key));
    BOOST_TEST(r.error().message() == "public key: point is not on the curve");
    Bytes compressed(raw.begin(), raw.begin() + 33);
    compressed[0] = 0x02;
    BOOST_TEST((PublicKey<P256>::from_raw(compressed).error() == errc::unsupported));
    BOOST_TEST((PublicKey<P256>::from_raw(Bytes{0x00}).error() == errc::invalid_key));
    // Private scalars: zero and the group order are refused.
    BOOST_TEST((PrivateKey<P256>::from_raw(Bytes(32, 0)).error() == errc::invalid_key));
    const Bytes order = test::unhex(std::string_view("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"));
    BOOST_TEST((PrivateKey<P256>::from_raw(order).error() == errc::invalid_key));
    BOOST_TEST(PrivateKey<P256>::from_raw(test::unhex(std::string_view("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")))
                   .has_value());
    BOOST_TEST(PrivateKey<P256>::from_raw(Bytes(31, 1)).error().message() ==
               "P-256 private key: expected 32 bytes, got 31");
    // Ed25519: non-canonical y (y = p) and a y with no x.
    Bytes y_is_p = test::unhex(std::string_view("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
    BOOST_TEST((PublicKey<Ed25519>::from_raw(y_is_p).error() == errc::invalid_key));
    // X25519: a low-order peer key gives an all-zero secret, refused.
    auto x = PrivateKey<X25519>::generate().value();
    auto zero = PublicKey<X25519>::from_raw(Bytes(32, 0)).value();
    BOOST_TEST((ecdh(x, zero).error() == errc::invalid_key));
}

BOOST_AUTO_TEST_CASE(pkcs8_with_mismatched_public_key) {
    auto a = PrivateKey<P256>::generate().value();
    auto b = PrivateKey<P256>::generate().value();
    SecureBytes der = a.to_der();
    const ByteView pa = a.public_key().raw();
    const ByteView pb = b.public_key().raw();
    auto it = std::search(der.begin(), der.end(), pa.begin(), pa.end());
    BOOST_TEST_REQUIRE((it != der.end()));
    std::copy(pb.begin(), pb.end(), it);
    auto r = PrivateKey<P256>::from_der(der);
    BOOST_TEST((r.error() == errc::invalid_key));
}

BOOST_AUTO_TEST_CASE(concurrent_agreement) {
    // Keys and curves are shared between threads (Crypto++'s ECP has mutable scratch space:
    // sealpipe keeps one per thread).
    auto a = PrivateKey<P256>::generate().value();
    auto b = PrivateKey<P256>::generate().value();
    const Bytes expected = reveal_bytes(ecdh(a, b.public_key()).value());
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                auto s = ecdh(a, b.public_key());
                if (!s || reveal_bytes(*s) != expected) ++mismatches;
                if (!PrivateKey<P256>::generate()) ++mismatches;
            }
        });
    for (auto& th : threads) th.join();
    BOOST_TEST(mismatches.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ed25519_conversion)

// doc/protocol.md#keys-and-key-agreement against libsodium's crypto_sign_ed25519_{pk,sk}_to_curve25519.
BOOST_AUTO_TEST_CASE(matches_libsodium) {
    BOOST_TEST_REQUIRE(sodium_init() >= 0);
    for (int i = 0; i < 200; ++i) {
        auto ed = PrivateKey<Ed25519>::generate().value();
        const Bytes seed = raw_private(ed);
        unsigned char pk[32], sk[64];
        crypto_sign_seed_keypair(pk, sk, seed.data());
        BOOST_TEST(Bytes(pk, pk + 32) == to_bytes(ed.public_key().raw()));

        unsigned char x_pk[32], x_sk[32];
        BOOST_TEST_REQUIRE(crypto_sign_ed25519_pk_to_curve25519(x_pk, pk) == 0);
        BOOST_TEST_REQUIRE(crypto_sign_ed25519_sk_to_curve25519(x_sk, sk) == 0);

        auto x_pub = to_x25519(ed.public_key());
        BOOST_TEST_REQUIRE(x_pub.has_value());
        BOOST_TEST(to_bytes(x_pub->raw()) == Bytes(x_pk, x_pk + 32));
        // libsodium clamps the scalar it returns; doc/protocol.md#keys-and-key-agreement (and Go) keep the
        // hash bytes.
        PrivateKey<X25519> x_priv = to_x25519(ed);
        Bytes ours = raw_private(x_priv);
        const Digest64 h = sha512(seed);
        BOOST_TEST(ours == Bytes(h.begin(), h.begin() + 32));
        ours[0] &= 248;
        ours[31] &= 127;
        ours[31] |= 64;
        BOOST_TEST(ours == Bytes(x_sk, x_sk + 32));
        // The converted private key's public key is the converted public key.
        BOOST_TEST((x_priv.public_key() == *x_pub));
    }
}

BOOST_AUTO_TEST_CASE(ecdh_with_ed25519_on_either_side) {
    auto ed = PrivateKey<Ed25519>::generate().value();
    auto x = PrivateKey<X25519>::generate().value();
    auto s1 = ecdh(ed, x.public_key());
    auto s2 = ecdh(x, ed.public_key());
    auto s3 = ecdh(to_x25519(ed), x.public_key());
    BOOST_TEST_REQUIRE((s1 && s2 && s3));
    static_assert(std::is_same_v<decltype(s1)::value_type, SharedSecret<X25519>>);
    BOOST_TEST(s1->equals(*s2));
    BOOST_TEST(s1->equals(*s3));
    auto ed2 = PrivateKey<Ed25519>::generate().value();
    BOOST_TEST(ecdh(ed, ed2.public_key())->equals(*ecdh(ed2, ed.public_key())));
    // The runtime path converts too.
    auto any = ecdh(AnyPrivateKey(ed), AnyPublicKey(x.public_key()));
    BOOST_TEST_REQUIRE(any.has_value());
    BOOST_TEST(std::get<SharedSecret<X25519>>(*any).equals(*s1));
}

BOOST_AUTO_TEST_CASE(invalid_edwards_points_rejected_like_libsodium) {
    BOOST_TEST_REQUIRE(sodium_init() >= 0);
    // Points that do not decode: both refuse. (libsodium also refuses points of small or
    // mixed order; sealpipe leaves those to the all-zero check of X25519, doc/keys.md.)
    int rejected = 0;
    Bytes y(32);
    for (unsigned i = 0; i < 300; ++i) {
        y = test::pattern(32, i + 7);
        y[31] &= 0x7f;
        auto ours = PublicKey<Ed25519>::from_raw(y);
        unsigned char out[32];
        const bool sodium_ok = crypto_sign_ed25519_pk_to_curve25519(out, y.data()) == 0;
        if (!ours) {
            ++rejected;
            BOOST_TEST(!sodium_ok);
        } else if (sodium_ok) {
            BOOST_TEST(to_bytes(to_x25519(*ours)->raw()) == Bytes(out, out + 32));
        }
    }
    BOOST_TEST(rejected > 50);   // about half of all y have no x
    // The identity (y = 1) has no X25519 image.
    Bytes one(32, 0);
    one[0] = 1;
    auto id = PublicKey<Ed25519>::from_raw(one);
    BOOST_TEST_REQUIRE(id.has_value());
    BOOST_TEST((to_x25519(*id).error() == errc::invalid_key));
}

// The points of small order, as the torsion subgroup gives them (computed independently in
// Python from the curve equation): y = 0, 1, p - 1 and the two y of order 8, each with either
// sign bit where it decodes. Under each, R = identity and S = 0 is a signature of anything.
BOOST_AUTO_TEST_CASE(small_order_keys_refused_like_libsodium) {
    BOOST_TEST_REQUIRE(sodium_init() >= 0);
    const std::string_view ys[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    Bytes forged(64, 0);
    forged[0] = 1;  // R = the identity, S = 0
    const Bytes message = test::pattern(40, 3);
    int decoded = 0;
    for (const auto y : ys)
        for (const Byte sign : {Byte{0}, Byte{0x80}}) {
            Bytes pk = test::unhex(y);
            pk[31] |= sign;
            auto key = PublicKey<Ed25519>::from_raw(pk);
            if (!key) continue;  // x = 0 with the sign bit set does not decode
            ++decoded;
            BOOST_TEST_CONTEXT(hex_encode(pk)) {
                BOOST_TEST(has_small_order(*key));
                BOOST_TEST((verify_strict(*key, message, forged).error() == errc::signature_invalid));
                BOOST_TEST(crypto_sign_verify_detached(forged.data(), message.data(), message.size(), pk.data()) != 0);
                // an R of small order is refused under any key
                Bytes r_small = forged;
                std::copy(pk.begin(), pk.end(), r_small.begin());
                BOOST_TEST(!verify_strict(PrivateKey<Ed25519>::generate().value().public_key(), message, r_small));
            }
        }
    BOOST_TEST(decoded == 8);
    // RFC 8032's verification (and OpenSSL's) accepts the forgery under the identity.
    Bytes identity(32, 0);
    identity[0] = 1;
    BOOST_TEST(verify(PublicKey<Ed25519>::from_raw(identity).value(), message, forged).has_value());
    // Ordinary keys are not of small order, and their signatures verify strictly, as in libsodium.
    for (int i = 0; i < 20; ++i) {
        const auto k = PrivateKey<Ed25519>::generate().value();
        const auto sig = sign(k, message);
        BOOST_TEST(!has_small_order(k.public_key()));
        BOOST_TEST(verify_strict(k.public_key(), message, sig.view()).has_value());
        BOOST_TEST(crypto_sign_verify_detached(sig.data(), message.data(), message.size(),
                                               k.public_key().raw().data()) == 0);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(purposes)

static_assert(PurposeType<Purpose::Action> && PurposeType<Purpose::ExecutionEvent> &&
              PurposeType<Purpose::CompletionEvent>);
static_assert(!PurposeType<int>);
static_assert(!std::is_convertible_v<AeadKey<Purpose::Action>, AeadKey<Purpose::ExecutionEvent>>);
static_assert(KeyFor<AeadKey<Purpose::Action>, Purpose::Action>);
static_assert(!KeyFor<AeadKey<Purpose::CompletionEvent>, Purpose::Action>);
static_assert(boost::mp11::mp_size<Purposes>::value == 3);

BOOST_AUTO_TEST_CASE(raw_xor_tweak) {
    auto a = PrivateKey<X25519>::generate().value();
    auto b = PrivateKey<X25519>::generate().value();
    auto s = ecdh(a, b.public_key()).value();
    const Bytes raw = reveal_bytes(s);
    auto check = [&](const auto& key, Byte p) {
        Bytes expected = raw;
        expected[0] ^= p;
        BOOST_TEST(key.size() == 32u);
        BOOST_TEST(reveal_bytes(key) == expected);
    };
    check(s.key_for<Purpose::Action>(), 1);
    check(s.key_for<Purpose::ExecutionEvent>(), 2);
    check(s.key_for<Purpose::CompletionEvent>(), 3);
    BOOST_TEST(seal_action_example(s.key_for<Purpose::Action>()) == 32u);
}

BOOST_AUTO_TEST_CASE(hkdf_policy) {
    auto a = PrivateKey<P384>::generate().value();
    auto b = PrivateKey<P384>::generate().value();
    auto s = ecdh(a, b.public_key()).value();
    auto k = s.key_for<Purpose::ExecutionEvent, HkdfSha256>();
    BOOST_TEST(k.size() == 32u);
    // Independent computation with OpenSSL's HKDF.
    Bytes expected(32);
    const Bytes ikm = reveal_bytes(s);
    std::string info = "sealpipe purpose";
    info.push_back('\x02');
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    BOOST_TEST_REQUIRE(ctx != nullptr);
    std::size_t len = expected.size();
    BOOST_TEST(EVP_PKEY_derive_init(ctx) > 0);
    BOOST_TEST(EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0);
    BOOST_TEST(EVP_PKEY_CTX_set1_hkdf_key(ctx, ikm.data(), static_cast<int>(ikm.size())) > 0);
    BOOST_TEST(EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(info.data()),
                                           static_cast<int>(info.size())) > 0);
    BOOST_TEST(EVP_PKEY_derive(ctx, expected.data(), &len) > 0);
    EVP_PKEY_CTX_free(ctx);
    BOOST_TEST(reveal_bytes(k) == expected);
    BOOST_TEST(k.equals(s.key_for<Purpose::ExecutionEvent, HkdfSha256>()));
    // Purposes differ.
    BOOST_TEST(reveal_bytes(s.key_for<Purpose::Action, HkdfSha256>()) != reveal_bytes(k));
    // Works for 32-byte secrets too (then it differs from the raw tweak).
    auto x = ecdh(PrivateKey<X25519>::generate().value(), PrivateKey<X25519>::generate().value().public_key()).value();
    BOOST_TEST(reveal_bytes(x.key_for<Purpose::Action, HkdfSha256>()) != reveal_bytes(x.key_for<Purpose::Action>()));
}

BOOST_AUTO_TEST_CASE(aead_key_from_raw) {
    BOOST_TEST(AeadKey<Purpose::Action>::from_raw(hazmat::secret_access(), Bytes(16, 1)).has_value());
    BOOST_TEST(AeadKey<Purpose::Action>::from_raw(hazmat::secret_access(), Bytes(24, 1)).error().message() ==
               "AEAD key: expected 16 or 32 bytes, got 24");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proof_of_possession)

BOOST_AUTO_TEST_CASE_TEMPLATE(both_sides_agree_and_match_openssl, K, ProofTypes) {
    auto platform = PrivateKey<K>::generate().value();
    auto scheduler = PrivateKey<K>::generate().value();
    auto worker_secret = ecdh(platform, scheduler.public_key()).value();
    auto scheduler_secret = ecdh(scheduler, platform.public_key()).value();
    const VerificationZeros proof = verification_zeros(worker_secret);
    BOOST_TEST(check_verification_zeros(scheduler_secret, proof).has_value());

    // AES-256-ECB of a zero block with OpenSSL.
    const Bytes key = reveal_bytes(worker_secret);
    unsigned char zeros[16] = {}, out[32];
    int n = 0;
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    BOOST_TEST(EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, key.data(), nullptr) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    BOOST_TEST(EVP_EncryptUpdate(ctx, out, &n, zeros, 16) == 1);
    EVP_CIPHER_CTX_free(ctx);
    BOOST_TEST(n == 16);
    BOOST_TEST(to_bytes(proof) == Bytes(out, out + 16));

    // A rogue worker with another key fails.
    auto rogue = PrivateKey<K>::generate().value();
    const VerificationZeros wrong = verification_zeros(ecdh(rogue, scheduler.public_key()).value());
    auto r = check_verification_zeros(scheduler_secret, wrong);
    BOOST_TEST((r.error() == errc::proof_failed));
    BOOST_TEST((check_verification_zeros(scheduler_secret, Bytes(15)).error() == errc::invalid_length));
}

BOOST_AUTO_TEST_CASE(runtime_secret_sizes) {
    auto a = AnyPrivateKey::generate("p384").value();
    auto s = ecdh(a, a.public_key()).value();
    BOOST_TEST((verification_zeros(s).error() == errc::unsupported));
    auto x = AnyPrivateKey::generate("ed25519").value();
    auto sx = ecdh(x, x.public_key()).value();
    BOOST_TEST(verification_zeros(sx).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signatures)

BOOST_AUTO_TEST_CASE(sign_verify_and_libsodium) {
    BOOST_TEST_REQUIRE(sodium_init() >= 0);
    auto k = PrivateKey<Ed25519>::generate().value();
    const Bytes msg = test::pattern(1000, 3);
    const Ed25519Signature sig = sign(k, msg);
    BOOST_TEST(verify(k.public_key(), msg, sig).has_value());
    BOOST_TEST(to_bytes(sign(k, msg)) == to_bytes(sig));   // deterministic

    unsigned char pk[32], sk[64], sodium_sig[64];
    crypto_sign_seed_keypair(pk, sk, raw_private(k).data());
    crypto_sign_detached(sodium_sig, nullptr, msg.data(), msg.size(), sk);
    BOOST_TEST(to_bytes(sig) == Bytes(sodium_sig, sodium_sig + 64));

    Bytes bad = to_bytes(sig);
    for (std::size_t i : {0u, 31u, 32u, 63u}) {
        bad[i] ^= 0x01;
        auto r = verify(k.public_key(), msg, bad);
        BOOST_TEST((r.error() == errc::signature_invalid));
        bad[i] ^= 0x01;
    }
    Bytes other = msg;
    other[999] ^= 0x80;
    BOOST_TEST(!verify(k.public_key(), other, sig).has_value());
    BOOST_TEST((verify(k.public_key(), msg, ByteView(sig).first(63)).error() == errc::invalid_length));
}

BOOST_AUTO_TEST_SUITE_END()

// The two NIST paths (keys/detail/nist.hpp, nist_openssl.hpp): the same public keys, shared
// secrets and errors for the same inputs.
namespace {

using NistTypes = boost::mp11::mp_list<P256, P384, P521>;

template <class C>
struct NistOutcome {
    std::string pub, secret;
    bool operator==(const NistOutcome&) const = default;
};

template <class C>
std::string raw_outcome(const result<void>& r, ByteView out) {
    return r ? "ok " + hex_encode(out) : "error " + std::to_string(r.error().code().value()) + " " +
                                              r.error().message();
}

template <class C>
NistOutcome<C> nist_on(keys::detail::NistPath path, ByteView priv, ByteView peer) {
    keys::detail::ScopedNistPath force(path);
    Bytes pub(C::public_bytes), secret(C::shared_secret_bytes);
    return {raw_outcome<C>(C::public_from_private(priv, pub), pub), raw_outcome<C>(C::agree(priv, peer, secret), secret)};
}

} // namespace

BOOST_AUTO_TEST_SUITE(nist_paths)

BOOST_AUTO_TEST_CASE(openssl_path_is_linked_and_chosen) {
    // This test links the sealpipe::x509 component (OpenSSL's libcrypto).
    BOOST_TEST(keys::detail::is_supported(keys::detail::NistPath::cryptopp));
    BOOST_TEST(keys::detail::is_supported(keys::detail::NistPath::openssl));
    BOOST_TEST(to_string(keys::detail::active_nist_path()) == "openssl");
    {
        keys::detail::ScopedNistPath force(keys::detail::NistPath::cryptopp);
        BOOST_TEST(to_string(keys::detail::active_nist_path()) == "cryptopp");
    }
    BOOST_TEST(to_string(keys::detail::active_nist_path()) == "openssl");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(same_keys_and_secrets_on_both_paths, C, NistTypes) {
    for (int i = 0; i < 40; ++i) {
        const auto a = PrivateKey<C>::generate().value();
        const auto b = PrivateKey<C>::generate().value();
        const ByteView priv = a.raw(hazmat::secret_access());
        const ByteView peer = b.public_key().raw();
        const auto portable = nist_on<C>(keys::detail::NistPath::cryptopp, priv, peer);
        BOOST_TEST((portable == nist_on<C>(keys::detail::NistPath::openssl, priv, peer)));
        BOOST_TEST(portable.pub == "ok " + hex_encode(a.public_key().raw()));
        // And the secret is symmetric.
        Bytes other(C::shared_secret_bytes);
        BOOST_TEST_REQUIRE(C::agree(b.raw(hazmat::secret_access()), a.public_key().raw(), other).has_value());
        BOOST_TEST(portable.secret == "ok " + hex_encode(other));
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(same_errors_on_both_paths, C, NistTypes) {
    constexpr std::size_t n = C::private_bytes;
    const auto a = PrivateKey<C>::generate().value();
    const Bytes good_priv = to_bytes(a.raw(hazmat::secret_access()));
    const Bytes good_pub = to_bytes(PrivateKey<C>::generate().value().public_key().raw());
    // Scalars: 0, 1, the order - 1, the order, all ones, wrong lengths.
    Bytes order_minus_1, order;
    {
        // The order of P-256, P-384, P-521, big-endian.
        const std::string_view hex = n == 32 ? "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"
                                     : n == 48 ? "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                                                 "581a0db248b0a77aecec196accc52973"
                                               : "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                                                 "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409";
        order = test::unhex(hex);
        order_minus_1 = order;
        order_minus_1.back() -= 1;
    }
    Bytes one(n, 0);
    one.back() = 1;
    const std::vector<Bytes> scalars{Bytes(n, 0), one, order_minus_1, order, Bytes(n, 0xff), Bytes(n - 1, 1),
                                     Bytes(n + 1, 1), good_priv};
    // Points: good, off the curve, x = p, compressed, infinity, hybrid form, wrong lengths.
    Bytes off = good_pub;
    off.back() ^= 1;
    Bytes big_x = good_pub;
    std::fill(big_x.begin() + 1, big_x.begin() + 1 + static_cast<std::ptrdiff_t>(n), Byte{0xff});
    Bytes compressed(good_pub.begin(), good_pub.begin() + 1 + static_cast<std::ptrdiff_t>(n));
    compressed[0] = 0x02;
    Bytes hybrid = good_pub;
    hybrid[0] = 0x06;
    const std::vector<Bytes> points{good_pub, off, big_x, compressed, Bytes{0x00}, hybrid, Bytes{},
                                    Bytes(good_pub.begin(), good_pub.end() - 1)};
    for (std::size_t i = 0; i < scalars.size(); ++i)
        for (std::size_t j = 0; j < points.size(); ++j)
            BOOST_TEST_CONTEXT("scalar " << i << ", point " << j) {
                BOOST_TEST((nist_on<C>(keys::detail::NistPath::cryptopp, scalars[i], points[j]) ==
                            nist_on<C>(keys::detail::NistPath::openssl, scalars[i], points[j])));
            }
}

BOOST_AUTO_TEST_SUITE_END()
