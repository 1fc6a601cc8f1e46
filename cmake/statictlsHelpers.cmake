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
# Tests are NAME.BUILD (foo-fits.host, foo-fits.glibc-2.36,
# foo-fits.glibc-2.36-aarch64, foo-fits.musl); TEST_NAME name in place of
# NAME gives the one test of a single build in LIBCS its whole name.  Exit
# 77 (skipped) only where a build is absent for a reason outside the
# project's control; a build named in LIBCS that this install lacks, a
# missing library or a typo fails the test unless ALLOW_MISSING.
#
# Labels: one scheme for every test registered here, statictls's own case
# and fuzz tests among them (cases/CMakeLists.txt).  Each test has
#   statictls             so `ctest -L statictls` runs them all;
#   its libc build's      host, glibc-2.36, arch-aarch64 (every release on
#                         that architecture), libc-musl, glibc-2.17-tree;
#   LABELS                the caller's.
# The build's label is the one statictls's other tests of that build carry
# (harness/tests/CMakeLists.txt: glibc-2.36, arch-aarch64, glibc-2.17-tree).
#
# statictls registers its own case and fuzz tests here too, as a user's
# project does (cases/CMakeLists.txt sets what statictlsConfig.cmake sets
# for an install).  Two things only it uses: the build
# tree-glibc-VERSION[-N], a --libc-tree build (cmake/libc-trees.cmake) whose
# tree statictls_TREE_DIR_<build> names, and _statictls_add_tests for its
# fuzz tests.

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

# _statictls_build_names(BUILD ARGS_VAR LABEL_VAR SUFFIX_VAR): what names
# a build: its choice on statictls's command line, its label, and the
# suffix of its tests' names.
function(_statictls_build_names build args_var label_var suffix_var)
  if(build STREQUAL "host")
    set(args "")
    set(label host)
    set(suffix host)
  elseif(build STREQUAL "musl")
    set(args --musl)
    set(label libc-musl)
    set(suffix musl)
  elseif(build MATCHES "^tree-glibc-([0-9.]+)(-[0-9]+)?$")
    if(NOT statictls_TREE_DIR_${build})
      message(FATAL_ERROR "statictls: libc build \"${build}\": no statictls_TREE_DIR_${build}")
    endif()
    set(args --libc-tree ${statictls_TREE_DIR_${build}})
    set(label glibc-${CMAKE_MATCH_1}-tree)
    set(suffix ${build})
  else()
    set(args --glibc ${build})
    set(label glibc-${build})
    if(build MATCHES "^[0-9.]+-(.+)$")
      set(label arch-${CMAKE_MATCH_1})
    endif()
    set(suffix glibc-${build})
  endif()
  set(${args_var} ${args} PARENT_SCOPE)
  set(${label_var} ${label} PARENT_SCOPE)
  set(${suffix_var} ${suffix} PARENT_SCOPE)
endfunction()

# _statictls_add_tests(NAME name | TEST_NAME name [LIBCS build...]
#     [LABELS label...] [TIMEOUT seconds] [ALLOW_MISSING] COMMAND arg...):
# one test per build, `statictls ARG0 [build choice] [--allow-missing]
# ARG...`, named and labelled as the top of this file says.  What the
# public functions share; statictls's own fuzz tests call it too.
function(_statictls_add_tests)
  cmake_parse_arguments(PARSE_ARGV 0 T "ALLOW_MISSING" "NAME;TEST_NAME;TIMEOUT"
                        "LIBCS;LABELS;COMMAND")
  _statictls_builds(builds ${T_LIBCS})
  list(LENGTH builds n)
  if(T_TEST_NAME AND NOT n EQUAL 1)
    message(FATAL_ERROR "statictls: TEST_NAME ${T_TEST_NAME} names one test, of one build; "
                        "LIBCS has ${n} (${builds})")
  endif()
  set(missing "")
  if(T_ALLOW_MISSING)
    set(missing --allow-missing)
  endif()
  list(GET T_COMMAND 0 command)
  list(REMOVE_AT T_COMMAND 0)
  foreach(build ${builds})
    _statictls_build_names(${build} choice label suffix)
    set(test ${T_NAME}.${suffix})
    if(T_TEST_NAME)
      set(test ${T_TEST_NAME})
    endif()
    add_test(NAME ${test}
             COMMAND ${statictls_EXECUTABLE} ${command} ${choice} ${missing} ${T_COMMAND})
    set(t ${T_TIMEOUT})
    if(NOT t)
      set(t 120)
      if(label STREQUAL "arch-aarch64")
        set(t 300) # under qemu-user
      endif()
    endif()
    set(labels statictls ${label} ${T_LABELS})
    set_tests_properties(${test} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT ${t})
  endforeach()
endfunction()

# _statictls_require(FUNCTION ARG...): after cmake_parse_arguments(... A
# ...), NAME or TEST_NAME was given, each ARG was, and nothing else was.
macro(_statictls_require fn)
  if(NOT A_NAME AND NOT A_TEST_NAME)
    message(FATAL_ERROR "${fn}: NAME is required")
  endif()
  foreach(arg ${ARGN})
    if(NOT A_${arg})
      message(FATAL_ERROR "${fn}: ${arg} is required")
    endif()
  endforeach()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
endmacro()

# _statictls_forward(VAR): the arguments every test takes, as
# cmake_parse_arguments(... A ...) read them, for _statictls_add_tests.
macro(_statictls_forward var)
  set(${var} NAME ${A_NAME} TEST_NAME ${A_TEST_NAME} LIBCS ${A_LIBCS} LABELS ${A_LABELS}
             TIMEOUT ${A_TIMEOUT})
  if(A_ALLOW_MISSING)
    list(APPEND ${var} ALLOW_MISSING)
  endif()
endmacro()

function(statictls_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING"
                        "NAME;TEST_NAME;MIN_HEADROOM;THREADS;TIMEOUT" "LOAD;LIBCS;LABELS")
  _statictls_require(statictls_add_test LOAD)
  set(options "")
  if(DEFINED A_MIN_HEADROOM)
    list(APPEND options --min-headroom ${A_MIN_HEADROOM})
  endif()
  if(A_THREADS)
    list(APPEND options --threads ${A_THREADS})
  endif()
  _statictls_forward(common)
  _statictls_add_tests(${common} COMMAND load ${options} ${A_LOAD})
endfunction()

function(statictls_add_case_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING" "NAME;TEST_NAME;CASE;TIMEOUT"
                        "DEFINE;LIBCS;LABELS")
  _statictls_require(statictls_add_case_test CASE)
  get_filename_component(case "${A_CASE}" ABSOLUTE)
  set(defines "")
  foreach(d ${A_DEFINE})
    list(APPEND defines --define ${d})
  endforeach()
  _statictls_forward(common)
  _statictls_add_tests(${common} COMMAND run ${defines} ${case})
endfunction()
