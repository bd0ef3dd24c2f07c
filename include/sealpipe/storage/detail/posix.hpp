// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Small POSIX helpers for the directory backend: errno to `Error`, full reads and writes,
// directory fsync, timestamps.

#ifndef SEALPIPE_STORAGE_DETAIL_POSIX_HPP
#define SEALPIPE_STORAGE_DETAIL_POSIX_HPP

#include <sealpipe/storage/key.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include <cstdio>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace sealpipe::storage::detail::posix {

/// "what 'path': <strerror>", as `error::io_error`.
[[nodiscard]] inline Error errno_error(std::string_view what, std::string_view path, int err = errno) {
    return fail(error::io_error, std::string(what) + " '" + std::string(path) + "': " + std::strerror(err));
}

/// Closes a descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    /// Closes and reports the error close() gives (delayed write errors show up here).
    int close() noexcept {
        const int r = ::close(std::exchange(fd_, -1));
        return r;
    }

private:
    int fd_;
};

/// Writes all of `data`, retrying on EINTR and short writes; returns 0 or an errno value.
inline int write_all(int fd, ByteView data) noexcept {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

/// Reads up to `limit` bytes into `out` until end of file; returns 0 or an errno value.
inline int read_up_to(int fd, Bytes& out, std::size_t limit) {
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
    return WriteTime(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                 std::chrono::nanoseconds(ts.tv_nsec)));
}

} // namespace sealpipe::storage::detail::posix

#endif // SEALPIPE_STORAGE_DETAIL_POSIX_HPP
