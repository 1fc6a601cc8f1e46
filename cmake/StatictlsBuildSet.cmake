# A build set: the probe and the fixtures it loads, built against one libc.
# harness/probe/libcbuild.c finds build NAME by the files in build/NAME/: the
# set (statictls-probe, fixtures/*.so) and the marker files that say whether
# it is offered, why not, and how to run it.  The markers are described in
# harness/probe/buildmarkers.h and written through
# cmake/StatictlsBuildMarkers.cmake.
#
# statictls_build_set(NAME
#     [COMPILER cmd...]        default: the project's C compiler
#     [ROOT dir]               the libc tree, written to the build's root marker
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
#
# Its parts, one job each: read the arguments
# (_statictls_build_set_arguments), turn them into the flags that build
# against the libc (_statictls_libc_flags), write the build's markers
# (_statictls_build_set_markers), and make the files of the set
# (_statictls_set_sources) as targets (_statictls_build_set_targets) or
# custom commands (_statictls_build_set_commands).

include(${CMAKE_CURRENT_LIST_DIR}/StatictlsBuildMarkers.cmake)

function(statictls_build_set name)
  _statictls_build_set_arguments(${ARGN})
  _statictls_libc_flags(flags COMPILER ${A_COMPILER} SYSROOT ${A_SYSROOT}
    INCLUDE_DIRS ${A_INCLUDE_DIRS} LIB_DIRS ${A_LIB_DIRS} RUNPATH ${A_RUNPATH} LDSO ${A_LDSO})
  set(dir ${CMAKE_BINARY_DIR})
  set(buildable TRUE)
  if(NOT name STREQUAL "host")
    set(dir ${CMAKE_BINARY_DIR}/${name})
    _statictls_build_set_markers(buildable ${name} COMPILER ${A_COMPILER} ROOT ${A_ROOT}
      RUN_LOADER ${A_RUN_LOADER} LINK_FLAGS ${flags_LINK} ${flags_INTERPRETER})
    if(buildable AND A_ROOT AND A_LDSO)
      # an install that copies the sysroot runs the probe through this ld.so
      file(RELATIVE_PATH ldso ${A_ROOT} ${A_LDSO})
      statictls_write_marker(${name} ${STATICTLS_MARKER_LDSO} "${ldso}")
    endif()
  endif()
  set(files DIR ${dir} SYSROOT ${flags_SYSROOT} INCLUDES ${flags_INCLUDES} LINK ${flags_LINK}
            INTERPRETER ${flags_INTERPRETER} GD_FLAGS ${A_GD_FLAGS}
            TLSDESC_FLAGS ${A_TLSDESC_FLAGS})
  set(targets "") # where it is not buildable: its unbuildable marker says why
  if(buildable AND A_COMPILER STREQUAL CMAKE_C_COMPILER)
    _statictls_build_set_targets(targets ${name} ${files})
  elseif(buildable)
    _statictls_build_set_commands(targets ${name} COMPILER ${A_COMPILER} ${files})
  endif()
  if(A_TARGETS)
    set(${A_TARGETS} ${targets} PARENT_SCOPE)
  endif()
endfunction()

# _statictls_build_set_arguments(ARG...): statictls_build_set's arguments
# after NAME as A_<KEYWORD> in the caller's scope, with their defaults.
macro(_statictls_build_set_arguments)
  cmake_parse_arguments(A "" "ROOT;SYSROOT;LDSO;RUN_LOADER;TARGETS"
                        "COMPILER;INCLUDE_DIRS;LIB_DIRS;RUNPATH;GD_FLAGS;TLSDESC_FLAGS" ${ARGN})
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "statictls_build_set: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
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
endmacro()

# _statictls_libc_flags(PREFIX COMPILER cmd... [SYSROOT dir]
#     [INCLUDE_DIRS dir...] [LIB_DIRS dir...] [RUNPATH dir...] [LDSO path])
# sets, in the caller's scope, the flags that build against that libc:
#   PREFIX_SYSROOT      --sysroot, compiling and linking
#   PREFIX_INCLUDES     its headers in place of the compiler's, compiling
#   PREFIX_LINK         its crt files, lib dirs and runpath (with SYSROOT)
#   PREFIX_INTERPRETER  its ld.so, linking the probe
# Against another libc: its headers and crt files, its ld.so as the
# interpreter (the probe), its lib dirs on the runpath.  Debian's gcc has no
# configured sysroot, so --sysroot alone would still find the host's
# libraries: -B and -L point at the libc's first.
function(_statictls_libc_flags prefix)
  cmake_parse_arguments(PARSE_ARGV 1 F "" "SYSROOT;LDSO" "COMPILER;INCLUDE_DIRS;LIB_DIRS;RUNPATH")
  set(sysroot "")
  if(F_SYSROOT)
    set(sysroot --sysroot=${F_SYSROOT})
  endif()
  set(includes "")
  if(F_INCLUDE_DIRS)
    # Debian's cross compilers search their own libc headers
    # (/usr/aarch64-linux-gnu/include) before a --sysroot's, so only the
    # compiler's own headers and the libc's remain.
    execute_process(COMMAND ${F_COMPILER} -print-file-name=include
                    OUTPUT_VARIABLE gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
    # Joined -isystemDIR: target_compile_options would merge repeated words.
    list(TRANSFORM F_INCLUDE_DIRS PREPEND -isystem OUTPUT_VARIABLE includes)
    set(includes -nostdinc -isystem${gcc_include} ${includes})
  endif()
  set(link ${sysroot})
  if(F_LIB_DIRS)
    list(GET F_LIB_DIRS 0 crt_dir)
    list(TRANSFORM F_LIB_DIRS PREPEND -L OUTPUT_VARIABLE lib_flags)
    string(REPLACE ";" ":" runpath "${F_RUNPATH}")
    list(APPEND link -B${crt_dir}/ ${lib_flags} -Wl,-rpath,${runpath})
  endif()
  set(interpreter "")
  if(F_LDSO)
    set(interpreter -Wl,--dynamic-linker=${F_LDSO})
  endif()
  set(${prefix}_SYSROOT ${sysroot} PARENT_SCOPE)
  set(${prefix}_INCLUDES ${includes} PARENT_SCOPE)
  set(${prefix}_LINK ${link} PARENT_SCOPE)
  set(${prefix}_INTERPRETER ${interpreter} PARENT_SCOPE)
endfunction()

# _statictls_build_set_markers(OUT NAME COMPILER cmd... [ROOT dir]
#     [RUN_LOADER cmd] [LINK_FLAGS flag...]): build/NAME's markers, from a
# clean slate: root and loader where COMPILER with LINK_FLAGS links a
# program that runs, else unbuildable, saying why.  OUT: whether it does.
function(_statictls_build_set_markers out name)
  cmake_parse_arguments(PARSE_ARGV 2 M "" "ROOT;RUN_LOADER" "COMPILER;LINK_FLAGS")
  statictls_forget_build(${name})
  _statictls_link_check(linkable why ${name} "${M_RUN_LOADER}" ${M_COMPILER} ${M_LINK_FLAGS})
  if(NOT linkable)
    message(STATUS "${name}: ${M_COMPILER} cannot build against it: ${why}")
    statictls_write_marker(${name} ${STATICTLS_MARKER_UNBUILDABLE}
                           "this machine's toolchain cannot build against it: ${why}")
    set(${out} FALSE PARENT_SCOPE)
    return()
  endif()
  file(REMOVE ${CMAKE_BINARY_DIR}/${name}/${STATICTLS_MARKER_UNBUILDABLE})
  statictls_write_marker(${name} ${STATICTLS_MARKER_ROOT} "${M_ROOT}")
  if(M_RUN_LOADER)
    statictls_write_marker(${name} ${STATICTLS_MARKER_LOADER} "${M_RUN_LOADER}")
  endif()
  set(${out} TRUE PARENT_SCOPE)
endfunction()

# _statictls_link_check(OK WHY NAME LOADER COMPILER FLAGS...): OK is whether
# COMPILER links a program with FLAGS that then runs (through LOADER, e.g.
# qemu, if not empty); if not, WHY is the first line of the error.  An old
# linker cannot read a newer glibc (binutils 2.35 of Debian 11 knows no
# SHT_RELR, which Debian's 2.36 and later use), or links a program that
# crashes (i386 2.43 as a PIE: cmake/foreign-builds.cmake): then that
# release is not built, and its unbuildable marker says why, for the skip.
function(_statictls_link_check ok why name loader compiler)
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
  set(first "")
  if(status EQUAL 0)
    set(${ok} TRUE PARENT_SCOPE)
  else()
    string(REGEX MATCH "[^\n]*(error|unknown|incompatible)[^\n]*" first "${output}")
    string(STRIP "${first}" first)
    set(${ok} FALSE PARENT_SCOPE)
  endif()
  set(${why} "${first}" PARENT_SCOPE)
endfunction()

# _statictls_set_sources(PREFIX GD_FLAGS TLSDESC_FLAGS): the files of a set
# in PREFIX_FILES and, per file F, PREFIX_F: its source, then its flags;
# PREFIX_PROBE_LIBS: what the probe links to.
function(_statictls_set_sources prefix gd_flags tlsdesc_flags)
  set(src ${PROJECT_SOURCE_DIR})
  set(${prefix}_PROBE_LIBS -ldl -lpthread PARENT_SCOPE)
  # The probe: the child of every measurement.  Small on purpose: it must
  # run under old loaders, so it uses few libc symbols.
  set(${prefix}_FILES statictls-probe template-ie template-gd template-tlsdesc
                      template-ie-unique template-gd-unique template-tlsdesc-unique tls-undefined ctor-crash ctor-hang auditor auditor2 PARENT_SCOPE)
  set(${prefix}_statictls-probe ${src}/harness/probe/probe.c PARENT_SCOPE)
  # The harness never compiles per probe: it copies a template and patches
  # the size and alignment of its PT_TLS segment (harness/probe/fixture.c).
  # Templates' TLS is 4096-aligned so any patched alignment up to 4096 keeps
  # l_tls_firstbyte_offset at 0.
  set(template ${src}/fixtures/tls_block.c -DTEMPLATE_ALIGN=4096)
  set(${prefix}_template-ie ${template} -ftls-model=initial-exec PARENT_SCOPE)
  set(${prefix}_template-gd ${template} -ftls-model=global-dynamic ${gd_flags} PARENT_SCOPE)
  set(${prefix}_template-tlsdesc ${template} -ftls-model=global-dynamic ${tlsdesc_flags}
      PARENT_SCOPE)
  # The same, each also defining and binding an STB_GNU_UNIQUE symbol (the
  # case language's `fixture NAME ie SIZE unique`).
  set(${prefix}_template-ie-unique ${template} -DTEMPLATE_UNIQUE -ftls-model=initial-exec
      PARENT_SCOPE)
  set(${prefix}_template-gd-unique ${template} -DTEMPLATE_UNIQUE -ftls-model=global-dynamic
      ${gd_flags} PARENT_SCOPE)
  set(${prefix}_template-tlsdesc-unique ${template} -DTEMPLATE_UNIQUE
      -ftls-model=global-dynamic ${tlsdesc_flags} PARENT_SCOPE)
  # Misbehaving fixtures (a probe that loads them must end as a record), and
  # two minimal rtld-audit modules for LD_AUDIT cases and sweeps.
  set(${prefix}_ctor-crash ${src}/fixtures/ctor-crash.c PARENT_SCOPE)
  set(${prefix}_tls-undefined ${src}/fixtures/tls-undefined.c PARENT_SCOPE)
  set(${prefix}_ctor-hang ${src}/fixtures/ctor-hang.c PARENT_SCOPE)
  set(${prefix}_auditor ${src}/fixtures/auditor.c PARENT_SCOPE)
  set(${prefix}_auditor2 ${src}/fixtures/auditor.c PARENT_SCOPE)
endfunction()

# _statictls_build_set_targets(OUT NAME DIR dir [SYSROOT f...] [INCLUDES f...]
#     [LINK f...] [INTERPRETER f...] GD_FLAGS f... TLSDESC_FLAGS f...): the
# set, built with the project's compiler, as the targets FILE-NAME (host:
# FILE) that write DIR/statictls-probe and DIR/fixtures/FILE.so; OUT: them.
function(_statictls_build_set_targets out name)
  cmake_parse_arguments(PARSE_ARGV 2 S "" "DIR"
                        "SYSROOT;INCLUDES;LINK;INTERPRETER;GD_FLAGS;TLSDESC_FLAGS")
  _statictls_set_sources(parts "${S_GD_FLAGS}" "${S_TLSDESC_FLAGS}")
  set(suffix "")
  if(NOT name STREQUAL "host")
    set(suffix -${name})
  endif()
  set(targets "")
  foreach(file ${parts_FILES})
    set(flags ${parts_${file}})
    list(GET flags 0 source)
    list(REMOVE_AT flags 0)
    set(target ${file}${suffix})
    list(APPEND targets ${target})
    if(file STREQUAL "statictls-probe")
      add_executable(${target} ${source})
      target_link_libraries(${target} PRIVATE ${parts_PROBE_LIBS})
      target_link_options(${target} PRIVATE ${S_LINK} ${S_INTERPRETER})
      set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${S_DIR})
    else()
      add_library(${target} MODULE ${source})
      target_link_options(${target} PRIVATE ${S_LINK})
      set_target_properties(${target} PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY
                                                 ${S_DIR}/fixtures)
    endif()
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${file})
    target_compile_options(${target} PRIVATE ${flags} ${S_SYSROOT} ${S_INCLUDES})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# _statictls_build_set_commands(OUT NAME COMPILER cmd... DIR dir ...): the
# same set built by another compiler (a cross compiler, musl-gcc: CMake has
# one C compiler per project), as custom commands of the target NAME; the
# other arguments as for _statictls_build_set_targets.  OUT: NAME.
function(_statictls_build_set_commands out name)
  cmake_parse_arguments(PARSE_ARGV 2 S "" "DIR"
                        "COMPILER;SYSROOT;INCLUDES;LINK;INTERPRETER;GD_FLAGS;TLSDESC_FLAGS")
  _statictls_set_sources(parts "${S_GD_FLAGS}" "${S_TLSDESC_FLAGS}")
  set(outputs "")
  set(sources "")
  set(commands COMMAND ${CMAKE_COMMAND} -E make_directory ${S_DIR}/fixtures)
  # What the project gives its targets: C11 with extensions, the -O2 of
  # RelWithDebInfo, add_compile_options.
  set(cc ${S_COMPILER} -std=gnu11 -O2 -Wall -Wextra ${S_INCLUDES} ${S_LINK})
  foreach(file ${parts_FILES})
    set(flags ${parts_${file}})
    list(GET flags 0 source)
    list(REMOVE_AT flags 0)
    list(APPEND sources ${source})
    if(file STREQUAL "statictls-probe")
      list(APPEND outputs ${S_DIR}/${file})
      list(APPEND commands COMMAND ${cc} ${flags} -o ${S_DIR}/${file} ${source}
                                   ${parts_PROBE_LIBS} ${S_INTERPRETER})
    else()
      list(APPEND outputs ${S_DIR}/fixtures/${file}.so)
      list(APPEND commands COMMAND ${cc} -shared -fPIC ${flags} -o ${S_DIR}/fixtures/${file}.so
                                   ${source})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES sources)
  # The probe's header too: CMake scans headers only for its own targets.
  add_custom_command(OUTPUT ${outputs} ${commands}
                     DEPENDS ${sources} ${PROJECT_SOURCE_DIR}/harness/probe/protocol.h
                     COMMENT "build set ${name}" VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${outputs})
  set(${out} ${name} PARENT_SCOPE)
endfunction()
