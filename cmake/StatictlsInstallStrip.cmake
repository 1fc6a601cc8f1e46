# `cmake --install --strip` and `cpack` (CPACK_STRIP_FILES) strip the
# program; this strips every other ELF file an install puts under
# lib/statictls/ too (the probes, the injected helpers, the fixture
# templates of every libc build), each with a strip that knows its machine:
# the host's for x86-64 and i386, aarch64-linux-gnu-strip for aarch64 (left
# as it is, saying so, where that is not installed).  --strip-unneeded keeps
# what ld.so and statictls read: the program headers (PT_TLS of a fixture
# template) and the dynamic symbols.  The sysroots' copies (sysroots/) are
# Debian's files, left as Debian ships them: its crt files and archives are
# linked against.
find_program(STATICTLS_AARCH64_STRIP aarch64-linux-gnu-strip)
install(CODE "
set(statictls_strip_host \"${CMAKE_STRIP}\")
set(statictls_strip_aarch64 \"${STATICTLS_AARCH64_STRIP}\")
set(statictls_parts \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${STATICTLS_INSTALL_PARTSDIR}\")
if(CMAKE_INSTALL_DO_STRIP AND IS_DIRECTORY \"\${statictls_parts}\")
  file(GLOB_RECURSE statictls_files LIST_DIRECTORIES false \"\${statictls_parts}/*\")
  foreach(file \${statictls_files})
    if(IS_SYMLINK \"\${file}\" OR file MATCHES \"^\${statictls_parts}/sysroots/\")
      continue()
    endif()
    file(READ \"\${file}\" head LIMIT 20 HEX)
    if(NOT head MATCHES \"^7f454c46\")
      continue()
    endif()
    string(SUBSTRING \"\${head}\" 36 4 machine) # e_machine, little-endian
    set(strip \"\${statictls_strip_host}\")
    if(machine STREQUAL \"b700\")
      set(strip \"\${statictls_strip_aarch64}\")
    endif()
    if(NOT strip)
      message(STATUS \"not stripped (no strip for its machine here): \${file}\")
      continue()
    endif()
    execute_process(COMMAND \"\${strip}\" --strip-unneeded \"\${file}\" RESULT_VARIABLE failed)
    if(failed)
      message(FATAL_ERROR \"\${strip} --strip-unneeded \${file} failed\")
    endif()
  endforeach()
endif()
")
