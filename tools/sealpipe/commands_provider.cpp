// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Storage-provider commands (doc/cli.md, "Storage provider"): public keys, backend configs and
// results in a sqooler document store (`dir:`, `sqlite:` or `redis://`).

#include "cli.hpp"

#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler/redis.hpp>
#include <sealpipe/sqooler/sqlite.hpp>

#include <filesystem>
#include <system_error>
#include <variant>

namespace sealpipe::cli {
namespace {

constexpr std::size_t key_file_limit = 64 * 1024;

using AnyProvider = std::variant<sqooler::Provider<sqooler::FolderDocuments>, sqooler::Provider<sqooler::SqliteDocuments>,
                                 sqooler::Provider<sqooler::RedisDocuments>>;

result<AnyProvider> open_provider(const Args& args) {
    const std::string& uri = args.required("provider");
    if (uri.starts_with("dir:") && uri.size() > 4)
        return AnyProvider(sqooler::Provider(sqooler::FolderDocuments(uri.substr(4))));
    if (uri.starts_with("sqlite:") && uri.size() > 7) {
        auto d = sqooler::SqliteDocuments::open(uri.substr(7));
        if (!d) return d.error();
        return AnyProvider(sqooler::Provider(std::move(*d)));
    }
    if (uri.starts_with("redis://")) {
        auto c = io::redis::Config::from_uri(uri);
        if (!c) return c.error();
        return AnyProvider(sqooler::Provider(sqooler::RedisDocuments(std::move(*c))));
    }
    return fail(error::usage, "--provider: expected dir:PATH, sqlite:PATH or redis://…, got '" + uri + "'");
}

std::string_view trim(std::string_view s) {
    constexpr std::string_view ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

result<jose::PrivateJwk> parse_private_key(std::string_view text) {
    text = trim(text);
    return !text.empty() && text.front() == '{' ? jose::PrivateJwk::parse(text)
                                                : jose::PrivateJwk::from_config_string(text);
}

/// `--key`: a config string, a private JWK, or a file holding either; no value without --key.
result<std::optional<jose::PrivateJwk>> optional_key(const Args& args) {
    const auto arg = args.get("key");
    if (!arg) return std::optional<jose::PrivateJwk>();
    std::error_code ec;
    if (std::filesystem::is_regular_file(*arg, ec)) {
        auto bytes = read_file(*arg, key_file_limit);
        if (!bytes) return bytes.error();
        auto key = parse_private_key(as_chars(*bytes));
        wipe(*bytes);
        if (!key) return std::move(key).error().context("--key " + *arg);
        return std::optional<jose::PrivateJwk>(std::move(*key));
    }
    auto key = parse_private_key(*arg);
    if (!key) return std::move(key).error().context("--key (neither a file nor a config string)");
    return std::optional<jose::PrivateJwk>(std::move(*key));
}

template <class T>
result<T> document_from_stdin(Io& io, std::string_view what) {
    auto in = io.read_stdin(sqooler::max_document_bytes);
    if (!in) return in.error();
    auto v = jose::parse_python_json(as_chars(*in));
    if (!v) return std::move(v).error().context(what);
    auto doc = sqooler::from_json<T>(*v);
    if (!doc) return std::move(doc).error().context(what);
    return doc;
}

result<void> public_key_upload(const Args& args, Io& io) {
    auto in = io.read_stdin(key_file_limit);
    if (!in) return in.error();
    auto key = jose::PublicJwk::parse(trim(as_chars(*in)));
    if (!key) return key.error();
    auto p = open_provider(args);
    if (!p) return p.error();
    return std::visit([&](auto& provider) { return provider.upload_public_key(*key); }, *p);
}

result<void> config_write(const Args& args, Io& io, bool update) {
    auto config = document_from_stdin<sqooler::BackendConfig>(io, "backend config");
    if (!config) return config.error();
    auto key = optional_key(args);
    if (!key) return key.error();
    auto p = open_provider(args);
    if (!p) return p.error();
    const std::string& name = args.required("display-name");
    const jose::PrivateJwk* k = *key ? &**key : nullptr;
    return std::visit(
        [&](auto& provider) {
            return update ? provider.update_config(name, std::move(*config), k)
                          : provider.upload_config(name, std::move(*config), k);
        },
        *p);
}

result<void> config_upload(const Args& args, Io& io) { return config_write(args, io, false); }
result<void> config_update(const Args& args, Io& io) { return config_write(args, io, true); }

result<void> result_upload(const Args& args, Io& io) {
    auto doc = document_from_stdin<sqooler::ResultDocument>(io, "result");
    if (!doc) return doc.error();
    auto key = optional_key(args);
    if (!key) return key.error();
    auto p = open_provider(args);
    if (!p) return p.error();
    const jose::PrivateJwk* k = *key ? &**key : nullptr;
    return std::visit(
        [&](auto& provider) {
            return provider.upload_result(args.required("display-name"), args.required("job-id"), *doc, k);
        },
        *p);
}

result<void> result_verify(const Args& args, Io& io) {
    auto p = open_provider(args);
    if (!p) return p.error();
    auto verified = std::visit(
        [&](auto& provider) { return provider.verify_result(args.required("display-name"), args.required("job-id")); },
        *p);
    if (!verified) return verified.error();
    auto text = jose::python_dumps(sqooler::to_json(verified->payload()));
    if (!text) return text.error();
    io.write_line(*text);
    return {};
}

const Option provider_option{.name = "provider", .value_name = "URI",
                             .help = "dir:PATH (sqooler's folder layout), sqlite:PATH or redis://[[user]:password@]host[:port][/db]",
                             .required = true};
const Option name_option{.name = "display-name", .value_name = "NAME", .help = "the backend's display name",
                         .required = true};
const Option job_option{.name = "job-id", .value_name = "ID", .help = "the job id", .required = true};
const Option key_option{.name = "key", .value_name = "CONFIG",
                        .help = "the backend's private key: a config string, a private JWK, or a file holding either"};

const Registrar public_key_upload_command{{
    .words = {"provider", "public-key", "upload"},
    .summary = "stdin: a public JWK; publish it under its kid (exit 1 if a different key already holds that kid)",
    .options = {provider_option},
    .run = public_key_upload,
    .details = "A published key is immutable: publishing the same key again succeeds, a different one is refused.",
}};

const Registrar config_upload_command{{
    .words = {"provider", "config", "upload"},
    .summary = "stdin: a backend config; store it, signed (with its kid set) when it says \"sign\": true",
    .options = {provider_option, name_option, key_option},
    .run = config_upload,
    .details = "Refused (exit 2) if the backend already has a config: use `provider config update`.",
}};

const Registrar config_update_command{{
    .words = {"provider", "config", "update"},
    .summary = "stdin: a backend config; replace the stored one (exit 1 unless --key owns the stored signed config)",
    .options = {provider_option, name_option, key_option},
    .run = config_update,
}};

const Registrar result_upload_command{{
    .words = {"provider", "result", "upload"},
    .summary = "stdin: a result; store it, signed when the backend's config says \"sign\": true",
    .options = {provider_option, name_option, job_option, key_option},
    .run = result_upload,
}};

const Registrar result_verify_command{{
    .words = {"provider", "result", "verify"},
    .summary = "verify a stored result with the key the backend's config names (exit 1 if it does not verify)",
    .options = {provider_option, name_option, job_option},
    .run = result_verify,
    .details = "On success the verified result goes to stdout as json.dumps prints it.",
}};

} // namespace
} // namespace sealpipe::cli
