# Builds for other architectures: for each glibc release whose sysroot of
# that Debian architecture scripts/fetch-glibc.sh unpacked, the probe and
# the fixtures in build/glibc-VERSION-ARCH/:
#   aarch64: the cross compiler; every probe runs under qemu-aarch64 (the
#            `loader` file names it);
#   i386:    the i686 cross compiler; runs natively on the x86_64 kernel.
# CMake has one C compiler per project, so these are custom commands, with
# the same sources and flags as the native builds.
# Sets STATICTLS_FOREIGN_ARCHES (aarch64 i386), and per ARCH that is
# available STATICTLS_<ARCH>_CC (the compiler command, a list),
# STATICTLS_<ARCH>_OBJDUMP and STATICTLS_<ARCH>_BUILT (the releases).

set(STATICTLS_FOREIGN_ARCHES aarch64 i386)
find_program(aarch64_gcc aarch64-linux-gnu-gcc)
find_program(qemu_aarch64 qemu-aarch64)
find_program(STATICTLS_aarch64_OBJDUMP aarch64-linux-gnu-objdump)
find_program(i686_gcc i686-linux-gnu-gcc)
find_program(STATICTLS_i386_OBJDUMP i686-linux-gnu-objdump)

# add_foreign_builds(ARCH DEB_ARCH TRIPLET LDSO LOADER GD_FLAG DESC_FLAG CC...)
function(add_foreign_builds arch deb_arch triplet ldso loader gd_flag desc_flag)
  set(compiler ${ARGN})
  set(built "")
  statictls_fetch_glibc(${deb_arch})
  set(src ${PROJECT_SOURCE_DIR})
  foreach(version ${STATICTLS_GLIBC_VERSIONS})
    set(dir ${STATICTLS_CACHE}/glibc-${version}-${deb_arch})
    set(out ${CMAKE_BINARY_DIR}/glibc-${version}-${arch})
    file(REMOVE ${out}/root ${out}/loader)
    if(NOT EXISTS ${dir}/complete)
      continue()
    endif()
    set(root ${dir}/root)
    statictls_sysroot_flags(flags ${root} ${triplet} ${ldso})
    statictls_can_link(linkable glibc-${version}-${arch} "${loader}" ${compiler} ${flags})
    if(NOT linkable)
      continue()
    endif()
    list(APPEND built ${version})
    file(WRITE ${out}/root "${root}\n")
    if(loader)
      file(WRITE ${out}/loader "${loader}\n")
    endif()
    list(FILTER flags EXCLUDE REGEX "^-Wl,--dynamic-linker=")
    list(GET compiler 0 compiler_program)
    statictls_include_flags(includes "${compiler}" ${root} ${triplet})
    set(cc ${compiler} -std=gnu11 -O2 -Wall -Wextra ${includes} ${flags})
    set(module ${cc} -shared -fPIC)
    set(template ${module} -DTEMPLATE_ALIGN=4096 ${src}/fixtures/tls_block.c)
    set(outputs ${out}/statictls-probe ${out}/fixtures/template-ie.so ${out}/fixtures/template-gd.so
                ${out}/fixtures/template-tlsdesc.so ${out}/fixtures/ctor-crash.so
                ${out}/fixtures/ctor-hang.so ${out}/fixtures/auditor.so ${out}/fixtures/auditor2.so)
    add_custom_command(OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/fixtures
      COMMAND ${cc} -o ${out}/statictls-probe ${src}/harness/probe/probe.c -ldl -lpthread
              -Wl,--dynamic-linker=${root}/${ldso}
      COMMAND ${template} -ftls-model=initial-exec -o ${out}/fixtures/template-ie.so
      COMMAND ${template} -ftls-model=global-dynamic ${gd_flag} -o ${out}/fixtures/template-gd.so
      COMMAND ${template} -ftls-model=global-dynamic ${desc_flag} -o ${out}/fixtures/template-tlsdesc.so
      COMMAND ${module} -o ${out}/fixtures/ctor-crash.so ${src}/fixtures/ctor-crash.c
      COMMAND ${module} -o ${out}/fixtures/ctor-hang.so ${src}/fixtures/ctor-hang.c
      COMMAND ${module} -o ${out}/fixtures/auditor.so ${src}/fixtures/auditor.c
      COMMAND ${module} -o ${out}/fixtures/auditor2.so ${src}/fixtures/auditor.c
      DEPENDS ${src}/harness/probe/probe.c ${src}/fixtures/tls_block.c ${src}/fixtures/ctor-crash.c
              ${src}/fixtures/ctor-hang.c ${src}/fixtures/auditor.c
      COMMENT "${arch} build against glibc ${version}"
      VERBATIM)
    add_custom_target(glibc-${version}-${arch} ALL DEPENDS ${outputs})
  endforeach()
  message(STATUS "${arch} sysroots in ${STATICTLS_CACHE}: ${built}")
  set(STATICTLS_${arch}_BUILT ${built} PARENT_SCOPE)
endfunction()

if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  message(STATUS "other architectures: only from an x86_64 host")
  return()
endif()

if(aarch64_gcc AND qemu_aarch64)
  set(STATICTLS_aarch64_CC ${aarch64_gcc})
  add_foreign_builds(aarch64 arm64 aarch64-linux-gnu lib/ld-linux-aarch64.so.1 ${qemu_aarch64}
                     -mtls-dialect=trad -mtls-dialect=desc ${aarch64_gcc})
else()
  message(STATUS "aarch64: no cross compiler or qemu-aarch64 here; its tests skip (apt-get install gcc-aarch64-linux-gnu qemu-user)")
endif()

# The i686 cross compiler, not gcc -m32: Debian's gcc-multilib conflicts
# with its cross compilers, gcc-aarch64-linux-gnu included.
if(i686_gcc)
  set(STATICTLS_i386_CC ${i686_gcc})
  add_foreign_builds(i386 i386 i386-linux-gnu lib/ld-linux.so.2 "" -mtls-dialect=gnu
                     -mtls-dialect=gnu2 ${i686_gcc})
else()
  message(STATUS "i386: no i686 cross compiler here; its tests skip (apt-get install gcc-i686-linux-gnu)")
endif()
