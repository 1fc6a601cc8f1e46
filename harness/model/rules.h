/* glibc's rules of one release on one machine, and every version gate of
   the model: glibc_rules_for fills them from the version string, and the
   functions below say what ld.so does at startup with them.  Each rule
   names glibc's file and function, the first release it holds for and the
   commit that made it (git log / git show in a glibc checkout; tags are
   glibc-2.NN); a rule that only a measurement shows says so.
   docs/model.md tabulates them.  Nothing here runs or reads a file. */
#ifndef STATICTLS_RULES_H
#define STATICTLS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsaccess.h"

/* Link-map namespaces of a shared ld.so: namespace 0, one per audit
   module, the rest for dlmopen (sysdeps/generic/ldsodefs.h, DL_NNS: 16 in
   every release modelled; the 17th dlmopen fails in elf/dl-open.c's
   _dl_open, "no more namespaces available for dlmopen()"). */
#define DL_NNS 16

/* DTV slots a thread has beyond the highest module id at its creation
   (sysdeps/generic/ldsodefs.h, DTV_SURPLUS: 14 in every release).  Only
   the count rule (count_rule below) makes it a limit. */
#define DTV_SURPLUS 14

/* The rseq area's least size and alignment when it is a block of the
   static area (sysdeps/unix/sysv/linux/rseq-internal.h,
   RSEQ_AREA_SIZE_INITIAL and RSEQ_MIN_ALIGN; 2.41, c813c1490d). */
#define RSEQ_AREA_SIZE_INITIAL 32
#define RSEQ_MIN_ALIGN 32

/* Where TLS blocks sit relative to the thread pointer (the TLS variant of
   the machine's nptl/tls.h, the same in every release modelled). */
enum tls_layout {
    LAYOUT_BELOW_TP, /* TLS_TCB_AT_TP: x86_64, i386, s390x (variant II) */
    LAYOUT_ABOVE_TP, /* TLS_DTV_AT_TP: aarch64, armhf, ppc64le, riscv64 (variant I) */
};

/* How the static TLS surplus is computed (elf/dl-tls.c). */
enum surplus_rule {
    SURPLUS_LEGACY,          /* <= 2.31: TLS_STATIC_SURPLUS, 64 + DL_NNS * 100 = 1664,
                                nothing tunable */
    SURPLUS_DEBIAN_BACKPORT, /* Debian's 2.31: 192(nns-1) + 144 nns + opt */
    SURPLUS_TUNABLE,         /* 2.32+: 144(nns-1) + 144 nns + opt + 144 */
};

/* The rules of one release on one machine.  Each field: what it means,
   glibc's file and function, the first release, the commit; docs/model.md
   has them as a table. */
struct glibc_rules {
    int major, minor;
    /* TLS_TCB_AT_TP or TLS_DTV_AT_TP: sysdeps/{x86_64,i386,aarch64,arm,
       powerpc,s390,riscv}/nptl/tls.h (nptl/sysdeps/ARCH/tls.h and
       ports/sysdeps/{aarch64,arm}/nptl/tls.h before 2.20); every release. */
    enum tls_layout layout;
    /* Above TP: TLS_TCB_SIZE, where _dl_determine_tlsoffset starts the
       first block (elf/dl-tls.c, "offset = TLS_TCB_SIZE").  sizeof
       (tcbhead_t), two pointers, where TP points at the TCB: aarch64 16, arm
       8 (sysdeps/{aarch64,arm}/nptl/tls.h); 0 where TP points past it:
       powerpc and riscv (sysdeps/{powerpc,riscv}/nptl/tls.h, the TCB lies
       in TLS_PRE_TCB_SIZE).  Every release modelled.  0 below TP. */
    /* TP itself points TLS_TP_OFFSET (0x7000) past the TCB's end on powerpc
       (sysdeps/powerpc/nptl/tls.h, "TP - 0x7000"), the ABI's bias; the
       probe reports its offsets from TP - 0x7000 there (probe.c,
       TLS_TP_BIAS), so that they are l_tls_offset as on the other machines.
       riscv's TLS_TCB_OFFSET is 0 (sysdeps/riscv/nptl/tls.h); its
       TLS_DTV_OFFSET 0x800 biases DTV entries, not TP. */
    size_t tcb_size;
    /* The machine has TLS descriptors (a relocation ld.so resolves to static
       TLS when it fits: TRY_STATIC_TLS in sysdeps/ARCH/dl-machine.h).
       x86_64, i386, aarch64, arm; on powerpc64 a global-dynamic module
       linked with __tls_get_addr_opt (DT_PPC64_OPT PPC64_OPT_TLS,
       afcd9480fe, 2.22) is handled the same way, and the model calls it a
       descriptor module (elf/elfinfo.h, tls_get_addr_opt).  s390 and riscv
       have none in any release modelled (no TLSDESC case in their
       dl-machine.h up to 2.42; none in Debian's 2.43 ld.so): there a
       descriptor module is global-dynamic. */
    bool tlsdesc;
    /* elf/dl-tls.c: _dl_determine_tlsoffset's TLS_STATIC_SURPLUS up to 2.31;
       _dl_tls_static_surplus_init from 2.32 (0c7b002fac added rtld.nns,
       07ed32f920 the 144/144/LEGACY_TLS numbers that keep 1664, 17796419b5
       the audit namespaces).  Debian's 2.31 carries an earlier form of the
       2.32 code (its own patch, not glibc's tree; known from measurement). */
    enum surplus_rule surplus;
    /* TLS descriptors take static TLS only within glibc.rtld.optional_static_tls,
       never refilled: elf/dl-reloc.c _dl_try_allocate_static_tls (map,
       optional) and GL(dl_tls_static_optional); 2.32, ffb17e7ba3 (BZ #25051);
       Debian's 2.31 too (measured). */
    bool optional_cap;
    /* Once a thread was created, an initial-exec module with id > DTV_SURPLUS
       fails with "cannot load any more object with static TLS": elf/dl-open.c
       dl_open_worker; from a245eafd2b (2.10, BZ #10069) up to 2.21, removed by
       f8aeae3473 (2.22). */
    bool count_rule;
    /* Lazy binding resolves a TLS descriptor at its first use, and takes
       static TLS then: elf_machine_lazy_rel in sysdeps/x86_64/dl-machine.h
       and sysdeps/i386/dl-machine.h up to 2.33; 2.34 relocates them at load
       time (x86_64 8f7e09f4db, i386 ddcacd91cc; BZ #27137).  The model holds
       it for TLS_TCB_AT_TP machines, which here are the x86 ones. */
    bool lazy_tlsdesc;
    /* GLIBC_TUNABLES read strictly: a value is a whole number or the tunable
       is not set (tunable_initialize checks _dl_strtoul's end, f94446c38f),
       a second '=' in a value (b4cf6cac73) or a last name without a value
       (680c597e9c) makes the whole string ignored; elf/dl-tunables.c
       parse_tunables_string; all three first in 2.39. */
    bool strict_tunables;
    /* A tunable named twice is set once, from its last value:
       elf/dl-tunables.c parse_tunables_string keeps one entry per tunable;
       2.40, bcae44ea85 (BZ 31686). */
    bool last_tunable_wins;
    /* nns + audit modules must fit in DL_NNS, else ld.so stops at startup
       ("Failed loading %lu audit modules, %lu are supported."):
       elf/dl-tls.c _dl_tls_static_surplus_init; 2.32, 17796419b5; Debian's
       2.31 too (measured). */
    bool audit_namespaces;
    /* dlclose of a module below the highest id marks a gap, so its id is
       reused, and an id is marked taken as soon as it is assigned
       (elf/dl-close.c remove_slotinfo; elf/dl-tls.c _dl_next_tls_modid became
       _dl_assign_tls_modid); 2.34, ba33937be2 (BZ #27135).  Before, only a
       failed dlopen marked gaps (elf/dl-open.c _dl_open). */
    bool gap_on_close;
    /* Any dlmopen in a process with LD_AUDIT crashes it.  Measured on Debian's
       2.31 (every architecture), not on 2.36.  The source: the LA_ACT_ADD
       checkpoint of elf/dl-load.c _dl_map_object_from_fd reads the new,
       still empty namespace's head; ed3ce71f5c (BZ #28062) moved it after
       _dl_add_to_namespace_list in 2.35, so 2.32 to 2.34 likely crash too:
       not measured, and the model keeps <= 2.31. */
    bool dlmopen_audit_crash;
    /* Once a dlmopen namespace was closed, dynamic TLS may be reached
       through a DTV in freed memory: what later accesses return depends on
       the heap, and no model can say.  Measured on upstream 2.17 and 2.21;
       no glibc commit identified (f8aeae3473 in 2.22, which reworked
       _dl_update_slotinfo's clean-up of outdated DTV entries, is a
       candidate, not confirmed). */
    bool freed_dtv_after_namespace_close;
    /* With LD_AUDIT, the first use of a dlopen'ed module's dynamic TLS
       crashes the process while no dlopen has asked for static TLS yet
       (placed or refused).  Measured on upstream 2.17, not on 2.21; 2.18 to
       2.20 not measured.  No glibc commit identified (d050367659, 2.20, BZ
       #16613, which bumps the TLS generation after loading audit modules,
       is a candidate, not confirmed). */
    bool audit_dynamic_tls_crash;
    /* The static alignment before any module raises it, which is also what
       the static size is rounded to above TP: _dl_determine_tlsoffset's
       max_align, TLS_TCB_ALIGN up to 2.34, TCB_ALIGNMENT from 2.35
       (627f5ede70).  x86: 64 in every release (TCB_ALIGNMENT of
       sysdeps/x86/nptl/pthreaddef.h, per arch before 2.34, through
       __alignof__ (struct pthread)).  aarch64: 16 from 2.20 (75f11331f9, BZ
       #16796, __alignof__ (struct pthread)), 32 from 2.35 (23c77f6018, the
       default TCB_ALIGNMENT of nptl/descr.h).  glibc 2.17 to 2.19 on aarch64
       used __alignof__ (tcbhead_t), 8: the model keeps 16 there (no aarch64
       build of those releases runs here).  arm, powerpc, s390, riscv: 16 up
       to 2.34 (TLS_TCB_ALIGN 16 in sysdeps/arm/nptl/tls.h, __alignof__
       (struct pthread) with TCB_ALIGNMENT 16 of sysdeps/ARCH/nptl/pthreaddef.h
       elsewhere), 32 from 2.35 (23c77f6018 removed their TCB_ALIGNMENT). */
    size_t tcb_align;
    /* libc's own TLS block (PT_TLS p_memsz) in this release, where it was
       measured on an upstream build (scripts/build-glibc.sh), else 0: for
       modelling a release whose startup layout no build here shows.
       Measured, not a rule of glibc's source. */
    size_t libc_tls_size;
    unsigned word_bits; /* the target's size_t: 32 on i686 and armhf */
};

/* Rules for a glibc version string ("2.36") on a machine ("x86_64").
   knows_tls_tunables: the ld.so carries glibc.rtld.nns (a 2.31 with
   Debian's backport).  False with the reason in why when not modelled. */
bool glibc_rules_for(const char *version, const char *machine, bool knows_tls_tunables,
                     struct glibc_rules *out, char *why, size_t len);

/* The releases whose rules the model holds to glibc's source and to
   measurement: 2.17 (the oldest measured, upstream) to 2.43 (the newest
   measured, Debian).  A process that runs here is modelled whatever its
   release; a release modelled alone (replay --model) must be one of
   these. */
#define GLIBC_MODELLED_OLDEST "2.17"
#define GLIBC_MODELLED_NEWEST "2.43"
/* Whether version ("2.31") is a release in that range; false with the
   reason in why otherwise. */
bool glibc_release_modelled(const char *version, char *why, size_t len);

/* The TLS variant of a machine; one no model knows is taken as below TP
   (aarch64, armhf, ppc64le and riscv64 keep TLS above it). */
enum tls_layout glibc_layout_of(const char *machine);

/* Whether every ld.so of this version has the TLS tunables glibc.rtld.nns
   and glibc.rtld.optional_static_tls (elf/dl-tunables.list: 2.32,
   0c7b002fac and ffb17e7ba3).  False for an older or unreadable version,
   where only a backport (Debian's 2.31) has them, and its ld.so says so. */
bool glibc_release_has_tls_tunables(const char *version);

struct tunables {
    size_t nns;      /* glibc.rtld.nns, default 4 */
    size_t optional; /* glibc.rtld.optional_static_tls, default 512 */
    size_t naudit;   /* audit modules named by LD_AUDIT */
};

/* Parses GLIBC_TUNABLES (may be NULL) and LD_AUDIT the way this release's
   ld.so does. */
void tunables_parse(const struct glibc_rules *r, const char *glibc_tunables,
                    const char *ld_audit, struct tunables *out);

/* The surplus glibc reserves; the formula with its numbers goes to why. */
size_t model_surplus(const struct glibc_rules *r, const struct tunables *t, char *why,
                     size_t len);

/* ld.so stops at startup because nns and the audit modules do not fit in
   DL_NNS namespaces (audit_namespaces). */
bool glibc_audit_limit_exceeded(const struct glibc_rules *r, const struct tunables *t);

/* A TLS block as PT_TLS gives it: p_memsz, p_align, and the first byte's
   offset p_vaddr mod p_align (l_tls_firstbyte_offset). */
struct tls_block {
    uint64_t size, align, firstbyte;
};

/* Whether the rseq area, found rseq_offset bytes from TP, is a block of the
   static area: it is from 2.41, as the 'extra TLS' block after the startup
   modules (elf/dl-tls.c _dl_determine_tlsoffset; 0e411c5d30, 304221775c,
   93d0bfbe8f), and lies on the area's side of TP; before (2.35 to 2.40,
   95e114a091) it was a member of struct pthread, on the other side. */
bool glibc_rseq_in_static_area(const char *version, enum tls_layout layout, bool have_rseq,
                               long rseq_offset);

/* The bytes that block takes for an rseq area of rseq_size (__rseq_size):
   roundup (MAX (size, RSEQ_AREA_SIZE_INITIAL), align)
   (sysdeps/unix/sysv/linux/dl-extra_tls.h _dl_extra_tls_get_size; 2.41,
   304221775c), with align RSEQ_MIN_ALIGN: the kernel's AT_RSEQ_ALIGN is
   taken as no larger (c813c1490d), as on every kernel seen here. */
size_t glibc_rseq_block_size(unsigned rseq_size);

/* The static alignment of a fresh process (dl_tls_static_align):
   _dl_determine_tlsoffset's max_align, the TCB alignment raised to the
   p_align of each module it lays out (every release) and, with the rseq
   block in the area, to RSEQ_MIN_ALIGN (2.41, 0e411c5d30). */
size_t glibc_static_align(const struct glibc_rules *r, const struct tls_block *blocks, size_t n,
                          bool rseq);

/* With an audit module, ld.so lays TLS out before it loads the audit
   modules or any library (elf/rtld.c dl_main calls init_tls then; every
   release): only the main program counts for the layout, and the libraries
   take static TLS from the surplus as they are relocated. */
bool glibc_tls_laid_out_before_libraries(const struct tunables *t);

/* How many of the startup modules (link-map order, the main program's nmain
   first) _dl_determine_tlsoffset lays out: nmain when TLS is laid out
   before the libraries, else all. */
size_t glibc_startup_laid_out(const struct tunables *t, size_t nmain, size_t nmodules);

/* The startup modules [nlaid, nmodules) that relocation then places, in the
   order it does: order[k] for k below the count returned.  elf/rtld.c
   dl_main relocates main_map->l_initfini from the last to the first,
   dependencies first (every release); the model takes the link map in
   reverse, which is that order for libc and preloads (measured: libc, then
   the preloads last to first). */
size_t glibc_startup_relocation_order(size_t nlaid, size_t nmodules, size_t *order);

/* A module of this access is placed only when its TLS is first used, not
   as ld.so relocates it: a TLS descriptor module bound lazily (lazy_tlsdesc,
   and LD_BIND_NOW unset). */
bool glibc_placed_at_first_use(const struct glibc_rules *r, enum tls_access access,
                               bool bind_now);

/* What a failed dlopen does with the objects it made NODELETE, by a
   DF_1_NODELETE flag or by binding a unique symbol (dlmodel.h).  A lookup
   that first finds an STB_GNU_UNIQUE definition in an object dlopen mapped
   (l_type lt_loaded) enters it in the namespace's table of unique symbols
   and makes the object NODELETE: elf/dl-lookup.c do_lookup_x, the
   STB_GNU_UNIQUE case (do_lookup_unique from 2.20, f393b4aaed); every
   release modelled (802fe9a1ca, 2.11).  What differs is when NODELETE
   takes hold: */
enum nodelete_rollback {
    /* Up to 2.21: the binding sets DF_1_NODELETE in l_flags_1 at once, and
       elf/dl-close.c _dl_close_worker, called for the failed dlopen, keeps
       every NODELETE object (and what it needs) mapped. */
    NODELETE_KEPT_ON_FAILURE,
    /* 2.22 to 2.30: _dl_close_worker (map, force) clears DF_1_NODELETE of
       the dlopen's root only and drops the unique symbols of what it
       unmaps; the other objects the binding pinned stay (02d5e5d94a). */
    NODELETE_ROOT_FORCED,
    /* From 2.31: the binding only marks l_nodelete_pending while the
       dlopen relocates (DL_LOOKUP_FOR_RELOCATE: mark_nodelete), and
       elf/dl-open.c activate_nodelete makes it l_nodelete_active once
       nothing can fail any more; a failed dlopen unloads everything it
       mapped (f63b73814f, BZ #20839; f8ed116aa5 split the state into
       l_nodelete_pending and l_nodelete_active). */
    NODELETE_PENDING,
};
enum nodelete_rollback glibc_nodelete_rollback(const struct glibc_rules *r);

/* glibc's roundup: n rounded up to a multiple of align (align 0 or 1: n). */
size_t round_up(size_t n, size_t align);

#endif
