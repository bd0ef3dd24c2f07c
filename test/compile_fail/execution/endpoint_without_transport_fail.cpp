// expect: sealpipe: a Transport policy needs a member template Channel<M>
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An endpoint is parameterised on a transport: a type that makes no bounded channels is refused.
#include <sealpipe/execution/endpoints.hpp>

struct NotATransport {};

using Misuse = sealpipe::execution::WorkerEndpoint<NotATransport>;
[[maybe_unused]] constexpr auto size = sizeof(Misuse);
