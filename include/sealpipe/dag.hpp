// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for encrypted DAGs: links, node writers and readers, files and directories.

#ifndef SEALPIPE_DAG_HPP
#define SEALPIPE_DAG_HPP

#include <sealpipe/dag/concepts.hpp>
#include <sealpipe/dag/link.hpp>
#include <sealpipe/dag/node.hpp>
#include <sealpipe/dag/tree.hpp>

#endif // SEALPIPE_DAG_HPP
