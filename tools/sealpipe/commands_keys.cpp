// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Key commands (doc/cli.md, "Keys and key agreement"): `key generate`, `key public`, `key ecdh`,
// `key verification-zeros`, and `cert verify` for client certificate chains.

#include "cli.hpp"

#include <sealpipe/keys.hpp>
#include <sealpipe/keys/x509.hpp>

#include <chrono>
#include <string>
#include <variant>

namespace sealpipe::cli {
namespace {

using namespace sealpipe::keys;

result<AnyPrivateKey> private_key_file(const std::string& path) {
    auto text = read_file(path, key_file_limit);
    if (!text) return text.error();
    auto k = AnyPrivateKey::from_pem(as_chars(*text));
    wipe(*text);
    if (!k) return std::move(k.error()).context(path);
    return k;
}

/// A PKIX public key PEM, or a certificate chain PEM (the leaf's key).
result<AnyPublicKey> peer_key_file(const std::string& path) {
    auto text = read_file(path, key_file_limit);
    if (!text) return text.error();
    auto blocks = pem_parse(as_chars(*text));
    if (!blocks) return std::move(blocks.error()).context(path);
    if ((*blocks)[0].type == "CERTIFICATE") {
        auto chain = CertificateChain::from_pem(as_chars(*text));
        if (!chain) return std::move(chain.error()).context(path);
        auto k = chain->leaf_public_key();
        if (!k) return std::move(k.error()).context(path + " (leaf certificate)");
        return k;
    }
    auto k = AnyPublicKey::from_pem(as_chars(*text));
    if (!k) return std::move(k.error()).context(path);
    return k;
}

result<AnySharedSecret> agree(const Args& args) {
    auto mine = private_key_file(args.required("private"));
    if (!mine) return mine.error();
    auto peer = peer_key_file(args.required("peer"));
    if (!peer) return peer.error();
    return ecdh(*mine, *peer);   // converts Ed25519 on either side (doc/protocol.md#keys-and-key-agreement)
}

result<void> generate(const Args& args, Io& io) {
    auto k = AnyPrivateKey::generate(args.required("type"));
    if (!k) {
        if (k.error() == errc::invalid_argument) return fail(usage_error, "--type: " + k.error().message());
        return k.error();
    }
    const SecureString pem = k->to_pem();
    io.write(std::string_view(pem.data(), pem.size()));
    return {};
}

result<void> public_key(const Args&, Io& io) {
    auto text = io.read_stdin(key_file_limit);
    if (!text) return text.error();
    auto k = AnyPrivateKey::from_pem(as_chars(*text));
    wipe(*text);
    if (!k) return k.error();
    io.write(k->public_key().to_pem());
    return {};
}

template <class P>
result<std::string> purpose_key_hex(const AnySharedSecret& secret, bool hkdf) {
    return std::visit(
        [hkdf](const auto& s) -> result<std::string> {
            using S = std::decay_t<decltype(s)>;
            if (hkdf) {
                auto k = s.template key_for<P, HkdfSha256>();
                return hex_encode(k.reveal(hazmat::secret_access()));
            }
            if constexpr (RawXor::accepts<S::size_bytes>) {
                auto k = s.template key_for<P>();
                return hex_encode(k.reveal(hazmat::secret_access()));
            } else {
                return fail(usage_error, "--purpose: the " + std::to_string(S::size_bytes) + "-byte " +
                                              std::string(S::curve::name) +
                                              " secret is no AES-GCM-SIV key; add --kdf hkdf-sha256 (the "
                                              "project's extension, not Bonanza wire-compatible)");
            }
        },
        secret);
}

result<void> ecdh_command(const Args& args, Io& io) {
    const std::string purpose = args.get("purpose").value_or("none");
    const auto kdf = args.get("kdf");
    if (kdf && *kdf != "hkdf-sha256") return fail(usage_error, "--kdf: expected hkdf-sha256, got '" + *kdf + "'");
    if (purpose != "none" && purpose != Purpose::Action::name && purpose != Purpose::ExecutionEvent::name &&
        purpose != Purpose::CompletionEvent::name)
        return fail(usage_error, "--purpose: expected none, action, execution-event or completion-event, got '" +
                                      purpose + "'");
    if (kdf && purpose == "none") return fail(usage_error, "--kdf needs a --purpose other than none");
    auto secret = agree(args);
    if (!secret) return secret.error();
    result<std::string> out = std::string();
    if (purpose == "none") out = hex_encode(reveal(*secret, hazmat::secret_access()));
    else if (purpose == Purpose::Action::name) out = purpose_key_hex<Purpose::Action>(*secret, kdf.has_value());
    else if (purpose == Purpose::ExecutionEvent::name)
        out = purpose_key_hex<Purpose::ExecutionEvent>(*secret, kdf.has_value());
    else out = purpose_key_hex<Purpose::CompletionEvent>(*secret, kdf.has_value());
    if (!out) return out.error();
    io.write_line(*out);
    return {};
}

result<void> verification_zeros_command(const Args& args, Io& io) {
    auto secret = agree(args);
    if (!secret) return secret.error();
    auto z = verification_zeros(*secret);
    if (!z) return z.error();
    io.write_line(hex_encode(*z));
    return {};
}

result<void> cert_verify(const Args& args, Io& io) {
    auto ca_text = read_file(args.required("ca"), key_file_limit * 16);
    if (!ca_text) return ca_text.error();
    auto store = TrustStore::from_pem(as_chars(*ca_text));
    if (!store) return std::move(store.error()).context(args.required("ca"));
    std::chrono::system_clock::time_point when = std::chrono::system_clock::now();
    if (args.has("at")) {
        auto t = uint_option(args, "at", 0);
        if (!t) return t.error();
        if (*t > std::uint64_t{253402300799}) return fail(usage_error, "--at: after the year 9999");
        when = std::chrono::system_clock::time_point(std::chrono::seconds(static_cast<std::int64_t>(*t)));
    }
    auto text = io.read_stdin(key_file_limit);
    if (!text) return text.error();
    auto chain = CertificateChain::from_pem(as_chars(*text));
    if (!chain) return chain.error();
    return store->verify_client(*chain, when);
}

const Registrar generate_command{{
    .words = {"key", "generate"},
    .summary = "generate a private key (PKCS#8 PEM on stdout)",
    .options = {{.name = "type", .value_name = "TYPE", .help = "x25519, ed25519, p256, p384 or p521", .required = true}},
    .run = generate,
}};

const Registrar public_command{{
    .words = {"key", "public"},
    .summary = "print the public key (PKIX PEM) of the private key PEM on stdin",
    .run = public_key,
}};

const Registrar ecdh_cmd{{
    .words = {"key", "ecdh"},
    .summary = "print the ECDH shared secret (or a purpose key) as hex",
    .options = {{.name = "private", .value_name = "FILE", .help = "our private key (PKCS#8 PEM)", .required = true},
                {.name = "peer", .value_name = "FILE",
                 .help = "the peer's public key (PKIX PEM) or certificate chain PEM (leaf used)", .required = true},
                {.name = "purpose", .value_name = "P",
                 .help = "none (raw secret, default), action, execution-event or completion-event"},
                {.name = "kdf", .value_name = "KDF",
                 .help = "hkdf-sha256: derive the purpose key with HKDF (extension; needed for P-384/P-521)"}},
    .run = ecdh_command,
    .details = "Ed25519 keys on either side are converted to X25519 (doc/protocol.md#keys-and-key-agreement). The raw purpose "
               "tweak XORs the first byte of the secret with 1, 2 or 3; it needs a 32-byte secret.",
}};

const Registrar zeros_command{{
    .words = {"key", "verification-zeros"},
    .summary = "print the proof of possession: AES-ECB of 16 zero bytes under the shared secret",
    .options = {{.name = "private", .value_name = "FILE", .help = "our private key (PKCS#8 PEM)", .required = true},
                {.name = "peer", .value_name = "FILE", .help = "the peer's public key or certificate chain PEM",
                 .required = true}},
    .run = verification_zeros_command,
}};

const Registrar cert_verify_command{{
    .words = {"cert", "verify"},
    .summary = "verify a client certificate chain PEM (stdin, leaf first) against CA certificates",
    .options = {{.name = "ca", .value_name = "FILE", .help = "CA certificates (PEM)", .required = true},
                {.name = "at", .value_name = "UNIXTIME", .help = "verification time (default: now)"}},
    .run = cert_verify,
    .details = "Exit 0 when the chain is valid for client authentication at the time; 1 when it is not "
               "(untrusted, expired, wrong extended key usage); 2 for malformed input.",
}};

} // namespace
} // namespace sealpipe::cli
