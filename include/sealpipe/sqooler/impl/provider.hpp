// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bodies of `Provider<Documents>` and `FolderDocuments` (included by sqooler/provider.hpp).

#ifndef SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP
#define SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP

#include <sealpipe/core/base64.hpp>
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::sqooler {

namespace detail::provider {

/// A display name, job id or kid used as one path part.
[[nodiscard]] inline result<void> check_name(std::string_view name, std::string_view what) {
    if (name.empty() || name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos ||
        name.front() == '.')
        return fail(errc::invalid_argument,
                    "provider: " + std::string(what) + " must be a non-empty name without '/' that does not start with '.'");
    if (name.size() > max_name_bytes)
        return fail(errc::invalid_argument, "provider: " + std::string(what) + " of " + std::to_string(name.size()) +
                                                 " bytes is longer than the limit of " +
                                                 std::to_string(max_name_bytes));
    return {};
}

/// How stored documents are read: the stored-form depth limit, and no repeated member (which
/// Python would collapse, so that bytes nobody signed would pass unnoticed).
inline jose::PythonJsonOptions stored_json_options() {
    jose::PythonJsonOptions o;
    o.max_depth = max_document_depth;
    o.reject_duplicate_keys = true;
    return o;
}

/** Whether a stored document is a JWSDict: exactly the members header, payload and
    signature. The kinds never meet: every document that may be signed (config, status,
    result) has required members of its own, so unsigned it always has other members, and
    documents that are never signed (jobs, keys) are never read as JWSDicts. */
inline bool is_jws_shaped(const boost::json::object& o) noexcept {
    return o.size() == 3 && o.contains("header") && o.contains("payload") && o.contains("signature");
}

/// The deepest nesting of arrays and objects in JSON text (strings skipped).
inline std::size_t json_depth(std::string_view text) noexcept {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

/// The bytes about to be stored fit the limits every reader applies.
[[nodiscard]] inline result<void> check_stored_form(std::string_view text, std::string_view what) {
    if (text.size() > max_document_bytes)
        return fail(errc::size_limit_exceeded, "provider: the " + std::string(what) + " would be stored as " +
                                                    std::to_string(text.size()) + " bytes, more than the limit of " +
                                                    std::to_string(max_document_bytes));
    if (const std::size_t depth = json_depth(text); depth > max_document_depth)
        return fail(errc::size_limit_exceeded, "provider: the " + std::string(what) + " would be stored " +
                                                    std::to_string(depth) + " levels deep, more than the limit of " +
                                                    std::to_string(max_document_depth));
    return {};
}

/** An error met while verifying: a document that cannot be read as what was signed is a
    failed verification (it is not authentic), not bad input from the caller. Missing
    documents and errors of the environment keep their codes. */
[[nodiscard]] inline Error in_verification(Error e, std::string_view what) {
    if (e == condition::bad_input) return Error(errc::signature_invalid, std::string(what) + ": " + e.message());
    if (e == condition::verification_failed && e != errc::object_not_found) return std::move(e).context(what);
    return e;
}

inline std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

inline std::string config_path(std::string_view name) { return "backends/configs/" + std::string(name); }
inline std::string key_path(std::string_view kid) { return "backends/public_keys/" + std::string(kid); }
inline std::string rotation_path(std::string_view old_kid) { return "backends/key_rotations/" + std::string(old_kid); }
inline std::string queued_path(std::string_view name, std::string_view id) {
    return "jobs/queued/" + std::string(name) + "/" + std::string(id);
}
inline std::string running_path(std::string_view id) { return "jobs/running/" + std::string(id); }
inline std::string finished_path(std::string_view name, std::string_view id) {
    return "jobs/finished/" + std::string(name) + "/" + std::string(id);
}
inline std::string deleted_path(std::string_view id) { return "jobs/deleted/" + std::string(id); }
inline std::string status_path(std::string_view name, std::string_view id) {
    return "status/" + std::string(name) + "/" + std::string(id);
}
inline std::string result_path(std::string_view name, std::string_view id) {
    return "results/" + std::string(name) + "/" + std::string(id);
}

/// How often a compare-and-swap is retried when other writers keep coming first.
inline constexpr int max_swap_attempts = 64;
/// The longest chain of rotations followed from a config's signer to its owner.
inline constexpr int max_rotation_steps = 16;

using io::posix::errno_error;

[[nodiscard]] inline result<void> make_parent(const std::string& file) {
    const auto parent = std::filesystem::path(file).parent_path();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail(errc::io_error, "cannot create folder '" + parent.string() + "': " + ec.message());
    return {};
}

/// A temporary file beside `file` holding `text` (its folder made first).
[[nodiscard]] inline result<io::posix::TemporaryFile> write_temporary(const std::string& file, std::string_view text) {
    if (auto r = make_parent(file); !r) return r.error();
    return io::posix::TemporaryFile::write(file, as_bytes(text));
}

/// An exclusive flock(2) of a folder, held while the descriptor lives; none if the folder is missing.
[[nodiscard]] inline result<std::optional<io::posix::Fd>> lock_folder(const std::string& folder) {
    io::posix::Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<io::posix::Fd>();
        return errno_error("cannot open folder", folder);
    }
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return errno_error("cannot lock folder", folder);
    return std::optional<io::posix::Fd>(std::move(fd));
}

} // namespace detail::provider

// ----- FolderDocuments ------------------------------------------------------------------

inline result<std::optional<std::string>> FolderDocuments::get(const std::string& path) {
    const std::string f = file(path);
    const auto not_regular = [&] {
        return fail(errc::malformed_input, "provider: '" + f + "' is not a regular file");
    };
    // Look before opening: opening a FIFO or a device can block or act on it.
    struct stat st {};
    if (::lstat(f.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
        return detail::provider::errno_error("cannot stat", f);
    }
    if (!S_ISREG(st.st_mode)) return not_regular();
    // ... and open as if it could have been swapped meanwhile: never follow, never block.
    io::posix::Fd fd(::open(f.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (fd.get() < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
        if (errno == ELOOP) return not_regular();
        return detail::provider::errno_error("cannot open", f);
    }
    if (::fstat(fd.get(), &st) != 0) return detail::provider::errno_error("cannot stat", f);
    if (!S_ISREG(st.st_mode)) return not_regular();
    if (static_cast<std::uint64_t>(st.st_size) > max_document_bytes)
        return fail(errc::size_limit_exceeded, "provider: '" + f + "' is larger than " +
                                                    std::to_string(max_document_bytes) + " bytes");
    std::string out;
    // One byte more than its size tells a file that grew since fstat (read again: a rename
    // replaces a file, it does not grow it, so this is a writer outside the store's rules).
    if (int err = io::posix::read_up_to(fd.get(), out, static_cast<std::size_t>(st.st_size) + 1))
        return detail::provider::errno_error("cannot read", f, err);
    if (out.size() > static_cast<std::size_t>(st.st_size))
        return fail(errc::io_error, "provider: '" + f + "' changed while it was read");
    return std::optional<std::string>(std::move(out));
}

inline result<void> FolderDocuments::put(const std::string& path, std::string_view text) {
    const std::string f = file(path);
    auto tmp = detail::provider::write_temporary(f, text);
    if (!tmp) return tmp.error();
    auto lock = detail::provider::lock_folder(io::posix::folder_of(f));
    if (!lock) return lock.error();
    return tmp->commit();
}

inline result<bool> FolderDocuments::put_if_absent(const std::string& path, std::string_view text) {
    auto tmp = detail::provider::write_temporary(file(path), text);
    if (!tmp) return tmp.error();
    return tmp->commit_new();
}

inline result<bool> FolderDocuments::put_if_unchanged(const std::string& path, std::string_view expected,
                                                      std::string_view text) {
    const std::string f = file(path);
    auto lock = detail::provider::lock_folder(io::posix::folder_of(f));
    if (!lock) return lock.error();
    if (!*lock) return false;  // no folder, no document
    auto current = get(path);
    if (!current) return current.error();
    if (!*current || **current != expected) return false;
    auto tmp = io::posix::TemporaryFile::write(f, as_bytes(text));
    if (!tmp) return tmp.error();
    if (auto r = tmp->commit(); !r) return r.error();
    return true;
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

// ----- Provider: reading ----------------------------------------------------------------

template <class D>
result<std::string> Provider<D>::load_text(const std::string& path, std::string_view what) {
    auto text = docs_.get(path);
    if (!text) return text.error();
    if (!*text)
        return fail(errc::object_not_found,
                    "provider: the " + std::string(what) + " is missing ('" + path + "' does not exist)");
    if ((*text)->size() > max_document_bytes)
        return fail(errc::size_limit_exceeded, "provider: the " + std::string(what) + " is larger than " +
                                                    std::to_string(max_document_bytes) + " bytes");
    return std::move(**text);
}

template <class D>
result<boost::json::object> Provider<D>::load_object(const std::string& path, std::string_view what) {
    auto text = load_text(path, what);
    if (!text) return text.error();
    auto v = parse_python_json(*text, detail::provider::stored_json_options());
    if (!v) return std::move(v).error().context("provider: the " + std::string(what) + " ('" + path + "')");
    if (!v->is_object())
        return fail(errc::malformed_input,
                    "provider: the " + std::string(what) + " ('" + path + "') is not a JSON object");
    return std::move(v->get_object());
}

template <class D>
template <class T>
result<T> Provider<D>::load_payload(const std::string& path, std::string_view what, bool signable) {
    auto stored = load_object(path, what);
    if (!stored) return stored.error();
    const boost::json::object* body = &*stored;
    if (signable && detail::provider::is_jws_shaped(*stored)) {
        body = stored->at("payload").if_object();
        if (!body)
            return fail(errc::malformed_input,
                        "provider: the " + std::string(what) + " is a JWSDict whose payload is not an object");
    }
    auto doc = from_json<T>(boost::json::value(*body));
    if (!doc) return std::move(doc).error().context("provider: the " + std::string(what));
    return doc;
}

template <class D>
template <class T>
result<Verified<T>> Provider<D>::verify_stored(std::string_view display_name, const std::string& path,
                                               std::string_view what) {
    using detail::provider::in_verification;
    const std::string context = "provider: the " + std::string(what);
    auto key = signing_key(display_name);
    if (!key) return key.error();
    auto stored = load_object(path, what);
    if (!stored) return in_verification(stored.error(), context);
    if (!detail::provider::is_jws_shaped(*stored))
        return fail(errc::signature_invalid, context + " is not signed");
    auto jws = SqoolerJws::from_value(boost::json::value(std::move(*stored)));
    if (!jws) return in_verification(jws.error(), context);
    auto v = verify_document<T>(*jws, *key);
    if (!v) return in_verification(v.error(), context + " does not verify");
    return v;
}

template <class D>
result<PublicJwk> Provider<D>::signing_key(std::string_view display_name) {
    auto config = verify_config(display_name);
    if (!config) return config.error();
    auto key = get_public_key_by_kid(config->kid());
    if (!key) return detail::provider::in_verification(key.error(), "provider: the key of backend '" +
                                                                        std::string(display_name) + "'");
    return key;
}

// ----- Provider: who may sign -----------------------------------------------------------

template <class D>
result<std::optional<std::string>> Provider<D>::successor_of(std::string_view kid) {
    auto stored = docs_.get(detail::provider::rotation_path(kid));
    if (!stored) return stored.error();
    if (!*stored) return std::optional<std::string>();
    auto v = verify_rotation(kid);
    if (!v) return v.error();
    return std::optional<std::string>(v->payload().kid());
}

template <class D>
result<void> Provider<D>::check_signer(const PrivateJwk& key) {
    if (auto r = detail::provider::check_name(key.kid(), "kid"); !r) return r.error();
    auto published = get_public_key_by_kid(key.kid());
    if (!published) {
        if (published.error() == errc::object_not_found)
            return fail(errc::object_not_found,
                        "provider: no key is published under kid '" + key.kid() + "': publish the public key first");
        return published.error();
    }
    if (!constant_time_equal(published->key().raw(), key.private_key().public_key().raw()))
        return fail(errc::not_owner, "provider: the key is not the one published under kid '" + key.kid() + "'");
    auto next = successor_of(key.kid());
    if (!next) return next.error();
    if (*next)
        return fail(errc::not_owner,
                    "provider: key '" + key.kid() + "' was rotated to '" + **next + "'; sign with that key");
    return {};
}

template <class D>
result<void> Provider<D>::check_backend_key(std::string_view display_name, const PrivateJwk* key) {
    auto config = get_config(display_name);
    if (!config) return config.error();
    const std::string backend = detail::provider::quoted(display_name);
    if (!config->sign) {
        if (key)
            return fail(errc::invalid_argument, "provider: backend " + backend +
                                                     " does not sign (its config says \"sign\": false), but a key was "
                                                     "given; it would not be used");
        return {};
    }
    if (!key)
        return fail(errc::invalid_argument, "provider: backend " + backend + " signs, but no private key was given");
    auto verified = verify_config(display_name);
    if (!verified) return verified.error();
    if (verified->kid() != key->kid())
        return fail(errc::not_owner, "provider: backend " + backend + " signs with the key of kid '" +
                                          verified->kid() + "', not with '" + key->kid() + "'");
    return check_signer(*key);
}

template <class D>
result<std::string> Provider<D>::render(const boost::json::object& doc, const PrivateJwk* key) {
    std::string text;
    if (key) {
        auto jws = sign_sqooler(doc, *key);
        if (!jws) return jws.error();
        auto t = jws->to_json();
        if (!t) return t.error();
        text = std::move(*t);
    } else {
        if (detail::provider::is_jws_shaped(doc))
            return fail(errc::invalid_argument,
                        "provider: an unsigned document with exactly the members header, payload and signature "
                        "would be read as a signed one");
        auto t = python_dumps(boost::json::value(doc));
        if (!t) return t.error();
        text = std::move(*t);
    }
    return text;
}

// ----- Provider: jobs and status --------------------------------------------------------

template <class D>
result<std::string> Provider<D>::upload_job(std::string_view display_name, const Job& job) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    std::array<Byte, 12> id{};
    if (auto r = random_bytes(id); !r) return r.error();
    std::string job_id = hex_encode(id);
    auto text = python_dumps(to_json(job));
    if (!text) return text.error();
    if (auto r = detail::provider::check_stored_form(*text, "job"); !r) return r.error();
    auto stored = docs_.put_if_absent(detail::provider::queued_path(display_name, job_id), *text);
    if (!stored) return stored.error();
    if (!*stored) return fail(errc::internal, "provider: random job id collided");
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
        auto moved = docs_.move(queue + "/" + id, detail::provider::running_path(id));
        if (!moved) return moved.error();
        if (*moved) return std::optional<NextJob>(NextJob{id});
    }
    return std::optional<NextJob>();
}

template <class D>
result<Job> Provider<D>::get_running_job(std::string_view job_id) {
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<Job>(detail::provider::running_path(job_id), "running job '" + std::string(job_id) + "'",
                             false);
}

template <class D>
result<typename Provider<D>::JobState> Provider<D>::job_state(std::string_view display_name,
                                                              std::string_view job_id) {
    using namespace detail::provider;
    // In the order a job moves, so that a job moving meanwhile is still seen once.
    const std::pair<std::string, JobState> places[] = {{queued_path(display_name, job_id), JobState::queued},
                                                       {running_path(job_id), JobState::running},
                                                       {finished_path(display_name, job_id), JobState::finished},
                                                       {deleted_path(job_id), JobState::finished}};
    for (const auto& [path, state] : places) {
        auto doc = docs_.get(path);
        if (!doc) return doc.error();
        if (*doc) return state;
    }
    return JobState::unknown;
}

template <class D>
Error Provider<D>::not_movable(std::string_view display_name, std::string_view job_id) {
    const std::string job = "provider: job '" + std::string(job_id) + "' of backend '" + std::string(display_name) + "'";
    auto state = job_state(display_name, job_id);
    if (!state) return state.error();
    switch (*state) {
    case JobState::queued: return fail(errc::conflict, job + " is queued, not running");
    case JobState::finished: return fail(errc::conflict, job + " is already finished; its status is final");
    case JobState::running: return fail(errc::conflict, job + " is running, but another call moved it meanwhile");
    case JobState::unknown: break;
    }
    return fail(errc::object_not_found, job + " does not exist");
}

template <class D>
result<void> Provider<D>::store_status(std::string_view display_name, std::string_view job_id, const std::string& text) {
    const std::string path = detail::provider::status_path(display_name, job_id);
    for (int attempt = 0; attempt < detail::provider::max_swap_attempts; ++attempt) {
        auto current = docs_.get(path);
        if (!current) return current.error();
        // The job's state is read after the status: if it finishes in between, the swap
        // below fails, because finishing writes the final status.
        auto state = job_state(display_name, job_id);
        if (!state) return state.error();
        if (*state == JobState::unknown || *state == JobState::finished) return not_movable(display_name, job_id);
        auto stored = *current ? docs_.put_if_unchanged(path, **current, text) : docs_.put_if_absent(path, text);
        if (!stored) return stored.error();
        if (*stored) return {};
    }
    return fail(errc::timed_out, "provider: the status of job '" + std::string(job_id) + "' kept changing");
}

template <class D>
result<void> Provider<D>::upload_status(std::string_view display_name, const StatusMessage& status,
                                        const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(status.job_id, "job id"); !r) return r.error();
    if (auto r = check_backend_key(display_name, key); !r) return r.error();
    auto text = render(to_json(status).as_object(), key);
    if (!text) return text.error();
    if (auto r = detail::provider::check_stored_form(*text, "status"); !r) return r.error();
    return store_status(display_name, status.job_id, *text);
}

template <class D>
result<StatusMessage> Provider<D>::get_status(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<StatusMessage>(detail::provider::status_path(display_name, job_id),
                                       "status of job '" + std::string(job_id) + "'", true);
}

template <class D>
result<Verified<StatusMessage>> Provider<D>::verify_status(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    const std::string what = "status of job '" + std::string(job_id) + "' of backend '" + std::string(display_name) + "'";
    auto v = verify_stored<StatusMessage>(display_name, detail::provider::status_path(display_name, job_id), what);
    if (!v) return v.error();
    if (v->payload().job_id != job_id)
        return fail(errc::signature_invalid, "provider: the " + what + " is signed for job '" +
                                                  v->payload().job_id + "' (copied from another job)");
    return v;
}

// ----- Provider: results ----------------------------------------------------------------

template <class D>
result<void> Provider<D>::upload_result(std::string_view display_name, std::string_view job_id,
                                        const ResultDocument& result_doc, const PrivateJwk* key) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    if (result_doc.job_id != job_id || result_doc.display_name != display_name)
        return fail(errc::invalid_argument, "provider: the result names job '" + result_doc.job_id +
                                                 "' of backend '" + result_doc.display_name + "'; it cannot be stored as job '" +
                                                 std::string(job_id) + "' of backend '" + std::string(display_name) + "'");
    if (auto r = check_backend_key(display_name, key); !r) return r.error();
    auto text = render(to_json(result_doc).as_object(), key);
    if (!text) return text.error();
    if (auto r = detail::provider::check_stored_form(*text, "result"); !r) return r.error();
    return docs_.put(detail::provider::result_path(display_name, job_id), *text);
}

template <class D>
result<void> Provider<D>::update_in_database(std::string_view display_name, const StatusMessage& status,
                                             const ResultDocument* result_doc, const PrivateJwk* key) {
    using namespace detail::provider;
    if (status.status != "DONE" && status.status != "ERROR") return upload_status(display_name, status, key);
    if (auto r = check_name(display_name, "display name"); !r) return r.error();
    if (auto r = check_name(status.job_id, "job id"); !r) return r.error();
    const bool done = status.status == "DONE";
    if (done && !result_doc) return fail(errc::invalid_argument, "provider: a DONE job needs a result");
    if (done && (result_doc->job_id != status.job_id || result_doc->display_name != display_name))
        return fail(errc::invalid_argument, "provider: the result names job '" + result_doc->job_id + "' of backend '" +
                                                 result_doc->display_name + "', not job '" + status.job_id +
                                                 "' of backend '" + std::string(display_name) + "'");
    // Everything that can be refused is checked and signed before the job moves.
    if (auto r = check_backend_key(display_name, key); !r) return r.error();
    auto status_text = render(to_json(status).as_object(), key);
    if (!status_text) return status_text.error();
    if (auto r = check_stored_form(*status_text, "status"); !r) return r.error();
    std::string result_text;
    if (done) {
        auto t = render(to_json(*result_doc).as_object(), key);
        if (!t) return t.error();
        if (auto r = check_stored_form(*t, "result"); !r) return r.error();
        result_text = std::move(*t);
    }
    auto moved = docs_.move(running_path(status.job_id),
                            done ? finished_path(display_name, status.job_id) : deleted_path(status.job_id));
    if (!moved) return moved.error();
    if (!*moved) return not_movable(display_name, status.job_id);
    if (done)
        if (auto r = docs_.put(result_path(display_name, status.job_id), result_text); !r) return r.error();
    return docs_.put(status_path(display_name, status.job_id), *status_text);
}

template <class D>
result<ResultDocument> Provider<D>::get_result(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    return load_payload<ResultDocument>(detail::provider::result_path(display_name, job_id),
                                        "result of job '" + std::string(job_id) + "'", true);
}

template <class D>
result<Verified<ResultDocument>> Provider<D>::verify_result(std::string_view display_name, std::string_view job_id) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    if (auto r = detail::provider::check_name(job_id, "job id"); !r) return r.error();
    const std::string what = "result of job '" + std::string(job_id) + "' of backend '" + std::string(display_name) + "'";
    auto v = verify_stored<ResultDocument>(display_name, detail::provider::result_path(display_name, job_id), what);
    if (!v) return v.error();
    // sqooler checks only the signature; the payload must also be the one asked for.
    const auto& r = v->payload();
    if (r.job_id != job_id || r.display_name != display_name)
        return fail(errc::signature_invalid, "provider: the " + what + " is signed for job '" + r.job_id +
                                                  "' of backend '" + r.display_name + "' (copied)");
    return v;
}

// ----- Provider: configs ----------------------------------------------------------------

namespace detail::provider {

/// The config as it is stored: it names its backend, and its kid when signed.
[[nodiscard]] inline result<void> prepare_config(std::string_view display_name, BackendConfig& config,
                                                 const PrivateJwk* key) {
    if (config.sign && !key)
        return fail(errc::invalid_argument, "provider: the config says \"sign\": true, but no private key was given");
    if (!config.sign && key)
        return fail(errc::invalid_argument,
                    "provider: the config says \"sign\": false, but a key was given; a config is signed exactly "
                    "when it says \"sign\": true");
    if (config.display_name && *config.display_name != display_name)
        return fail(errc::invalid_argument, "provider: the config names backend '" + *config.display_name +
                                                 "'; it cannot be stored for '" + std::string(display_name) + "'");
    config.display_name = std::string(display_name);
    if (config.sign) config.kid = key->kid();
    return {};
}

} // namespace detail::provider

template <class D>
result<void> Provider<D>::upload_config(std::string_view display_name, BackendConfig config, const PrivateJwk* key) {
    using namespace detail::provider;
    if (auto r = check_name(display_name, "display name"); !r) return r.error();
    if (auto r = prepare_config(display_name, config, key); !r) return r.error();
    if (config.sign)
        if (auto r = check_signer(*key); !r) return r.error();
    auto text = render(to_json(config).as_object(), config.sign ? key : nullptr);
    if (!text) return text.error();
    if (auto r = check_stored_form(*text, "config"); !r) return r.error();
    auto stored = docs_.put_if_absent(config_path(display_name), *text);
    if (!stored) return stored.error();
    if (!*stored)
        return fail(errc::conflict, "provider: backend '" + std::string(display_name) +
                                         "' already has a config; its owner replaces it with an update");
    return {};
}

template <class D>
result<void> Provider<D>::authorize_config_update(const std::string& stored, const PrivateJwk* key) {
    using namespace detail::provider;
    auto old = parse_python_json(stored, stored_json_options());
    if (!old) return std::move(old).error().context("provider: the stored config");
    if (!old->is_object()) return fail(errc::malformed_input, "provider: the stored config is not a JSON object");
    if (!is_jws_shaped(old->get_object())) return {};  // unsigned: anyone may replace it, as in sqooler
    if (!key)
        return fail(errc::not_owner, "provider: the stored config is signed; only its owner's key may replace it");
    auto jws = SqoolerJws::from_value(std::move(*old));
    if (!jws)
        return fail(errc::not_owner, "provider: the stored config is signed but unreadable (" + jws.error().message() +
                                          "); it is not replaced");
    const std::string signer = jws->header().kid;
    if (signer == key->kid()) {
        auto owns = jws->is_signed_by(*key);
        if (!owns) return owns.error();
        if (!*owns) return fail(errc::not_owner, "provider: the key does not reproduce the stored config's signature");
        return {};
    }
    // Not the signer: the key must succeed it through verified rotations, and the stored
    // config must be the signer's.
    auto published = get_public_key_by_kid(signer);
    if (!published || !verify_sqooler(*jws, *published))
        return fail(errc::not_owner, "provider: the stored config does not verify with the key published under its "
                                      "kid '" + signer + "'; it is not replaced");
    std::string kid = signer;
    for (int step = 0; step < max_rotation_steps; ++step) {
        auto next = successor_of(kid);
        if (!next) return next.error();
        if (!*next) break;
        kid = std::move(**next);
        if (kid == key->kid()) return {};
    }
    return fail(errc::not_owner, "provider: the stored config is signed by kid '" + signer + "'; key '" + key->kid() +
                                      "' neither signed it nor succeeds it by a key rotation");
}

template <class D>
result<void> Provider<D>::update_config(std::string_view display_name, BackendConfig config, const PrivateJwk* key) {
    using namespace detail::provider;
    if (auto r = check_name(display_name, "display name"); !r) return r.error();
    if (auto r = prepare_config(display_name, config, key); !r) return r.error();
    // With a key, only a current owner's key is accepted: published, and not rotated away.
    if (key)
        if (auto r = check_signer(*key); !r) return r.error();
    auto text = render(to_json(config).as_object(), config.sign ? key : nullptr);
    if (!text) return text.error();
    if (auto r = check_stored_form(*text, "config"); !r) return r.error();
    const std::string path = config_path(display_name);
    for (int attempt = 0; attempt < max_swap_attempts; ++attempt) {
        auto stored = docs_.get(path);
        if (!stored) return stored.error();
        if (!*stored)
            return fail(errc::object_not_found, "provider: backend '" + std::string(display_name) + "' has no config");
        if (auto r = authorize_config_update(**stored, key); !r) return r.error();
        // The check above holds for these very bytes: the swap fails if anyone wrote since.
        auto swapped = docs_.put_if_unchanged(path, **stored, *text);
        if (!swapped) return swapped.error();
        if (*swapped) return {};
    }
    return fail(errc::timed_out, "provider: the config of backend '" + std::string(display_name) +
                                      "' kept changing during the update");
}

template <class D>
result<BackendConfig> Provider<D>::get_config(std::string_view display_name) {
    if (auto r = detail::provider::check_name(display_name, "display name"); !r) return r.error();
    return load_payload<BackendConfig>(detail::provider::config_path(display_name),
                                       "config of backend '" + std::string(display_name) + "'", true);
}

template <class D>
result<Verified<BackendConfig>> Provider<D>::verify_config(std::string_view display_name) {
    using namespace detail::provider;
    if (auto r = check_name(display_name, "display name"); !r) return r.error();
    const std::string what = "config of backend '" + std::string(display_name) + "'";
    const std::string context = "provider: the " + what;
    auto stored = load_object(config_path(display_name), what);
    if (!stored) return in_verification(stored.error(), context);
    if (!is_jws_shaped(*stored)) return fail(errc::signature_invalid, context + " is not signed");
    auto jws = SqoolerJws::from_value(boost::json::value(std::move(*stored)));
    if (!jws) return in_verification(jws.error(), context);
    if (auto r = check_name(jws->header().kid, "kid"); !r) return in_verification(r.error(), context);
    auto key = get_public_key_by_kid(jws->header().kid);
    if (!key) return in_verification(key.error(), context);
    auto v = verify_document<BackendConfig>(*jws, *key);
    if (!v) return in_verification(v.error(), context + " does not verify");
    if (v->payload().kid.value_or("") != v->kid())
        return fail(errc::signature_invalid, context + " is signed by kid '" + v->kid() + "' but names kid '" +
                                                  v->payload().kid.value_or("") + "'");
    if (v->payload().display_name.value_or("") != display_name)
        return fail(errc::signature_invalid, context + " is signed for backend '" +
                                                  v->payload().display_name.value_or("") + "' (copied)");
    return v;
}

template <class D>
result<std::vector<std::string>> Provider<D>::list_backends() {
    auto names = docs_.list("backends/configs");
    if (!names) return names.error();
    std::erase_if(*names, [](const std::string& n) { return !detail::provider::check_name(n, "display name"); });
    return names;
}

// ----- Provider: public keys and rotation -----------------------------------------------

template <class D>
result<void> Provider<D>::upload_public_key(const PublicJwk& key) {
    if (auto r = detail::provider::check_name(key.kid(), "kid"); !r) return r.error();
    const std::string path = detail::provider::key_path(key.kid());
    const std::string text = key.to_json(JwkForm::sqooler);
    auto stored = docs_.put_if_absent(path, text);
    if (!stored) return stored.error();
    if (*stored) return {};
    auto existing = get_public_key_by_kid(key.kid());
    if (!existing) return existing.error();
    if (!constant_time_equal(existing->key().raw(), key.key().raw()))
        return fail(errc::key_conflict, "provider: a different key is already published under kid '" + key.kid() + "'");
    return {};
}

template <class D>
result<PublicJwk> Provider<D>::get_public_key_by_kid(std::string_view kid) {
    if (auto r = detail::provider::check_name(kid, "kid"); !r) return r.error();
    const std::string what = "public key of kid '" + std::string(kid) + "'";
    auto obj = load_object(detail::provider::key_path(kid), what);
    if (!obj) return obj.error();
    auto key = PublicJwk::from_value(boost::json::value(std::move(*obj)));
    if (!key) return std::move(key).error().context("provider: the " + what);
    if (key->kid() != kid)
        return fail(errc::key_conflict, "provider: the key stored under kid '" + std::string(kid) + "' names kid '" +
                                             key->kid() + "'");
    return key;
}

template <class D>
result<PublicJwk> Provider<D>::get_public_key(std::string_view display_name) {
    auto config = get_config(display_name);
    if (!config) return config.error();
    if (!config->kid || config->kid->empty())
        return fail(errc::object_not_found, "provider: the config of '" + std::string(display_name) + "' names no kid");
    return get_public_key_by_kid(*config->kid);
}

namespace detail::provider {

/// The statement both keys sign, without the new key's signature.
inline boost::json::object rotation_statement(std::string_view old_kid, const PublicJwk& new_key) {
    boost::json::object s;
    s["statement"] = key_rotation_statement;
    s["old_kid"] = old_kid;
    s["new_kid"] = new_key.kid();
    s["new_key"] = new_key.to_value(JwkForm::sqooler);
    return s;
}

} // namespace detail::provider

template <class D>
result<void> Provider<D>::rotate_key(const PrivateJwk& old_key, const PrivateJwk& new_key) {
    using namespace detail::provider;
    if (auto r = check_name(old_key.kid(), "old kid"); !r) return r.error();
    if (auto r = check_name(new_key.kid(), "new kid"); !r) return r.error();
    if (new_key.kid() == old_key.kid()) return fail(errc::invalid_argument, "provider: a rotation needs a new kid");
    auto published = get_public_key_by_kid(old_key.kid());
    if (!published) return published.error();
    if (!constant_time_equal(published->key().raw(), old_key.private_key().public_key().raw()))
        return fail(errc::not_owner, "provider: the old key is not the one published under kid '" + old_key.kid() + "'");
    const PublicJwk new_public = new_key.public_jwk();
    // Published first: a stored statement always names a published key.
    if (auto r = upload_public_key(new_public); !r) return r.error();
    boost::json::object statement = rotation_statement(old_key.kid(), new_public);
    auto agreed = sign_sqooler(statement, new_key);
    if (!agreed) return agreed.error();
    statement["new_key_signature"] = base64url_encode(agreed->signature(), Base64Padding::padded);
    auto jws = sign_sqooler(statement, old_key);
    if (!jws) return jws.error();
    auto text = jws->to_json();
    if (!text) return text.error();
    if (auto r = check_stored_form(*text, "key rotation"); !r) return r.error();
    auto stored = docs_.put_if_absent(rotation_path(old_key.kid()), *text);
    if (!stored) return stored.error();
    if (*stored) return {};
    // Rotated before: fine if to the same key (the statement is deterministic).
    auto existing = verify_rotation(old_key.kid());
    if (existing && existing->payload() == new_public) return {};
    return fail(errc::key_conflict, "provider: key '" + old_key.kid() + "' was already rotated" +
                                         (existing ? " to '" + existing->payload().kid() + "'" : std::string()));
}

template <class D>
result<Verified<PublicJwk>> Provider<D>::verify_rotation(std::string_view old_kid) {
    using namespace detail::provider;
    if (auto r = check_name(old_kid, "old kid"); !r) return r.error();
    const std::string what = "rotation of key '" + std::string(old_kid) + "'";
    const std::string context = "provider: the " + what;
    auto stored = load_object(rotation_path(old_kid), what);
    if (!stored) return in_verification(stored.error(), context);
    if (!is_jws_shaped(*stored)) return fail(errc::signature_invalid, context + " is not signed");
    auto jws = SqoolerJws::from_value(boost::json::value(std::move(*stored)));
    if (!jws) return in_verification(jws.error(), context);
    if (jws->header().kid != old_kid)
        return fail(errc::signature_invalid, context + " is signed by kid '" + jws->header().kid + "'");
    auto old_key = get_public_key_by_kid(old_kid);
    if (!old_key) return in_verification(old_key.error(), context);
    auto v = verify_sqooler(std::move(*jws), *old_key);
    if (!v) return in_verification(v.error(), context + " does not verify");
    const auto& p = v->payload();
    const auto* st = p.if_contains("statement");
    const auto* ok = p.if_contains("old_kid");
    const auto* nk = p.if_contains("new_kid");
    const auto* nkey = p.if_contains("new_key");
    const auto* nsig = p.if_contains("new_key_signature");
    const auto is = [](const boost::json::value* v, std::string_view s) {
        return v && v->is_string() && v->get_string() == s;
    };
    if (p.size() != 5 || !is(st, key_rotation_statement) || !is(ok, old_kid) || !nk || !nk->is_string() || !nkey ||
        !nsig || !nsig->is_string())
        return fail(errc::signature_invalid, context + " is not a key rotation statement");
    const std::string new_kid(nk->get_string());
    auto named = PublicJwk::from_value(*nkey);
    if (!named) return in_verification(named.error(), context);
    if (named->kid() != new_kid) return fail(errc::signature_invalid, context + " names two kids for the new key");
    auto published = get_public_key_by_kid(new_kid);
    if (!published) return in_verification(published.error(), context + ": the new key");
    if (!constant_time_equal(named->key().raw(), published->key().raw()))
        return fail(errc::signature_invalid, context + ": the key published under kid '" + new_kid +
                                                  "' is not the one the statement names");
    // The new key's agreement: its signature over the statement without that signature.
    boost::json::object agreed_payload;
    for (const auto& kv : p)
        if (kv.key() != "new_key_signature") agreed_payload.emplace(kv.key(), kv.value());
    boost::json::object agreed;
    agreed["header"] = boost::json::object{{"alg", "EdDSA"}, {"kid", new_kid}, {"typ", "JWS"}, {"version", "0.1"}};
    agreed["payload"] = std::move(agreed_payload);
    agreed["signature"] = nsig->get_string();
    auto agreed_jws = SqoolerJws::from_value(boost::json::value(std::move(agreed)));
    if (!agreed_jws) return in_verification(agreed_jws.error(), context + ": the new key's signature");
    if (auto r = verify_sqooler(*agreed_jws, *published); !r)
        return in_verification(r.error(), context + ": the new key's signature does not verify");
    return std::move(*v).transform([&](boost::json::object&&) { return std::move(*published); });
}

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_IMPL_PROVIDER_HPP
