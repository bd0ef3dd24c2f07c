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
    - `put_if_unchanged(path, expected, text)`: stores it only if the document holds exactly
      the bytes `expected` now (compare and swap), atomically against every other writer;
      true if stored, false if the document is missing or holds other bytes;
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
    { d.put_if_unchanged(path, text, text) } -> std::same_as<result<bool>>;
    { d.move(path, path) } -> std::same_as<result<bool>>;
    { d.list(path) } -> std::same_as<result<std::vector<std::string>>>;
};

/** The largest document a provider stores or reads, in its stored form (a result with many
    shots is a few MiB). Writing checks the very bytes it stores against this limit, so a
    document that was stored can always be read back. */
inline constexpr std::size_t max_document_bytes = std::size_t{64} << 20;

/** The deepest nesting of arrays and objects in a stored document, in its stored form: a
    signed document's payload sits one level below its JWSDict. Writing and reading check the
    same limit on the same bytes. */
inline constexpr std::size_t max_document_depth = 512;

/** The longest display name, job id or kid, in bytes, on every store. Each is one part of a
    path; the folder store keeps it in a file name beside a temporary name 27 bytes longer,
    which must fit the file system's 255 bytes. */
inline constexpr std::size_t max_name_bytes = 200;

/// What `Provider::next_job_in_queue` hands out: the job's id and the folder it now is in.
struct NextJob {
    std::string job_id;
    std::string job_json_path = "jobs/running";
};

/** The statement of a key rotation, stored at `backends/key_rotations/<old_kid>` as a JWSDict
    signed by the old key, with the payload
    `{"statement": "sealpipe key rotation", "old_kid": …, "new_kid": …, "new_key": <public JWK>,
    "new_key_signature": …}`: the last member is the new key's own signature (padded base64url)
    of the JWSDict with header kid `new_kid` over the first four members, so that both keys
    agree to the rotation. */
inline constexpr std::string_view key_rotation_statement = "sealpipe key rotation";

/** sqooler's `StorageProvider` over any `DocumentStore`, with sqooler's folder layout as the
    document paths (see `FolderDocuments`).

    @par Signing A backend whose config has `"sign": true` stores its config (after setting
    `kid`), its status messages and its results as JWSDicts signed with its private key. Such a
    write needs the key the config names: the key published under the config's `kid`, not
    rotated away. Without a key it fails with `errc::invalid_argument`, as sqooler raises; a
    key given for a backend that does not sign is refused the same way rather than ignored.
    @par Ownership A signed config is changed only by its owner: the key that signed it, or
    the key it was rotated to (`rotate_key`), never through an unsigned config. Each check of
    the stored config and the write that follows are one atomic step
    (`DocumentStore::put_if_unchanged`), on every store.
    @par Verification `verify_result`, `verify_status` and `verify_config` return `Verified<T>`
    only for a document signed by the key that the backend's *verified* config names, whose
    payload names the job (and backend) it is read for. `get_*` return stored payloads
    *unverified*, as sqooler does.
    @par Errors every operation: the store's errors (`errc::io_error`,
    `errc::backend_unavailable`); `errc::malformed_input` for a stored document that does
    not parse (verification reports any unreadable document as `errc::signature_invalid`);
    `errc::object_not_found` for a missing document; `errc::invalid_argument` for a display
    name, job id or kid that is empty, longer than `max_name_bytes`, starts with `.`, or holds
    `/` or a NUL; `errc::size_limit_exceeded` for a document whose stored form would exceed
    `max_document_bytes` or `max_document_depth`. */
template <class Documents>
class Provider {
    static_assert(DocumentStore<Documents>,
                  "sealpipe: Provider<Documents> requires 'Documents' to model sealpipe::sqooler::DocumentStore "
                  "(get, put, put_if_absent, put_if_unchanged, move, list; doc/concepts/document_store.md)");

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

    /** Stores the status of a queued or running job (`status/<name>/<id>`), signed if the
        backend's config says so. Atomic against the job finishing: a job's final status
        (written by `update_in_database`) is never replaced.
        @par Errors `errc::object_not_found` for a job that is neither queued for this backend,
        running nor finished; `errc::conflict` for a finished job (its status is final);
        `errc::not_owner` for a key other than the one the config names. */
    [[nodiscard]] result<void> upload_status(std::string_view display_name, const StatusMessage& status,
                                             const PrivateJwk* key = nullptr);

    /// A job's stored status, unverified (the payload when it is signed).
    [[nodiscard]] result<StatusMessage> get_status(std::string_view display_name, std::string_view job_id);

    /** A job's stored status, verified with the key the backend's verified config names; its
        payload must name the job. (A status does not name its backend: a signed status copied
        between two backends that share a key still verifies.)
        @par Errors as `verify_result`. */
    [[nodiscard]] result<Verified<StatusMessage>> verify_status(std::string_view display_name,
                                                                std::string_view job_id);

    /** Stores a job's result (`results/<name>/<id>`), signed if the backend's config says so.
        The result must name the job (`job_id`) and the backend (`display_name`) it is stored
        for, and only the key the config names may sign it, so a stored signed result always
        verifies.
        @par Errors `errc::invalid_argument` for a result that names another job or backend;
        `errc::not_owner` for a key other than the one the config names. */
    [[nodiscard]] result<void> upload_result(std::string_view display_name, std::string_view job_id,
                                             const ResultDocument& result_doc, const PrivateJwk* key = nullptr);

    /** sqooler's `update_in_database` for a running job: with status "DONE", moves the job to
        `jobs/finished/<name>` and stores the result; with "ERROR", moves it to `jobs/deleted`;
        then stores the status. Any other status is stored as `upload_status` stores it.
        Everything is checked and signed before the job moves; the move is the atomic step,
        so of two calls that finish one job, one succeeds.
        @par Errors as `upload_status` and `upload_result`; `errc::conflict` for a job that is
        queued or already finished; `errc::invalid_argument` for "DONE" without a result. */
    [[nodiscard]] result<void> update_in_database(std::string_view display_name, const StatusMessage& status,
                                                  const ResultDocument* result_doc, const PrivateJwk* key = nullptr);

    /// A job's stored result, unverified (the payload when it is signed).
    [[nodiscard]] result<ResultDocument> get_result(std::string_view display_name, std::string_view job_id);

    /** sqooler's `verify_result`, and more: verifies the backend's config (signed by the key
        its `kid` names), then the stored result with that key, then that the result names
        this job and this backend, so a signed result copied to another job or backend fails.
        @par Errors `errc::signature_invalid` (a config or result altered, unsigned, signed by
        another key, unreadable, or naming another job or backend);
        `errc::object_not_found` (no config, no kid, no key, no result: missing, not forged). */
    [[nodiscard]] result<Verified<ResultDocument>> verify_result(std::string_view display_name,
                                                                 std::string_view job_id);

    /** Stores a new backend config. With `sign` true it sets `kid` to the key's kid and stores
        it signed; the key must be published under that kid. Its `display_name`, if null, is
        set to `display_name` (a signed config names the backend it is for).
        @par Errors `errc::conflict` if the backend has a config; `errc::invalid_argument` for
        a config naming another backend, or a key with `sign` false or none with `sign` true;
        `errc::not_owner` for a key other than the one published under its kid (or rotated). */
    [[nodiscard]] result<void> upload_config(std::string_view display_name, BackendConfig config,
                                             const PrivateJwk* key = nullptr);

    /** Replaces a backend config, as `upload_config` writes it. A stored unsigned config may be
        replaced by anyone (sqooler's rule); a stored signed config only by its owner: the key
        that signed it (Ed25519 is deterministic: the key must reproduce the signature), or
        the key a verified chain of rotations leads to from it; once a key is rotated, only its
        successor. A signed config is never replaced by an unsigned one.
        The ownership check and the write are one atomic step (compare and swap on the stored
        bytes, retried when another writer came first).
        @par Errors `errc::not_owner`; `errc::object_not_found` if there is no config;
        `errc::timed_out` if other writers won 64 times in a row. */
    [[nodiscard]] result<void> update_config(std::string_view display_name, BackendConfig config,
                                             const PrivateJwk* key = nullptr);

    /// A backend's stored config, unverified (the payload when it is signed).
    [[nodiscard]] result<BackendConfig> get_config(std::string_view display_name);

    /** A backend's signed config, verified with the key published under its `kid`; the payload
        must name that kid and this backend.
        @par Errors as `verify_result`. */
    [[nodiscard]] result<Verified<BackendConfig>> verify_config(std::string_view display_name);

    /// The display names of the backends that have a config, in ascending byte order.
    [[nodiscard]] result<std::vector<std::string>> list_backends();

    /** Publishes a public key under its kid (`backends/public_keys/<kid>`, sqooler's compact
        JWK form). Publishing the same key again is fine.
        @par Errors `errc::key_conflict` if a different key holds the kid;
        `errc::invalid_argument` for a key without kid. */
    [[nodiscard]] result<void> upload_public_key(const PublicJwk& key);

    /// The public key published under `kid`.
    [[nodiscard]] result<PublicJwk> get_public_key_by_kid(std::string_view kid);

    /// The public key of a backend: the one published under its config's `kid` (unverified config).
    [[nodiscard]] result<PublicJwk> get_public_key(std::string_view display_name);

    /** Key rotation: publishes `new_key`'s public key and stores the statement that it
        succeeds `old_key` (see `key_rotation_statement`), signed by both keys: only the holder
        of the old key can rotate it, and only to a key whose holder agrees. A key is rotated
        once: the statement is stored at `backends/key_rotations/<old kid>` if that path is free.
        Rotating again to the same key is fine. The owner then moves each config to the new
        key with `update_config`, which accepts the successor of the config's signer.
        @par Errors `errc::not_owner` if `old_key` is not the key published under its kid;
        `errc::object_not_found` if no key is published under it; `errc::key_conflict` if
        the old key was rotated to another key, or another key holds the new kid;
        `errc::invalid_argument` if both keys have one kid. */
    [[nodiscard]] result<void> rotate_key(const PrivateJwk& old_key, const PrivateJwk& new_key);

    /** The key that `old_kid` was rotated to, verified: the statement verifies with the key
        published under `old_kid` (`Verified::kid()`), the new key's signature in it verifies
        with the new key, and the new key is the one published under its kid.
        @par Errors `errc::object_not_found` if `old_kid` was not rotated;
        `errc::signature_invalid` for a statement that does not verify or is unreadable. */
    [[nodiscard]] result<Verified<PublicJwk>> verify_rotation(std::string_view old_kid);

private:
    enum class JobState { unknown, queued, running, finished };

    [[nodiscard]] result<std::string> load_text(const std::string& path, std::string_view what);
    [[nodiscard]] result<boost::json::object> load_object(const std::string& path, std::string_view what);
    template <class T>
    [[nodiscard]] result<T> load_payload(const std::string& path, std::string_view what, bool signable);
    [[nodiscard]] result<PublicJwk> signing_key(std::string_view display_name);
    template <class T>
    [[nodiscard]] result<Verified<T>> verify_stored(std::string_view display_name, const std::string& path,
                                                    std::string_view what);
    [[nodiscard]] result<void> check_signer(const PrivateJwk& key);
    [[nodiscard]] result<std::optional<std::string>> successor_of(std::string_view kid);
    [[nodiscard]] result<void> check_backend_key(std::string_view display_name, const PrivateJwk* key);
    [[nodiscard]] result<std::string> render(const boost::json::object& doc, const PrivateJwk* key);
    [[nodiscard]] result<void> authorize_config_update(const std::string& stored, const PrivateJwk* key);
    [[nodiscard]] result<JobState> job_state(std::string_view display_name, std::string_view job_id);
    [[nodiscard]] result<void> store_status(std::string_view display_name, std::string_view job_id,
                                            const std::string& text);
    [[nodiscard]] Error not_movable(std::string_view display_name, std::string_view job_id);

    Documents docs_;
};

/** sqooler's local folder layout under a root directory: document `a/b/c` is the file
    `a/b/c.json`, written with the bytes of Python's `json.dump` so that sqooler's
    `LocalProviderExtended` and this store can share one folder.

    @par Guarantees `put` writes a temporary file in the target folder and renames it over the
    document (atomic on POSIX); `put_if_absent` links the temporary file to the name, which
    fails if the name exists (atomic, also against other processes); `put_if_unchanged`
    compares and renames under an exclusive `flock` of the folder, which `put` takes too, so
    both are atomic against each other in every process (sqooler's own writers do not take
    it); `move` is one `rename`. Folders are created as needed. Temporary files start with `.`
    and are never listed. `get` opens without following a symbolic link and without blocking
    (`O_NOFOLLOW | O_NONBLOCK`), and refuses anything but a regular file (a FIFO, a device, a
    link) and files larger than `max_document_bytes`. */
class FolderDocuments {
public:
    explicit FolderDocuments(std::string root) : root_(std::move(root)) {}

    const std::string& root() const noexcept { return root_; }

    [[nodiscard]] result<std::optional<std::string>> get(const std::string& path);
    [[nodiscard]] result<void> put(const std::string& path, std::string_view text);
    [[nodiscard]] result<bool> put_if_absent(const std::string& path, std::string_view text);
    [[nodiscard]] result<bool> put_if_unchanged(const std::string& path, std::string_view expected,
                                                std::string_view text);
    [[nodiscard]] result<bool> move(const std::string& from, const std::string& to);
    [[nodiscard]] result<std::vector<std::string>> list(const std::string& folder);

private:
    std::string file(const std::string& path) const { return root_ + "/" + path + ".json"; }
    std::string root_;
};

} // namespace sealpipe::sqooler

#include <sealpipe/sqooler/impl/provider.hpp>

#endif // SEALPIPE_SQOOLER_PROVIDER_HPP
