# The CMake API of an installed statictls (find_package(statictls)): one call
# per check, one ctest test per libc build.
#
# statictls_add_test(NAME name
#     LOAD lib...                 the libraries, dlopened in order (paths,
#                                 sonames, $<TARGET_FILE:...>)
#     [MIN_HEADROOM bytes]        then at least this much static TLS must
#                                 still be free (measured)
#     [LIBCS build...]            host (default); all: every build that loads
#                                 this machine's libraries
#                                 (statictls_NATIVE_LIBC_BUILDS); or builds
#                                 by name: 2.36, 2.36-aarch64, musl
#     [THREADS n] [ALLOW_MISSING] [LABELS label...] [TIMEOUT seconds])
# statictls_add_case_test(NAME name CASE file
#     [DEFINE NAME=VALUE...]      ${NAME} in the case file
#     [LIBCS ...] [ALLOW_MISSING] [LABELS ...] [TIMEOUT ...])
#
# Tests are NAME.BUILD (foo-fits.host, foo-fits.glibc-2.36) with the labels
# statictls's own tests use (host, glibc-2.36, arch-aarch64, libc-musl) plus
# statictls and LABELS.  Exit 77 (skipped) only where a build is absent for
# a reason outside the project's control; a build named in LIBCS that this
# install lacks, a missing library or a typo fails the test unless
# ALLOW_MISSING.

# _statictls_builds(VAR build...): the builds LIBCS names, "all" expanded.
function(_statictls_builds var)
  set(builds "")
  foreach(b ${ARGN})
    if(b STREQUAL "all")
      list(APPEND builds ${statictls_NATIVE_LIBC_BUILDS})
    else()
      if(NOT b IN_LIST statictls_LIBC_BUILDS)
        message(WARNING "statictls: libc build \"${b}\" is not in this install "
                        "(${statictls_LIBC_BUILDS}); its tests will fail saying why")
      endif()
      list(APPEND builds ${b})
    endif()
  endforeach()
  if(NOT builds)
    set(builds host)
  endif()
  list(REMOVE_DUPLICATES builds)
  set(${var} ${builds} PARENT_SCOPE)
endfunction()

# _statictls_build_args(ARGS_VAR LABEL_VAR build): the command-line choice
# of a build, and its label.
function(_statictls_build_args args_var label_var build)
  if(build STREQUAL "host")
    set(args "")
    set(label host)
  elseif(build STREQUAL "musl")
    set(args --musl)
    set(label libc-musl)
  else()
    set(args --glibc ${build})
    set(label glibc-${build})
    if(build MATCHES "^[0-9.]+-(.+)$")
      set(label arch-${CMAKE_MATCH_1})
    endif()
  endif()
  set(${args_var} ${args} PARENT_SCOPE)
  set(${label_var} ${label} PARENT_SCOPE)
endfunction()

# _statictls_add(NAME LIBCS LABELS TIMEOUT ALLOW_MISSING COMMAND args...):
# one test per build, `statictls COMMAND [build choice] args...`.
function(_statictls_add name libcs labels timeout allow_missing)
  _statictls_builds(builds ${libcs})
  set(missing "")
  if(allow_missing)
    set(missing --allow-missing)
  endif()
  list(GET ARGN 0 command)
  list(REMOVE_AT ARGN 0)
  foreach(build ${builds})
    _statictls_build_args(choice label ${build})
    set(suffix ${build})
    if(NOT build STREQUAL "host" AND NOT build STREQUAL "musl")
      set(suffix glibc-${build})
    endif()
    add_test(NAME ${name}.${suffix}
             COMMAND ${statictls_EXECUTABLE} ${command} ${choice} ${missing} ${ARGN})
    set(t ${timeout})
    if(NOT t)
      set(t 120)
      if(label STREQUAL "arch-aarch64")
        set(t 300) # under qemu-user
      endif()
    endif()
    set_tests_properties(${name}.${suffix} PROPERTIES LABELS "statictls;${label};${labels}"
                         SKIP_RETURN_CODE 77 TIMEOUT ${t})
  endforeach()
endfunction()

# _statictls_require(FUNCTION ARG...): after cmake_parse_arguments(... A ...),
# each ARG was given and nothing else was.
macro(_statictls_require fn)
  foreach(arg ${ARGN})
    if(NOT A_${arg})
      message(FATAL_ERROR "${fn}: ${arg} is required")
    endif()
  endforeach()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
endmacro()

function(statictls_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING" "NAME;MIN_HEADROOM;THREADS;TIMEOUT"
                        "LOAD;LIBCS;LABELS")
  _statictls_require(statictls_add_test NAME LOAD)
  set(options "")
  if(DEFINED A_MIN_HEADROOM)
    list(APPEND options --min-headroom ${A_MIN_HEADROOM})
  endif()
  if(A_THREADS)
    list(APPEND options --threads ${A_THREADS})
  endif()
  _statictls_add(${A_NAME} "${A_LIBCS}" "${A_LABELS}" "${A_TIMEOUT}" "${A_ALLOW_MISSING}"
                 load ${options} ${A_LOAD})
endfunction()

function(statictls_add_case_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING" "NAME;CASE;TIMEOUT" "DEFINE;LIBCS;LABELS")
  _statictls_require(statictls_add_case_test NAME CASE)
  get_filename_component(case "${A_CASE}" ABSOLUTE)
  set(defines "")
  foreach(d ${A_DEFINE})
    list(APPEND defines --define ${d})
  endforeach()
  _statictls_add(${A_NAME} "${A_LIBCS}" "${A_LABELS}" "${A_TIMEOUT}" "${A_ALLOW_MISSING}"
                 run ${defines} ${case})
endfunction()
