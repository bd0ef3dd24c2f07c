// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AnyPipeline: the protobuf-JSON configuration, the run-time composition rules (the same
// sentences as the compile-time ones), and agreement with the typed pipelines.
#include <sealpipe/encoding/any_pipeline.hpp>

#include <support/vectors.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

namespace {

const std::string key32 = base64_encode(test::pattern(32, 11));
const std::string key16 = base64_encode(test::pattern(16, 12));

std::string encrypting(const std::string& key, const std::string& extra = "") {
    return R"({"encrypting": {"encryptionKey": ")" + key + "\"" + extra + "}}";
}

Error error_of(const std::string& json, enc::Mode mode) {
    auto p = enc::AnyPipeline::from_json(json, mode);
    BOOST_TEST_REQUIRE(!p.has_value(), json);
    return p.error();
}

} // namespace

BOOST_AUTO_TEST_SUITE(any_pipeline)

BOOST_AUTO_TEST_CASE(agrees_with_the_typed_pipelines) {
    const std::string json = "[{\"lzwCompressing\": {}}, " + encrypting(key32) + "]";
    auto any = enc::AnyPipeline::from_json(json, enc::Mode::deterministic).value();
    BOOST_TEST(any.decoding_parameters_bytes() == 16u);
    const auto key = aead::AesGcmSiv<256>::Key::from(test::pattern(32, 11)).value();
    enc::DeterministicPipeline<enc::SimpleLzw, aead::AesGcmSiv<256>> typed({}, key);
    const Bytes in = test::pattern(5000, 1);
    auto a = any.encode(in).value();
    auto t = typed.encode(in).value();
    BOOST_TEST((a.data == t.data));
    BOOST_TEST((a.parameters == to_bytes(t.parameters)));
    auto back = any.decode(a.data, a.parameters, in.size()).value();
    BOOST_TEST((Bytes(back.begin(), back.end()) == in));
    BOOST_TEST((any.decoding_keys(100) == typed.decoding_keys(100)));

    // The same chain in keyed mode.
    auto keyed = enc::AnyPipeline::from_json(json, enc::Mode::keyed).value();
    enc::KeyedPipeline<enc::SimpleLzw, aead::AesGcmSiv<256>> typed_keyed({}, key);
    const Bytes nonce = test::pattern(12, 2);
    BOOST_TEST((keyed.encode(in, nonce).value() ==
                typed_keyed.encode(in, enc::DecodingParameters<12>::from(nonce).value()).value()));
    BOOST_TEST((keyed.encode(in).error() == error::invalid_argument));
    BOOST_TEST((any.encode(in, nonce).error() == error::invalid_argument));
    BOOST_TEST((keyed.encode(in, ByteView(nonce).first(3)).error() == error::invalid_length));
}

BOOST_AUTO_TEST_CASE(every_compiled_shape_round_trips) {
    const std::string compressions[] = {"", "{\"lzwCompressing\": {}}", "{\"zstdCompressing\": {\"level\": 1}}",
                                        "{\"zstd_compressing\": {}}"};
    const std::string encryptions[] = {"", encrypting(key16), encrypting(key32), encrypting(key16, R"(, "aead": "AES_GCM")"),
                                       encrypting(key32, R"(, "aead": "AES_GCM_SIV")"),
                                       encrypting(key32, R"(, "aead": "AES_GCM")")};
    const Bytes in = test::pattern(3000, 4);
    std::size_t built = 0;
    for (const auto& c : compressions)
        for (const auto& e : encryptions)
            for (auto mode : {enc::Mode::deterministic, enc::Mode::keyed, enc::Mode::randomized}) {
                std::string json = "[" + c + (c.empty() || e.empty() ? "" : ", ") + e + "]";
                BOOST_TEST_CONTEXT(json << " " << enc::to_string(mode)) {
                    auto p = enc::AnyPipeline::from_json(json, mode);
                    const bool gcm = e.find("\"AES_GCM\"") != std::string::npos;
                    if (gcm && mode != enc::Mode::randomized) {
                        BOOST_TEST_REQUIRE(!p.has_value());
                        BOOST_TEST((p.error() == error::invalid_argument));
                        continue;
                    }
                    BOOST_TEST_REQUIRE(p.has_value(), (p ? std::string() : p.error().message()));
                    ++built;
                    Bytes data, params;
                    if (mode == enc::Mode::keyed) {
                        params = test::pattern(p->decoding_parameters_bytes(), 5);
                        data = p->encode(in, params).value();
                    } else {
                        auto out = p->encode(in).value();
                        data = out.data;
                        params = out.parameters;
                    }
                    BOOST_TEST(params.size() == p->decoding_parameters_bytes());
                    auto back = p->decode(data, params, in.size());
                    BOOST_TEST_REQUIRE(back.has_value());
                    BOOST_TEST((Bytes(back->begin(), back->end()) == in));
                    if (!e.empty()) {
                        data[data.size() / 2] ^= 0x40;
                        BOOST_TEST((p->decode(data, params, in.size()).error() == error::authentication_failed));
                    }
                }
            }
    BOOST_TEST(built == 4u * 3u + 4u * 3u * 3u + 4u * 2u);
}

BOOST_AUTO_TEST_CASE(illegal_chains_are_refused_with_the_rule) {
    using enc::Mode;
    const std::string lzw = "{\"lzwCompressing\": {}}";
    BOOST_TEST(error_of("[" + encrypting(key32) + ", " + lzw + "]", Mode::deterministic).message() ==
               SEALPIPE_ENCODING_RULE_COMPRESS_AFTER_ENCRYPT);
    BOOST_TEST(error_of("[" + encrypting(key32) + ", " + encrypting(key16) + "]", Mode::deterministic).message() ==
               SEALPIPE_ENCODING_RULE_LAST_PARAMETERS);
    BOOST_TEST(error_of("[{\"zstdCompressing\": {}}, " + encrypting(key32, R"(, "aead": "AES_GCM")") + "]",
                        Mode::deterministic)
                   .message() == SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR);
    BOOST_TEST(error_of("[" + encrypting(key32, R"(, "aead": "AES_GCM")") + "]", Mode::keyed).message() ==
               SEALPIPE_ENCODING_RULE_KEYED_NMR);
    auto two = error_of("[" + lzw + ", {\"zstdCompressing\": {}}]", Mode::deterministic);
    BOOST_TEST((two == error::unsupported));
}

BOOST_AUTO_TEST_CASE(configuration_errors) {
    using enc::Mode;
    for (const char* bad : {"", "{}", "[1]", "[{}]", "[{\"lzwCompressing\": {}, \"encrypting\": {}}]",
                            "[{\"gzipCompressing\": {}}]", "[{\"lzwCompressing\": {\"x\": 1}}]",
                            "[{\"lzwCompressing\": []}]", "[{\"zstdCompressing\": {\"level\": 99}}]",
                            "[{\"zstdCompressing\": {\"level\": \"3\"}}]", "[{\"encrypting\": {}}]",
                            "[{\"encrypting\": {\"encryptionKey\": \"***\"}}]",
                            "[{\"encrypting\": {\"encryptionKey\": 5}}]"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST((error_of(bad, Mode::deterministic) == error::malformed_input)); }
    }
    BOOST_TEST((error_of("[" + encrypting(base64_encode(test::pattern(24, 1))) + "]", Mode::deterministic) ==
                error::invalid_key));
    BOOST_TEST((error_of("[" + encrypting(key32, R"(, "aead": "CHACHA")") + "]", Mode::deterministic) ==
                error::malformed_input));
    BOOST_TEST((error_of("[" + encrypting(key32, R"(, "colour": 1)") + "]", Mode::deterministic) ==
                error::malformed_input));
    // Protobuf-JSON spellings: snake_case field names and unpadded or URL-safe base64.
    std::string unpadded = base64_encode(test::pattern(16, 1), Base64Alphabet::url, Base64Padding::unpadded);
    BOOST_TEST(enc::AnyPipeline::from_json(R"([{"encrypting": {"encryption_key": ")" + unpadded + "\"}}]",
                                           Mode::deterministic)
                   .has_value());
    auto empty = enc::AnyPipeline::from_json("[]", Mode::deterministic).value();
    BOOST_TEST(empty.decoding_parameters_bytes() == 0u);
    BOOST_TEST(empty.encode(as_bytes("x")).value().data.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
