# aarch64 through qemu-user: for each glibc release whose arm64 sysroot
# scripts/fetch-glibc.sh unpacked, the probe and the fixtures built with the
# cross compiler into build/glibc-VERSION-aarch64/, with a `loader` file
# naming qemu-aarch64, which runs each probe.  CMake has one C compiler per
# project, so these are custom commands, with the same sources and flags as
# the native builds.  Sets STATICTLS_AARCH64_BUILT.

find_program(STATICTLS_AARCH64_CC aarch64-linux-gnu-gcc)
find_program(STATICTLS_QEMU_AARCH64 qemu-aarch64)
find_program(STATICTLS_AARCH64_OBJDUMP aarch64-linux-gnu-objdump)
set(STATICTLS_AARCH64_BUILT "")
if(NOT STATICTLS_AARCH64_CC OR NOT STATICTLS_QEMU_AARCH64 OR NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  message(STATUS "aarch64: no cross compiler or qemu-aarch64 here; its tests skip (apt-get install gcc-aarch64-linux-gnu qemu-user)")
  return()
endif()

if(STATICTLS_FETCH_GLIBC)
  execute_process(COMMAND sh ${PROJECT_SOURCE_DIR}/scripts/fetch-glibc.sh
                          --arch arm64 --cache ${STATICTLS_CACHE}
                  RESULT_VARIABLE fetch_status)
  if(NOT fetch_status EQUAL 0)
    message(WARNING "scripts/fetch-glibc.sh --arch arm64 failed; those releases are skipped by ctest")
  endif()
endif()

set(src ${PROJECT_SOURCE_DIR})
set(triplet aarch64-linux-gnu)
foreach(version ${STATICTLS_GLIBC_VERSIONS})
  set(dir ${STATICTLS_CACHE}/glibc-${version}-arm64)
  set(out ${CMAKE_BINARY_DIR}/glibc-${version}-aarch64)
  file(REMOVE ${out}/root ${out}/loader)
  if(NOT EXISTS ${dir}/complete)
    continue()
  endif()
  set(root ${dir}/root)
  statictls_sysroot_flags(flags ${root} ${triplet} lib/ld-linux-aarch64.so.1)
  statictls_can_link(linkable glibc-${version}-aarch64 ${STATICTLS_AARCH64_CC} ${flags})
  if(NOT linkable)
    continue()
  endif()
  list(APPEND STATICTLS_AARCH64_BUILT ${version})
  file(WRITE ${out}/root "${root}\n")
  file(WRITE ${out}/loader "${STATICTLS_QEMU_AARCH64}\n")
  list(FILTER flags EXCLUDE REGEX "^-Wl,--dynamic-linker=")
  statictls_include_flags(includes ${STATICTLS_AARCH64_CC} ${root} ${triplet})
  set(cc ${STATICTLS_AARCH64_CC} -std=gnu11 -O2 -Wall -Wextra ${includes} ${flags})
  set(module ${cc} -shared -fPIC)
  set(template ${module} -DTEMPLATE_ALIGN=4096 ${src}/fixtures/tls_block.c)
  set(outputs ${out}/statictls-probe ${out}/fixtures/template-ie.so ${out}/fixtures/template-gd.so
              ${out}/fixtures/template-tlsdesc.so ${out}/fixtures/ctor-crash.so
              ${out}/fixtures/ctor-hang.so ${out}/fixtures/auditor.so ${out}/fixtures/auditor2.so)
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/fixtures
    COMMAND ${cc} -o ${out}/statictls-probe ${src}/harness/probe/probe.c -ldl -lpthread
            -Wl,--dynamic-linker=${root}/lib/ld-linux-aarch64.so.1
    COMMAND ${template} -ftls-model=initial-exec -o ${out}/fixtures/template-ie.so
    COMMAND ${template} -ftls-model=global-dynamic -mtls-dialect=trad -o ${out}/fixtures/template-gd.so
    COMMAND ${template} -ftls-model=global-dynamic -mtls-dialect=desc -o ${out}/fixtures/template-tlsdesc.so
    COMMAND ${module} -o ${out}/fixtures/ctor-crash.so ${src}/fixtures/ctor-crash.c
    COMMAND ${module} -o ${out}/fixtures/ctor-hang.so ${src}/fixtures/ctor-hang.c
    COMMAND ${module} -o ${out}/fixtures/auditor.so ${src}/fixtures/auditor.c
    COMMAND ${module} -o ${out}/fixtures/auditor2.so ${src}/fixtures/auditor.c
    DEPENDS ${src}/harness/probe/probe.c ${src}/fixtures/tls_block.c ${src}/fixtures/ctor-crash.c
            ${src}/fixtures/ctor-hang.c ${src}/fixtures/auditor.c
    COMMENT "aarch64 build against glibc ${version}"
    VERBATIM)
  add_custom_target(glibc-${version}-aarch64 ALL DEPENDS ${outputs})
endforeach()
message(STATUS "aarch64 sysroots in ${STATICTLS_CACHE}: ${STATICTLS_AARCH64_BUILT}")
