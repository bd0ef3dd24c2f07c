// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The remote execution area (doc/protocol.md, "Actions and events"): messages, sealing, the client and worker
// roles and the scheduler. Needs the sealpipe::x509 component (client certificates).

#ifndef SEALPIPE_EXECUTION_HPP
#define SEALPIPE_EXECUTION_HPP

#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/endpoints.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/execution/sealing.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/transport.hpp>

#endif // SEALPIPE_EXECUTION_HPP
