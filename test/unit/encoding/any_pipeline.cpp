// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AnyPipeline: the protobuf-JSON configuration, the run-time composition rules (the same
// sentences as the compile-time ones), every chain of up to four stages against an
// independent computation of Bonanza's bytes, and agreement with the typed pipelines.
#include <sealpipe/encoding/any_pipeline.hpp>

#include <sealpipe/testing/objects.hpp>
#include <support/vectors.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

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

// --- Every chain of up to four stages -------------------------------------------------
// A chain is a string over 'l' (lzwCompressing), 'z' (zstdCompressing, level 1) and 'e'
// (encrypting, AES-256-GCM-SIV).

using Siv = aead::AesGcmSiv<256>;
const Bytes siv_key = test::pattern(32, 11);

std::string json_of(std::string_view chain) {
    std::string json = "[";
    for (char c : chain) {
        if (json.size() > 1) json += ", ";
        json += c == 'l' ? R"({"lzwCompressing": {}})" : c == 'z' ? R"({"zstdCompressing": {"level": 1}})" : encrypting(key32);
    }
    return json + "]";
}

std::vector<std::string> every_chain(std::size_t max_length) {
    std::vector<std::string> out{""};
    for (std::size_t begin = 0, n = 1; n <= max_length; ++n) {
        const std::size_t end = out.size();
        for (std::size_t i = begin; i < end; ++i)
            for (char c : {'l', 'z', 'e'}) out.push_back(out[i] + c);
        begin = end;
    }
    return out;
}

/// The rule a chain breaks: only the last stage may encrypt (it yields parameters), and
/// nothing compresses after it.
std::optional<enc::Rule> broken_rule(std::string_view chain) {
    const auto first = chain.find('e');
    if (first == std::string_view::npos || first + 1 == chain.size()) return std::nullopt;
    if (chain.find_first_of("lz", first) != std::string_view::npos) return enc::Rule::compress_after_encrypt;
    return enc::Rule::last_parameters;
}

/** The additional data (doc/encoding.md) written out by hand: of an encrypting stage is SHA-256 of
    `EncryptingBinaryEncoderAdditionalDataInput { encoding_mode = 1; repeated BinaryEncoder
    additional_encoders = 2 }` over every encoder before it: `12 02 0a 00` for
    lzwCompressing, `12 05 c2 3e 02 08 01` for zstdCompressing (extension field 1000, level 1). */
enc::AdditionalData additional_data_by_hand(std::string_view before, enc::Mode mode) {
    std::string message = mode == enc::Mode::deterministic ? "" : mode == enc::Mode::keyed ? "0801" : "0802";
    for (char c : before) message += c == 'l' ? "12020a00" : "1205c23e020801";
    return sha256(test::unhex(message));
}

/// The chain's stages, built one by one, each with its additional data by hand.
template <class M>
struct ByHand {
    std::string chain;
    enc::SimpleLzw lzw;
    enc::Zstd<1> zstd;
    std::optional<enc::Encrypting<Siv, M>> encrypting;

    explicit ByHand(std::string_view c) : chain(c) {
        if (!chain.empty() && chain.back() == 'e')
            encrypting.emplace(Siv::Key::from(siv_key).value(),
                               additional_data_by_hand(std::string_view(chain).substr(0, chain.size() - 1), M::value));
    }
    Bytes encode(ByteView in, MutableByteView parameters) {
        Bytes data = to_bytes(in);
        for (char c : chain)
            data = c == 'l' ? lzw.encode(data, {}).value()
                 : c == 'z' ? zstd.encode(data, {}).value()
                            : encrypting->encode(data, parameters).value();
        return data;
    }
    Bytes decode(ByteView in, ByteView parameters) {
        SecureBytes data(in.begin(), in.end());
        for (auto c = chain.rbegin(); c != chain.rend(); ++c)
            data = *c == 'l' ? lzw.decode(data, {}, 1 << 20).value()
                 : *c == 'z' ? zstd.decode(data, {}, 1 << 20).value()
                             : encrypting->decode(data, parameters, 1 << 20).value();
        return Bytes(data.begin(), data.end());
    }
};

template <class M>
void check_chain(const std::string& chain, const Bytes& in) {
    constexpr enc::Mode mode = M::value;
    auto any = enc::AnyPipeline::from_json(json_of(chain), mode);
    if (const auto rule = broken_rule(chain)) {
        BOOST_TEST_REQUIRE(!any.has_value());
        BOOST_TEST(any.error().message() == enc::to_string(*rule));
        return;
    }
    BOOST_TEST_REQUIRE(any.has_value(), (any ? std::string() : any.error().message()));
    BOOST_TEST(any->size() == chain.size());
    const bool encrypts = !chain.empty() && chain.back() == 'e';
    BOOST_TEST(any->decoding_parameters_bytes() == (encrypts ? enc::detail::encrypting_parameters_bytes<Siv>(mode) : 0u));
    ByHand<M> by_hand(chain);
    Bytes data, parameters;
    if constexpr (mode == enc::Mode::keyed) {
        parameters = test::pattern(any->decoding_parameters_bytes(), 5);
        data = any->encode(in, hazmat::chosen_nonce(ByteView(parameters))).value();
    } else {
        auto out = any->encode(in).value();
        data = out.data;
        parameters = out.parameters;
    }
    // Bonanza's bytes (randomized mode draws its nonce: the hand-built stages decode it).
    if constexpr (mode != enc::Mode::randomized) {
        Bytes expected_parameters = mode == enc::Mode::keyed ? parameters : Bytes(parameters.size());
        BOOST_TEST((data == by_hand.encode(in, expected_parameters)));
        if constexpr (mode == enc::Mode::deterministic) BOOST_TEST((parameters == expected_parameters));
    }
    BOOST_TEST((by_hand.decode(data, parameters) == in));
    auto back = any->decode(data, parameters, in.size());
    BOOST_TEST_REQUIRE(back.has_value(), (back ? std::string() : back.error().message()));
    BOOST_TEST((Bytes(back->begin(), back->end()) == in));
    BOOST_TEST(any->decoding_keys(in.size()).size() == chain.size());
    if (encrypts) {
        data[data.size() / 2] ^= 0x40;
        BOOST_TEST((any->decode(data, parameters, in.size()).error() == errc::authentication_failed));
    }
}

// --- The typed pipelines with the same stages ---------------------------------------------

namespace mp = boost::mp11;
using Compressors = mp::mp_list<enc::SimpleLzw, enc::Zstd<enc::dynamic_level>>;
template <class L>
using longer = mp::mp_product<mp::mp_push_back, L, Compressors>;
using Length0 = mp::mp_list<mp::mp_list<>>;
using Length1 = longer<Length0>;
using Length2 = longer<Length1>;
using Length3 = longer<Length2>;
using Length4 = longer<Length3>;
template <class L>
using then_encrypt = mp::mp_push_back<L, Siv>;
/// Every legal chain of up to four stages over SimpleLzw, Zstd and AES-256-GCM-SIV (46).
using TypedChains = mp::mp_append<Length0, Length1, Length2, Length3, Length4,
                                  mp::mp_transform<then_encrypt, mp::mp_append<Length0, Length1, Length2, Length3>>>;
static_assert(mp::mp_size<TypedChains>::value == 46);

template <class S>
char letter() {
    if constexpr (std::is_same_v<S, enc::SimpleLzw>) return 'l';
    else if constexpr (std::is_same_v<S, Siv>) return 'e';
    else return 'z';
}
template <class S>
auto config() {
    if constexpr (std::is_same_v<S, enc::SimpleLzw>) return enc::SimpleLzw::Config{};
    else if constexpr (std::is_same_v<S, Siv>) return Siv::Key::from(siv_key).value();
    else return typename S::Config{1};
}

template <class M, class... S>
void check_typed(mp::mp_list<S...>, const Bytes& in) {
    const std::string chain{letter<S>()...};
    BOOST_TEST_CONTEXT(json_of(chain) << " " << enc::to_string(M::value)) {
        enc::BasicPipeline<M, S...> typed(config<S>()...);
        auto any = enc::AnyPipeline::from_json(json_of(chain), M::value).value();
        BOOST_TEST(any.decoding_parameters_bytes() == typed.decoding_parameters_bytes);
        BOOST_TEST((any.decoding_keys(in.size()) == typed.decoding_keys(in.size())));
        if constexpr (M::value == enc::Mode::keyed) {
            const auto nonce = test::pattern(typed.decoding_parameters_bytes, 9);
            const Bytes data = any.encode(in, hazmat::chosen_nonce(ByteView(nonce))).value();
            BOOST_TEST((data == typed.encode(in, hazmat::chosen_nonce(decltype(typed)::Parameters::from(nonce).value())).value()));
        } else {
            auto a = any.encode(in).value();
            auto t = typed.encode(in).value();
            if constexpr (M::value == enc::Mode::deterministic) {
                BOOST_TEST((a.data == t.data));
                BOOST_TEST((a.parameters == to_bytes(t.parameters)));
            }
            // Each decodes the other's output.
            auto a_by_t = typed.decode(a.data, a.parameters, in.size());
            auto t_by_a = any.decode(t.data, t.parameters.view(), in.size());
            BOOST_TEST_REQUIRE((a_by_t.has_value() && t_by_a.has_value()));
            BOOST_TEST((Bytes(a_by_t->begin(), a_by_t->end()) == in));
            BOOST_TEST((Bytes(t_by_a->begin(), t_by_a->end()) == in));
        }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(any_pipeline)

BOOST_AUTO_TEST_CASE(every_chain_of_up_to_four_stages_gives_bonanzas_bytes) {
    const auto chains = every_chain(4);
    BOOST_TEST(chains.size() == 1u + 3u + 9u + 27u + 81u);
    const Bytes in = test::pattern(2000, 3);
    std::size_t legal = 0;
    for (const auto& chain : chains) {
        BOOST_TEST_CONTEXT(json_of(chain)) {
            check_chain<enc::Deterministic>(chain, in);
            check_chain<enc::Keyed>(chain, in);
            check_chain<enc::Randomized>(chain, in);
            legal += broken_rule(chain) ? 0 : 1;
        }
    }
    // Compressors in any order and number, then at most one encrypting stage: 2^n + 2^(n-1)
    // chains of each length n >= 1, the same 46 as the typed chains below.
    BOOST_TEST(legal == 46u);
}

BOOST_AUTO_TEST_CASE(agrees_with_the_typed_pipelines_for_every_chain) {
    const Bytes in = test::pattern(3000, 7);
    mp::mp_for_each<TypedChains>([&](auto chain) {
        check_typed<enc::Deterministic>(chain, in);
        check_typed<enc::Keyed>(chain, in);
        check_typed<enc::Randomized>(chain, in);
    });
}

BOOST_AUTO_TEST_CASE(two_compressors_then_encryption_additional_data) {
    // Bonanza's [lzwCompressing, lzwCompressing, encrypting]: the additional data is
    // SHA-256(12 02 0a 00 12 02 0a 00), and the stored bytes are the second LZW pass of the
    // first, padded and encrypted under it with the zero nonce.
    auto any = enc::AnyPipeline::from_json(json_of("lle"), enc::Mode::deterministic).value();
    const Bytes in = to_bytes(as_bytes("abababababababababababababababababababab"));
    auto out = any.encode(in).value();
    const Bytes once = codec::simple_lzw::compress(in);
    const Bytes twice = codec::simple_lzw::compress(once);
    enc::DeterministicEncrypting<Siv> last(Siv::Key::from(siv_key).value(),
                                           sha256(test::unhex(std::string_view("12020a0012020a00"))));
    auto opened = last.decode(out.data, out.parameters, 1 << 10).value();
    BOOST_TEST((Bytes(opened.begin(), opened.end()) == twice));
}


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
    BOOST_TEST((keyed.encode(in, hazmat::chosen_nonce(ByteView(nonce))).value() ==
                typed_keyed.encode(in, hazmat::chosen_nonce(enc::DecodingParameters<12>::from(nonce).value())).value()));
    BOOST_TEST((keyed.encode(in).error() == errc::invalid_argument));
    BOOST_TEST((any.encode(in, hazmat::chosen_nonce(ByteView(nonce))).error() == errc::invalid_argument));
    BOOST_TEST((keyed.encode(in, hazmat::chosen_nonce(ByteView(nonce).first(3))).error() == errc::invalid_length));
}

BOOST_AUTO_TEST_CASE(every_stage_kind_round_trips) {
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
                        BOOST_TEST((p.error() == errc::invalid_argument));
                        continue;
                    }
                    BOOST_TEST_REQUIRE(p.has_value(), (p ? std::string() : p.error().message()));
                    ++built;
                    Bytes data, params;
                    if (mode == enc::Mode::keyed) {
                        params = test::pattern(p->decoding_parameters_bytes(), 5);
                        data = p->encode(in, hazmat::chosen_nonce(ByteView(params))).value();
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
                        BOOST_TEST((p->decode(data, params, in.size()).error() == errc::authentication_failed));
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
    // Two compressors are a valid chain (the last stage is the only one with parameters).
    BOOST_TEST(enc::AnyPipeline::from_json("[" + lzw + ", {\"zstdCompressing\": {}}, " + lzw + "]", Mode::keyed)
                   .has_value());
}

BOOST_AUTO_TEST_CASE(lzw_decides_by_the_declared_size) {
    // Six literals take 8 bytes, one more than the encoder writes for 6: valid at a limit of 6.
    const Bytes literals = test::unhex(std::string_view("8641428610296204"));
    auto lzw = enc::AnyPipeline::from_json(json_of("l"), enc::Mode::deterministic).value();
    auto out = lzw.decode(literals, ByteView{}, 6);
    BOOST_TEST_REQUIRE(out.has_value(), (out ? "" : out.error().message()));
    BOOST_TEST(hex_encode(*out) == "414243444546");
    auto twice = enc::AnyPipeline::from_json(json_of("ll"), enc::Mode::deterministic).value();
    const Bytes outer = codec::simple_lzw::compress_without_fallback(literals).value();
    BOOST_TEST(hex_encode(twice.decode(outer, ByteView{}, 6).value()) == "414243444546");
}

BOOST_AUTO_TEST_CASE(format_encoders_is_what_parse_encoders_reads) {
    const std::string zstd = R"({"zstdCompressing": {"level": -5}})";
    for (const std::string& json :
         {std::string("[]"), json_of("l"), json_of("lle"), "[" + zstd + ", " + encrypting(key16) + "]",
          "[" + encrypting(key32, R"(, "aead": "AES_GCM")") + "]"}) {
        BOOST_TEST_CONTEXT(json) {
            const auto stages = enc::parse_encoders(json).value();
            const SecureBytes text = enc::format_encoders(stages);
            BOOST_TEST(std::string(text.begin(), text.end()) == json);
        }
    }
    // Parsed back, the same pipeline: the same bytes.
    const auto stages = enc::parse_encoders(json_of("zle")).value();
    const SecureBytes text = enc::format_encoders(stages);
    auto a = enc::AnyPipeline::make(stages, enc::Mode::deterministic).value();
    auto b = enc::AnyPipeline::from_json(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()),
                                         enc::Mode::deterministic)
                 .value();
    const Bytes in = test::pattern(500, 2);
    BOOST_TEST((a.encode(in).value().data == b.encode(in).value().data));
}

BOOST_AUTO_TEST_CASE(modes_by_name) {
    for (auto m : {enc::Mode::deterministic, enc::Mode::keyed, enc::Mode::randomized})
        BOOST_TEST((enc::mode_from_string(enc::to_string(m)).value() == m));
    auto bad = enc::mode_from_string("Keyed");
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST((bad.error() == errc::invalid_argument));
    BOOST_TEST(bad.error().message().find("'Keyed'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(configuration_errors) {
    using enc::Mode;
    for (const char* bad : {"", "{}", "[1]", "[{}]", "[{\"lzwCompressing\": {}, \"encrypting\": {}}]",
                            "[{\"gzipCompressing\": {}}]", "[{\"lzwCompressing\": {\"x\": 1}}]",
                            "[{\"lzwCompressing\": []}]", "[{\"zstdCompressing\": {\"level\": 99}}]",
                            "[{\"zstdCompressing\": {\"level\": \"3\"}}]", "[{\"encrypting\": {}}]",
                            "[{\"encrypting\": {\"encryptionKey\": \"***\"}}]",
                            "[{\"encrypting\": {\"encryptionKey\": 5}}]"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST((error_of(bad, Mode::deterministic) == errc::malformed_input)); }
    }
    BOOST_TEST((error_of("[" + encrypting(base64_encode(test::pattern(24, 1))) + "]", Mode::deterministic) ==
                errc::invalid_key));
    BOOST_TEST((error_of("[" + encrypting(key32, R"(, "aead": "CHACHA")") + "]", Mode::deterministic) ==
                errc::malformed_input));
    BOOST_TEST((error_of("[" + encrypting(key32, R"(, "colour": 1)") + "]", Mode::deterministic) ==
                errc::malformed_input));
    // Protobuf-JSON spellings: snake_case field names and unpadded or URL-safe base64.
    std::string unpadded = base64_encode(test::pattern(16, 1), Base64Alphabet::url, Base64Padding::unpadded);
    BOOST_TEST(enc::AnyPipeline::from_json(R"([{"encrypting": {"encryption_key": ")" + unpadded + "\"}}]",
                                           Mode::deterministic)
                   .has_value());
    auto empty = enc::AnyPipeline::from_json("[]", Mode::deterministic).value();
    BOOST_TEST(empty.decoding_parameters_bytes() == 0u);
    BOOST_TEST(empty.encode(as_bytes("x")).value().data.size() == 1u);
}

BOOST_AUTO_TEST_CASE(from_file_reads_bounded_and_names_the_path) {
    sealpipe::testing::TempDir dir;
    const std::string path = dir.path() + "/encoders.json";
    const std::string json = json_of("le");
    std::ofstream(path) << json;
    auto p = enc::AnyPipeline::from_file(path, enc::Mode::deterministic);
    BOOST_TEST_REQUIRE(p.has_value(), (p ? "" : p.error().message()));
    auto same = enc::AnyPipeline::from_json(json, enc::Mode::deterministic).value();
    const Bytes in = test::pattern(300, 4);
    BOOST_TEST((p->encode(in).value().data == same.encode(in).value().data));

    auto small = enc::AnyPipeline::from_file(path, enc::Mode::deterministic, json.size() - 1);
    BOOST_TEST_REQUIRE(!small.has_value());
    BOOST_TEST((small.error() == errc::size_limit_exceeded));
    BOOST_TEST(small.error().message().find(path) != std::string::npos);

    auto missing = enc::AnyPipeline::from_file(dir.path() + "/none.json", enc::Mode::deterministic);
    BOOST_TEST_REQUIRE(!missing.has_value());
    BOOST_TEST((missing.error() == errc::io_error));
    BOOST_TEST(missing.error().message().find("none.json") != std::string::npos);

    std::ofstream(path) << "[{\"lzwCompressing\": {}}, ";   // truncated
    auto bad = enc::AnyPipeline::from_file(path, enc::Mode::deterministic);
    BOOST_TEST_REQUIRE(!bad.has_value());
    BOOST_TEST((bad.error() == errc::malformed_input));
    BOOST_TEST(bad.error().message().find(path) != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
