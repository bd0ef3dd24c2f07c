# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Helpers for sealpipe's tests: Boost.Test executables registered per suite, compile-fail
# cases, and CLI tests.

# sealpipe_add_test_executable(<area> SOURCES <file>... [LIBRARIES <target>...])
#   Builds test_<area> from the sources plus the shared Boost.Test main, and registers one
#   CTest test "<area>.<suite>" per BOOST_AUTO_TEST_SUITE found at the top of each source,
#   so that failures are reported with readable names.
function(sealpipe_add_test_executable area)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  sealpipe_missing_targets(missing ${ARG_LIBRARIES})
  if(missing)
    list(JOIN missing ", " missing)
    message(STATUS "sealpipe: tests of ${area} not built (no ${missing})")
    return()
  endif()
  set(target test_${area})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE sealpipe_test_main ${ARG_LIBRARIES} sealpipe_warnings)
  if(SEALPIPE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 0)
  endif()
  set(suites "")
  foreach(src IN LISTS ARG_SOURCES)
    file(READ ${src} text)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    # Suites declared directly, and those the testing kit's law macros declare
    # (SEALPIPE_TESTING_BACKEND_LAWS(suite, fixtures), ...).
    string(REGEX MATCHALL "\n(BOOST_AUTO_TEST_SUITE|SEALPIPE_TESTING_[A-Z_]+)\\(([A-Za-z0-9_]+)" found "${text}")
    foreach(m IN LISTS found)
      string(REGEX REPLACE ".*\\(([A-Za-z0-9_]+)" "\\1" suite "${m}")
      list(APPEND suites ${suite})
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES suites)
  if(NOT suites)
    message(FATAL_ERROR "sealpipe_add_test_executable(${area}): no BOOST_AUTO_TEST_SUITE found")
  endif()
  foreach(suite IN LISTS suites)
    add_test(NAME ${area}.${suite}
             COMMAND ${target} --run_test=${suite} --report_level=short --log_level=warning)
    set_tests_properties(${area}.${suite} PROPERTIES
      ENVIRONMENT "SEALPIPE_VECTORS=${PROJECT_SOURCE_DIR}/test/vectors"
      LABELS "unit;${area}")
  endforeach()
endfunction()

# sealpipe_add_compile_fail(<area> <case> [LIBRARIES <target>...])
#   test/compile_fail/<area>/<case>_fail.cpp must fail to compile with output matching the
#   regex on its first line ("// expect: <regex>") and with exactly one error (one diagnostic
#   per mistake); <case>_pass.cpp, its near-twin, must compile. test/compile_fail/run.py runs
#   the compiler on each with the command recorded in compile_commands.json, so the cases run
#   in parallel and take no lock on the build tree.
function(sealpipe_add_compile_fail area case)
  cmake_parse_arguments(ARG "" "" "LIBRARIES" ${ARGN})
  sealpipe_missing_targets(missing ${ARG_LIBRARIES})
  if(missing)
    return()
  endif()
  set(dir ${PROJECT_SOURCE_DIR}/test/compile_fail/${area})
  file(STRINGS ${dir}/${case}_fail.cpp first LIMIT_COUNT 1)
  if(NOT first MATCHES "^// expect: (.+)$")
    message(FATAL_ERROR "${dir}/${case}_fail.cpp: line 1 must be '// expect: <regex>'")
  endif()
  set(expect "${CMAKE_MATCH_1}")
  foreach(kind IN ITEMS fail pass)
    set(t cf_${area}_${case}_${kind})
    set(src ${dir}/${case}_${kind}.cpp)
    # The target only records the compile command (compile_commands.json); the test runs it.
    add_library(${t} OBJECT EXCLUDE_FROM_ALL ${src})
    target_link_libraries(${t} PRIVATE sealpipe::core ${ARG_LIBRARIES} sealpipe_warnings)
    set_target_properties(${t} PROPERTIES EXPORT_COMPILE_COMMANDS ON)
    set(args ${PROJECT_BINARY_DIR}/compile_commands.json ${src})
    if(kind STREQUAL "fail")
      list(APPEND args "${expect}")
    endif()
    add_test(NAME compile_fail.${area}.${case}.${kind}
             COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/test/compile_fail/run.py ${args})
    set_tests_properties(compile_fail.${area}.${case}.${kind} PROPERTIES
      ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1" LABELS "compile_fail;${area}")
  endforeach()
endfunction()

# sealpipe_add_cli_test(<name> <script.py>)
#   Runs a Python test script against the built tool.
function(sealpipe_add_cli_test name script)
  add_test(NAME cli.${name}
           COMMAND ${Python3_EXECUTABLE} ${script} $<TARGET_FILE:sealpipe_cli>)
  set_tests_properties(cli.${name} PROPERTIES
    ENVIRONMENT "SEALPIPE_VECTORS=${PROJECT_SOURCE_DIR}/test/vectors;PYTHONDONTWRITEBYTECODE=1"
    LABELS "cli")
endfunction()
