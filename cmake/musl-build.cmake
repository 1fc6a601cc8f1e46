# musl: the probe and the fixtures built with musl-gcc (Debian's
# musl-tools) into build/musl/, run with the host's musl loader.  musl has
# no static TLS surplus: it refuses a dlopen'ed initial-exec module at
# relocation.  Custom commands, as for aarch64: one C compiler per project.
find_program(STATICTLS_MUSL_GCC musl-gcc)
set(out ${CMAKE_BINARY_DIR}/musl)
file(REMOVE ${out}/root)
if(NOT STATICTLS_MUSL_GCC)
  message(STATUS "musl: no musl-gcc here; its tests skip (apt-get install musl-tools)")
  return()
endif()
file(WRITE ${out}/root "\n") # the host's own musl: no sysroot
set(src ${PROJECT_SOURCE_DIR})
set(cc ${STATICTLS_MUSL_GCC} -std=gnu11 -O2 -Wall -Wextra)
set(template ${cc} -shared -fPIC -DTEMPLATE_ALIGN=4096 ${src}/fixtures/tls_block.c)
set(outputs ${out}/statictls-probe ${out}/fixtures/template-ie.so ${out}/fixtures/template-gd.so
            ${out}/fixtures/template-tlsdesc.so ${out}/fixtures/ctor-crash.so
            ${out}/fixtures/ctor-hang.so ${out}/fixtures/auditor.so ${out}/fixtures/auditor2.so)
add_custom_command(OUTPUT ${outputs}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/fixtures
  COMMAND ${cc} -o ${out}/statictls-probe ${src}/harness/probe/probe.c -lpthread
  COMMAND ${template} -ftls-model=initial-exec -o ${out}/fixtures/template-ie.so
  COMMAND ${template} -ftls-model=global-dynamic -mtls-dialect=gnu -o ${out}/fixtures/template-gd.so
  COMMAND ${template} -ftls-model=global-dynamic -mtls-dialect=gnu2 -o ${out}/fixtures/template-tlsdesc.so
  COMMAND ${cc} -shared -fPIC -o ${out}/fixtures/ctor-crash.so ${src}/fixtures/ctor-crash.c
  COMMAND ${cc} -shared -fPIC -o ${out}/fixtures/ctor-hang.so ${src}/fixtures/ctor-hang.c
  COMMAND ${cc} -shared -fPIC -o ${out}/fixtures/auditor.so ${src}/fixtures/auditor.c
  COMMAND ${cc} -shared -fPIC -o ${out}/fixtures/auditor2.so ${src}/fixtures/auditor.c
  DEPENDS ${src}/harness/probe/probe.c ${src}/fixtures/tls_block.c ${src}/fixtures/ctor-crash.c
          ${src}/fixtures/ctor-hang.c ${src}/fixtures/auditor.c
  COMMENT "musl build"
  VERBATIM)
add_custom_target(musl-build ALL DEPENDS ${outputs})
set(STATICTLS_MUSL_BUILT TRUE)
