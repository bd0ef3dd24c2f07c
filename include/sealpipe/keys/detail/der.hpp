// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A strict DER reader and writer for the two key containers sealpipe reads and writes:
// PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958) and SubjectPublicKeyInfo
// (RFC 5280), with the algorithm identifiers of RFC 8410 (X25519, Ed25519) and RFC 5480
// (id-ecPublicKey with a named curve).
//
// Why not Crypto++'s BER decoder: it accepts BER (indefinite and non-minimal lengths), and a
// key parser must accept exactly one encoding of each key (Wycheproof "InvalidAsn").

#ifndef SEALPIPE_KEYS_DETAIL_DER_HPP
#define SEALPIPE_KEYS_DETAIL_DER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sealpipe::keys::detail {

/// The key types sealpipe knows, as found in an AlgorithmIdentifier.
enum class KeyKind { x25519, ed25519, p256, p384, p521 };

/// The human name of a key kind ("X25519", "P-256").
constexpr std::string_view kind_name(KeyKind k) noexcept {
    switch (k) {
    case KeyKind::x25519: return "X25519";
    case KeyKind::ed25519: return "Ed25519";
    case KeyKind::p256: return "P-256";
    case KeyKind::p384: return "P-384";
    case KeyKind::p521: return "P-521";
    }
    return "unknown";
}

/// "an X25519 key" / "a P-256 key": for "expected ..., got ..." messages.
inline std::string kind_phrase(KeyKind k) {
    return (k == KeyKind::x25519 || k == KeyKind::ed25519 ? "an " : "a ") + std::string(kind_name(k)) + " key";
}

// DER tags used here (X.690 8.1.2).
inline constexpr Byte tag_integer = 0x02;
inline constexpr Byte tag_bit_string = 0x03;
inline constexpr Byte tag_octet_string = 0x04;
inline constexpr Byte tag_null = 0x05;
inline constexpr Byte tag_oid = 0x06;
inline constexpr Byte tag_sequence = 0x30;

// Object identifier contents (the bytes after tag and length).
inline constexpr std::array<Byte, 3> oid_x25519{0x2b, 0x65, 0x6e};                 // 1.3.101.110
inline constexpr std::array<Byte, 3> oid_ed25519{0x2b, 0x65, 0x70};                // 1.3.101.112
inline constexpr std::array<Byte, 7> oid_ec_public_key{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
inline constexpr std::array<Byte, 8> oid_p256{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
inline constexpr std::array<Byte, 5> oid_p384{0x2b, 0x81, 0x04, 0x00, 0x22};       // 1.3.132.0.34
inline constexpr std::array<Byte, 5> oid_p521{0x2b, 0x81, 0x04, 0x00, 0x23};       // 1.3.132.0.35

inline bool same(ByteView a, ByteView b) noexcept { return std::ranges::equal(a, b); }

/// Dotted form of OID contents, for error messages ("1.3.101.111"); "?" when malformed.
inline std::string oid_to_string(ByteView c) {
    if (c.empty() || c.back() & 0x80) return "?";
    std::string out;
    std::uint64_t v = 0;
    bool first = true;
    for (Byte b : c) {
        if (v > (std::uint64_t{1} << 56)) return "?";
        v = v << 7 | (b & 0x7f);
        if (b & 0x80) continue;
        if (first) {
            const std::uint64_t arc0 = v < 40 ? 0 : v < 80 ? 1 : 2;
            out = std::to_string(arc0) + "." + std::to_string(v - 40 * arc0);
            first = false;
        } else {
            // Appended piece by piece: `"." + std::to_string(v)` prepends to a temporary
            // (std::string::insert), which g++ 12 at -O3 reports as a bogus -Wrestrict
            // overlap of 2^63 bytes (GCC bug 105651).
            out += '.';
            out += std::to_string(v);
        }
        v = 0;
    }
    return out;
}

/** Reads DER: definite, minimal lengths only; every read names what it expected. */
class DerReader {
public:
    explicit DerReader(ByteView in) noexcept : in_(in) {}

    bool empty() const noexcept { return pos_ == in_.size(); }
    bool next_is(Byte tag) const noexcept { return pos_ < in_.size() && in_[pos_] == tag; }

    /// Reads one element with tag `tag` and returns its contents.
    [[nodiscard]] result<ByteView> read(Byte tag, std::string_view what) {
        if (pos_ >= in_.size()) return bad(what, "missing");
        if (in_[pos_] != tag) return bad(what, "unexpected tag");
        std::size_t p = pos_ + 1;
        if (p >= in_.size()) return bad(what, "truncated length");
        std::size_t len = in_[p++];
        if (len & 0x80) {
            const std::size_t n = len & 0x7f;
            if (n == 0) return bad(what, "indefinite length");
            if (n > 3) return bad(what, "length too large");
            if (in_.size() - p < n) return bad(what, "truncated length");
            if (in_[p] == 0) return bad(what, "non-minimal length");
            len = 0;
            for (std::size_t i = 0; i < n; ++i) len = len << 8 | in_[p++];
            if (len < 0x80) return bad(what, "non-minimal length");
        }
        if (in_.size() - p < len) return bad(what, "truncated contents");
        pos_ = p + len;
        return in_.subspan(p, len);
    }

    /// Requires that nothing follows.
    [[nodiscard]] result<void> finish(std::string_view what) const {
        if (!empty())
            return fail(errc::malformed_input, std::string(what) + ": " + std::to_string(in_.size() - pos_) +
                                                    " trailing bytes");
        return {};
    }

    /// Reads an INTEGER that must be a small non-negative value (a version number).
    [[nodiscard]] result<unsigned> read_small_uint(std::string_view what) {
        auto c = read(tag_integer, what);
        if (!c) return c.error();
        if (c->size() != 1 || (*c)[0] & 0x80) return bad(what, "not a small non-negative INTEGER");
        return (*c)[0];
    }

    /// Reads a BIT STRING without unused bits and returns the bytes.
    [[nodiscard]] result<ByteView> read_bit_string(std::string_view what, Byte tag = tag_bit_string) {
        auto c = read(tag, what);
        if (!c) return c.error();
        if (c->empty()) return bad(what, "empty BIT STRING");
        if ((*c)[0] != 0) return bad(what, "BIT STRING with unused bits");
        return c->subspan(1);
    }

private:
    static Error bad(std::string_view what, std::string_view why) {
        return fail(errc::malformed_input, "DER: " + std::string(what) + ": " + std::string(why));
    }

    ByteView in_;
    std::size_t pos_ = 0;
};

/** Writes DER into a wiping buffer (the same code writes private keys). */
class DerWriter {
public:
    void raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void element(Byte tag, ByteView contents) {
        header(tag, contents.size());
        raw(contents);
    }
    void header(Byte tag, std::size_t len) {
        out_.push_back(tag);
        if (len < 0x80) {
            out_.push_back(static_cast<Byte>(len));
        } else if (len < 0x100) {
            out_.push_back(0x81);
            out_.push_back(static_cast<Byte>(len));
        } else {
            out_.push_back(0x82);
            out_.push_back(static_cast<Byte>(len >> 8));
            out_.push_back(static_cast<Byte>(len));
        }
    }
    void bit_string(Byte tag, ByteView bytes) {
        header(tag, bytes.size() + 1);
        out_.push_back(0);
        raw(bytes);
    }
    /// Wraps everything written into `inner` as one element.
    void nest(Byte tag, const DerWriter& inner) { element(tag, inner.out_); }

    const SecureBytes& bytes() const noexcept { return out_; }
    SecureBytes take() noexcept { return std::move(out_); }

private:
    SecureBytes out_;
};

inline void write_algorithm(DerWriter& w, KeyKind kind) {
    DerWriter alg;
    switch (kind) {
    case KeyKind::x25519: alg.element(tag_oid, oid_x25519); break;
    case KeyKind::ed25519: alg.element(tag_oid, oid_ed25519); break;
    case KeyKind::p256:
        alg.element(tag_oid, oid_ec_public_key);
        alg.element(tag_oid, oid_p256);
        break;
    case KeyKind::p384:
        alg.element(tag_oid, oid_ec_public_key);
        alg.element(tag_oid, oid_p384);
        break;
    case KeyKind::p521:
        alg.element(tag_oid, oid_ec_public_key);
        alg.element(tag_oid, oid_p521);
        break;
    }
    w.nest(tag_sequence, alg);
}

inline bool is_nist(KeyKind k) noexcept { return k == KeyKind::p256 || k == KeyKind::p384 || k == KeyKind::p521; }

/** Reads an AlgorithmIdentifier. RFC 8410 §3: X25519/Ed25519 parameters MUST be absent.
    RFC 5480 §2.1.1: EC keys carry a namedCurve OID; implicit and explicit curves are refused. */
[[nodiscard]] inline result<KeyKind> read_algorithm(DerReader& r) {
    auto seq = r.read(tag_sequence, "AlgorithmIdentifier");
    if (!seq) return seq.error();
    DerReader a(*seq);
    auto oid = a.read(tag_oid, "algorithm OID");
    if (!oid) return oid.error();
    if (same(*oid, oid_x25519) || same(*oid, oid_ed25519)) {
        if (auto f = a.finish("AlgorithmIdentifier (RFC 8410 forbids parameters)"); !f) return f.error();
        return same(*oid, oid_x25519) ? KeyKind::x25519 : KeyKind::ed25519;
    }
    if (!same(*oid, oid_ec_public_key))
        return fail(errc::unsupported, "unsupported key algorithm (OID " + oid_to_string(*oid) + ")");
    if (!a.next_is(tag_oid))
        return fail(errc::unsupported, "EC key without a named curve (explicit or implicit curve parameters "
                                        "are not supported)");
    auto curve = a.read(tag_oid, "namedCurve");
    if (!curve) return curve.error();
    if (auto f = a.finish("AlgorithmIdentifier"); !f) return f.error();
    if (same(*curve, oid_p256)) return KeyKind::p256;
    if (same(*curve, oid_p384)) return KeyKind::p384;
    if (same(*curve, oid_p521)) return KeyKind::p521;
    return fail(errc::unsupported, "unsupported elliptic curve (OID " + oid_to_string(*curve) + ")");
}

/// A parsed SubjectPublicKeyInfo: the key kind and the subjectPublicKey bytes (a view).
struct ParsedPublicKey {
    KeyKind kind;
    ByteView key;
};

/// Parses a DER SubjectPublicKeyInfo; nothing may follow it.
[[nodiscard]] inline result<ParsedPublicKey> parse_spki(ByteView der) {
    DerReader outer(der);
    auto seq = outer.read(tag_sequence, "SubjectPublicKeyInfo");
    if (!seq) return seq.error();
    if (auto f = outer.finish("SubjectPublicKeyInfo"); !f) return f.error();
    DerReader r(*seq);
    auto kind = read_algorithm(r);
    if (!kind) return kind.error();
    auto key = r.read_bit_string("subjectPublicKey");
    if (!key) return key.error();
    if (auto f = r.finish("SubjectPublicKeyInfo"); !f) return f.error();
    return ParsedPublicKey{*kind, *key};
}

/// Writes a SubjectPublicKeyInfo.
[[nodiscard]] inline Bytes write_spki(KeyKind kind, ByteView key) {
    DerWriter body;
    write_algorithm(body, kind);
    body.bit_string(tag_bit_string, key);
    DerWriter w;
    w.nest(tag_sequence, body);
    const SecureBytes& b = w.bytes();
    return Bytes(b.begin(), b.end());
}

/// A parsed PKCS#8 key: the kind, the raw private key (a view) and the public key if present.
struct ParsedPrivateKey {
    KeyKind kind;
    ByteView private_key;               ///< 32 bytes (X25519/Ed25519) or the EC scalar octets
    std::optional<ByteView> public_key; ///< OneAsymmetricKey [1] or ECPrivateKey [1]
};

/** Parses DER PKCS#8 (v1 PrivateKeyInfo, or v2 OneAsymmetricKey with a public key).
    Attributes ([0]) are skipped; nothing may follow the structure. */
[[nodiscard]] inline result<ParsedPrivateKey> parse_pkcs8(ByteView der) {
    DerReader outer(der);
    auto seq = outer.read(tag_sequence, "PrivateKeyInfo");
    if (!seq) return seq.error();
    if (auto f = outer.finish("PrivateKeyInfo"); !f) return f.error();
    DerReader r(*seq);
    auto version = r.read_small_uint("PrivateKeyInfo version");
    if (!version) return version.error();
    if (*version > 1)
        return fail(errc::malformed_input, "PKCS#8: unsupported version " + std::to_string(*version));
    auto kind = read_algorithm(r);
    if (!kind) return kind.error();
    auto octets = r.read(tag_octet_string, "privateKey");
    if (!octets) return octets.error();
    ParsedPrivateKey out{*kind, {}, std::nullopt};
    if (r.next_is(0xa0)) {   // attributes [0] IMPLICIT SET OF Attribute: not used
        if (auto a = r.read(0xa0, "attributes"); !a) return a.error();
    }
    if (r.next_is(0x81)) {   // publicKey [1] IMPLICIT BIT STRING (RFC 5958, version 2 only)
        if (*version != 1) return fail(errc::malformed_input, "PKCS#8: public key in a version 1 structure");
        auto pub = r.read_bit_string("publicKey", 0x81);
        if (!pub) return pub.error();
        out.public_key = *pub;
    }
    if (auto f = r.finish("PrivateKeyInfo"); !f) return f.error();

    DerReader inner(*octets);
    if (!is_nist(*kind)) {
        // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, itself inside privateKey.
        auto k = inner.read(tag_octet_string, "CurvePrivateKey");
        if (!k) return k.error();
        if (auto f = inner.finish("CurvePrivateKey"); !f) return f.error();
        out.private_key = *k;
        return out;
    }
    // RFC 5915 §3: ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
    //   parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
    auto ec = inner.read(tag_sequence, "ECPrivateKey");
    if (!ec) return ec.error();
    if (auto f = inner.finish("ECPrivateKey"); !f) return f.error();
    DerReader e(*ec);
    auto ev = e.read_small_uint("ECPrivateKey version");
    if (!ev) return ev.error();
    if (*ev != 1) return fail(errc::malformed_input, "ECPrivateKey: version must be 1");
    auto k = e.read(tag_octet_string, "ECPrivateKey privateKey");
    if (!k) return k.error();
    out.private_key = *k;
    if (e.next_is(0xa0)) {
        auto params = e.read(0xa0, "ECPrivateKey parameters");
        if (!params) return params.error();
        DerReader p(*params);
        auto curve = p.read(tag_oid, "ECPrivateKey namedCurve");
        if (!curve) return curve.error();
        if (auto f = p.finish("ECPrivateKey parameters"); !f) return f.error();
        const ByteView expected = *kind == KeyKind::p256   ? ByteView(oid_p256)
                                  : *kind == KeyKind::p384 ? ByteView(oid_p384)
                                                           : ByteView(oid_p521);
        if (!same(*curve, expected))
            return fail(errc::invalid_key, "ECPrivateKey: curve parameters do not match the algorithm");
    }
    if (e.next_is(0xa1)) {
        auto wrapped = e.read(0xa1, "ECPrivateKey publicKey");
        if (!wrapped) return wrapped.error();
        DerReader p(*wrapped);
        auto pub = p.read_bit_string("ECPrivateKey publicKey");
        if (!pub) return pub.error();
        if (auto f = p.finish("ECPrivateKey publicKey"); !f) return f.error();
        if (out.public_key && !same(*out.public_key, *pub))
            return fail(errc::invalid_key, "PKCS#8: the two public keys differ");
        out.public_key = *pub;
    }
    if (auto f = e.finish("ECPrivateKey"); !f) return f.error();
    return out;
}

/** Writes PKCS#8 v1 (what OpenSSL writes): X25519/Ed25519 without the public key, EC keys as
    RFC 5915 ECPrivateKey with the public key and without the redundant parameters. */
[[nodiscard]] inline SecureBytes write_pkcs8(KeyKind kind, ByteView private_key, ByteView public_key) {
    DerWriter body;
    body.element(tag_integer, std::array<Byte, 1>{0});
    write_algorithm(body, kind);
    DerWriter inner;
    if (!is_nist(kind)) {
        inner.element(tag_octet_string, private_key);
    } else {
        DerWriter ec;
        ec.element(tag_integer, std::array<Byte, 1>{1});
        ec.element(tag_octet_string, private_key);
        DerWriter pub;
        pub.bit_string(tag_bit_string, public_key);
        ec.nest(0xa1, pub);
        inner.nest(tag_sequence, ec);
    }
    body.nest(tag_octet_string, inner);
    DerWriter w;
    w.nest(tag_sequence, body);
    return w.take();
}

} // namespace sealpipe::keys::detail

#endif // SEALPIPE_KEYS_DETAIL_DER_HPP
