// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Ed25519 JSON Web Keys (RFC 8037, kty "OKP"): `PublicJwk` and `PrivateJwk`, in sqooler's
// JSON form and config string and in the standard RFC 8037 form.

#ifndef SEALPIPE_JOSE_JWK_HPP
#define SEALPIPE_JOSE_JWK_HPP

#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/keys/ed25519.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/jose/python_json.hpp>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sealpipe::jose {

// The keys of a JWK are the keys area's Ed25519 types.
using keys::Ed25519Signature;
/// An Ed25519 public key (RFC 8032 encoding, a point that decodes).
using Ed25519PublicKey = keys::PublicKey<keys::Ed25519>;
/// An Ed25519 private key (the 32-byte seed of RFC 8032, the JWK's `d`) with its public key.
using Ed25519PrivateKey = keys::PrivateKey<keys::Ed25519>;

/** Which JSON a key is written in.
    - `sqooler`: sqooler's pydantic model, members in the order `x, key_ops, kid, d, kty, alg,
      crv`, `x` and `d` in base64url *with* padding, `key_ops` the string `"sign"` (private)
      or `"verify"` (public, with `"d":null`).
    - `rfc8037`: `{"kty":"OKP","crv":"Ed25519","x":…[,"d":…][,"kid":…]}` with unpadded
      base64url, as RFC 8037 §2 and every other JOSE library write it. */
enum class JwkForm { sqooler, rfc8037 };

namespace detail {

/// Overwrites a string's characters before it is released.
inline void wipe_string(std::string& s) noexcept {
    sealpipe::detail::secure_wipe(s.data(), s.size());
    s.clear();
}
inline void wipe_string(boost::json::string& s) noexcept {
    sealpipe::detail::secure_wipe(s.data(), s.size());
    s.clear();
}

/// The members of a parsed JWK, checked for everything but the private part.
struct ParsedJwk {
    std::string kid;
    std::optional<Ed25519PublicKey> x;
    const boost::json::value* d = nullptr;  ///< null when absent or JSON null
    bool key_ops_sign = false;
    bool key_ops_verify = false;
};

inline result<std::string> jwk_string_member(const boost::json::object& o, std::string_view name, bool required) {
    const auto* v = o.if_contains(name);
    if (!v) {
        if (required) return fail(errc::invalid_key, "JWK: missing \"" + std::string(name) + "\"");
        return std::string();
    }
    if (!v->is_string()) return fail(errc::invalid_key, "JWK: \"" + std::string(name) + "\" must be a string");
    return std::string(v->get_string());
}

/** A key that binds its holder: not of small order (libsodium's rule). RFC 8032 accepts the
    identity as a public key, and under it R = identity, S = 0 verifies any payload, so
    anyone could "sign" as it; a published kid is immutable, so such a key is never read. */
inline result<void> check_binding_key(const Ed25519PublicKey& key) {
    if (keys::has_small_order(key))
        return fail(errc::invalid_key, "JWK x: a point of small order, under which anyone can sign");
    return {};
}

/// JSON of a JWK: RFC 7517 §4 lets a parser refuse duplicate member names, and sealpipe does.
inline PythonJsonOptions jwk_json_options() {
    PythonJsonOptions o;
    o.reject_duplicate_keys = true;
    o.max_depth = 16;
    return o;
}

inline result<ParsedJwk> parse_jwk_object(const boost::json::value& value) {
    if (!value.is_object()) return fail(errc::invalid_key, "JWK: expected a JSON object");
    const auto& o = value.get_object();
    ParsedJwk out;
    auto kty = jwk_string_member(o, "kty", true);
    if (!kty) return kty.error();
    if (*kty != "OKP") return fail(errc::invalid_key, "JWK: kty must be \"OKP\", got \"" + *kty + "\"");
    auto crv = jwk_string_member(o, "crv", true);
    if (!crv) return crv.error();
    if (*crv != "Ed25519") return fail(errc::invalid_key, "JWK: crv must be \"Ed25519\", got \"" + *crv + "\"");
    if (o.contains("alg")) {
        auto alg = jwk_string_member(o, "alg", true);
        if (!alg) return alg.error();
        if (*alg != "EdDSA") return fail(errc::invalid_key, "JWK: alg must be \"EdDSA\", got \"" + *alg + "\"");
    }
    auto kid = jwk_string_member(o, "kid", false);
    if (!kid) return kid.error();
    out.kid = std::move(*kid);
    auto x = jwk_string_member(o, "x", true);
    if (!x) return x.error();
    auto x_bytes = base64url_decode(*x);
    if (!x_bytes) return Error(errc::invalid_key, x_bytes.error().message()).context("JWK x");
    auto xk = Ed25519PublicKey::from_raw(*x_bytes);
    if (!xk) return Error(errc::invalid_key, xk.error().message()).context("JWK x");
    if (auto r = check_binding_key(*xk); !r) return r.error();
    out.x = *xk;
    if (const auto* ops = o.if_contains("key_ops")) {
        // sqooler writes one string; RFC 7517 §4.3 an array of strings.
        auto note = [&](std::string_view op) {
            if (op == "sign") out.key_ops_sign = true;
            if (op == "verify") out.key_ops_verify = true;
        };
        if (ops->is_string()) {
            note(ops->get_string());
        } else if (ops->is_array()) {
            for (const auto& e : ops->get_array()) {
                if (!e.is_string()) return fail(errc::invalid_key, "JWK: key_ops must hold strings");
                note(e.get_string());
            }
        } else {
            return fail(errc::invalid_key, "JWK: key_ops must be a string or an array of strings");
        }
        if (!out.key_ops_sign && !out.key_ops_verify)
            return fail(errc::invalid_key, "JWK: key_ops allows neither \"sign\" nor \"verify\"");
    } else {
        out.key_ops_sign = out.key_ops_verify = true;
    }
    if (const auto* d = o.if_contains("d"); d && !d->is_null()) {
        if (!d->is_string()) return fail(errc::invalid_key, "JWK: \"d\" must be a string or null");
        out.d = d;
    }
    return out;
}

/// `"…"` for a string in pydantic's compact JSON (kid may hold any UTF-8).
inline result<std::string> compact_string(std::string_view s) {
    return compact_dumps(boost::json::value(boost::json::string(s)));
}

} // namespace detail

/** A public Ed25519 JWK: a key id and an Ed25519 public key (a point that decodes and is not
    of small order; other 32-byte values are refused as `errc::invalid_key`).
    @par Security As libsodium, and unlike RFC 8032 and OpenSSL, a key of small order (the
    identity and the seven other torsion points) is refused when it is made or read, and
    `verify_raw` refuses a signature whose R is of small order: under such a key a signature
    verifies for any payload, so it would bind nobody. */
class PublicJwk {
public:
    /** Makes a key from its parts. @par Errors `errc::invalid_length` unless `x` is 32 bytes;
        `errc::invalid_key` if `kid` is not UTF-8. */
    [[nodiscard]] static result<PublicJwk> make(std::string kid, ByteView x) {
        auto key = Ed25519PublicKey::from_raw(x);
        if (!key) return key.error();
        return make(std::move(kid), *key);
    }

    /** The JWK of a public key. @par Errors `errc::invalid_key` if `kid` is not UTF-8 or the
        key is of small order. */
    [[nodiscard]] static result<PublicJwk> make(std::string kid, const Ed25519PublicKey& key) {
        if (auto r = detail::check_binding_key(key); !r) return r.error();
        if (!detail::compact_string(kid)) return fail(errc::invalid_key, "JWK: kid is not UTF-8");
        return PublicJwk(std::move(kid), key);
    }

    /** Reads a public JWK in either form (sqooler's, with `"d":null`, or RFC 8037): `kty`
        "OKP" and `crv` "Ed25519" are required, `alg` must be "EdDSA" if present, `x` is
        base64url with or without padding, `kid` is optional (empty when absent), and
        `key_ops`, if present (a string or an array), must allow "verify".
        @par Errors `errc::malformed_input` for text that is not JSON or repeats a member;
        `errc::invalid_key` for anything else, including a key of small order and a JWK that
        carries a private key (`d`): a private key where a public one is expected is refused
        rather than silently published. */
    [[nodiscard]] static result<PublicJwk> parse(std::string_view json) {
        auto v = parse_python_json(json, detail::jwk_json_options());
        if (!v) return std::move(v).error().context("JWK");
        return from_value(*v);
    }

    /// As `parse`, from a JSON value.
    [[nodiscard]] static result<PublicJwk> from_value(const boost::json::value& value) {
        auto p = detail::parse_jwk_object(value);
        if (!p) return p.error();
        if (p->d) return fail(errc::invalid_key, "JWK: a private key (\"d\") where a public key was expected");
        if (!p->key_ops_verify) return fail(errc::invalid_key, "JWK: key_ops does not allow \"verify\"");
        return PublicJwk(std::move(p->kid), *p->x);
    }

    /// The key id ("kid"); empty if the JWK had none.
    const std::string& kid() const noexcept { return kid_; }
    /// The public key.
    const Ed25519PublicKey& key() const noexcept { return key_; }

    /** The JWK as a JSON object: sqooler's form `{"x":…,"key_ops":"verify","kid":…,"d":null,
        "kty":"OKP","alg":"EdDSA","crv":"Ed25519"}` or RFC 8037's. Serialize it with
        `compact_dumps` (what `JWK.model_dump_json()` prints) or `python_dumps` (what
        sqooler's storage writes). */
    boost::json::object to_value(JwkForm form = JwkForm::sqooler) const {
        boost::json::object o;
        if (form == JwkForm::sqooler) {
            o["x"] = base64url_encode(key_.raw(), Base64Padding::padded);
            o["key_ops"] = "verify";
            o["kid"] = kid_;
            o["d"] = nullptr;
            o["kty"] = "OKP";
            o["alg"] = "EdDSA";
            o["crv"] = "Ed25519";
        } else {
            o["kty"] = "OKP";
            o["crv"] = "Ed25519";
            o["x"] = base64url_encode(key_.raw(), Base64Padding::unpadded);
            if (!kid_.empty()) o["kid"] = kid_;
        }
        return o;
    }

    /// Compact JSON of `to_value(form)` (for sqooler: the bytes of `model_dump_json()`).
    std::string to_json(JwkForm form = JwkForm::sqooler) const {
        return compact_dumps(boost::json::value(to_value(form))).value();  // kid was checked
    }

    /** Verifies a raw Ed25519 signature over `message` (no JOSE framing: see jws.hpp), as
        libsodium does (`keys::verify_strict`): non-canonical signatures (S >= L) and an R of
        small order are rejected. */
    [[nodiscard]] bool verify_raw(ByteView message, const Ed25519Signature& signature) const {
        return keys::verify_strict(key_, message, signature.view()).has_value();
    }

    friend bool operator==(const PublicJwk&, const PublicJwk&) = default;

private:
    PublicJwk(std::string kid, const Ed25519PublicKey& key) : kid_(std::move(kid)), key_(key) {}

    std::string kid_;
    Ed25519PublicKey key_;
};

/** A private Ed25519 JWK: a key id and an Ed25519 private key (seed and public key, in
    wiping storage). Copyable (each copy wipes itself); the seed is read only through
    `private_key().raw(hazmat::secret_access())`. */
class PrivateJwk {
public:
    /** A new key from the system CSPRNG, as `sqoolerkey --kid KID` makes one.
        @par Errors `errc::invalid_argument` for an empty or non-UTF-8 kid;
        `errc::io_error` if the operating system has no randomness. */
    [[nodiscard]] static result<PrivateJwk> generate(std::string kid) {
        auto key = Ed25519PrivateKey::generate();
        if (!key) return key.error();
        return from_key(std::move(kid), std::move(*key));
    }

    /** The JWK of a key. @par Errors `errc::invalid_argument` for an empty or non-UTF-8 kid. */
    [[nodiscard]] static result<PrivateJwk> from_key(std::string kid, Ed25519PrivateKey key) {
        if (kid.empty()) return fail(errc::invalid_argument, "JWK: the kid must not be empty");
        if (!detail::compact_string(kid)) return fail(errc::invalid_argument, "JWK: kid is not UTF-8");
        return PrivateJwk(std::move(kid), std::move(key));
    }

    /** Reads sqooler's private-key config string: base64url (padding optional) of the JSON
        of the private JWK, as `sqoolerkey` prints it and `jwk_from_config_str` reads it.
        Leading and trailing white space is not accepted (strip it first).
        @par Errors `errc::malformed_input` if it is not base64url of JSON;
        `errc::invalid_key` as for `parse`. */
    [[nodiscard]] static result<PrivateJwk> from_config_string(std::string_view config) {
        auto bytes = base64url_decode(config);
        if (!bytes) return std::move(bytes).error().context("config string");
        auto key = parse(as_chars(*bytes));
        wipe(*bytes);
        return key;
    }

    /** Reads a private JWK in either form; `d` is required and `x` must be its public key;
        `key_ops`, if present, must allow "sign". The parsed text's copy of `d` is wiped;
        the caller's text is not. @par Errors `errc::malformed_input` for text that is not
        JSON or repeats a member; `errc::invalid_key` otherwise. */
    [[nodiscard]] static result<PrivateJwk> parse(std::string_view json) {
        auto v = parse_python_json(json, detail::jwk_json_options());
        if (!v) return std::move(v).error().context("JWK");
        auto key = from_value(*v);
        if (auto* o = v->if_object())
            if (auto* d = o->if_contains("d"); d && d->is_string()) detail::wipe_string(d->get_string());
        return key;
    }

    /// As `parse`, from a JSON value (which the caller should wipe).
    [[nodiscard]] static result<PrivateJwk> from_value(const boost::json::value& value) {
        auto p = detail::parse_jwk_object(value);
        if (!p) return p.error();
        if (!p->d) return fail(errc::invalid_key, "JWK: no private key (\"d\")");
        if (!p->key_ops_sign) return fail(errc::invalid_key, "JWK: key_ops does not allow \"sign\"");
        if (p->kid.empty()) return fail(errc::invalid_key, "JWK: a private key needs a kid");
        auto d = base64url_decode(p->d->get_string());
        if (!d) return Error(errc::invalid_key, d.error().message()).context("JWK d");
        auto key = Ed25519PrivateKey::from_raw(*d);
        wipe(*d);
        if (!key) return Error(errc::invalid_key, key.error().message()).context("JWK d");
        if (!constant_time_equal(key->public_key().raw(), p->x->raw()))
            return fail(errc::invalid_key, "JWK: x is not the public key of d");
        return PrivateJwk(std::move(p->kid), std::move(*key));
    }

    const std::string& kid() const noexcept { return kid_; }
    /// The private key.
    const Ed25519PrivateKey& private_key() const noexcept { return key_; }
    /// The matching public key, with the same kid.
    PublicJwk public_jwk() const { return PublicJwk::make(kid_, key_.public_key()).value(); }

    /** The config string sqooler's `sqoolerkey --kid KID` prints and `jwk_from_config_str`
        reads: padded base64url of the compact JSON of `to_json(JwkForm::sqooler)`. */
    SecretBytes to_config_string() const {
        const SecretBytes json = to_json(JwkForm::sqooler);
        std::string b64 = base64url_encode(json.reveal(hazmat::secret_access()), Base64Padding::padded);
        SecretBytes out = SecretBytes::copy_of(as_bytes(b64));
        detail::wipe_string(b64);
        return out;
    }

    /** The private JWK as compact JSON: sqooler's `{"x":…,"key_ops":"sign","kid":…,"d":…,
        "kty":"OKP","alg":"EdDSA","crv":"Ed25519"}` (padded base64url), or RFC 8037's
        `{"kty":"OKP","crv":"Ed25519","x":…,"d":…,"kid":…}` (unpadded). */
    SecretBytes to_json(JwkForm form = JwkForm::sqooler) const {
        const Base64Padding padding = form == JwkForm::sqooler ? Base64Padding::padded : Base64Padding::unpadded;
        std::string x = base64url_encode(key_.public_key().raw(), padding);
        std::string d = base64url_encode(key_.raw(hazmat::secret_access()), padding);
        const std::string kid = detail::compact_string(kid_).value();  // checked when made
        SecureBytes text;
        text.reserve(160 + kid.size());
        auto put = [&](std::string_view s) { text.insert(text.end(), s.begin(), s.end()); };
        if (form == JwkForm::sqooler) {
            put(R"({"x":")"), put(x), put(R"(","key_ops":"sign","kid":)"), put(kid);
            put(R"(,"d":")"), put(d), put(R"(","kty":"OKP","alg":"EdDSA","crv":"Ed25519"})");
        } else {
            put(R"({"kty":"OKP","crv":"Ed25519","x":")"), put(x), put(R"(","d":")"), put(d);
            put(R"(","kid":)"), put(kid), put("}");
        }
        detail::wipe_string(d);
        return SecretBytes::copy_of(ByteView(text.data(), text.size()));
    }

    /// Signs `message` with Ed25519 (no JOSE framing: see jws.hpp).
    [[nodiscard]] result<Ed25519Signature> sign_raw(ByteView message) const { return keys::sign(key_, message); }

private:
    PrivateJwk(std::string kid, Ed25519PrivateKey key) : kid_(std::move(kid)), key_(std::move(key)) {}

    std::string kid_;
    Ed25519PrivateKey key_;
};

} // namespace sealpipe::jose

#endif // SEALPIPE_JOSE_JWK_HPP
