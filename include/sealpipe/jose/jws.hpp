// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// JSON Web Signatures with Ed25519: sqooler's JWSDict (`SqoolerJws`), RFC 7515 compact and
// flattened JSON serializations, and `Verified<T>`, the only way to a verified payload.

#ifndef SEALPIPE_JOSE_JWS_HPP
#define SEALPIPE_JOSE_JWS_HPP

#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/jose/jwk.hpp>
#include <sealpipe/jose/python_json.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sealpipe::jose {

/// The three ways a JWS is written down.
enum class JwsFormat {
    sqooler,    ///< sqooler's JWSDict: `{"header": {…}, "payload": {…}, "signature": "…"}`
    compact,    ///< RFC 7515 §7.1: `B64(protected).B64(payload).B64(signature)`
    flattened,  ///< RFC 7515 §7.2.2: `{"protected":…,"payload":…,"signature":…}`
};

template <class T>
class Verified;

namespace detail {
template <class...>
inline constexpr bool always_false = false;
/// The key that only this header's verify functions hold.
class VerifiedKey {
    constexpr VerifiedKey() noexcept = default;
    friend struct VerifiedFactory;
    template <class>
    friend class jose::Verified;
};
struct VerifiedFactory;
struct SqoolerAccess;
} // namespace detail

/** A payload whose signature has been verified, and the kid of the key that verified it.
    Only `verify_sqooler`, `verify_compact`, `verify_flattened` and `verify_jws` make one:
    code that holds a `Verified<T>` knows the check happened, and code that has not verified
    has no `Verified<T>` to read (a `SqoolerJws` does not hand out its payload). */
template <class T>
class Verified {
public:
    /// Making one from a payload by hand is a compile error that says so.
    template <class U, class... Rest>
        requires std::is_constructible_v<T, U&&>
    explicit Verified(U&&, Rest&&...) {
        static_assert(detail::always_false<U, Rest...>,
                      "sealpipe: a Verified<T> is made only by a jose verify function "
                      "(verify_sqooler, verify_compact, verify_flattened, verify_jws); "
                      "verify the signature instead of constructing one");
    }
    Verified(const Verified&) = default;
    Verified(Verified&&) noexcept = default;
    Verified& operator=(const Verified&) = default;
    Verified& operator=(Verified&&) noexcept = default;

    /// The verified payload.
    const T& payload() const& noexcept { return payload_; }
    /// Takes the verified payload out.
    T payload() && noexcept(std::is_nothrow_move_constructible_v<T>) { return std::move(payload_); }
    /// The kid of the key that verified it (the header's kid, which matched the key's).
    const std::string& kid() const noexcept { return kid_; }

    /** What `f` derives from the verified payload, still marked verified by the same kid
        (for a value read out of a checked statement). */
    template <class F>
    [[nodiscard]] auto transform(F&& f) && -> Verified<std::remove_cvref_t<std::invoke_result_t<F, T&&>>> {
        using U = std::remove_cvref_t<std::invoke_result_t<F, T&&>>;
        return Verified<U>(detail::VerifiedKey{}, std::forward<F>(f)(std::move(payload_)), std::move(kid_));
    }

private:
    friend struct detail::VerifiedFactory;
    template <class>
    friend class Verified;
    Verified(detail::VerifiedKey, T payload, std::string kid) : payload_(std::move(payload)), kid_(std::move(kid)) {}

    T payload_;
    std::string kid_;
};

/** sqooler's `JWSHeader`. Its bytes, as signed, are the compact JSON
    `{"alg":…,"kid":…,"typ":…,"version":…}` in this order, whatever order they were stored in. */
struct JwsHeader {
    std::string alg = "EdDSA";
    std::string kid;
    std::string typ = "JWS";
    std::string version = "0.1";
};

/** sqooler's JWSDict: a JSON object payload signed under a JSON header. Its payload stays
    inside until `verify_sqooler` checks the signature. It cannot be changed after it is made:
    one made by `sign_sqooler` keeps the exact text it signed (`json.dumps(payload)`), and
    writes and verifies that text rather than serializing the payload again; one read by
    `parse` or `from_value` keeps the parsed payload. */
class SqoolerJws {
public:
    /** Reads a JWSDict from JSON text, as sqooler stores it (any JSON spacing).
        @par Errors `errc::malformed_input`: not JSON; not exactly the members `header`,
        `payload` (an object) and `signature` (base64url of 64 bytes, padding optional); a
        header with a member other than alg, kid (required), typ and version, which sqooler
        would drop and the signature would not cover, or with a non-string value. Missing
        alg, typ and version take sqooler's defaults ("EdDSA", "JWS", "0.1"). Integers
        beyond 64 bits are `errc::unsupported` (see `parse_python_json`). */
    [[nodiscard]] static result<SqoolerJws> parse(std::string_view json);
    /// As `parse`, from a JSON value.
    [[nodiscard]] static result<SqoolerJws> from_value(const boost::json::value& value);
    /// As `parse`, from a JSON value whose payload is moved out.
    [[nodiscard]] static result<SqoolerJws> from_value(boost::json::value&& value);

    /// The header. Not authenticated until `verify_sqooler` succeeds: use it to find the key.
    const JwsHeader& header() const noexcept { return header_; }
    const Ed25519Signature& signature() const noexcept { return signature_; }

    /** `{"header": {…}, "payload": {…}, "signature": "<padded base64url>"}`. The payload of a
        JWSDict made by `sign_sqooler` is read back from the text it signed. */
    boost::json::object to_value() const;
    /** The bytes sqooler's storage writes (`json.dump` of the model): Python's json.dumps
        form. For a JWSDict made by `sign_sqooler`, the payload's bytes are those it signed.
        @par Errors as `python_dumps`. */
    [[nodiscard]] result<std::string> to_json() const;

    /** Whether `key` reproduces this signature over this header and payload (Ed25519 is
        deterministic): sqooler's test that the caller owns a signed config. Compared in
        constant time. */
    [[nodiscard]] result<bool> is_signed_by(const PrivateJwk& key) const;

private:
    friend result<SqoolerJws> sign_sqooler(const boost::json::object& payload, const PrivateJwk& key);
    friend result<Verified<boost::json::object>> verify_sqooler(const SqoolerJws& jws, const PublicJwk& key);
    friend result<Verified<boost::json::object>> verify_sqooler(SqoolerJws&& jws, const PublicJwk& key);
    friend struct detail::SqoolerAccess;
    SqoolerJws() = default;

    /// Appends `json.dumps(payload)`.
    result<void> append_payload_json(std::string& out) const;
    /// The payload as an object (read back from the signed text if signed here).
    result<boost::json::object> payload_object() const;

    JwsHeader header_;
    // Exactly one of the two holds the payload: `payload_` when parsed, `payload_json_`
    // (json.dumps of the payload, the bytes under the signature) when signed here.
    std::optional<boost::json::object> payload_;
    std::string payload_json_;
    Ed25519Signature signature_;
};

/** Signs a JSON object the sqooler way: header `{"alg":"EdDSA","kid":K,"typ":"JWS",
    "version":"0.1"}`; message `B64(compact header) + "." + B64(json.dumps(payload))` with
    B64 = padded base64url. sqooler's `verify_signature` accepts the result.
    The payload is serialized once and not copied: the result keeps the signed text.
    @par Errors as `python_dumps` (a string that is not UTF-8). */
[[nodiscard]] inline result<SqoolerJws> sign_sqooler(const boost::json::object& payload, const PrivateJwk& key);

/** Verifies a JWSDict against a public key and releases its payload.
    Checks: alg is "EdDSA" (anything else, "none" included, fails); the header's kid equals
    the key's kid (if the key has one); the Ed25519 signature over the message rebuilt as
    sqooler rebuilds it (canonical S required).
    @par Errors `errc::signature_invalid` for each failed check; `errc::malformed_input`
    if the payload holds a string that is not UTF-8. */
[[nodiscard]] inline result<Verified<boost::json::object>> verify_sqooler(const SqoolerJws& jws, const PublicJwk& key);
/// As above, and the payload is moved out of `jws` rather than copied (a parsed JWSDict).
[[nodiscard]] inline result<Verified<boost::json::object>> verify_sqooler(SqoolerJws&& jws, const PublicJwk& key);

/** RFC 7515 compact serialization: `B64(protected) "." B64(payload) "." B64(signature)`
    with protected header `{"alg":"EdDSA","kid":K}` (no kid if the key has none) and
    unpadded base64url. */
[[nodiscard]] inline result<std::string> sign_compact(ByteView payload, const PrivateJwk& key);
/// RFC 7515 flattened JSON serialization: `{"protected":…,"payload":…,"signature":…}`.
[[nodiscard]] inline result<std::string> sign_flattened(ByteView payload, const PrivateJwk& key);

/** Verifies a compact JWS and releases its payload bytes.
    The protected header must be a JSON object without duplicate members, with alg "EdDSA";
    a kid, if present, must equal the key's; `crit` and `b64` are not supported.
    @par Errors `errc::malformed_input` (not three unpadded base64url parts, a header that
    is not a JSON object, a signature that is not 64 bytes); `errc::unsupported` (`crit`,
    `b64`); `errc::signature_invalid` (another alg, another kid, a bad signature). */
[[nodiscard]] inline result<Verified<Bytes>> verify_compact(std::string_view jws, const PublicJwk& key);
/** Verifies a flattened JSON JWS. As `verify_compact`; an unprotected `header` and the
    general serialization (`signatures`) are `errc::unsupported`. */
[[nodiscard]] inline result<Verified<Bytes>> verify_flattened(std::string_view jws, const PublicJwk& key);

/** Which format `text` is in (leading and trailing white space ignored): a JSON object with
    `protected` or `signatures` is flattened, one with `header` is sqooler's, anything else
    is tried as compact. @par Errors `errc::malformed_input` for a JSON object of neither kind. */
[[nodiscard]] inline result<JwsFormat> detect_jws_format(std::string_view text);

/** Verifies a JWS in any of the three formats and releases the payload bytes as signed
    (for a JWSDict: `json.dumps(payload)`). */
[[nodiscard]] inline result<Verified<Bytes>> verify_jws(std::string_view text, const PublicJwk& key);

} // namespace sealpipe::jose

#include <sealpipe/jose/impl/jws.hpp>

#endif // SEALPIPE_JOSE_JWS_HPP
