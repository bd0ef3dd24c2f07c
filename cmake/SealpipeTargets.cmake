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

# The optional components, each only when its dependency was found (SealpipeDependencies):
# component=imported target of its dependency.
set(SEALPIPE_COMPONENTS core)
foreach(_pair IN ITEMS zstd=sealpipe_deps::zstd x509=OpenSSL::Crypto sqlite=SQLite::SQLite3
                       redis=sealpipe_deps::hiredis grpc=sealpipe_deps::grpcpp)
  string(REPLACE "=" ";" _pair ${_pair})
  list(GET _pair 0 _c)
  list(GET _pair 1 _dependency)
  if(NOT _c IN_LIST SEALPIPE_FOUND_COMPONENTS)
    continue()
  endif()
  add_library(sealpipe_${_c} INTERFACE)
  add_library(sealpipe::${_c} ALIAS sealpipe_${_c})
  set_target_properties(sealpipe_${_c} PROPERTIES EXPORT_NAME ${_c})
  target_link_libraries(sealpipe_${_c} INTERFACE sealpipe_core ${_dependency})
  list(APPEND SEALPIPE_COMPONENTS ${_c})
endforeach()
# grpc also holds the code protoc generates from proto/ (a static library: the only compiled
# part of sealpipe) and needs OpenSSL for the client roles it connects.
if(TARGET sealpipe_grpc)
  include(SealpipeProto)
  target_link_libraries(sealpipe_grpc INTERFACE sealpipe_grpc_proto sealpipe_deps::protobuf OpenSSL::Crypto)
endif()
# With OpenSSL's libcrypto linked, the NIST curves run on it (keys/detail/nist_openssl.hpp).
if(TARGET sealpipe_x509)
  target_compile_definitions(sealpipe_x509 INTERFACE SEALPIPE_KEYS_NIST_OPENSSL=1)
endif()

# sealpipe::sealpipe: every component this build has.
add_library(sealpipe_all INTERFACE)
add_library(sealpipe::sealpipe ALIAS sealpipe_all)
set_target_properties(sealpipe_all PROPERTIES EXPORT_NAME sealpipe)
foreach(_c IN LISTS SEALPIPE_COMPONENTS)
  target_link_libraries(sealpipe_all INTERFACE sealpipe_${_c})
endforeach()
# Every component but grpc: what the command-line tool and the header check need (the network
# commands and headers come with grpc when it is there).
set(SEALPIPE_HAS_ALL_COMPONENTS TRUE)
foreach(_c IN ITEMS zstd x509 sqlite redis)
  if(NOT _c IN_LIST SEALPIPE_COMPONENTS)
    set(SEALPIPE_HAS_ALL_COMPONENTS FALSE)
  endif()
endforeach()

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

