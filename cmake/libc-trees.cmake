# glibc trees that are not Debian's (`--libc-tree DIR`): an install prefix
# or DESTDIR, a Debian-style root, an unpacked RPM, a conda sysroot, or a
# release scripts/build-glibc.sh built into the cache.  Each gets the build
# set build/tree-glibc-VERSION/ (cmake/StatictlsBuildSet.cmake) made with
# its own headers, crt files and ld.so, found from the files here, and the
# ctest label glibc-VERSION-tree.  Besides the set, the build directory holds
# the markers tree, layout, distro and libdirs (harness/probe/buildmarkers.h
# says what each holds).
#
# The trees: -DSTATICTLS_LIBC_TREES=DIR;DIR, and with
# STATICTLS_CACHED_TREES (default ON) every complete tree build-glibc.sh left
# in the cache.  The releases build-glibc.sh is known to build
# (STATICTLS_UPSTREAM_TREES) always get their tests: where their tree is not
# in the cache they skip (77), naming the command that builds it.
#
# Sets STATICTLS_TREE_BUILDS (names) and, per name, STATICTLS_TREE_DIR_<name>
# and STATICTLS_TREE_VERSION_<name>.

set(STATICTLS_LIBC_TREES "" CACHE STRING
    "glibc trees (install prefixes, DESTDIRs, unpacked RPMs, conda sysroots) to build the probe for, ;-separated")
option(STATICTLS_CACHED_TREES "Also build for every glibc tree scripts/build-glibc.sh left in the cache" ON)
set(STATICTLS_UPSTREAM_TREES 2.17 2.21)

include(${CMAKE_CURRENT_LIST_DIR}/StatictlsTreeLayout.cmake)

# A probe built against the host's headers and libraries must not need a
# symbol version newer than the tree's glibc: compiled here once, checked
# with objdump -T.  Sets OUT to "" or the reason it cannot run there.
function(_statictls_host_headers_check out name version ldso)
  set(probe ${CMAKE_BINARY_DIR}/statictls-version-check-${name})
  execute_process(COMMAND ${CMAKE_C_COMPILER} -std=gnu11 -o ${probe}
                          ${PROJECT_SOURCE_DIR}/harness/probe/probe.c -ldl -lpthread
                          -Wl,--dynamic-linker=${ldso}
                  RESULT_VARIABLE status ERROR_VARIABLE output)
  set(reason "")
  if(status EQUAL 0)
    execute_process(COMMAND objdump -T ${probe} OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
    string(REGEX MATCHALL "GLIBC_[0-9]+\\.[0-9]+(\\.[0-9]+)?" needed "${symbols}")
    foreach(symbol ${needed})
      string(REPLACE "GLIBC_" "" needs ${symbol})
      if(needs VERSION_GREATER version)
        set(reason "built against the host's headers, the probe needs ${symbol}, newer than this glibc ${version}: add its headers and crt files to the tree (libc6-dev, glibc-devel)")
        break()
      endif()
    endforeach()
  else()
    set(reason "the host's compiler cannot build the probe for it: ${output}")
  endif()
  file(REMOVE ${probe})
  set(${out} "${reason}" PARENT_SCOPE)
endfunction()

# statictls_tree_build_set(NAME DIR): the build set of the tree in DIR.
# Sets STATICTLS_TREE_VERSION_<NAME>.
function(statictls_tree_build_set name dir)
  statictls_write_marker(${name} ${STATICTLS_MARKER_TREE} "${dir}")
  statictls_tree_layout(${dir} T)
  if(T_ERROR)
    statictls_mark_unbuildable(${name} "${T_ERROR}")
    return()
  endif()
  set(distro tree)
  get_filename_component(parent ${dir} DIRECTORY)
  if(EXISTS ${parent}/complete AND parent MATCHES "/glibc-[0-9.]+-upstream-[^/]*$")
    set(distro upstream)
  endif()
  statictls_write_marker(${name} ${STATICTLS_MARKER_DISTRO} "${distro}")
  statictls_write_marker(${name} ${STATICTLS_MARKER_LAYOUT} "${T_LAYOUT}")
  string(REPLACE ";" ":" libdirs "${T_RUNPATH}")
  statictls_write_marker(${name} ${STATICTLS_MARKER_LIBDIRS} "${libdirs}")
  message(STATUS "${name}: glibc ${T_VERSION} in ${dir}: ${T_LAYOUT}")
  if(NOT T_INCLUDE_DIRS)
    _statictls_host_headers_check(reason ${name} ${T_VERSION} ${T_LDSO})
    if(reason)
      statictls_mark_unbuildable(${name} "${reason}")
      return()
    endif()
  endif()
  set(sysroot "")
  if(T_SYSROOT)
    set(sysroot SYSROOT ${T_SYSROOT})
  endif()
  statictls_build_set(${name} ROOT ${T_ROOT} ${sysroot} INCLUDE_DIRS ${T_INCLUDE_DIRS}
    LIB_DIRS ${T_LIB_DIRS} RUNPATH ${T_RUNPATH} LDSO ${T_LDSO})
  set(STATICTLS_TREE_VERSION_${name} ${T_VERSION} PARENT_SCOPE)
endfunction()

# The trees asked for: the known upstream releases (present or not), the
# rest of the cache's, and STATICTLS_LIBC_TREES.
set(_statictls_trees "")
foreach(version ${STATICTLS_UPSTREAM_TREES})
  list(APPEND _statictls_trees ${STATICTLS_CACHE}/glibc-${version}-upstream-${_statictls_tree_arch}/tree)
endforeach()
if(STATICTLS_CACHED_TREES)
  file(GLOB _statictls_cached ${STATICTLS_CACHE}/glibc-*-upstream-${_statictls_tree_arch}/complete)
  list(TRANSFORM _statictls_cached REPLACE "/complete$" "/tree")
  list(APPEND _statictls_trees ${_statictls_cached})
endif()
list(APPEND _statictls_trees ${STATICTLS_LIBC_TREES})
list(REMOVE_DUPLICATES _statictls_trees)

set(STATICTLS_TREE_BUILDS "")
foreach(dir ${_statictls_trees})
  get_filename_component(dir ${dir} ABSOLUTE)
  string(REGEX MATCH "/glibc-([0-9.]+)-upstream-[^/]*/tree$" upstream ${dir})
  set(version ${CMAKE_MATCH_1})
  set(missing FALSE)
  set(why "the glibc ${version} tree is not built: run `scripts/build-glibc.sh ${version} SOURCE` (SOURCE: a glibc-${version} tarball or source tree; with network it fetches one), then re-run cmake and build")
  if(upstream AND NOT STATICTLS_CACHED_TREES AND NOT dir IN_LIST STATICTLS_LIBC_TREES)
    set(missing TRUE)
    set(why "configured with STATICTLS_CACHED_TREES=OFF: re-run cmake with it ON (or -DSTATICTLS_LIBC_TREES=${dir}) and build")
  elseif(upstream AND NOT EXISTS ${dir}/../complete)
    set(missing TRUE) # build-glibc.sh writes `complete` last
  elseif(NOT upstream)
    statictls_tree_layout(${dir} T)
    set(version ${T_VERSION})
    if(T_ERROR)
      message(FATAL_ERROR "STATICTLS_LIBC_TREES: ${T_ERROR}")
    endif()
  endif()
  set(name tree-glibc-${version})
  set(n 2)
  while(name IN_LIST STATICTLS_TREE_BUILDS)
    set(name tree-glibc-${version}-${n})
    math(EXPR n "${n} + 1")
  endwhile()
  list(APPEND STATICTLS_TREE_BUILDS ${name})
  set(STATICTLS_TREE_DIR_${name} ${dir})
  set(STATICTLS_TREE_VERSION_${name} ${version})
  if(missing)
    statictls_mark_unfetched(${name} "${why}")
    statictls_write_marker(${name} ${STATICTLS_MARKER_TREE} "${dir}")
    continue()
  endif()
  statictls_tree_build_set(${name} ${dir})
endforeach()
