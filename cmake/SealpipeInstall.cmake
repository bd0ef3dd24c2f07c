# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# cmake --install: headers, one CMake export set per component, the package config and
# pkg-config files.
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(SEALPIPE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sealpipe)
foreach(component IN LISTS SEALPIPE_COMPONENTS)
  install(TARGETS sealpipe_${component} ${SEALPIPE_${component}_EXTRA_TARGETS}
          EXPORT sealpipe-${component}-targets)
  install(EXPORT sealpipe-${component}-targets NAMESPACE sealpipe::
          DESTINATION ${SEALPIPE_CMAKE_DIR})
endforeach()
install(TARGETS sealpipe_all EXPORT sealpipe-all-targets)
install(EXPORT sealpipe-all-targets NAMESPACE sealpipe:: DESTINATION ${SEALPIPE_CMAKE_DIR})

configure_package_config_file(cmake/sealpipeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sealpipeConfig.cmake INSTALL_DESTINATION ${SEALPIPE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sealpipeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/sealpipeConfig.cmake
              ${PROJECT_BINARY_DIR}/sealpipeConfigVersion.cmake
              cmake/SealpipeDependencies.cmake
        DESTINATION ${SEALPIPE_CMAKE_DIR})

# sealpipe.pc requires what the components of this build need.
set(SEALPIPE_PC_REQUIRES libcrypto++)
foreach(_pair IN ITEMS zstd:libzstd x509:libcrypto sqlite:sqlite3 redis:hiredis grpc:grpc++)
  string(REPLACE ":" ";" _pair ${_pair})
  list(GET _pair 0 _c)
  list(GET _pair 1 _module)
  if(_c IN_LIST SEALPIPE_COMPONENTS)
    string(APPEND SEALPIPE_PC_REQUIRES " ${_module}")
  endif()
endforeach()
foreach(pc IN ITEMS sealpipe sealpipe-core)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
endforeach()
