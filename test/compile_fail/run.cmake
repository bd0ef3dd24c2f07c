# Copyright (c) 2026 The sealpipe authors. Distributed under the Boost Software License,
# Version 1.0 (see LICENSE_1_0.txt).
#
# Runs one compile-fail case: building TARGET must fail, its output must match EXPECT, and
# the compiler must report exactly one error: one diagnostic per mistake, no cascade.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(out "${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled, but it must not")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${TARGET}: the compiler's output does not say '${EXPECT}':\n${out}")
endif()
string(REGEX MATCHALL "(^|\n)[^\n]*error: " errors "${out}")
list(LENGTH errors count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${TARGET}: ${count} errors where one diagnostic was expected:\n${out}")
endif()
message(STATUS "${TARGET}: refused with one diagnostic matching '${EXPECT}'")
