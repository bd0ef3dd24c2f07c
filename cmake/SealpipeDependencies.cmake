# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Finds sealpipe's dependencies. Used both by the build tree and, through
# sealpipeConfig.cmake, by consumers of the installed package: it must only define
# imported targets, never sealpipe's own.
#
# SEALPIPE_DEPENDENCY_COMPONENTS: which components to look for (default: all of them).
include(CMakeFindDependencyMacro)
if(NOT DEFINED SEALPIPE_DEPENDENCY_COMPONENTS)
  set(SEALPIPE_DEPENDENCY_COMPONENTS core zstd x509 sqlite redis)
endif()
if(NOT DEFINED SEALPIPE_FIND_DEPENDENCY)
  set(SEALPIPE_FIND_DEPENDENCY find_package)
endif()

find_package(PkgConfig REQUIRED QUIET)

# core: Crypto++ (pkg-config), Boost headers and Boost.JSON.
if(NOT TARGET sealpipe_deps::cryptopp)
  pkg_check_modules(SEALPIPE_CRYPTOPP REQUIRED IMPORTED_TARGET GLOBAL libcrypto++)
  add_library(sealpipe_deps::cryptopp ALIAS PkgConfig::SEALPIPE_CRYPTOPP)
endif()
find_package(Boost 1.81 REQUIRED COMPONENTS json)

if("zstd" IN_LIST SEALPIPE_DEPENDENCY_COMPONENTS AND NOT TARGET sealpipe_deps::zstd)
  pkg_check_modules(SEALPIPE_ZSTD REQUIRED IMPORTED_TARGET GLOBAL libzstd)
  add_library(sealpipe_deps::zstd ALIAS PkgConfig::SEALPIPE_ZSTD)
endif()
if("x509" IN_LIST SEALPIPE_DEPENDENCY_COMPONENTS)
  find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
endif()
if("sqlite" IN_LIST SEALPIPE_DEPENDENCY_COMPONENTS)
  find_package(SQLite3 REQUIRED)
endif()
if("redis" IN_LIST SEALPIPE_DEPENDENCY_COMPONENTS AND NOT TARGET sealpipe_deps::hiredis)
  pkg_check_modules(SEALPIPE_HIREDIS REQUIRED IMPORTED_TARGET GLOBAL hiredis)
  add_library(sealpipe_deps::hiredis ALIAS PkgConfig::SEALPIPE_HIREDIS)
endif()
