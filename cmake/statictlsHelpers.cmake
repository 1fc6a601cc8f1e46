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
# statictls_discover_cases(DIRECTORY dir
#     [GLOB pattern]              the case files (default *.case), one test
#                                 per file and build: PREFIX<file>.BUILD;
#                                 found again when a file is added (the
#                                 build re-runs cmake); none is an error
#     [TEST_PREFIX prefix]        before each test's name (default none)
#     [DEFINE ...] [LIBCS ...] [ALLOW_MISSING] [LABELS ...] [TIMEOUT ...])
#
# Each of them also takes, as gtest_discover_tests does:
#     [STRICT]                    what would skip (77) fails instead (exit 5,
#                                 not judged), saying which build, which
#                                 case and why; the variable STATICTLS_STRICT
#                                 ON (-DSTATICTLS_STRICT=ON, or set() before
#                                 the calls) does it for every test
#     [TEST_LIST var]             var is set to the names of the tests made
#     [PROPERTIES name value...]  set on every test made, after statictls's
#                                 own (WILL_FAIL, ENVIRONMENT,
#                                 FIXTURES_REQUIRED, ...; TIMEOUT and LABELS
#                                 here replace statictls's, LABELS above adds)
#     [EXTRA_ARGS arg...]         more options for statictls, before the
#                                 libraries or the case (--threads 2,
#                                 --timeout 30, --verbose)
# A test that measures headroom (MIN_HEADROOM, a case's `expect headroom`)
# prints it as the CTest measurement headroom_bytes
# (--ctest-measurements), which CDash and `ctest --output-junit` show.
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
                        "(${statictls_LIBC_BUILDS}); its tests will fail saying why "
                        "(skip, with ALLOW_MISSING)")
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
#     [LABELS label...] [TIMEOUT seconds] [ALLOW_MISSING] [STRICT]
#     [TEST_LIST var] [PROPERTIES_VAR var] [EXTRA_ARGS arg...] COMMAND arg...):
# one test per build, `statictls ARG0 [build choice] [--allow-missing]
# [--strict] [--ctest-measurements] [EXTRA_ARGS...] ARG...`, named and
# labelled as the top of this file says; TEST_LIST's var is set to them.
# PROPERTIES_VAR names the caller's variable that holds the PROPERTIES
# pairs: passed as arguments, a value that is a list (ENVIRONMENT "A=1;B=2")
# would come apart.  What the public functions share; statictls's own fuzz
# tests call it too.
function(_statictls_add_tests)
  cmake_parse_arguments(PARSE_ARGV 0 T "ALLOW_MISSING;STRICT"
                        "NAME;TEST_NAME;TIMEOUT;TEST_LIST;PROPERTIES_VAR"
                        "LIBCS;LABELS;EXTRA_ARGS;COMMAND")
  _statictls_builds(builds ${T_LIBCS})
  list(LENGTH builds n)
  if(T_TEST_NAME AND NOT n EQUAL 1)
    message(FATAL_ERROR "statictls: TEST_NAME ${T_TEST_NAME} names one test, of one build; "
                        "LIBCS has ${n} (${builds})")
  endif()
  set(flags "")
  if(T_ALLOW_MISSING)
    list(APPEND flags --allow-missing)
  endif()
  if(T_STRICT OR STATICTLS_STRICT)
    list(APPEND flags --strict)
  endif()
  list(GET T_COMMAND 0 command)
  list(REMOVE_AT T_COMMAND 0)
  if(command MATCHES "^(load|run)$" AND NOT "--json" IN_LIST T_EXTRA_ARGS)
    list(APPEND flags --ctest-measurements)
  endif()
  set(tests "")
  foreach(build ${builds})
    _statictls_build_names(${build} choice label suffix)
    set(test ${T_NAME}.${suffix})
    if(T_TEST_NAME)
      set(test ${T_TEST_NAME})
    endif()
    add_test(NAME ${test}
             COMMAND ${statictls_EXECUTABLE} ${command} ${choice} ${flags} ${T_EXTRA_ARGS}
                     ${T_COMMAND})
    list(APPEND tests ${test})
    set(t ${T_TIMEOUT})
    if(NOT t)
      set(t 120)
      if(label STREQUAL "arch-aarch64")
        set(t 300) # under qemu-user
      endif()
    endif()
    set(labels statictls ${label} ${T_LABELS})
    set_tests_properties(${test} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT ${t})
    if(T_PROPERTIES_VAR)
      if(NOT "${${T_PROPERTIES_VAR}}" STREQUAL "")
        set_tests_properties(${test} PROPERTIES ${${T_PROPERTIES_VAR}})
      endif()
    endif()
  endforeach()
  if(T_TEST_LIST)
    set(${T_TEST_LIST} ${tests} PARENT_SCOPE)
  endif()
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
# cmake_parse_arguments(... A ...) read them, for _statictls_add_tests; the
# tests made go to _statictls_made (_statictls_return_tests passes them on).
macro(_statictls_forward var)
  set(${var} NAME ${A_NAME} TEST_NAME ${A_TEST_NAME} LIBCS ${A_LIBCS} LABELS ${A_LABELS}
             TIMEOUT ${A_TIMEOUT} EXTRA_ARGS ${A_EXTRA_ARGS} PROPERTIES_VAR A_PROPERTIES
             TEST_LIST _statictls_made)
  if(A_ALLOW_MISSING)
    list(APPEND ${var} ALLOW_MISSING)
  endif()
  if(A_STRICT)
    list(APPEND ${var} STRICT)
  endif()
endmacro()

# _statictls_return_tests(): TEST_LIST's variable, in the public
# function's caller, holds the tests it made.
macro(_statictls_return_tests)
  if(A_TEST_LIST)
    set(${A_TEST_LIST} ${_statictls_made} PARENT_SCOPE)
  endif()
endmacro()

function(statictls_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING;STRICT"
                        "NAME;TEST_NAME;MIN_HEADROOM;THREADS;TIMEOUT;TEST_LIST"
                        "LOAD;LIBCS;LABELS;PROPERTIES;EXTRA_ARGS")
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
  _statictls_return_tests()
endfunction()

function(statictls_add_case_test)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING;STRICT" "NAME;TEST_NAME;CASE;TIMEOUT;TEST_LIST"
                        "DEFINE;LIBCS;LABELS;PROPERTIES;EXTRA_ARGS")
  _statictls_require(statictls_add_case_test CASE)
  get_filename_component(case "${A_CASE}" ABSOLUTE)
  set(defines "")
  foreach(d ${A_DEFINE})
    list(APPEND defines --define ${d})
  endforeach()
  _statictls_forward(common)
  _statictls_add_tests(${common} COMMAND run ${defines} ${case})
  _statictls_return_tests()
endfunction()

function(statictls_discover_cases)
  cmake_parse_arguments(PARSE_ARGV 0 A "ALLOW_MISSING;STRICT"
                        "DIRECTORY;GLOB;TEST_PREFIX;TIMEOUT;TEST_LIST"
                        "DEFINE;LIBCS;LABELS;PROPERTIES;EXTRA_ARGS")
  if(NOT A_DIRECTORY)
    message(FATAL_ERROR "statictls_discover_cases: DIRECTORY is required")
  endif()
  if(A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "statictls_discover_cases: unknown arguments ${A_UNPARSED_ARGUMENTS}")
  endif()
  get_filename_component(dir "${A_DIRECTORY}" ABSOLUTE)
  set(glob "*.case")
  if(A_GLOB)
    set(glob "${A_GLOB}")
  endif()
  file(GLOB cases CONFIGURE_DEPENDS "${dir}/${glob}")
  list(SORT cases)
  if(NOT cases) # a directory that checks nothing would be green forever
    message(FATAL_ERROR "statictls_discover_cases: no case file matches ${dir}/${glob}")
  endif()
  set(defines "")
  foreach(d ${A_DEFINE})
    list(APPEND defines --define ${d})
  endforeach()
  set(made "")
  foreach(case ${cases})
    get_filename_component(file "${case}" NAME)
    string(REGEX REPLACE "\\.[^.]*$" "" stem "${file}")
    set(A_NAME ${A_TEST_PREFIX}${stem})
    _statictls_forward(common)
    _statictls_add_tests(${common} COMMAND run ${defines} ${case})
    list(APPEND made ${_statictls_made})
  endforeach()
  set(_statictls_made ${made})
  _statictls_return_tests()
endfunction()
