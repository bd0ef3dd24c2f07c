// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// sqooler's storage provider over a document store: jobs, status, results, backend configs
// and public keys, signed when a backend's config says so, with immutable public keys and
// key rotation; and the store of sqooler's local folder layout.

#ifndef SEALPIPE_SQOOLER_PROVIDER_HPP
#define SEALPIPE_SQOOLER_PROVIDER_HPP

#include <sealpipe/core/random.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/sqooler/documents.hpp>
#include <sealpipe/jose/jwk.hpp>
#include <sealpipe/jose/jws.hpp>
#include <sealpipe/jose/python_json.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealpipe::sqooler {

/** A store of JSON documents under path-like keys (`jobs/queued/<name>/<id>`, without
    `.json`). A folder is the part of a path before its last `/`.

    - `get(path)`: the document's bytes, or no value when there is none;
    - `put(path, text)`: stores (replacing) the document, atomically (a reader sees the old
      or the new bytes, never a mix);
    - `put_if_absent(path, text)`: stores it only if the path is free, atomically against
      every other writer; true if stored, false if a document was already there;
    - `move(from, to)`: moves a document; false (and nothing changed) when `from` does not
      exist, so two workers racing for one queued job get true once;
    - `list(folder)`: the names (last path parts) of the documents directly in `folder`,
      in ascending byte order.

    doc/concepts/document_store.md has the table of valid expressions. */
template <class D>
concept DocumentStore = requires(D& d, const std::string& path, std::string_view text) {
    { d.get(path) } -> std::same_as<result<std::optional<std::string>>>;
    { d.put(path, text) } -> std::same_as<result<void>>;
    { d.put_if_absent(path, text) } -> std::same_as<result<bool>>;
    { d.move(path, path) } -> std::same_as<result<bool>>;
    { d.list(path) } -> std::same_as<result<std::vector<std::string>>>;
};

/// The largest document a provider reads (a result with many shots is a few MiB).
inline constexpr std::size_t max_document_bytes = std::size_t{64} << 20;

/// What `Provider::next_job_in_queue` hands out: the job's id and the folder it now is in.
struct NextJob {
    std::string job_id;
    std::string job_json_path = "jobs/running";
};

/** A key-rotation statement, signed (as a JWSDict) by the old key and stored at
    `backends/key_rotations/<new_kid>`: payload
    `{"statement": "sealpipe key rotation", "old_kid": …, "new_kid": …, "new_key": <public JWK>}`. */
inline constexpr std::string_view key_rotation_statement = "sealpipe key rotation";

/** sqooler's `StorageProvider` over any `DocumentStore`, with sqooler's folder layout as the
    document paths (see `FolderDocuments`).

    @par Signing A backend whose config has `"sign": true` stores its config (after setting
    `kid`), its status messages and its results as JWSDicts signed with its private key;
    such operations fail with `error::invalid_argument` when no key is given.
    @par Security Beyond sqooler: a published public key is immutable (`upload_public_key`
    refuses a different key under a published kid with `error::key_conflict`, atomically);
    `update_config` of a signed config succeeds only for the owner (`error::not_owner`);
    `get_*` return stored payloads *unverified*, as sqooler does: a reader that must trust
    them uses `verify_result`, `verify_status` or `verify_config`.
    @par Errors every operation: the store's errors (`error::io_error`,
    `error::backend_unavailable`); `error::malformed_input` for a stored document that does
    not parse; `error::object_not_found` for a missing document; `error::invalid_argument` for
    a display name, job id or kid that is empty, `.`/`..`, or holds `/` or a NUL. */
template <class Documents>
class Provider {
    static_assert(DocumentStore<Documents>,
                  "sealpipe: Provider<Documents> requires 'Documents' to model sealpipe::sqooler::DocumentStore "
                  "(get, put, put_if_absent, move, list; doc/concepts/document_store.md)");

public:
    explicit Provider(Documents documents) : docs_(std::move(documents)) {}

    /// The document store (for tests and tools).
    Documents& documents() noexcept { return docs_; }

    /** Queues a job for a backend; returns its new id (24 lowercase hex digits, as sqooler's
        `uuid4().hex[:24]`). */
    [[nodiscard]] result<std::string> upload_job(std::string_view display_name, const Job& job);

    /** Takes the first queued job of a backend (ascending id order) and moves it to
        `jobs/running`; no value when the queue is empty. Two workers never get the same job. */
    [[nodiscard]] result<std::optional<NextJob>> next_job_in_queue(std::string_view display_name);

    /// A running job's content.
    [[nodiscard]] result<Job> get_running_job(std::string_view job_id);

    /** Stores a job's status (`status/<name>/<id>`), signed if the backend's config says so. */
    [[nodiscard]] result<void> upload_status(std::string_view display_name, const StatusMessage& status,
                                             const PrivateJwk* key = nullptr);

    /// A job's stored status, unverified (the payload when it is signed).
    [[nodiscard]] result<StatusMessage> get_status(std::string_view display_name, std::string_view job_id);

    /// A job's stored status, verified with the key the backend's config names.
    [[nodiscard]] result<Verified<StatusMessage>> verify_status(std::string_view display_name,
                                                                std::string_view job_id);

    /** Stores a job's result (`results/<name>/<id>`), signed if the backend's config says so. */
    [[nodiscard]] result<void> upload_result(std::string_view display_name, std::string_view job_id,
                                             const ResultDocument& result_doc, const PrivateJwk* key = nullptr);

    /** sqooler's `update_in_database`: with status "DONE", stores the result and moves the job
        to `jobs/finished/<name>`; with "ERROR", moves it to `jobs/deleted`; then stores the
        status. */
    [[nodiscard]] result<void> update_in_database(std::string_view display_name, const StatusMessage& status,
                                                  const ResultDocument* result_doc, const PrivateJwk* key = nullptr);

    /// A job's stored result, unverified (the payload when it is signed).
    [[nodiscard]] result<ResultDocument> get_result(std::string_view display_name, std::string_view job_id);

    /** sqooler's `verify_result`: finds the backend's config, its `kid`, the public key
        published under it, and verifies the stored result.
        @par Errors `error::signature_invalid` (altered result, unsigned result, other key);
        `error::object_not_found` (no config, no kid, no key, no result). */
    [[nodiscard]] result<Verified<ResultDocument>> verify_result(std::string_view display_name,
                                                                 std::string_view job_id);

    /** Stores a new backend config; refused (`error::invalid_argument`) if one exists. With
        `sign` true, sets `kid` to the key's kid and stores it signed. */
    [[nodiscard]] result<void> upload_config(std::string_view display_name, BackendConfig config,
                                             const PrivateJwk* key = nullptr);

    /** Replaces a backend config. If the stored one is signed, `key` must reproduce its
        signature (Ed25519 is deterministic): only the owner can update.
        @par Errors `error::not_owner`; `error::object_not_found` if there is no config. */
    [[nodiscard]] result<void> update_config(std::string_view display_name, BackendConfig config,
                                             const PrivateJwk* key = nullptr);

    /// A backend's stored config, unverified (the payload when it is signed).
    [[nodiscard]] result<BackendConfig> get_config(std::string_view display_name);

    /// A backend's signed config, verified with the key published under its `kid`.
    [[nodiscard]] result<Verified<BackendConfig>> verify_config(std::string_view display_name);

    /** Publishes a public key under its kid (`backends/public_keys/<kid>`, sqooler's compact
        JWK form). Publishing the same key again is fine.
        @par Errors `error::key_conflict` if a different key holds the kid;
        `error::invalid_argument` for a key without kid. */
    [[nodiscard]] result<void> upload_public_key(const PublicJwk& key);

    /// The public key published under `kid`.
    [[nodiscard]] result<PublicJwk> get_public_key_by_kid(std::string_view kid);

    /// The public key of a backend: the one published under its config's `kid`.
    [[nodiscard]] result<PublicJwk> get_public_key(std::string_view display_name);

    /** Key rotation: publishes `new_key` and a statement, signed by `old_key`, that
        `new_key` succeeds it. `old_key`'s public key must be the published one.
        @par Errors `error::not_owner` if `old_key` is not the key published under its kid;
        `error::key_conflict` as `upload_public_key`, or if another rotation to that kid exists. */
    [[nodiscard]] result<void> rotate_key(const PrivateJwk& old_key, const PublicJwk& new_key);

    /** Verifies the rotation statement for `new_kid` with the published old key; returns the
        old kid. */
    [[nodiscard]] result<Verified<std::string>> verify_rotation(std::string_view new_kid);

private:
    [[nodiscard]] result<boost::json::object> load_object(const std::string& path);
    [[nodiscard]] result<void> store_maybe_signed(const std::string& path, boost::json::object doc, bool sign,
                                                  const PrivateJwk* key, bool only_if_absent);
    template <class T>
    [[nodiscard]] result<T> load_payload(const std::string& path);
    template <class T>
    [[nodiscard]] result<Verified<T>> verify_stored(std::string_view display_name, const std::string& path);

    Documents docs_;
};

/** sqooler's local folder layout under a root directory: document `a/b/c` is the file
    `a/b/c.json`, written with the bytes of Python's `json.dump` so that sqooler's
    `LocalProviderExtended` and this store can share one folder.

    @par Guarantees `put` writes a temporary file in the target folder and renames it over the
    document (atomic on POSIX); `put_if_absent` links the temporary file to the name, which
    fails if the name exists (atomic, also against other processes); `move` is one `rename`.
    Folders are created as needed. Temporary files start with `.` and are never listed. */
class FolderDocuments {
public:
    explicit FolderDocuments(std::string root) : root_(std::move(root)) {}

    const std::string& root() const noexcept { return root_; }

    [[nodiscard]] result<std::optional<std::string>> get(const std::string& path);
    [[nodiscard]] result<void> put(const std::string& path, std::string_view text);
    [[nodiscard]] result<bool> put_if_absent(const std::string& path, std::string_view text);
    [[nodiscard]] result<bool> move(const std::string& from, const std::string& to);
    [[nodiscard]] result<std::vector<std::string>> list(const std::string& folder);

private:
    std::string file(const std::string& path) const { return root_ + "/" + path + ".json"; }
    std::string root_;
};

} // namespace sealpipe::sqooler

#include <sealpipe/sqooler/impl/provider.hpp>

#endif // SEALPIPE_SQOOLER_PROVIDER_HPP
