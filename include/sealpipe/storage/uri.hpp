// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `open_store(uri)`: a store from `dir:PATH`, `sqlite:PATH`, `redis://...` or `memory:`.
// Needs the components sealpipe::sqlite and sealpipe::redis.

#ifndef SEALPIPE_STORAGE_URI_HPP
#define SEALPIPE_STORAGE_URI_HPP

#include <sealpipe/io/posix.hpp>
#include <sealpipe/storage/any.hpp>
#include <sealpipe/storage/directory.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include <cerrno>
#include <string>
#include <string_view>

#include <sys/stat.h>

namespace sealpipe::storage {

namespace detail {
/// Opens `grpc://` and `grpcs://` stores; set by sealpipe/net/remote_storage.hpp (component
/// sealpipe::grpc) when a program includes it.
using RemoteOpener = result<AnyBackend> (*)(std::string_view uri, const RemoteTls& tls);
inline RemoteOpener& remote_opener() noexcept {
    static RemoteOpener opener = nullptr;
    return opener;
}
} // namespace detail

/// Whether `open_backend` may create a store that is not there yet.
enum class OpenMode {
    create,   ///< create the directory or database file when missing (writers: `store put`)
    existing, ///< open only a store that exists; a missing one is an error (readers, `gc`)
};

/** Opens the backend a URI names (doc/cli.md, "Stores"):

    | URI | backend |
    | --- | --- |
    | `dir:PATH` | `Directory` at PATH |
    | `sqlite:PATH` | `Sqlite` database file at PATH |
    | `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` | `Redis` |
    | `memory:` | a new, empty `Memory` |
    | `grpc://HOST:PORT[/INSTANCE]`, `grpcs://...` | `Remote` (when the program includes sealpipe/net/remote_storage.hpp) |

    With `OpenMode::existing`, a `dir:` or `sqlite:` PATH where nothing is is refused ("no
    store at PATH") instead of becoming a new, empty store: a mistyped path then fails
    clearly rather than reporting every object missing.
    @par Errors `errc::malformed_input` for an unknown scheme or a bad URI;
    `errc::io_error` "no store at PATH"; the backend's own errors when it cannot be opened
    (`io_error`, `backend_unavailable`). */
[[nodiscard]] inline result<AnyBackend> open_backend(std::string_view uri, OpenMode mode = OpenMode::create,
                                                    const RemoteTls& tls = {}) {
    auto wrap = [](auto&& r) -> result<AnyBackend> {
        if (!r) return r.error();
        return AnyBackend(std::move(*r));
    };
    auto check_exists = [mode](const std::string& path, bool directory) -> result<void> {
        if (mode == OpenMode::create) return {};
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) return fail(errc::io_error, "no store at " + path);
            return io::posix::errno_error("cannot open store", path);
        }
        if (directory != S_ISDIR(st.st_mode))
            return fail(errc::io_error, "no store at " + path + ": it is " +
                                             (directory ? "not a directory" : "a directory, not a database file"));
        return {};
    };
    if (uri.starts_with("dir:")) {
        const std::string path(uri.substr(4));
        if (path.empty()) return fail(errc::malformed_input, "store URI 'dir:' needs a path");
        if (auto e = check_exists(path, true); !e) return e.error();
        return wrap(Directory::open(path, {.create = mode == OpenMode::create}));
    }
    if (uri.starts_with("sqlite:")) {
        if (uri.size() == 7) return fail(errc::malformed_input, "store URI 'sqlite:' needs a path");
        const std::string path(uri.substr(7));
        if (auto e = check_exists(path, false); !e) return e.error();
        SqliteOptions options;
        options.create = mode == OpenMode::create;
        return wrap(Sqlite::open(path, options));
    }
    if (uri.starts_with("redis://")) return wrap(Redis::open(uri));
    if (uri == "memory:") return AnyBackend(Memory{});
    if (uri.starts_with("grpc://") || uri.starts_with("grpcs://")) {
        if (auto open = detail::remote_opener()) return open(uri, tls);
        return fail(errc::unsupported, "store URI '" + std::string(uri) +
                                            "': remote stores need the grpc component (sealpipe/net/remote_storage.hpp)");
    }
    return fail(errc::malformed_input, "store URI: expected dir:PATH, sqlite:PATH or redis://HOST[:PORT][/DB], got '" +
                                            std::string(uri) + "'");
}

/// `open_backend` wrapped in a verified store.
[[nodiscard]] inline result<AnyStore> open_store(std::string_view uri, OpenMode mode = OpenMode::create,
                                                const RemoteTls& tls = {}) {
    auto b = open_backend(uri, mode, tls);
    if (!b) return b.error();
    return AnyStore(std::move(*b));
}

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_URI_HPP
