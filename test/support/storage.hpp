// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support for storage: SHA256_V1 objects built by hand, temporary directories, forked
// children, and a private redis-server on a loopback port.

#ifndef SEALPIPE_TEST_SUPPORT_STORAGE_HPP
#define SEALPIPE_TEST_SUPPORT_STORAGE_HPP

#include <sealpipe/core/hash.hpp>
#include <sealpipe/storage/types.hpp>

#include "support/vectors.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sealpipe::test {

/// An object and its reference.
struct Object {
    storage::Reference ref;
    Bytes data;
};

/// Float16, rounding up (doc/protocol.md#float16).
inline std::uint16_t float16_up(std::uint64_t v) {
    if (v <= 2047) return static_cast<std::uint16_t>(v);
    auto bitlen = [](std::uint64_t x) { return 64 - __builtin_clzll(x); };
    int e = bitlen(v) - 12;
    v = ((v + (std::uint64_t{1} << e) - 1) >> e) << e;
    e = bitlen(v) - 12;
    return static_cast<std::uint16_t>(((e + 1) << 11) | ((v >> e) & 0x7ff));
}
inline std::uint64_t float16_decode(std::uint16_t x) {
    const int exponent = x >> 11;
    if (exponent == 0) return x;
    return std::uint64_t((x & 0x7ff) | 0x800) << (exponent - 1);
}

/** The SHA256_V1 object with these children (sorted here) and payload, with a reference
    that is valid in every field (hash, size, height, degree, parents size). */
inline Object make_object(ByteView payload, std::vector<storage::Reference> children = {}) {
    std::sort(children.begin(), children.end());
    children.erase(std::unique(children.begin(), children.end()), children.end());
    Bytes data;
    unsigned height = 0;
    std::uint64_t parents = 0;
    for (const auto& c : children) {
        append(data, c.bytes());
        const auto ch = static_cast<unsigned>(c.height());
        height = std::max(height, ch + 1);
        parents = std::max<std::uint64_t>(parents, c.max_parents_total_size() + (ch > 0 ? c.size() : 0));
    }
    append(data, payload);
    const Digest32 h = sha256(data);
    storage::Reference::raw_type raw{};
    std::copy(h.begin(), h.end(), raw.begin());
    const std::size_t size = data.size();
    raw[32] = static_cast<Byte>(size);
    raw[33] = static_cast<Byte>(size >> 8);
    raw[34] = static_cast<Byte>(size >> 16);
    raw[35] = static_cast<Byte>(std::min(height, 255u));
    raw[36] = static_cast<Byte>(children.size());
    raw[37] = static_cast<Byte>(children.size() >> 8);
    const std::uint16_t m = float16_up(parents);
    raw[38] = static_cast<Byte>(m);
    raw[39] = static_cast<Byte>(m >> 8);
    return Object{storage::Reference::from_bytes(ByteView(raw.data(), raw.size())).value(), std::move(data)};
}

/// A leaf object of `n` pseudo-random bytes.
inline Object leaf(std::size_t n, std::uint32_t seed) { return make_object(pattern(n, seed)); }

/// A fresh directory, removed (by the process that made it) at scope exit.
class TempDir {
public:
    TempDir() : TempDir(std::filesystem::temp_directory_path().string()) {}
    /// A fresh directory inside `parent` (e.g. /dev/shm).
    explicit TempDir(const std::string& parent) : owner_(::getpid()) {
        std::string base = parent + "/sealpipe-test-XXXXXX";
        if (!::mkdtemp(base.data())) throw std::runtime_error("mkdtemp failed");
        path_ = base;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (::getpid() != owner_) return;
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    pid_t owner_;
    std::string path_;
};

/** Runs `f` in a forked child and returns its exit status (the child leaves with _exit, so
    no destructor of the parent's objects runs twice). A child that dies of a signal gives
    128 + the signal. */
inline int run_in_child(const std::function<int()>& f) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int code = 99;
        try {
            code = f();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: exception: %s\n", e.what());
        }
        std::fflush(stderr);
        ::_exit(code);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/// A free TCP port on 127.0.0.1 (asked from the kernel).
inline int free_loopback_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(s);
        throw std::runtime_error("cannot bind a loopback port");
    }
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

/// Whether something accepts TCP connections on 127.0.0.1:port.
inline bool port_open(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

/** A redis-server of our own: loopback only, no persistence, in a temporary directory.
    Started by the constructor, stopped by the destructor; `stop` and `start` restart it on
    the same port (losing every key, as a server without persistence does). */
class RedisServer {
public:
    /// `extra` are more redis-server arguments, e.g. {"--requirepass", "secret"}.
    explicit RedisServer(std::vector<std::string> extra = {}) : port_(free_loopback_port()), extra_(std::move(extra)) {
        start();
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    ~RedisServer() {
        if (::getpid() == owner_) stop();
    }

    int port() const { return port_; }
    std::string uri(int db = 0) const { return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db); }

    void start() {
        if (pid_ > 0) return;
        const std::string port = std::to_string(port_);
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            // The server dies with the test (even one that aborts), and holds none of its
            // output pipes: CTest must never wait on a leftover server.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() == 1) ::_exit(127);
            if (const int null = ::open("/dev/null", O_RDWR); null >= 0) {
                ::dup2(null, 0);
                ::dup2(null, 1);
                ::dup2(null, 2);
                if (null > 2) ::close(null);
            }
            if (::chdir(dir_.path().c_str()) != 0) ::_exit(127);
            std::vector<std::string> args{"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--dir", dir_.path(), "--logfile", "redis.log",
                                          "--daemonize", "no"};
            args.insert(args.end(), extra_.begin(), extra_.end());
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execvp("redis-server", argv.data());
            ::_exit(127);
        }
        pid_ = pid;
        for (int i = 0; i < 500; ++i) {
            if (port_open(port_)) return;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis-server exited at start (is it installed? see scripts/bootstrap)");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        throw std::runtime_error("redis-server did not start listening on port " + port);
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
        pid_ = -1;
    }

    /// The server every backend-law test shares (started on first use).
    static RedisServer& shared() {
        static RedisServer server;
        return server;
    }

private:
    TempDir dir_;
    pid_t owner_ = ::getpid();
    int port_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_SUPPORT_STORAGE_HPP
