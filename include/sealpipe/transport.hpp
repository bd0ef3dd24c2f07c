// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The transport area: the `Transport` concept and the in-process transport.

#ifndef SEALPIPE_TRANSPORT_HPP
#define SEALPIPE_TRANSPORT_HPP

#include <sealpipe/transport/concepts.hpp>
#include <sealpipe/transport/in_process.hpp>
#include <sealpipe/transport/rpc.hpp>

#endif // SEALPIPE_TRANSPORT_HPP
