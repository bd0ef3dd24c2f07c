// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The encoder laws (sealpipe/testing/encoder_laws.hpp) for every stage alone and for pipelines in
// every mode, with round trips over sizes from 0 to 3 MiB.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <sealpipe/testing/encoder_laws.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

namespace enc = sealpipe::encoding;
namespace laws = sealpipe::testing::encoder_laws;
using sealpipe::aead::AesGcm;
using sealpipe::aead::AesGcmSiv;
using sealpipe::aead::Nonce12;

namespace {

using AllPipelines = boost::mpl::list<
    enc::Pipeline<>,
    enc::DeterministicPipeline<enc::SimpleLzw>,
    enc::DeterministicPipeline<enc::Zstd<1>>,
    enc::DeterministicPipeline<AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::Zstd<3>, AesGcmSiv<128>>,
    enc::KeyedPipeline<AesGcmSiv<128>>,
    enc::KeyedPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::RandomizedPipeline<AesGcm<Nonce12, 128>>,
    enc::RandomizedPipeline<enc::Zstd<1>, AesGcm<Nonce12>>,
    enc::RandomizedPipeline<enc::SimpleLzw, AesGcmSiv<256>>>;

using EncryptingPipelines = boost::mpl::list<
    enc::DeterministicPipeline<AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::Zstd<3>, AesGcmSiv<128>>,
    enc::KeyedPipeline<AesGcmSiv<128>>,
    enc::KeyedPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::RandomizedPipeline<AesGcm<Nonce12, 128>>,
    enc::RandomizedPipeline<enc::Zstd<1>, AesGcm<Nonce12>>>;

} // namespace

BOOST_AUTO_TEST_SUITE(encoder_laws)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip_from_0_to_3_mib, P, AllPipelines) {
    auto p = laws::make_pipeline<P>();
    for (std::size_t n : {0, 1, 2, 3, 11, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 4095, 4096, 4097, 65543})
        for (bool text : {true, false}) laws::round_trip(p, n, text);
    laws::round_trip(p, std::size_t{1} << 20, false);
    laws::round_trip(p, std::size_t{3} << 20, true);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(flipped_bits_fail_authentication, P, EncryptingPipelines) {
    auto p = laws::make_pipeline<P>();
    laws::flipped_bits_fail_authentication(p);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(truncation_is_rejected, P, AllPipelines) {
    if constexpr (P::properties().size() > 0) {
        auto p = laws::make_pipeline<P>();
        laws::truncation_is_rejected(p);
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(oversize_is_rejected, P, AllPipelines) {
    auto p = laws::make_pipeline<P>();
    laws::oversize_is_rejected(p);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(determinism_as_promised, P, AllPipelines) {
    auto p = laws::make_pipeline<P>();
    laws::determinism_as_promised(p);
}

BOOST_AUTO_TEST_SUITE_END()
