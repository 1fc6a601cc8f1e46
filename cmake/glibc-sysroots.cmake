# The glibc releases of scripts/glibc-suites.txt.  Each one whose sysroot
# scripts/fetch-glibc.sh has unpacked gets its own build of the probe and
# the fixtures in build/glibc-VERSION/ (harness, fixtures); every release
# gets its ctest label, and skips where its sysroot is absent (cases).
#
# Sets STATICTLS_GLIBC_VERSIONS (all), STATICTLS_GLIBC_BUILT (those with a
# sysroot) and STATICTLS_GLIBC_ROOT_<version>.

set(default_cache "$ENV{STATICTLS_CACHE}")
if(NOT default_cache)
  if(DEFINED ENV{XDG_CACHE_HOME})
    set(default_cache "$ENV{XDG_CACHE_HOME}/statictls")
  else()
    set(default_cache "$ENV{HOME}/.cache/statictls")
  endif()
endif()
set(STATICTLS_CACHE "${default_cache}" CACHE PATH
    "Where scripts/fetch-glibc.sh keeps the glibc sysroots")
option(STATICTLS_FETCH_GLIBC "Fetch the glibc sysroots (scripts/fetch-glibc.sh) when configuring" OFF)

file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/glibc-suites.txt suite_lines REGEX "^[0-9]")
set(STATICTLS_GLIBC_VERSIONS "")
foreach(line ${suite_lines})
  string(REGEX MATCH "^[0-9.]+" version "${line}")
  list(APPEND STATICTLS_GLIBC_VERSIONS ${version})
endforeach()

# Only x86_64 hosts build against the amd64 sysroots.
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  set(sysroot_arch amd64)
  set(STATICTLS_TRIPLET x86_64-linux-gnu)
  set(STATICTLS_LDSO lib64/ld-linux-x86-64.so.2)
else()
  message(STATUS "glibc sysroots: none for ${CMAKE_SYSTEM_PROCESSOR} hosts; only the host libc is measured")
  set(sysroot_arch "")
endif()

if(STATICTLS_FETCH_GLIBC AND sysroot_arch)
  execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fetch-glibc.sh
                          --arch ${sysroot_arch} --cache ${STATICTLS_CACHE}
                  RESULT_VARIABLE fetch_status)
  if(NOT fetch_status EQUAL 0)
    message(WARNING "scripts/fetch-glibc.sh failed; the glibc releases it could not fetch are skipped by ctest")
  endif()
endif()

set(STATICTLS_GLIBC_BUILT "")
foreach(version ${STATICTLS_GLIBC_VERSIONS})
  set(dir ${STATICTLS_CACHE}/glibc-${version}-${sysroot_arch})
  if(sysroot_arch AND EXISTS ${dir}/complete)
    list(APPEND STATICTLS_GLIBC_BUILT ${version})
    set(STATICTLS_GLIBC_ROOT_${version} ${dir}/root)
    file(WRITE ${CMAKE_BINARY_DIR}/glibc-${version}/root "${dir}/root\n")
  else()
    file(REMOVE_RECURSE ${CMAKE_BINARY_DIR}/glibc-${version})
  endif()
endforeach()
message(STATUS "glibc sysroots in ${STATICTLS_CACHE}: ${STATICTLS_GLIBC_BUILT}")

# Compiles and links TARGET against the glibc in ROOT: its headers and crt
# files, its ld.so as the interpreter (executables), its lib dirs on the
# runpath.  Debian's gcc has no configured sysroot, so --sysroot alone would
# still find the host's libraries: -B and -L point at the sysroot's first.
function(statictls_use_sysroot target root)
  set(libdirs ${root}/lib/${STATICTLS_TRIPLET} ${root}/usr/lib/${STATICTLS_TRIPLET})
  string(REPLACE ";" ":" runpath "${libdirs}")
  target_compile_options(${target} PRIVATE --sysroot=${root})
  target_link_options(${target} PRIVATE --sysroot=${root} -B${root}/usr/lib/${STATICTLS_TRIPLET}/
                      -L${root}/usr/lib/${STATICTLS_TRIPLET} -L${root}/lib/${STATICTLS_TRIPLET}
                      -Wl,-rpath,${runpath})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_link_options(${target} PRIVATE -Wl,--dynamic-linker=${root}/${STATICTLS_LDSO})
  endif()
endfunction()
