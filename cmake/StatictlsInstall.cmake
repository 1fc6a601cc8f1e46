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
#
# With STATICTLS_INSTALL_SYSROOTS (the default) each glibc build's sysroot
# comes along, in lib/statictls/sysroots/<its cache directory's name>/, and
# the installed root marker names that copy relative to the build's
# directory (where statictlsConfig.cmake reads statictls_SYSROOT_<release>).
# The program then runs the probe through the copy's ld.so, so an install
# made by root works for every user, and a copied prefix or .deb on another
# machine works too, never reading the cache of whoever built it.  What is
# copied: its ld.so and shared libraries; for a release of this machine's
# architecture also its headers, crt files and libc.so with what it names
# (libc_nonshared.a), which statictls_add_library_variants compiles and
# links against (about 15 to 21 MB a release; 3 to 8 MB a foreign one).
# Never its other static archives, gconv modules or share/.  OFF: the install names the
# cache (STATICTLS_CACHE; a directory every user can read, such as
# /var/cache/statictls, for an install others use).
option(STATICTLS_INSTALL_SYSROOTS
       "Install a copy of each glibc build's sysroot libraries with statictls (else the install uses STATICTLS_CACHE)" ON)

# _statictls_install_sysroot(DIR OUT): installs the sysroot build DIR's root
# marker names, and a root marker naming the copy; OUT: whether it did.
function(_statictls_install_sysroot dir out)
  set(${out} FALSE PARENT_SCOPE)
  set(build ${CMAKE_BINARY_DIR}/${dir})
  if(NOT dir MATCHES "^glibc-" OR NOT EXISTS ${build}/${STATICTLS_MARKER_ROOT}
     OR NOT EXISTS ${build}/${STATICTLS_MARKER_LDSO})
    return()
  endif()
  file(STRINGS ${build}/${STATICTLS_MARKER_ROOT} root LIMIT_COUNT 1)
  if(NOT root OR NOT IS_DIRECTORY "${root}")
    return()
  endif()
  get_filename_component(cache ${root} DIRECTORY) # .../glibc-2.31-amd64, with distro beside root
  get_filename_component(name ${cache} NAME)
  set(dest ${STATICTLS_INSTALL_PARTSDIR}/sysroots/${name})
  set(compile_parts PATTERN include EXCLUDE PATTERN "*.o" EXCLUDE PATTERN "*.a" EXCLUDE)
  if(dir MATCHES "^glibc-[0-9.]+$") # variants are built against it: all but other archives
    set(compile_parts REGEX "/lib[^/_]*\\.a$" EXCLUDE)
  endif()
  install(DIRECTORY ${root}/ DESTINATION ${dest}/root USE_SOURCE_PERMISSIONS
          PATTERN share EXCLUDE PATTERN gconv EXCLUDE ${compile_parts})
  foreach(file distro debian-version)
    if(EXISTS ${cache}/${file})
      install(FILES ${cache}/${file} DESTINATION ${dest})
    endif()
  endforeach()
  set(marker ${CMAKE_BINARY_DIR}/installed-markers/${dir}/${STATICTLS_MARKER_ROOT})
  file(WRITE ${marker} "../sysroots/${name}/root\n")
  install(FILES ${marker} DESTINATION ${STATICTLS_INSTALL_PARTSDIR}/${dir})
  set(${out} TRUE PARENT_SCOPE)
endfunction()
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
  set(copied FALSE)
  if(STATICTLS_INSTALL_SYSROOTS)
    _statictls_install_sysroot(${dir} copied)
  endif()
  set(own_root "")
  if(copied) # the marker naming the copy is installed instead
    set(own_root PATTERN ${STATICTLS_MARKER_ROOT} EXCLUDE)
  endif()
  install(DIRECTORY ${CMAKE_BINARY_DIR}/${dir} DESTINATION ${STATICTLS_INSTALL_PARTSDIR}
          USE_SOURCE_PERMISSIONS OPTIONAL FILES_MATCHING ${statictls_build_files} ${own_root})
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
