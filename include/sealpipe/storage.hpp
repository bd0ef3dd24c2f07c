// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Storage umbrella: the backend concept, verified stores, the Memory and Directory backends,
// reachability and garbage collection. Sqlite and Redis have their own headers
// (sealpipe/storage/sqlite.hpp, redis.hpp, and uri.hpp for all of them), as has the
// storage server client (sealpipe/net/remote_storage.hpp, component grpc), so that users of this
// header link neither SQLite, hiredis nor gRPC.

#ifndef SEALPIPE_STORAGE_HPP
#define SEALPIPE_STORAGE_HPP

#include <sealpipe/storage/any.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/storage/directory.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/types.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/verifier.hpp>
#include <sealpipe/storage/write_session.hpp>

#endif // SEALPIPE_STORAGE_HPP
