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

/// Appends sqooler's header bytes, `JWSHeader.model_dump_json()`:
/// `{"alg":…,"kid":…,"typ":…,"version":…}` (compact, raw UTF-8).
inline result<void> append_sqooler_header_json(std::string& out, const JwsHeader& h) {
    const std::pair<const char*, const std::string*> members[] = {
        {"{\"alg\":", &h.alg}, {",\"kid\":", &h.kid}, {",\"typ\":", &h.typ}, {",\"version\":", &h.version}};
    for (const auto& [name, value] : members) {
        out += name;
        if (auto r = append_json_string(out, *value, false); !r) return r;
    }
    out += '}';
    return {};
}

/// sqooler's signed message: B64(header json) "." B64(json.dumps(payload)), padded base64url.
inline result<std::string> sqooler_message(const JwsHeader& h, std::string_view payload_json) {
    using sealpipe::detail::base64_append;
    using sealpipe::detail::base64_encoded_size;
    using sealpipe::detail::base64_url;
    std::string header;
    header.reserve(32 + h.alg.size() + h.kid.size() + h.typ.size() + h.version.size());
    if (auto r = append_sqooler_header_json(header, h); !r) return r.error();
    std::string message;
    message.reserve(base64_encoded_size(header.size(), true) + 1 + base64_encoded_size(payload_json.size(), true));
    base64_append(message, as_bytes(header), base64_url, true);
    message += '.';
    base64_append(message, as_bytes(payload_json), base64_url, true);
    return message;
}

/// The RFC 7515 protected header sealpipe writes: {"alg":"EdDSA"[,"kid":K]}.
inline std::string rfc7515_protected_header(const std::string& kid) {
    std::string out = "{\"alg\":\"EdDSA\"";
    if (!kid.empty()) {
        out += ",\"kid\":";
        (void)append_json_string(out, kid, false);  // a JWK's kid is checked as UTF-8 when it is made
    }
    out += '}';
    return out;
}

inline Error bad_alg(std::string_view alg) {
    return fail(errc::signature_invalid, "JWS: alg \"" + std::string(alg) + "\" is not accepted (only EdDSA)");
}

inline result<void> check_kid(std::string_view header_kid, const PublicJwk& key) {
    if (!key.kid().empty() && header_kid != key.kid())
        return fail(errc::signature_invalid,
                    "JWS: signed for kid \"" + std::string(header_kid) + "\", the key is \"" + key.kid() + "\"");
    return {};
}

/// What `verify_sqooler` and `verify_jws` share: the checks, and the payload's signed bytes.
struct SqoolerAccess {
    /// Checks a JWSDict given as its header, the payload's `json.dumps` bytes and the signature.
    static result<void> verify_parts(const JwsHeader& header, std::string_view payload_json,
                                     const Ed25519Signature& signature, const PublicJwk& key) {
        if (header.alg != "EdDSA") return bad_alg(header.alg);
        if (auto r = check_kid(header.kid, key); !r) return r.error();
        auto message = sqooler_message(header, payload_json);
        if (!message) return message.error();
        if (!key.verify_raw(as_bytes(*message), signature))
            return fail(errc::signature_invalid, "JWSDict: the signature does not verify");
        return {};
    }
    static result<std::string> verify(const SqoolerJws& jws, const PublicJwk& key) {
        std::string body;
        if (auto r = jws.append_payload_json(body); !r) return r.error();
        if (auto r = verify_parts(jws.header_, body, jws.signature_, key); !r) return r.error();
        return body;
    }
};

/// sqooler's header from a JSON object: string members alg, kid (required), typ and version only.
inline result<JwsHeader> read_sqooler_header(const boost::json::object& header) {
    JwsHeader out;
    bool has_kid = false;
    for (const auto& kv : header) {
        const auto* s = kv.value().if_string();
        if (!s)
            return fail(errc::malformed_input,
                        "JWSDict: header member \"" + std::string(kv.key()) + "\" must be a string");
        if (kv.key() == "alg") out.alg = *s;
        else if (kv.key() == "kid") out.kid = *s, has_kid = true;
        else if (kv.key() == "typ") out.typ = *s;
        else if (kv.key() == "version") out.version = *s;
        else
            return fail(errc::malformed_input, "JWSDict: header member \"" + std::string(kv.key()) +
                                                    "\" is not covered by the signature");
    }
    if (!has_kid) return fail(errc::malformed_input, "JWSDict: header has no kid");
    return out;
}

/// The signature member of a JWSDict: padded or unpadded base64url of 64 bytes.
inline result<Ed25519Signature> read_sqooler_signature(std::string_view text) {
    auto bytes = base64url_decode(text);
    if (!bytes) return std::move(bytes).error().context("JWSDict signature");
    auto sig = Ed25519Signature::from(*bytes, "JWSDict signature");
    if (!sig) return Error(errc::malformed_input, sig.error().message());
    return *sig;
}

inline constexpr std::string_view jws_dict_members_error =
    "JWSDict: expected an object with exactly the members header, payload and signature";

/// The most bytes of a JWSDict header read by the streaming path (sqooler's are ~80).
inline constexpr std::size_t max_sqooler_header_bytes = 64 * 1024;

/// A JWSDict read in one pass: the payload as the bytes `json.dumps` prints for it.
struct ScannedSqoolerJws {
    JwsHeader header;
    std::string payload_json;
    Ed25519Signature signature;
};

/** Reads a JWSDict without building its payload as values: one pass checks the grammar and
    the members, parses the (small) header, and transcodes the payload to `json.dumps` form
    (`PythonJsonRedumper`). The result and the errors are those of `SqoolerJws::parse` and
    `append_payload_json`; no value where only a parse can say (a repeated key). */
inline result<std::optional<ScannedSqoolerJws>> scan_sqooler(std::string_view text) {
    const PythonJsonOptions defaults;
    PythonJsonRedumper r(text.data(), text.data(), text.data() + text.size(), defaults.max_depth);
    const char* const end = text.data() + text.size();
    const auto error_at = [&](std::string_view what) {
        return fail(errc::malformed_input,
                    "JWSDict: JSON: " + std::string(what) + " at offset " + std::to_string(r.position() - text.data()));
    };
    r.skip_ws();
    if (r.position() == end || *r.position() != '{') return std::optional<ScannedSqoolerJws>();
    PythonJsonRedumper outer(text.data(), r.position() + 1, end, defaults.max_depth);
    ScannedSqoolerJws out;
    out.payload_json.reserve(text.size());  // about the payload's size: no doubling on the way
    bool seen[3] = {};
    bool shape_ok = true;
    outer.skip_ws();
    if (outer.position() != end && *outer.position() == '}') return std::optional<ScannedSqoolerJws>();
    std::string key;
    std::string sig_text;
    for (;;) {
        if (outer.position() == end || *outer.position() != '"') return std::optional<ScannedSqoolerJws>();
        if (auto k = outer.string(nullptr, key); !k) return std::move(k).error().context("JWSDict");
        outer.skip_ws();
        if (outer.position() == end || *outer.position() != ':') return std::optional<ScannedSqoolerJws>();
        PythonJsonRedumper member(text.data(), outer.position() + 1, end, defaults.max_depth);
        member.skip_ws();
        const char* const value_begin = member.position();
        const int index = key == "header" ? 0 : key == "payload" ? 1 : key == "signature" ? 2 : -1;
        if (index >= 0 && seen[index]) return std::optional<ScannedSqoolerJws>();  // repeated: Python keeps the last
        if (index >= 0) seen[index] = true;
        else shape_ok = false;
        if (value_begin == end) return std::optional<ScannedSqoolerJws>();
        if (index == 2 && *value_begin == '"') {
            if (auto v = member.string(nullptr, sig_text); !v) return std::move(v).error().context("JWSDict");
        } else {
            std::string* sink = index == 1 && *value_begin == '{' ? &out.payload_json : nullptr;
            auto v = member.value(sink, 1);
            if (!v) return std::move(v).error().context("JWSDict");
            if (!*v) return std::optional<ScannedSqoolerJws>();
            if (index == 0) {
                const std::string_view h(value_begin, static_cast<std::size_t>(member.position() - value_begin));
                if (h.size() > max_sqooler_header_bytes)
                    return fail(errc::malformed_input, "JWSDict: a header of more than 64 KiB");
                auto hv = parse_python_json(h);
                if (!hv) return std::move(hv).error().context("JWSDict");
                if (!hv->is_object()) return fail(errc::malformed_input, "JWSDict: header must be an object");
                auto header = read_sqooler_header(hv->get_object());
                if (!header) return header.error();
                out.header = std::move(*header);
            } else if (index == 1 && !sink) {
                return fail(errc::malformed_input, "JWSDict: payload must be an object");
            } else if (index == 2) {
                return fail(errc::malformed_input, "JWSDict: signature must be a string");
            }
        }
        outer = member;
        outer.skip_ws();
        if (outer.position() != end && *outer.position() == ',') {
            outer = PythonJsonRedumper(text.data(), outer.position() + 1, end, defaults.max_depth);
            outer.skip_ws();
            continue;
        }
        if (outer.position() != end && *outer.position() == '}') break;
        r = outer;
        return error_at("expected ',' or '}'");
    }
    r = PythonJsonRedumper(text.data(), outer.position() + 1, end, defaults.max_depth);
    r.skip_ws();
    if (r.position() != end) return error_at("extra data after the value");
    if (!shape_ok || !seen[0] || !seen[1] || !seen[2]) return fail(errc::malformed_input, std::string(jws_dict_members_error));
    auto sig = read_sqooler_signature(sig_text);
    if (!sig) return sig.error();
    out.signature = *sig;
    return std::optional<ScannedSqoolerJws>(std::move(out));
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
    if (!header->is_object()) return fail(errc::malformed_input, "JWS protected header: expected a JSON object");
    const auto& h = header->get_object();
    const auto* alg = h.if_contains("alg");
    if (!alg || !alg->is_string()) return fail(errc::malformed_input, "JWS protected header: no \"alg\" string");
    if (alg->get_string() != "EdDSA") return bad_alg(alg->get_string());
    if (h.contains("crit") || h.contains("b64"))
        return fail(errc::unsupported, "JWS: \"crit\" and \"b64\" header parameters are not supported");
    std::string kid = key.kid();
    if (const auto* k = h.if_contains("kid")) {
        if (!k->is_string()) return fail(errc::malformed_input, "JWS protected header: \"kid\" must be a string");
        if (auto r = check_kid(k->get_string(), key); !r) return r.error();
        kid = std::string(k->get_string());
    }
    auto payload = base64url_decode(payload_b64, Base64Padding::unpadded);
    if (!payload) return std::move(payload).error().context("JWS payload");
    auto signature = base64url_decode(signature_b64, Base64Padding::unpadded);
    if (!signature) return std::move(signature).error().context("JWS signature");
    auto sig = Ed25519Signature::from(*signature, "JWS signature");
    if (!sig) return Error(errc::malformed_input, sig.error().message());
    std::string signing_input;
    signing_input.reserve(protected_b64.size() + 1 + payload_b64.size());
    signing_input.append(protected_b64).append(".").append(payload_b64);
    if (!key.verify_raw(as_bytes(signing_input), *sig))
        return fail(errc::signature_invalid, "JWS: the signature does not verify");
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
        return fail(errc::malformed_input, std::string(detail::jws_dict_members_error));
    SqoolerJws out;
    const auto* header = o->at("header").if_object();
    if (!header) return fail(errc::malformed_input, "JWSDict: header must be an object");
    auto h = detail::read_sqooler_header(*header);
    if (!h) return h.error();
    out.header_ = std::move(*h);
    auto* payload = o->at("payload").if_object();
    if (!payload || detail::is_big_integer(*payload))
        return fail(errc::malformed_input, "JWSDict: payload must be an object");
    const auto* signature = o->at("signature").if_string();
    if (!signature) return fail(errc::malformed_input, "JWSDict: signature must be a string");
    auto sig = detail::read_sqooler_signature(*signature);
    if (!sig) return sig.error();
    out.signature_ = *sig;
    // moved with its memory resource (an assignment between resources would copy)
    out.payload_.emplace(std::move(*payload));
    return out;
}

inline result<void> SqoolerJws::append_payload_json(std::string& out) const {
    if (payload_) {
        if (auto r = detail::append_python_dumps(out, *payload_); !r) return std::move(r).error().context("JWS payload");
    } else {
        out += payload_json_;
    }
    return {};
}

inline result<boost::json::object> SqoolerJws::payload_object() const {
    if (payload_) return *payload_;
    // json.loads(json.dumps(payload)): what the signature covers, read as Python reads it
    auto v = parse_python_json(payload_json_);
    if (!v) return std::move(v).error().context("JWS payload");
    return std::move(v->as_object());
}

inline boost::json::object SqoolerJws::to_value() const {
    boost::json::object header;
    header["alg"] = header_.alg;
    header["kid"] = header_.kid;
    header["typ"] = header_.typ;
    header["version"] = header_.version;
    boost::json::object o;
    o["header"] = std::move(header);
    // text written by python_dumps parses back (same depth limit, 64-bit integers, WTF-8)
    o["payload"] = payload_object().value();
    o["signature"] = base64url_encode(signature_, Base64Padding::padded);
    return o;
}

inline result<std::string> SqoolerJws::to_json() const {
    // python_dumps(to_value()), written directly
    std::string out;
    out.reserve(128 + header_.kid.size() + payload_json_.size());
    const std::pair<const char*, const std::string*> members[] = {{R"({"header": {"alg": )", &header_.alg},
                                                                  {R"(, "kid": )", &header_.kid},
                                                                  {R"(, "typ": )", &header_.typ},
                                                                  {R"(, "version": )", &header_.version}};
    for (const auto& [name, value] : members) {
        out += name;
        if (auto r = detail::append_json_string(out, *value, true); !r) return r.error();
    }
    out += R"(}, "payload": )";
    if (auto r = append_payload_json(out); !r) return r.error();
    out += R"(, "signature": ")";
    sealpipe::detail::base64_append(out, signature_, sealpipe::detail::base64_url, true);
    out += "\"}";
    return out;
}

inline result<bool> SqoolerJws::is_signed_by(const PrivateJwk& key) const {
    std::string body;
    if (auto r = append_payload_json(body); !r) return r.error();
    auto message = detail::sqooler_message(header_, body);
    if (!message) return message.error();
    auto sig = key.sign_raw(as_bytes(*message));
    if (!sig) return sig.error();
    return constant_time_equal(sig->view(), signature_.view());
}

inline result<SqoolerJws> sign_sqooler(const boost::json::object& payload, const PrivateJwk& key) {
    if (detail::is_big_integer(payload)) return fail(errc::malformed_input, "JWSDict: payload must be an object");
    SqoolerJws out;
    out.header_.kid = key.kid();
    if (auto r = detail::append_python_dumps(out.payload_json_, payload); !r)
        return std::move(r).error().context("JWS payload");
    auto message = detail::sqooler_message(out.header_, out.payload_json_);
    if (!message) return message.error();
    auto sig = key.sign_raw(as_bytes(*message));
    if (!sig) return sig.error();
    out.signature_ = *sig;
    return out;
}

inline result<Verified<boost::json::object>> verify_sqooler(const SqoolerJws& jws, const PublicJwk& key) {
    auto body = detail::SqoolerAccess::verify(jws, key);
    if (!body) return body.error();
    auto payload = jws.payload_object();
    if (!payload) return payload.error();
    return detail::VerifiedFactory::make(std::move(*payload), jws.header_.kid);
}

inline result<Verified<boost::json::object>> verify_sqooler(SqoolerJws&& jws, const PublicJwk& key) {
    if (!jws.payload_) return verify_sqooler(std::as_const(jws), key);
    auto body = detail::SqoolerAccess::verify(jws, key);
    if (!body) return body.error();
    return detail::VerifiedFactory::make(std::move(*jws.payload_), std::move(jws.header_.kid));
}

inline result<std::string> sign_compact(ByteView payload, const PrivateJwk& key) {
    using sealpipe::detail::base64_append;
    using sealpipe::detail::base64_encoded_size;
    using sealpipe::detail::base64_url;
    const std::string header = detail::rfc7515_protected_header(key.kid());
    std::string out;
    out.reserve(base64_encoded_size(header.size(), false) + base64_encoded_size(payload.size(), false) +
                base64_encoded_size(Ed25519Signature::size_bytes, false) + 2);
    base64_append(out, as_bytes(header), base64_url, false);
    out += '.';
    base64_append(out, payload, base64_url, false);
    auto sig = key.sign_raw(as_bytes(out));
    if (!sig) return sig.error();
    out += '.';
    base64_append(out, *sig, base64_url, false);
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
        return fail(errc::malformed_input, "JWS compact: expected three parts separated by '.'");
    return detail::verify_rfc7515(jws.substr(0, d1), jws.substr(d1 + 1, d2 - d1 - 1), jws.substr(d2 + 1), key);
}

inline result<Verified<Bytes>> verify_flattened(std::string_view jws, const PublicJwk& key) {
    PythonJsonOptions strict;
    strict.reject_duplicate_keys = true;
    strict.max_depth = 16;
    auto v = parse_python_json(jws, strict);
    if (!v) return std::move(v).error().context("JWS flattened");
    const auto* o = v->if_object();
    if (!o) return fail(errc::malformed_input, "JWS flattened: expected a JSON object");
    if (o->contains("signatures"))
        return fail(errc::unsupported, "JWS: the general JSON serialization is not supported");
    if (o->contains("header"))
        return fail(errc::unsupported, "JWS: unprotected header parameters are not supported");
    const boost::json::string* parts[3] = {};
    const char* names[3] = {"protected", "payload", "signature"};
    for (const auto& kv : *o) {
        bool known = false;
        for (int i = 0; i < 3; ++i)
            if (kv.key() == names[i]) {
                parts[i] = kv.value().if_string();
                if (!parts[i])
                    return fail(errc::malformed_input, "JWS flattened: \"" + std::string(names[i]) + "\" must be a string");
                known = true;
            }
        if (!known)
            return fail(errc::malformed_input, "JWS flattened: unexpected member \"" + std::string(kv.key()) + "\"");
    }
    for (int i = 0; i < 3; ++i)
        if (!parts[i]) return fail(errc::malformed_input, "JWS flattened: no \"" + std::string(names[i]) + "\"");
    return detail::verify_rfc7515(*parts[0], *parts[1], *parts[2], key);
}

inline result<JwsFormat> detect_jws_format(std::string_view text) {
    text = detail::trim_json_space(text);
    if (text.empty() || text.front() != '{') return JwsFormat::compact;
    // The member names of the top-level object, read without building the values.
    detail::PythonJsonRedumper r(text.data(), text.data(), text.data() + text.size(), PythonJsonOptions{}.max_depth);
    auto valid = r.value(nullptr, 0);
    if (!valid) return std::move(valid).error().context("JWS");
    r.skip_ws();
    if (!*valid || r.position() != text.data() + text.size()) {
        // A repeated key somewhere, or extra data: the parser says what Python would read.
        auto v = parse_python_json(text);
        if (!v) return std::move(v).error().context("JWS");
        const auto* o = v->if_object();
        if (o && (o->contains("protected") || o->contains("signatures"))) return JwsFormat::flattened;
        if (o && o->contains("header")) return JwsFormat::sqooler;
        return fail(errc::malformed_input, "JWS: a JSON object that is neither a JWSDict nor a flattened JWS");
    }
    bool flattened = false;
    bool sqooler = false;
    detail::PythonJsonRedumper members(text.data(), text.data() + 1, text.data() + text.size(),
                                       PythonJsonOptions{}.max_depth);
    std::string key;
    for (members.skip_ws(); members.position() != text.data() + text.size() && *members.position() == '"';) {
        if (auto k = members.string(nullptr, key); !k) return std::move(k).error().context("JWS");
        flattened = flattened || key == "protected" || key == "signatures";
        sqooler = sqooler || key == "header";
        members.skip_ws();
        detail::PythonJsonRedumper v(text.data(), members.position() + 1, text.data() + text.size(),
                                     PythonJsonOptions{}.max_depth);
        v.skip_ws();
        auto ok = v.value(nullptr, 1);
        if (!ok) return std::move(ok).error().context("JWS");
        v.skip_ws();
        if (v.position() == text.data() + text.size() || *v.position() != ',') break;
        members = detail::PythonJsonRedumper(text.data(), v.position() + 1, text.data() + text.size(),
                                             PythonJsonOptions{}.max_depth);
        members.skip_ws();
    }
    if (flattened) return JwsFormat::flattened;
    if (sqooler) return JwsFormat::sqooler;
    return fail(errc::malformed_input, "JWS: a JSON object that is neither a JWSDict nor a flattened JWS");
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
    // One pass over the text, with no tree of values: the payload goes straight to the bytes
    // json.dumps prints, which are what is signed and what is handed out.
    auto scanned = detail::scan_sqooler(text);
    if (!scanned) return scanned.error();
    if (*scanned) {
        auto& s = **scanned;
        if (auto r = detail::SqoolerAccess::verify_parts(s.header, s.payload_json, s.signature, key); !r)
            return r.error();
        Bytes payload = to_bytes(as_bytes(s.payload_json));
        std::string().swap(s.payload_json);
        return detail::VerifiedFactory::make(std::move(payload), std::move(s.header.kid));
    }
    auto jws = SqoolerJws::parse(text);
    if (!jws) return jws.error();
    auto bytes = detail::SqoolerAccess::verify(*jws, key);
    if (!bytes) return bytes.error();
    return detail::VerifiedFactory::make(to_bytes(as_bytes(*bytes)), jws->header().kid);
}

} // namespace sealpipe::jose

#endif // SEALPIPE_JOSE_IMPL_JWS_HPP
