// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// JOSE commands (doc/cli.md, "Signing: JWK and JWS"): `jwk generate`, `jwk public`, `jws sign`,
// `jws verify`, compatible with sqooler's `sqoolerkey` and `verify_signature`.

#include "cli.hpp"

#include <sealpipe/jose.hpp>

#include <filesystem>
#include <system_error>

namespace sealpipe::cli {
namespace {

/// The largest JWS read (the provider's largest document): verification reads no more, and
/// keeps memory to a few times the input (a JWSDict's payload is never built as values).
constexpr std::size_t jws_input_limit = std::size_t{64} << 20;

/// A private key from a config string, a private JWK JSON, or a file holding either.
result<jose::PrivateJwk> load_private_key(const std::string& arg) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(arg, ec)) {
        auto bytes = read_file(arg, jwk_file_limit);
        if (!bytes) return bytes.error();
        const std::string_view text = trim(as_chars(*bytes));
        auto key = !text.empty() && text.front() == '{' ? jose::PrivateJwk::parse(text)
                                                         : jose::PrivateJwk::from_config_string(text);
        wipe(*bytes);
        if (!key) return std::move(key).error().context("--key " + arg);
        return key;
    }
    const std::string_view text = trim(arg);
    auto key = !text.empty() && text.front() == '{' ? jose::PrivateJwk::parse(text)
                                                     : jose::PrivateJwk::from_config_string(text);
    if (!key) return std::move(key).error().context("--key (neither a file nor a config string)");
    return key;
}

result<void> jwk_generate(const Args& args, Io& io) {
    auto key = jose::PrivateJwk::generate(args.required("kid"));
    if (!key) return key.error();
    const SecretBytes config = key->to_config_string();
    io.write(config.reveal(hazmat::secret_access()));
    io.write("\n");
    return {};
}

result<void> jwk_public(const Args&, Io& io) {
    auto in = io.read_stdin(jwk_file_limit);
    if (!in) return in.error();
    const std::string_view text = trim(as_chars(*in));
    auto key = !text.empty() && text.front() == '{' ? jose::PrivateJwk::parse(text)
                                                     : jose::PrivateJwk::from_config_string(text);
    wipe(*in);
    if (!key) return key.error();
    io.write_line(key->public_jwk().to_json(jose::JwkForm::sqooler));
    return {};
}

result<void> jws_sign(const Args& args, Io& io) {
    const std::string format = args.get("format").value_or("sqooler");
    if (format != "sqooler" && format != "compact" && format != "flattened")
        return fail(usage_error, "--format: expected sqooler, compact or flattened, got '" + format + "'");
    auto key = load_private_key(args.required("key"));
    if (!key) return key.error();
    auto in = io.read_stdin();
    if (!in) return in.error();
    if (format == "sqooler") {
        if (in->size() > jws_input_limit)
            return fail(errc::size_limit_exceeded,
                        "stdin: a JSON payload larger than " + std::to_string(jws_input_limit) + " bytes");
        auto payload = jose::parse_python_json(as_chars(*in));
        if (!payload) return std::move(payload).error().context("stdin");
        if (!payload->is_object()) return fail(errc::malformed_input, "stdin: the payload must be a JSON object");
        auto jws = jose::sign_sqooler(payload->as_object(), *key);
        if (!jws) return jws.error();
        auto text = jws->to_json();
        if (!text) return text.error();
        io.write_line(*text);
        return {};
    }
    auto text = format == "compact" ? jose::sign_compact(*in, *key) : jose::sign_flattened(*in, *key);
    if (!text) return text.error();
    io.write_line(*text);
    return {};
}

result<void> jws_verify(const Args& args, Io& io) {
    const std::string& path = args.required("key");
    auto key_bytes = read_file(path, jwk_file_limit);
    if (!key_bytes) return key_bytes.error();
    auto key = jose::PublicJwk::parse(trim(as_chars(*key_bytes)));
    if (!key) return std::move(key).error().context("--key " + path);
    auto verified = [&]() -> result<jose::Verified<Bytes>> {
        auto in = io.read_stdin(jws_input_limit);  // released before the payload is written out
        if (!in) return in.error();
        return jose::verify_jws(as_chars(*in), *key);
    }();
    if (!verified) return verified.error();
    io.write(verified->payload());
    return {};
}

const Registrar jwk_generate_command{{
    .words = {"jwk", "generate"},
    .summary = "print a new Ed25519 private-key config string, as sqooler's sqoolerkey does",
    .options = {{.name = "kid", .value_name = "KID", .help = "the key id", .required = true}},
    .run = jwk_generate,
    .details = "The config string is padded base64url of the private JWK's JSON "
               "{\"x\":…,\"key_ops\":\"sign\",\"kid\":…,\"d\":…,\"kty\":\"OKP\",\"alg\":\"EdDSA\",\"crv\":\"Ed25519\"}. "
               "It holds the private key: keep it secret.",
}};

const Registrar jwk_public_command{{
    .words = {"jwk", "public"},
    .summary = "stdin: a private-key config string (or private JWK); stdout: the public JWK in sqooler's form",
    .run = jwk_public,
}};

const Registrar jws_sign_command{{
    .words = {"jws", "sign"},
    .summary = "sign stdin as a sqooler JWSDict (a JSON object) or an RFC 7515 compact/flattened JWS (bytes)",
    .options = {{.name = "key", .value_name = "CONFIG", .help = "a config string or a file holding one", .required = true},
                {.name = "format", .value_name = "FORMAT", .help = "sqooler (default), compact or flattened"}},
    .run = jws_sign,
}};

const Registrar jws_verify_command{{
    .words = {"jws", "verify"},
    .summary = "verify a JWS on stdin (any of the three formats); exit 1 if the signature or key does not match",
    .options = {{.name = "key", .value_name = "FILE", .help = "a public JWK (sqooler's form or RFC 8037)",
                 .required = true}},
    .run = jws_verify,
    .details = "On success the verified payload bytes go to stdout (for a JWSDict: json.dumps of the payload). "
               "Exit 1: bad signature, alg other than EdDSA, or a kid that is not the key's; exit 2: malformed input, "
               "input over 64 MiB, or a key of small order. A JWSDict's payload is verified as text, in one pass, "
               "before anything is built from it.",
}};

} // namespace
} // namespace sealpipe::cli
