// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `open_store(uri)`: a store from `dir:PATH`, `sqlite:PATH`, `redis://...` or `memory:`.
// Needs the components sealpipe::sqlite and sealpipe::redis.

#ifndef SEALPIPE_STORAGE_URI_HPP
#define SEALPIPE_STORAGE_URI_HPP

#include <sealpipe/storage/any.hpp>
#include <sealpipe/storage/directory.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include <string>
#include <string_view>

namespace sealpipe::storage {

/** Opens the backend a URI names (doc/cli.md, "Stores"):

    | URI | backend |
    | --- | --- |
    | `dir:PATH` | `Directory` at PATH (created if missing) |
    | `sqlite:PATH` | `Sqlite` database file at PATH (created if missing) |
    | `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` | `Redis` |
    | `memory:` | a new, empty `Memory` |

    @par Errors `error::malformed_input` for an unknown scheme or a bad URI; the backend's
    own errors when it cannot be opened (`io_error`, `backend_unavailable`). */
[[nodiscard]] inline result<AnyBackend> open_backend(std::string_view uri) {
    auto wrap = [](auto&& r) -> result<AnyBackend> {
        if (!r) return r.error();
        return AnyBackend(std::move(*r));
    };
    if (uri.starts_with("dir:")) return wrap(Directory::open(std::string(uri.substr(4))));
    if (uri.starts_with("sqlite:")) {
        if (uri.size() == 7) return fail(error::malformed_input, "store URI 'sqlite:' needs a path");
        return wrap(Sqlite::open(std::string(uri.substr(7))));
    }
    if (uri.starts_with("redis://")) return wrap(Redis::open(uri));
    if (uri == "memory:") return AnyBackend(Memory{});
    return fail(error::malformed_input, "store URI: expected dir:PATH, sqlite:PATH or redis://HOST[:PORT][/DB], got '" +
                                            std::string(uri) + "'");
}

/// `open_backend` wrapped in a verified store.
[[nodiscard]] inline result<AnyStore> open_store(std::string_view uri) {
    auto b = open_backend(uri);
    if (!b) return b.error();
    return AnyStore(std::move(*b));
}

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_URI_HPP
