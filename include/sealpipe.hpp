// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella header: every area of sealpipe through its own umbrella (sealpipe/<area>.hpp),
// except what needs an optional component or is meant to be named on purpose:
// - sealpipe/hazmat/ (raw keys, caller-chosen nonces): include it by name, so that review finds it;
// - sealpipe/io/ (POSIX, SQLite and Redis plumbing under the stores): an implementation layer;
// - sealpipe/testing/ (the law suites, for tests of downstream policies): needs Boost.Test;
// - the parts that need libzstd, OpenSSL, SQLite or hiredis, named next to their area below;
// - sealpipe/net/ (gRPC and protobuf, component grpc): <sealpipe/net.hpp>.

#ifndef SEALPIPE_HPP
#define SEALPIPE_HPP

#include <sealpipe/aead.hpp>
#include <sealpipe/codec.hpp>
#include <sealpipe/core.hpp>
#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>          // Zstd and AnyPipeline need libzstd: <sealpipe/encoding/zstd.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/execution/sealing.hpp> // the client and worker roles need X.509: <sealpipe/execution.hpp>
#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler.hpp>
#include <sealpipe/tags.hpp>
#include <sealpipe/keys.hpp>              // X.509 (OpenSSL) is separate: <sealpipe/keys/x509.hpp>
#include <sealpipe/object.hpp>
#include <sealpipe/storage.hpp>           // Sqlite, Redis, open_store: <sealpipe/storage/{sqlite,redis,uri}.hpp>
#include <sealpipe/transport.hpp>

#endif // SEALPIPE_HPP
