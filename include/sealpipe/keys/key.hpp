// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Typed keys `PrivateKey<K>` / `PublicKey<K>`, their PKCS#8 / SubjectPublicKeyInfo forms
// (DER and PEM), the runtime variants `AnyPrivateKey` / `AnyPublicKey` for keys read from
// files, and the Ed25519 → X25519 conversion of doc/protocol.md, "Keys and key agreement".

#ifndef SEALPIPE_KEYS_KEY_HPP
#define SEALPIPE_KEYS_KEY_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/pem.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/concepts.hpp>
#include <sealpipe/keys/curves.hpp>
#include <sealpipe/keys/detail/der.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace sealpipe::keys {

/// A string whose buffer is wiped when released (PEM text of a private key).
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

/// PEM labels (RFC 7468 §10 and §13).
inline constexpr std::string_view pem_private_label = "PRIVATE KEY";
inline constexpr std::string_view pem_public_label = "PUBLIC KEY";

namespace detail {
inline Error wrong_type(KeyKind expected, KeyKind got) {
    return fail(errc::invalid_key, "expected " + kind_phrase(expected) + ", got " + kind_phrase(got));
}
} // namespace detail

/** A public key of type `K` (a KeyType policy), always valid for its type: construction
    checks the encoding and, for EC keys, that the point is on the curve. */
template <class K>
class PublicKey {
    static_assert((check_key_type<K>(), true));   // names the first part K lacks

public:
    using key_type = K;
    static constexpr std::size_t size_bytes = K::public_bytes;

    /** Takes the raw key (X25519/Ed25519: 32 bytes; EC: 04 ‖ X ‖ Y).
        @par Errors `errc::invalid_length`, `errc::invalid_key` (not on the curve, bad
        encoding), `errc::unsupported` (compressed EC point). */
    [[nodiscard]] static result<PublicKey> from_raw(ByteView raw) {
        if (auto c = K::check_public(raw); !c) return c.error();
        PublicKey k;
        std::copy(raw.begin(), raw.end(), k.raw_.begin());
        return k;
    }

    /** Reads a DER SubjectPublicKeyInfo (RFC 5280 §4.1, RFC 8410, RFC 5480).
        @par Errors `errc::malformed_input` (bad DER, trailing bytes), `errc::invalid_key`
        (another key type: "expected an X25519 key, got a P-256 key"; invalid point),
        `errc::unsupported` (unknown algorithm or curve, compressed point). */
    [[nodiscard]] static result<PublicKey> from_der(ByteView der) {
        auto p = detail::parse_spki(der);
        if (!p) return std::move(p.error()).context("expected " + detail::kind_phrase(K::kind));
        if (p->kind != K::kind) return detail::wrong_type(K::kind, p->kind);
        return from_raw(p->key);
    }

    /// Reads one PEM "PUBLIC KEY" block holding a SubjectPublicKeyInfo.
    [[nodiscard]] static result<PublicKey> from_pem(std::string_view pem) {
        auto b = pem_parse_one(pem, pem_public_label);
        if (!b) return b.error();
        return from_der(b->der);
    }

    /// The DER SubjectPublicKeyInfo.
    [[nodiscard]] Bytes to_der() const { return detail::write_spki(K::kind, raw_); }
    /// The PEM "PUBLIC KEY" block.
    [[nodiscard]] std::string to_pem() const { return pem_write(pem_public_label, to_der()); }
    /// The raw key bytes.
    [[nodiscard]] ByteView raw() const noexcept { return raw_.view(); }

    friend bool operator==(const PublicKey&, const PublicKey&) = default;

private:
    PublicKey() = default;
    FixedBytes<K::public_bytes, K> raw_;
};

/** A private key of type `K` with its public key. Copies wipe themselves; the raw bytes take
    `hazmat::secret_access()`. */
template <class K>
class PrivateKey {
    static_assert((check_key_type<K>(), true));   // names the first part K lacks

public:
    using key_type = K;

    /** A fresh key from the operating system's CSPRNG.
        @par Errors `errc::io_error` when no randomness is available. */
    [[nodiscard]] static result<PrivateKey> generate() {
        FixedSecret<K::private_bytes, K> s;
        if (auto r = K::generate(s.reveal_mutable(hazmat::secret_access())); !r) return r.error();
        return from_raw(s.reveal(hazmat::secret_access()));
    }

    /** Takes the raw private key (X25519/Ed25519: 32 bytes; EC: the big-endian scalar,
        exactly `K::private_bytes` long, within [1, n − 1]).
        @par Errors `errc::invalid_length`, `errc::invalid_key`. */
    [[nodiscard]] static result<PrivateKey> from_raw(ByteView raw) {
        auto s = FixedSecret<K::private_bytes, K>::from(raw, std::string(K::name) + " private key");
        if (!s) return s.error();
        if (auto c = K::check_private(raw); !c) return c.error();
        std::array<Byte, K::public_bytes> pub{};
        if (auto r = K::public_from_private(raw, pub); !r) return r.error();
        auto p = PublicKey<K>::from_raw(pub);
        if (!p) return p.error();
        return PrivateKey(std::move(*s), std::move(*p));
    }

    /** Reads DER PKCS#8 (RFC 5208 / RFC 5958; EC keys as RFC 5915 inside). A public key in
        the structure must match the private key.
        @par Errors `errc::malformed_input` (bad DER, trailing bytes), `errc::invalid_key`
        (another key type, bad scalar, mismatched public key), `errc::unsupported`. */
    [[nodiscard]] static result<PrivateKey> from_der(ByteView der) {
        auto p = detail::parse_pkcs8(der);
        if (!p) return std::move(p.error()).context("expected " + detail::kind_phrase(K::kind));
        if (p->kind != K::kind) return detail::wrong_type(K::kind, p->kind);
        auto k = from_raw(p->private_key);
        if (!k) return k.error();
        if (p->public_key && !detail::same(*p->public_key, k->public_key().raw()))
            return fail(errc::invalid_key, "PKCS#8: the public key does not match the private key");
        return k;
    }

    /// Reads one PEM "PRIVATE KEY" block holding PKCS#8.
    [[nodiscard]] static result<PrivateKey> from_pem(std::string_view pem) {
        auto b = pem_parse_one(pem, pem_private_label);
        if (!b) return b.error();
        return from_der(b->der);
    }

    /// DER PKCS#8 v1 (EC: with the public key inside ECPrivateKey, as OpenSSL writes it).
    [[nodiscard]] SecureBytes to_der() const {
        return detail::write_pkcs8(K::kind, priv_.reveal(hazmat::secret_access()), pub_.raw());
    }
    /// The PEM "PRIVATE KEY" block, in a wiping string.
    [[nodiscard]] SecureString to_pem() const {
        const SecureBytes der = to_der();
        std::string pem = pem_write(pem_private_label, der);
        SecureString out(pem.begin(), pem.end());
        wipe(MutableByteView(reinterpret_cast<Byte*>(pem.data()), pem.size()));
        return out;
    }

    /// The matching public key.
    [[nodiscard]] const PublicKey<K>& public_key() const noexcept { return pub_; }
    /// The raw private key (seed or scalar).
    [[nodiscard]] ByteView raw(hazmat::SecretAccess t) const noexcept { return priv_.reveal(t); }

private:
    PrivateKey(FixedSecret<K::private_bytes, K> s, PublicKey<K> p) : priv_(std::move(s)), pub_(std::move(p)) {}
    FixedSecret<K::private_bytes, K> priv_;
    PublicKey<K> pub_;
};

/** doc/protocol.md, "Keys and key agreement": the X25519 private key of an Ed25519 key, the first 32 bytes of
    SHA-512(seed). */
[[nodiscard]] inline PrivateKey<X25519> to_x25519(const PrivateKey<Ed25519>& k) {
    FixedSecret<32> x;
    detail::ed25519_to_x25519_private(k.raw(hazmat::secret_access()).data(),
                                      x.reveal_mutable(hazmat::secret_access()).data());
    return PrivateKey<X25519>::from_raw(x.reveal(hazmat::secret_access())).value();
}

/** doc/protocol.md, "Keys and key agreement": the X25519 public key u = (1 + y) / (1 − y) mod 2^255 − 19 of
    an Ed25519 key.
    @par Errors `errc::invalid_key` for the identity point (y = 1), which has no image. */
[[nodiscard]] inline result<PublicKey<X25519>> to_x25519(const PublicKey<Ed25519>& k) {
    std::array<Byte, 32> u{};
    if (auto r = detail::ed25519_to_x25519_public(k.raw().data(), u.data()); !r) return r.error();
    return PublicKey<X25519>::from_raw(u);
}

/// Every key type, in the order of the runtime variants.
template <template <class> class Key>
using KeyVariant = std::variant<Key<X25519>, Key<Ed25519>, Key<P256>, Key<P384>, Key<P521>>;

class AnyPublicKey;

namespace detail {
template <class V, template <class> class Key, class K>
result<Key<K>> variant_get(const V& v) {
    if (const auto* k = std::get_if<Key<K>>(&v)) return *k;
    return std::visit([](const auto& k) { return wrong_type(K::kind, std::decay_t<decltype(k)>::key_type::kind); }, v);
}
} // namespace detail

/** A public key of any supported type, as read from a file or a certificate. */
class AnyPublicKey {
public:
    using variant_type = KeyVariant<PublicKey>;

    template <class K>
    AnyPublicKey(PublicKey<K> k) : v_(std::move(k)) {}

    /** Reads a DER SubjectPublicKeyInfo of any supported type.
        @par Errors as PublicKey<K>::from_der; an unknown algorithm is `errc::unsupported`. */
    [[nodiscard]] static result<AnyPublicKey> from_der(ByteView der) {
        auto p = detail::parse_spki(der);
        if (!p) return p.error();
        switch (p->kind) {
        case detail::KeyKind::x25519: return make<X25519>(p->key);
        case detail::KeyKind::ed25519: return make<Ed25519>(p->key);
        case detail::KeyKind::p256: return make<P256>(p->key);
        case detail::KeyKind::p384: return make<P384>(p->key);
        case detail::KeyKind::p521: return make<P521>(p->key);
        }
        return fail(errc::unsupported, "unsupported key type");
    }
    /// Reads one PEM "PUBLIC KEY" block.
    [[nodiscard]] static result<AnyPublicKey> from_pem(std::string_view pem) {
        auto b = pem_parse_one(pem, pem_public_label);
        if (!b) return b.error();
        return from_der(b->der);
    }

    /// "X25519", "P-256", ...
    [[nodiscard]] std::string_view type_name() const {
        return std::visit([](const auto& k) { return std::decay_t<decltype(k)>::key_type::name; }, v_);
    }
    template <class K>
    [[nodiscard]] bool is() const noexcept { return std::holds_alternative<PublicKey<K>>(v_); }
    /// The typed key; another type is `errc::invalid_key` ("expected an X25519 key, got ...").
    template <class K>
    [[nodiscard]] result<PublicKey<K>> get() const { return detail::variant_get<variant_type, PublicKey, K>(v_); }

    [[nodiscard]] Bytes to_der() const { return std::visit([](const auto& k) { return k.to_der(); }, v_); }
    [[nodiscard]] std::string to_pem() const { return std::visit([](const auto& k) { return k.to_pem(); }, v_); }
    [[nodiscard]] const variant_type& variant() const noexcept { return v_; }

    /** The key on its agreement curve: an Ed25519 key becomes X25519 (doc/protocol.md, "Keys and key
        agreement"), others are unchanged. @par Errors `errc::invalid_key` for the Ed25519 identity point. */
    [[nodiscard]] result<AnyPublicKey> to_agreement_key() const {
        if (const auto* e = std::get_if<PublicKey<Ed25519>>(&v_)) {
            auto x = to_x25519(*e);
            if (!x) return x.error();
            return AnyPublicKey(*x);
        }
        return *this;
    }

    friend bool operator==(const AnyPublicKey&, const AnyPublicKey&) = default;

private:
    template <class K>
    static result<AnyPublicKey> make(ByteView raw) {
        auto k = PublicKey<K>::from_raw(raw);
        if (!k) return k.error();
        return AnyPublicKey(std::move(*k));
    }
    variant_type v_;
};

/** A private key of any supported type, as read from a file. */
class AnyPrivateKey {
public:
    using variant_type = KeyVariant<PrivateKey>;

    template <class K>
    AnyPrivateKey(PrivateKey<K> k) : v_(std::move(k)) {}

    /** A fresh key of the type named as on the command line: x25519, ed25519, p256, p384, p521.
        @par Errors `errc::invalid_argument` for another name. */
    [[nodiscard]] static result<AnyPrivateKey> generate(std::string_view type) {
        if (type == X25519::short_name) return gen<X25519>();
        if (type == Ed25519::short_name) return gen<Ed25519>();
        if (type == P256::short_name) return gen<P256>();
        if (type == P384::short_name) return gen<P384>();
        if (type == P521::short_name) return gen<P521>();
        return fail(errc::invalid_argument, "unknown key type '" + std::string(type) +
                                                 "' (expected x25519, ed25519, p256, p384 or p521)");
    }

    /** Reads DER PKCS#8 of any supported type. @par Errors as PrivateKey<K>::from_der. */
    [[nodiscard]] static result<AnyPrivateKey> from_der(ByteView der) {
        auto p = detail::parse_pkcs8(der);
        if (!p) return p.error();
        switch (p->kind) {
        case detail::KeyKind::x25519: return make<X25519>(der);
        case detail::KeyKind::ed25519: return make<Ed25519>(der);
        case detail::KeyKind::p256: return make<P256>(der);
        case detail::KeyKind::p384: return make<P384>(der);
        case detail::KeyKind::p521: return make<P521>(der);
        }
        return fail(errc::unsupported, "unsupported key type");
    }
    /// Reads one PEM "PRIVATE KEY" block.
    [[nodiscard]] static result<AnyPrivateKey> from_pem(std::string_view pem) {
        auto b = pem_parse_one(pem, pem_private_label);
        if (!b) return b.error();
        return from_der(b->der);
    }

    [[nodiscard]] std::string_view type_name() const {
        return std::visit([](const auto& k) { return std::decay_t<decltype(k)>::key_type::name; }, v_);
    }
    template <class K>
    [[nodiscard]] bool is() const noexcept { return std::holds_alternative<PrivateKey<K>>(v_); }
    template <class K>
    [[nodiscard]] result<PrivateKey<K>> get() const { return detail::variant_get<variant_type, PrivateKey, K>(v_); }

    [[nodiscard]] AnyPublicKey public_key() const {
        return std::visit([](const auto& k) { return AnyPublicKey(k.public_key()); }, v_);
    }
    [[nodiscard]] SecureBytes to_der() const { return std::visit([](const auto& k) { return k.to_der(); }, v_); }
    [[nodiscard]] SecureString to_pem() const { return std::visit([](const auto& k) { return k.to_pem(); }, v_); }
    [[nodiscard]] const variant_type& variant() const noexcept { return v_; }

    /// The key on its agreement curve: an Ed25519 key becomes X25519 (doc/protocol.md, "Keys and key
    /// agreement").
    [[nodiscard]] AnyPrivateKey to_agreement_key() const {
        if (const auto* e = std::get_if<PrivateKey<Ed25519>>(&v_)) return AnyPrivateKey(to_x25519(*e));
        return *this;
    }

private:
    template <class K>
    static result<AnyPrivateKey> gen() {
        auto k = PrivateKey<K>::generate();
        if (!k) return k.error();
        return AnyPrivateKey(std::move(*k));
    }
    template <class K>
    static result<AnyPrivateKey> make(ByteView der) {
        auto k = PrivateKey<K>::from_der(der);
        if (!k) return k.error();
        return AnyPrivateKey(std::move(*k));
    }
    variant_type v_;
};

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_KEY_HPP
