// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `AnyPipeline`: a pipeline configured at run time from Bonanza's protobuf-JSON encoder list,
// any chain the composition rules allow, as a list of type-erased stages (needs sealpipe::zstd).

#ifndef SEALPIPE_ENCODING_ANY_PIPELINE_HPP
#define SEALPIPE_ENCODING_ANY_PIPELINE_HPP

#include <sealpipe/aead/aes_gcm.hpp>
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/encoding/encrypting.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/encoding/simple_lzw.hpp>
#include <sealpipe/encoding/zstd.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/io/posix.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>

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
    return fail(errc::malformed_input, "encoders[" + std::to_string(index) + "]: " + what);
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
                    return fail(errc::invalid_key, "encoders[" + std::to_string(index) +
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

/// The rules' view of an encrypting stage with AEAD `A` in mode `m`, computed without
/// instantiating stages that the rules forbid.
template <class A>
constexpr StageProperties encrypting_properties(Mode m) {
    return {A::name, encrypting_parameters_bytes<A>(m), false, true, aead::is_nonce_misuse_resistant_v<A>, ModeSet::all()};
}

/// The rules' view of a configured stage in mode `m`.
inline result<StageProperties> properties_of_config(const StageConfig& s, Mode m) {
    switch (s.kind) {
    case StageConfig::Kind::simple_lzw: return properties_of<SimpleLzw>();
    case StageConfig::Kind::zstd: return properties_of<Zstd<dynamic_level>>();
    case StageConfig::Kind::encrypting: break;
    }
    const bool big = s.key.size() == 32;
    if (s.key.size() != 16 && !big)
        return fail(errc::invalid_key, "encrypting: expected a 16- or 32-byte key, got " + std::to_string(s.key.size()));
    if (s.aead == AeadChoice::aes_gcm_siv)
        return big ? encrypting_properties<aead::AesGcmSiv<256>>(m) : encrypting_properties<aead::AesGcmSiv<128>>(m);
    return big ? encrypting_properties<aead::AesGcm<aead::Nonce12, 256>>(m)
               : encrypting_properties<aead::AesGcm<aead::Nonce12, 128>>(m);
}

/// One stage of an `AnyPipeline`: the `Encoder` operations behind virtual calls.
class AnyStage {
public:
    virtual ~AnyStage() = default;
    virtual result<Bytes> encode(ByteView in, MutableByteView parameters) = 0;
    virtual result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) = 0;
    virtual std::size_t max_encoded_bytes(std::size_t n) const noexcept = 0;
    virtual Bytes decoding_key(std::size_t max) const = 0;
    virtual std::size_t decoding_parameters_bytes() const noexcept = 0;
    // Into the caller's buffers (in_place.hpp): what the stage type offers, with `encode`
    // and a copy standing in for a missing `encode_into`.
    virtual std::size_t encoded_size_bound(std::size_t n) const = 0;
    virtual bool encodes_in_place() const noexcept = 0;
    virtual bool decodes_in_place() const noexcept = 0;
    virtual bool decodes_into() const noexcept = 0;
    virtual result<std::size_t> encode_into(ByteView in, MutableByteView out, MutableByteView parameters) = 0;
    virtual result<std::size_t> decode_in_place(MutableByteView data, ByteView parameters, std::size_t max) = 0;
    virtual result<std::size_t> decoded_size(ByteView in, ByteView parameters, std::size_t max) = 0;
    virtual result<std::size_t> decode_into(ByteView in, ByteView parameters, std::size_t max, MutableByteView out) = 0;
};

template <class S>
class AnyStageModel final : public AnyStage {
public:
    AnyStageModel(const typename S::Config& config, const StageContext& ctx) : stage_(config, ctx) {}
    result<Bytes> encode(ByteView in, MutableByteView parameters) override { return stage_.encode(in, parameters); }
    result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) override {
        return stage_.decode(in, parameters, max);
    }
    std::size_t max_encoded_bytes(std::size_t n) const noexcept override { return S::max_encoded_bytes(n); }
    Bytes decoding_key(std::size_t max) const override { return stage_.decoding_key(max); }
    std::size_t decoding_parameters_bytes() const noexcept override { return S::decoding_parameters_bytes; }
    std::size_t encoded_size_bound(std::size_t n) const override { return stage_encoded_size_bound<S>(n); }
    bool encodes_in_place() const noexcept override { return EncodesInPlace<S>; }
    bool decodes_in_place() const noexcept override { return DecodesInPlace<S>; }
    bool decodes_into() const noexcept override { return DecodesInto<S>; }
    result<std::size_t> encode_into(ByteView in, MutableByteView out, MutableByteView parameters) override {
        return stage_encode_into(stage_, in, out, parameters);
    }
    result<std::size_t> decode_in_place(MutableByteView data, ByteView parameters, std::size_t max) override {
        return stage_decode_in_place(stage_, data, parameters, max);
    }
    result<std::size_t> decoded_size(ByteView in, ByteView parameters, std::size_t max) override {
        return stage_decoded_size(stage_, in, parameters, max);
    }
    result<std::size_t> decode_into(ByteView in, ByteView parameters, std::size_t max, MutableByteView out) override {
        return stage_decode_into(stage_, in, parameters, max, out);
    }

private:
    S stage_;
};

/// An `AnyPipeline`'s stages as the chain accessor of in_place.hpp.
class AnyChain {
public:
    explicit AnyChain(const std::vector<std::unique_ptr<AnyStage>>& stages) noexcept : stages_(stages) {}
    std::size_t size() const noexcept { return stages_.size(); }
    bool encodes_in_place(std::size_t i) const noexcept { return stages_[i]->encodes_in_place(); }
    bool decodes_in_place(std::size_t i) const noexcept { return stages_[i]->decodes_in_place(); }
    bool decodes_into(std::size_t i) const noexcept { return stages_[i]->decodes_into(); }
    std::size_t encoded_size_bound(std::size_t i, std::size_t n) const { return stages_[i]->encoded_size_bound(n); }
    std::size_t max_encoded_bytes(std::size_t i, std::size_t n) const { return stages_[i]->max_encoded_bytes(n); }
    result<Bytes> encode(std::size_t i, ByteView in, MutableByteView p) { return stages_[i]->encode(in, p); }
    result<std::size_t> encode_into(std::size_t i, ByteView in, MutableByteView out, MutableByteView p) {
        return stages_[i]->encode_into(in, out, p);
    }
    result<SecureBytes> decode(std::size_t i, ByteView in, ByteView p, std::size_t max) {
        return stages_[i]->decode(in, p, max);
    }
    result<std::size_t> decode_in_place(std::size_t i, MutableByteView data, ByteView p, std::size_t max) {
        return stages_[i]->decode_in_place(data, p, max);
    }
    result<std::size_t> decoded_size(std::size_t i, ByteView in, ByteView p, std::size_t max) {
        return stages_[i]->decoded_size(in, p, max);
    }
    result<std::size_t> decode_into(std::size_t i, ByteView in, ByteView p, std::size_t max, MutableByteView out) {
        return stages_[i]->decode_into(in, p, max, out);
    }

private:
    const std::vector<std::unique_ptr<AnyStage>>& stages_;
};

/// Calls `f(std::type_identity<Encrypting<A, M>>{}, key)` for an encrypting stage.
template <class A, class M, class F>
result<void> visit_encrypting(const StageConfig& c, F& f) {
    if constexpr (M::value != Mode::randomized && !aead::is_nonce_misuse_resistant_v<A>) {
        // `check_composition` refuses these chains first; the branch only keeps
        // `Encrypting<AesGcm, Deterministic>` (a static_assert) from being instantiated.
        return fail(errc::invalid_argument, std::string(to_string(M::value == Mode::deterministic
                                                                        ? Rule::deterministic_needs_nonce_misuse_resistance
                                                                        : Rule::keyed_needs_nonce_misuse_resistance)));
    } else {
        auto key = A::Key::from(c.key.reveal(hazmat::secret_access()), "encryption key");
        if (!key) return key.error();
        return f(std::type_identity<Encrypting<A, M>>{}, *key);
    }
}

/** Calls `f(std::type_identity<S>{}, config)` with the stage type `S` that `c` configures in
    mode `M` and its `S::Config`. */
template <class M, class F>
result<void> visit_stage(const StageConfig& c, F& f) {
    switch (c.kind) {
    case StageConfig::Kind::simple_lzw: return f(std::type_identity<SimpleLzw>{}, SimpleLzw::Config{});
    case StageConfig::Kind::zstd:
        return f(std::type_identity<Zstd<dynamic_level>>{}, Zstd<dynamic_level>::Config{c.zstd_level});
    case StageConfig::Kind::encrypting: break;
    }
    const bool big = c.key.size() == 32;
    if (c.aead == AeadChoice::aes_gcm_siv)
        return big ? visit_encrypting<aead::AesGcmSiv<256>, M>(c, f) : visit_encrypting<aead::AesGcmSiv<128>, M>(c, f);
    return big ? visit_encrypting<aead::AesGcm<aead::Nonce12, 256>, M>(c, f)
               : visit_encrypting<aead::AesGcm<aead::Nonce12, 128>, M>(c, f);
}

template <class F>
result<void> visit_stage(const StageConfig& c, Mode mode, F& f) {
    switch (mode) {
    case Mode::deterministic: return visit_stage<Deterministic>(c, f);
    case Mode::keyed: return visit_stage<Keyed>(c, f);
    case Mode::randomized: return visit_stage<Randomized>(c, f);
    }
    return fail(errc::invalid_argument, "unknown encoding mode");
}

} // namespace detail

/** Parses Bonanza's protobuf-JSON list of encoders, e.g.
    `[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "<base64>"}}]`, plus the
    extensions `{"zstdCompressing": {"level": N}}` and `"aead": "AES_GCM"`.
    @par Errors `errc::malformed_input` for JSON that is not such a list, unknown encoders
    or fields; `errc::invalid_key` for a key that is not 16 or 32 bytes. */
[[nodiscard]] inline result<std::vector<StageConfig>> parse_encoders(std::string_view json) {
    boost::system::error_code ec;
    const boost::json::value doc = boost::json::parse(json, ec);
    if (ec) return fail(errc::malformed_input, "encoders: not valid JSON: " + ec.message());
    const auto* list = doc.if_array();
    if (!list) return fail(errc::malformed_input, "encoders: expected a JSON array of encoders");
    std::vector<StageConfig> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto c = detail::parse_stage((*list)[i], i);
        if (!c) return c.error();
        out.push_back(std::move(*c));
    }
    return out;
}

/** The protobuf-JSON list of `stages` that `parse_encoders` reads back, on one line:
    `[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "<base64>"}}]`, with
    `{"zstdCompressing": {"level": N}}` and `"aead": "AES_GCM"` for the extensions (standard
    base64, padded).
    @par Security The text holds the keys: it is built and returned in wiping storage. */
[[nodiscard]] inline SecureBytes format_encoders(std::span<const StageConfig> stages) {
    SecureBytes out;  // every buffer it grows through is wiped when released
    auto put = [&out](std::string_view text) { out.insert(out.end(), text.begin(), text.end()); };
    put("[");
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const StageConfig& s = stages[i];
        if (i > 0) put(", ");
        switch (s.kind) {
        case StageConfig::Kind::simple_lzw: put(R"({"lzwCompressing": {}})"); break;
        case StageConfig::Kind::zstd:
            put(R"({"zstdCompressing": {"level": )");
            put(std::to_string(s.zstd_level));
            put("}}");
            break;
        case StageConfig::Kind::encrypting: {
            put(R"({"encrypting": {"encryptionKey": ")");
            const ByteView key = s.key.reveal(hazmat::secret_access());
            const std::size_t at = out.size();
            out.resize(at + ::sealpipe::detail::base64_encoded_size(key.size(), true));
            ::sealpipe::detail::base64_encode_to(reinterpret_cast<char*>(out.data() + at), key,
                                                 ::sealpipe::detail::base64_standard, true);
            put(s.aead == AeadChoice::aes_gcm ? R"(", "aead": "AES_GCM"}})" : R"("}})");
            break;
        }
        }
    }
    put("]");
    return out;
}

/** A pipeline chosen at run time: any sequence of stages, of any length, that the
    composition rules allow (the same rules and sentences as `BasicPipeline`). Each stage is
    the stage type a `BasicPipeline` would hold (`SimpleLzw`, `Zstd<dynamic_level>`,
    `Encrypting<AesGcmSiv<128|256> | AesGcm<Nonce12, 128|256>, Mode>`) behind one virtual
    call per stage and operation, so that every chain gives the bytes of the typed pipeline
    with the same stages, and Bonanza's bytes when it uses only Bonanza's encoders: the
    additional data of an encrypting stage lists every encoder before it. Not thread-safe
    (as `BasicPipeline`); movable. */
class AnyPipeline {
public:
    /** Builds the pipeline for `stages` in `mode`: stage 0 encodes first.
        @par Errors `errc::invalid_argument` for a chain that breaks a composition rule
        (the message is the rule's sentence); `errc::invalid_key` for a key that is not 16
        or 32 bytes. */
    [[nodiscard]] static result<AnyPipeline> make(const std::vector<StageConfig>& stages, Mode mode) {
        std::vector<StageProperties> props;
        props.reserve(stages.size());
        for (const auto& s : stages) {
            auto p = detail::properties_of_config(s, mode);
            if (!p) return p.error();
            props.push_back(*p);
        }
        if (const Rule r = check_composition(props, mode); r != Rule::none)
            return fail(errc::invalid_argument, std::string(to_string(r)));

        // `described` is the `repeated BinaryEncoder` field of the stages built so far: the
        // additional data of an encrypting stage covers every encoder before it (doc/encoding.md).
        std::vector<std::unique_ptr<detail::AnyStage>> built;
        built.reserve(stages.size());
        Bytes described;
        std::size_t index = 0;
        auto add = [&](auto type, const auto& config) -> result<void> {
            using S = typename decltype(type)::type;
            built.push_back(std::make_unique<detail::AnyStageModel<S>>(config, StageContext{mode, described}));
            if (index + 1 < stages.size()) {
                Bytes one;
                S::describe(config, one);
                detail::append_additional_encoder(described, one);
                wipe(one);
            }
            return {};
        };
        for (; index < stages.size(); ++index) {
            if (auto r = detail::visit_stage(stages[index], mode, add); !r) {
                wipe(described);
                return r.error();
            }
        }
        wipe(described);  // the rules keep keys out of it (encrypting stages come last), but still
        return AnyPipeline(std::move(built), mode);
    }

    /// `make(parse_encoders(json), mode)`.
    [[nodiscard]] static result<AnyPipeline> from_json(std::string_view json, Mode mode) {
        auto stages = parse_encoders(json);
        if (!stages) return stages.error();
        return make(*stages, mode);
    }

    /** Reads a chain's description (the JSON of `parse_encoders`, as `sealpipe encoders new`
        writes it) from the file at `path` and builds it in `mode`. The file holds keys: it is
        read into wiping storage, at most `max_bytes` of it, and not copied elsewhere.
        @par Errors `errc::io_error` (cannot open or read), `errc::size_limit_exceeded` (larger
        than `max_bytes`), those of `from_json`; each names the path. */
    [[nodiscard]] static result<AnyPipeline> from_file(const std::string& path, Mode mode,
                                                      std::size_t max_bytes = std::size_t{1} << 20) {
        io::posix::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return io::posix::errno_error("cannot open", path);
        SecureBytes json;
        if (const int err = io::posix::read_up_to(fd.get(), json, max_bytes + 1); err != 0)
            return io::posix::errno_error("cannot read", path, err);
        if (json.size() > max_bytes)
            return fail(errc::size_limit_exceeded, path + " is larger than " + std::to_string(max_bytes) + " bytes");
        auto p = from_json(std::string_view(reinterpret_cast<const char*>(json.data()), json.size()), mode);
        if (!p) return std::move(p.error()).context(path);
        return p;
    }

    [[nodiscard]] Mode mode() const noexcept { return mode_; }
    /// Size of the decoding parameters: those of the last stage (0 without stages).
    [[nodiscard]] std::size_t decoding_parameters_bytes() const noexcept { return parameters_bytes_; }
    [[nodiscard]] bool is_deterministic() const noexcept { return mode_ != Mode::randomized; }
    /// The number of stages.
    [[nodiscard]] std::size_t size() const noexcept { return stages_.size(); }

    /** Encodes in deterministic or randomized mode.
        @par Errors `errc::invalid_argument` in keyed mode (use the overload with parameters);
        the errors of the stages, as `BasicPipeline::encode`. */
    [[nodiscard]] result<Encoded<>> encode(ByteView in) {
        if (mode_ == Mode::keyed)
            return fail(errc::invalid_argument, "a keyed pipeline encodes with caller-chosen parameters");
        Encoded<> out;
        out.parameters.resize(parameters_bytes_);
        auto data = run_encode(in, out.parameters);
        if (!data) return data.error();
        out.data = std::move(*data);
        return out;
    }

    /** Encodes in keyed mode under decoding parameters the caller chose (the nonce, when the
        chain encrypts): `pipeline.encode(in, hazmat::chosen_nonce(parameters))`.
        @par Errors `errc::invalid_argument` in other modes; `errc::invalid_length` for
        parameters of the wrong size; the errors of the stages, as `BasicPipeline::encode`. */
    [[nodiscard]] result<Bytes> encode(ByteView in, const hazmat::ChosenNonce<ByteView>& parameters) {
        if (mode_ != Mode::keyed)
            return fail(errc::invalid_argument, std::string("a ") + std::string(to_string(mode_)) +
                                                     " pipeline chooses its own decoding parameters");
        Bytes p = to_bytes(parameters.value());
        if (p.size() != parameters_bytes_) return length_error("decoding parameters", parameters_bytes_, p.size());
        return run_encode(in, p);
    }

    /** Decodes `in`, last stage first, as `BasicPipeline::decode`: nothing decodes to more
        than `max_decoded_bytes`, and no stage allocates from a size it has not checked.
        @par Errors those of `BasicPipeline::decode`. */
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) {
        const std::size_t count = stages_.size();
        if (count == 0) {
            if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
            if (in.size() > max_decoded_bytes) return detail::encoded_too_large(in.size(), max_decoded_bytes);
            return SecureBytes(in.begin(), in.end());
        }
        // bounds[i]: the most stage i may decode to; bounds[count]: the longest input.
        std::vector<std::size_t> bounds(count + 1);
        bounds[0] = max_decoded_bytes;
        for (std::size_t i = 0; i < count; ++i) bounds[i + 1] = stages_[i]->max_encoded_bytes(bounds[i]);
        if (in.size() > bounds[count]) return detail::encoded_too_large(in.size(), bounds[count]);
        auto out = stages_[count - 1]->decode(in, parameters, bounds[count - 1]);
        for (std::size_t i = count - 1; out && i-- > 0;) out = stages_[i]->decode(*out, ByteView{}, bounds[i]);
        return out;
    }

    // --- Into the caller's buffers (doc/encoding.md, "Into the caller's buffers") ---------

    /// True when every stage encodes in place, as `BasicPipeline::encodes_in_place` (e.g. `[encrypting]`).
    [[nodiscard]] bool encodes_in_place() const { return detail::chain_encodes_in_place(detail::AnyChain(stages_)); }
    /// True when every stage decodes in place, as `BasicPipeline::decodes_in_place`.
    [[nodiscard]] bool decodes_in_place() const { return detail::chain_decodes_in_place(detail::AnyChain(stages_)); }

    /// The size `encode_into` needs for `n` bytes of input, as `BasicPipeline::encoded_size_bound`.
    [[nodiscard]] std::size_t encoded_size_bound(std::size_t n) const {
        return detail::chain_encoded_size_bound(detail::AnyChain(stages_), n);
    }

    /** `encode` into the caller's `out` (deterministic and randomized modes), as
        `BasicPipeline::encode_into`: the same bytes and parameters as `encode`; `in` may
        start at `out.data()` (in place).
        @par Errors `errc::invalid_argument` in keyed mode; those of
        `BasicPipeline::encode_into`. */
    [[nodiscard]] result<EncodedInto<>> encode_into(ByteView in, MutableByteView out) {
        if (mode_ == Mode::keyed)
            return fail(errc::invalid_argument, "a keyed pipeline encodes with caller-chosen parameters");
        EncodedInto<> r;
        r.parameters.resize(parameters_bytes_);
        detail::AnyChain chain(stages_);
        auto n = detail::chain_encode_into(chain, in, out, r.parameters);
        if (!n) return n.error();
        r.size = *n;
        return r;
    }

    /** `encode_into` in keyed mode under decoding parameters the caller chose.
        @par Errors `errc::invalid_argument` in other modes; `errc::invalid_length` for
        parameters of the wrong size; those of `BasicPipeline::encode_into`. */
    [[nodiscard]] result<std::size_t> encode_into(ByteView in, MutableByteView out,
                                                  const hazmat::ChosenNonce<ByteView>& parameters) {
        if (mode_ != Mode::keyed)
            return fail(errc::invalid_argument, std::string("a ") + std::string(to_string(mode_)) +
                                                     " pipeline chooses its own decoding parameters");
        Bytes p = to_bytes(parameters.value());
        if (p.size() != parameters_bytes_) return length_error("decoding parameters", parameters_bytes_, p.size());
        detail::AnyChain chain(stages_);
        return detail::chain_encode_into(chain, in, out, p);
    }

    /** `decode` over the caller's buffer, as `BasicPipeline::decode_in_place`: the decoded
        bytes are the start of `data`, or in `output(n)` when a stage cannot decode in place;
        the same bytes and errors as `decode`.
        @par Errors those of `BasicPipeline::decode_in_place`. */
    template <class Output>
        requires std::is_invocable_r_v<MutableByteView, Output&, std::size_t>
    [[nodiscard]] result<MutableByteView> decode_in_place(MutableByteView data, ByteView parameters,
                                                          std::size_t max_decoded_bytes, Output&& output) {
        detail::AnyChain chain(stages_);
        return detail::chain_decode_in_place(chain, data, parameters, max_decoded_bytes, output);
    }

    /** `decode_in_place` for a chain whose stages all decode in place (`decodes_in_place()`).
        @par Errors `errc::invalid_argument`, before anything is read, for any other chain;
        those of `decode`. */
    [[nodiscard]] result<MutableByteView> decode_in_place(MutableByteView data, ByteView parameters,
                                                          std::size_t max_decoded_bytes) {
        if (!decodes_in_place())
            return fail(errc::invalid_argument,
                        "decode_in_place: a stage of this chain cannot decode in place; give storage for the output");
        auto no_storage = [](std::size_t) { return MutableByteView{}; };
        return decode_in_place(data, parameters, max_decoded_bytes, no_storage);
    }

    /** Keys identifying the decoding function, last stage first (Bonanza's
        `AppendUniqueDecodingKeys`), as `BasicPipeline::decoding_keys`. */
    [[nodiscard]] std::vector<Bytes> decoding_keys(std::size_t max_decoded_bytes) const {
        std::vector<Bytes> keys;
        keys.reserve(stages_.size());
        for (std::size_t i = stages_.size(); i-- > 0;) keys.push_back(stages_[i]->decoding_key(max_decoded_bytes));
        return keys;
    }

private:
    AnyPipeline(std::vector<std::unique_ptr<detail::AnyStage>> stages, Mode mode)
        : stages_(std::move(stages)),
          mode_(mode),
          parameters_bytes_(stages_.empty() ? 0 : stages_.back()->decoding_parameters_bytes()) {}

    // Stages first to last; only the last one sees the parameters. Intermediate buffers
    // hold compressed plaintext and are wiped.
    result<Bytes> run_encode(ByteView in, MutableByteView parameters) {
        if (parameters.size() != parameters_bytes_)
            return length_error("decoding parameters", parameters_bytes_, parameters.size());
        if (stages_.empty()) return to_bytes(in);
        Bytes current;
        for (std::size_t i = 0; i < stages_.size(); ++i) {
            const bool last = i + 1 == stages_.size();
            auto next = stages_[i]->encode(i == 0 ? in : ByteView(current), last ? parameters : MutableByteView{});
            wipe(current);
            if (!next) return next.error();
            current = std::move(*next);
        }
        return current;
    }

    std::vector<std::unique_ptr<detail::AnyStage>> stages_;
    Mode mode_;
    std::size_t parameters_bytes_;
};

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_ANY_PIPELINE_HPP
