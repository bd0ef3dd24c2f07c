// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support for storage: the kit's objects, directories and children (sealpipe/testing/), a
// free loopback port, and a private redis-server on it.

#ifndef SEALPIPE_TEST_SUPPORT_STORAGE_HPP
#define SEALPIPE_TEST_SUPPORT_STORAGE_HPP

#include <sealpipe/core/hash.hpp>
#include <sealpipe/storage/types.hpp>
#include <sealpipe/testing/objects.hpp>

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

using testing::leaf;
using testing::make_object;
using testing::Object;
using testing::run_in_child;
using testing::TempDir;

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
