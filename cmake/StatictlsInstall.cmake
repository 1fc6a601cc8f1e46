# `cmake --install build --prefix P`: the layout of
# cmake/StatictlsInstallDirs.cmake, with every libc build this configure
# made, and the package files find_package(statictls) reads.

# The cases, also beside the program in the build tree, where `report` finds
# them as it finds them in an install (harness/base/xpath.c data_dir).
file(GLOB statictls_case_files ${PROJECT_SOURCE_DIR}/cases/*.case)
foreach(file ${statictls_case_files})
  get_filename_component(name ${file} NAME)
  configure_file(${file} ${CMAKE_BINARY_DIR}/cases/${name} COPYONLY)
endforeach()

install(TARGETS statictls RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${CMAKE_BINARY_DIR}/statictls-probe DESTINATION ${STATICTLS_INSTALL_PARTSDIR})
install(FILES ${CMAKE_BINARY_DIR}/statictls-tracer.so ${CMAKE_BINARY_DIR}/statictls-squeeze.so
        DESTINATION ${STATICTLS_INSTALL_PARTSDIR})
# Only the parts: a build tree also holds CMake's own files, naming the tree.
install(DIRECTORY ${CMAKE_BINARY_DIR}/fixtures DESTINATION ${STATICTLS_INSTALL_PARTSDIR}
        FILES_MATCHING PATTERN "*.so" PATTERN "CMakeFiles" EXCLUDE)
# Each libc build directory as it is: the probe and fixtures of a built one
# and its markers (harness/probe/buildmarkers.h: a built one's root names the
# sysroot in the cache of scripts/fetch-glibc.sh, or a marker says why it is
# not here).
set(statictls_build_dirs musl)
foreach(version ${STATICTLS_GLIBC_VERSIONS})
  list(APPEND statictls_build_dirs glibc-${version})
  foreach(arch ${STATICTLS_FOREIGN_ARCHES})
    list(APPEND statictls_build_dirs glibc-${version}-${arch})
  endforeach()
endforeach()
# The --libc-tree builds too (cmake/libc-trees.cmake), with what names their tree.
list(APPEND statictls_build_dirs ${STATICTLS_TREE_BUILDS})
set(statictls_build_files "")
foreach(file statictls-probe *.so ${STATICTLS_MARKERS})
  list(APPEND statictls_build_files PATTERN ${file})
endforeach()
foreach(dir ${statictls_build_dirs})
  install(DIRECTORY ${CMAKE_BINARY_DIR}/${dir} DESTINATION ${STATICTLS_INSTALL_PARTSDIR}
          USE_SOURCE_PERMISSIONS OPTIONAL FILES_MATCHING ${statictls_build_files})
endforeach()
install(FILES ${statictls_case_files} ${PROJECT_SOURCE_DIR}/cases/README.md
        DESTINATION ${STATICTLS_INSTALL_DATADIR}/cases)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/fetch-glibc.sh ${PROJECT_SOURCE_DIR}/scripts/build-glibc.sh
        DESTINATION ${STATICTLS_INSTALL_DATADIR})
install(FILES ${PROJECT_SOURCE_DIR}/scripts/glibc-suites.txt DESTINATION ${STATICTLS_INSTALL_DATADIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/statictls.schema.json DESTINATION ${STATICTLS_INSTALL_DATADIR})

# find_package(statictls): the config finds everything relative to itself.
include(CMakePackageConfigHelpers)
file(RELATIVE_PATH STATICTLS_CMAKEDIR_TO_PREFIX /${STATICTLS_INSTALL_CMAKEDIR} /)
configure_file(${PROJECT_SOURCE_DIR}/cmake/statictlsConfig.cmake.in
               ${CMAKE_BINARY_DIR}/statictlsConfig.cmake @ONLY)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/statictlsConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/statictlsConfig.cmake
              ${CMAKE_BINARY_DIR}/statictlsConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/statictlsHelpers.cmake
        DESTINATION ${STATICTLS_INSTALL_CMAKEDIR})
include(${CMAKE_CURRENT_LIST_DIR}/StatictlsInstallStrip.cmake)
