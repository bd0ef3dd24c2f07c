// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// What the law suites of sealpipe/testing/ build their cases from: deterministic bytes,
// SHA256_V1 objects with their references, temporary directories and forked children.

#ifndef SEALPIPE_TESTING_OBJECTS_HPP
#define SEALPIPE_TESTING_OBJECTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/object/contents.hpp>
#include <sealpipe/object/reference.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sealpipe::testing {

/// Deterministic pseudo-random bytes (xorshift32) for test cases; never for keys.
inline Bytes pattern(std::size_t n, std::uint32_t seed = 1) {
    Bytes b(n);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& c : b) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<Byte>(x);
    }
    return b;
}

/// An object and its reference.
struct Object {
    object::Reference ref;
    Bytes data;
};

/// The SHA256_V1 object with these children (sorted and de-duplicated here) and payload.
inline Object make_object(ByteView payload, std::vector<object::Reference> children = {}) {
    std::sort(children.begin(), children.end());
    children.erase(std::unique(children.begin(), children.end()), children.end());
    auto contents = object::Contents::build(children, payload).value();
    return Object{contents.reference(), to_bytes(contents.data())};
}

/// A leaf object of `n` pseudo-random bytes (1 ≤ n ≤ 2 MiB).
inline Object leaf(std::size_t n, std::uint32_t seed) { return make_object(pattern(n, seed)); }

/// A fresh directory, removed (by the process that made it) at scope exit.
class TempDir {
public:
    TempDir() : TempDir(std::filesystem::temp_directory_path().string()) {}
    /// A fresh directory inside `parent` (e.g. /dev/shm).
    explicit TempDir(const std::string& parent) : owner_(::getpid()) {
        std::string base = parent + "/sealpipe-test-XXXXXX";
        if (!::mkdtemp(base.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + base);
        path_ = base;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (::getpid() != owner_) return;
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    pid_t owner_;
    std::string path_;
};

/** Runs `f` in a forked child and returns its exit status (the child leaves with _exit, so
    no destructor of the parent's objects runs twice). A child that dies of a signal gives
    128 + the signal. */
inline int run_in_child(const std::function<int()>& f) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
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

} // namespace sealpipe::testing

#endif // SEALPIPE_TESTING_OBJECTS_HPP
