# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Finds sealpipe's dependencies. Used both by the build tree and, through
# sealpipeConfig.cmake, by consumers of the installed package: it must only define
# imported targets, never sealpipe's own.
#
# Input:
#   SEALPIPE_DEPENDENCY_COMPONENTS  which components to look for (default: all of them);
#                                   core is always looked for.
#   SEALPIPE_REQUIRED_COMPONENTS    which of them must be found (default: all of them). The
#                                   others are looked for quietly and left out when missing.
# Output:
#   SEALPIPE_FOUND_COMPONENTS       the components whose dependencies were found.
include(CMakeFindDependencyMacro)
set(_sealpipe_optional zstd x509 sqlite redis grpc)
if(NOT DEFINED SEALPIPE_DEPENDENCY_COMPONENTS)
  set(SEALPIPE_DEPENDENCY_COMPONENTS core ${_sealpipe_optional})
endif()
if(NOT DEFINED SEALPIPE_REQUIRED_COMPONENTS)
  set(SEALPIPE_REQUIRED_COMPONENTS ${SEALPIPE_DEPENDENCY_COMPONENTS})
endif()

find_package(PkgConfig REQUIRED QUIET)

# core: Crypto++ (pkg-config), Boost headers and Boost.JSON.
if(NOT TARGET sealpipe_deps::cryptopp)
  pkg_check_modules(SEALPIPE_CRYPTOPP REQUIRED IMPORTED_TARGET GLOBAL libcrypto++)
  add_library(sealpipe_deps::cryptopp ALIAS PkgConfig::SEALPIPE_CRYPTOPP)
endif()
find_package(Boost 1.81 REQUIRED COMPONENTS json)
set(SEALPIPE_FOUND_COMPONENTS core)

# Finds pkg-config module `module` as sealpipe_deps::<name>; sets _found.
macro(_sealpipe_find_pkg name module prefix mode)
  if(NOT TARGET sealpipe_deps::${name})
    pkg_check_modules(SEALPIPE_${prefix} ${mode} IMPORTED_TARGET GLOBAL ${module})
    if(SEALPIPE_${prefix}_FOUND)
      add_library(sealpipe_deps::${name} ALIAS PkgConfig::SEALPIPE_${prefix})
    endif()
  endif()
  if(TARGET sealpipe_deps::${name})
    set(_found TRUE)
  endif()
endmacro()

foreach(_c IN LISTS _sealpipe_optional)
  if(NOT _c IN_LIST SEALPIPE_DEPENDENCY_COMPONENTS)
    continue()
  endif()
  if(_c IN_LIST SEALPIPE_REQUIRED_COMPONENTS)
    set(_mode REQUIRED)
  else()
    set(_mode QUIET)
  endif()
  set(_found FALSE)
  if(_c STREQUAL "zstd")
    _sealpipe_find_pkg(zstd libzstd ZSTD ${_mode})
  elseif(_c STREQUAL "x509")
    find_package(OpenSSL 3 ${_mode} COMPONENTS Crypto)
    set(_found ${OpenSSL_FOUND})
  elseif(_c STREQUAL "sqlite")
    find_package(SQLite3 ${_mode})
    set(_found ${SQLite3_FOUND})
  elseif(_c STREQUAL "redis")
    _sealpipe_find_pkg(hiredis hiredis HIREDIS ${_mode})
  elseif(_c STREQUAL "grpc")
    # gRPC C++ and the protobuf runtime (Debian: libgrpc++-dev, libprotobuf-dev).
    _sealpipe_find_pkg(grpcpp grpc++ GRPCPP ${_mode})
    if(_found)
      set(_found FALSE)
      _sealpipe_find_pkg(protobuf protobuf PROTOBUF ${_mode})
    endif()
    if(_found)   # the client and worker roles it connects verify X.509 chains
      find_package(OpenSSL 3 ${_mode} COMPONENTS Crypto)
      set(_found ${OpenSSL_FOUND})
    endif()
  endif()
  if(_found)
    list(APPEND SEALPIPE_FOUND_COMPONENTS ${_c})
  endif()
endforeach()
unset(_found)
unset(_mode)
