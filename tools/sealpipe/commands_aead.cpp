// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AEAD commands (doc/cli.md): `aead seal` and `aead open`, AES-GCM-SIV with a caller-given key
// and nonce (hence hazmat::).

#include "cli.hpp"

#include <sealpipe/hazmat/aead.hpp>

namespace sealpipe::cli {
namespace {

result<void> aead_run(const Args& args, Io& io, bool seal) {
    auto key = hex_option(args, "key");
    if (!key) return key.error();
    auto nonce = hex_option(args, "nonce");
    if (!nonce) return nonce.error();
    auto aad = hex_option(args, "aad");
    if (!aad) return aad.error();
    auto in = io.read_stdin();
    if (!in) return in.error();
    auto out = seal ? hazmat::aes_gcm_siv_seal(*key, *nonce, *in, *aad)
                    : hazmat::aes_gcm_siv_open(*key, *nonce, *in, *aad);
    if (!out) return out.error();
    io.write(*out);
    return {};
}

const std::vector<Option> aead_options = {
    {.name = "key", .value_name = "HEX", .help = "AES key: 16 or 32 bytes (AES-128/256-GCM-SIV)", .required = true},
    {.name = "nonce", .value_name = "HEX", .help = "12-byte nonce", .required = true},
    {.name = "aad", .value_name = "HEX", .help = "associated data (default: empty)"},
};

const Registrar aead_seal_command{{
    .words = {"aead", "seal"},
    .summary = "AES-GCM-SIV (RFC 8452): encrypt stdin; stdout is ciphertext || 16-byte tag",
    .options = aead_options,
    .run = [](const Args& a, Io& io) { return aead_run(a, io, true); },
    .details = "A repeated nonce reveals only whether two messages (with their associated data) are identical.",
}};

const Registrar aead_open_command{{
    .words = {"aead", "open"},
    .summary = "AES-GCM-SIV (RFC 8452): verify and decrypt ciphertext || tag from stdin",
    .options = aead_options,
    .run = [](const Args& a, Io& io) { return aead_run(a, io, false); },
    .details = "Exit status 1 when authentication fails; nothing is written to stdout then.",
}};

} // namespace
} // namespace sealpipe::cli
