// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The one POSIX layer of the file-based stores: descriptors, full reads and writes, errno as
// `Error`, and files replaced atomically (temporary file, fsync, rename, fsync of the folder).

#ifndef SEALPIPE_IO_POSIX_HPP
#define SEALPIPE_IO_POSIX_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/error.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::io::posix {

/// "what 'path': <strerror>", as `errc::io_error`.
[[nodiscard]] inline Error errno_error(std::string_view what, std::string_view path, int err = errno) {
    return fail(errc::io_error, std::string(what) + " '" + std::string(path) + "': " + std::strerror(err));
}

/// Owns a file descriptor and closes it when it goes.
class Fd {
public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }
    [[nodiscard]] int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes and reports the error close() gives (delayed write errors show up here).
    int close() noexcept { return ::close(std::exchange(fd_, -1)); }

private:
    int fd_;
};

/// Writes all of `data`, retrying on EINTR and short writes; returns 0 or an errno value.
inline int write_all(int fd, const void* data, std::size_t size) noexcept {
    const auto* p = static_cast<const char*>(data);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, p + done, size - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}
inline int write_all(int fd, ByteView data) noexcept { return write_all(fd, data.data(), data.size()); }

/// Reads up to `limit` bytes into `out` (a `Bytes` or `std::string`) until end of file;
/// returns 0 or an errno value.
template <class Buffer>
inline int read_up_to(int fd, Buffer& out, std::size_t limit) {
    std::size_t done = 0;
    out.resize(limit);
    while (done < limit) {
        const ssize_t n = ::read(fd, out.data() + done, limit - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            out.clear();
            return errno;
        }
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    out.resize(done);
    return 0;
}

/** rename(2) that fails with EEXIST instead of replacing an existing `to` (renameat2 with
    RENAME_NOREPLACE). Returns 0 or -1 with errno; EINVAL where the file system or the C library
    does not offer it. */
inline int rename_noreplace(const char* from, const char* to) noexcept {
#ifdef RENAME_NOREPLACE
    return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#else
    (void)from;
    (void)to;
    errno = EINVAL;
    return -1;
#endif
}

/// fsync of a directory, so that a rename or unlink in it survives a crash.
[[nodiscard]] inline result<void> fsync_directory(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return errno_error("cannot open directory", path);
    if (::fsync(fd.get()) != 0 && errno != EINVAL) return errno_error("cannot fsync directory", path);
    return {};
}

/// The folder part of `file` ("." when it has none).
[[nodiscard]] inline std::string folder_of(const std::string& file) {
    const auto slash = file.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : file.substr(0, slash);
}

/** A new file with a random name beside `file` (".NAME.<16 hex>.tmp"), holding `data`, fsynced
    when `sync`. It is removed when the object goes unless `commit`ed; `commit` renames it
    over `file`, and `commit_new` only where nothing is at `file` yet. */
class TemporaryFile {
public:
    /** Creates it (mode `mode`, never replacing anything) and writes `data`.
        @par Errors `errc::io_error` naming the path. */
    [[nodiscard]] static result<TemporaryFile> write(const std::string& file, ByteView data, bool sync = true,
                                                     mode_t mode = 0644) {
        std::array<Byte, 8> salt{};
        if (auto r = random_bytes(salt); !r) return r.error();
        const auto slash = file.rfind('/');
        TemporaryFile t(file, file.substr(0, slash + 1) + "." + file.substr(slash + 1) + "." + hex_encode(salt) + ".tmp",
                        sync);
        Fd fd(::open(t.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
        if (!fd) {
            t.path_.clear();
            return errno_error("cannot create", t.target_ + " (temporary file)");
        }
        if (int err = write_all(fd.get(), data)) return errno_error("cannot write", t.path_, err);
        if (sync && ::fsync(fd.get()) != 0) return errno_error("cannot fsync", t.path_);
        if (fd.close() != 0) return errno_error("cannot write", t.path_);
        return t;
    }

    TemporaryFile(TemporaryFile&& o) noexcept
        : target_(std::move(o.target_)), path_(std::exchange(o.path_, {})), sync_(o.sync_) {}
    TemporaryFile& operator=(TemporaryFile&&) = delete;
    ~TemporaryFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    /// Renames it over the target (atomically replacing what is there), then syncs the folder.
    [[nodiscard]] result<void> commit() {
        if (::rename(path_.c_str(), target_.c_str()) != 0) return errno_error("cannot rename to", target_);
        path_.clear();
        return sync_folder();
    }

    /** Puts it at the target only if nothing is there (hard link, then unlink: atomic on every
        POSIX file system). True when it was put there, false when the target exists. */
    [[nodiscard]] result<bool> commit_new() {
        const int r = ::link(path_.c_str(), target_.c_str());
        const int err = errno;
        if (r != 0 && err != EEXIST) return errno_error("cannot link to", target_, err);
        ::unlink(path_.c_str());
        path_.clear();
        if (r != 0) return false;
        if (auto s = sync_folder(); !s) return s.error();
        return true;
    }

private:
    TemporaryFile(std::string target, std::string path, bool sync)
        : target_(std::move(target)), path_(std::move(path)), sync_(sync) {}
    [[nodiscard]] result<void> sync_folder() const {
        if (!sync_) return {};
        return fsync_directory(folder_of(target_));
    }
    std::string target_;
    std::string path_;
    bool sync_;
};

/// Replaces `file` atomically with `data` (see `TemporaryFile`).
[[nodiscard]] inline result<void> replace_file(const std::string& file, ByteView data, bool sync = true) {
    auto t = TemporaryFile::write(file, data, sync);
    if (!t) return t.error();
    return t->commit();
}

} // namespace sealpipe::io::posix

#endif // SEALPIPE_IO_POSIX_HPP
