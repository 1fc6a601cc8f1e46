# cmake -DCMAKE_SYSTEM_PROCESSOR=x86_64 -DSOURCE=DIR -DWORK=DIR -P tree-layouts.cmake
# The glibc tree layouts --libc-tree reads (cmake/StatictlsTreeLayout.cmake),
# each made of empty files but libc.so.6's version banner: an install
# prefix, an unpacked RHEL RPM (lib64 and usr/lib64, a link script naming
# /usr/lib64), a Debian root, a conda environment's sysroot, a runtime-only
# tree without headers, and a directory that holds no glibc.
cmake_minimum_required(VERSION 3.13)
include(${SOURCE}/cmake/StatictlsTreeLayout.cmake)
file(REMOVE_RECURSE ${WORK})

function(make_tree dir)
  foreach(file ${ARGN})
    get_filename_component(parent ${dir}/${file} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    if(file MATCHES "libc\\.so\\.6$")
      file(WRITE ${dir}/${file} "GNU C Library (GNU libc) stable release version 2.17, by Roland McGrath et al.\n")
    elseif(file MATCHES "/libc\\.so$")
      file(WRITE ${dir}/${file} "GROUP ( /usr/lib64/libc.so.6 /usr/lib64/libc_nonshared.a )\n")
    else()
      file(WRITE ${dir}/${file} "")
    endif()
  endforeach()
endfunction()

set(failures 0)
function(expect dir var want)
  statictls_tree_layout(${dir} T)
  if(NOT "${T_${var}}" STREQUAL "${want}")
    message(SEND_ERROR "${dir}: ${var} is \"${T_${var}}\", expected \"${want}\" (error: ${T_ERROR})")
  endif()
endfunction()

set(w ${WORK})
make_tree(${w}/prefix lib/libc.so.6 lib/ld-linux-x86-64.so.2 lib/crt1.o include/features.h
          include/linux/errno.h)
expect(${w}/prefix VERSION 2.17)
expect(${w}/prefix LIB_DIRS ${w}/prefix/lib)
expect(${w}/prefix INCLUDE_DIRS ${w}/prefix/include)
expect(${w}/prefix LDSO ${w}/prefix/lib/ld-linux-x86-64.so.2)
expect(${w}/prefix SYSROOT "")

make_tree(${w}/rpm lib64/libc.so.6 lib64/ld-linux-x86-64.so.2 usr/lib64/crt1.o usr/lib64/libc.so
          usr/include/features.h)
expect(${w}/rpm LIB_DIRS "${w}/rpm/usr/lib64;${w}/rpm/lib64")
expect(${w}/rpm RUNPATH ${w}/rpm/lib64)
expect(${w}/rpm SYSROOT ${w}/rpm) # its link script names /usr/lib64
# no linux/ headers in the tree: the host's kernel headers after its own
expect(${w}/rpm INCLUDE_DIRS "${w}/rpm/usr/include;/usr/include/x86_64-linux-gnu;/usr/include")

make_tree(${w}/debian lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2
          usr/lib/x86_64-linux-gnu/crt1.o usr/include/features.h
          usr/include/x86_64-linux-gnu/bits/types.h usr/include/linux/errno.h)
expect(${w}/debian LIB_DIRS "${w}/debian/usr/lib/x86_64-linux-gnu;${w}/debian/lib/x86_64-linux-gnu;${w}/debian/lib64")
expect(${w}/debian INCLUDE_DIRS "${w}/debian/usr/include/x86_64-linux-gnu;${w}/debian/usr/include")
expect(${w}/debian LDSO ${w}/debian/lib64/ld-linux-x86-64.so.2)

set(sysroot ${w}/conda/x86_64-conda-linux-gnu/sysroot)
make_tree(${sysroot} lib64/libc.so.6 lib64/ld-linux-x86-64.so.2 usr/lib64/crt1.o
          usr/include/features.h usr/include/linux/errno.h)
expect(${w}/conda ROOT ${sysroot})
expect(${w}/conda LIB_DIRS "${sysroot}/usr/lib64;${sysroot}/lib64")

make_tree(${w}/runtime lib64/libc.so.6 lib64/ld-linux-x86-64.so.2)
expect(${w}/runtime INCLUDE_DIRS "")
expect(${w}/runtime LIB_DIRS ${w}/runtime/lib64)

make_tree(${w}/empty README)
statictls_tree_layout(${w}/empty T)
if(NOT T_ERROR MATCHES "no libc.so.6 in")
  message(SEND_ERROR "${w}/empty: expected an error, got \"${T_ERROR}\"")
endif()
file(REMOVE_RECURSE ${WORK})
message(STATUS "tree layouts: PASS")
