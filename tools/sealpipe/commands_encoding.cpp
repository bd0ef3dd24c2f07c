// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoder commands (doc/cli.md, "Object encoders"): `encode` and `decode` through a chain of
// encoders read from Bonanza's protobuf-JSON form.

#include "cli.hpp"

#include <sealpipe/encoding/any_pipeline.hpp>

#include <cstdio>

namespace sealpipe::cli {
namespace {

using encoding::AnyPipeline;
using encoding::Mode;

result<Mode> mode_option(const Args& args) {
    const std::string m = args.get("mode").value_or("deterministic");
    if (m == "deterministic") return Mode::deterministic;
    if (m == "keyed") return Mode::keyed;
    if (m == "randomized") return Mode::randomized;
    return fail(error::usage, "--mode: expected deterministic, keyed or randomized, got '" + m + "'");
}

result<AnyPipeline> pipeline_from(const Args& args, Mode mode) {
    const std::string& path = args.required("encoders");
    auto json = read_file(path, std::size_t{1} << 20);
    if (!json) return json.error();
    auto p = AnyPipeline::from_json(as_chars(*json), mode);
    wipe(*json);  // it holds keys
    if (!p) return std::move(p.error()).context(path);
    return p;
}

result<void> encode(const Args& args, Io& io) {
    auto mode = mode_option(args);
    if (!mode) return mode.error();
    auto pipeline = pipeline_from(args, *mode);
    if (!pipeline) return pipeline.error();
    auto params = hex_option(args, "params");
    if (!params) return params.error();
    if (*mode != Mode::keyed && args.has("params"))
        return fail(error::usage, "--params is for keyed mode; in " + std::string(to_string(*mode)) +
                                      " mode the parameters are an output (--params-out)");
    auto in = io.read_stdin();
    if (!in) return in.error();
    if (*mode == Mode::keyed) {
        auto out = pipeline->encode(*in, *params);
        if (!out) return out.error();
        io.write(*out);
        return {};
    }
    auto out = pipeline->encode(*in);
    if (!out) return out.error();
    if (auto path = args.get("params-out")) {
        if (auto r = write_file(*path, as_bytes(hex_encode(out->parameters) + "\n")); !r) return r.error();
    } else if (!out->parameters.empty()) {
        std::fprintf(stderr, "sealpipe: warning: the decoding parameters were not saved (use --params-out FILE)\n");
    }
    io.write(out->data);
    return {};
}

result<void> decode(const Args& args, Io& io) {
    auto mode = mode_option(args);
    if (!mode) return mode.error();
    auto pipeline = pipeline_from(args, *mode);
    if (!pipeline) return pipeline.error();
    auto params = hex_option(args, "params");
    if (!params) return params.error();
    auto max = uint_option(args, "max-size", std::uint64_t{2097152});
    if (!max) return max.error();
    auto in = io.read_stdin();
    if (!in) return in.error();
    auto out = pipeline->decode(*in, *params, static_cast<std::size_t>(*max));
    if (!out) return out.error();
    io.write(ByteView(*out));
    return {};
}

const Option encoders_option{.name = "encoders", .value_name = "FILE",
                             .help = "JSON list of encoders (Bonanza protobuf-JSON BinaryEncoder list)",
                             .required = true};
const Option mode_opt{.name = "mode", .value_name = "MODE",
                      .help = "deterministic (default), keyed or randomized (extension, not Bonanza-compatible)"};

const Registrar encode_command{{
    .words = {"encode"},
    .summary = "encode stdin through a chain of encoders (compress, then encrypt)",
    .options = {encoders_option, mode_opt,
                {.name = "params", .value_name = "HEX", .help = "keyed mode: the 12-byte nonce"},
                {.name = "params-out", .value_name = "FILE",
                 .help = "deterministic/randomized: write the decoding parameters here (hex and a newline)"}},
    .run = encode,
    .details = "Deterministic: parameters are the 16-byte tag when the chain encrypts (else empty). Keyed: "
               "--params is the nonce. Randomized: parameters are nonce || tag (28 bytes). A chain that is illegal "
               "in the mode (e.g. AES_GCM outside randomized mode) is exit 2.",
}};

const Registrar decode_command{{
    .words = {"decode"},
    .summary = "decode stdin: the inverse of encode",
    .options = {encoders_option, mode_opt,
                {.name = "params", .value_name = "HEX", .help = "the decoding parameters (default: empty)"},
                {.name = "max-size", .value_name = "N", .help = "refuse data decoding to more than N bytes (default 2097152)"}},
    .run = decode,
    .details = "Exit status 1 when authentication fails; 2 for malformed data or data over --max-size.",
}};

} // namespace
} // namespace sealpipe::cli
