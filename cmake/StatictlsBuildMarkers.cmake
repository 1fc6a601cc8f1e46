# The files that describe a libc build directory build/NAME/ (root, loader,
# ldso, unbuildable, unfetched; tree, layout, distro and libdirs of a --libc-tree
# build).  What each holds and what the program makes of it is said once, in
# harness/probe/buildmarkers.h, by whose constants harness/probe/libcbuild.c
# reads them.  Their names come from that header too: each line
# `#define STATICTLS_MARKER_X "name"` sets the variable STATICTLS_MARKER_X
# here, and STATICTLS_MARKERS lists every name (what the install copies).
# The functions below write and read them; nothing else names them.

set(_statictls_markers_header ${PROJECT_SOURCE_DIR}/harness/probe/buildmarkers.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_statictls_markers_header})
file(STRINGS ${_statictls_markers_header} _statictls_lines REGEX "^#define STATICTLS_MARKER_")
set(STATICTLS_MARKERS "")
foreach(_statictls_line ${_statictls_lines})
  if(NOT _statictls_line MATCHES "^#define (STATICTLS_MARKER_[A-Z]+) \"([a-z]+)\"$")
    message(FATAL_ERROR "${_statictls_markers_header}: not a marker CMake can read: ${_statictls_line}")
  endif()
  set(${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  list(APPEND STATICTLS_MARKERS ${CMAKE_MATCH_2})
endforeach()
foreach(_statictls_marker ROOT LOADER LDSO UNBUILDABLE UNFETCHED TREE LAYOUT DISTRO LIBDIRS)
  if(NOT STATICTLS_MARKER_${_statictls_marker})
    message(FATAL_ERROR "${_statictls_markers_header} defines no STATICTLS_MARKER_${_statictls_marker}")
  endif()
endforeach()

# statictls_write_marker(NAME MARKER TEXT): build/NAME/MARKER holds the line
# TEXT (MARKER: one of the names above, ${STATICTLS_MARKER_TREE}).
function(statictls_write_marker name marker text)
  file(WRITE ${CMAKE_BINARY_DIR}/${name}/${marker} "${text}\n")
endfunction()

# statictls_forget_build(NAME): build/NAME is not offered; libcbuild.c says
# how to get it.
function(statictls_forget_build name)
  set(dir ${CMAKE_BINARY_DIR}/${name})
  file(REMOVE ${dir}/${STATICTLS_MARKER_ROOT} ${dir}/${STATICTLS_MARKER_LOADER}
              ${dir}/${STATICTLS_MARKER_LDSO}
              ${dir}/${STATICTLS_MARKER_UNFETCHED})
endfunction()

# statictls_mark_unbuildable(NAME REASON): build/NAME cannot be made on this
# machine, and REASON says what would bring it.
function(statictls_mark_unbuildable name reason)
  statictls_forget_build(${name})
  statictls_write_marker(${name} ${STATICTLS_MARKER_UNBUILDABLE} "${reason}")
endfunction()

# statictls_mark_unfetched(NAME REASON): what build/NAME is made from is not
# here, and REASON says how to fetch it.
function(statictls_mark_unfetched name reason)
  statictls_forget_build(${name})
  statictls_write_marker(${name} ${STATICTLS_MARKER_UNFETCHED} "${reason}")
endfunction()

# statictls_allow_missing(VAR BUILD): VAR is --allow-missing where BUILD
# ("2.36", "2.36-aarch64", "musl") was not built by this configure, so the
# project's own tests of it skip, saying why, where a user's request fails.
function(statictls_allow_missing var build)
  set(name glibc-${build})
  if(build STREQUAL "musl")
    set(name musl)
  endif()
  if(EXISTS ${CMAKE_BINARY_DIR}/${name}/${STATICTLS_MARKER_ROOT})
    set(${var} "" PARENT_SCOPE)
  else()
    set(${var} --allow-missing PARENT_SCOPE)
  endif()
endfunction()
