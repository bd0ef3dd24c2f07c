// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The tag store: mutable names signed with Ed25519 whose targets (links) are encrypted in
// keyed mode, over a small `TagBackend` concept with in-memory and directory models.

#ifndef SEALPIPE_TAGS_STORE_HPP
#define SEALPIPE_TAGS_STORE_HPP

#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/kdf.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/dag/link.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/ed25519.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/object/reference.hpp>
#include <sealpipe/io/posix.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::tags {

/// A tag's identifier in storage: SHA-256("sealpipe tag id" ‖ public key ‖ name).
using TagId = FixedBytes<32, struct TagIdRole>;

/// Largest stored tag record; anything larger is refused before it is loaded.
inline constexpr std::size_t max_tag_record_bytes = 4096;
/// Longest tag name, in bytes.
inline constexpr std::size_t max_tag_name_bytes = 1024;

/** Where signed tag records live, keyed by `TagId`. Backends store opaque records; the
    `TagStore` signs, verifies and decrypts them (doc/concepts/tag_backend.md).

    | expression | result | semantics |
    | --- | --- | --- |
    | `b.get_tag(id)` | `result<std::optional<Bytes>>` | the stored record; nullopt when absent |
    | `b.put_tag_if_newer(id, v, record)` | `result<bool>` | atomically stores record unless a record of version >= v is stored; true when stored |
*/
template <class B>
concept TagBackend = requires(B& b, const TagId& id, std::uint64_t version, ByteView record) {
    { b.get_tag(id) } -> std::same_as<result<std::optional<Bytes>>>;
    { b.put_tag_if_newer(id, version, record) } -> std::same_as<result<bool>>;
};

/** The key of a tag namespace: an Ed25519 signing key (its public part names the namespace
    and lets anyone verify who set a tag) and a 32-byte tag secret (only its holders can
    decrypt the targets). */
class TagKey {
public:
    static constexpr std::size_t secret_bytes = 32;
    using Secret = FixedSecret<secret_bytes, struct TagSecretRole>;

    /** A fresh signing key and tag secret from the system RNG.
        @par Errors `errc::internal` when the RNG fails. */
    [[nodiscard]] static result<TagKey> generate() {
        auto signing = keys::PrivateKey<keys::Ed25519>::generate();
        if (!signing) return signing.error();
        Secret secret;
        if (auto r = random_bytes(secret.reveal_mutable(hazmat::secret_access())); !r) return r.error();
        return TagKey(std::move(*signing), secret);
    }

    /** A tag key from its parts.
        @par Errors `errc::invalid_length` for a secret that is not 32 bytes. */
    [[nodiscard]] static result<TagKey> from(keys::PrivateKey<keys::Ed25519> signing, const SecretBytes& secret) {
        auto s = Secret::from(secret.reveal(hazmat::secret_access()), "tag secret");
        if (!s) return s.error();
        return TagKey(std::move(signing), *s);
    }

    [[nodiscard]] const keys::PrivateKey<keys::Ed25519>& signing_key() const noexcept { return signing_; }
    [[nodiscard]] const keys::PublicKey<keys::Ed25519>& public_key() const noexcept { return signing_.public_key(); }
    [[nodiscard]] const Secret& secret() const noexcept { return secret_; }

private:
    TagKey(keys::PrivateKey<keys::Ed25519> signing, const Secret& secret)
        : signing_(std::move(signing)), secret_(secret) {}
    keys::PrivateKey<keys::Ed25519> signing_;
    Secret secret_;
};

/// A tag record whose signature has been verified (its target is still encrypted).
struct VerifiedTag {
    TagId id;
    std::uint64_t version = 0;
    Bytes blob;
};

namespace detail {

inline constexpr std::string_view id_label = "sealpipe tag id";
inline constexpr std::string_view key_label = "sealpipe tag key";
inline constexpr std::string_view nonce_label = "sealpipe tag nonce";
/// Record layout: id ‖ version (big-endian) ‖ signature ‖ blob.
inline constexpr std::size_t header_bytes = 32 + 8 + 64;
/// The longest link parameters a tag holds.
inline constexpr std::size_t max_parameters_bytes = 64;

using Pipeline = encoding::KeyedPipeline<aead::AesGcmSiv<256>>;

inline void append_u64(Bytes& out, std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<Byte>(v >> (8 * i)));
}
inline std::uint64_t read_u64(const Byte* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

[[nodiscard]] inline result<void> check_name(std::string_view name) {
    if (name.empty()) return fail(errc::invalid_argument, "tag name: empty");
    if (name.size() > max_tag_name_bytes)
        return fail(errc::invalid_argument, "tag name: " + std::to_string(name.size()) + " bytes, more than " +
                                                 std::to_string(max_tag_name_bytes));
    return {};
}

/// The message the signature covers: id ‖ version ‖ blob.
[[nodiscard]] inline Bytes signed_message(const TagId& id, std::uint64_t version, ByteView blob) {
    Bytes m(id.view().begin(), id.view().end());
    append_u64(m, version);
    m.insert(m.end(), blob.begin(), blob.end());
    return m;
}

/// The keyed pipeline under HKDF-SHA-256(secret, info = "sealpipe tag key" ‖ public key).
[[nodiscard]] inline result<Pipeline> pipeline(const TagKey& key) {
    Bytes info(key_label.begin(), key_label.end());
    const ByteView pub = key.public_key().raw();
    info.insert(info.end(), pub.begin(), pub.end());
    aead::AesGcmSiv<256>::Key k;
    if (auto r = sealpipe::hkdf_sha256(key.secret().reveal(hazmat::secret_access()), {}, info,
                                           k.reveal_mutable(hazmat::secret_access()));
        !r)
        return r.error();
    return Pipeline(k);
}

/// The nonce: HKDF-SHA-256(secret, info = "sealpipe tag nonce" ‖ version ‖ name), 12 bytes.
[[nodiscard]] inline result<Pipeline::Parameters> nonce(const TagKey& key, std::string_view name,
                                                        std::uint64_t version) {
    Bytes info(nonce_label.begin(), nonce_label.end());
    append_u64(info, version);
    info.insert(info.end(), name.begin(), name.end());
    Pipeline::Parameters p{};
    if (auto r = sealpipe::hkdf_sha256(key.secret().reveal(hazmat::secret_access()), {}, info,
                                           p.mutable_view());
        !r)
        return r.error();
    return p;
}

} // namespace detail

/** The storage identifier of `name` in the namespace of `public_key`.
    @par Errors `errc::invalid_argument` for an empty name or one over 1024 bytes. */
[[nodiscard]] inline result<TagId> tag_id(const keys::PublicKey<keys::Ed25519>& public_key, std::string_view name) {
    if (auto r = detail::check_name(name); !r) return r.error();
    Sha256 h;
    h.update(as_bytes(detail::id_label));
    h.update(public_key.raw());
    h.update(as_bytes(name));
    const auto d = h.finish();
    return TagId::from(d.view());
}

/** Mutable names → `dag::Link`, signed and encrypted (doc/tags.md).

    The record of name N is `id ‖ version ‖ signature ‖ blob`: id = SHA-256("sealpipe tag id" ‖
    public key ‖ N); blob = the link (reference ‖ parameters) encoded by
    `KeyedPipeline<AesGcmSiv<256>>` under a key derived from the tag secret, with a nonce
    derived from the secret, the version and N (never stored); the Ed25519 signature covers
    id ‖ version ‖ blob. Storage sees neither N nor the target.

    @par Security Holders of the public key verify who set a tag and its version; only
    holders of the secret decrypt it. Storage can withhold a record or serve an older one
    (validly signed): pass the last version you saw as `min_version` to refuse rollback.
    @par Thread safety Like its backend; each call builds its own pipeline. */
template <class B>
class TagStore {
    static_assert(TagBackend<B>,
                  "sealpipe: TagStore<Backend> requires a TagBackend: get_tag(const TagId&) -> "
                  "result<std::optional<Bytes>> and put_tag_if_newer(const TagId&, std::uint64_t, ByteView) -> "
                  "result<bool> (doc/concepts/tag_backend.md)");
public:
    explicit TagStore(B backend) : backend_(std::move(backend)) {}

    [[nodiscard]] B& backend() noexcept { return backend_; }

    /** Points `name` at `target` with an explicit `version`.
        @par Errors `errc::rollback_refused` when a record of this or a newer version is stored
        (rollback refused); `errc::invalid_argument` for a bad name or link parameters over
        64 bytes; backend errors. */
    [[nodiscard]] result<void> update(const TagKey& key, std::string_view name, const dag::Link& target,
                                      std::uint64_t version) {
        auto id = tag_id(key.public_key(), name);
        if (!id) return id.error();
        if (target.parameters.size() > detail::max_parameters_bytes)
            return fail(errc::invalid_argument, "tag target: link parameters over 64 bytes");
        if (version > static_cast<std::uint64_t>(INT64_MAX))
            return fail(errc::invalid_argument, "tag version: over 2^63 - 1");
        auto pipeline = detail::pipeline(key);
        if (!pipeline) return pipeline.error();
        auto nonce = detail::nonce(key, name, version);
        if (!nonce) return nonce.error();
        SecureBytes plain;
        const ByteView ref = target.reference.bytes();
        plain.insert(plain.end(), ref.begin(), ref.end());
        plain.insert(plain.end(), target.parameters.begin(), target.parameters.end());
        auto blob = pipeline->encode(ByteView(plain.data(), plain.size()), hazmat::chosen_nonce(*nonce));
        if (!blob) return blob.error();
        const auto sig = keys::sign(key.signing_key(), detail::signed_message(*id, version, *blob));
        Bytes record(id->view().begin(), id->view().end());
        detail::append_u64(record, version);
        record.insert(record.end(), sig.view().begin(), sig.view().end());
        record.insert(record.end(), blob->begin(), blob->end());
        auto stored = backend_.put_tag_if_newer(*id, version, record);
        if (!stored) return stored.error();
        if (!*stored)
            return fail(errc::rollback_refused, "tag '" + std::string(name) + "': version " + std::to_string(version) +
                                                 " is not newer than the stored one (rollback refused)");
        return {};
    }

    /** Points `name` at `target` with the next version: the current time in microseconds,
        or one more than the stored version when that is later. Returns the version written.
        @par Errors those of `update` (a concurrent writer that keeps winning: rollback_refused). */
    [[nodiscard]] result<std::uint64_t> set(const TagKey& key, std::string_view name, const dag::Link& target) {
        for (int attempt = 0;; ++attempt) {
            std::uint64_t version = now_micros();
            auto current = verify(key.public_key(), name);
            if (current) version = std::max(version, current->version + 1);
            else if (current.error() != errc::object_not_found) return current.error();
            auto r = update(key, name, target, version);
            if (r) return version;
            if (r.error() != errc::rollback_refused || attempt == 8) return r.error();
        }
    }

    /** Reads and verifies the record of `name` with only the public key (no decryption).
        @par Errors `errc::object_not_found` (no such tag); `errc::signature_invalid` (not
        signed by this key); `errc::object_corrupt` (a malformed record, or one stored under
        another id); `errc::rollback_refused` (a version older than `min_version`). */
    [[nodiscard]] result<VerifiedTag> verify(const keys::PublicKey<keys::Ed25519>& public_key, std::string_view name,
                                             std::uint64_t min_version = 0) {
        auto id = tag_id(public_key, name);
        if (!id) return id.error();
        auto stored = backend_.get_tag(*id);
        if (!stored) return stored.error();
        if (!*stored) return fail(errc::object_not_found, "tag '" + std::string(name) + "' is not set");
        const Bytes& rec = **stored;
        const auto where = "tag '" + std::string(name) + "'";
        if (rec.size() < detail::header_bytes || rec.size() > max_tag_record_bytes)
            return fail(errc::object_corrupt, where + ": record of " + std::to_string(rec.size()) + " bytes");
        if (!constant_time_equal(ByteView(rec.data(), 32), id->view()))
            return fail(errc::object_corrupt, where + ": record stored under another tag id");
        VerifiedTag out{*id, detail::read_u64(rec.data() + 32), Bytes(rec.begin() + detail::header_bytes, rec.end())};
        const ByteView sig(rec.data() + 40, 64);
        if (auto r = keys::verify(public_key, detail::signed_message(*id, out.version, out.blob), sig); !r)
            return std::move(r.error()).context(where);
        if (out.version < min_version)
            return fail(errc::rollback_refused, where + ": version " + std::to_string(out.version) +
                                                   " is older than version " + std::to_string(min_version) +
                                                   " already seen (rollback)");
        return out;
    }

    /** Reads, verifies and decrypts the target of `name`.
        @par Errors those of `verify`; `errc::authentication_failed` when the blob does not
        decrypt under this key (a key with the right signing part but another secret). */
    [[nodiscard]] result<dag::Link> get(const TagKey& key, std::string_view name, std::uint64_t min_version = 0) {
        auto tag = verify(key.public_key(), name, min_version);
        if (!tag) return tag.error();
        return open(key, name, *tag);
    }

    /// Decrypts a verified record of `name` (see `get`).
    [[nodiscard]] static result<dag::Link> open(const TagKey& key, std::string_view name, const VerifiedTag& tag) {
        auto pipeline = detail::pipeline(key);
        if (!pipeline) return pipeline.error();
        auto nonce = detail::nonce(key, name, tag.version);
        if (!nonce) return nonce.error();
        constexpr std::size_t ref_bytes = object::Reference::size_bytes;
        auto plain = pipeline->decode(tag.blob, *nonce, ref_bytes + detail::max_parameters_bytes);
        if (!plain) return std::move(plain.error()).context("tag '" + std::string(name) + "'");
        if (plain->size() < ref_bytes)
            return fail(errc::object_corrupt, "tag '" + std::string(name) + "': target shorter than a reference");
        auto ref = object::Reference::from_bytes(ByteView(plain->data(), ref_bytes));
        if (!ref) return std::move(ref.error()).context("tag target");
        return dag::Link{*ref, Bytes(plain->begin() + ref_bytes, plain->end())};
    }

private:
    static std::uint64_t now_micros() {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        return us > 0 ? static_cast<std::uint64_t>(us) : 0;
    }
    B backend_;
};

/** Tag records in a map guarded by a mutex; copies share the map (a handle).
    @par Guarantees put-if-newer is atomic; nothing survives the process. */
class MemoryTags {
public:
    MemoryTags() : state_(std::make_shared<State>()) {}

    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) const {
        std::lock_guard lock(state_->mutex);
        auto it = state_->records.find(id);
        if (it == state_->records.end()) return std::optional<Bytes>();
        return std::optional<Bytes>(it->second.record);
    }

    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        std::lock_guard lock(state_->mutex);
        auto [it, inserted] = state_->records.try_emplace(id);
        if (!inserted && it->second.version >= version) return false;
        it->second = {version, to_bytes(record)};
        return true;
    }

    /// Replaces a record unconditionally (tests: a storage that misbehaves).
    void overwrite(const TagId& id, ByteView record) {
        std::lock_guard lock(state_->mutex);
        state_->records[id] = {0, to_bytes(record)};
    }

private:
    struct Entry {
        std::uint64_t version = 0;
        Bytes record;
    };
    struct TagIdHash {
        std::size_t operator()(const TagId& id) const noexcept {
            std::size_t h;
            std::memcpy(&h, id.data(), sizeof h);
            return h;
        }
    };
    struct State {
        std::mutex mutex;
        std::unordered_map<TagId, Entry, TagIdHash> records;
    };
    std::shared_ptr<State> state_;
};

/** Tag records as files `ROOT/<64 hex digits of the id>`, each replaced atomically
    (temporary file, fsync, rename, fsync of the directory) under an exclusive flock(2) of
    `ROOT/.lock`, so put-if-newer is atomic across threads and processes. */
class DirectoryTags {
public:
    /** Opens (creating) the tag directory.
        @par Errors `errc::io_error`. */
    [[nodiscard]] static result<DirectoryTags> open(const std::string& path, bool sync = true) {
        if (path.empty()) return fail(errc::invalid_argument, "tag directory: empty path");
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec) return fail(errc::io_error, "cannot create tag directory '" + path + "': " + ec.message());
        return DirectoryTags(path, sync);
    }

    [[nodiscard]] std::string record_path(const TagId& id) const { return root_ + "/" + hex_encode(id.view()); }

    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) const {
        const std::string p = record_path(id);
        io::posix::Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) return std::optional<Bytes>();
            return io::posix::errno_error("cannot open tag record", p);
        }
        Bytes out;
        if (int err = io::posix::read_up_to(fd.get(), out, max_tag_record_bytes + 1))
            return io::posix::errno_error("cannot read tag record", p, err);
        if (out.size() > max_tag_record_bytes)
            return fail(errc::object_corrupt, "tag record '" + p + "' is larger than " +
                                                   std::to_string(max_tag_record_bytes) + " bytes");
        return std::optional<Bytes>(std::move(out));
    }

    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        const std::string lock_path = root_ + "/.lock";
        io::posix::Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        if (!lock) return io::posix::errno_error("cannot open lock file", lock_path);
        while (::flock(lock.get(), LOCK_EX) != 0)
            if (errno != EINTR) return io::posix::errno_error("cannot lock", lock_path);
        auto current = get_tag(id);
        if (!current) return current.error();
        if (*current && (*current)->size() >= detail::header_bytes &&
            detail::read_u64((*current)->data() + 32) >= version)
            return false;
        auto tmp = io::posix::TemporaryFile::write(record_path(id), record, sync_);
        if (!tmp) return tmp.error();
        if (auto r = tmp->commit(); !r) return r.error();
        return true;
    }

private:
    DirectoryTags(std::string root, bool sync) : root_(std::move(root)), sync_(sync) {}
    std::string root_;
    bool sync_ = true;
};

static_assert(TagBackend<MemoryTags>);
static_assert(TagBackend<DirectoryTags>);

/** Any `TagBackend` behind one indirect call per operation; itself a `TagBackend`. Copies
    share the held backend (for code that picks its backend at run time, such as
    `storage serve`). */
class AnyTagBackend {
public:
    template <class B>
        requires(TagBackend<std::remove_cvref_t<B>> && !std::is_same_v<std::remove_cvref_t<B>, AnyTagBackend>)
    explicit AnyTagBackend(B&& backend) {
        auto held = std::make_shared<std::remove_cvref_t<B>>(std::forward<B>(backend));
        get_ = [held](const TagId& id) { return held->get_tag(id); };
        put_ = [held](const TagId& id, std::uint64_t v, ByteView r) { return held->put_tag_if_newer(id, v, r); };
    }
    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) { return get_(id); }
    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        return put_(id, version, record);
    }

private:
    std::function<result<std::optional<Bytes>>(const TagId&)> get_;
    std::function<result<bool>(const TagId&, std::uint64_t, ByteView)> put_;
};

static_assert(TagBackend<AnyTagBackend>);

} // namespace sealpipe::tags

#endif // SEALPIPE_TAGS_STORE_HPP
