// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The messages of remote execution (doc/protocol.md, "Actions and events"): `Duration`
// (google.protobuf.Duration),
// `AdditionalData`, `Action` and `Event` (bonanza.encryptedaction), as plain structs with
// deterministic protobuf encoding and strict decoding.

#ifndef SEALPIPE_EXECUTION_MESSAGES_HPP
#define SEALPIPE_EXECUTION_MESSAGES_HPP

#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace sealpipe::execution {

/// The most certificates an Action's client chain may carry (as keys::max_chain_certificates).
inline constexpr std::size_t max_action_certificates = 16;

namespace detail {

namespace pb = codec::protobuf;

/// Tracks which singular fields were seen (field numbers 1..31).
class Seen {
public:
    /// False when the field was seen before.
    bool first(std::uint32_t field) noexcept {
        const std::uint32_t bit = std::uint32_t{1} << field;
        if (bits_ & bit) return false;
        bits_ |= bit;
        return true;
    }

private:
    std::uint32_t bits_ = 0;
};

/// Checks the wire type and uniqueness of a singular field.
inline result<void> singular(const pb::Reader& r, Seen& seen, const pb::Field& f, pb::WireType type,
                             std::string_view name) {
    if (f.type != type) return r.wrong_wire_type(f, type, name);
    if (!seen.first(f.number)) return r.duplicate(f, name);
    return {};
}

/// A singular bytes field into `out`.
inline result<void> singular_bytes(const pb::Reader& r, Seen& seen, const pb::Field& f, std::string_view name,
                                   Bytes& out) {
    if (auto c = singular(r, seen, f, pb::WireType::length_delimited, name); !c) return c;
    out = to_bytes(f.bytes);
    return {};
}

/** Strict decoding of message `M` from `b`: `on_field(reader, seen, field, message)` is
    called for every field in order and returns `result<void>` (an error stops decoding). */
template <class M, class OnField>
result<M> decode_message(ByteView b, OnField on_field) {
    pb::Reader r(b, M::proto_name);
    Seen seen;
    M m;
    for (;;) {
        auto f = r.next();
        if (!f) return f.error();
        if (!*f) return m;
        if (auto done = on_field(r, seen, **f, m); !done) return done.error();
    }
}

} // namespace detail

/** google.protobuf.Duration: `seconds = 1 (int64)`, `nanos = 2 (int32)`. Decoding accepts
    any int64/int32 values; `valid()` applies Duration's documented range. */
struct Duration {
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;

    static constexpr std::string_view proto_name = "google.protobuf.Duration";
    /// Duration's documented maximum: 10,000 years.
    static constexpr std::int64_t max_seconds = 315'576'000'000;

    /// A whole number of seconds.
    [[nodiscard]] static Duration from_seconds(std::int64_t s) noexcept { return {s, 0}; }

    /// Seconds within ±315,576,000,000, nanos within ±999,999,999, both of the same sign.
    [[nodiscard]] bool valid() const noexcept {
        if (seconds < -max_seconds || seconds > max_seconds) return false;
        if (nanos <= -1'000'000'000 || nanos >= 1'000'000'000) return false;
        return !((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0));
    }
    /// As std::chrono (valid durations only: they fit in nanoseconds' int64 up to ~292 years;
    /// larger ones saturate).
    [[nodiscard]] std::chrono::nanoseconds to_chrono() const noexcept {
        constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
        if (seconds > limit) return std::chrono::nanoseconds::max();
        if (seconds < -limit) return std::chrono::nanoseconds::min();
        return std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
    }

    /// Deterministic protobuf bytes (zero fields omitted).
    [[nodiscard]] Bytes encode() const {
        codec::protobuf::Writer w;
        w.int64_field(1, seconds);
        w.int32_field(2, nanos);
        return w.take();
    }

    /** Strict decoding. @par Errors `errc::malformed_input`: a bad wire format, an unknown
        field, a duplicate field, nanos beyond int32. */
    [[nodiscard]] static result<Duration> decode(ByteView b) {
        using namespace codec::protobuf;
        return detail::decode_message<Duration>(b, [](const Reader& r, detail::Seen& seen, const Field& f,
                                                      Duration& d) -> result<void> {
            switch (f.number) {
            case 1:
                if (auto c = detail::singular(r, seen, f, WireType::varint, "seconds"); !c) return c;
                d.seconds = static_cast<std::int64_t>(f.number_value);
                return {};
            case 2: {
                if (auto c = detail::singular(r, seen, f, WireType::varint, "nanos"); !c) return c;
                const auto v = static_cast<std::int64_t>(f.number_value);
                // Protobuf truncates an int32 varint to 32 bits; a value that needs the
                // truncation is not what any encoder writes, so it is refused.
                if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
                    return r.invalid("nanos (field 2): " + std::to_string(v) + " does not fit int32");
                d.nanos = static_cast<std::int32_t>(v);
                return {};
            }
            default: return r.unknown(f);
            }
        });
    }

    friend bool operator==(const Duration&, const Duration&) = default;
};

/** bonanza.encryptedaction.Action.AdditionalData: what the scheduler may read. Its
    deterministic encoding is the associated data of the action's ciphertext. */
struct AdditionalData {
    /// Field 1: a fingerprint of the action that stays the same across builds (routing hints).
    Bytes stable_fingerprint;
    /// Field 2: how long the worker may run the action; required by workers.
    std::optional<Duration> execution_timeout;

    static constexpr std::string_view proto_name = "bonanza.encryptedaction.Action.AdditionalData";

    [[nodiscard]] Bytes encode() const {
        codec::protobuf::Writer w;
        w.bytes_field(1, stable_fingerprint);
        if (execution_timeout) w.message_field(2, execution_timeout->encode());
        return w.take();
    }

    /** Strict decoding. @par Errors `errc::malformed_input`. */
    [[nodiscard]] static result<AdditionalData> decode(ByteView b) {
        using namespace codec::protobuf;
        return detail::decode_message<AdditionalData>(b, [](const Reader& r, detail::Seen& seen, const Field& f,
                                                            AdditionalData& a) -> result<void> {
            switch (f.number) {
            case 1: return detail::singular_bytes(r, seen, f, "stable_fingerprint", a.stable_fingerprint);
            case 2: {
                if (auto c = detail::singular(r, seen, f, WireType::length_delimited, "execution_timeout"); !c)
                    return c;
                auto d = Duration::decode(f.bytes);
                if (!d) return std::move(d.error()).context(std::string(proto_name) + ".execution_timeout");
                a.execution_timeout = *d;
                return {};
            }
            default: return r.unknown(f);
            }
        });
    }

    friend bool operator==(const AdditionalData&, const AdditionalData&) = default;
};

/** bonanza.encryptedaction.Action: an action sealed for the workers of one platform. */
struct Action {
    /// Field 1: the platform's X25519 or NIST public key, PKIX DER (routing key).
    Bytes platform_pkix_public_key;
    /// Field 2: the client's certificates, DER, leaf first.
    std::vector<Bytes> client_certificate_chain;
    /// Field 3: the 12-byte AES-GCM-SIV nonce (all zero for in-flight deduplication).
    Bytes nonce;
    /// Field 4: readable by the scheduler, authenticated by the ciphertext.
    std::optional<AdditionalData> additional_data;
    /// Field 5: AES-GCM-SIV ciphertext ‖ tag.
    Bytes ciphertext;

    static constexpr std::string_view proto_name = "bonanza.encryptedaction.Action";

    [[nodiscard]] Bytes encode() const {
        codec::protobuf::Writer w;
        w.bytes_field(1, platform_pkix_public_key);
        for (const Bytes& c : client_certificate_chain) w.bytes_always(2, c);
        w.bytes_field(3, nonce);
        if (additional_data) w.message_field(4, additional_data->encode());
        w.bytes_field(5, ciphertext);
        return w.take();
    }

    /** Strict decoding. @par Errors `errc::malformed_input` (wire format, unknown or
        duplicate fields), `errc::size_limit_exceeded` (more than 16 certificates). */
    [[nodiscard]] static result<Action> decode(ByteView b) { return decode(b, nullptr); }

    /** Decodes as `decode`, except that the ciphertext is not copied: `ciphertext` is set to
        the bytes of field 5 within `b` (empty when absent) and the returned Action's
        `ciphertext` stays empty, for a caller that decrypts the ciphertext where it lies
        (`Worker::open_in_place`). @par Errors as `decode`. */
    [[nodiscard]] static result<Action> decode_viewing_ciphertext(ByteView b, ByteView& ciphertext) {
        ciphertext = {};
        return decode(b, &ciphertext);
    }

private:
    static result<Action> decode(ByteView b, ByteView* ciphertext_view) {
        using namespace codec::protobuf;
        return detail::decode_message<Action>(b, [ciphertext_view](const Reader& r, detail::Seen& seen,
                                                                   const Field& x, Action& a) -> result<void> {
            switch (x.number) {
            case 1: return detail::singular_bytes(r, seen, x, "platform_pkix_public_key", a.platform_pkix_public_key);
            case 2:
                if (x.type != WireType::length_delimited)
                    return r.wrong_wire_type(x, WireType::length_delimited, "client_certificate_chain");
                if (a.client_certificate_chain.size() == max_action_certificates)
                    return fail(errc::size_limit_exceeded, std::string(proto_name) +
                                                                ": more than " + std::to_string(max_action_certificates) +
                                                                " client certificates");
                a.client_certificate_chain.push_back(to_bytes(x.bytes));
                return {};
            case 3: return detail::singular_bytes(r, seen, x, "nonce", a.nonce);
            case 4: {
                if (auto c = detail::singular(r, seen, x, WireType::length_delimited, "additional_data"); !c) return c;
                auto d = AdditionalData::decode(x.bytes);
                if (!d) return std::move(d.error()).context(std::string(proto_name) + ".additional_data");
                a.additional_data = std::move(*d);
                return {};
            }
            case 5:
                if (!ciphertext_view) return detail::singular_bytes(r, seen, x, "ciphertext", a.ciphertext);
                if (auto c = detail::singular(r, seen, x, WireType::length_delimited, "ciphertext"); !c) return c;
                *ciphertext_view = x.bytes;
                return {};
            default: return r.unknown(x);
            }
        });
    }

public:
    friend bool operator==(const Action&, const Action&) = default;
};

/** bonanza.encryptedaction.Event: an execution or completion event, worker to client. */
struct Event {
    /// Field 1: the 12-byte random nonce.
    Bytes nonce;
    /// Field 2: AES-GCM-SIV ciphertext ‖ tag (AD = SHA-256 of the action's ciphertext).
    Bytes ciphertext;

    static constexpr std::string_view proto_name = "bonanza.encryptedaction.Event";

    [[nodiscard]] Bytes encode() const {
        codec::protobuf::Writer w;
        w.bytes_field(1, nonce);
        w.bytes_field(2, ciphertext);
        return w.take();
    }

    /** Strict decoding. @par Errors `errc::malformed_input`. */
    [[nodiscard]] static result<Event> decode(ByteView b) {
        using namespace codec::protobuf;
        return detail::decode_message<Event>(b, [](const Reader& r, detail::Seen& seen, const Field& f,
                                                   Event& e) -> result<void> {
            switch (f.number) {
            case 1: return detail::singular_bytes(r, seen, f, "nonce", e.nonce);
            case 2: return detail::singular_bytes(r, seen, f, "ciphertext", e.ciphertext);
            default: return r.unknown(f);
            }
        });
    }

    friend bool operator==(const Event&, const Event&) = default;
};

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_MESSAGES_HPP
