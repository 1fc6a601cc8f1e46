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
#                                 $<TARGET_FILE:T> in LOAD loads, on each
#                                 build, T's variant for that build where
#                                 statictls_add_library_variants(TARGET T)
#                                 made one
# statictls_add_case_test(NAME name CASE file
#     [DEFINE NAME=VALUE...]      ${NAME} in the case file; a
#                                 $<TARGET_FILE:T> in VALUE is, on each
#                                 build, T's variant, as in LOAD
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
#                                 read in pairs, up to a name that is
#                                 another of the function's arguments
#                                 (LIBCS, DEFINE, ...): TIMEOUT and LABELS
#                                 there are the test's properties
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
      if(label MATCHES "^arch-" AND NOT label STREQUAL "arch-i386")
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

# _statictls_parse_args(OPTIONS ONE MULTI): cmake_parse_arguments(A ...) of
# the calling function's arguments, with PROPERTIES read apart, as name value
# pairs up to a name that is another of the function's keywords: TIMEOUT and
# LABELS are keywords and test properties both, and cmake_parse_arguments
# would take `PROPERTIES TIMEOUT 7` as the TIMEOUT argument.  A_PROPERTIES
# holds the pairs as cmake_parse_arguments(PARSE_ARGV) would (a value's ';'
# escaped: a list value stays whole).  A macro: it reads the caller's ARGV.
macro(_statictls_parse_args _sp_options _sp_one _sp_multi)
  set(_sp_keywords ${_sp_options} ${_sp_one} ${_sp_multi})
  list(REMOVE_ITEM _sp_keywords TIMEOUT LABELS PROPERTIES)
  set(_sp_argc ARGC)
  set(_sp_n ${${_sp_argc}}) # the caller's ARGC: ${ARGC} here is the macro's
  set(_sp_rest "")
  set(_sp_props "")
  set(_sp_state "") # "", name or value
  set(_sp_i 0)
  while(_sp_i LESS _sp_n)
    set(_sp_arg "${ARGV${_sp_i}}")
    string(REPLACE ";" "\\;" _sp_arg "${_sp_arg}")
    if(_sp_state STREQUAL "value")
      list(APPEND _sp_props "${_sp_arg}")
      set(_sp_state name)
    elseif(_sp_arg STREQUAL "PROPERTIES")
      set(_sp_state name)
    elseif(_sp_state STREQUAL "name" AND NOT _sp_arg IN_LIST _sp_keywords)
      list(APPEND _sp_props "${_sp_arg}")
      set(_sp_state value)
    else()
      set(_sp_state "")
      list(APPEND _sp_rest "${_sp_arg}")
    endif()
    math(EXPR _sp_i "${_sp_i} + 1")
  endwhile()
  if(_sp_state STREQUAL "value")
    list(GET _sp_props -1 _sp_arg)
    message(FATAL_ERROR "PROPERTIES: ${_sp_arg} has no value")
  endif()
  set(_sp_multi_less ${_sp_multi})
  list(REMOVE_ITEM _sp_multi_less PROPERTIES)
  cmake_parse_arguments(A "${_sp_options}" "${_sp_one}" "${_sp_multi_less}" ${_sp_rest})
  set(A_PROPERTIES "${_sp_props}")
endmacro()

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
  _statictls_parse_args("ALLOW_MISSING;STRICT"
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
  # Each build loads its own variant of the library under test, where
  # statictls_add_library_variants made one.
  _statictls_load_groups(load LIBCS ${A_LIBCS} LOAD ${A_LOAD})
  set(made "")
  foreach(group ${load_GROUPS})
    set(A_LIBCS ${load_${group}_LIBCS})
    _statictls_forward(common)
    _statictls_add_tests(${common} COMMAND load ${options} ${load_${group}_LOAD})
    list(APPEND made ${_statictls_made})
  endforeach()
  set(_statictls_made ${made})
  _statictls_return_tests()
endfunction()

function(statictls_add_case_test)
  _statictls_parse_args("ALLOW_MISSING;STRICT" "NAME;TEST_NAME;CASE;TIMEOUT;TEST_LIST"
                        "DEFINE;LIBCS;LABELS;PROPERTIES;EXTRA_ARGS")
  _statictls_require(statictls_add_case_test CASE)
  get_filename_component(case "${A_CASE}" ABSOLUTE)
  _statictls_case_tests(${case})
  _statictls_return_tests()
endfunction()

# _statictls_case_tests(CASE): the tests of one case file, one per build,
# from the caller's A_* arguments (A_NAME, A_DEFINE, ...); _statictls_made
# lists them.
# A DEFINE value naming $<TARGET_FILE:T> is, on each build, that build's
# variant of T, as LOAD's is.
macro(_statictls_case_tests case_file)
  _statictls_load_groups(_statictls_define LIBCS ${A_LIBCS} LOAD ${A_DEFINE})
  set(_statictls_case_libcs "${A_LIBCS}")
  set(_statictls_case_made "")
  foreach(group ${_statictls_define_GROUPS})
    set(defines "")
    foreach(d ${_statictls_define_${group}_LOAD})
      list(APPEND defines --define ${d})
    endforeach()
    set(A_LIBCS ${_statictls_define_${group}_LIBCS})
    _statictls_forward(common)
    _statictls_add_tests(${common} COMMAND run ${defines} ${case_file})
    list(APPEND _statictls_case_made ${_statictls_made})
  endforeach()
  set(A_LIBCS "${_statictls_case_libcs}")
  set(_statictls_made ${_statictls_case_made})
endmacro()

function(statictls_discover_cases)
  _statictls_parse_args("ALLOW_MISSING;STRICT"
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
  set(made "")
  foreach(case ${cases})
    get_filename_component(file "${case}" NAME)
    string(REGEX REPLACE "\\.[^.]*$" "" stem "${file}")
    set(A_NAME ${A_TEST_PREFIX}${stem})
    _statictls_case_tests(${case})
    list(APPEND made ${_statictls_made})
  endforeach()
  set(_statictls_made ${made})
  _statictls_return_tests()
endfunction()

# statictls_add_library_variants(TARGET target [LIBCS build...]
#     [OUTPUT_VARIABLE var])
# The library under test, on every build: TARGET (a SHARED or MODULE C
# library) compiled and linked again against each glibc release's sysroot
# in LIBCS (default all: statictls_NATIVE_LIBC_BUILDS), as statictls builds
# its own probe, so that a library built on a new host (needing GLIBC_2.34)
# is checked on 2.31 as the 2.31 build of it.  Each variant is the target
# TARGET-statictls-glibc-RELEASE, written to
# CMAKE_CURRENT_BINARY_DIR/statictls-glibc-RELEASE/ under the file name of
# TARGET (the same soname), built with ALL; statictls_add_test then loads,
# on each build, that build's variant wherever LOAD names
# $<TARGET_FILE:TARGET>, and a case's DEFINE value naming it is that
# variant (statictls_add_case_test, statictls_discover_cases).  The host build keeps TARGET itself; a build of
# another architecture (2.36-aarch64) or musl has no variant (its test
# loads TARGET and says why it cannot).  OUTPUT_VARIABLE: the variants made.
#
# A function, not a toolchain file per build: one configure of the project
# builds every variant beside TARGET and registers every build's test, as
# LIBCS all asks, where a toolchain file would need a build tree per glibc.
# What is copied of TARGET: its sources, include directories, definitions,
# options, features, link libraries and options, and the properties that
# name or shape the file (OUTPUT_NAME, PREFIX, SUFFIX, VERSION, SOVERSION,
# C_STANDARD, C_EXTENSIONS, C_VISIBILITY_PRESET, POSITION_INDEPENDENT_CODE).
# C only: a C++ library's headers are the host compiler's, which the
# sysroot's glibc headers cannot stand in for (a target with C++ sources
# is refused, saying so).  Libraries it links are linked as they are: a
# static library of the project is not rebuilt.
function(statictls_add_library_variants)
  cmake_parse_arguments(PARSE_ARGV 0 V "" "TARGET;OUTPUT_VARIABLE" "LIBCS")
  if(NOT V_TARGET OR NOT TARGET "${V_TARGET}")
    message(FATAL_ERROR "statictls_add_library_variants: TARGET names no target (\"${V_TARGET}\")")
  endif()
  if(V_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "statictls_add_library_variants: unknown arguments ${V_UNPARSED_ARGUMENTS}")
  endif()
  get_target_property(type ${V_TARGET} TYPE)
  if(NOT type MATCHES "^(SHARED|MODULE)_LIBRARY$")
    message(FATAL_ERROR "statictls_add_library_variants: ${V_TARGET} is a ${type}, not a SHARED "
                        "or MODULE library: statictls loads libraries")
  endif()
  if(NOT V_LIBCS)
    set(V_LIBCS all)
  endif()
  _statictls_expand_builds(builds ${V_LIBCS})
  _statictls_variant_sources(sources ${V_TARGET})
  set(made "")
  foreach(build ${builds})
    if(NOT build MATCHES "^[0-9]+\\.[0-9]+$")
      continue() # the host's own, another architecture's, musl, a tree: no variant
    endif()
    if(NOT statictls_SYSROOT_${build} OR NOT IS_DIRECTORY "${statictls_SYSROOT_${build}}")
      message(WARNING "statictls_add_library_variants: glibc ${build} has no sysroot here "
                      "(statictls_SYSROOT_${build}: \"${statictls_SYSROOT_${build}}\"); "
                      "its tests load ${V_TARGET} as built for the host")
      continue()
    endif()
    set(variant ${V_TARGET}-statictls-glibc-${build})
    string(REGEX REPLACE "_LIBRARY$" "" kind ${type})
    add_library(${variant} ${kind} ${sources})
    _statictls_copy_target(${V_TARGET} ${variant})
    _statictls_sysroot_flags(${variant} "${statictls_SYSROOT_${build}}")
    set_target_properties(${variant} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/statictls-glibc-${build})
    set_property(TARGET ${V_TARGET} APPEND PROPERTY STATICTLS_VARIANT_BUILDS ${build})
    list(APPEND made ${variant})
  endforeach()
  if(V_OUTPUT_VARIABLE)
    set(${V_OUTPUT_VARIABLE} ${made} PARENT_SCOPE)
  endif()
endfunction()

# _statictls_expand_builds(VAR build...): LIBCS with all expanded, each
# once, without the warnings _statictls_builds gives (they are given once,
# by the tests' own call).
function(_statictls_expand_builds var)
  set(builds "")
  foreach(b ${ARGN})
    if(b STREQUAL "all")
      list(APPEND builds ${statictls_NATIVE_LIBC_BUILDS})
    else()
      list(APPEND builds ${b})
    endif()
  endforeach()
  if(NOT builds)
    set(builds host)
  endif()
  list(REMOVE_DUPLICATES builds)
  set(${var} ${builds} PARENT_SCOPE)
endfunction()

# _statictls_variant_sources(VAR target): target's sources, relative ones
# made absolute from its own source directory (the variant may be made in
# another); C++ sources refused.
function(_statictls_variant_sources var target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(out "")
  foreach(s ${sources})
    if(s MATCHES "\\.(cc|cpp|cxx|c\\+\\+|C|mm)$")
      message(FATAL_ERROR "statictls_add_library_variants: ${target} has the C++ source ${s}: "
                          "only C libraries are rebuilt against a sysroot")
    endif()
    if(NOT s MATCHES "^\\$<" AND NOT IS_ABSOLUTE "${s}")
      set(s ${dir}/${s})
    endif()
    list(APPEND out ${s})
  endforeach()
  set(${var} ${out} PARENT_SCOPE)
endfunction()

# _statictls_copy_target(FROM TO): what shapes FROM's compile and link, and
# its file's name, given to TO.
function(_statictls_copy_target from to)
  foreach(p INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS COMPILE_FEATURES
            LINK_LIBRARIES LINK_OPTIONS OUTPUT_NAME PREFIX SUFFIX VERSION SOVERSION
            C_STANDARD C_STANDARD_REQUIRED C_EXTENSIONS C_VISIBILITY_PRESET
            POSITION_INDEPENDENT_CODE LINKER_LANGUAGE)
    get_target_property(v ${from} ${p})
    if(NOT v STREQUAL "v-NOTFOUND")
      set_property(TARGET ${to} PROPERTY ${p} "${v}")
    endif()
  endforeach()
  get_target_property(name ${from} OUTPUT_NAME)
  if(NOT name)
    set_property(TARGET ${to} PROPERTY OUTPUT_NAME ${from}) # the same file name as FROM's
  endif()
endfunction()

# _statictls_sysroot_flags(TARGET ROOT): TARGET compiled and linked against
# the glibc of the Debian sysroot ROOT, as cmake/StatictlsBuildSet.cmake
# builds statictls's own fixtures: the compiler's own headers and the
# libc's in place of the host's, its crt files and libraries first
# (Debian's gcc has no configured sysroot, so --sysroot alone would still
# find the host's).
function(_statictls_sysroot_flags target root)
  file(GLOB crti RELATIVE "${root}/usr/lib" "${root}/usr/lib/*/crti.o")
  set(triplet "")
  if(crti)
    list(GET crti 0 first)
    get_filename_component(triplet "${first}" DIRECTORY)
  endif()
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                  OUTPUT_VARIABLE gcc_include OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(includes -nostdinc -isystem${gcc_include})
  set(lib_dirs "")
  if(triplet)
    list(APPEND includes -isystem${root}/usr/include/${triplet})
    list(APPEND lib_dirs ${root}/usr/lib/${triplet} ${root}/lib/${triplet})
  endif()
  list(APPEND includes -isystem${root}/usr/include)
  list(APPEND lib_dirs ${root}/usr/lib ${root}/lib)
  list(GET lib_dirs 0 crt_dir)
  list(TRANSFORM lib_dirs PREPEND -L OUTPUT_VARIABLE lib_flags)
  target_compile_options(${target} PRIVATE --sysroot=${root} ${includes})
  target_link_options(${target} PRIVATE --sysroot=${root} -B${crt_dir}/ ${lib_flags})
endfunction()

# _statictls_swap_variants(VAR build item): item with each $<TARGET_FILE:T>
# in it (the whole of a LOAD item, or a DEFINE's value: FOO=$<TARGET_FILE:T>)
# made build's variant of T where statictls_add_library_variants made one;
# VAR_CHANGED says whether any was.
function(_statictls_swap_variants var build item)
  set(out "")
  set(changed FALSE)
  set(rest "${item}")
  string(FIND "${rest}" "$<TARGET_FILE:" at)
  while(at GREATER -1)
    string(SUBSTRING "${rest}" 0 ${at} before)
    math(EXPR from "${at} + 14") # past "$<TARGET_FILE:"
    string(SUBSTRING "${rest}" ${from} -1 after)
    string(FIND "${after}" ">" close)
    if(close LESS 0)
      break()
    endif()
    string(SUBSTRING "${after}" 0 ${close} target)
    math(EXPR close "${close} + 1")
    string(SUBSTRING "${after}" ${close} -1 rest)
    set(variants "")
    if(TARGET "${target}")
      get_target_property(variants ${target} STATICTLS_VARIANT_BUILDS)
    endif()
    if(variants AND build IN_LIST variants)
      set(target "${target}-statictls-glibc-${build}")
      set(changed TRUE)
    endif()
    string(APPEND out "${before}$<TARGET_FILE:${target}>")
    string(FIND "${rest}" "$<TARGET_FILE:" at)
  endwhile()
  set(${var} "${out}${rest}" PARENT_SCOPE)
  set(${var}_CHANGED ${changed} PARENT_SCOPE)
endfunction()

# _statictls_load_groups(PREFIX LIBCS build... LOAD item...): the tests of
# statictls_add_test (LOAD's libraries) or of a case file (its DEFINE
# values) in groups that use the same items: PREFIX_GROUPS lists them;
# group G's builds in PREFIX_G_LIBCS, its items in PREFIX_G_LOAD.  The
# builds that have no variant of a library an item names ($<TARGET_FILE:T>,
# T made by statictls_add_library_variants) form one group; each build that
# has one, a group using its variants.
function(_statictls_load_groups prefix)
  cmake_parse_arguments(PARSE_ARGV 1 G "" "" "LIBCS;LOAD")
  _statictls_expand_builds(builds ${G_LIBCS})
  set(groups "")
  set(plain "")
  foreach(build ${builds})
    set(load "")
    set(changed FALSE)
    foreach(item ${G_LOAD})
      _statictls_swap_variants(item ${build} "${item}")
      if(item_CHANGED)
        set(changed TRUE)
      endif()
      list(APPEND load "${item}")
    endforeach()
    if(changed)
      string(MAKE_C_IDENTIFIER "${build}" g)
      list(APPEND groups ${g})
      set(${prefix}_${g}_LIBCS ${build} PARENT_SCOPE)
      set(${prefix}_${g}_LOAD "${load}" PARENT_SCOPE)
    else()
      list(APPEND plain ${build})
    endif()
  endforeach()
  if(plain)
    list(INSERT groups 0 plain)
    set(${prefix}_plain_LIBCS ${plain} PARENT_SCOPE)
    set(${prefix}_plain_LOAD "${G_LOAD}" PARENT_SCOPE)
  endif()
  set(${prefix}_GROUPS ${groups} PARENT_SCOPE)
endfunction()
