# The glibc releases of scripts/glibc-suites.txt.  Each one whose sysroot
# scripts/fetch-glibc.sh has unpacked gets its own build set of the probe and
# the fixtures in build/glibc-VERSION/ (cmake/StatictlsBuildSet.cmake); every
# release gets its ctest label, and skips where its sysroot is absent (cases).
#
# Sets STATICTLS_GLIBC_VERSIONS (all), STATICTLS_GLIBC_BUILT (those with a
# sysroot) and STATICTLS_GLIBC_ROOT_<version>.

function(_statictls_cache_option)
  set(cache "$ENV{STATICTLS_CACHE}")
  if(NOT cache AND DEFINED ENV{XDG_CACHE_HOME})
    set(cache "$ENV{XDG_CACHE_HOME}/statictls")
  elseif(NOT cache)
    set(cache "$ENV{HOME}/.cache/statictls")
  endif()
  set(STATICTLS_CACHE "${cache}" CACHE PATH "Where scripts/fetch-glibc.sh keeps the glibc sysroots")
endfunction()
_statictls_cache_option()
option(STATICTLS_FETCH_GLIBC "Fetch the glibc sysroots (scripts/fetch-glibc.sh) when configuring" OFF)

file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/glibc-suites.txt STATICTLS_GLIBC_VERSIONS REGEX "^[0-9]")
list(TRANSFORM STATICTLS_GLIBC_VERSIONS REPLACE "^([0-9.]+).*" "\\1")
# Which of them to fetch and build (a CI job that needs two releases saves
# the rest); empty: all.  Asking statictls for one left out is an error.
set(STATICTLS_GLIBC_RELEASES "$ENV{STATICTLS_GLIBC_RELEASES}" CACHE STRING
    "glibc releases to fetch and build, space- or ;-separated (default: all of scripts/glibc-suites.txt)")
string(REPLACE " " ";" STATICTLS_GLIBC_WANTED "${STATICTLS_GLIBC_RELEASES}")
if(NOT STATICTLS_GLIBC_WANTED)
  set(STATICTLS_GLIBC_WANTED ${STATICTLS_GLIBC_VERSIONS})
endif()
foreach(version ${STATICTLS_GLIBC_WANTED})
  if(NOT version IN_LIST STATICTLS_GLIBC_VERSIONS)
    message(FATAL_ERROR "STATICTLS_GLIBC_RELEASES: ${version} is not in scripts/glibc-suites.txt (${STATICTLS_GLIBC_VERSIONS})")
  endif()
endforeach()

# With STATICTLS_FETCH_GLIBC, fetches Debian's DEB_ARCH sysroots; what
# cannot be fetched is skipped by ctest, saying so.
function(statictls_fetch_glibc deb_arch)
  if(NOT STATICTLS_FETCH_GLIBC)
    return()
  endif()
  execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fetch-glibc.sh
                          --arch ${deb_arch} --cache ${STATICTLS_CACHE} ${STATICTLS_GLIBC_WANTED}
                  RESULT_VARIABLE fetch_status)
  if(NOT fetch_status EQUAL 0)
    message(WARNING "scripts/fetch-glibc.sh --arch ${deb_arch} failed; the releases it could not fetch are skipped by ctest")
  endif()
endfunction()

# statictls_debian_sysroots(PREFIX DEB_ARCH TRIPLET LDSO [SUFFIX s]
#     [COMPILER cmd...] [RUN_LOADER cmd] [GD_FLAGS f...] [TLSDESC_FLAGS f...])
# fetches Debian's DEB_ARCH sysroots and makes the build set
# glibc-VERSION<SUFFIX> of each release unpacked, LDSO its interpreter
# (relative to the sysroot); the other arguments go to statictls_build_set.
# Sets <PREFIX>_BUILT (the releases built) and <PREFIX>_ROOT_<version>.
function(statictls_debian_sysroots prefix deb_arch triplet ldso)
  cmake_parse_arguments(PARSE_ARGV 4 A "" "SUFFIX;RUN_LOADER" "COMPILER;GD_FLAGS;TLSDESC_FLAGS")
  statictls_fetch_glibc(${deb_arch})
  set(built "")
  foreach(version ${STATICTLS_GLIBC_VERSIONS})
    set(name glibc-${version}${A_SUFFIX})
    set(dir ${STATICTLS_CACHE}/glibc-${version}-${deb_arch})
    if(NOT version IN_LIST STATICTLS_GLIBC_WANTED)
      statictls_forget_build(${name}) # not asked for: not built
      continue()
    endif()
    if(NOT EXISTS ${dir}/complete)
      statictls_forget_build(${name})
      if(STATICTLS_FETCH_GLIBC)
        # Asked for and not fetched (no network, no archive key): a skip
        # that says why and how to fetch it.
        set(reason "scripts/fetch-glibc.sh failed")
        if(EXISTS ${dir}/failed)
          file(STRINGS ${dir}/failed reason LIMIT_COUNT 1)
        endif()
        statictls_mark_unfetched(${name}
          "its sysroot could not be fetched (${reason}); run `scripts/fetch-glibc.sh --arch ${deb_arch} ${version}`, then re-run cmake and build")
      endif()
      continue()
    endif()
    # Debian links against usr/lib/TRIPLET (crt files, libc.so) and runs
    # from lib/TRIPLET.
    set(root ${dir}/root)
    statictls_build_set(${name} COMPILER ${A_COMPILER} ROOT ${root} SYSROOT ${root}
      INCLUDE_DIRS ${root}/usr/include/${triplet} ${root}/usr/include
      LIB_DIRS ${root}/usr/lib/${triplet} ${root}/lib/${triplet}
      RUNPATH ${root}/lib/${triplet} ${root}/usr/lib/${triplet}
      LDSO ${root}/${ldso} RUN_LOADER ${A_RUN_LOADER}
      GD_FLAGS ${A_GD_FLAGS} TLSDESC_FLAGS ${A_TLSDESC_FLAGS} TARGETS targets)
    if(targets)
      list(APPEND built ${version})
      set(${prefix}_ROOT_${version} ${root} PARENT_SCOPE)
    endif()
  endforeach()
  message(STATUS "${deb_arch} glibc sysroots in ${STATICTLS_CACHE}: ${built}")
  set(${prefix}_BUILT ${built} PARENT_SCOPE)
endfunction()

# Only x86_64 hosts build against the amd64 sysroots.
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  statictls_debian_sysroots(STATICTLS_GLIBC amd64 x86_64-linux-gnu lib64/ld-linux-x86-64.so.2)
else()
  message(STATUS "glibc sysroots: none for ${CMAKE_SYSTEM_PROCESSOR} hosts; only the host libc is measured")
endif()
