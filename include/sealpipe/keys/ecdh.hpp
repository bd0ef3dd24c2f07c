// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Key agreement: `SharedSecret<Curve>` and `ecdh(private, peer)` between keys of one curve
// (Ed25519 keys count as X25519, doc/protocol.md, "Keys and key agreement"), and its runtime form on
// AnyPrivateKey/AnyPublicKey.

#ifndef SEALPIPE_KEYS_ECDH_HPP
#define SEALPIPE_KEYS_ECDH_HPP

#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/concepts.hpp>
#include <sealpipe/keys/curves.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/purpose.hpp>

#include <type_traits>
#include <variant>

namespace sealpipe::keys {

/** The raw ECDH output of curve `C` (X25519: 32 bytes; P-256: 32; P-384: 48; P-521: 66).
    Wiped when destroyed. Turn it into a message key with `key_for<Purpose>()`. */
template <class C>
class SharedSecret {
    static_assert(AgreementCurve<C>, "sealpipe: SharedSecret<C> requires C to be an agreement curve "
                                     "(X25519, P256, P384 or P521)");

public:
    using curve = C;
    static constexpr std::size_t size_bytes = C::shared_secret_bytes;

    /** The AEAD key of purpose `P`. `Kdf` is `RawXor` (doc/protocol.md, "Keys and key agreement", Bonanza
        wire-compatible; only 16- and 32-byte secrets, checked at compile time) or `HkdfSha256` (the project's
        extension, any curve, always 32 bytes).
        @par Security the raw-XOR key of one purpose differs from another's in one byte only;
        that is the protocol's design (each key is used with AES-GCM-SIV for one direction). */
    template <class P, class Kdf = RawXor>
    [[nodiscard]] AeadKey<P> key_for() const {
        static_assert(PurposeType<P>, "sealpipe: key_for<P>() requires P to be Purpose::Action, "
                                      "Purpose::ExecutionEvent or Purpose::CompletionEvent");
        static_assert(Kdf::template accepts<size_bytes>,
                      "sealpipe: key_for<Purpose>() uses the raw-XOR tweak, which needs a 16- or 32-byte "
                      "secret (X25519, P-256); for P-384/P-521 name the KDF: key_for<Purpose, HkdfSha256>()");
        AeadKey<P> k;
        k.size_ = Kdf::template key_bytes<size_bytes>;
        Kdf::template derive<P>(secret_.reveal(hazmat::secret_access()),
                                k.key_.reveal_mutable(hazmat::secret_access()));
        return k;
    }

    /// The raw secret.
    [[nodiscard]] ByteView reveal(hazmat::SecretAccess t) const noexcept { return secret_.reveal(t); }
    /// Constant-time equality.
    [[nodiscard]] bool equals(const SharedSecret& o) const noexcept { return secret_.equals(o.secret_); }

    /// Wraps raw secret bytes computed elsewhere. @par Errors `errc::invalid_length`.
    [[nodiscard]] static result<SharedSecret> from_raw(hazmat::SecretAccess, ByteView raw) {
        auto s = FixedSecret<size_bytes, C>::from(raw, "shared secret");
        if (!s) return s.error();
        return SharedSecret(std::move(*s));
    }

    template <class Stream>
    friend Stream& operator<<(Stream& os, const SharedSecret&) {
        static_assert(sealpipe::detail::dependent_false<Stream>,
                      "sealpipe: a secret cannot be printed; reveal(hazmat::secret_access()) if you must");
        return os;
    }

private:
    explicit SharedSecret(FixedSecret<size_bytes, C> s) : secret_(std::move(s)) {}
    FixedSecret<size_bytes, C> secret_;
};

/// True when keys of types A and B can agree (same curve; Ed25519 counts as X25519).
template <class A, class B>
inline constexpr bool same_agreement_curve = std::is_same_v<typename A::agreement_curve, typename B::agreement_curve>;

/** ECDH between a private key and a peer's public key of the same curve. Ed25519 keys on
    either side are converted to X25519 first (doc/protocol.md, "Keys and key agreement"). Mixing curves does
    not compile.
    @par Errors `errc::invalid_key`: an X25519 peer key of low order (all-zero secret), or
    an Ed25519 identity point. */
template <class A, class B>
[[nodiscard]] result<SharedSecret<typename A::agreement_curve>> ecdh(const PrivateKey<A>& mine,
                                                                      const PublicKey<B>& peer) {
    static_assert(same_agreement_curve<A, B>,
                  "sealpipe: ecdh(private, peer) needs two keys of the same curve (Ed25519 counts as X25519)");
    using C = typename A::agreement_curve;
    if constexpr (same_agreement_curve<A, B>) {
        if constexpr (std::is_same_v<A, Ed25519>) {
            return ecdh(to_x25519(mine), peer);
        } else if constexpr (std::is_same_v<B, Ed25519>) {
            auto x = to_x25519(peer);
            if (!x) return x.error();
            return ecdh(mine, *x);
        } else {
            FixedSecret<C::shared_secret_bytes, C> out;
            if (auto r = C::agree(mine.raw(hazmat::secret_access()), peer.raw(),
                                  out.reveal_mutable(hazmat::secret_access()));
                !r)
                return r.error();
            return SharedSecret<C>::from_raw(hazmat::secret_access(), out.reveal(hazmat::secret_access()));
        }
    } else {
        return fail(errc::invalid_key, "mixed curves");
    }
}

/// A shared secret of any agreement curve (runtime ECDH on keys read from files).
using AnySharedSecret = std::variant<SharedSecret<X25519>, SharedSecret<P256>, SharedSecret<P384>, SharedSecret<P521>>;

/** ECDH on keys whose types are known only at run time.
    @par Errors `errc::invalid_key` when the curves differ ("ECDH: expected an X25519 key,
    got a P-256 key") and as the typed `ecdh`. */
[[nodiscard]] inline result<AnySharedSecret> ecdh(const AnyPrivateKey& mine, const AnyPublicKey& peer) {
    return std::visit(
        [](const auto& a, const auto& b) -> result<AnySharedSecret> {
            using A = typename std::decay_t<decltype(a)>::key_type;
            using B = typename std::decay_t<decltype(b)>::key_type;
            if constexpr (same_agreement_curve<A, B>) {
                auto s = ecdh(a, b);
                if (!s) return s.error();
                return AnySharedSecret(std::move(*s));
            } else {
                return fail(errc::invalid_key, "ECDH: expected " +
                                                    detail::kind_phrase(A::agreement_curve::kind) + ", got " +
                                                    detail::kind_phrase(B::kind));
            }
        },
        mine.variant(), peer.variant());
}

/// The raw bytes of any shared secret.
[[nodiscard]] inline ByteView reveal(const AnySharedSecret& s, hazmat::SecretAccess t) noexcept {
    return std::visit([t](const auto& x) { return x.reveal(t); }, s);
}

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_ECDH_HPP
