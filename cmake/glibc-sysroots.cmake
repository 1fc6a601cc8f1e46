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

# With STATICTLS_FETCH_GLIBC, fetches Debian's DEB_ARCH sysroots; what
# cannot be fetched is skipped by ctest, saying so.
function(statictls_fetch_glibc deb_arch)
  if(NOT STATICTLS_FETCH_GLIBC)
    return()
  endif()
  execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fetch-glibc.sh
                          --arch ${deb_arch} --cache ${STATICTLS_CACHE}
                  RESULT_VARIABLE fetch_status)
  if(NOT fetch_status EQUAL 0)
    message(WARNING "scripts/fetch-glibc.sh --arch ${deb_arch} failed; the releases it could not fetch are skipped by ctest")
  endif()
endfunction()

if(sysroot_arch)
  statictls_fetch_glibc(${sysroot_arch})
endif()

# statictls_can_link(OUT NAME LOADER COMPILER FLAGS...): whether COMPILER
# links a program with FLAGS that then runs (through LOADER, e.g. qemu, if
# not empty).  An old linker cannot read a newer glibc (binutils 2.35 of
# Debian 11 knows no SHT_RELR, which Debian's 2.36 and later use), and
# Debian 12's i686 cross toolchain links programs against i386 2.43 that
# crash at startup: then that release is not built, and build/NAME/unbuildable
# says why, for the skip.
file(WRITE ${CMAKE_BINARY_DIR}/statictls-link-check.c "int main(void) { return 0; }\n")
function(statictls_can_link out name loader compiler)
  set(program ${CMAKE_BINARY_DIR}/statictls-link-check-${name})
  execute_process(COMMAND ${compiler} ${ARGN} -o ${program}
                          ${CMAKE_BINARY_DIR}/statictls-link-check.c
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(status EQUAL 0)
    execute_process(COMMAND ${loader} ${program} RESULT_VARIABLE status
                    OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(NOT status EQUAL 0)
      set(output "error: a program linked against it does not run (${status}) ${output}")
    endif()
  endif()
  file(REMOVE ${program})
  if(status EQUAL 0)
    set(${out} TRUE PARENT_SCOPE)
    file(REMOVE ${CMAKE_BINARY_DIR}/${name}/unbuildable)
  else()
    string(REGEX MATCH "[^\n]*(error|unknown|incompatible)[^\n]*" first "${output}")
    message(STATUS "${name}: ${compiler} cannot build against it: ${first}")
    file(WRITE ${CMAKE_BINARY_DIR}/${name}/unbuildable
         "this machine's toolchain cannot build against it: ${first}\n")
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The header flags of ROOT for COMPILER: Debian's cross compilers search
# their own libc headers (/usr/aarch64-linux-gnu/include) before a
# --sysroot's, so only the compiler's own headers and the sysroot's remain.
function(statictls_include_flags out compiler root triplet)
  execute_process(COMMAND ${compiler} -print-file-name=include
                  OUTPUT_VARIABLE gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
  # Joined -isystemDIR: target_compile_options would merge repeated words.
  set(${out} -nostdinc -isystem${gcc_include} -isystem${root}/usr/include/${triplet}
      -isystem${root}/usr/include PARENT_SCOPE)
endfunction()

# The flags that build against ROOT (TRIPLET's lib dirs, LDSO the interpreter).
function(statictls_sysroot_flags out root triplet ldso)
  set(${out} --sysroot=${root} -B${root}/usr/lib/${triplet}/ -L${root}/usr/lib/${triplet}
      -L${root}/lib/${triplet} -Wl,-rpath,${root}/lib/${triplet}:${root}/usr/lib/${triplet}
      -Wl,--dynamic-linker=${root}/${ldso} PARENT_SCOPE)
endfunction()

set(STATICTLS_GLIBC_BUILT "")
foreach(version ${STATICTLS_GLIBC_VERSIONS})
  set(dir ${STATICTLS_CACHE}/glibc-${version}-${sysroot_arch})
  # Without its root file a build is not offered (harness/libcbuild.c).
  file(REMOVE ${CMAKE_BINARY_DIR}/glibc-${version}/root)
  if(sysroot_arch AND EXISTS ${dir}/complete)
    statictls_sysroot_flags(flags ${dir}/root ${STATICTLS_TRIPLET} ${STATICTLS_LDSO})
    statictls_can_link(linkable glibc-${version} "" ${CMAKE_C_COMPILER} ${flags})
    if(linkable)
      list(APPEND STATICTLS_GLIBC_BUILT ${version})
      set(STATICTLS_GLIBC_ROOT_${version} ${dir}/root)
      file(WRITE ${CMAKE_BINARY_DIR}/glibc-${version}/root "${dir}/root\n")
    endif()
  endif()
endforeach()
message(STATUS "glibc sysroots in ${STATICTLS_CACHE}: ${STATICTLS_GLIBC_BUILT}")

# Compiles and links TARGET against the glibc in ROOT: its headers and crt
# files, its ld.so as the interpreter (executables), its lib dirs on the
# runpath.  Debian's gcc has no configured sysroot, so --sysroot alone would
# still find the host's libraries: -B and -L point at the sysroot's first.
function(statictls_use_sysroot target root)
  statictls_sysroot_flags(flags ${root} ${STATICTLS_TRIPLET} ${STATICTLS_LDSO})
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    list(FILTER flags EXCLUDE REGEX "^-Wl,--dynamic-linker=")
  endif()
  statictls_include_flags(includes ${CMAKE_C_COMPILER} ${root} ${STATICTLS_TRIPLET})
  target_compile_options(${target} PRIVATE --sysroot=${root} ${includes})
  target_link_options(${target} PRIVATE ${flags})
endfunction()
