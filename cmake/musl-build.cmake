# musl: the build set built with musl-gcc (Debian's musl-tools) into
# build/musl/, run with the host's musl loader.  musl has no static TLS
# surplus: it refuses a dlopen'ed initial-exec module at relocation.
find_program(STATICTLS_MUSL_GCC musl-gcc)
if(STATICTLS_MUSL_GCC)
  # The host's own musl: no sysroot, an empty root.
  statictls_build_set(musl COMPILER ${STATICTLS_MUSL_GCC})
else()
  statictls_mark_unbuildable(musl
    "no musl-gcc on this machine: install musl-tools (Debian, Ubuntu) or musl-gcc, then re-run cmake and build")
  message(STATUS "musl: no musl-gcc here; its tests skip (apt-get install musl-tools)")
endif()
