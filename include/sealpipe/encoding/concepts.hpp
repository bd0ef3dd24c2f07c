// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `Encoder` concept (one stage of an encoding pipeline), split into named parts, the
// encoding modes, and the composition rules that pipelines check at compile and at run time.

#ifndef SEALPIPE_ENCODING_CONCEPTS_HPP
#define SEALPIPE_ENCODING_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace sealpipe::encoding {

/** How a pipeline chooses its decoding parameters. The values are those of Bonanza's
    `bonanza.model.encoding.EncodingMode` (0 and 1); 2 is this project's extension. */
enum class Mode : std::uint8_t {
    /// Output depends only on configuration and input (deduplicates); the encoder returns
    /// the decoding parameters, which must be stored secretly (doc/protocol.md, "Encoders").
    deterministic = 0,
    /// The caller supplies the decoding parameters (e.g. a nonce derived from a secret).
    keyed = 1,
    /// A fresh random nonce per object; parameters = nonce || tag. Not Bonanza-compatible.
    randomized = 2,
};

/// "deterministic", "keyed" or "randomized".
[[nodiscard]] constexpr std::string_view to_string(Mode m) noexcept {
    switch (m) {
    case Mode::deterministic: return "deterministic";
    case Mode::keyed: return "keyed";
    case Mode::randomized: return "randomized";
    }
    return "unknown";
}

/** The mode `to_string` names. @par Errors `errc::invalid_argument` for any other text, naming it. */
[[nodiscard]] inline result<Mode> mode_from_string(std::string_view text) {
    for (Mode m : {Mode::deterministic, Mode::keyed, Mode::randomized})
        if (text == to_string(m)) return m;
    return fail(errc::invalid_argument,
                "expected deterministic, keyed or randomized, got '" + std::string(text) + "'");
}

/// Mode tag types: the mode of a pipeline is part of its type.
struct Deterministic {
    static constexpr Mode value = Mode::deterministic;
};
struct Keyed {
    static constexpr Mode value = Mode::keyed;
};
struct Randomized {
    static constexpr Mode value = Mode::randomized;
};

/// The set of modes a stage may be used in.
struct ModeSet {
    bool deterministic = true;
    bool keyed = true;
    bool randomized = true;

    [[nodiscard]] constexpr bool contains(Mode m) const noexcept {
        return m == Mode::deterministic ? deterministic : m == Mode::keyed ? keyed : randomized;
    }
    /// True when the set holds exactly one mode (the stage fixes the pipeline's mode).
    [[nodiscard]] constexpr bool fixes_mode() const noexcept {
        return int{deterministic} + int{keyed} + int{randomized} == 1;
    }
    [[nodiscard]] static constexpr ModeSet all() noexcept { return {}; }
    [[nodiscard]] static constexpr ModeSet only(Mode m) noexcept {
        return {m == Mode::deterministic, m == Mode::keyed, m == Mode::randomized};
    }
};

/** What a stage needs to know about its place in a pipeline when it is built: the mode, and
    the protobuf encoding of the stages before it (`repeated BinaryEncoder`, field 2 of
    `EncryptingBinaryEncoderAdditionalDataInput`), from which an encrypting stage computes
    its additional data. */
struct StageContext {
    Mode mode = Mode::deterministic;
    ByteView preceding_encoders;
};

/// Adds without wrapping around (bounds of encoded sizes).
[[nodiscard]] constexpr std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

namespace detail {

/// True when `in` and `out` share bytes without `in` starting at `out.data()` (the one
/// overlap that encoding in place allows).
[[nodiscard]] inline bool overlaps_other_than_in_place(ByteView in, MutableByteView out) noexcept {
    if (in.empty() || out.empty()) return false;
    const auto a = reinterpret_cast<std::uintptr_t>(in.data());
    const auto b = reinterpret_cast<std::uintptr_t>(out.data());
    return a != b && a < b + out.size() && b < a + in.size();
}

/// True when `a` and `b` share any byte.
[[nodiscard]] inline bool overlaps(ByteView a, ByteView b) noexcept {
    if (a.empty() || b.empty()) return false;
    const auto x = reinterpret_cast<std::uintptr_t>(a.data());
    const auto y = reinterpret_cast<std::uintptr_t>(b.data());
    return x < y + b.size() && y < x + a.size();
}

/// The error of a caller's output buffer that is too short.
[[nodiscard]] inline Error output_too_short(std::string_view who, std::size_t needed, std::size_t got) {
    return fail(errc::invalid_length, std::string(who) + ": the output has room for " + std::to_string(got) +
                                           " bytes, " + std::to_string(needed) + " are needed");
}

/// Part of `Encoder`: the stage's constants.
template <class S>
concept HasEncoderConstants = requires {
    { S::name } -> std::convertible_to<std::string_view>;
    { S::decoding_parameters_bytes } -> std::convertible_to<std::size_t>;
    { S::compresses } -> std::convertible_to<bool>;
    { S::encrypts } -> std::convertible_to<bool>;
    { S::deterministic } -> std::convertible_to<bool>;
    { S::nonce_misuse_resistant } -> std::convertible_to<bool>;
    { S::modes } -> std::convertible_to<ModeSet>;
};

/// Part of `Encoder`: built from a `Config` and a `StageContext`; describes a `Config` as
/// the protobuf `BinaryEncoder` message.
template <class S>
concept HasConfig = requires(const typename S::Config& c, const StageContext& ctx, Bytes& out) {
    requires std::constructible_from<S, const typename S::Config&, const StageContext&>;
    { S::describe(c, out) } -> std::same_as<void>;
};

/// Part of `Encoder`: `encode(input, parameters)`, parameters sized `decoding_parameters_bytes`.
template <class S>
concept HasEncode = requires(S& s, ByteView in, MutableByteView parameters) {
    { s.encode(in, parameters) } -> std::same_as<result<Bytes>>;
};

/// Part of `Encoder`: `decode(input, parameters, max_decoded_bytes)` into wiping storage.
template <class S>
concept HasDecode = requires(S& s, ByteView in, ByteView parameters, std::size_t max) {
    { s.decode(in, parameters, max) } -> std::same_as<result<SecureBytes>>;
};

/// Part of `Encoder`: size bounds and the decoding key (for caches of decoded objects).
template <class S>
concept HasBoundsAndKey = requires(const S& s, std::size_t n) {
    { S::max_encoded_bytes(n) } -> std::same_as<std::size_t>;
    { s.decoding_key(n) } -> std::same_as<Bytes>;
};

} // namespace detail

/** One stage of an encoding pipeline (doc/concepts/encoder.md has the table of valid expressions):
    constants `name`, `decoding_parameters_bytes`, `compresses`, `encrypts`, `deterministic`,
    `nonce_misuse_resistant`, `modes`; a `Config` with `describe`; `encode`, bounded `decode`,
    `max_encoded_bytes` and `decoding_key`. */
template <class S>
concept Encoder = detail::HasEncoderConstants<S> && detail::HasConfig<S> && detail::HasEncode<S> &&
                  detail::HasDecode<S> && detail::HasBoundsAndKey<S>;

// --- Optional parts: encoding into the caller's buffers ----------------------------------
// A stage may offer these on top of `Encoder`; pipelines use them when present and fall back
// on `encode` / `decode` (and a copy) when not (doc/encoding.md, "Into the caller's buffers").

/** An `Encoder` that encodes into a buffer the caller owns: `s.encode_into(in, out, p)` writes
    what `s.encode(in, p)` returns into `out` (at least `S::max_encoded_bytes(in.size())` bytes)
    and returns its length, as `result<std::size_t>`. */
template <class S>
concept EncodesInto = Encoder<S> && requires(S& s, ByteView in, MutableByteView out, MutableByteView parameters) {
    { s.encode_into(in, out, parameters) } -> std::same_as<result<std::size_t>>;
};

/** An `EncodesInto` stage whose `encode_into` also accepts its input at the start of its
    output (`S::encodes_in_place` is true): it encodes in place. */
template <class S>
concept EncodesInPlace = EncodesInto<S> && requires {
    { S::encodes_in_place } -> std::convertible_to<bool>;
    requires bool(S::encodes_in_place);
};

/** An `Encoder` that decodes in place: `s.decode_in_place(data, p, n)` decodes `data` over
    itself, with the checks and errors of `s.decode(data, p, n)`, and returns the decoded
    length (the decoded bytes start at `data.data()`; never longer than `data`). */
template <class S>
concept DecodesInPlace = Encoder<S> && requires(S& s, MutableByteView data, ByteView parameters, std::size_t n) {
    { s.decode_in_place(data, parameters, n) } -> std::same_as<result<std::size_t>>;
};

/** An `Encoder` that decodes into a buffer the caller owns: `s.decoded_size(in, p, n)` makes
    every check `decode` makes before it writes output and returns the decoded length, and
    `s.decode_into(in, p, n, out)` writes what `decode` returns into `out` (at least that
    long) and returns its length. */
template <class S>
concept DecodesInto = Encoder<S> && requires(S& s, ByteView in, ByteView parameters, std::size_t n, MutableByteView out) {
    { s.decoded_size(in, parameters, n) } -> std::same_as<result<std::size_t>>;
    { s.decode_into(in, parameters, n, out) } -> std::same_as<result<std::size_t>>;
};

namespace detail {

template <class...>
inline constexpr bool always_false_v = false;

/** Asserts the first part of `Encoder` that `S`, the stage at `StageIndex` of a pipeline,
    lacks: one diagnostic per mistake, naming the part (the compiler's "required from" line
    gives `StageIndex`). True when `S` is an `Encoder`. */
template <std::size_t StageIndex, class S>
constexpr bool check_encoder() {
    if constexpr (Encoder<S>) {
        return true;
    } else if constexpr (!HasEncoderConstants<S>) {
        static_assert(always_false_v<S>,
                      "sealpipe: Pipeline<Stages...>: the stage at StageIndex is not an Encoder (nor an Aead): it needs "
                      "the constants name, decoding_parameters_bytes, compresses, encrypts, deterministic, "
                      "nonce_misuse_resistant and modes");
        return false;
    } else if constexpr (!HasConfig<S>) {
        static_assert(always_false_v<S>,
                      "sealpipe: Pipeline<Stages...>: the stage at StageIndex is not an Encoder: it needs a Config, a "
                      "constructor S(const Config&, const StageContext&) and static void describe(const Config&, Bytes&)");
        return false;
    } else if constexpr (!HasEncode<S>) {
        static_assert(always_false_v<S>, "sealpipe: Pipeline<Stages...>: the stage at StageIndex is not an Encoder: "
                                         "it needs result<Bytes> encode(ByteView, MutableByteView)");
        return false;
    } else if constexpr (!HasDecode<S>) {
        static_assert(always_false_v<S>, "sealpipe: Pipeline<Stages...>: the stage at StageIndex is not an Encoder: "
                                         "it needs result<SecureBytes> decode(ByteView, ByteView, std::size_t)");
        return false;
    } else {
        static_assert(always_false_v<S>,
                      "sealpipe: Pipeline<Stages...>: the stage at StageIndex is not an Encoder: it needs static "
                      "std::size_t max_encoded_bytes(std::size_t) and Bytes decoding_key(std::size_t) const");
        return false;
    }
}

} // namespace detail

// --- Composition rules ------------------------------------------------------------------
// The same sentences are used by `static_assert` in `BasicPipeline` and by the run-time
// check of `AnyPipeline`, so that a chain is refused with the same words either way.

#define SEALPIPE_ENCODING_RULE_EVERY_STAGE \
    "sealpipe: Pipeline<Stages...> requires every stage to model sealpipe::encoding::Encoder or sealpipe::aead::Aead (doc/concepts/encoder.md)"
#define SEALPIPE_ENCODING_RULE_LAST_PARAMETERS \
    "sealpipe: Pipeline<Stages...>: only the last stage may yield decoding parameters"
#define SEALPIPE_ENCODING_RULE_COMPRESS_AFTER_ENCRYPT \
    "sealpipe: Pipeline<Stages...>: compressing after encrypting is rejected (ciphertext does not compress); compress first"
#define SEALPIPE_ENCODING_RULE_MIXED_MODES \
    "sealpipe: Pipeline<Stages...>: stages of different modes cannot be mixed (deterministic, keyed and randomized stages are separate types)"
#define SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR \
    "sealpipe: a deterministic pipeline may only encrypt with a nonce-misuse-resistant AEAD (AesGcmSiv); AesGcm is only allowed in a RandomizedPipeline"
#define SEALPIPE_ENCODING_RULE_KEYED_NMR \
    "sealpipe: a keyed pipeline may only encrypt with a nonce-misuse-resistant AEAD (AesGcmSiv); AesGcm is only allowed in a RandomizedPipeline"

/// What the composition rules need to know about a stage.
struct StageProperties {
    std::string_view name;
    std::size_t decoding_parameters_bytes = 0;
    bool compresses = false;
    bool encrypts = false;
    bool nonce_misuse_resistant = true;
    ModeSet modes{};
};

/// The properties of an `Encoder` type.
template <Encoder S>
[[nodiscard]] constexpr StageProperties properties_of() noexcept {
    return {S::name, S::decoding_parameters_bytes, S::compresses, S::encrypts, S::nonce_misuse_resistant, S::modes};
}

/// A broken composition rule.
enum class Rule : std::uint8_t {
    none = 0,
    last_parameters,
    compress_after_encrypt,
    mixed_modes,
    deterministic_needs_nonce_misuse_resistance,
    keyed_needs_nonce_misuse_resistance,
};

namespace detail {

constexpr bool rule_last_parameters(std::span<const StageProperties> s) noexcept {
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        if (s[i].decoding_parameters_bytes != 0) return false;
    return true;
}
constexpr bool rule_compress_after_encrypt(std::span<const StageProperties> s) noexcept {
    bool encrypted = false;
    for (const auto& p : s) {
        if (encrypted && p.compresses) return false;
        encrypted = encrypted || p.encrypts;
    }
    return true;
}
constexpr bool rule_modes(std::span<const StageProperties> s, Mode m) noexcept {
    for (const auto& p : s)
        if (!p.modes.contains(m)) return false;
    return true;
}
constexpr bool rule_nonce_misuse(std::span<const StageProperties> s, Mode m, Mode checked) noexcept {
    if (m != checked) return true;
    for (const auto& p : s)
        if (p.encrypts && !p.nonce_misuse_resistant) return false;
    return true;
}

} // namespace detail

/// The first composition rule that the chain `stages` breaks in mode `m`, or `Rule::none`.
[[nodiscard]] constexpr Rule check_composition(std::span<const StageProperties> stages, Mode m) noexcept {
    if (!detail::rule_compress_after_encrypt(stages)) return Rule::compress_after_encrypt;
    if (!detail::rule_last_parameters(stages)) return Rule::last_parameters;
    if (!detail::rule_modes(stages, m)) return Rule::mixed_modes;
    if (!detail::rule_nonce_misuse(stages, m, Mode::deterministic)) return Rule::deterministic_needs_nonce_misuse_resistance;
    if (!detail::rule_nonce_misuse(stages, m, Mode::keyed)) return Rule::keyed_needs_nonce_misuse_resistance;
    return Rule::none;
}

/// The sentence for a broken rule (the same text as the compile-time diagnostic).
[[nodiscard]] constexpr std::string_view to_string(Rule r) noexcept {
    switch (r) {
    case Rule::none: return "sealpipe: the chain is valid";
    case Rule::last_parameters: return SEALPIPE_ENCODING_RULE_LAST_PARAMETERS;
    case Rule::compress_after_encrypt: return SEALPIPE_ENCODING_RULE_COMPRESS_AFTER_ENCRYPT;
    case Rule::mixed_modes: return SEALPIPE_ENCODING_RULE_MIXED_MODES;
    case Rule::deterministic_needs_nonce_misuse_resistance: return SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR;
    case Rule::keyed_needs_nonce_misuse_resistance: return SEALPIPE_ENCODING_RULE_KEYED_NMR;
    }
    return "sealpipe: unknown rule";
}

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_CONCEPTS_HPP
