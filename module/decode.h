/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - recognise an x86-64 argument-marshalling trampoline.
 *
 * GCC's IPA-SRA clones (e.g. __huge_pmd_unshare.constprop.0.isra.0) take
 * their arguments in registers that do not follow the C prototype.  Where
 * the kernel still has the original function as a trampoline that loads
 * the clone's arguments and tail-jumps to it, decoding that trampoline on
 * the running kernel tells, for this very build, where each clone argument
 * comes from: "argument 1 of the prototype", or "the 64-bit field at offset
 * 0x70 of argument 1".  The same holds where the callee is not cloned but
 * has a prototype of its own (__huge_pmd_unshare(..., check_locks) in a
 * KASAN build: the trampoline sets the constant and jumps).  Anything the
 * decoder does not fully understand makes it give up; it never guesses.
 */
#ifndef PMDSTAT_DECODE_H
#define PMDSTAT_DECODE_H

#include "pmdstat_types.h"

#define PMDSTAT_NR_ARG_REGS 6	/* rdi, rsi, rdx, rcx, r8, r9 */

/* Where a register's value came from, relative to the caller's arguments. */
struct pmdstat_argsrc {
	int arg;	/* prototype argument 0..5, or -1: unknown */
	int off;	/* -1: the argument itself; >= 0: u64 loaded from arg+off */
};

struct pmdstat_trampoline {
	u64 target;	/* address the trampoline jumps to */
	struct pmdstat_argsrc reg[PMDSTAT_NR_ARG_REGS];	/* at the jump */
};

/*
 * Decode code bytes of a function that starts at address @addr.  Returns 0
 * and fills @t if the function is: [endbr64] [5-byte fentry call or nop]
 * 64-bit register moves and loads, and 32-bit immediates (a constant
 * argument: that register then holds none of ours), then jmp; -1 otherwise.
 */
int pmdstat_decode_trampoline(const unsigned char *code, unsigned int len,
			      u64 addr, struct pmdstat_trampoline *t);

/*
 * The same, but a jmp in the fentry slot is taken as ftrace's (a direct
 * trampoline entered in jmp mode, as 7.3 does for a BPF trampoline with
 * fexit programs) and skipped.  Only for a function known to be traced: in
 * one without an fentry slot, "endbr64; jmp" is the trampoline itself.
 */
int pmdstat_decode_trampoline_ftraced(const unsigned char *code, unsigned int len,
				      u64 addr, struct pmdstat_trampoline *t);

#endif /* PMDSTAT_DECODE_H */
