# Builds for other architectures: for each glibc release whose sysroot of
# that Debian architecture scripts/fetch-glibc.sh unpacked, the build set in
# build/glibc-VERSION-ARCH/:
#   aarch64: the cross compiler; every probe runs under qemu-aarch64 (the
#            `loader` file names it);
#   i386:    the i686 cross compiler; runs natively on the x86_64 kernel.
# Sets STATICTLS_FOREIGN_ARCHES (aarch64 i386), and per ARCH that is
# available STATICTLS_<ARCH>_CC (the compiler command, a list),
# STATICTLS_<ARCH>_OBJDUMP, STATICTLS_<ARCH>_BUILT (the releases) and
# STATICTLS_<ARCH>_ROOT_<version>.

set(STATICTLS_FOREIGN_ARCHES aarch64 i386)
find_program(STATICTLS_AARCH64_GCC aarch64-linux-gnu-gcc)
find_program(STATICTLS_QEMU_AARCH64 qemu-aarch64)
find_program(STATICTLS_aarch64_OBJDUMP aarch64-linux-gnu-objdump)
find_program(STATICTLS_I686_GCC i686-linux-gnu-gcc)
find_program(STATICTLS_i386_OBJDUMP i686-linux-gnu-objdump)

if(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
  message(STATUS "other architectures: only from an x86_64 host")
  return()
endif()

# statictls_arch_unbuildable(ARCH WHY): every release of ARCH is not built
# here, and its tests skip saying WHY.
function(statictls_arch_unbuildable arch why)
  message(STATUS "${arch}: ${why}; its tests skip")
  foreach(version ${STATICTLS_GLIBC_VERSIONS})
    statictls_mark_unbuildable(glibc-${version}-${arch} "${why}")
  endforeach()
endfunction()

if(STATICTLS_AARCH64_GCC AND STATICTLS_QEMU_AARCH64)
  set(STATICTLS_aarch64_CC ${STATICTLS_AARCH64_GCC})
  statictls_debian_sysroots(STATICTLS_aarch64 arm64 aarch64-linux-gnu lib/ld-linux-aarch64.so.1
    SUFFIX -aarch64 COMPILER ${STATICTLS_aarch64_CC} RUN_LOADER ${STATICTLS_QEMU_AARCH64}
    GD_FLAGS -mtls-dialect=trad TLSDESC_FLAGS -mtls-dialect=desc)
else()
  statictls_arch_unbuildable(aarch64
    "no aarch64 cross compiler or qemu-aarch64 on this machine: apt-get install gcc-aarch64-linux-gnu qemu-user, then re-run cmake and build")
endif()

# The i686 cross compiler, not gcc -m32: Debian's gcc-multilib conflicts
# with its cross compilers, gcc-aarch64-linux-gnu included.  Its programs
# are linked -no-pie (crt1.o, not Scrt1.o): Debian's glibc 2.43 for i386 was
# assembled by a newer binutils, whose Scrt1.o marks `pushl main@GOT(%ebx)`
# (sysdeps/i386/start.S, _start) R_386_GOT32X where 2.41's has R_386_GOT32.
# Debian 12's ld (binutils 2.40, bfd/elf32-i386.c, elf_i386_convert_load_reloc)
# rewrites a GOT32X on an 0xff opcode as a call if its ModRM says call, else
# as a jmp, so the push becomes `jmp main` and main returns
# to address 1 (argc): a PIE program crashes before it prints anything.
# crt1.o pushes $main (R_386_32), which no linker rewrites.  The probe has
# no TLS of its own, so a fixed load address changes no layout measured.
if(STATICTLS_I686_GCC)
  set(STATICTLS_i386_CC ${STATICTLS_I686_GCC} -no-pie)
  statictls_debian_sysroots(STATICTLS_i386 i386 i386-linux-gnu lib/ld-linux.so.2
    SUFFIX -i386 COMPILER ${STATICTLS_i386_CC})
else()
  statictls_arch_unbuildable(i386
    "no i686 cross compiler on this machine: apt-get install gcc-i686-linux-gnu, then re-run cmake and build")
endif()
