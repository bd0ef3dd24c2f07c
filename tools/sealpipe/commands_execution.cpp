// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Remote execution commands (doc/cli.md, "Remote execution"): `action seal`, `action open`,
// `event seal` and `event open` on Bonanza's encrypted Action and Event messages.

#include "cli.hpp"

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/keys.hpp>
#include <sealpipe/keys/x509.hpp>

#include <chrono>
#include <string>

namespace sealpipe::cli {
namespace {

using namespace sealpipe::execution;
using keys::AnyPrivateKey;
using keys::AnyPublicKey;

/// The default `--timeout` of `action seal` and `--max-timeout` of `action open`.
constexpr std::uint64_t default_timeout_seconds = 3600;
constexpr std::uint64_t default_max_timeout_seconds = 86400;

result<AnyPrivateKey> private_key(const std::string& path) {
    auto t = read_text_file(path);
    if (!t) return t.error();
    auto k = AnyPrivateKey::from_pem(*t);
    wipe(MutableByteView(reinterpret_cast<Byte*>(t->data()), t->size()));
    if (!k) return std::move(k.error()).context(path);
    return k;
}

result<Action> action_file(const std::string& path) {
    auto b = read_file(path, message_limit);
    if (!b) return b.error();
    auto a = Action::decode(*b);
    if (!a) return std::move(a.error()).context(path);
    return a;
}

result<std::chrono::system_clock::time_point> at_option(const Args& args) {
    if (!args.has("at")) return std::chrono::system_clock::now();
    auto t = uint_option(args, "at", 0);
    if (!t) return t.error();
    if (*t > std::uint64_t{253402300799}) return fail(usage_error, "--at: after the year 9999");
    return std::chrono::system_clock::time_point(std::chrono::seconds(static_cast<std::int64_t>(*t)));
}

result<Nonce> nonce_option(const Args& args, std::string_view fallback) {
    const std::string v = args.get("nonce").value_or(std::string(fallback));
    if (v == "zero") return Nonce{};
    if (v == "random") return random_nonce();
    auto b = hex_decode(v);
    if (!b) return fail(usage_error, "--nonce: expected zero, random or 24 hex digits, got '" + v + "'");
    auto n = Nonce::from(*b, "--nonce");
    if (!n) return fail(usage_error, n.error().message());
    return n;
}

result<void> action_seal(const Args& args, Io& io) {
    auto platform_text = read_text_file(args.required("platform-key"));
    if (!platform_text) return platform_text.error();
    auto platform = AnyPublicKey::from_pem(*platform_text);
    if (!platform) return std::move(platform.error()).context(args.required("platform-key"));
    auto chain = read_text_file(args.required("client-cert"));
    if (!chain) return chain.error();
    auto key = read_text_file(args.required("client-key"));
    if (!key) return key.error();
    auto client = Client::from_pem(*chain, *key);
    wipe(MutableByteView(reinterpret_cast<Byte*>(key->data()), key->size()));
    if (!client) return client.error();
    auto nonce = nonce_option(args, "zero");
    if (!nonce) return nonce.error();
    auto fingerprint = hex_option(args, "fingerprint");
    if (!fingerprint) return fail(usage_error, fingerprint.error().message());
    auto timeout = uint_option(args, "timeout", default_timeout_seconds);
    if (!timeout) return timeout.error();
    if (*timeout > static_cast<std::uint64_t>(Duration::max_seconds))
        return fail(usage_error, "--timeout: expected 0 to " + std::to_string(Duration::max_seconds) + " seconds");

    AdditionalData ad{std::move(*fingerprint), Duration::from_seconds(static_cast<std::int64_t>(*timeout))};
    // Sealed in place: stdin is read into the buffer that becomes stdout, the Action's head is
    // placed before the plaintext and the plaintext is sealed where it lies (one buffer).
    auto in = io.read_stdin_in_place(0, message_limit);
    if (!in) return in.error();
    const std::size_t plaintext_size = in->size();
    auto size = client->sealed_size(*platform, plaintext_size, ad);
    if (!size) return size.error();
    const MutableByteView buffer = io.grow_in_place(*size);
    auto sealed = client->seal_in_place(*platform, buffer, plaintext_size, std::move(ad), hazmat::chosen_nonce(*nonce));
    if (!sealed) return sealed.error();
    io.output_in_place(*sealed);
    return {};
}

result<void> action_open(const Args& args, Io& io) {
    std::vector<AnyPrivateKey> platform_keys;
    for (const std::string& path : args.all("platform-key")) {
        auto k = private_key(path);
        if (!k) return k.error();
        platform_keys.push_back(std::move(*k));
    }
    auto ca = read_text_file(args.required("ca"), key_file_limit * 16);
    if (!ca) return ca.error();
    auto trust = keys::TrustStore::from_pem(*ca);
    if (!trust) return std::move(trust.error()).context(args.required("ca"));
    auto at = at_option(args);
    if (!at) return at.error();
    auto max = uint_option(args, "max-timeout", default_max_timeout_seconds);
    if (!max) return max.error();
    if (*max == 0 || *max > static_cast<std::uint64_t>(Duration::max_seconds))
        return fail(usage_error, "--max-timeout: expected 1 to " + std::to_string(Duration::max_seconds) + " seconds");
    // std::chrono::nanoseconds holds about 292 years; beyond that the limit is "any".
    const auto max_ns = *max > 9'000'000'000ull ? std::chrono::nanoseconds::max()
                                                 : std::chrono::nanoseconds(std::chrono::seconds(*max));
    auto worker = Worker::create(std::move(platform_keys), std::move(*trust), max_ns);
    if (!worker) return worker.error();

    // Opened in place: the plaintext is decrypted where the ciphertext lies in the buffer
    // stdin was read into, and that part of the buffer is stdout (one buffer).
    auto in = io.read_stdin_in_place(0, message_limit);
    if (!in) return in.error();
    const Byte* start = in->data();
    auto opened = worker->open_in_place(*in, *at);
    if (!opened) return opened.error();
    io.output_in_place(static_cast<std::size_t>(opened->plaintext.data() - start), opened->plaintext.size());
    return {};
}

result<void> event_seal(const Args& args, Io& io) {
    auto action = action_file(args.required("action"));
    if (!action) return action.error();
    auto key = private_key(args.required("platform-key"));
    if (!key) return key.error();
    auto responder = Responder::unverified(*key, *action);
    if (!responder) return responder.error();
    auto nonce = nonce_option(args, "random");
    if (!nonce) return nonce.error();
    auto plaintext = io.read_stdin(message_limit);
    if (!plaintext) return plaintext.error();
    auto event = args.has("completion") ? responder->completion_event(*plaintext, hazmat::chosen_nonce(*nonce))
                                        : responder->execution_event(*plaintext, hazmat::chosen_nonce(*nonce));
    wipe(*plaintext);
    if (!event) return event.error();
    io.write(event->encode());
    return {};
}

result<void> event_open(const Args& args, Io& io) {
    auto action = action_file(args.required("action"));
    if (!action) return action.error();
    auto key = private_key(args.required("client-key"));
    if (!key) return key.error();
    auto pending = PendingAction::resume(*action, *key);
    if (!pending) return pending.error();
    auto bytes = io.read_stdin(message_limit);
    if (!bytes) return bytes.error();
    auto plaintext = args.has("completion") ? pending->open_completion_event(ByteView(*bytes))
                                            : pending->open_execution_event(ByteView(*bytes));
    if (!plaintext) return plaintext.error();
    io.write(*plaintext);
    return {};
}

const Registrar action_seal_command{{
    .words = {"action", "seal"},
    .summary = "seal stdin into a Bonanza Action for the workers of a platform key (Action bytes on stdout)",
    .options = {{.name = "platform-key", .value_name = "PUB", .help = "the platform public key (PKIX PEM)",
                 .required = true},
                {.name = "client-cert", .value_name = "CHAIN", .help = "client certificate chain PEM, leaf first",
                 .required = true},
                {.name = "client-key", .value_name = "KEY", .help = "the leaf's private key (PKCS#8 PEM)",
                 .required = true},
                {.name = "nonce", .value_name = "zero|random|HEX",
                 .help = "zero (default: in-flight deduplication), random, or 12 bytes as hex"},
                {.name = "fingerprint", .value_name = "HEX", .help = "additional_data.stable_fingerprint"},
                {.name = "timeout", .value_name = "SECONDS",
                 .help = "additional_data.execution_timeout (default 3600; 0: no time at all)"}},
    .run = action_seal,
    .details = "The ciphertext is AES-GCM-SIV under the ECDH secret of the client key and the platform key "
               "with its first byte XORed with 1; the associated data is the deterministic encoding of "
               "additional_data (doc/protocol.md#actions-and-events). An Ed25519 platform key is named by its X25519 form.",
}};

const Registrar action_open_command{{
    .words = {"action", "open"},
    .summary = "verify and open the Action on stdin as a worker (plaintext on stdout)",
    .options = {{.name = "platform-key", .value_name = "PRIV",
                 .help = "a platform private key (PKCS#8 PEM); repeat for key rotation", .required = true,
                 .repeatable = true},
                {.name = "ca", .value_name = "FILE", .help = "client CA certificates (PEM)", .required = true},
                {.name = "at", .value_name = "UNIXTIME", .help = "verification time (default: now)"},
                {.name = "max-timeout", .value_name = "SECONDS",
                 .help = "the longest execution timeout accepted (default 86400)"}},
    .run = action_open,
    .details = "Exit 1 when the client chain is not trusted or expired, the platform key does not match, or "
               "decryption fails; exit 2 when the bytes are not a well-formed Action or the execution timeout "
               "is missing or too large.",
}};

const Registrar event_seal_command{{
    .words = {"event", "seal"},
    .summary = "seal stdin into an Event answering the action in FILE (worker side)",
    .options = {{.name = "action", .value_name = "FILE", .help = "the Action bytes", .required = true},
                {.name = "platform-key", .value_name = "PRIV", .help = "the platform private key (PKCS#8 PEM)",
                 .required = true},
                {.name = "completion", .help = "a completion event (default: an execution event)"},
                {.name = "nonce", .value_name = "HEX", .help = "12 bytes as hex (default: random)"}},
    .run = event_seal,
    .details = "The client chain in the action is not verified here (action open does that).",
}};

const Registrar event_open_command{{
    .words = {"event", "open"},
    .summary = "open the Event on stdin answering the action in FILE (client side)",
    .options = {{.name = "action", .value_name = "FILE", .help = "the Action bytes", .required = true},
                {.name = "client-key", .value_name = "KEY", .help = "the client private key (PKCS#8 PEM)",
                 .required = true},
                {.name = "completion", .help = "a completion event (default: an execution event)"}},
    .run = event_open,
    .details = "Exit 1 when the event does not authenticate for this action, purpose and key.",
}};

} // namespace
} // namespace sealpipe::cli
