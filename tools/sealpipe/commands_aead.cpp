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
    // In place: stdin is read straight into the buffer that becomes stdout (with room for
    // the tag when sealing).
    auto in = io.read_stdin_in_place(seal ? 16 : 0);
    if (!in) return in.error();
    if (seal) {
        const MutableByteView data(in->data(), in->size() + 16);
        if (auto r = hazmat::aes_gcm_siv_seal_in_place(*key, *nonce, data, *aad); !r) return r.error();
        io.output_in_place(data.size());
        return {};
    }
    auto plaintext = hazmat::aes_gcm_siv_open_in_place(*key, *nonce, *in, *aad);
    if (!plaintext) return plaintext.error();
    io.output_in_place(plaintext->size());
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
