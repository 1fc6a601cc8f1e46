# `cmake --install --strip` and `cpack` (CPACK_STRIP_FILES) strip the
# program; this strips every other ELF file an install puts under
# lib/statictls/ too (the probes, the injected helpers, the fixture
# templates of every libc build), each with a strip that knows its machine:
# the host's for x86-64 and i386, the cross binutils' TRIPLET-strip for the
# others (left as it is, saying so, where that is not installed).
# --strip-unneeded keeps what ld.so and statictls read: the program headers
# (PT_TLS of a fixture template) and the dynamic symbols.  The sysroots'
# copies (sysroots/) are Debian's files, left as Debian ships them: its crt
# files and archives are linked against.
# e_machine as the 4 hex digits of bytes 18-19 (EM_S390 is big-endian),
# and the triplet whose strip knows it.
set(_statictls_strip_machines b700 aarch64-linux-gnu 2800 arm-linux-gnueabihf
    1500 powerpc64le-linux-gnu 0016 s390x-linux-gnu f300 riscv64-linux-gnu)
set(_statictls_strip_table "")
list(LENGTH _statictls_strip_machines _statictls_n)
math(EXPR _statictls_last "${_statictls_n} - 1")
foreach(i RANGE 0 ${_statictls_last} 2)
  math(EXPR j "${i} + 1")
  list(GET _statictls_strip_machines ${i} machine)
  list(GET _statictls_strip_machines ${j} triplet)
  string(MAKE_C_IDENTIFIER "${triplet}" id)
  find_program(STATICTLS_STRIP_${id} ${triplet}-strip)
  string(APPEND _statictls_strip_table "set(statictls_strip_${machine} \"${STATICTLS_STRIP_${id}}\")\n")
endforeach()
install(CODE "
set(statictls_strip_host \"${CMAKE_STRIP}\")
${_statictls_strip_table}set(statictls_parts \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${STATICTLS_INSTALL_PARTSDIR}\")
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
    string(SUBSTRING \"\${head}\" 36 4 machine) # e_machine's two bytes
    set(strip \"\${statictls_strip_host}\")
    if(DEFINED statictls_strip_\${machine})
      set(strip \"\${statictls_strip_\${machine}}\")
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
