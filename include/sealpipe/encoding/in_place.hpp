// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoding into the caller's buffers and in place: what `BasicPipeline` and `AnyPipeline`
// share for `encode_into` and `decode_in_place` (doc/encoding.md, "Into the caller's buffers").
// A chain is seen through an accessor (`TypedChain` here, `AnyChain` in any_pipeline.hpp), so
// that both pipelines run the same steps and give the bytes and errors of `encode` and `decode`.

#ifndef SEALPIPE_ENCODING_IN_PLACE_HPP
#define SEALPIPE_ENCODING_IN_PLACE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/error.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sealpipe::encoding {

/** The result of encoding into the caller's buffer in deterministic or randomized mode: how
    many bytes of the buffer were written, and the decoding parameters to keep secret. */
template <class Parameters = Bytes>
struct EncodedInto {
    std::size_t size = 0;
    Parameters parameters;
};

namespace detail {

// --- One stage, whatever it offers ------------------------------------------------------

/// The most bytes stage `S` writes for `n` bytes of input: `S::encoded_size_bound(n)` when
/// the stage states a tighter bound than `max_encoded_bytes`, which is the decoding bound.
template <class S>
std::size_t stage_encoded_size_bound(std::size_t n) {
    if constexpr (requires {
                      { S::encoded_size_bound(n) } -> std::same_as<std::size_t>;
                  })
        return S::encoded_size_bound(n);
    else return S::max_encoded_bytes(n);
}

/// `encode_into` when the stage has it; else `encode`, copied into `out` (and wiped).
template <class S>
result<std::size_t> stage_encode_into(S& s, ByteView in, MutableByteView out, MutableByteView parameters) {
    if constexpr (EncodesInto<S>) {
        return s.encode_into(in, out, parameters);
    } else {
        auto r = s.encode(in, parameters);
        if (!r) return r.error();
        const std::size_t n = r->size();
        if (n > out.size()) {
            wipe(*r);
            return output_too_short(S::name, n, out.size());
        }
        std::copy(r->begin(), r->end(), out.begin());
        wipe(*r);
        return n;
    }
}

/// `decode_in_place`; only called for stages that have it.
template <class S>
result<std::size_t> stage_decode_in_place([[maybe_unused]] S& s, [[maybe_unused]] MutableByteView data,
                                          [[maybe_unused]] ByteView parameters, [[maybe_unused]] std::size_t max) {
    if constexpr (DecodesInPlace<S>) return s.decode_in_place(data, parameters, max);
    else return fail(errc::internal, std::string(S::name) + ": the stage does not decode in place");
}

/// `decoded_size`; only called for stages that have it.
template <class S>
result<std::size_t> stage_decoded_size([[maybe_unused]] S& s, [[maybe_unused]] ByteView in,
                                       [[maybe_unused]] ByteView parameters, [[maybe_unused]] std::size_t max) {
    if constexpr (DecodesInto<S>) return s.decoded_size(in, parameters, max);
    else return fail(errc::internal, std::string(S::name) + ": the stage does not decode into a buffer");
}

/// `decode_into`; only called for stages that have it.
template <class S>
result<std::size_t> stage_decode_into([[maybe_unused]] S& s, [[maybe_unused]] ByteView in,
                                      [[maybe_unused]] ByteView parameters, [[maybe_unused]] std::size_t max,
                                      [[maybe_unused]] MutableByteView out) {
    if constexpr (DecodesInto<S>) return s.decode_into(in, parameters, max, out);
    else return fail(errc::internal, std::string(S::name) + ": the stage does not decode into a buffer");
}

/** A typed pipeline's stages (a `boost::hana::tuple`) as the chain accessor the shared steps
    below use: stage `i` is reached by a fold over the indices. */
template <class Tuple>
class TypedChain;

template <class... S>
class TypedChain<boost::hana::tuple<S...>> {
public:
    explicit TypedChain(boost::hana::tuple<S...>& stages) noexcept : stages_(stages) {}

    static constexpr std::size_t count = sizeof...(S);
    static constexpr std::array<bool, count> in_place_encoders{EncodesInPlace<S>...};
    static constexpr std::array<bool, count> in_place_decoders{DecodesInPlace<S>...};
    static constexpr std::array<bool, count> into_decoders{DecodesInto<S>...};

    std::size_t size() const noexcept { return count; }
    bool encodes_in_place(std::size_t i) const noexcept { return in_place_encoders[i]; }
    bool decodes_in_place(std::size_t i) const noexcept { return in_place_decoders[i]; }
    bool decodes_into(std::size_t i) const noexcept { return into_decoders[i]; }

    static std::size_t encoded_size_bound(std::size_t i, std::size_t n) {
        static constexpr std::array<std::size_t (*)(std::size_t), count> bounds{&stage_encoded_size_bound<S>...};
        return bounds[i](n);
    }
    static std::size_t max_encoded_bytes(std::size_t i, std::size_t n) {
        static constexpr std::array<std::size_t (*)(std::size_t), count> bounds{&max_encoded_bytes_of<S>...};
        return bounds[i](n);
    }

    result<Bytes> encode(std::size_t i, ByteView in, MutableByteView p) {
        return visit<result<Bytes>>(i, [&](auto& s) { return s.encode(in, p); });
    }
    result<std::size_t> encode_into(std::size_t i, ByteView in, MutableByteView out, MutableByteView p) {
        return visit<result<std::size_t>>(i, [&](auto& s) { return stage_encode_into(s, in, out, p); });
    }
    result<SecureBytes> decode(std::size_t i, ByteView in, ByteView p, std::size_t max) {
        return visit<result<SecureBytes>>(i, [&](auto& s) { return s.decode(in, p, max); });
    }
    result<std::size_t> decode_in_place(std::size_t i, MutableByteView data, ByteView p, std::size_t max) {
        return visit<result<std::size_t>>(i, [&](auto& s) { return stage_decode_in_place(s, data, p, max); });
    }
    result<std::size_t> decoded_size(std::size_t i, ByteView in, ByteView p, std::size_t max) {
        return visit<result<std::size_t>>(i, [&](auto& s) { return stage_decoded_size(s, in, p, max); });
    }
    result<std::size_t> decode_into(std::size_t i, ByteView in, ByteView p, std::size_t max, MutableByteView out) {
        return visit<result<std::size_t>>(i, [&](auto& s) { return stage_decode_into(s, in, p, max, out); });
    }

private:
    template <class T>
    static std::size_t max_encoded_bytes_of(std::size_t n) {
        return T::max_encoded_bytes(n);
    }

    template <class R, class F>
    R visit(std::size_t i, F&& f) {
        return visit_at<R>(i, f, std::index_sequence_for<S...>{});
    }
    template <class R, class F, std::size_t... I>
    R visit_at(std::size_t i, F& f, std::index_sequence<I...>) {
        std::optional<R> out;
        (void)((i == I ? (out.emplace(f(boost::hana::at_c<I>(stages_))), true) : false) || ...);
        if (!out) return fail(errc::internal, "pipeline: no stage " + std::to_string(i));
        return std::move(*out);
    }

    boost::hana::tuple<S...>& stages_;
};

// --- The shared steps ---------------------------------------------------------------------

/// The most bytes encoding `n` bytes through the chain writes (each stage's bound in turn).
template <class Chain>
std::size_t chain_encoded_size_bound(const Chain& chain, std::size_t n) {
    for (std::size_t i = 0; i < chain.size(); ++i) n = chain.encoded_size_bound(i, n);
    return n;
}

/// True when every stage encodes in place (no buffer beyond the caller's is needed).
template <class Chain>
bool chain_encodes_in_place(const Chain& chain) {
    for (std::size_t i = 0; i < chain.size(); ++i)
        if (!chain.encodes_in_place(i)) return false;
    return true;
}

/// True when every stage decodes in place (the decoded bytes stay in the caller's data).
template <class Chain>
bool chain_decodes_in_place(const Chain& chain) {
    for (std::size_t i = 0; i < chain.size(); ++i)
        if (!chain.decodes_in_place(i)) return false;
    return true;
}

/** `encode_into` of both pipelines: `parameters` has the right size (checked by the caller).
    The stages after the last one that cannot encode in place work in `out`; that one writes
    into `out` from its input; the stages before it go through intermediate buffers, as
    `encode` does. In place with a first stage that cannot encode in place, the input is
    copied aside first. On an error, the part of `out` that may hold plaintext is wiped. */
template <class Chain>
result<std::size_t> chain_encode_into(Chain& chain, ByteView in, MutableByteView out, MutableByteView parameters) {
    if (overlaps_other_than_in_place(in, out))
        return fail(errc::invalid_argument, "encode_into: the input and the output overlap without the input "
                                            "starting the output");
    // A bound that saturates means input too large for some stage: that stage says so.
    const std::size_t bound = chain_encoded_size_bound(chain, in.size());
    const bool bounded = bound != std::numeric_limits<std::size_t>::max();
    if (bounded && out.size() < bound) return output_too_short("encode_into", bound, out.size());
    const bool in_place = !in.empty() && in.data() == out.data();
    const std::size_t count = chain.size();
    auto parameters_of = [&](std::size_t i) { return i + 1 == count ? parameters : MutableByteView{}; };
    auto failed = [&](const Error& e) -> result<std::size_t> {
        wipe(out.first(std::min(out.size(), std::max(bound, in_place ? in.size() : 0))));
        return e;
    };

    std::size_t first_in_place = count;
    while (first_in_place > 0 && chain.encodes_in_place(first_in_place - 1)) --first_in_place;
    std::size_t size = 0;
    if (first_in_place == 0) {
        if (out.size() < in.size()) return output_too_short("encode_into", in.size(), out.size());
        if (!in_place) std::copy(in.begin(), in.end(), out.begin());
        size = in.size();
    } else {
        const std::size_t into = first_in_place - 1;  // the stage that writes into `out`
        Bytes held;                                   // intermediate (compressed) plaintext
        ByteView source = in;
        if (in_place && into == 0) {
            held = to_bytes(in);
            source = held;
        }
        for (std::size_t i = 0; i < into; ++i) {
            auto next = chain.encode(i, source, parameters_of(i));
            wipe(held);
            if (!next) return failed(next.error());
            held = std::move(*next);
            source = held;
        }
        auto n = chain.encode_into(into, source, out, parameters_of(into));
        wipe(held);
        if (!n) return failed(n.error());
        size = *n;
    }
    for (std::size_t i = first_in_place; i < count; ++i) {
        auto n = chain.encode_into(i, out.first(size), out, parameters_of(i));
        if (!n) return failed(n.error());
        size = *n;
    }
    return size;
}

/// The error of data longer than anything that decodes within the bound.
inline Error encoded_too_large(std::size_t size, std::size_t max) {
    return fail(errc::size_limit_exceeded, "Encoded data is " + std::to_string(size) +
                                                " bytes in size, more than the permitted maximum allows (" +
                                                std::to_string(max) + " bytes)");
}

/** `decode_in_place` of both pipelines, with the checks of `decode` in the same order. The
    last stages decode in `data` as long as they can; the others go through intermediate
    buffers, as `decode` does, the first stage writing into `output(n)`. Plaintext that
    in-place stages left in `data` is wiped once the result is elsewhere, and on an error. */
template <class Chain, class Output>
result<MutableByteView> chain_decode_in_place(Chain& chain, MutableByteView data, ByteView parameters,
                                              std::size_t max_decoded_bytes, Output& output) {
    const std::size_t count = chain.size();
    if (count == 0) {
        if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
        if (data.size() > max_decoded_bytes) return encoded_too_large(data.size(), max_decoded_bytes);
        return data;
    }
    // bounds[i]: the most stage i may decode to; bounds[count]: the longest input.
    std::vector<std::size_t> bounds(count + 1);
    bounds[0] = max_decoded_bytes;
    for (std::size_t i = 0; i < count; ++i) bounds[i + 1] = chain.max_encoded_bytes(i, bounds[i]);
    if (data.size() > bounds[count]) return encoded_too_large(data.size(), bounds[count]);
    auto parameters_of = [&](std::size_t i) { return i + 1 == count ? parameters : ByteView{}; };

    std::size_t left = count;          // stages 0 .. left-1 still to run
    MutableByteView current = data;    // what in-place stages left in `data`
    while (left > 0 && chain.decodes_in_place(left - 1)) {
        const std::size_t i = --left;
        auto n = chain.decode_in_place(i, current, parameters_of(i), bounds[i]);
        if (!n) {
            if (i + 1 < count) wipe(current);  // plaintext of the stages before (the stage wipes its own)
            return n.error();
        }
        current = current.first(*n);
    }
    if (left == 0) return current;
    const bool plaintext_in_data = left < count;
    auto done = [&]<class T>(T&& r) -> result<MutableByteView> {
        if (plaintext_in_data) wipe(current);
        return std::forward<T>(r);
    };

    SecureBytes held;  // intermediate plaintext, wiped when replaced or released
    ByteView source = current;
    for (std::size_t i = left - 1; i > 0; --i) {
        auto next = chain.decode(i, source, parameters_of(i), bounds[i]);
        if (!next) return done(next.error());
        held = std::move(*next);
        source = held;
    }
    // Stage 0 writes the decoded bytes into the caller's storage.
    if (chain.decodes_into(0)) {
        auto n = chain.decoded_size(0, source, parameters_of(0), bounds[0]);
        if (!n) return done(n.error());
        const MutableByteView target = output(*n);
        if (target.size() < *n) return done(output_too_short("decode_in_place", *n, target.size()));
        if (overlaps(source, target) || overlaps(data, target))
            return done(fail(errc::invalid_argument, "decode_in_place: the output storage overlaps the data"));
        auto written = chain.decode_into(0, source, parameters_of(0), bounds[0], target.first(*n));
        if (!written) return done(written.error());
        return done(target.first(*written));
    }
    auto decoded = chain.decode(0, source, parameters_of(0), bounds[0]);
    if (!decoded) return done(decoded.error());
    const MutableByteView target = output(decoded->size());
    if (target.size() < decoded->size()) return done(output_too_short("decode_in_place", decoded->size(), target.size()));
    if (overlaps(source, target) || overlaps(data, target))
        return done(fail(errc::invalid_argument, "decode_in_place: the output storage overlaps the data"));
    std::copy(decoded->begin(), decoded->end(), target.begin());
    return done(target.first(decoded->size()));
}

} // namespace detail

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_IN_PLACE_HPP
