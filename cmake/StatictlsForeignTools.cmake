# statictls_foreign_missing(OUT ARCH TRIPLET QEMU GCC QEMU_PATH): OUT is
# empty when both the cross compiler GCC (found as TRIPLET-gcc) and
# qemu-user's QEMU_PATH were found, else why ARCH is not built, naming the
# Debian packages that bring what is missing (gcc-TRIPLET, qemu-user): the
# reason its tests skip with (cmake/foreign-builds.cmake).  No side effect,
# so that harness/tests/arch-missing-tools.sh runs it alone (cmake -P).
function(statictls_foreign_missing out arch triplet qemu gcc qemu_path)
  set(missing "")
  if(NOT gcc)
    list(APPEND missing gcc-${triplet})
  endif()
  if(NOT qemu_path)
    list(APPEND missing qemu-user)
  endif()
  set(why "")
  if(missing)
    string(REPLACE ";" " " missing "${missing}")
    set(why "no ${arch} cross compiler or ${qemu} on this machine: apt-get install ${missing}, then re-run cmake and build")
  endif()
  set(${out} "${why}" PARENT_SCOPE)
endfunction()
