// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The encrypting stage `Encrypting<Aead, Mode>` (Bonanza's encrypting binary encoder): PADMÉ
// padding, then an AEAD under Bonanza's additional data, in deterministic, keyed or
// randomized mode.

#ifndef SEALPIPE_ENCODING_ENCRYPTING_HPP
#define SEALPIPE_ENCODING_ENCRYPTING_HPP

#include <sealpipe/aead/concepts.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/encoding/padme.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace sealpipe::aead {
template <class NoncePolicy, std::size_t KeyBits>
class AesGcm;
} // namespace sealpipe::aead

namespace sealpipe::encoding {

/// The additional data of an encrypting stage: SHA-256 of a protobuf message (doc/protocol.md, "Encoders").
using AdditionalData = Digest32;

/** The additional data Bonanza computes for an encrypting encoder: SHA-256 of the
    deterministic protobuf encoding of `EncryptingBinaryEncoderAdditionalDataInput
    { encoding_mode = mode; additional_encoders = the encoders before this one }`.
    `preceding_encoders` is the already encoded repeated field (see `StageContext`). */
[[nodiscard]] inline AdditionalData additional_data_for(Mode mode, ByteView preceding_encoders) {
    codec::protobuf::Writer message;
    message.int32_field(fields::encoding_mode, static_cast<std::int32_t>(mode));
    Bytes bytes = message.take();
    append(bytes, preceding_encoders);
    const AdditionalData out = sha256(bytes);
    wipe(bytes);   // the preceding encoders never hold keys (encrypting stages come last), but still
    return out;
}

namespace detail {

/// The value of the `aead` extension field (0, omitted, for AES-GCM-SIV, as in Bonanza).
template <class A>
struct AeadConfigValue : std::integral_constant<std::int32_t, 0> {};
template <class N, std::size_t K>
struct AeadConfigValue<aead::AesGcm<N, K>> : std::integral_constant<std::int32_t, 1> {};

template <class M>
inline constexpr bool is_mode_tag_v =
    std::is_same_v<M, Deterministic> || std::is_same_v<M, Keyed> || std::is_same_v<M, Randomized>;

/// The decoding parameters of an encrypting stage: the tag (deterministic), the nonce
/// (keyed), or nonce || tag (randomized).
template <class A>
constexpr std::size_t encrypting_parameters_bytes(Mode m) noexcept {
    return m == Mode::deterministic ? A::tag_bytes : m == Mode::keyed ? A::nonce_bytes : A::nonce_bytes + A::tag_bytes;
}

/// Plaintexts above this are refused before padding (far above every AEAD's own limit).
inline constexpr std::uint64_t max_encrypting_payload = std::uint64_t{1} << 40;

} // namespace detail

/** The encrypting stage: pads the input with PADMÉ and encrypts it with `A` under the
    additional data computed from the stages before it (doc/protocol.md, "Encoders").

    | mode | nonce | output | decoding parameters |
    | --- | --- | --- | --- |
    | `Deterministic` | 12 zero bytes | ciphertext | the 16-byte tag |
    | `Keyed` | the decoding parameters | ciphertext ‖ tag | the caller's 12-byte nonce |
    | `Randomized` (extension) | fresh random | ciphertext | nonce ‖ tag (28 bytes) |

    Empty input encodes to empty output in every mode (deterministic and randomized
    parameters are then all zero), and decodes from empty input whatever the parameters of the
    right length. Deterministic and keyed modes need a nonce-misuse-resistant AEAD.

    Usually written as the AEAD itself in a pipeline (`Pipeline<SimpleLzw, AesGcmSiv<256>>`),
    which picks the pipeline's mode. Not thread-safe (the AEAD context caches per-nonce keys):
    use one per thread. */
template <class A, class M>
class Encrypting {
    static_assert(aead::Aead<A>, "sealpipe: Encrypting<A, Mode> requires A to model sealpipe::aead::Aead");
    static_assert(detail::is_mode_tag_v<M>,
                  "sealpipe: Encrypting<A, Mode> requires Mode to be Deterministic, Keyed or Randomized");
    static_assert(M::value != Mode::deterministic || aead::is_nonce_misuse_resistant_v<A>,
                  SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR);
    static_assert(M::value != Mode::keyed || aead::is_nonce_misuse_resistant_v<A>, SEALPIPE_ENCODING_RULE_KEYED_NMR);

public:
    using aead_type = A;
    using mode_type = M;
    using Key = typename A::Key;
    /// The configuration is the key.
    using Config = Key;

    static constexpr Mode mode = M::value;
    static constexpr std::string_view name = A::name;
    static constexpr std::size_t decoding_parameters_bytes = detail::encrypting_parameters_bytes<A>(mode);
    static constexpr bool compresses = false;
    static constexpr bool encrypts = true;
    static constexpr bool deterministic = mode != Mode::randomized;
    static constexpr bool nonce_misuse_resistant = aead::is_nonce_misuse_resistant_v<A>;
    static constexpr ModeSet modes = ModeSet::only(mode);

    /** A stage with explicit additional data (Bonanza's `NewEncrypting...BinaryEncoder(key,
        additionalData)`); pipelines use the other constructor. */
    Encrypting(const Key& key, const AdditionalData& additional_data)
        : context_(key), additional_data_(additional_data), key_id_(make_key_id(key, additional_data)) {}

    /// The stage at its place in a pipeline: the additional data follows from `ctx`.
    Encrypting(const Key& key, const StageContext& ctx) : Encrypting(key, additional_data_for(mode, ctx.preceding_encoders)) {}

    /// `BinaryEncoder { encrypting { encryption_key } }`, plus the `aead` extension field
    /// for AEADs other than AES-GCM-SIV.
    static void describe(const Key& key, Bytes& out) {
        codec::protobuf::Writer inner;
        inner.bytes_field(fields::encryption_key, key.reveal(hazmat::secret_access()));
        inner.int32_field(fields::aead, detail::AeadConfigValue<A>::value);
        Bytes message = inner.take();
        detail::append_encoder(out, fields::encrypting, message);
        wipe(message);
    }

    /// The additional data in use.
    [[nodiscard]] const AdditionalData& additional_data() const noexcept { return additional_data_; }

    /** Pads and encrypts `in`. `parameters` (`decoding_parameters_bytes` long) receives the
        tag (deterministic) or nonce ‖ tag (randomized); in keyed mode it is read: the nonce.
        @par Errors `errc::invalid_length` for parameters of the wrong size;
        `errc::size_limit_exceeded` above the AEAD's limits; `errc::io_error` if the system
        has no randomness (randomized).
        @par Security Deterministic output reveals whether two inputs are equal, and the
        padded size reveals O(log log n) bits of the size. In keyed mode a nonce must not be
        reused for different data unless that equality leak is acceptable. */
    [[nodiscard]] result<Bytes> encode(ByteView in, MutableByteView parameters) {
        auto size = encoded_size(in, parameters);
        if (!size) return size.error();
        Bytes out(*size);
        if (*size == 0) return out;
        if (auto r = seal_into(in, out, parameters); !r) return r.error();
        return out;
    }

    /// `encode_into` accepts its input at the start of its output: it pads and seals in place.
    static constexpr bool encodes_in_place = true;

    /** `encode` into the caller's `out`, which needs at least `max_encoded_bytes(in.size())`
        bytes; returns how many it wrote (the same bytes as `encode`). `in` may start at
        `out.data()` (in place: the payload is padded where it lies and sealed over itself);
        any other overlap is refused.
        @par Errors those of `encode`; `errc::invalid_length` when `out` is too short;
        `errc::invalid_argument` for partly overlapping buffers. On an error after the
        payload was copied or padded, the first `max_encoded_bytes(in.size())` bytes of `out`
        are wiped (in place, the input with them).
        @par Security as for `encode`. */
    [[nodiscard]] result<std::size_t> encode_into(ByteView in, MutableByteView out, MutableByteView parameters) {
        auto size = encoded_size(in, parameters);
        if (!size) return size.error();
        if (out.size() < *size) return detail::output_too_short("encrypting", *size, out.size());
        if (detail::overlaps_other_than_in_place(in, out))
            return fail(errc::invalid_argument, "encrypting: input and output overlap without the input starting the output");
        if (*size == 0) return std::size_t{0};
        if (auto r = seal_into(in, out.first(*size), parameters); !r) return r.error();
        return *size;
    }

    /** Verifies, decrypts and unpads `in`. Nothing is allocated before the sizes are checked
        against `max_decoded_bytes`, and no plaintext is returned unless it is authentic.
        @par Errors `errc::invalid_length` for parameters of the wrong size;
        `errc::malformed_input` for keyed data shorter than the tag, or bad padding inside an
        authentic ciphertext (Bonanza's messages); `errc::size_limit_exceeded` when the payload would
        exceed `max_decoded_bytes`; `errc::authentication_failed` when the tag does not
        verify (wrong key, wrong chain or mode, tampered data or parameters).
        @par Security The tag is checked in constant time before the padding is read. */
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) {
        SecureBytes out;
        auto n = open_to(in, parameters, max_decoded_bytes, [&out](std::size_t size) {
            out.resize(size);
            return MutableByteView(out);
        });
        if (!n) return n.error();
        out.resize(*n);
        return out;
    }

    /** `decode` in place: verifies and decrypts `data` over itself and unpads it; returns the
        payload's length, the payload being the first bytes of `data`. The checks, their order
        and the errors are those of `decode`.
        @par Errors those of `decode`. When the tag does not verify, or the padding or size of
        an authentic payload is refused, `data`'s decrypted part is wiped.
        @par Security as for `decode`: nothing but authentic plaintext is left in `data`. */
    [[nodiscard]] result<std::size_t> decode_in_place(MutableByteView data, ByteView parameters,
                                                      std::size_t max_decoded_bytes) {
        return open_to(data, parameters, max_decoded_bytes, [data](std::size_t size) { return data.first(size); });
    }

    /// The most bytes a payload of `n` bytes encodes to.
    [[nodiscard]] static constexpr std::size_t max_encoded_bytes(std::size_t n) noexcept {
        if (n == 0) return 0;
        if (n > detail::max_encrypting_payload) return static_cast<std::size_t>(-1);
        const auto padded = static_cast<std::size_t>(padme_size(n));
        return mode == Mode::keyed ? padded + A::tag_bytes : padded;
    }

    /** Identifies the decoding function (Bonanza's unique decoding key): equal for stages
        with the same AEAD, key, additional data and mode. A hash: it reveals no key bytes. */
    [[nodiscard]] Bytes decoding_key(std::size_t /*max_decoded_bytes*/) const { return to_bytes(key_id_); }

private:
    /// The checks of `encode` that come before any output: the size it will write.
    result<std::size_t> encoded_size(ByteView in, MutableByteView parameters) const {
        if (parameters.size() != decoding_parameters_bytes) return parameters_error(parameters.size());
        if (in.empty()) {
            if constexpr (mode != Mode::keyed) std::fill(parameters.begin(), parameters.end(), Byte{0});
            return std::size_t{0};
        }
        if (in.size() > detail::max_encrypting_payload)
            return fail(errc::size_limit_exceeded,
                        "encrypting: input of " + std::to_string(in.size()) + " bytes is too large");
        return max_encoded_bytes(in.size());
    }

    /// Pads `in` (non-empty, checked by `encoded_size`) into `out` (exactly the encoded size;
    /// `in` is its start or lies elsewhere) and seals it there.
    result<void> seal_into(ByteView in, MutableByteView out, MutableByteView parameters) {
        const auto padded = static_cast<std::size_t>(padme_size(in.size()));
        const MutableByteView text = out.first(padded);
        if constexpr (mode == Mode::keyed) {
            auto nonce = A::Nonce::from(parameters, "keyed nonce");
            if (!nonce) return nonce.error();
            if (auto r = padme_pad(in, text); !r) return r.error();
            if (auto r = context_.seal(*nonce, text, additional_data_, out); !r) {
                wipe(out);
                return r.error();
            }
        } else {
            typename A::Nonce nonce{};
            if constexpr (mode == Mode::randomized) {
                auto fresh = SystemRng{}.generate<typename A::Nonce>();
                if (!fresh) return fresh.error();
                nonce = *fresh;
            }
            if (auto r = padme_pad(in, text); !r) return r.error();
            auto tag = context_.seal_detached(nonce, text, additional_data_, text);
            if (!tag) {
                wipe(out);
                return tag.error();
            }
            auto p = parameters.begin();
            if constexpr (mode == Mode::randomized) p = std::copy(nonce.begin(), nonce.end(), p);
            std::copy(tag->begin(), tag->end(), p);
        }
        return {};
    }

    /** `decode`'s work: the checks, then `output(n)` gives the `n` bytes the ciphertext
        decrypts into (fresh storage, or `in` itself), then the tag is verified and the
        padding removed. Returns the payload's length. */
    template <class Output>
    result<std::size_t> open_to(ByteView in, ByteView parameters, std::size_t max_decoded_bytes, Output&& output) {
        if (parameters.size() != decoding_parameters_bytes) return parameters_error(parameters.size());
        if (in.empty()) return std::size_t{0};
        ByteView ciphertext = in;
        if constexpr (mode == Mode::keyed) {
            if (in.size() < A::tag_bytes)
                return fail(errc::malformed_input, "Encoded data is " + std::to_string(in.size()) +
                                                        " bytes in size, shorter than the " +
                                                        std::to_string(A::tag_bytes) + "-byte tag");
            ciphertext = in.first(in.size() - A::tag_bytes);
        }
        // Only the bound is checked before decrypting: a length that is not a PADMÉ size fails
        // in unpadding, after authentication, with Bonanza's message.
        if (padme_min_payload(ciphertext.size()) > max_decoded_bytes) return too_large(max_decoded_bytes);

        typename A::Nonce nonce{};
        typename A::Tag tag{};
        if constexpr (mode == Mode::keyed) {
            std::copy(parameters.begin(), parameters.end(), nonce.begin());
            std::copy(in.end() - A::tag_bytes, in.end(), tag.begin());
        } else if constexpr (mode == Mode::randomized) {
            std::copy(parameters.begin(), parameters.begin() + A::nonce_bytes, nonce.begin());
            std::copy(parameters.begin() + A::nonce_bytes, parameters.end(), tag.begin());
        } else {
            std::copy(parameters.begin(), parameters.end(), tag.begin());
        }
        const MutableByteView out = output(ciphertext.size());
        if (auto r = context_.open_detached(nonce, ciphertext, tag, additional_data_, out); !r) {
            if (r.error() == errc::authentication_failed)
                return fail(errc::authentication_failed, "Decryption failed: message authentication failed");
            return r.error();
        }
        auto n = padme_unpad(out);
        if (!n || *n > max_decoded_bytes) wipe(out);
        if (!n) return n.error();
        if (*n > max_decoded_bytes) return too_large(max_decoded_bytes);
        return *n;
    }

    static Digest32 make_key_id(const Key& key, const AdditionalData& ad) {
        Sha256 h;
        h.update(as_bytes("sealpipe.encoding.Encrypting"));
        const Byte m = static_cast<Byte>(mode);
        h.update({&m, 1});
        h.update(as_bytes(A::name));
        h.update(key.reveal(hazmat::secret_access()));
        h.update(ad);
        return h.finish();
    }

    static Error parameters_error(std::size_t got) {
        constexpr std::string_view what = mode == Mode::deterministic ? "the tag"
                                          : mode == Mode::keyed       ? "the nonce"
                                                                      : "the nonce and tag";
        return fail(errc::invalid_length, "Decoding parameters are " + std::to_string(got) + " bytes in size, while " +
                                               std::string(what) + (mode == Mode::randomized ? " were" : " was") +
                                               " expected to be " +
                                               std::to_string(decoding_parameters_bytes) + " bytes in size");
    }

    static Error too_large(std::size_t max) {
        return fail(errc::size_limit_exceeded,
                    "encrypting: the payload exceeds the permitted maximum of " + std::to_string(max) + " bytes");
    }

    typename A::Context context_;
    AdditionalData additional_data_;
    Digest32 key_id_;
};

/// Deterministic encryption (zero nonce, tag as decoding parameters): Bonanza's default.
template <class A>
using DeterministicEncrypting = Encrypting<A, Deterministic>;
/// Keyed encryption (the caller's nonce as decoding parameters): Bonanza's tag-store mode.
template <class A>
using KeyedEncrypting = Encrypting<A, Keyed>;
/// Randomized encryption (random nonce; nonce ‖ tag as parameters): an extension.
template <class A>
using RandomizedEncrypting = Encrypting<A, Randomized>;

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_ENCRYPTING_HPP
