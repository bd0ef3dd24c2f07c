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

# The optional components, each only when its dependency was found (SealpipeDependencies).
set(SEALPIPE_COMPONENTS core)
if(zstd IN_LIST SEALPIPE_FOUND_COMPONENTS)
  add_library(sealpipe_zstd INTERFACE)
  add_library(sealpipe::zstd ALIAS sealpipe_zstd)
  set_target_properties(sealpipe_zstd PROPERTIES EXPORT_NAME zstd)
  target_link_libraries(sealpipe_zstd INTERFACE sealpipe_core sealpipe_deps::zstd)
  list(APPEND SEALPIPE_COMPONENTS zstd)
endif()
if(x509 IN_LIST SEALPIPE_FOUND_COMPONENTS)
  add_library(sealpipe_x509 INTERFACE)
  add_library(sealpipe::x509 ALIAS sealpipe_x509)
  set_target_properties(sealpipe_x509 PROPERTIES EXPORT_NAME x509)
  target_link_libraries(sealpipe_x509 INTERFACE sealpipe_core OpenSSL::Crypto)
  list(APPEND SEALPIPE_COMPONENTS x509)
endif()
if(sqlite IN_LIST SEALPIPE_FOUND_COMPONENTS)
  add_library(sealpipe_sqlite INTERFACE)
  add_library(sealpipe::sqlite ALIAS sealpipe_sqlite)
  set_target_properties(sealpipe_sqlite PROPERTIES EXPORT_NAME sqlite)
  target_link_libraries(sealpipe_sqlite INTERFACE sealpipe_core SQLite::SQLite3)
  list(APPEND SEALPIPE_COMPONENTS sqlite)
endif()
if(redis IN_LIST SEALPIPE_FOUND_COMPONENTS)
  add_library(sealpipe_redis INTERFACE)
  add_library(sealpipe::redis ALIAS sealpipe_redis)
  set_target_properties(sealpipe_redis PROPERTIES EXPORT_NAME redis)
  target_link_libraries(sealpipe_redis INTERFACE sealpipe_core sealpipe_deps::hiredis)
  list(APPEND SEALPIPE_COMPONENTS redis)
endif()

# sealpipe::sealpipe: every component this build has.
add_library(sealpipe_all INTERFACE)
add_library(sealpipe::sealpipe ALIAS sealpipe_all)
set_target_properties(sealpipe_all PROPERTIES EXPORT_NAME sealpipe)
foreach(_c IN LISTS SEALPIPE_COMPONENTS)
  target_link_libraries(sealpipe_all INTERFACE sealpipe_${_c})
endforeach()
set(SEALPIPE_HAS_ALL_COMPONENTS FALSE)
if(SEALPIPE_COMPONENTS STREQUAL "core;zstd;x509;sqlite;redis")
  set(SEALPIPE_HAS_ALL_COMPONENTS TRUE)
endif()

# sealpipe_missing_targets(<out> <item>...): the imported or sealpipe targets among the items
#   (names with "::") that this build does not have, e.g. a component whose dependency is
#   missing. Whatever needs one of them is left out of the build, with a message.
function(sealpipe_missing_targets out)
  set(missing "")
  foreach(t IN LISTS ARGN)
    if(t MATCHES "::" AND NOT TARGET ${t})
      list(APPEND missing ${t})
    endif()
  endforeach()
  set(${out} "${missing}" PARENT_SCOPE)
endfunction()

