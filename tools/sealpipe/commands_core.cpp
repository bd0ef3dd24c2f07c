// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Core commands: `digest` (SHA-256 / SHA-512 of stdin) and the `base64` / `hex` converters.

#include "cli.hpp"

namespace sealpipe::cli {
namespace {

result<void> digest(const Args& args, Io& io) {
    const std::string algorithm = args.get("algorithm").value_or("sha256");
    auto in = io.read_stdin();
    if (!in) return in.error();
    if (algorithm == "sha256") io.write_line(hex_encode(sha256(*in)));
    else if (algorithm == "sha512") io.write_line(hex_encode(sha512(*in)));
    else return fail(usage_error, "--algorithm: expected sha256 or sha512, got '" + algorithm + "'");
    return {};
}

result<void> convert(const Args& args, Io& io, bool hex) {
    auto in = io.read_stdin();
    if (!in) return in.error();
    if (args.has("decode")) {
        std::string_view text = as_chars(*in);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        auto out = hex ? hex_decode(text)
                       : base64_decode(text, args.has("url") ? Base64Alphabet::url : Base64Alphabet::standard);
        if (!out) return out.error();
        io.write(*out);
    } else {
        io.write_line(hex ? hex_encode(*in)
                          : base64_encode(*in, args.has("url") ? Base64Alphabet::url : Base64Alphabet::standard,
                                          args.has("no-padding") ? Base64Padding::unpadded : Base64Padding::padded));
    }
    return {};
}

const Registrar digest_command{{
    .words = {"digest"},
    .summary = "print the SHA-256 or SHA-512 of stdin as hex",
    .options = {{.name = "algorithm", .value_name = "ALG", .help = "sha256 (default) or sha512"}},
    .run = digest,
}};

const Registrar hex_command{{
    .words = {"hex"},
    .summary = "hex-encode stdin (or decode with --decode)",
    .options = {{.name = "decode", .help = "decode instead of encoding"}},
    .run = [](const Args& a, Io& io) { return convert(a, io, true); },
}};

const Registrar base64_command{{
    .words = {"base64"},
    .summary = "base64-encode stdin (or decode with --decode); strict decoding",
    .options = {{.name = "decode", .help = "decode instead of encoding"},
                {.name = "url", .help = "use the base64url alphabet"},
                {.name = "no-padding", .help = "omit '=' padding when encoding"}},
    .run = [](const Args& a, Io& io) { return convert(a, io, false); },
}};

} // namespace
} // namespace sealpipe::cli
