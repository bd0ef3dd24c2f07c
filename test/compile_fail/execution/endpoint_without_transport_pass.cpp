// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The twin of endpoint_without_transport_fail.cpp: with the in-process transport it compiles.
#include <sealpipe/execution/endpoints.hpp>
#include <sealpipe/transport/in_process.hpp>

using Fine = sealpipe::execution::WorkerEndpoint<sealpipe::transport::InProcess>;
[[maybe_unused]] constexpr auto size = sizeof(Fine);
