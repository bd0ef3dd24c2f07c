// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `AnyPipeline`: a pipeline configured at run time from Bonanza's protobuf-JSON encoder list,
// dispatching once per call to a compiled `BasicPipeline` (needs sealpipe::zstd).

#ifndef SEALPIPE_ENCODING_ANY_PIPELINE_HPP
#define SEALPIPE_ENCODING_ANY_PIPELINE_HPP

#include <sealpipe/aead/aes_gcm.hpp>
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/encoding/encrypting.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/encoding/simple_lzw.hpp>
#include <sealpipe/encoding/zstd.hpp>
#include <sealpipe/error.hpp>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpipe::encoding {

/// The AEAD of an encrypting stage in a run-time configuration.
enum class AeadChoice : std::uint8_t {
    aes_gcm_siv = 0,  ///< "AES_GCM_SIV", the default (Bonanza)
    aes_gcm = 1,      ///< "AES_GCM" (extension; randomized mode only)
};

/// One encoder of a run-time configuration (Bonanza's `BinaryEncoder`, plus extensions).
struct StageConfig {
    enum class Kind : std::uint8_t { simple_lzw, zstd, encrypting };
    Kind kind = Kind::simple_lzw;
    int zstd_level = zstd_default_level;       ///< for `Kind::zstd`
    AeadChoice aead = AeadChoice::aes_gcm_siv;  ///< for `Kind::encrypting`
    SecretBytes key;                            ///< for `Kind::encrypting`: 16 or 32 bytes
};

namespace detail {

inline Error config_error(std::size_t index, const std::string& what) {
    return fail(error::malformed_input, "encoders[" + std::to_string(index) + "]: " + what);
}

/// Field names as protobuf-JSON spells them (lowerCamelCase) or as the .proto does.
inline bool is_field(std::string_view key, std::string_view camel, std::string_view snake) {
    return key == camel || key == snake;
}

inline result<StageConfig> parse_stage(const boost::json::value& v, std::size_t index) {
    const auto* obj = v.if_object();
    if (!obj || obj->size() != 1)
        return config_error(index, "expected an object with exactly one encoder field");
    const auto& [key, body] = *obj->begin();
    const auto* fields = body.if_object();
    if (!fields) return config_error(index, "the value of '" + std::string(key) + "' must be an object");
    StageConfig c;
    if (is_field(key, "lzwCompressing", "lzw_compressing")) {
        c.kind = StageConfig::Kind::simple_lzw;
        if (!fields->empty()) return config_error(index, "lzwCompressing takes no fields");
    } else if (is_field(key, "zstdCompressing", "zstd_compressing")) {
        c.kind = StageConfig::Kind::zstd;
        for (const auto& [name, value] : *fields) {
            if (name != "level") return config_error(index, "zstdCompressing: unknown field '" + std::string(name) + "'");
            const auto* level = value.if_int64();
            if (!level || *level < ZSTD_minCLevel() || *level > ZSTD_maxCLevel())
                return config_error(index, "zstdCompressing.level: expected an integer in [" +
                                               std::to_string(ZSTD_minCLevel()) + ", " +
                                               std::to_string(ZSTD_maxCLevel()) + "]");
            c.zstd_level = static_cast<int>(*level);
        }
    } else if (key == "encrypting") {
        c.kind = StageConfig::Kind::encrypting;
        bool have_key = false;
        for (const auto& [name, value] : *fields) {
            if (is_field(name, "encryptionKey", "encryption_key")) {
                const auto* text = value.if_string();
                if (!text) return config_error(index, "encrypting.encryptionKey: expected a base64 string");
                // Protobuf-JSON accepts both base64 alphabets, padded or not.
                auto bytes = base64_decode(*text);
                if (!bytes) bytes = base64url_decode(*text);
                if (!bytes) return config_error(index, "encrypting.encryptionKey: not valid base64");
                c.key = SecretBytes::copy_of(*bytes);
                wipe(*bytes);
                if (c.key.size() != 16 && c.key.size() != 32)
                    return fail(error::invalid_key, "encoders[" + std::to_string(index) +
                                                        "]: encrypting.encryptionKey: expected 16 or 32 bytes, got " +
                                                        std::to_string(c.key.size()));
                have_key = true;
            } else if (name == "aead") {
                const auto* text = value.if_string();
                if (text && *text == "AES_GCM_SIV") c.aead = AeadChoice::aes_gcm_siv;
                else if (text && *text == "AES_GCM") c.aead = AeadChoice::aes_gcm;
                else return config_error(index, "encrypting.aead: expected \"AES_GCM_SIV\" or \"AES_GCM\"");
            } else {
                return config_error(index, "encrypting: unknown field '" + std::string(name) + "'");
            }
        }
        if (!have_key) return config_error(index, "encrypting: encryptionKey is required");
    } else {
        return config_error(index, "unknown encoder '" + std::string(key) + "'");
    }
    return c;
}

// The chains `AnyPipeline` has compiled: at most one compressing stage, then at most one
// encrypting stage, in each mode where the rules allow it.
struct NoCompression {};
struct NoEncryption {};

template <class M, class C, class A>
struct ChainFor {
    using type = BasicPipeline<M, C, A>;
};
template <class M>
struct ChainFor<M, NoCompression, NoEncryption> {
    using type = BasicPipeline<M>;
};
template <class M, class A>
struct ChainFor<M, NoCompression, A> {
    using type = BasicPipeline<M, A>;
};
template <class M, class C>
struct ChainFor<M, C, NoEncryption> {
    using type = BasicPipeline<M, C>;
};

template <class C>
constexpr int compression_id() {
    if constexpr (std::is_same_v<C, SimpleLzw>) return 1;
    else if constexpr (std::is_same_v<C, Zstd<dynamic_level>>) return 2;
    else return 0;
}
template <class A>
constexpr int aead_id() {
    if constexpr (std::is_same_v<A, aead::AesGcmSiv<128>>) return 1;
    else if constexpr (std::is_same_v<A, aead::AesGcmSiv<256>>) return 2;
    else if constexpr (std::is_same_v<A, aead::AesGcm<aead::Nonce12, 128>>) return 3;
    else if constexpr (std::is_same_v<A, aead::AesGcm<aead::Nonce12, 256>>) return 4;
    else return 0;
}

/// The rules' view of an encrypting stage with AEAD `A` in mode `m`, computed without
/// instantiating stages that the rules forbid.
template <class A>
constexpr StageProperties encrypting_properties(Mode m) {
    return {A::name, encrypting_parameters_bytes<A>(m), false, true, aead::is_nonce_misuse_resistant_v<A>, ModeSet::all()};
}

template <class M, class C, class A>
constexpr bool chain_is_legal() {
    std::array<StageProperties, 2> p{};
    std::size_t n = 0;
    if constexpr (!std::is_same_v<C, NoCompression>) p[n++] = properties_of<C>();
    if constexpr (!std::is_same_v<A, NoEncryption>) p[n++] = encrypting_properties<A>(M::value);
    return check_composition(std::span<const StageProperties>(p.data(), n), M::value) == Rule::none;
}

class AnyPipelineInterface {
public:
    virtual ~AnyPipelineInterface() = default;
    virtual result<Bytes> encode_with(ByteView in, MutableByteView parameters) = 0;
    virtual result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) = 0;
    virtual std::vector<Bytes> decoding_keys(std::size_t max) const = 0;
};

template <class P>
class AnyPipelineModel final : public AnyPipelineInterface {
public:
    template <class... Configs>
    explicit AnyPipelineModel(const Configs&... configs) : pipeline_(configs...) {}
    result<Bytes> encode_with(ByteView in, MutableByteView parameters) override {
        return pipeline_.encode_with(in, parameters);
    }
    result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) override {
        return pipeline_.decode(in, parameters, max);
    }
    std::vector<Bytes> decoding_keys(std::size_t max) const override { return pipeline_.decoding_keys(max); }

private:
    P pipeline_;
};

} // namespace detail

/** Parses Bonanza's protobuf-JSON list of encoders, e.g.
    `[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "<base64>"}}]`, plus the
    extensions `{"zstdCompressing": {"level": N}}` and `"aead": "AES_GCM"`.
    @par Errors `error::malformed_input` for JSON that is not such a list, unknown encoders
    or fields; `error::invalid_key` for a key that is not 16 or 32 bytes. */
[[nodiscard]] inline result<std::vector<StageConfig>> parse_encoders(std::string_view json) {
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(json, ec);
    if (ec) return fail(error::malformed_input, "encoders: not valid JSON: " + ec.message());
    const auto* list = doc.if_array();
    if (!list) return fail(error::malformed_input, "encoders: expected a JSON array of encoders");
    std::vector<StageConfig> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto c = detail::parse_stage((*list)[i], i);
        if (!c) return c.error();
        out.push_back(std::move(*c));
    }
    return out;
}

/** The result of `AnyPipeline::encode`: the bytes to store and the decoding parameters. */
struct AnyEncoded {
    Bytes data;
    Bytes parameters;
};

/** A pipeline chosen at run time. It checks the same composition rules as `BasicPipeline`
    (with the same sentences), then dispatches every call to one of the compiled pipelines
    `BasicPipeline<Mode, [SimpleLzw | Zstd<dynamic_level>], [AesGcmSiv<128|256> |
    AesGcm<Nonce12, 128|256>]>` (enumerated with Boost.Hana): one virtual call per
    operation, none between stages. */
class AnyPipeline {
public:
    /** Builds the pipeline for `stages` in `mode`.
        @par Errors `error::invalid_argument` for a chain that breaks a composition rule
        (the message is the rule's sentence); `error::unsupported` for a valid chain that
        has no compiled form (more than one compressing stage). */
    [[nodiscard]] static result<AnyPipeline> make(const std::vector<StageConfig>& stages, Mode mode) {
        std::vector<StageProperties> props;
        int compression = 0, aead_kind = 0;
        int zstd_level = zstd_default_level;
        const SecretBytes* key = nullptr;
        for (const auto& s : stages) {
            switch (s.kind) {
            case StageConfig::Kind::simple_lzw: props.push_back(properties_of<SimpleLzw>()); break;
            case StageConfig::Kind::zstd: props.push_back(properties_of<Zstd<dynamic_level>>()); break;
            case StageConfig::Kind::encrypting: {
                const bool big = s.key.size() == 32;
                if (s.key.size() != 16 && !big)
                    return fail(error::invalid_key, "encrypting: expected a 16- or 32-byte key, got " +
                                                        std::to_string(s.key.size()));
                props.push_back(s.aead == AeadChoice::aes_gcm_siv
                                    ? (big ? detail::encrypting_properties<aead::AesGcmSiv<256>>(mode)
                                           : detail::encrypting_properties<aead::AesGcmSiv<128>>(mode))
                                    : (big ? detail::encrypting_properties<aead::AesGcm<aead::Nonce12, 256>>(mode)
                                           : detail::encrypting_properties<aead::AesGcm<aead::Nonce12, 128>>(mode)));
                break;
            }
            }
        }
        if (const Rule r = check_composition(props, mode); r != Rule::none)
            return fail(error::invalid_argument, std::string(to_string(r)));

        // The compiled shapes: [compression] [encryption].
        std::size_t i = 0;
        if (i < stages.size() && stages[i].kind != StageConfig::Kind::encrypting) {
            compression = stages[i].kind == StageConfig::Kind::simple_lzw ? 1 : 2;
            zstd_level = stages[i].zstd_level;
            ++i;
        }
        if (i < stages.size() && stages[i].kind == StageConfig::Kind::encrypting) {
            key = &stages[i].key;
            aead_kind = (stages[i].aead == AeadChoice::aes_gcm_siv ? 1 : 3) + (key->size() == 32 ? 1 : 0);
            ++i;
        }
        if (i != stages.size())
            return fail(error::unsupported,
                        "sealpipe: this chain is valid but has no compiled pipeline: AnyPipeline supports at most "
                        "one compressing stage followed by at most one encrypting stage");

        namespace hana = boost::hana;
        constexpr auto modes = hana::tuple_t<Deterministic, Keyed, Randomized>;
        constexpr auto compressions = hana::tuple_t<detail::NoCompression, SimpleLzw, Zstd<dynamic_level>>;
        constexpr auto aeads = hana::tuple_t<detail::NoEncryption, aead::AesGcmSiv<128>, aead::AesGcmSiv<256>,
                                             aead::AesGcm<aead::Nonce12, 128>, aead::AesGcm<aead::Nonce12, 256>>;
        result<AnyPipeline> built = fail(error::internal, "AnyPipeline: no compiled pipeline matched");
        hana::for_each(modes, [&](auto m) {
            using M = typename std::remove_cvref_t<decltype(m)>::type;
            if (M::value != mode) return;
            hana::for_each(compressions, [&](auto c) {
                using C = typename std::remove_cvref_t<decltype(c)>::type;
                if (detail::compression_id<C>() != compression) return;
                hana::for_each(aeads, [&](auto a) {
                    using A = typename std::remove_cvref_t<decltype(a)>::type;
                    if constexpr (detail::chain_is_legal<M, C, A>()) {
                        if (detail::aead_id<A>() != aead_kind) return;
                        built = build<typename detail::ChainFor<M, C, A>::type, C, A>(zstd_level, key);
                    }
                });
            });
        });
        return built;
    }

    /// `make(parse_encoders(json), mode)`.
    [[nodiscard]] static result<AnyPipeline> from_json(std::string_view json, Mode mode) {
        auto stages = parse_encoders(json);
        if (!stages) return stages.error();
        return make(*stages, mode);
    }

    [[nodiscard]] Mode mode() const noexcept { return mode_; }
    [[nodiscard]] std::size_t decoding_parameters_bytes() const noexcept { return parameters_bytes_; }
    [[nodiscard]] bool is_deterministic() const noexcept { return mode_ != Mode::randomized; }

    /** Encodes in deterministic or randomized mode.
        @par Errors `error::invalid_argument` in keyed mode (use the overload with parameters);
        the errors of `BasicPipeline::encode`. */
    [[nodiscard]] result<AnyEncoded> encode(ByteView in) {
        if (mode_ == Mode::keyed)
            return fail(error::invalid_argument, "a keyed pipeline encodes with caller-chosen parameters");
        AnyEncoded out;
        out.parameters.resize(parameters_bytes_);
        auto data = impl_->encode_with(in, out.parameters);
        if (!data) return data.error();
        out.data = std::move(*data);
        return out;
    }

    /** Encodes in keyed mode under `parameters` (the nonce, when the chain encrypts).
        @par Errors `error::invalid_argument` in other modes; `error::invalid_length` for
        parameters of the wrong size; the errors of `BasicPipeline::encode`. */
    [[nodiscard]] result<Bytes> encode(ByteView in, ByteView parameters) {
        if (mode_ != Mode::keyed)
            return fail(error::invalid_argument, std::string("a ") + std::string(to_string(mode_)) +
                                                     " pipeline chooses its own decoding parameters");
        Bytes p = to_bytes(parameters);
        if (p.size() != parameters_bytes_)
            return length_error("decoding parameters", parameters_bytes_, p.size());
        return impl_->encode_with(in, p);
    }

    /// `BasicPipeline::decode` of the compiled pipeline.
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) {
        return impl_->decode(in, parameters, max_decoded_bytes);
    }

    /// `BasicPipeline::decoding_keys` of the compiled pipeline.
    [[nodiscard]] std::vector<Bytes> decoding_keys(std::size_t max_decoded_bytes) const {
        return impl_->decoding_keys(max_decoded_bytes);
    }

private:
    AnyPipeline(std::unique_ptr<detail::AnyPipelineInterface> impl, Mode mode, std::size_t parameters_bytes)
        : impl_(std::move(impl)), mode_(mode), parameters_bytes_(parameters_bytes) {}

    template <class C>
    static typename C::Config compression_config([[maybe_unused]] int zstd_level) {
        if constexpr (std::is_same_v<C, Zstd<dynamic_level>>) return typename C::Config{zstd_level};
        else return typename C::Config{};
    }

    template <class P, class C, class A>
    static result<AnyPipeline> build([[maybe_unused]] int zstd_level, [[maybe_unused]] const SecretBytes* key) {
        using Model = detail::AnyPipelineModel<P>;
        std::unique_ptr<detail::AnyPipelineInterface> impl;
        if constexpr (std::is_same_v<A, detail::NoEncryption>) {
            if constexpr (std::is_same_v<C, detail::NoCompression>) impl = std::make_unique<Model>();
            else impl = std::make_unique<Model>(compression_config<C>(zstd_level));
        } else {
            auto k = A::Key::from(key->reveal(hazmat::secret_access()), "encryption key");
            if (!k) return k.error();
            if constexpr (std::is_same_v<C, detail::NoCompression>) impl = std::make_unique<Model>(*k);
            else impl = std::make_unique<Model>(compression_config<C>(zstd_level), *k);
        }
        return AnyPipeline(std::move(impl), P::mode, P::decoding_parameters_bytes);
    }

    std::unique_ptr<detail::AnyPipelineInterface> impl_;
    Mode mode_;
    std::size_t parameters_bytes_;
};

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_ANY_PIPELINE_HPP
