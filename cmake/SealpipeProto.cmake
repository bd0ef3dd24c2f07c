# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The grpc component's generated code: protoc and grpc_cpp_plugin turn proto/*.proto into
# sealpipe_grpc_proto, a static library installed with its headers under
# include/sealpipe/proto/ (the include path keeps protoc's own paths: bonanza/..., google/rpc/...).
find_program(SEALPIPE_PROTOC protoc REQUIRED)
find_program(SEALPIPE_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
set(SEALPIPE_PROTO_DIR ${PROJECT_SOURCE_DIR}/proto)
set(SEALPIPE_PROTO_FILES
  bonanza/encryptedaction/encryptedaction.proto
  bonanza/remoteexecution/remoteexecution.proto
  bonanza/remoteworker/remoteworker.proto
  bonanza/storage/object/object.proto
  bonanza/storage/tag/tag.proto
  bonanza/storage/dag/dag.proto
  google/rpc/status.proto
  sealpipe/command/command.proto
  sealpipe/storage/maintenance.proto)
# The services; the others carry messages only.
set(SEALPIPE_PROTO_SERVICES
  bonanza/remoteexecution/remoteexecution.proto
  bonanza/remoteworker/remoteworker.proto
  bonanza/storage/object/object.proto
  bonanza/storage/tag/tag.proto
  bonanza/storage/dag/dag.proto
  sealpipe/storage/maintenance.proto)
set(_out ${PROJECT_BINARY_DIR}/proto)
set(_sources "")
set(_headers "")
foreach(_proto IN LISTS SEALPIPE_PROTO_FILES)
  string(REGEX REPLACE "\\.proto$" "" _stem ${_proto})
  set(_generated ${_out}/${_stem}.pb.cc ${_out}/${_stem}.pb.h)
  set(_args --cpp_out=${_out})
  if(_proto IN_LIST SEALPIPE_PROTO_SERVICES)
    list(APPEND _generated ${_out}/${_stem}.grpc.pb.cc ${_out}/${_stem}.grpc.pb.h)
    list(APPEND _args --grpc_out=${_out} --plugin=protoc-gen-grpc=${SEALPIPE_GRPC_CPP_PLUGIN})
  endif()
  add_custom_command(OUTPUT ${_generated}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_out}
    COMMAND ${SEALPIPE_PROTOC} -I${SEALPIPE_PROTO_DIR} ${_args} ${SEALPIPE_PROTO_DIR}/${_proto}
    DEPENDS ${SEALPIPE_PROTO_DIR}/${_proto}
    COMMENT "protoc ${_proto}" VERBATIM)
  foreach(_f IN LISTS _generated)
    if(_f MATCHES "\\.cc$")
      list(APPEND _sources ${_f})
    else()
      list(APPEND _headers ${_f})
    endif()
  endforeach()
endforeach()
add_library(sealpipe_grpc_proto STATIC ${_sources} ${_headers})
add_library(sealpipe::grpc_proto ALIAS sealpipe_grpc_proto)
set_target_properties(sealpipe_grpc_proto PROPERTIES EXPORT_NAME grpc_proto POSITION_INDEPENDENT_CODE ON)
target_include_directories(sealpipe_grpc_proto SYSTEM PUBLIC
  "$<BUILD_INTERFACE:${_out}>" "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/sealpipe/proto>")
target_link_libraries(sealpipe_grpc_proto PUBLIC sealpipe_deps::grpcpp sealpipe_deps::protobuf)
target_compile_features(sealpipe_grpc_proto PUBLIC cxx_std_20)
install(DIRECTORY ${_out}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sealpipe/proto
        FILES_MATCHING PATTERN "*.pb.h")
install(DIRECTORY ${SEALPIPE_PROTO_DIR}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sealpipe/proto
        FILES_MATCHING PATTERN "*.proto")
set(SEALPIPE_grpc_EXTRA_TARGETS sealpipe_grpc_proto)
unset(_out)
unset(_sources)
unset(_headers)
