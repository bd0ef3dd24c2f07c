# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# sealpipe's INTERFACE targets. Split by dependency so that a user who only signs JWS
# links neither Redis nor SQLite.
set(_sealpipe_include "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>"
                      "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")

add_library(sealpipe_core INTERFACE)
add_library(sealpipe::core ALIAS sealpipe_core)
set_target_properties(sealpipe_core PROPERTIES EXPORT_NAME core)
target_include_directories(sealpipe_core INTERFACE ${_sealpipe_include})
target_compile_features(sealpipe_core INTERFACE cxx_std_20)
target_link_libraries(sealpipe_core INTERFACE
  sealpipe_deps::cryptopp Boost::headers Boost::json)

add_library(sealpipe_zstd INTERFACE)
add_library(sealpipe::zstd ALIAS sealpipe_zstd)
set_target_properties(sealpipe_zstd PROPERTIES EXPORT_NAME zstd)
target_link_libraries(sealpipe_zstd INTERFACE sealpipe_core sealpipe_deps::zstd)

add_library(sealpipe_x509 INTERFACE)
add_library(sealpipe::x509 ALIAS sealpipe_x509)
set_target_properties(sealpipe_x509 PROPERTIES EXPORT_NAME x509)
target_link_libraries(sealpipe_x509 INTERFACE sealpipe_core OpenSSL::Crypto)

add_library(sealpipe_sqlite INTERFACE)
add_library(sealpipe::sqlite ALIAS sealpipe_sqlite)
set_target_properties(sealpipe_sqlite PROPERTIES EXPORT_NAME sqlite)
target_link_libraries(sealpipe_sqlite INTERFACE sealpipe_core SQLite::SQLite3)

add_library(sealpipe_redis INTERFACE)
add_library(sealpipe::redis ALIAS sealpipe_redis)
set_target_properties(sealpipe_redis PROPERTIES EXPORT_NAME redis)
target_link_libraries(sealpipe_redis INTERFACE sealpipe_core sealpipe_deps::hiredis)

add_library(sealpipe_all INTERFACE)
add_library(sealpipe::sealpipe ALIAS sealpipe_all)
set_target_properties(sealpipe_all PROPERTIES EXPORT_NAME sealpipe)
target_link_libraries(sealpipe_all INTERFACE
  sealpipe_core sealpipe_zstd sealpipe_x509 sealpipe_sqlite sealpipe_redis)

set(SEALPIPE_COMPONENTS core zstd x509 sqlite redis)
