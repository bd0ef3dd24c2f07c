// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoder commands (doc/cli.md, "Object encoders"): `encode` and `decode` through a chain of
// encoders read from Bonanza's protobuf-JSON form, and `encoders new`, which writes such a
// chain with a fresh key.

#include "cli.hpp"

#include <sealpipe/encoding/any_pipeline.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

namespace sealpipe::cli {
namespace {

using encoding::AnyPipeline;
using encoding::Mode;

result<Mode> mode_option(const Args& args) {
    auto mode = encoding::mode_from_string(args.get("mode").value_or("deterministic"));
    if (!mode) return fail(usage_error, "--mode: " + mode.error().message());
    return mode;
}

result<AnyPipeline> pipeline_from(const Args& args, Mode mode) {
    return AnyPipeline::from_file(args.required("encoders"), mode);
}

result<void> encode(const Args& args, Io& io) {
    auto mode = mode_option(args);
    if (!mode) return mode.error();
    auto pipeline = pipeline_from(args, *mode);
    if (!pipeline) return pipeline.error();
    auto params = hex_option(args, "params");
    if (!params) return params.error();
    if (*mode != Mode::keyed && args.has("params"))
        return fail(usage_error, "--params is for keyed mode; in " + std::string(to_string(*mode)) +
                                      " mode the parameters are an output (--params-out)");
    // Stdin straight into one buffer. A chain whose stages all encode in place ([encrypting])
    // pads and seals it where it lies, and that buffer becomes stdout; any other writes from it
    // into a second buffer (a compressor), where the encrypting stage then seals in place.
    auto in = io.read_stdin_in_place(0);
    if (!in) return in.error();
    const std::size_t size = in->size();
    const std::size_t bound = pipeline->encoded_size_bound(size);
    if (bound == static_cast<std::size_t>(-1))
        return fail(errc::size_limit_exceeded, "standard input is too large to encode");
    const bool in_place = pipeline->encodes_in_place();
    MutableByteView out = in_place ? io.grow_in_place(std::max(size, bound)) : io.output_buffer(bound);
    const ByteView input = in_place ? ByteView(out.first(size)) : ByteView(*in);
    std::size_t written = 0;
    if (*mode == Mode::keyed) {
        auto n = pipeline->encode_into(input, out, hazmat::chosen_nonce(ByteView(*params)));
        if (!n) return n.error();
        written = *n;
    } else {
        auto r = pipeline->encode_into(input, out);
        if (!r) return r.error();
        written = r->size;
        if (auto path = args.get("params-out")) {
            if (auto w = write_file(*path, as_bytes(hex_encode(r->parameters) + "\n")); !w) return w.error();
        } else if (!r->parameters.empty()) {
            std::fprintf(stderr, "sealpipe: warning: the decoding parameters were not saved (use --params-out FILE)\n");
        }
    }
    if (in_place) io.output_in_place(written);
    else io.output_from_buffer(written);
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
    // Stdin straight into one buffer, verified and decrypted in place; a decompressor writes
    // into a second buffer of the decoded size. Either becomes stdout without a copy.
    auto in = io.read_stdin_in_place(0);
    if (!in) return in.error();
    bool apart = false;
    auto out = pipeline->decode_in_place(*in, *params, static_cast<std::size_t>(*max), [&](std::size_t n) {
        apart = true;
        return io.output_buffer(n);
    });
    if (!out) return out.error();
    if (apart) io.output_from_buffer(out->size());
    else io.output_in_place(out->size());
    return {};
}

/// `--compress lzw|zstd[:LEVEL]|none`: the compressing stage, if any.
result<std::optional<encoding::StageConfig>> compress_option(const Args& args) {
    using Kind = encoding::StageConfig::Kind;
    const std::string c = args.get("compress").value_or("lzw");
    if (c == "none") return std::optional<encoding::StageConfig>();
    encoding::StageConfig stage;
    if (c == "lzw") {
        stage.kind = Kind::simple_lzw;
        return std::optional(std::move(stage));
    }
    if (c == "zstd" || c.starts_with("zstd:")) {
        stage.kind = Kind::zstd;
        if (c != "zstd") {
            const char* first = c.data() + 5;
            const char* last = c.data() + c.size();
            auto [end, ec] = std::from_chars(first, last, stage.zstd_level);
            if (ec != std::errc() || end != last || stage.zstd_level < ZSTD_minCLevel() ||
                stage.zstd_level > ZSTD_maxCLevel())
                return fail(usage_error, "--compress zstd:LEVEL: expected a level from " +
                                              std::to_string(ZSTD_minCLevel()) + " to " +
                                              std::to_string(ZSTD_maxCLevel()) + ", got '" + c.substr(5) + "'");
        }
        return std::optional(std::move(stage));
    }
    return fail(usage_error, "--compress: expected lzw, zstd, zstd:LEVEL or none, got '" + c + "'");
}

/// The encrypting stage, with a fresh key from the system's CSPRNG.
result<encoding::StageConfig> encrypting_stage(const Args& args) {
    encoding::StageConfig stage;
    stage.kind = encoding::StageConfig::Kind::encrypting;
    const std::string aead = args.get("aead").value_or("aes-gcm-siv");
    if (aead == "aes-gcm-siv") stage.aead = encoding::AeadChoice::aes_gcm_siv;
    else if (aead == "aes-gcm") stage.aead = encoding::AeadChoice::aes_gcm;
    else return fail(usage_error, "--aead: expected aes-gcm-siv or aes-gcm, got '" + aead + "'");
    const std::string bits = args.get("key-bits").value_or("256");
    if (bits != "128" && bits != "256")
        return fail(usage_error, "--key-bits: expected 128 or 256, got '" + bits + "'");
    stage.key = SecretBytes(bits == "128" ? 16 : 32);
    if (auto r = random_bytes(stage.key.reveal_mutable(hazmat::secret_access())); !r) return r.error();
    return stage;
}

/** Creates `path` with mode 0600 from the start (O_CREAT | O_EXCL: never an existing file,
    never a symlink) and writes `data`; on any failure nothing is left behind. */
result<void> write_new_private_file(const std::string& path, ByteView data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        if (errno == EEXIST) return fail(usage_error, path + " already exists; refusing to overwrite it");
        return fail(errc::io_error, "cannot create " + path + ": " + std::strerror(errno));
    }
    bool ok = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0;  // exactly 0600, whatever the umask
    for (ByteView rest = data; ok && !rest.empty();) {
        const ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) rest = rest.subspan(static_cast<std::size_t>(n));
    }
    ok = ::fsync(fd) == 0 && ok;
    const int saved = errno;
    ok = ::close(fd) == 0 && ok;
    if (!ok) {
        ::unlink(path.c_str());
        return fail(errc::io_error, "cannot write " + path + ": " + std::strerror(saved));
    }
    return {};
}

result<void> encoders_new(const Args& args, Io& io) {
    auto compression = compress_option(args);
    if (!compression) return compression.error();
    auto encrypting = encrypting_stage(args);
    if (!encrypting) return encrypting.error();
    const bool gcm = encrypting->aead == encoding::AeadChoice::aes_gcm;
    std::vector<encoding::StageConfig> chain;
    if (*compression) chain.push_back(std::move(**compression));
    chain.push_back(std::move(*encrypting));
    SecureBytes json = encoding::format_encoders(chain);   // the chain's keys are wiped with it
    json.push_back('\n');
    if (auto path = args.get("out")) {
        if (auto r = write_new_private_file(*path, json); !r) return r.error();
    } else {
        io.write(json);   // Io wipes its output once written
    }
    if (gcm)
        std::fprintf(stderr, "sealpipe: warning: AES_GCM is only accepted in randomized mode (encode and decode "
                             "--mode randomized); store put and store get refuse this chain\n");
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

const Registrar encoders_new_command{{
    .words = {"encoders", "new"},
    .summary = "print a new encoder chain with a fresh random key (the JSON that --encoders reads)",
    .options = {{.name = "compress", .value_name = "ALG", .help = "lzw (default), zstd, zstd:LEVEL or none"},
                {.name = "aead", .value_name = "AEAD",
                 .help = "aes-gcm-siv (default) or aes-gcm (randomized mode only; an extension)"},
                {.name = "key-bits", .value_name = "BITS", .help = "128 or 256 (default)"},
                {.name = "out", .value_name = "FILE",
                 .help = "create FILE with mode 0600 instead of printing; an existing FILE is refused"}},
    .run = encoders_new,
    .details = "The chain compresses, then encrypts, in the JSON form that every --encoders option reads (Bonanza's\n"
               "BinaryEncoder list): [{\"lzwCompressing\": {}}, {\"encrypting\": {\"encryptionKey\": \"<base64>\"}}].\n"
               "The key comes from the operating system's random generator and is wiped from memory once\n"
               "written. With it, whoever holds a root link can read what the link reaches: keep the file\n"
               "private (--out creates it readable and writable by its owner only).\n\n"
               "  sealpipe encoders new --out encoders.json\n"
               "  sealpipe store put --store sqlite:objects.db --encoders encoders.json ./project",
}};

} // namespace
} // namespace sealpipe::cli
