# Builds for other architectures: for each glibc release whose sysroot of
# that Debian architecture scripts/fetch-glibc.sh unpacked, the build set in
# build/glibc-VERSION-ARCH/:
#   aarch64, armhf, ppc64el, s390x, riscv64: Debian's cross compiler; every
#            probe runs under qemu-user (the `loader` file names it);
#   i386:    the i686 cross compiler; runs natively on the x86_64 kernel.
# Sets STATICTLS_FOREIGN_ARCHES (all of them, built or not), and per ARCH
# that is available STATICTLS_<ARCH>_CC (the compiler command, a list),
# STATICTLS_<ARCH>_OBJDUMP, STATICTLS_<ARCH>_BUILT (the releases) and
# STATICTLS_<ARCH>_ROOT_<version>.

set(STATICTLS_FOREIGN_ARCHES aarch64 i386 armhf ppc64el s390x riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/StatictlsForeignTools.cmake)
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

# statictls_qemu_arch(ARCH DEB_ARCH TRIPLET LDSO QEMU GD_FLAGS TLSDESC_FLAGS):
# the build sets of ARCH, run under qemu-user QEMU, with Debian's
# TRIPLET-gcc (package gcc-TRIPLET); LDSO relative to the sysroot; the two
# flag lists (;-separated) make the fixtures' global-dynamic and TLS
# descriptor templates.
function(statictls_qemu_arch arch deb_arch triplet ldso qemu gd_flags tlsdesc_flags)
  find_program(STATICTLS_${arch}_GCC ${triplet}-gcc)
  find_program(STATICTLS_QEMU_${arch} ${qemu})
  find_program(STATICTLS_${arch}_OBJDUMP ${triplet}-objdump)
  statictls_foreign_missing(why ${arch} ${triplet} ${qemu} "${STATICTLS_${arch}_GCC}"
                            "${STATICTLS_QEMU_${arch}}")
  if(why)
    statictls_arch_unbuildable(${arch} "${why}")
    return()
  endif()
  set(STATICTLS_${arch}_CC ${STATICTLS_${arch}_GCC} PARENT_SCOPE)
  statictls_debian_sysroots(STATICTLS_${arch} ${deb_arch} ${triplet} ${ldso}
    SUFFIX -${arch} COMPILER ${STATICTLS_${arch}_GCC} RUN_LOADER ${STATICTLS_QEMU_${arch}}
    GD_FLAGS ${gd_flags} TLSDESC_FLAGS ${tlsdesc_flags})
  set(STATICTLS_${arch}_BUILT ${STATICTLS_${arch}_BUILT} PARENT_SCOPE)
  foreach(version ${STATICTLS_${arch}_BUILT})
    set(STATICTLS_${arch}_ROOT_${version} ${STATICTLS_${arch}_ROOT_${version}} PARENT_SCOPE)
  endforeach()
endfunction()

# aarch64: traditional global-dynamic (its default dialect is descriptors).
statictls_qemu_arch(aarch64 arm64 aarch64-linux-gnu lib/ld-linux-aarch64.so.1 qemu-aarch64
  -mtls-dialect=trad -mtls-dialect=desc)
# armhf: gnu2 is ARM's TLS descriptor dialect (gcc/config/arm/arm.opt).
statictls_qemu_arch(armhf armhf arm-linux-gnueabihf lib/ld-linux-armhf.so.3 qemu-arm
  -mtls-dialect=gnu -mtls-dialect=gnu2)
# ppc64el has no TLS descriptors.  What takes static TLS without
# initial-exec there is a global-dynamic module linked with ld's
# --tls-get-addr-optimize (ld's default when ld.so exports
# __tls_get_addr_opt), which marks it DT_PPC64_OPT PPC64_OPT_TLS: ld.so then
# tries the optional static TLS for it as for a TLS descriptor
# (sysdeps/powerpc/powerpc64/dl-machine.h, R_PPC64_DTPMOD64).  So the
# "tlsdesc" template is that module, and the global-dynamic one is linked
# without the optimisation.
statictls_qemu_arch(ppc64el ppc64el powerpc64le-linux-gnu lib64/ld64.so.2 qemu-ppc64le
  -Wl,--no-tls-get-addr-optimize -Wl,--tls-get-addr-optimize)
# s390x and riscv64 (gcc 12) have no TLS descriptors: both templates are
# global-dynamic, and the model treats descriptor access as global-dynamic
# there (harness/model/rules.c, tlsdesc).
statictls_qemu_arch(s390x s390x s390x-linux-gnu lib/ld64.so.1 qemu-s390x
  -ftls-model=global-dynamic -ftls-model=global-dynamic)
statictls_qemu_arch(riscv64 riscv64 riscv64-linux-gnu lib/ld-linux-riscv64-lp64d.so.1 qemu-riscv64
  -ftls-model=global-dynamic -ftls-model=global-dynamic)

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
