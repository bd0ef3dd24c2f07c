// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The network area (component grpc): the scheduler served over gRPC as Bonanza's services,
// and the client and worker roles connected to one (doc/execution.md, "Over the network");
// a store served as Bonanza's storage services, with its leases, and `storage::Remote`, the
// backend that uses them (doc/storage.md, "Over the network").

#ifndef SEALPIPE_NET_HPP
#define SEALPIPE_NET_HPP

#include <sealpipe/net/client.hpp>
#include <sealpipe/net/lease.hpp>
#include <sealpipe/net/options.hpp>
#include <sealpipe/net/remote_storage.hpp>
#include <sealpipe/net/scheduler_server.hpp>
#include <sealpipe/net/storage_server.hpp>
#include <sealpipe/net/worker.hpp>

#endif // SEALPIPE_NET_HPP
