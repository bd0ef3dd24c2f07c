// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Directory`: a storage backend of one file per object, sharded by hash prefix, written
// atomically (temporary file, fsync, rename, fsync of the directory).

#ifndef SEALPIPE_STORAGE_DIRECTORY_HPP
#define SEALPIPE_STORAGE_DIRECTORY_HPP

#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/io/posix.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::storage {

namespace detail::directory {

inline timespec to_timespec(WriteTime t) noexcept {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    if (ts.tv_nsec < 0) {
        ts.tv_nsec += 1'000'000'000;
        ts.tv_sec -= 1;
    }
    return ts;
}

inline WriteTime from_timespec(const timespec& ts) noexcept {
    return WriteTime(std::chrono::duration_cast<WriteClock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                 std::chrono::nanoseconds(ts.tv_nsec)));
}

} // namespace detail::directory

/// How `Directory::open` behaves.
struct DirectoryOptions {
    /// Create the directory (and its parents) when it does not exist.
    bool create = true;
    /// fsync each object file and its directory (durability across power loss). Without it,
    /// objects are still atomic with respect to crashes of the process, not of the machine.
    bool sync = true;
};

/** One file per object: `ROOT/<first 2 hex digits>/<80 hex digits of the key>`.

    A put writes `ROOT/xx/.tmp-*`, sets its write time, fsyncs it, renames it to the final
    name (without replacing a stored object: renameat2 RENAME_NOREPLACE, plain rename where the
    file system lacks it) and fsyncs `ROOT/xx`. Renames are atomic, so readers in any process
    see either no object or the whole object, never a torn one; concurrent writers of one
    object both succeed (they write the same bytes). The modification time of an object file
    is its write time: a put of a stored object only sets it again (in a batch, after a put
    of a new object, by a temporary file that the rename finds redundant).

    @par Errors every failure of the file system is `errc::io_error` naming the path and the
    reason ("Read-only file system", "No space left on device", "File too large").
    @par Thread and process safety Safe for any number of threads and processes sharing the
    directory (on a local file system; NFS renames are not atomic for every client). */
class Directory {
public:
    /** Opens (by default creating) a store directory.
        @par Errors `errc::io_error` when it cannot be created or is not a directory. */
    [[nodiscard]] static result<Directory> open(const std::string& path, DirectoryOptions options = {}) {
        if (path.empty()) return fail(errc::invalid_argument, "directory store: empty path");
        std::string root = path;
        while (root.size() > 1 && root.back() == '/') root.pop_back();
        if (options.create) {
            std::error_code ec;
            std::filesystem::create_directories(root, ec);
            if (ec) return fail(errc::io_error, "cannot create store directory '" + root + "': " + ec.message());
        }
        struct stat st{};
        if (::stat(root.c_str(), &st) != 0) return io::posix::errno_error("cannot open store directory", root);
        if (!S_ISDIR(st.st_mode))
            return fail(errc::io_error, "cannot open store directory '" + root + "': Not a directory");
        return Directory(std::move(root), options);
    }

    /// The store's root directory.
    const std::string& path() const noexcept { return root_; }

    /// The file that holds `k`.
    [[nodiscard]] std::string object_path(const Reference& k) const {
        const std::string hex = k.to_hex();
        return root_ + "/" + hex.substr(0, 2) + "/" + hex;
    }

    [[nodiscard]] result<void> put(const Reference& k, ByteView data) {
        bool probe = true;
        return put_one(k, data, probe);
    }

    [[nodiscard]] result<Bytes> get(const Reference& k) const {
        const std::string p = object_path(k);
        io::posix::Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        int err = fd ? 0 : errno;
        if (err == ENOENT && recover_set_aside(k)) {
            fd = io::posix::Fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
            err = fd ? 0 : errno;
        }
        if (!fd) {
            if (err == ENOENT || err == ENOTDIR) return detail::not_found(k);
            return io::posix::errno_error("cannot open object file", p, err);
        }
        struct stat st{};
        if (::fstat(fd.get(), &st) != 0) return io::posix::errno_error("cannot stat object file", p);
        const auto size = static_cast<std::size_t>(st.st_size);
        if (size > max_object_bytes) return detail::oversized(k, size);
        Bytes out;
        // One byte more than announced: a file that grew is reported, not truncated.
        if (int err = io::posix::read_up_to(fd.get(), out, size + 1))
            return io::posix::errno_error("cannot read object file", p, err);
        return out;
    }

    [[nodiscard]] result<bool> contains(const Reference& k) const {
        const std::string p = object_path(k);
        struct stat st{};
        // No search for a set-aside copy here: lookups of absent objects are the common case
        // (a put asks before it writes), and an absent answer only makes a writer store it
        // again.
        if (::stat(p.c_str(), &st) == 0) return true;
        if (errno == ENOENT || errno == ENOTDIR) return false;
        return io::posix::errno_error("cannot stat object file", p);
    }

    [[nodiscard]] result<bool> touch(const Reference& k) {
        const std::string p = object_path(k);
        const timespec now = detail::directory::to_timespec(WriteClock::now());
        const timespec times[2] = {now, now};
        if (::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0) return true;
        if (errno == ENOENT || errno == ENOTDIR) return false;
        return io::posix::errno_error("cannot update object", p);
    }

    [[nodiscard]] result<bool> remove(const Reference& k) {
        const std::string p = object_path(k);
        if (::unlink(p.c_str()) == 0) return true;
        if (errno == ENOENT || errno == ENOTDIR) return false;
        return io::posix::errno_error("cannot remove object file", p);
    }

    /** Deletes `k` only if its write time is before `cutoff`, atomically with respect to puts
        in any process: a file whose time is not before `cutoff` is left alone; otherwise it is
        renamed aside, its time read again there, and it is put back when a put touched it in
        the meantime. (While it is aside, readers of `k` see it missing; only unreachable
        objects are ever removed this way.) */
    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime cutoff) {
        auto r = remove_unsynced(k, cutoff);
        if (!r || !*r || !sync_) return r;
        if (auto s = io::posix::fsync_directory(shard_path(k)); !s) return s.error();
        return true;
    }

    /** `remove_if_written_before` of each key; each shard a removal changed is synced once,
        after the batch, instead of after every file. Returns how many were removed. */
    [[nodiscard]] result<std::size_t> remove_many_if_written_before(std::span<const Reference> keys,
                                                                    WriteTime cutoff) {
        std::size_t removed = 0;
        std::array<bool, 256> changed{};
        result<void> outcome;
        for (const auto& k : keys) {
            auto r = remove_unsynced(k, cutoff);
            if (!r) {
                outcome = r.error();
                break;
            }
            if (*r) {
                ++removed;
                changed[static_cast<std::size_t>(k.bytes()[0])] = true;
            }
        }
        // What was removed is synced even when a later removal failed.
        for (unsigned s = 0; s < 256 && sync_; ++s) {
            if (!changed[s]) continue;
            const Byte b = static_cast<Byte>(s);
            auto r = io::posix::fsync_directory(root_ + "/" + hex_encode(ByteView(&b, 1)));
            if (!r && outcome) outcome = r.error();
        }
        if (!outcome) return outcome.error();
        return removed;
    }

    /// Visits every object file shard by shard (temporary files are skipped).
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) const {
        for (unsigned s = 0; s < 256; ++s) {
            const Byte b = static_cast<Byte>(s);
            const std::string shard = root_ + "/" + hex_encode(ByteView(&b, 1));
            std::vector<ObjectInfo> found;
            auto r = scan(shard, [&](const std::string& name, const struct stat& st) {
                if (name.size() != 80 || name.front() == '.') return;
                auto ref = Reference::from_hex(name);
                if (!ref || ref->to_hex() != name) return; // not ours (uppercase, stray file, no valid reference)
                found.push_back({*ref, detail::directory::from_timespec(st.st_mtim)});
            });
            if (!r) return r;
            for (const auto& info : found)
                if (!visit(info)) return {};
        }
        return {};
    }

    /** The puts of a batch. With `sync`, the batch is made durable as a whole (`put_durably`).
        Without it, while the batch keeps finding its objects already stored, each put first
        tries to refresh the time of the stored file (no data written); after a new object, it
        writes straight away and lets the no-replace rename find a stored one. */
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        if (sync_ && items.size() > 1) return put_durably(items);
        bool probe = true;
        for (const auto& item : items)
            if (auto r = put_one(item.reference, item.data, probe); !r) return r;
        return {};
    }

    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) const {
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        for (const auto& k : keys) {
            auto r = get(k);
            if (r) out.emplace_back(std::move(*r));
            else if (r.error() == errc::object_not_found) out.emplace_back();
            else return r.error();
        }
        return out;
    }

    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) const {
        std::vector<bool> out;
        out.reserve(keys.size());
        for (const auto& k : keys) {
            auto r = contains(k);
            if (!r) return r.error();
            out.push_back(*r);
        }
        return out;
    }

    /** Removes temporary files left by writers that were killed, whose time is before
        `cutoff`, and puts back every object a killed collection had set aside (it is never
        deleted: the collection decides about it again). `collect_garbage` calls it with a
        cutoff an hour before its own. Returns the number of temporary files removed. */
    [[nodiscard]] result<std::size_t> remove_stale_temporaries(WriteTime cutoff) {
        std::size_t removed = 0;
        for (unsigned s = 0; s < 256; ++s) {
            const Byte b = static_cast<Byte>(s);
            const std::string shard = root_ + "/" + hex_encode(ByteView(&b, 1));
            std::vector<std::string> stale, aside;
            auto r = scan(shard, [&](const std::string& name, const struct stat& st) {
                if (name.starts_with(".gc-")) aside.push_back(name);
                else if (name.starts_with(".tmp-") && detail::directory::from_timespec(st.st_mtim) < cutoff)
                    stale.push_back(shard + "/" + name);
            });
            if (!r) return r.error();
            for (const auto& p : stale)
                if (::unlink(p.c_str()) == 0) ++removed;
            // An object a killed collection set aside goes back under its name, whatever its
            // age: the next collection decides about it again. (A file of an older version,
            // whose name does not say the object, is left alone rather than deleted.)
            for (const auto& name : aside)
                if (auto ref = set_aside_reference(name)) (void)restore_set_aside(shard, name, *ref);
        }
        return removed;
    }

private:
    Directory(std::string root, DirectoryOptions options)
        : root_(std::move(root)), sync_(options.sync) {}

    [[nodiscard]] std::string shard_path(const Reference& k) const {
        return root_ + "/" + hex_encode(k.bytes().first(1));
    }

    /** Deletes `k` if its write time is before `cutoff`, without syncing its shard. A file
        whose time is no longer before the cutoff (a put touched it since the collection
        enumerated it) is left alone; otherwise it is renamed aside, its time read again there
        (a put may have touched it in between), and it is deleted, or put back. */
    [[nodiscard]] result<bool> remove_unsynced(const Reference& k, WriteTime cutoff) {
        const std::string hex = k.to_hex();
        const std::string shard = root_ + "/" + hex.substr(0, 2);
        const std::string p = shard + "/" + hex;
        struct stat st{};
        if (::stat(p.c_str(), &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return false;
            return io::posix::errno_error("cannot stat object file", p);
        }
        if (!(detail::directory::from_timespec(st.st_mtim) < cutoff)) return false;
        // Aside under a name that says whose it is: a collection killed before it deletes or
        // restores the file leaves it for `recover_set_aside`, never lost.
        const std::string aside = temp_name(shard, set_aside_prefix(hex));
        if (::rename(p.c_str(), aside.c_str()) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return false;
            return io::posix::errno_error("cannot move object file", p);
        }
        // ENOENT from here on: a reader put it back meanwhile (recover_set_aside); it stays.
        if (::stat(aside.c_str(), &st) != 0) {
            if (errno == ENOENT) return false;
            return io::posix::errno_error("cannot stat object file", aside);
        }
        if (detail::directory::from_timespec(st.st_mtim) < cutoff) {
            if (::unlink(aside.c_str()) != 0) {
                if (errno == ENOENT) return false;
                return io::posix::errno_error("cannot remove object file", aside);
            }
            return true;
        }
        // Touched since: put it back (unless a put wrote it again meanwhile: same bytes).
        if (::link(aside.c_str(), p.c_str()) != 0 && errno != EEXIST && errno != ENOENT)
            return io::posix::errno_error("cannot restore object file", p);
        ::unlink(aside.c_str());
        return false;
    }

    /** A batch made durable together, with two file system syncs instead of two fsyncs per
        object: each object that is not stored yet (a `utimensat` of its final name finds out)
        is written to a temporary file with its write time; then the file system is synced
        (`syncfs`), so that every temporary file is durable; then each is renamed to its final
        name without replacing a stored one; then the file system is synced again, so that the
        renames are durable when the call returns. An object file therefore appears only once
        its data is durable, as with a single put, and a process killed at any point leaves at
        most temporary files. */
    [[nodiscard]] result<void> put_durably(std::span<const PutItem> items) {
        struct Written {
            std::string tmp, final_path;
            timespec time;
        };
        std::vector<Written> written;
        written.reserve(items.size());
        // An object twice in the batch (a file stored twice) is written once, with the later time.
        std::unordered_map<Reference, std::size_t, ReferenceHash> index;
        std::size_t renamed = 0;   // written[0, renamed) are in place
        auto abandon = [&](Error e) {
            for (std::size_t i = renamed; i < written.size(); ++i) ::unlink(written[i].tmp.c_str());
            return e;
        };
        for (const auto& item : items) {
            const std::string hex = item.reference.to_hex();
            const std::string shard = root_ + "/" + hex.substr(0, 2);
            std::string final_path = shard + "/" + hex;
            const timespec now = detail::directory::to_timespec(WriteClock::now());
            const timespec times[2] = {now, now};
            if (auto seen = index.find(item.reference); seen != index.end()) {
                Written& w = written[seen->second];
                if (::utimensat(AT_FDCWD, w.tmp.c_str(), times, 0) != 0)
                    return abandon(io::posix::errno_error("cannot set the write time of", w.tmp));
                w.time = now;
                continue;
            }
            // Already stored: refresh the write time only.
            if (::utimensat(AT_FDCWD, final_path.c_str(), times, 0) == 0) continue;
            if (errno != ENOENT) return abandon(io::posix::errno_error("cannot update object", final_path));
            index.emplace(item.reference, written.size());
            std::string tmp;
            auto created = create_temporary(shard, tmp);
            if (!created) return abandon(created.error());
            io::posix::Fd fd = std::move(*created);
            written.push_back({tmp, std::move(final_path), now});
            if (int err = io::posix::write_all(fd.get(), item.data))
                return abandon(io::posix::errno_error("cannot write object file", tmp, err));
            if (::futimens(fd.get(), times) != 0)
                return abandon(io::posix::errno_error("cannot set the write time of", tmp));
            if (fd.close() != 0) return abandon(io::posix::errno_error("cannot close object file", tmp));
        }
        if (written.empty()) return {};
        if (auto r = sync_file_system(); !r) return abandon(r.error());
        for (; renamed < written.size(); ++renamed) {
            const Written& w = written[renamed];
            // Publish without replacing: a stored object (possibly being read) stays as it is.
            if (io::posix::rename_noreplace(w.tmp.c_str(), w.final_path.c_str()) == 0) continue;
            if (errno == EEXIST) {
                const timespec times[2] = {w.time, w.time};
                if (::utimensat(AT_FDCWD, w.final_path.c_str(), times, 0) == 0) {
                    ::unlink(w.tmp.c_str());
                    continue;
                }
                if (errno != ENOENT) return abandon(io::posix::errno_error("cannot update object", w.final_path));
                // Removed in between (by a collection): ours takes its place.
            } else if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
                return abandon(io::posix::errno_error("cannot rename object file to", w.final_path));
            }
            if (::rename(w.tmp.c_str(), w.final_path.c_str()) != 0)
                return abandon(io::posix::errno_error("cannot rename object file to", w.final_path));
        }
        return sync_file_system();
    }

    /// `syncfs` of the file system that holds the store: everything written to it is durable.
    [[nodiscard]] result<void> sync_file_system() const {
        io::posix::Fd fd(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd) return io::posix::errno_error("cannot open store directory", root_);
        if (::syncfs(fd.get()) != 0) return io::posix::errno_error("cannot sync the file system of", root_);
        return {};
    }

    /** A put. `probe` in: look for a stored object first (one utimensat); out: whether the
        object was found stored, i.e. whether the next put of a batch should look first. */
    [[nodiscard]] result<void> put_one(const Reference& k, ByteView data, bool& probe) {
        const std::string hex = k.to_hex();
        const std::string shard = root_ + "/" + hex.substr(0, 2);
        const std::string final_path = shard + "/" + hex;
        const timespec now = detail::directory::to_timespec(WriteClock::now());
        const timespec times[2] = {now, now};
        // Already stored: refresh the write time only.
        if (probe) {
            if (::utimensat(AT_FDCWD, final_path.c_str(), times, 0) == 0) return {};
            if (errno != ENOENT) return io::posix::errno_error("cannot update object", final_path);
        }

        std::string tmp;
        auto created = create_temporary(shard, tmp);
        if (!created) return created.error();
        io::posix::Fd fd = std::move(*created);
        auto abandon = [&](std::string_view what, const std::string& path, int err) {
            fd.reset();
            ::unlink(tmp.c_str());
            return io::posix::errno_error(what, path, err);
        };
        if (int err = io::posix::write_all(fd.get(), data)) return abandon("cannot write object file", tmp, err);
        if (::futimens(fd.get(), times) != 0) return abandon("cannot set the write time of", tmp, errno);
        if (sync_ && ::fsync(fd.get()) != 0) return abandon("cannot fsync object file", tmp, errno);
        if (fd.close() != 0) return abandon("cannot close object file", tmp, errno);
        // Publish without replacing: a stored object (possibly being read) stays as it is.
        if (io::posix::rename_noreplace(tmp.c_str(), final_path.c_str()) == 0) {
            probe = false;
            if (sync_) return io::posix::fsync_directory(shard);
            return {};
        }
        if (errno == EEXIST) {
            probe = true;
            if (::utimensat(AT_FDCWD, final_path.c_str(), times, 0) == 0) {
                ::unlink(tmp.c_str());
                return {};
            }
            if (errno != ENOENT) return abandon("cannot update object", final_path, errno);
            // Removed in between (by a collection): ours takes its place.
        } else if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
            return abandon("cannot rename object file to", final_path, errno);
        }
        // No RENAME_NOREPLACE here, or the stored object just went: a plain rename (a stored
        // object has the same bytes, so replacing it is harmless).
        if (::rename(tmp.c_str(), final_path.c_str()) != 0)
            return abandon("cannot rename object file to", final_path, errno);
        if (sync_) return io::posix::fsync_directory(shard);
        return {};
    }

    /// Creates a temporary file in `shard` (and the shard, on first use); `tmp` gets its name.
    [[nodiscard]] result<io::posix::Fd> create_temporary(const std::string& shard, std::string& tmp) const {
        for (int attempt = 0;; ++attempt) {
            tmp = temp_name(shard, ".tmp-");
            io::posix::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
            if (fd) return fd;
            const int err = errno;
            if (attempt < 4 && err == ENOENT) {
                if (auto r = make_shard(shard); !r) return r.error();
                continue;
            }
            if (attempt < 4 && err == EEXIST) continue; // a name of a process with a recycled pid
            return io::posix::errno_error("cannot create object file in", shard, err);
        }
    }

    [[nodiscard]] result<void> make_shard(const std::string& shard) const {
        if (::mkdir(shard.c_str(), 0755) == 0) {
            if (sync_) return io::posix::fsync_directory(root_);
            return {};
        }
        if (errno == EEXIST) return {};
        return io::posix::errno_error("cannot create directory", shard);
    }

    /** A name no other writer (thread or process) can pick: pid, counter and random bits
        (drawn once per thread and process, so that a name costs no system call beyond getpid). */
    static std::string set_aside_prefix(const std::string& hex) { return ".gc-" + hex + "-"; }

    /// The object a set-aside file holds, from its name (`.gc-HEX-…`).
    static std::optional<Reference> set_aside_reference(const std::string& name) {
        constexpr std::size_t hex_size = 2 * Reference::size_bytes;
        if (name.size() <= 4 + hex_size || name[4 + hex_size] != '-') return std::nullopt;
        auto ref = Reference::from_hex(std::string_view(name).substr(4, hex_size));
        if (!ref) return std::nullopt;
        return *ref;
    }

    /// Puts the set-aside file `name` of `shard` back as the object `k` (unless it is stored).
    bool restore_set_aside(const std::string& shard, const std::string& name, const Reference& k) const {
        const std::string aside = shard + "/" + name;
        const std::string p = shard + "/" + k.to_hex();
        if (::link(aside.c_str(), p.c_str()) != 0 && errno != EEXIST) return false;
        ::unlink(aside.c_str());
        if (sync_) (void)io::posix::fsync_directory(shard);
        return true;
    }

    /** Looks for `k` set aside by a collection that was killed before deleting or restoring
        it, and puts it back: an object a collection did not delete is never lost, only out of
        sight until the next read or collection. */
    bool recover_set_aside(const Reference& k) const {
        const std::string hex = k.to_hex();
        const std::string shard = root_ + "/" + hex.substr(0, 2);
        const std::string prefix = set_aside_prefix(hex);
        std::vector<std::string> found;
        (void)scan(shard, [&](const std::string& name, const struct stat&) {
            if (name.starts_with(prefix)) found.push_back(name);
        });
        bool restored = false;
        for (const auto& name : found) restored = restore_set_aside(shard, name, k) || restored;
        return restored;
    }

    static std::string temp_name(const std::string& shard, std::string_view prefix) {
        static std::atomic<std::uint64_t> counter{0};
        thread_local pid_t pid = 0;
        thread_local std::string random;
        if (const pid_t now = ::getpid(); now != pid || random.empty()) {
            std::array<Byte, 8> r{};
            (void)random_bytes(r);
            random = hex_encode(r);
            pid = now;
        }
        return shard + "/" + std::string(prefix) + std::to_string(pid) + "-" + std::to_string(counter.fetch_add(1)) +
               "-" + random;
    }

    /// Calls f(name, stat) for each entry of a shard; a missing shard is empty.
    template <class F>
    [[nodiscard]] static result<void> scan(const std::string& shard, F&& f) {
        DIR* dir = ::opendir(shard.c_str());
        if (!dir) {
            if (errno == ENOENT) return {};
            return io::posix::errno_error("cannot list directory", shard);
        }
        std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
        while (true) {
            errno = 0;
            const dirent* e = ::readdir(dir);
            if (!e) {
                if (errno != 0) return io::posix::errno_error("cannot list directory", shard);
                return {};
            }
            const std::string name = e->d_name;
            if (name == "." || name == "..") continue;
            struct stat st{};
            if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) continue; // removed meanwhile
                return io::posix::errno_error("cannot stat", shard + "/" + name);
            }
            if (!S_ISREG(st.st_mode)) continue;
            f(name, st);
        }
    }

    std::string root_;
    bool sync_ = true;
};

static_assert(StorageBackend<Directory>);

/// A verified directory store.
using DirectoryStore = BasicStore<Directory>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_DIRECTORY_HPP
