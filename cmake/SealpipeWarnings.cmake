# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Warning flags for sealpipe's own targets (tests, tools, examples). Consumers are not
# affected: the INTERFACE targets carry no warning flags.
add_library(sealpipe_warnings INTERFACE)
target_compile_options(sealpipe_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${SEALPIPE_WERROR}>:-Werror>
  # Option structs are filled with designated initializers that leave defaulted members out;
  # g++ 12 and clang 14 warn about that even though those members have default member
  # initializers (later clang releases no longer do for designated initializers).
  -Wno-missing-field-initializers)
