// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bodies of the JWS functions (jose/jws.hpp).

#ifndef SEALPIPE_JOSE_IMPL_JWS_HPP
#define SEALPIPE_JOSE_IMPL_JWS_HPP

#include <boost/json/string.hpp>

namespace sealpipe::jose {

namespace detail {

struct VerifiedFactory {
    template <class T>
    static Verified<T> make(T payload, std::string kid) {
        return Verified<T>(VerifiedKey{}, std::move(payload), std::move(kid));
    }
};

/// sqooler's header bytes: `JWSHeader.model_dump_json()`.
inline result<std::string> sqooler_header_json(const JwsHeader& h) {
    boost::json::object o;
    o["alg"] = h.alg;
    o["kid"] = h.kid;
    o["typ"] = h.typ;
    o["version"] = h.version;
    return compact_dumps(boost::json::value(std::move(o)));
}

/// sqooler's signed message: B64(header json) "." B64(json.dumps(payload)), padded base64url.
inline result<std::string> sqooler_message(const JwsHeader& h, const boost::json::object& payload) {
    auto header = sqooler_header_json(h);
    if (!header) return header.error();
    auto body = python_dumps(boost::json::value(payload));
    if (!body) return std::move(body).error().context("JWS payload");
    return base64url_encode(as_bytes(*header), Base64Padding::padded) + "." +
           base64url_encode(as_bytes(*body), Base64Padding::padded);
}

/// The RFC 7515 protected header sealpipe writes: {"alg":"EdDSA"[,"kid":K]}.
inline std::string rfc7515_protected_header(const std::string& kid) {
    boost::json::object o;
    o["alg"] = "EdDSA";
    if (!kid.empty()) o["kid"] = kid;
    return compact_dumps(boost::json::value(std::move(o))).value();  // the kid was checked as UTF-8
}

inline Error bad_alg(std::string_view alg) {
    return fail(error::signature_invalid, "JWS: alg \"" + std::string(alg) + "\" is not accepted (only EdDSA)");
}

inline result<void> check_kid(std::string_view header_kid, const PublicJwk& key) {
    if (!key.kid().empty() && header_kid != key.kid())
        return fail(error::signature_invalid,
                    "JWS: signed for kid \"" + std::string(header_kid) + "\", the key is \"" + key.kid() + "\"");
    return {};
}

inline std::string_view trim_json_space(std::string_view s) noexcept {
    constexpr std::string_view ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

/// Verifies the three base64url parts of a compact or flattened JWS.
inline result<Verified<Bytes>> verify_rfc7515(std::string_view protected_b64, std::string_view payload_b64,
                                              std::string_view signature_b64, const PublicJwk& key) {
    auto header_bytes = base64url_decode(protected_b64, Base64Padding::unpadded);
    if (!header_bytes) return std::move(header_bytes).error().context("JWS protected header");
    PythonJsonOptions strict;
    strict.reject_duplicate_keys = true;
    strict.max_depth = 16;
    auto header = parse_python_json(as_chars(*header_bytes), strict);
    if (!header) return std::move(header).error().context("JWS protected header");
    if (!header->is_object()) return fail(error::malformed_input, "JWS protected header: expected a JSON object");
    const auto& h = header->get_object();
    const auto* alg = h.if_contains("alg");
    if (!alg || !alg->is_string()) return fail(error::malformed_input, "JWS protected header: no \"alg\" string");
    if (alg->get_string() != "EdDSA") return bad_alg(alg->get_string());
    if (h.contains("crit") || h.contains("b64"))
        return fail(error::unsupported, "JWS: \"crit\" and \"b64\" header parameters are not supported");
    std::string kid = key.kid();
    if (const auto* k = h.if_contains("kid")) {
        if (!k->is_string()) return fail(error::malformed_input, "JWS protected header: \"kid\" must be a string");
        if (auto r = check_kid(k->get_string(), key); !r) return r.error();
        kid = std::string(k->get_string());
    }
    auto payload = base64url_decode(payload_b64, Base64Padding::unpadded);
    if (!payload) return std::move(payload).error().context("JWS payload");
    auto signature = base64url_decode(signature_b64, Base64Padding::unpadded);
    if (!signature) return std::move(signature).error().context("JWS signature");
    auto sig = Ed25519Signature::from(*signature, "JWS signature");
    if (!sig) return Error(error::malformed_input, sig.error().message());
    std::string signing_input;
    signing_input.reserve(protected_b64.size() + 1 + payload_b64.size());
    signing_input.append(protected_b64).append(".").append(payload_b64);
    if (!key.verify_raw(as_bytes(signing_input), *sig))
        return fail(error::signature_invalid, "JWS: the signature does not verify");
    return VerifiedFactory::make(std::move(*payload), std::move(kid));
}

} // namespace detail

inline result<SqoolerJws> SqoolerJws::parse(std::string_view json) {
    auto v = parse_python_json(json);
    if (!v) return std::move(v).error().context("JWSDict");
    return from_value(std::move(*v));
}

inline result<SqoolerJws> SqoolerJws::from_value(const boost::json::value& value) {
    return from_value(boost::json::value(value));
}

inline result<SqoolerJws> SqoolerJws::from_value(boost::json::value&& value) {
    auto* o = value.if_object();
    if (!o || o->size() != 3 || !o->contains("header") || !o->contains("payload") || !o->contains("signature"))
        return fail(error::malformed_input,
                    "JWSDict: expected an object with exactly the members header, payload and signature");
    SqoolerJws out;
    const auto* header = o->at("header").if_object();
    if (!header) return fail(error::malformed_input, "JWSDict: header must be an object");
    bool has_kid = false;
    for (const auto& kv : *header) {
        const auto* s = kv.value().if_string();
        if (!s)
            return fail(error::malformed_input,
                        "JWSDict: header member \"" + std::string(kv.key()) + "\" must be a string");
        if (kv.key() == "alg") out.header_.alg = *s;
        else if (kv.key() == "kid") out.header_.kid = *s, has_kid = true;
        else if (kv.key() == "typ") out.header_.typ = *s;
        else if (kv.key() == "version") out.header_.version = *s;
        else
            return fail(error::malformed_input, "JWSDict: header member \"" + std::string(kv.key()) +
                                                    "\" is not covered by the signature");
    }
    if (!has_kid) return fail(error::malformed_input, "JWSDict: header has no kid");
    auto* payload = o->at("payload").if_object();
    if (!payload) return fail(error::malformed_input, "JWSDict: payload must be an object");
    out.payload_ = std::move(*payload);
    const auto* signature = o->at("signature").if_string();
    if (!signature) return fail(error::malformed_input, "JWSDict: signature must be a string");
    auto sig_bytes = base64url_decode(*signature);
    if (!sig_bytes) return std::move(sig_bytes).error().context("JWSDict signature");
    auto sig = Ed25519Signature::from(*sig_bytes, "JWSDict signature");
    if (!sig) return Error(error::malformed_input, sig.error().message());
    out.signature_ = *sig;
    return out;
}

inline boost::json::object SqoolerJws::to_value() const {
    boost::json::object header;
    header["alg"] = header_.alg;
    header["kid"] = header_.kid;
    header["typ"] = header_.typ;
    header["version"] = header_.version;
    boost::json::object o;
    o["header"] = std::move(header);
    o["payload"] = payload_;
    o["signature"] = base64url_encode(signature_, Base64Padding::padded);
    return o;
}

inline result<std::string> SqoolerJws::to_json() const { return python_dumps(boost::json::value(to_value())); }

inline result<bool> SqoolerJws::is_signed_by(const PrivateJwk& key) const {
    auto message = detail::sqooler_message(header_, payload_);
    if (!message) return message.error();
    auto sig = key.sign_raw(as_bytes(*message));
    if (!sig) return sig.error();
    return constant_time_equal(sig->view(), signature_.view());
}

inline result<SqoolerJws> sign_sqooler(boost::json::object payload, const PrivateJwk& key) {
    SqoolerJws out;
    out.header_.kid = key.kid();
    out.payload_ = std::move(payload);
    auto message = detail::sqooler_message(out.header_, out.payload_);
    if (!message) return message.error();
    auto sig = key.sign_raw(as_bytes(*message));
    if (!sig) return sig.error();
    out.signature_ = *sig;
    return out;
}

inline result<Verified<boost::json::object>> verify_sqooler(const SqoolerJws& jws, const PublicJwk& key) {
    if (jws.header_.alg != "EdDSA") return detail::bad_alg(jws.header_.alg);
    if (auto r = detail::check_kid(jws.header_.kid, key); !r) return r.error();
    auto message = detail::sqooler_message(jws.header_, jws.payload_);
    if (!message) return message.error();
    if (!key.verify_raw(as_bytes(*message), jws.signature_))
        return fail(error::signature_invalid, "JWSDict: the signature does not verify");
    return detail::VerifiedFactory::make(jws.payload_, jws.header_.kid);
}

inline result<std::string> sign_compact(ByteView payload, const PrivateJwk& key) {
    std::string out = base64url_encode(as_bytes(detail::rfc7515_protected_header(key.kid())), Base64Padding::unpadded);
    out += '.';
    out += base64url_encode(payload, Base64Padding::unpadded);
    auto sig = key.sign_raw(as_bytes(out));
    if (!sig) return sig.error();
    out += '.';
    out += base64url_encode(*sig, Base64Padding::unpadded);
    return out;
}

inline result<std::string> sign_flattened(ByteView payload, const PrivateJwk& key) {
    auto compact = sign_compact(payload, key);
    if (!compact) return compact;
    // base64url needs no JSON escaping: write the object directly
    const std::string_view c = *compact;
    const auto d1 = c.find('.');
    const auto d2 = c.find('.', d1 + 1);
    std::string out;
    out.reserve(c.size() + 48);
    out.append(R"({"protected":")").append(c.substr(0, d1));
    out.append(R"(","payload":")").append(c.substr(d1 + 1, d2 - d1 - 1));
    out.append(R"(","signature":")").append(c.substr(d2 + 1)).append("\"}");
    return out;
}

inline result<Verified<Bytes>> verify_compact(std::string_view jws, const PublicJwk& key) {
    const auto d1 = jws.find('.');
    const auto d2 = d1 == std::string_view::npos ? d1 : jws.find('.', d1 + 1);
    if (d2 == std::string_view::npos || jws.find('.', d2 + 1) != std::string_view::npos)
        return fail(error::malformed_input, "JWS compact: expected three parts separated by '.'");
    return detail::verify_rfc7515(jws.substr(0, d1), jws.substr(d1 + 1, d2 - d1 - 1), jws.substr(d2 + 1), key);
}

inline result<Verified<Bytes>> verify_flattened(std::string_view jws, const PublicJwk& key) {
    PythonJsonOptions strict;
    strict.reject_duplicate_keys = true;
    strict.max_depth = 16;
    auto v = parse_python_json(jws, strict);
    if (!v) return std::move(v).error().context("JWS flattened");
    const auto* o = v->if_object();
    if (!o) return fail(error::malformed_input, "JWS flattened: expected a JSON object");
    if (o->contains("signatures"))
        return fail(error::unsupported, "JWS: the general JSON serialization is not supported");
    if (o->contains("header"))
        return fail(error::unsupported, "JWS: unprotected header parameters are not supported");
    const boost::json::string* parts[3] = {};
    const char* names[3] = {"protected", "payload", "signature"};
    for (const auto& kv : *o) {
        bool known = false;
        for (int i = 0; i < 3; ++i)
            if (kv.key() == names[i]) {
                parts[i] = kv.value().if_string();
                if (!parts[i])
                    return fail(error::malformed_input, "JWS flattened: \"" + std::string(names[i]) + "\" must be a string");
                known = true;
            }
        if (!known)
            return fail(error::malformed_input, "JWS flattened: unexpected member \"" + std::string(kv.key()) + "\"");
    }
    for (int i = 0; i < 3; ++i)
        if (!parts[i]) return fail(error::malformed_input, "JWS flattened: no \"" + std::string(names[i]) + "\"");
    return detail::verify_rfc7515(*parts[0], *parts[1], *parts[2], key);
}

inline result<JwsFormat> detect_jws_format(std::string_view text) {
    text = detail::trim_json_space(text);
    if (text.empty() || text.front() != '{') return JwsFormat::compact;
    auto v = parse_python_json(text);
    if (!v) return std::move(v).error().context("JWS");
    const auto* o = v->if_object();
    if (o && (o->contains("protected") || o->contains("signatures"))) return JwsFormat::flattened;
    if (o && o->contains("header")) return JwsFormat::sqooler;
    return fail(error::malformed_input, "JWS: a JSON object that is neither a JWSDict nor a flattened JWS");
}

inline result<Verified<Bytes>> verify_jws(std::string_view text, const PublicJwk& key) {
    auto format = detect_jws_format(text);
    if (!format) return format.error();
    text = detail::trim_json_space(text);
    switch (*format) {
    case JwsFormat::compact: return verify_compact(text, key);
    case JwsFormat::flattened: return verify_flattened(text, key);
    case JwsFormat::sqooler: break;
    }
    auto jws = SqoolerJws::parse(text);
    if (!jws) return jws.error();
    auto verified = verify_sqooler(*jws, key);
    if (!verified) return verified.error();
    auto bytes = python_dumps(boost::json::value(verified->payload()));
    if (!bytes) return bytes.error();
    return detail::VerifiedFactory::make(to_bytes(as_bytes(*bytes)), verified->kid());
}

} // namespace sealpipe::jose

#endif // SEALPIPE_JOSE_IMPL_JWS_HPP
