// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `BasicPipeline<Mode, Stages...>` and its aliases `Pipeline`, `DeterministicPipeline`,
// `KeyedPipeline`, `RandomizedPipeline`: encoders composed at compile time, with the protocol's
// composition rules checked by the compiler.

#ifndef SEALPIPE_ENCODING_PIPELINE_HPP
#define SEALPIPE_ENCODING_PIPELINE_HPP

#include <sealpipe/aead/concepts.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/encoding/encrypting.hpp>
#include <sealpipe/encoding/in_place.hpp>
#include <sealpipe/error.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/fold_right.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/tuple.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpipe::encoding {

struct DecodingParametersRole;

/// Decoding parameters of a fixed size (the tag, the nonce, or nonce ‖ tag).
template <std::size_t N>
using DecodingParameters = FixedBytes<N, DecodingParametersRole>;

/** The result of encoding in deterministic or randomized mode: the bytes to store and the
    decoding parameters to keep secret. A typed pipeline's parameters have a fixed size
    (`DecodingParameters<N>`); an `AnyPipeline`'s are `Bytes`. */
template <class Parameters = Bytes>
struct Encoded {
    Bytes data;
    Parameters parameters;
};

namespace detail {

/// A pipeline stage written as an AEAD means "encrypt with it in the pipeline's mode".
template <class S, class M>
struct StageFor {
    using type = S;
};
template <class S, class M>
    requires aead::Aead<S>
struct StageFor<S, M> {
    using type = Encrypting<S, M>;
};
/// A stage as written (an AEAD stands for its encrypting stage).
template <class S, class M>
using written_stage_t = typename StageFor<S, M>::type;

/** What stands in for a stage that is not an `Encoder`, once that has been reported: a
    complete, inert `Encoder`, so that the rest of the pipeline compiles without a cascade of
    further errors. */
struct PlaceholderStage {
    static constexpr std::string_view name = "(not an encoder)";
    static constexpr std::size_t decoding_parameters_bytes = 0;
    static constexpr bool compresses = false;
    static constexpr bool encrypts = false;
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr ModeSet modes = ModeSet::all();
    struct Config {};
    PlaceholderStage(const Config&, const StageContext&) noexcept {}
    static void describe(const Config&, Bytes&) {}
    [[nodiscard]] result<Bytes> encode(ByteView, MutableByteView) { return fail(errc::internal, "not an encoder"); }
    [[nodiscard]] result<SecureBytes> decode(ByteView, ByteView, std::size_t) {
        return fail(errc::internal, "not an encoder");
    }
    [[nodiscard]] static std::size_t max_encoded_bytes(std::size_t n) { return n; }
    [[nodiscard]] Bytes decoding_key(std::size_t) const { return {}; }
};

/// The stage a pipeline runs: the written stage, or the placeholder for one that is not an
/// `Encoder` (reported once by `check_stages`).
template <class S, class M>
using stage_t = std::conditional_t<Encoder<written_stage_t<S, M>>, written_stage_t<S, M>, PlaceholderStage>;

/// Reports the first stage, from `I` on, that is not an `Encoder`; true when there is none.
template <std::size_t I, class M, class... Stages>
constexpr bool check_stages() {
    if constexpr (I == sizeof...(Stages)) {
        return true;
    } else {
        using S = written_stage_t<std::tuple_element_t<I, std::tuple<Stages...>>, M>;
        if constexpr (Encoder<S>) return check_stages<I + 1, M, Stages...>();
        else return check_encoder<I, S>();
    }
}

template <Mode>
struct ModeType;
template <>
struct ModeType<Mode::deterministic> {
    using type = Deterministic;
};
template <>
struct ModeType<Mode::keyed> {
    using type = Keyed;
};
template <>
struct ModeType<Mode::randomized> {
    using type = Randomized;
};

/// The mode a stage fixes, if any (encrypting stages written as `Encrypting<A, Mode>`).
template <class S>
constexpr int fixed_mode_of() {
    if constexpr (Encoder<S>) {
        if constexpr (S::modes.fixes_mode())
            for (Mode m : {Mode::deterministic, Mode::keyed, Mode::randomized})
                if (S::modes.contains(m)) return static_cast<int>(m);
    }
    return -1;
}

/// `Pipeline<Stages...>`'s mode: the first mode fixed by a stage, else deterministic.
template <class... Stages>
constexpr Mode deduced_mode() {
    int m = -1;
    ((m = m < 0 ? fixed_mode_of<Stages>() : m), ...);
    return m < 0 ? Mode::deterministic : static_cast<Mode>(m);
}

template <class S>
struct is_encrypting : std::false_type {};
template <class A, class M>
struct is_encrypting<Encrypting<A, M>> : std::true_type {};

template <class S>
constexpr StageProperties properties_or_default() {
    if constexpr (Encoder<S>) return properties_of<S>();
    else return {};
}

/** The properties the composition rules check. An `Encrypting<A, Mode>` checks its AEAD
    against its mode itself (with the same sentence), so the pipeline does not say it twice. */
template <class S>
constexpr StageProperties rule_properties() {
    StageProperties p = properties_or_default<S>();
    if constexpr (is_encrypting<S>::value) p.nonce_misuse_resistant = true;
    return p;
}


} // namespace detail

/** Encoders composed at compile time. `Mode` is `Deterministic`, `Keyed` or `Randomized`; each
    stage models `Encoder`, or is an AEAD policy (`AesGcmSiv<256>`), which stands for
    `Encrypting<A, Mode>`. Encoding applies the stages first to last, decoding last to first
    (Boost.Hana folds over the stages: no virtual calls). Only the last stage sees decoding
    parameters.

    Rules checked at compile time, each with a `sealpipe:` sentence (doc/encoding.md):
    every stage models `Encoder`; only the last stage may yield decoding parameters;
    nothing compresses after encrypting; stages of different modes do not mix; deterministic
    and keyed pipelines encrypt only with a nonce-misuse-resistant AEAD.

    The additional data of an encrypting stage is computed once, at construction, from the
    configurations of the stages before it and the mode, exactly as Bonanza does.
    A pipeline is not thread-safe (AEAD contexts cache per-nonce keys); give each thread one. */
template <class M, class... Stages>
class BasicPipeline {
    static_assert(detail::is_mode_tag_v<M>,
                  "sealpipe: BasicPipeline<Mode, Stages...> requires Mode to be Deterministic, Keyed or Randomized");
    static constexpr bool stages_ok_ = detail::check_stages<0, M, Stages...>();

    static constexpr std::size_t count = sizeof...(Stages);
    static constexpr std::array<StageProperties, count> properties_{
        detail::properties_or_default<detail::stage_t<Stages, M>>()...};
    static constexpr std::array<StageProperties, count> rule_properties_{
        detail::rule_properties<detail::stage_t<Stages, M>>()...};

    // The composition rules, each checked only while the ones before hold: one diagnostic per
    // mistake.
    static constexpr bool rule1_ = !stages_ok_ || detail::rule_compress_after_encrypt(rule_properties_);
    static_assert(rule1_, SEALPIPE_ENCODING_RULE_COMPRESS_AFTER_ENCRYPT);
    static constexpr bool rule2_ = !stages_ok_ || !rule1_ || detail::rule_last_parameters(rule_properties_);
    static_assert(rule2_, SEALPIPE_ENCODING_RULE_LAST_PARAMETERS);
    static constexpr bool rule3_ = !stages_ok_ || !rule1_ || !rule2_ || detail::rule_modes(rule_properties_, M::value);
    static_assert(rule3_, SEALPIPE_ENCODING_RULE_MIXED_MODES);
    static constexpr bool rule4_ =
        !stages_ok_ || !rule1_ || !rule2_ || !rule3_ || detail::rule_nonce_misuse(rule_properties_, M::value, Mode::deterministic);
    static_assert(rule4_, SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR);
    static_assert(!stages_ok_ || !rule1_ || !rule2_ || !rule3_ || !rule4_ ||
                      detail::rule_nonce_misuse(rule_properties_, M::value, Mode::keyed),
                  SEALPIPE_ENCODING_RULE_KEYED_NMR);

    template <std::size_t I>
    using stage_at = std::tuple_element_t<I, std::tuple<detail::stage_t<Stages, M>...>>;

public:
    using mode_type = M;
    /// The stage types, with AEADs replaced by their encrypting stage.
    using stages_type = boost::hana::tuple<detail::stage_t<Stages, M>...>;

    /// The pipeline's mode.
    static constexpr Mode mode = M::value;
    /// Size of the decoding parameters: those of the last stage (0 without stages).
    static constexpr std::size_t decoding_parameters_bytes = [] {
        if constexpr (count == 0) return std::size_t{0};
        else return stage_at<count - 1>::decoding_parameters_bytes;
    }();
    /// True when equal inputs always give equal outputs (every mode but randomized).
    static constexpr bool is_deterministic = (detail::stage_t<Stages, M>::deterministic && ... && true);
    /// True when some stage encrypts.
    static constexpr bool encrypts = (detail::stage_t<Stages, M>::encrypts || ... || false);
    /// The composition rules' view of the stages.
    static constexpr const std::array<StageProperties, count>& properties() noexcept { return properties_; }

    using Parameters = DecodingParameters<decoding_parameters_bytes>;

    /** Builds the stages from one configuration each (`{}` for stages without one; the key
        for an encrypting stage), computing every encrypting stage's additional data. */
    explicit BasicPipeline(const typename detail::stage_t<Stages, M>::Config&... configs)
        : stages_(make_stages(std::index_sequence_for<Stages...>{}, configs...)) {}

    /// A pipeline whose stages need no configuration.
    BasicPipeline()
        requires(count > 0 && (std::default_initializable<typename detail::stage_t<Stages, M>::Config> && ...))
        : BasicPipeline(typename detail::stage_t<Stages, M>::Config{}...) {}

    /** Encodes `in` (deterministic and randomized modes): the bytes to store and the decoding
        parameters. Empty input gives empty output.
        @par Errors those of the stages (e.g. `errc::size_limit_exceeded`).
        @par Security Deterministic output reveals equality of inputs; keep the parameters
        secret (doc/protocol.md, "Encoders": in the parent's encrypted payload). */
    [[nodiscard]] result<Encoded<Parameters>> encode(ByteView in)
        requires(mode != Mode::keyed)
    {
        Encoded<Parameters> out{};
        auto data = run_encode(in, out.parameters.mutable_view());
        if (!data) return data.error();
        out.data = std::move(*data);
        return out;
    }

    /** Encodes `in` in keyed mode under decoding parameters (the nonce) the caller chose:
        `pipeline.encode(in, hazmat::chosen_nonce(parameters))`.
        @par Errors those of the stages.
        @par Security Derive the parameters from a secret; reusing them for different data
        reveals whether the data are equal. */
    [[nodiscard]] result<Bytes> encode(ByteView in, const hazmat::ChosenNonce<Parameters>& parameters)
        requires(mode == Mode::keyed)
    {
        Parameters p = parameters.value();
        return run_encode(in, p.mutable_view());
    }

    /** Decodes `in` with its decoding parameters, last stage first. Every stage is bounded:
        nothing decodes to more than `max_decoded_bytes`, and no stage allocates from a size
        it has not checked.
        @par Errors `errc::authentication_failed` (wrong key, chain, mode, parameters, or
        tampered data); `errc::malformed_input`; `errc::invalid_length` for parameters of
        the wrong size; `errc::size_limit_exceeded`.
        @par Security No plaintext is returned unless it is authentic; intermediate
        plaintext is held in wiping storage. */
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) {
        if constexpr (count == 0) {
            if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
            if (in.size() > max_decoded_bytes) return detail::encoded_too_large(in.size(), max_decoded_bytes);
            return SecureBytes(in.begin(), in.end());
        } else {
            std::array<std::size_t, count + 1> bounds{};
            bounds[0] = max_decoded_bytes;
            fill_bounds(bounds, std::index_sequence_for<Stages...>{});
            if (in.size() > bounds[count]) return detail::encoded_too_large(in.size(), bounds[count]);
            namespace hana = boost::hana;
            return hana::fold_right(
                hana::make_range(hana::size_c<0>, hana::size_c<count>), result<SecureBytes>(SecureBytes{}),
                [&](auto i, result<SecureBytes> acc) -> result<SecureBytes> {
                    constexpr std::size_t index = decltype(i)::value;
                    if (!acc) return acc;
                    auto& stage = hana::at(stages_, i);
                    if constexpr (index + 1 == count) return stage.decode(in, parameters, bounds[index]);
                    else return stage.decode(*acc, ByteView{}, bounds[index]);
                });
        }
    }

    /// `decode` with parameters of the static size.
    [[nodiscard]] result<SecureBytes> decode(ByteView in, const Parameters& parameters, std::size_t max_decoded_bytes) {
        return decode(in, parameters.view(), max_decoded_bytes);
    }

    // --- Into the caller's buffers (doc/encoding.md, "Into the caller's buffers") ---------

    /// True when every stage encodes in place: `encode_into` with the input at the start of
    /// the output uses no other buffer (e.g. `Pipeline<AesGcmSiv<256>>`).
    static constexpr bool encodes_in_place = (EncodesInPlace<detail::stage_t<Stages, M>> && ... && true);
    /// True when every stage decodes in place: `decode_in_place` leaves the result in the data
    /// and never asks for storage.
    static constexpr bool decodes_in_place = (DecodesInPlace<detail::stage_t<Stages, M>> && ... && true);

    /** The most bytes encoding `n` bytes of input writes: the size `encode_into` needs for
        its output (each stage's bound in turn; for the encrypting stage the PADMÉ size, plus
        the tag in keyed mode). Saturates at the largest `std::size_t`. */
    [[nodiscard]] static std::size_t encoded_size_bound(std::size_t n) {
        ((n = detail::stage_encoded_size_bound<detail::stage_t<Stages, M>>(n)), ...);
        return n;
    }

    /** `encode` into `out`, a buffer the caller owns of at least `encoded_size_bound(in.size())`
        bytes: the same bytes and parameters (deterministic and randomized modes), and the
        number of bytes written. `in` may start at `out.data()` (in place: read stdin into the
        buffer that becomes stdout); any other overlap is refused. Stages that can
        (`EncodesInto`, `EncodesInPlace`) write into `out` directly: a compressor from `in`
        into `out`, then the encrypting stage pads and seals there; others go through an
        intermediate buffer as `encode` does.
        @par Errors those of `encode`; `errc::invalid_length` when `out` is too short;
        `errc::invalid_argument` for partly overlapping buffers (both before anything is
        written). On an error from a stage, `out` (the input with it, in place) is wiped.
        @par Security as for `encode`. */
    [[nodiscard]] result<EncodedInto<Parameters>> encode_into(ByteView in, MutableByteView out)
        requires(mode != Mode::keyed)
    {
        EncodedInto<Parameters> r{};
        detail::TypedChain<stages_type> chain(stages_);
        auto n = detail::chain_encode_into(chain, in, out, r.parameters.mutable_view());
        if (!n) return n.error();
        r.size = *n;
        return r;
    }

    /** `encode_into` in keyed mode, under decoding parameters the caller chose.
        @par Errors as for the other overload.
        @par Security as for `encode` (keyed). */
    [[nodiscard]] result<std::size_t> encode_into(ByteView in, MutableByteView out,
                                                  const hazmat::ChosenNonce<Parameters>& parameters)
        requires(mode == Mode::keyed)
    {
        Parameters p = parameters.value();
        detail::TypedChain<stages_type> chain(stages_);
        return detail::chain_encode_into(chain, in, out, p.mutable_view());
    }

    /** `decode` over the caller's buffer: the stages that can (`DecodesInPlace`: the
        encrypting stage) verify and decrypt `data` over itself, and the decoded bytes are
        either the start of `data` (every stage decodes in place) or written into
        `output(n)`, which is called at most once, with the decoded length, and returns
        storage of at least `n` bytes that does not overlap `data` (a compressor decompresses
        into it). Returns a view of the decoded bytes. The same bytes as `decode`, and on any
        input the same errors, checked in the same order.
        @par Errors those of `decode`; `errc::invalid_length` when the storage is too
        short, `errc::invalid_argument` when it overlaps `data`.
        @par Security No plaintext is returned unless it is authentic. `data` is consumed:
        plaintext that the stages left in it is wiped once the result is elsewhere and on an
        error, and storage from `output` is wiped on an error; the result's buffer is the
        caller's to wipe. */
    template <class Output>
        requires std::is_invocable_r_v<MutableByteView, Output&, std::size_t>
    [[nodiscard]] result<MutableByteView> decode_in_place(MutableByteView data, ByteView parameters,
                                                          std::size_t max_decoded_bytes, Output&& output) {
        detail::TypedChain<stages_type> chain(stages_);
        return detail::chain_decode_in_place(chain, data, parameters, max_decoded_bytes, output);
    }

    /// `decode_in_place` for a chain whose stages all decode in place: the result is the
    /// start of `data`.
    [[nodiscard]] result<MutableByteView> decode_in_place(MutableByteView data, ByteView parameters,
                                                          std::size_t max_decoded_bytes)
        requires(decodes_in_place)
    {
        auto no_storage = [](std::size_t) { return MutableByteView{}; };
        return decode_in_place(data, parameters, max_decoded_bytes, no_storage);
    }

    /** Keys identifying the decoding function, last stage first (Bonanza's
        `AppendUniqueDecodingKeys`): equal lists mean equal decoding. */
    [[nodiscard]] std::vector<Bytes> decoding_keys(std::size_t max_decoded_bytes) const {
        std::vector<Bytes> keys;
        keys.reserve(count);
        append_keys(keys, max_decoded_bytes, std::index_sequence_for<Stages...>{});
        return keys;
    }

    /// The stages.
    [[nodiscard]] stages_type& stages() noexcept { return stages_; }
    [[nodiscard]] const stages_type& stages() const noexcept { return stages_; }

private:
    template <std::size_t... I>
    static stages_type make_stages(std::index_sequence<I...>,
                                   const typename detail::stage_t<Stages, M>::Config&... configs) {
        if constexpr (count == 0) {
            return stages_type{};
        } else {
            // prefixes[i]: the `repeated BinaryEncoder` field of the stages before stage i.
            std::array<Bytes, count + 1> prefixes{};
            {
                std::size_t i = 0;
                auto describe = [&](auto* stage, const auto& config) {
                    using S = std::remove_pointer_t<decltype(stage)>;
                    Bytes one;
                    S::describe(config, one);
                    prefixes[i + 1] = prefixes[i];
                    detail::append_additional_encoder(prefixes[i + 1], one);
                    wipe(one);
                    ++i;
                };
                (describe(static_cast<detail::stage_t<Stages, M>*>(nullptr), configs), ...);
            }
            auto configs_tuple = std::forward_as_tuple(configs...);
            stages_type stages(stage_at<I>(std::get<I>(configs_tuple), StageContext{mode, prefixes[I]})...);
            for (auto& p : prefixes) wipe(p);  // may hold keys of earlier stages
            return stages;
        }
    }

    template <std::size_t... I>
    static void fill_bounds(std::array<std::size_t, count + 1>& bounds, std::index_sequence<I...>) {
        ((bounds[I + 1] = stage_at<I>::max_encoded_bytes(bounds[I])), ...);
    }

    template <std::size_t... I>
    void append_keys([[maybe_unused]] std::vector<Bytes>& keys, [[maybe_unused]] std::size_t max,
                     std::index_sequence<I...>) const {
        (keys.push_back(boost::hana::at_c<count - 1 - I>(stages_).decoding_key(max)), ...);
    }

    result<Bytes> run_encode(ByteView in, MutableByteView parameters) {
        if constexpr (count == 0) {
            return to_bytes(in);
        } else {
            namespace hana = boost::hana;
            return hana::fold_left(
                hana::make_range(hana::size_c<0>, hana::size_c<count>), result<Bytes>(Bytes{}),
                [&](result<Bytes> acc, auto i) -> result<Bytes> {
                    constexpr std::size_t index = decltype(i)::value;
                    if (!acc) return acc;
                    auto& stage = hana::at(stages_, i);
                    const ByteView src = index == 0 ? in : ByteView(*acc);
                    const MutableByteView p = index + 1 == count ? parameters : MutableByteView{};
                    auto next = stage.encode(src, p);
                    wipe(*acc);  // an intermediate buffer holds compressed plaintext
                    return next;
                });
        }
    }

    stages_type stages_;
};

/// A pipeline whose mode is fixed by its stages (`Encrypting<A, Keyed>`...) or, when no stage
/// fixes one, deterministic (Bonanza's default): `Pipeline<SimpleLzw, AesGcmSiv<256>>`.
template <class... Stages>
using Pipeline = BasicPipeline<typename detail::ModeType<detail::deduced_mode<Stages...>()>::type, Stages...>;
/// A deterministic pipeline: equal inputs give equal outputs (and reveal that they are equal).
template <class... Stages>
using DeterministicPipeline = BasicPipeline<Deterministic, Stages...>;
/// A keyed pipeline: the caller chooses the decoding parameters.
template <class... Stages>
using KeyedPipeline = BasicPipeline<Keyed, Stages...>;
/// A randomized pipeline (extension, not Bonanza wire-compatible): fresh nonce per object.
template <class... Stages>
using RandomizedPipeline = BasicPipeline<Randomized, Stages...>;

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_PIPELINE_HPP
