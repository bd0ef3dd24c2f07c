// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bodies of `Provider<Documents>` and `FolderDocuments` (included by sqooler/provider.hpp).

#ifndef SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP
#define SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP

#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/io/posix.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::sqooler {

namespace detail::provider {

/// A display name, job id or kid used as one path part.
[[nodiscard]] inline result<void> check_name(std::string_view name, std::string_view what) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos || name.front() == '.')
        return fail(error::invalid_argument,
                    "provider: " + std::string(what) + " must be a non-empty name without '/' that does not start with '.'");
    return {};
}

/// The payload object of a stored JWSDict, or the stored object itself (as sqooler reads it).
inline const boost::json::object& payload_of(const boost::json::object& stored) {
    const auto* p = stored.if_contains("payload");
    if (p && p->is_object() && stored.contains("signature") && stored.contains("header")) return p->get_object();
    return stored;
}

inline bool is_signed(const boost::json::object& stored) {
    const auto* p = stored.if_contains("payload");
    return p && p->is_object() && stored.contains("signature") && stored.contains("header");
}

using io::posix::errno_error;

[[nodiscard]] inline result<void> make_parent(const std::string& file) {
    const auto parent = std::filesystem::path(file).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail(error::io_error, "cannot create folder '" + parent.string() + "': " + ec.message());
    return {};
}

/// A temporary file beside `file` holding `text` (its folder made first).
[[nodiscard]] inline result<io::posix::TemporaryFile> write_temporary(const std::string& file, std::string_view text) {
    if (auto r = make_parent(file); !r) return r.error();
    return io::posix::TemporaryFile::write(file, as_bytes(text));
}

} // namespace detail::provider

// ----- FolderDocuments ------------------------------------------------------------------

inline result<std::optional<std::string>> FolderDocuments::get(const std::string& path) {
    const std::string f = file(path);
    io::posix::Fd fd(::open(f.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
        return detail::provider::errno_error("cannot open", f);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return detail::provider::errno_error("cannot stat", f);
    if (!S_ISREG(st.st_mode)) return fail(error::malformed_input, "provider: '" + f + "' is not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > max_document_bytes)
        return fail(error::size_limit_exceeded, "provider: '" + f + "' is larger than " +
                                                    std::to_string(max_document_bytes) + " bytes");
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return detail::provider::errno_error("cannot read", f);
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return std::optional<std::string>(std::move(out));
}

inline result<void> FolderDocuments::put(const std::string& path, std::string_view text) {
    auto tmp = detail::provider::write_temporary(file(path), text);
    if (!tmp) return tmp.error();
    return tmp->commit();
}

inline result<bool> FolderDocuments::put_if_absent(const std::string& path, std::string_view text) {
    auto tmp = detail::provider::write_temporary(file(path), text);
    if (!tmp) return tmp.error();
    return tmp->commit_new();
}

inline result<bool> FolderDocuments::move(const std::string& from, const std::string& to) {
    const std::string src = file(from);
    const std::string dst = file(to);
    if (auto r = detail::provider::make_parent(dst); !r) return r.error();
    if (::rename(src.c_str(), dst.c_str()) != 0) {
        if (errno == ENOENT) return false;
        return detail::provider::errno_error("cannot move", src);
    }
    return true;
}

inline result<std::vector<std::string>> FolderDocuments::list(const std::string& folder) {
    std::vector<std::string> out;
    const std::string dir = root_ + "/" + folder;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR) return out;
        return detail::provider::errno_error("cannot list", dir);
    }
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name.empty() || name.front() == '.' || name.size() <= 5 || !name.ends_with(".json")) continue;
        out.emplace_back(name.substr(0, name.size() - 5));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

// ----- Provider -------------------------------------------------------------------------

template <class D>
result<boost::json::object> Provider<D>::load_object(const std::string& path) {
    auto text = docs_.get(path);
    if (!text) return text.error();
    if (!*text) return fail(error::object_not_found, "provider: no document '" + path + "'");
    auto v = parse_python_json(**text);
    if (!v) return std::move(v).error().context("provider: document '" + path + "'");
    if (!v->is_object()) return fail(error::malformed_input, "provider: document '" + path + "' is not a JSON object");
    return std::move(v->get_object());
}

template <class D>
template <class T>
result<T> Provider<D>::load_payload(const std::string& path) {
    auto stored = load_object(path);
    if (!stored) return stored.error();
    auto doc = from_json<T>(boost::json::value(detail::provider::payload_of(*stored)));
    if (!doc) return std::move(doc).error().context("provider: document '" + path + "'");
    return doc;
}

template <class D>
result<void> Provider<D>::store_maybe_signed(const std::string& path, boost::json::object doc, bool sign,
                                              const PrivateJwk* key, bool only_if_absent) {
    std::string text;
    if (sign) {
        if (!key) return fail(error::invalid_argument, "provider: the backend signs, but no private key was given");
        auto jws = sign_sqooler(doc, *key);
        if (!jws) return jws.error();
        auto t = jws->to_json();
        if (!t) return t.error();
        text = std::move(*t);
    } else {
        auto t = python_dumps(boost::json::value(std::move(doc)));
        if (!t) return t.error();
        text = std::move(*t);
    }
    if (only_if_absent) {
        auto r = docs_.put_if_absent(path, text);
        if (!r) return r.error();
        if (!*r) return fail(error::invalid_argument, "provider: '" + path + "' already exists and is not overwritten");
        return {};
    }
    return docs_.put(path, text);
}

template <class D>
template <class T>
result<Verified<T>> Provider<D>::verify_stored(std::string_view display_name, const std::string& path) {
    auto key = get_public_key(display_name);
    if (!key) return key.error();
    auto stored = load_object(path);
    if (!stored) return stored.error();
    if (!detail::provider::is_signed(*stored))
        return fail(error::signature_invalid, "provider: '" + path + "' is not signed");
    auto jws = SqoolerJws::from_value(boost::json::value(std::move(*stored)));
    if (!jws) return std::move(jws).error().context("provider: document '" + path + "'");
    return verify_document<T>(*jws, *key);
}

template <class D>
result<std::string> Provider<D>::upload_job(std::string_view display_name, const Job& job) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    std::array<Byte, 12> id{};
    if (auto r = random_bytes(id); !r) return r.error();
    std::string job_id = hex_encode(id);
    auto text = python_dumps(to_json(job));
    if (!text) return text.error();
    auto stored = docs_.put_if_absent("jobs/queued/" + std::string(display_name) + "/" + job_id, *text);
    if (!stored) return stored.error();
    if (!*stored) return fail(error::internal, "provider: random job id collided");
    return job_id;
}

template <class D>
result<std::optional<NextJob>> Provider<D>::next_job_in_queue(std::string_view display_name) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    const std::string queue = "jobs/queued/" + std::string(display_name);
    auto names = docs_.list(queue);
    if (!names) return names.error();
    for (const auto& id : *names) {
        if (!detail::provider::check_name(id, "job id")) continue;
        auto moved = docs_.move(queue + "/" + id, "jobs/running/" + id);
        if (!moved) return moved.error();
        if (*moved) return std::optional<NextJob>(NextJob{id});
    }
    return std::optional<NextJob>();
}

template <class D>
result<Job> Provider<D>::get_running_job(std::string_view job_id) {
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<Job>("jobs/running/" + std::string(job_id));
}

template <class D>
result<void> Provider<D>::upload_status(std::string_view display_name, const StatusMessage& status,
                                        const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(status.job_id, "job id"); !r) return r.error();
    auto config = get_config(display_name);
    if (!config) return config.error();
    return store_maybe_signed("status/" + std::string(display_name) + "/" + status.job_id,
                              to_json(status).as_object(), config->sign, key, false);
}

template <class D>
result<StatusMessage> Provider<D>::get_status(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<StatusMessage>("status/" + std::string(display_name) + "/" + std::string(job_id));
}

template <class D>
result<Verified<StatusMessage>> Provider<D>::verify_status(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return verify_stored<StatusMessage>(display_name, "status/" + std::string(display_name) + "/" + std::string(job_id));
}

template <class D>
result<void> Provider<D>::upload_result(std::string_view display_name, std::string_view job_id,
                                        const ResultDocument& result_doc, const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    auto config = get_config(display_name);
    if (!config) return config.error();
    return store_maybe_signed("results/" + std::string(display_name) + "/" + std::string(job_id),
                              to_json(result_doc).as_object(), config->sign, key, false);
}

template <class D>
result<void> Provider<D>::update_in_database(std::string_view display_name, const StatusMessage& status,
                                             const ResultDocument* result_doc, const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(status.job_id, "job id"); !r) return r.error();
    const std::string running = "jobs/running/" + status.job_id;
    if (status.status == "DONE") {
        if (!result_doc) return fail(error::invalid_argument, "provider: a DONE job needs a result");
        if (auto r = upload_result(display_name, status.job_id, *result_doc, key); !r) return r.error();
        auto moved = docs_.move(running, "jobs/finished/" + std::string(display_name) + "/" + status.job_id);
        if (!moved) return moved.error();
    } else if (status.status == "ERROR") {
        auto moved = docs_.move(running, "jobs/deleted/" + status.job_id);
        if (!moved) return moved.error();
    }
    return upload_status(display_name, status, key);
}

template <class D>
result<ResultDocument> Provider<D>::get_result(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<ResultDocument>("results/" + std::string(display_name) + "/" + std::string(job_id));
}

template <class D>
result<Verified<ResultDocument>> Provider<D>::verify_result(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return verify_stored<ResultDocument>(display_name,
                                         "results/" + std::string(display_name) + "/" + std::string(job_id));
}

template <class D>
result<void> Provider<D>::upload_config(std::string_view display_name, BackendConfig config, const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (config.sign) {
        if (!key) return fail(error::invalid_argument, "provider: the config says \"sign\": true, but no private key was given");
        config.kid = key->kid();
    }
    return store_maybe_signed("backends/configs/" + std::string(display_name), to_json(config).as_object(),
                              config.sign, key, true);
}

template <class D>
result<void> Provider<D>::update_config(std::string_view display_name, BackendConfig config, const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    const std::string path = "backends/configs/" + std::string(display_name);
    auto old = load_object(path);
    if (!old) return old.error();
    if (detail::provider::is_signed(*old)) {
        if (!key) return fail(error::not_owner, "provider: the stored config is signed; only its owner's key may update it");
        auto jws = SqoolerJws::from_value(boost::json::value(std::move(*old)));
        if (!jws) return std::move(jws).error().context("provider: stored config");
        auto owns = jws->is_signed_by(*key);
        if (!owns) return owns.error();
        if (!*owns) return fail(error::not_owner, "provider: the key does not reproduce the stored config's signature");
    }
    if (config.sign) {
        if (!key) return fail(error::invalid_argument, "provider: the config says \"sign\": true, but no private key was given");
        config.kid = key->kid();
    }
    return store_maybe_signed(path, to_json(config).as_object(), config.sign, key, false);
}

template <class D>
result<BackendConfig> Provider<D>::get_config(std::string_view display_name) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    return load_payload<BackendConfig>("backends/configs/" + std::string(display_name));
}

template <class D>
result<Verified<BackendConfig>> Provider<D>::verify_config(std::string_view display_name) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    return verify_stored<BackendConfig>(display_name, "backends/configs/" + std::string(display_name));
}

template <class D>
result<void> Provider<D>::upload_public_key(const PublicJwk& key) {
    if (auto r = detail::provider::check_name(key.kid(), "kid"); !r) return r.error();
    const std::string path = "backends/public_keys/" + key.kid();
    const std::string text = key.to_json(JwkForm::sqooler);
    auto stored = docs_.put_if_absent(path, text);
    if (!stored) return stored.error();
    if (*stored) return {};
    auto existing = get_public_key_by_kid(key.kid());
    if (!existing) return existing.error();
    if (!constant_time_equal(existing->key().raw(), key.key().raw()))
        return fail(error::key_conflict, "provider: a different key is already published under kid '" + key.kid() + "'");
    return {};
}

template <class D>
result<PublicJwk> Provider<D>::get_public_key_by_kid(std::string_view kid) {
    if (auto r = detail::provider::check_name(kid, "kid"); !r) return r.error();
    auto obj = load_object("backends/public_keys/" + std::string(kid));
    if (!obj) return obj.error();
    auto key = PublicJwk::from_value(boost::json::value(std::move(*obj)));
    if (!key) return key.error();
    if (key->kid() != kid)
        return fail(error::key_conflict, "provider: the key stored under kid '" + std::string(kid) + "' names kid '" +
                                             key->kid() + "'");
    return key;
}

template <class D>
result<PublicJwk> Provider<D>::get_public_key(std::string_view display_name) {
    auto config = get_config(display_name);
    if (!config) return config.error();
    if (!config->kid || config->kid->empty())
        return fail(error::object_not_found, "provider: the config of '" + std::string(display_name) + "' names no kid");
    return get_public_key_by_kid(*config->kid);
}

template <class D>
result<void> Provider<D>::rotate_key(const PrivateJwk& old_key, const PublicJwk& new_key) {
    if (auto r = detail::provider::check_name(new_key.kid(), "new kid"); !r) return r.error();
    if (new_key.kid() == old_key.kid()) return fail(error::invalid_argument, "provider: a rotation needs a new kid");
    auto published = get_public_key_by_kid(old_key.kid());
    if (!published) return published.error();
    if (!constant_time_equal(published->key().raw(), old_key.public_jwk().key().raw()))
        return fail(error::not_owner, "provider: the old key is not the one published under kid '" + old_key.kid() + "'");
    if (auto r = upload_public_key(new_key); !r) return r.error();
    boost::json::object statement;
    statement["statement"] = key_rotation_statement;
    statement["old_kid"] = old_key.kid();
    statement["new_kid"] = new_key.kid();
    statement["new_key"] = new_key.to_value(JwkForm::sqooler);
    auto jws = sign_sqooler(statement, old_key);
    if (!jws) return jws.error();
    auto text = jws->to_json();
    if (!text) return text.error();
    const std::string path = "backends/key_rotations/" + new_key.kid();
    auto stored = docs_.put_if_absent(path, *text);
    if (!stored) return stored.error();
    if (!*stored) {
        auto existing = docs_.get(path);
        if (!existing) return existing.error();
        if (!*existing || **existing != *text)
            return fail(error::key_conflict, "provider: another rotation to kid '" + new_key.kid() + "' exists");
    }
    return {};
}

template <class D>
result<Verified<std::string>> Provider<D>::verify_rotation(std::string_view new_kid) {
    if (auto r = detail::provider::check_name(new_kid, "new kid"); !r) return r.error();
    auto stored = load_object("backends/key_rotations/" + std::string(new_kid));
    if (!stored) return stored.error();
    const auto* header = stored->if_contains("header");
    const auto* kid = header && header->is_object() ? header->get_object().if_contains("kid") : nullptr;
    if (!kid || !kid->is_string()) return fail(error::malformed_input, "provider: rotation statement without kid");
    const std::string signer(kid->get_string());   // `stored`, which holds kid, is moved below
    auto old_key = get_public_key_by_kid(signer);
    if (!old_key) return old_key.error();
    auto jws = SqoolerJws::from_value(boost::json::value(std::move(*stored)));
    if (!jws) return jws.error();
    auto v = verify_sqooler(*jws, *old_key);
    if (!v) return v.error();
    const auto& p = v->payload();
    const auto* st = p.if_contains("statement");
    const auto* nk = p.if_contains("new_kid");
    const auto* nkey = p.if_contains("new_key");
    if (!st || *st != boost::json::value(key_rotation_statement) || !nk || !nk->is_string() ||
        nk->get_string() != new_kid || !nkey)
        return fail(error::signature_invalid, "provider: the rotation statement does not name kid '" + std::string(new_kid) + "'");
    auto named = PublicJwk::from_value(*nkey);
    if (!named) return named.error();
    auto published = get_public_key_by_kid(new_kid);
    if (!published) return published.error();
    if (!constant_time_equal(named->key().raw(), published->key().raw()))
        return fail(error::signature_invalid, "provider: the published key under kid '" + std::string(new_kid) +
                                                  "' is not the one the rotation statement names");
    return std::move(*v).transform([&](boost::json::object&&) { return signer; });
}

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP
