// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The laws every encoding pipeline obeys: round trip, empty stays empty, tampering is rejected,
// truncation is rejected, the size limit holds, determinism as the mode promises. Each law is a
// function template over a pipeline; SEALPIPE_TESTING_ENCODER_LAWS registers them all as
// Boost.Test cases for a list of pipeline types (doc/testing.md, "The testing kit").

#ifndef SEALPIPE_TESTING_ENCODER_LAWS_HPP
#define SEALPIPE_TESTING_ENCODER_LAWS_HPP

#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/testing/objects.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <string>
#include <utility>

namespace sealpipe::testing::encoder_laws {

namespace enc = sealpipe::encoding;

/// A fixed test configuration per stage: a pattern key for encrypting stages.
template <class S>
typename S::Config test_config() {
    if constexpr (S::encrypts) return S::Key::from(pattern(S::Key::size(), 77)).value();
    else return typename S::Config{};
}

template <class P, class Stages>
struct Maker;
template <class P, class... S>
struct Maker<P, boost::hana::tuple<S...>> {
    static P make() { return P(test_config<S>()...); }
};

/// The pipeline `P` with test keys.
template <class P>
P make_pipeline() {
    return Maker<P, typename P::stages_type>::make();
}

/// Encoded bytes and parameters, whatever the mode (keyed mode uses a fixed nonce).
struct Sealed {
    Bytes data;
    Bytes parameters;
};

template <class P>
result<Sealed> encode(P& p, ByteView in) {
    if constexpr (P::mode == enc::Mode::keyed) {
        const auto params = P::Parameters::from(pattern(P::decoding_parameters_bytes, 5)).value();
        auto out = p.encode(in, hazmat::chosen_nonce(params));
        if (!out) return out.error();
        return Sealed{std::move(*out), to_bytes(params)};
    } else {
        auto out = p.encode(in);
        if (!out) return out.error();
        return Sealed{std::move(out->data), to_bytes(out->parameters)};
    }
}

/// Text-like data (compresses) or pseudo-random data (does not).
inline Bytes sample(std::size_t n, bool text) {
    if (!text) return pattern(n, static_cast<std::uint32_t>(n) + 3);
    static const std::string words = "the quick brown fox jumps over the lazy dog; sealed objects for untrusted storage. ";
    Bytes b(n);
    const Bytes noise = pattern(n, 9);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<Byte>(words[(i * 7 + (i / 97)) % words.size()] ^ (noise[i] & 0x01));
    return b;
}

template <class P>
void round_trip(P& p, std::size_t n, bool text) {
    BOOST_TEST_CONTEXT("size " << n << (text ? " text" : " random")) {
        const Bytes in = sample(n, text);
        auto sealed = encode(p, in);
        BOOST_TEST_REQUIRE(sealed.has_value());
        BOOST_TEST(sealed->parameters.size() == P::decoding_parameters_bytes);
        if (n == 0) BOOST_TEST(sealed->data.empty());
        auto out = p.decode(sealed->data, sealed->parameters, n);
        BOOST_TEST_REQUIRE(out.has_value(), (out ? std::string() : out.error().message()));
        BOOST_TEST((Bytes(out->begin(), out->end()) == in));
    }
}

/// Every bit of the output and of the parameters is authenticated.
template <class P>
void flipped_bits_fail_authentication(P& p) {
    const Bytes in = sample(40, true);
    auto sealed = encode(p, in).value();
    for (std::size_t bit = 0; bit < sealed.data.size() * 8; ++bit) {
        Bytes d = sealed.data;
        d[bit / 8] ^= static_cast<Byte>(1u << (bit % 8));
        auto r = p.decode(d, sealed.parameters, 1000);
        BOOST_TEST_REQUIRE(!r.has_value(), "data bit " << bit);
        BOOST_TEST((r.error() == errc::authentication_failed), "data bit " << bit << ": " << r.error().message());
    }
    for (std::size_t bit = 0; bit < sealed.parameters.size() * 8; ++bit) {
        Bytes q = sealed.parameters;
        q[bit / 8] ^= static_cast<Byte>(1u << (bit % 8));
        auto r = p.decode(sealed.data, q, 1000);
        BOOST_TEST_REQUIRE(!r.has_value(), "parameter bit " << bit);
        BOOST_TEST((r.error() == errc::authentication_failed), "parameter bit " << bit << ": " << r.error().message());
    }
}

/// Shortened data never decodes: malformed, or (when the shorter length is plausible)
/// not authentic.
template <class P>
void truncation_is_rejected(P& p) {
    const Bytes in = sample(3000, true);
    auto sealed = encode(p, in).value();
    for (std::size_t n = 1; n < sealed.data.size(); n += (n < 64 ? 1 : 61)) {
        auto r = p.decode(ByteView(sealed.data).first(n), sealed.parameters, in.size());
        BOOST_TEST_REQUIRE(!r.has_value(), "truncated to " << n);
        if constexpr (P::encrypts)
            BOOST_TEST((r.error() == errc::malformed_input || r.error() == errc::authentication_failed),
                       "truncated to " << n << ": " << r.error().message());
        else BOOST_TEST((r.error() == errc::malformed_input), "truncated to " << n << ": " << r.error().message());
    }
    if constexpr (P::decoding_parameters_bytes > 0) {
        auto r = p.decode(sealed.data, ByteView(sealed.parameters).first(P::decoding_parameters_bytes - 1), in.size());
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error() == errc::invalid_length), r.error().message());
    }
}

/// Data that decodes to more than the maximum is refused, for both kinds of data.
template <class P>
void oversize_is_rejected(P& p) {
    for (bool text : {true, false})
        for (std::size_t n : {std::size_t{1}, std::size_t{100}, std::size_t{5000}}) {
            const Bytes in = sample(n, text);
            auto sealed = encode(p, in).value();
            auto r = p.decode(sealed.data, sealed.parameters, n - 1);
            BOOST_TEST_REQUIRE(!r.has_value(), "size " << n);
            BOOST_TEST((r.error() == errc::size_limit_exceeded), "size " << n << ": " << r.error().message());
            BOOST_TEST(p.decode(sealed.data, sealed.parameters, n).has_value());
        }
}

/// Deterministic pipelines give equal output for equal input; randomized ones never do.
template <class P>
void determinism_as_promised(P& p) {
    const Bytes in = sample(500, true);
    auto a = encode(p, in).value();
    auto b = encode(p, in).value();
    if constexpr (P::is_deterministic) {
        BOOST_TEST((a.data == b.data));
        BOOST_TEST((a.parameters == b.parameters));
    } else {
        BOOST_TEST((a.data != b.data));
        BOOST_TEST((a.parameters != b.parameters));
    }
}

/// Every law that applies to `P`, with round trips from 0 bytes to 1 MiB.
template <class P>
void all(P& p) {
    for (std::size_t n : {0, 1, 15, 16, 17, 255, 4096, 65543})
        for (bool text : {true, false}) round_trip(p, n, text);
    round_trip(p, std::size_t{1} << 20, false);
    if constexpr (P::encrypts) flipped_bits_fail_authentication(p);
    if constexpr (P::properties().size() > 0) truncation_is_rejected(p);
    oversize_is_rejected(p);
    determinism_as_promised(p);
}

} // namespace sealpipe::testing::encoder_laws

/** Registers, in the Boost.Test suite `suite`, one case template that runs every encoder law on
    each pipeline type of `pipelines` (a type alias of a `boost::mpl::list`), each built with
    fixed test keys (`make_pipeline`). */
#define SEALPIPE_TESTING_ENCODER_LAWS(suite, pipelines)                                  \
    BOOST_AUTO_TEST_SUITE(suite)                                                         \
    BOOST_AUTO_TEST_CASE_TEMPLATE(obeys_the_encoder_laws, P, pipelines) {                \
        auto pipeline = ::sealpipe::testing::encoder_laws::make_pipeline<P>();           \
        ::sealpipe::testing::encoder_laws::all(pipeline);                                \
    }                                                                                    \
    BOOST_AUTO_TEST_SUITE_END()

#endif // SEALPIPE_TESTING_ENCODER_LAWS_HPP
