// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `open_provider(uri)`: a provider over the document store a URI names (`dir:PATH`,
// `sqlite:PATH`, `redis://...`). Needs the SQLite and Redis components.

#ifndef SEALPIPE_SQOOLER_URI_HPP
#define SEALPIPE_SQOOLER_URI_HPP

#include <sealpipe/error.hpp>
#include <sealpipe/io/redis.hpp>
#include <sealpipe/sqooler/provider.hpp>
#include <sealpipe/sqooler/redis.hpp>
#include <sealpipe/sqooler/sqlite.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sealpipe::sqooler {

/// A provider over any of the shipped document stores, chosen at run time; `std::visit` it.
using AnyProvider = std::variant<Provider<FolderDocuments>, Provider<SqliteDocuments>, Provider<RedisDocuments>>;

/** Opens the provider a URI names (doc/cli.md, "Storage provider"):

    | URI | document store |
    | --- | --- |
    | `dir:PATH` | `FolderDocuments` at PATH (sqooler's own layout) |
    | `sqlite:PATH` | `SqliteDocuments` database file at PATH |
    | `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` | `RedisDocuments` |

    @par Errors `errc::invalid_argument` for another scheme or an empty path; the store's own
    errors when it cannot be opened (`io_error`, `backend_unavailable`, a malformed Redis URI). */
[[nodiscard]] inline result<AnyProvider> open_provider(std::string_view uri) {
    if (uri.starts_with("dir:") && uri.size() > 4) return AnyProvider(Provider(FolderDocuments(std::string(uri.substr(4)))));
    if (uri.starts_with("sqlite:") && uri.size() > 7) {
        auto d = SqliteDocuments::open(std::string(uri.substr(7)));
        if (!d) return d.error();
        return AnyProvider(Provider(std::move(*d)));
    }
    if (uri.starts_with("redis://")) {
        auto c = io::redis::Config::from_uri(uri);
        if (!c) return c.error();
        return AnyProvider(Provider(RedisDocuments(std::move(*c))));
    }
    return fail(errc::invalid_argument, "expected a provider URI dir:PATH, sqlite:PATH or redis://..., got '" +
                                            std::string(uri) + "'");
}

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_URI_HPP
