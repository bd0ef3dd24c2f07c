// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Storage-provider commands (doc/cli.md, "Storage provider"): every operation of sqooler's
// storage provider over a document store (`dir:`, `sqlite:` or `redis://`): jobs, status,
// results, backend configs, public keys and key rotation. Documents come on stdin and go to
// stdout as JSON; private keys come from a file or an environment variable, never from the
// command line, where every user sees them.

#include "cli.hpp"

#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler/redis.hpp>
#include <sealpipe/sqooler/sqlite.hpp>
#include <sealpipe/sqooler/uri.hpp>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <variant>

namespace sealpipe::cli {
namespace {

using sqooler::AnyProvider;

result<AnyProvider> open_provider(const Args& args) {
    auto p = sqooler::open_provider(args.required("provider"));
    if (!p && p.error() == errc::invalid_argument) return fail(usage_error, "--provider: " + p.error().message());
    return p;
}

/// Runs `f(provider)` on the provider that --provider names.
template <class F>
auto with_provider(const Args& args, F&& f) -> decltype(f(std::declval<sqooler::Provider<sqooler::FolderDocuments>&>())) {
    auto p = open_provider(args);
    if (!p) return p.error();
    return std::visit([&](auto& provider) { return f(provider); }, *p);
}

result<jose::PrivateJwk> parse_private_key(std::string_view text) {
    text = trim(text);
    return !text.empty() && text.front() == '{' ? jose::PrivateJwk::parse(text)
                                                : jose::PrivateJwk::from_config_string(text);
}

/** The private key of `--NAME FILE` or `--NAME-env VARIABLE`: a config string or a private JWK.
    A key written on the command line is visible to every user (`ps`). The tool's contract
    still allows `--key CONFIG` (a config string), so a value of --NAME that is not a file is
    read as a key, with a warning that names the safe ways; it is never echoed. */
result<std::optional<jose::PrivateJwk>> private_key_option(const Args& args, std::string_view name) {
    const std::string env_name = std::string(name) + "-env";
    const auto file = args.get(name);
    const auto env = args.get(env_name);
    if (file && env)
        return fail(usage_error, "--" + std::string(name) + " and --" + env_name + " name one key: give one of them");
    if (env) {
        const char* value = std::getenv(env->c_str());
        if (!value) return fail(usage_error, "--" + env_name + ": the environment variable " + *env + " is not set");
        auto key = parse_private_key(value);
        if (!key) return std::move(key).error().context("--" + env_name + " " + *env);
        return std::optional<jose::PrivateJwk>(std::move(*key));
    }
    if (!file) return std::optional<jose::PrivateJwk>();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec)) {
        auto key = parse_private_key(*file);
        if (!key)
            return fail(usage_error, "--" + std::string(name) + ": not a file, nor a private key (a config string or "
                                      "a private JWK); give a file with --" + std::string(name) + " FILE or use --" + env_name);
        std::fprintf(stderr,
                     "sealpipe: warning: --%.*s: a private key on the command line is visible to every user of this "
                     "machine (ps); put it in a file (--%.*s FILE) or an environment variable (--%s NAME)\n",
                     static_cast<int>(name.size()), name.data(), static_cast<int>(name.size()), name.data(),
                     env_name.c_str());
        return std::optional<jose::PrivateJwk>(std::move(*key));
    }
    auto bytes = read_file(*file, jwk_file_limit);
    if (!bytes) return bytes.error();
    auto key = parse_private_key(as_chars(*bytes));
    wipe(*bytes);
    if (!key) return std::move(key).error().context("--" + std::string(name) + " " + *file);
    return std::optional<jose::PrivateJwk>(std::move(*key));
}

result<jose::PrivateJwk> required_private_key(const Args& args, std::string_view name) {
    auto key = private_key_option(args, name);
    if (!key) return key.error();
    if (!*key) return fail(usage_error, "--" + std::string(name) + " FILE or --" + std::string(name) + "-env VARIABLE is required");
    return std::move(**key);
}

/// JSON on stdin, read as strictly as documents are stored: no member twice.
result<boost::json::value> json_from_text(std::string_view text, std::string_view what) {
    jose::PythonJsonOptions options;
    options.reject_duplicate_keys = true;
    options.max_depth = sqooler::max_document_depth;
    auto v = jose::parse_python_json(text, options);
    if (!v) return std::move(v).error().context(what);
    return v;
}

template <class T>
result<T> document_from_text(std::string_view text, std::string_view what) {
    auto v = json_from_text(text, what);
    if (!v) return v.error();
    auto doc = sqooler::from_json<T>(*v);
    if (!doc) return std::move(doc).error().context(what);
    return doc;
}

template <class T>
result<T> document_from_stdin(Io& io, std::string_view what) {
    auto in = io.read_stdin(sqooler::max_document_bytes);
    if (!in) return in.error();
    return document_from_text<T>(as_chars(*in), what);
}

/// Writes a JSON value as json.dumps prints it, and a newline.
result<void> write_json(Io& io, const boost::json::value& v) {
    auto text = jose::python_dumps(v);
    if (!text) return text.error();
    io.write_line(*text);
    return {};
}

template <class T>
result<void> write_document(Io& io, const result<T>& doc) {
    if (!doc) return doc.error();
    return write_json(io, sqooler::to_json(*doc));
}

template <class T>
result<void> write_verified(Io& io, const result<jose::Verified<T>>& v) {
    if (!v) return v.error();
    return write_json(io, sqooler::to_json(v->payload()));
}

const jose::PrivateJwk* key_pointer(const std::optional<jose::PrivateJwk>& key) { return key ? &*key : nullptr; }

// ----- public keys ----------------------------------------------------------------------

result<void> public_key_upload(const Args& args, Io& io) {
    auto in = io.read_stdin(jwk_file_limit);
    if (!in) return in.error();
    auto key = jose::PublicJwk::parse(trim(as_chars(*in)));
    if (!key) return key.error();
    return with_provider(args, [&](auto& p) { return p.upload_public_key(*key); });
}

result<void> public_key_get(const Args& args, Io& io) {
    const auto kid = args.get("kid");
    const auto name = args.get("display-name");
    if (kid.has_value() == name.has_value()) return fail(usage_error, "give one of --kid and --display-name");
    auto key = with_provider(args, [&](auto& p) {
        return kid ? p.get_public_key_by_kid(*kid) : p.get_public_key(*name);
    });
    if (!key) return key.error();
    io.write_line(key->to_json(jose::JwkForm::sqooler));
    return {};
}

result<void> key_rotate(const Args& args, Io&) {
    auto old_key = required_private_key(args, "key");
    if (!old_key) return old_key.error();
    auto new_key = required_private_key(args, "new-key");
    if (!new_key) return new_key.error();
    return with_provider(args, [&](auto& p) { return p.rotate_key(*old_key, *new_key); });
}

result<void> key_verify_rotation(const Args& args, Io& io) {
    auto v = with_provider(args, [&](auto& p) { return p.verify_rotation(args.required("kid")); });
    if (!v) return v.error();
    io.write_line(v->payload().to_json(jose::JwkForm::sqooler));
    return {};
}

// ----- configs --------------------------------------------------------------------------

result<void> config_write(const Args& args, Io& io, bool update) {
    auto config = document_from_stdin<sqooler::BackendConfig>(io, "backend config");
    if (!config) return config.error();
    auto key = private_key_option(args, "key");
    if (!key) return key.error();
    const std::string& name = args.required("display-name");
    return with_provider(args, [&](auto& p) {
        return update ? p.update_config(name, std::move(*config), key_pointer(*key))
                      : p.upload_config(name, std::move(*config), key_pointer(*key));
    });
}

result<void> config_upload(const Args& args, Io& io) { return config_write(args, io, false); }
result<void> config_update(const Args& args, Io& io) { return config_write(args, io, true); }

result<void> config_get(const Args& args, Io& io) {
    return write_document(io, with_provider(args, [&](auto& p) { return p.get_config(args.required("display-name")); }));
}

result<void> config_verify(const Args& args, Io& io) {
    return write_verified(io,
                          with_provider(args, [&](auto& p) { return p.verify_config(args.required("display-name")); }));
}

result<void> backends_list(const Args& args, Io& io) {
    auto names = with_provider(args, [&](auto& p) { return p.list_backends(); });
    if (!names) return names.error();
    boost::json::array out;
    for (const auto& n : *names) out.emplace_back(n);
    return write_json(io, out);
}

// ----- jobs and status ------------------------------------------------------------------

result<void> job_upload(const Args& args, Io& io) {
    auto job = document_from_stdin<sqooler::Job>(io, "job");
    if (!job) return job.error();
    auto id = with_provider(args, [&](auto& p) { return p.upload_job(args.required("display-name"), *job); });
    if (!id) return id.error();
    return write_json(io, boost::json::object{{"job_id", *id}});
}

result<void> job_next(const Args& args, Io& io) {
    auto next = with_provider(args, [&](auto& p) { return p.next_job_in_queue(args.required("display-name")); });
    if (!next) return next.error();
    if (!*next) return write_json(io, nullptr);
    return write_json(io, boost::json::object{{"job_id", (*next)->job_id}, {"job_json_path", (*next)->job_json_path}});
}

result<void> job_get(const Args& args, Io& io) {
    return write_document(io, with_provider(args, [&](auto& p) { return p.get_running_job(args.required("job-id")); }));
}

result<void> job_finish(const Args& args, Io& io) {
    auto status = document_from_stdin<sqooler::StatusMessage>(io, "status");
    if (!status) return status.error();
    if (status->status != "DONE" && status->status != "ERROR")
        return fail(usage_error, "job finish: the status must be \"DONE\" or \"ERROR\", got \"" + status->status +
                                      "\" (post other statuses with provider status upload)");
    std::optional<sqooler::ResultDocument> result_doc;
    if (const auto file = args.get("result")) {
        auto bytes = read_file(*file, sqooler::max_document_bytes);
        if (!bytes) return bytes.error();
        auto doc = document_from_text<sqooler::ResultDocument>(as_chars(*bytes), "--result " + *file);
        if (!doc) return doc.error();
        result_doc = std::move(*doc);
    }
    if (status->status == "DONE" && !result_doc) return fail(usage_error, "job finish: a DONE job needs --result FILE");
    if (status->status == "ERROR" && result_doc) return fail(usage_error, "job finish: an ERROR job has no result");
    auto key = private_key_option(args, "key");
    if (!key) return key.error();
    return with_provider(args, [&](auto& p) {
        return p.update_in_database(args.required("display-name"), *status, result_doc ? &*result_doc : nullptr,
                                    key_pointer(*key));
    });
}

result<void> status_upload(const Args& args, Io& io) {
    auto status = document_from_stdin<sqooler::StatusMessage>(io, "status");
    if (!status) return status.error();
    auto key = private_key_option(args, "key");
    if (!key) return key.error();
    return with_provider(args,
                         [&](auto& p) { return p.upload_status(args.required("display-name"), *status, key_pointer(*key)); });
}

result<void> status_get(const Args& args, Io& io) {
    return write_document(io, with_provider(args, [&](auto& p) {
                              return p.get_status(args.required("display-name"), args.required("job-id"));
                          }));
}

result<void> status_verify(const Args& args, Io& io) {
    return write_verified(io, with_provider(args, [&](auto& p) {
                              return p.verify_status(args.required("display-name"), args.required("job-id"));
                          }));
}

// ----- results --------------------------------------------------------------------------

result<void> result_upload(const Args& args, Io& io) {
    auto doc = document_from_stdin<sqooler::ResultDocument>(io, "result");
    if (!doc) return doc.error();
    auto key = private_key_option(args, "key");
    if (!key) return key.error();
    return with_provider(args, [&](auto& p) {
        return p.upload_result(args.required("display-name"), args.required("job-id"), *doc, key_pointer(*key));
    });
}

result<void> result_get(const Args& args, Io& io) {
    return write_document(io, with_provider(args, [&](auto& p) {
                              return p.get_result(args.required("display-name"), args.required("job-id"));
                          }));
}

result<void> result_verify(const Args& args, Io& io) {
    return write_verified(io, with_provider(args, [&](auto& p) {
                              return p.verify_result(args.required("display-name"), args.required("job-id"));
                          }));
}

// ----- the commands ---------------------------------------------------------------------

const Option provider_option{.name = "provider", .value_name = "URI",
                             .help = "dir:PATH (sqooler's folder layout), sqlite:PATH or redis://[[user]:password@]host[:port][/db]",
                             .required = true};
const Option name_option{.name = "display-name", .value_name = "NAME", .help = "the backend's display name",
                         .required = true};
const Option job_option{.name = "job-id", .value_name = "ID", .help = "the job id", .required = true};
const Option key_option{.name = "key", .value_name = "FILE",
                        .help = "a file holding the backend's private key (a config string or a private JWK)"};
const Option key_env_option{.name = "key-env", .value_name = "VARIABLE",
                            .help = "an environment variable holding the private key, instead of --key"};

constexpr std::string_view signing_details =
    "Exactly when the backend's config says \"sign\": true, the document is signed, and the key "
    "(--key FILE or --key-env VARIABLE; a config string given as --key itself is read, with a warning) must be the one "
    "published under the config's kid. Exit 1: another key, or a state that refuses the write.";

const Registrar public_key_upload_command{{
    .words = {"provider", "public-key", "upload"},
    .summary = "stdin: a public JWK; publish it under its kid (exit 1 if a different key already holds that kid)",
    .options = {provider_option},
    .run = public_key_upload,
    .details = "A published key is immutable: publishing the same key again succeeds, a different one is refused. "
               "Keys of small order (under which anyone can sign) are refused.",
}};

const Registrar public_key_get_command{{
    .words = {"provider", "public-key", "get"},
    .summary = "print the public JWK published under --kid, or the one a backend's config names",
    .options = {provider_option,
                {.name = "kid", .value_name = "KID", .help = "the key id"},
                {.name = "display-name", .value_name = "NAME", .help = "the backend whose config names the kid"}},
    .run = public_key_get,
}};

const Registrar key_rotate_command{{
    .words = {"provider", "key", "rotate"},
    .summary = "rotate the published key of --key to the key of --new-key, with a statement both keys sign",
    .options = {provider_option, key_option, key_env_option,
                {.name = "new-key", .value_name = "FILE", .help = "a file holding the new private key"},
                {.name = "new-key-env", .value_name = "VARIABLE", .help = "an environment variable holding the new private key"}},
    .run = key_rotate,
    .details = "Publishes the new public key. A key is rotated once (exit 1 if it was rotated to another key). "
               "Then move each config to the new key with `provider config update --key NEW`: the successor of "
               "a config's signer may update it, and the old key no longer may.",
}};

const Registrar key_verify_rotation_command{{
    .words = {"provider", "key", "verify-rotation"},
    .summary = "verify the rotation of --kid and print the public JWK it was rotated to (exit 1 if none verifies)",
    .options = {provider_option, {.name = "kid", .value_name = "KID", .help = "the old key's id", .required = true}},
    .run = key_verify_rotation,
}};

const Registrar config_upload_command{{
    .words = {"provider", "config", "upload"},
    .summary = "stdin: a backend config; store it, signed (with its kid set) when it says \"sign\": true",
    .options = {provider_option, name_option, key_option, key_env_option},
    .run = config_upload,
    .details = "Refused (exit 1) if the backend already has a config: its owner uses `provider config update`. "
               "A key with \"sign\": false, or none with \"sign\": true, is exit 2.",
}};

const Registrar config_update_command{{
    .words = {"provider", "config", "update"},
    .summary = "stdin: a backend config; replace the stored one (exit 1 unless the key owns the stored signed config)",
    .options = {provider_option, name_option, key_option, key_env_option},
    .run = config_update,
    .details = "The owner of a signed config is the key that signed it, or the key it was rotated to. A signed "
               "config is never replaced by an unsigned one. The ownership check and the write are one atomic step.",
}};

const Registrar config_get_command{{
    .words = {"provider", "config", "get"},
    .summary = "print a backend's stored config, unverified",
    .options = {provider_option, name_option},
    .run = config_get,
}};

const Registrar config_verify_command{{
    .words = {"provider", "config", "verify"},
    .summary = "verify a backend's signed config with the key published under its kid and print it (exit 1 if it does not verify)",
    .options = {provider_option, name_option},
    .run = config_verify,
}};

const Registrar backends_list_command{{
    .words = {"provider", "backends", "list"},
    .summary = "print the display names of the backends that have a config, as a JSON array",
    .options = {provider_option},
    .run = backends_list,
}};

const Registrar job_upload_command{{
    .words = {"provider", "job", "upload"},
    .summary = "stdin: a job; queue it for a backend and print {\"job_id\": …}",
    .options = {provider_option, name_option},
    .run = job_upload,
}};

const Registrar job_next_command{{
    .words = {"provider", "job", "next"},
    .summary = "take the backend's next queued job: print {\"job_id\": …, \"job_json_path\": \"jobs/running\"}, or null",
    .options = {provider_option, name_option},
    .run = job_next,
    .details = "Two takers never get the same job.",
}};

const Registrar job_get_command{{
    .words = {"provider", "job", "get"},
    .summary = "print a running job",
    .options = {provider_option, job_option},
    .run = job_get,
}};

const Registrar job_finish_command{{
    .words = {"provider", "job", "finish"},
    .summary = "stdin: the final status (DONE with --result FILE, or ERROR); finish a running job",
    .options = {provider_option, name_option, key_option, key_env_option,
                {.name = "result", .value_name = "FILE", .help = "the result of a DONE job"}},
    .run = job_finish,
    .details = "sqooler's update_in_database: DONE moves the job to jobs/finished and stores the result, ERROR moves "
               "it to jobs/deleted; then the status is stored. Exit 1 for a job that is not running.",
}};

const Registrar status_upload_command{{
    .words = {"provider", "status", "upload"},
    .summary = "stdin: a status; store it for a queued or running job (exit 1 for an unknown or finished job)",
    .options = {provider_option, name_option, key_option, key_env_option},
    .run = status_upload,
    .details = signing_details,
}};

const Registrar status_get_command{{
    .words = {"provider", "status", "get"},
    .summary = "print a job's stored status, unverified",
    .options = {provider_option, name_option, job_option},
    .run = status_get,
}};

const Registrar status_verify_command{{
    .words = {"provider", "status", "verify"},
    .summary = "verify a job's status with the key the backend's config names and print it (exit 1 if it does not verify)",
    .options = {provider_option, name_option, job_option},
    .run = status_verify,
}};

const Registrar result_upload_command{{
    .words = {"provider", "result", "upload"},
    .summary = "stdin: a result naming this job and backend; store it, signed when the backend's config says so",
    .options = {provider_option, name_option, job_option, key_option, key_env_option},
    .run = result_upload,
    .details = signing_details,
}};

const Registrar result_get_command{{
    .words = {"provider", "result", "get"},
    .summary = "print a job's stored result, unverified",
    .options = {provider_option, name_option, job_option},
    .run = result_get,
}};

const Registrar result_verify_command{{
    .words = {"provider", "result", "verify"},
    .summary = "verify a stored result with the key the backend's verified config names (exit 1 if it does not verify)",
    .options = {provider_option, name_option, job_option},
    .run = result_verify,
    .details = "The result must also name this job and this backend. On success it goes to stdout as json.dumps "
               "prints it. Exit 1 says which failed: a missing result, config or key, or one that does not verify.",
}};

} // namespace
} // namespace sealpipe::cli
