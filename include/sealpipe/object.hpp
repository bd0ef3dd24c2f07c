// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for objects and references: format policies, Float16, references, object contents.

#ifndef SEALPIPE_OBJECT_HPP
#define SEALPIPE_OBJECT_HPP

#include <sealpipe/object/contents.hpp>
#include <sealpipe/object/float16.hpp>
#include <sealpipe/object/format.hpp>
#include <sealpipe/object/reference.hpp>

#endif // SEALPIPE_OBJECT_HPP
