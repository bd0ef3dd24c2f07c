# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Installs sealpipe from the build tree into a scratch prefix, then configures, builds and
# runs a consumer project against the installed package (find_package with components).
file(REMOVE_RECURSE ${WORK_DIR})
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
step(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix --component Unspecified)
if(NOT EXISTS ${WORK_DIR}/prefix/include/sealpipe.hpp)
  message(FATAL_ERROR "headers were not installed")
endif()
file(GLOB pc ${WORK_DIR}/prefix/share/pkgconfig/sealpipe*.pc)
list(LENGTH pc n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected two pkg-config files, found: ${pc}")
endif()
set(variants core all)
if(EXISTS ${WORK_DIR}/prefix/lib/cmake/sealpipe/sealpipe-grpc-targets.cmake)
  list(APPEND variants grpc)
endif()
foreach(variant IN LISTS variants)
  step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/test/cmake_install_test -B ${WORK_DIR}/build-${variant}
       -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
       -DVARIANT=${variant})
  step(${CMAKE_COMMAND} --build ${WORK_DIR}/build-${variant})
  step(${WORK_DIR}/build-${variant}/consumer)
endforeach()
message(STATUS "consumer built and ran against the installed package")
