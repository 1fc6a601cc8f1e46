# statictls_tree_layout(DIR PREFIX): where the glibc tree DIR keeps its
# parts (cmake/libc-trees.cmake; harness/tests/tree-layouts.cmake tests it).
# For the machine CMAKE_SYSTEM_PROCESSOR (its multiarch triplet and ld.so).

set(_statictls_tree_arch ${CMAKE_SYSTEM_PROCESSOR})
set(_statictls_tree_triplet ${_statictls_tree_arch}-linux-gnu)
if(_statictls_tree_arch STREQUAL "x86_64")
  set(_statictls_tree_ldso ld-linux-x86-64.so.2)
elseif(_statictls_tree_arch STREQUAL "aarch64")
  set(_statictls_tree_ldso ld-linux-aarch64.so.1)
else()
  set(_statictls_tree_ldso ld-linux.so.2)
  set(_statictls_tree_triplet i386-linux-gnu)
endif()

# The first of DIRS (relative to root) holding FILE, or "".
function(_statictls_first_with out root file)
  foreach(dir ${ARGN})
    if(EXISTS ${root}/${dir}/${file})
      set(${out} ${dir} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# statictls_tree_layout(DIR PREFIX): where the glibc in DIR keeps its parts.
# Sets PREFIX_ERROR (why DIR is no usable glibc tree) or PREFIX_ROOT (DIR,
# or the sysroot inside a conda environment), PREFIX_VERSION (from
# libc.so.6's banner), PREFIX_LDSO, PREFIX_LIB_DIRS (crt files first),
# PREFIX_RUNPATH, PREFIX_INCLUDE_DIRS (empty: the tree has no headers),
# PREFIX_SYSROOT (for --sysroot where its link script names installed paths)
# and PREFIX_LAYOUT (a sentence).
function(statictls_tree_layout dir prefix)
  set(t ${_statictls_tree_triplet})
  # Library directories in the order the layouts put them: Debian's
  # multiarch, RPM's and conda's lib64, a prefix's lib.
  set(lib_dirs lib/${t} usr/lib/${t} lib64 usr/lib64 lib usr/lib)
  set(root "")
  file(GLOB sysroots LIST_DIRECTORIES true ${dir}/*-linux-gnu/sysroot)
  foreach(candidate ${dir} ${sysroots})
    _statictls_first_with(libc_dir ${candidate} libc.so.6 ${lib_dirs})
    if(libc_dir)
      set(root ${candidate})
      break()
    endif()
  endforeach()
  if(NOT root)
    set(${prefix}_ERROR "no libc.so.6 in ${dir} (looked in ${lib_dirs}, also under */sysroot)" PARENT_SCOPE)
    return()
  endif()
  file(STRINGS ${root}/${libc_dir}/libc.so.6 banner REGEX "release version [0-9]+\\.[0-9]+" LIMIT_COUNT 1)
  string(REGEX MATCH "release version ([0-9]+\\.[0-9]+)" banner "${banner}")
  _statictls_first_with(ldso_dir ${root} ${_statictls_tree_ldso} ${lib_dirs})
  if(NOT CMAKE_MATCH_1 OR NOT ldso_dir)
    set(${prefix}_ERROR "${root}/${libc_dir}/libc.so.6 is not a glibc with its ld.so (no version banner, or no ${_statictls_tree_ldso})" PARENT_SCOPE)
    return()
  endif()
  set(version ${CMAKE_MATCH_1})
  # crt1.o and libc.so (the link script) come with the headers (libc6-dev,
  # glibc-devel); a runtime-only tree links against the host's and is then
  # checked for symbol versions newer than itself.
  _statictls_first_with(crt_dir ${root} crt1.o ${lib_dirs})
  _statictls_first_with(include_dir ${root} features.h include usr/include)
  set(runpath ${root}/${libc_dir})
  if(NOT ldso_dir STREQUAL libc_dir)
    list(APPEND runpath ${root}/${ldso_dir})
  endif()
  set(libs ${runpath})
  set(where "libc.so.6 in ${libc_dir}/")
  if(crt_dir)
    list(INSERT libs 0 ${root}/${crt_dir})
    list(REMOVE_DUPLICATES libs)
    string(APPEND where ", crt files in ${crt_dir}/")
  endif()
  set(includes "")
  if(include_dir)
    if(IS_DIRECTORY ${root}/${include_dir}/${t})
      list(APPEND includes ${root}/${include_dir}/${t})
    endif()
    list(APPEND includes ${root}/${include_dir})
    string(APPEND where ", headers in ${include_dir}/")
    # glibc installs no kernel headers (linux-libc-dev, kernel-headers
    # do): without them beside its own, the host's.
    if(NOT EXISTS ${root}/${include_dir}/linux/errno.h)
      list(APPEND includes /usr/include/${t} /usr/include)
      string(APPEND where " (kernel headers: the host's)")
    endif()
  else()
    string(APPEND where ", no headers (the host's, with a symbol-version check)")
  endif()
  if(NOT root STREQUAL dir)
    set(where "sysroot ${root}: ${where}")
  endif()
  # A DESTDIR or an unpacked package has a link script (libc.so) naming
  # libc.so.6 where it will be installed (/usr/lib64/...): the linker finds
  # those inside the tree with --sysroot.
  set(sysroot "")
  if(crt_dir AND EXISTS ${root}/${crt_dir}/libc.so)
    file(STRINGS ${root}/${crt_dir}/libc.so group REGEX "^GROUP")
    string(REGEX MATCH "/[^ ]*libc\\.so\\.6" named "${group}")
    string(FIND "${named}" "${root}/" inside)
    if(named AND NOT inside EQUAL 0)
      set(sysroot ${root})
    endif()
  endif()
  set(${prefix}_SYSROOT "${sysroot}" PARENT_SCOPE)
  set(${prefix}_LDSO ${root}/${ldso_dir}/${_statictls_tree_ldso} PARENT_SCOPE)
  set(${prefix}_ROOT ${root} PARENT_SCOPE)
  set(${prefix}_VERSION ${version} PARENT_SCOPE)
  set(${prefix}_LIB_DIRS ${libs} PARENT_SCOPE)
  set(${prefix}_RUNPATH ${runpath} PARENT_SCOPE)
  set(${prefix}_INCLUDE_DIRS ${includes} PARENT_SCOPE)
  set(${prefix}_LAYOUT ${where} PARENT_SCOPE)
endfunction()

