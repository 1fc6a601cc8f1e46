# A build set: the probe and the fixtures it loads, built against one libc.
# harness/probe/libcbuild.c finds build NAME by the files in build/NAME/:
#   statictls-probe, fixtures/*.so  the set;
#   root         the libc tree (empty: the compiler's own libc); without it
#                the build is not offered;
#   loader       the command that runs its programs (qemu-aarch64);
#   unbuildable  why this machine's toolchain cannot build against it;
#   unfetched    why its sysroot could not be fetched.
# Either marker makes a request for the build a skip (77) that names what
# brings it; a known build with neither was not asked for when configuring,
# and asking for it is an error (2) unless --allow-missing.
#
# statictls_build_set(NAME
#     [COMPILER cmd...]        default: the project's C compiler
#     [ROOT dir]               the libc tree, written to build/NAME/root
#     [SYSROOT dir]            passed as --sysroot
#     [INCLUDE_DIRS dir...]    the libc's headers, in place of the compiler's
#     [LIB_DIRS dir...]        searched when linking; the first holds crt1.o
#     [RUNPATH dir...]         where its programs find the libc (default LIB_DIRS)
#     [LDSO path]              the probe's interpreter (the libc's ld.so)
#     [RUN_LOADER cmd]         runs its programs (qemu-aarch64)
#     [GD_FLAGS flag...]       the global-dynamic dialect (default -mtls-dialect=gnu)
#     [TLSDESC_FLAGS flag...]  the TLS descriptor dialect (default -mtls-dialect=gnu2)
#     [TARGETS var])
# builds the set into build/NAME/ (NAME host: into build/ itself, the host's
# libc, with no marker files), if COMPILER links a program against the libc
# that runs.  An installed glibc tree P (make install prefix=P): ROOT P
# INCLUDE_DIRS P/include and the kernel's headers (glibc installs none)
# LIB_DIRS P/lib LDSO P/lib/ld-linux-x86-64.so.2.  With the project's compiler the files are
# targets FILE-NAME (host: FILE, e.g. template-ie); with another (a cross
# compiler, musl-gcc) custom commands of the target NAME, since CMake has one
# C compiler per project.  TARGETS names a variable set to those targets,
# empty where COMPILER cannot build against the libc.

# statictls_forget_build(NAME): build/NAME is not offered; libcbuild.c says
# how to get it.
function(statictls_forget_build name)
  file(REMOVE ${CMAKE_BINARY_DIR}/${name}/root ${CMAKE_BINARY_DIR}/${name}/loader
              ${CMAKE_BINARY_DIR}/${name}/unfetched)
endfunction()

# statictls_mark_unbuildable(NAME REASON): build/NAME cannot be made on this
# machine, and REASON says what would bring it.
function(statictls_mark_unbuildable name reason)
  statictls_forget_build(${name})
  file(WRITE ${CMAKE_BINARY_DIR}/${name}/unbuildable "${reason}\n")
endfunction()

# statictls_allow_missing(VAR BUILD): VAR is --allow-missing where BUILD
# ("2.36", "2.36-aarch64", "musl") was not built by this configure, so the
# project's own tests of it skip, saying why, where a user's request fails.
function(statictls_allow_missing var build)
  set(name glibc-${build})
  if(build STREQUAL "musl")
    set(name musl)
  endif()
  if(EXISTS ${CMAKE_BINARY_DIR}/${name}/root)
    set(${var} "" PARENT_SCOPE)
  else()
    set(${var} --allow-missing PARENT_SCOPE)
  endif()
endfunction()

# Whether COMPILER links a program with FLAGS that then runs (through
# LOADER, e.g. qemu, if not empty).  An old linker cannot read a newer glibc
# (binutils 2.35 of Debian 11 knows no SHT_RELR, which Debian's 2.36 and
# later use), and Debian 12's i686 cross toolchain links programs against
# i386 2.43 that crash at startup: then that release is not built, and
# build/NAME/unbuildable says why, for the skip.
function(_statictls_can_link out name loader compiler)
  set(check ${CMAKE_BINARY_DIR}/statictls-link-check)
  file(WRITE ${check}.c "int main(void) { return 0; }\n")
  execute_process(COMMAND ${compiler} ${ARGN} -o ${check}-${name} ${check}.c
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(status EQUAL 0)
    execute_process(COMMAND ${loader} ${check}-${name} RESULT_VARIABLE status
                    OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(NOT status EQUAL 0)
      set(output "error: a program linked against it does not run (${status}) ${output}")
    endif()
  endif()
  file(REMOVE ${check}-${name})
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

function(statictls_build_set name)
  cmake_parse_arguments(PARSE_ARGV 1 A "" "ROOT;SYSROOT;LDSO;RUN_LOADER;TARGETS"
                        "COMPILER;INCLUDE_DIRS;LIB_DIRS;RUNPATH;GD_FLAGS;TLSDESC_FLAGS")
  set(src ${PROJECT_SOURCE_DIR})
  if(NOT A_COMPILER)
    set(A_COMPILER ${CMAKE_C_COMPILER})
  endif()
  if(NOT A_RUNPATH)
    set(A_RUNPATH ${A_LIB_DIRS})
  endif()
  if(NOT A_GD_FLAGS)
    set(A_GD_FLAGS -mtls-dialect=gnu)
  endif()
  if(NOT A_TLSDESC_FLAGS)
    set(A_TLSDESC_FLAGS -mtls-dialect=gnu2)
  endif()

  # The set, each file's source and flags.  The probe: the child of every
  # measurement.  Small on purpose: it must run under old loaders, so it
  # uses few libc symbols.
  set(files statictls-probe template-ie template-gd template-tlsdesc
            ctor-crash ctor-hang auditor auditor2)
  set(file_statictls-probe ${src}/harness/probe/probe.c)
  set(probe_libs -ldl -lpthread)
  # The harness never compiles per probe: it copies a template and patches
  # the size and alignment of its PT_TLS segment (harness/probe/fixture.c).
  # Templates' TLS is 4096-aligned so any patched alignment up to 4096 keeps
  # l_tls_firstbyte_offset at 0.
  set(template ${src}/fixtures/tls_block.c -DTEMPLATE_ALIGN=4096)
  set(file_template-ie ${template} -ftls-model=initial-exec)
  set(file_template-gd ${template} -ftls-model=global-dynamic ${A_GD_FLAGS})
  set(file_template-tlsdesc ${template} -ftls-model=global-dynamic ${A_TLSDESC_FLAGS})
  # Misbehaving fixtures (a probe that loads them must end as a record), and
  # two minimal rtld-audit modules for LD_AUDIT cases and sweeps.
  set(file_ctor-crash ${src}/fixtures/ctor-crash.c)
  set(file_ctor-hang ${src}/fixtures/ctor-hang.c)
  set(file_auditor ${src}/fixtures/auditor.c)
  set(file_auditor2 ${src}/fixtures/auditor.c)

  # Against another libc: its headers and crt files, its ld.so as the
  # interpreter (the probe), its lib dirs on the runpath.  Debian's gcc has
  # no configured sysroot, so --sysroot alone would still find the host's
  # libraries: -B and -L point at the libc's first.
  set(sysroot "")
  if(A_SYSROOT)
    set(sysroot --sysroot=${A_SYSROOT})
  endif()
  set(includes "")
  if(A_INCLUDE_DIRS)
    # Debian's cross compilers search their own libc headers
    # (/usr/aarch64-linux-gnu/include) before a --sysroot's, so only the
    # compiler's own headers and the libc's remain.
    execute_process(COMMAND ${A_COMPILER} -print-file-name=include
                    OUTPUT_VARIABLE gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
    # Joined -isystemDIR: target_compile_options would merge repeated words.
    list(TRANSFORM A_INCLUDE_DIRS PREPEND -isystem OUTPUT_VARIABLE includes)
    set(includes -nostdinc -isystem${gcc_include} ${includes})
  endif()
  set(link ${sysroot})
  if(A_LIB_DIRS)
    list(GET A_LIB_DIRS 0 crt_dir)
    list(TRANSFORM A_LIB_DIRS PREPEND -L OUTPUT_VARIABLE lib_flags)
    string(REPLACE ";" ":" runpath "${A_RUNPATH}")
    list(APPEND link -B${crt_dir}/ ${lib_flags} -Wl,-rpath,${runpath})
  endif()
  set(interpreter "")
  if(A_LDSO)
    set(interpreter -Wl,--dynamic-linker=${A_LDSO})
  endif()

  set(out ${CMAKE_BINARY_DIR})
  set(suffix "")
  if(NOT name STREQUAL "host")
    set(out ${CMAKE_BINARY_DIR}/${name})
    set(suffix -${name})
    statictls_forget_build(${name})
    _statictls_can_link(linkable ${name} "${A_RUN_LOADER}" ${A_COMPILER} ${link} ${interpreter})
    if(linkable)
      file(WRITE ${out}/root "${A_ROOT}\n")
      if(A_RUN_LOADER)
        file(WRITE ${out}/loader "${A_RUN_LOADER}\n")
      endif()
    else()
      set(files "") # nothing to build; the unbuildable file says why
    endif()
  endif()

  set(targets "")
  set(outputs "")
  set(sources "")
  set(commands COMMAND ${CMAKE_COMMAND} -E make_directory ${out}/fixtures)
  # What the project gives its targets: C11 with extensions, the -O2 of
  # RelWithDebInfo, add_compile_options.
  set(cc ${A_COMPILER} -std=gnu11 -O2 -Wall -Wextra ${includes} ${link})
  foreach(file ${files})
    set(flags ${file_${file}})
    list(GET flags 0 source)
    list(REMOVE_AT flags 0)
    list(APPEND sources ${source})
    if(A_COMPILER STREQUAL CMAKE_C_COMPILER)
      set(target ${file}${suffix})
      list(APPEND targets ${target})
      if(file STREQUAL "statictls-probe")
        add_executable(${target} ${source})
        target_link_libraries(${target} PRIVATE ${probe_libs})
        target_link_options(${target} PRIVATE ${link} ${interpreter})
        set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${out})
      else()
        add_library(${target} MODULE ${source})
        target_link_options(${target} PRIVATE ${link})
        set_target_properties(${target} PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${out}/fixtures)
      endif()
      set_target_properties(${target} PROPERTIES OUTPUT_NAME ${file})
      target_compile_options(${target} PRIVATE ${flags} ${sysroot} ${includes})
    elseif(file STREQUAL "statictls-probe")
      list(APPEND outputs ${out}/${file})
      list(APPEND commands COMMAND ${cc} ${flags} -o ${out}/${file} ${source} ${probe_libs}
                                   ${interpreter})
    else()
      list(APPEND outputs ${out}/fixtures/${file}.so)
      list(APPEND commands COMMAND ${cc} -shared -fPIC ${flags} -o ${out}/fixtures/${file}.so
                                   ${source})
    endif()
  endforeach()
  if(outputs)
    list(REMOVE_DUPLICATES sources)
    # The probe's header too: CMake scans headers only for its own targets.
    add_custom_command(OUTPUT ${outputs} ${commands}
                       DEPENDS ${sources} ${src}/harness/probe/protocol.h
                       COMMENT "build set ${name}" VERBATIM)
    add_custom_target(${name} ALL DEPENDS ${outputs})
    set(targets ${name})
  endif()
  if(A_TARGETS)
    set(${A_TARGETS} ${targets} PARENT_SCOPE)
  endif()
endfunction()
