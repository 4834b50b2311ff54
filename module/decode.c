// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c - decode an argument-marshalling trampoline (see decode.h).
 * Plain C: builds in the kernel and in the userspace unit tests.
 */
#include "decode.h"

/* Register numbers as encoded (REX bit << 3 | modrm field). */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9 };

/* Argument registers of the System V x86-64 ABI, in order. */
static const int arg_reg[PMDSTAT_NR_ARG_REGS] = { RDI, RSI, RDX, RCX, R8, R9 };

static int s32_at(const unsigned char *p)
{
	return (int)((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 |
		     (u32)p[3] << 24);
}

static int decode(const unsigned char *code, unsigned int len, u64 addr,
		  struct pmdstat_trampoline *t, bool slot_jmp_is_ftrace)
{
	struct pmdstat_argsrc st[16];
	unsigned int i = 0, k;

	for (k = 0; k < 16; k++) {
		st[k].arg = -1;
		st[k].off = -1;
	}
	for (k = 0; k < PMDSTAT_NR_ARG_REGS; k++)
		st[arg_reg[k]].arg = k;

	/*
	 * endbr64; or the nops that replace it: "nopl -42(%rax)" where
	 * objtool sealed an unused ENDBR, "nopw (%rax)" where the kernel
	 * poisoned ENDBR at boot on a CPU without IBT.
	 */
	if (len >= 4 && ((code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e &&
			  code[3] == 0xfa) ||
			 (code[0] == 0x0f && code[1] == 0x1f && code[2] == 0x40 &&
			  code[3] == 0xd6) ||
			 (code[0] == 0x66 && code[1] == 0x0f && code[2] == 0x1f &&
			  code[3] == 0x00)))
		i = 4;
	/*
	 * __fentry__ call (or ftrace's call), or the 5-byte nop it becomes;
	 * with @slot_jmp_is_ftrace also a jmp there, which ftrace writes to
	 * enter a direct (BPF) trampoline in jmp mode (7.3,
	 * CONFIG_DYNAMIC_FTRACE_WITH_JMP), which returns to the next byte.
	 */
	if (i + 5 <= len && (code[i] == 0xe8 || (slot_jmp_is_ftrace && code[i] == 0xe9) ||
			     (code[i] == 0x0f && code[i + 1] == 0x1f &&
			      code[i + 2] == 0x44 && code[i + 3] == 0 &&
			      code[i + 4] == 0)))
		i += 5;

	while (i < len) {
		unsigned char rex, op, modrm;
		int mod, reg, rm, disp = 0;

		if (code[i] == 0xe9 && i + 5 <= len) {		/* jmp rel32 */
			t->target = addr + i + 5 + (long long)s32_at(code + i + 1);
			goto done;
		}
		if (code[i] == 0xeb && i + 2 <= len) {		/* jmp rel8 */
			t->target = addr + i + 2 + (signed char)code[i + 1];
			goto done;
		}
		/*
		 * mov $imm32, %r32 (b8+r, REX.B for r8d..r15d): a constant
		 * argument such as the bool of __huge_pmd_unshare(..., true)
		 * in a kernel where the callee is not a clone.  The register
		 * then holds no argument of ours.
		 */
		rex = (code[i] & 0xfe) == 0x40 ? code[i] : 0;
		if (rex == 0x41 || !rex) {
			unsigned int o = i + (rex ? 1 : 0);

			if (o + 5 <= len && (code[o] & 0xf8) == 0xb8) {
				reg = (code[o] & 7) | ((rex & 1) << 3);
				st[reg].arg = -1;
				st[reg].off = -1;
				i = o + 5;
				continue;
			}
		}
		/* only REX.W mov r64, r/m64 (8b) and mov r/m64, r64 (89) */
		if (i + 3 > len)
			return -1;
		rex = code[i];
		op = code[i + 1];
		modrm = code[i + 2];
		if ((rex & 0xf8) != 0x48 || (op != 0x8b && op != 0x89))
			return -1;
		mod = modrm >> 6;
		reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
		rm = (modrm & 7) | ((rex & 1) << 3);
		i += 3;
		if (mod != 3 && (modrm & 7) == 4)
			return -1;	/* SIB addressing: not handled */
		if (mod == 0 && (modrm & 7) == 5)
			return -1;	/* RIP-relative: not an argument */
		if (mod == 1) {
			if (i + 1 > len)
				return -1;
			disp = (signed char)code[i];
			i += 1;
		} else if (mod == 2) {
			if (i + 4 > len)
				return -1;
			disp = s32_at(code + i);
			i += 4;
		}
		if (mod == 3) {
			/* register to register */
			if (op == 0x8b)
				st[reg] = st[rm];
			else
				st[rm] = st[reg];
			continue;
		}
		if (op != 0x8b)
			return -1;	/* a store to memory: not a trampoline */
		/* load reg <- [rm + disp]: known only if rm holds an argument */
		if (st[rm].arg >= 0 && st[rm].off < 0 && disp >= 0) {
			st[reg].arg = st[rm].arg;
			st[reg].off = disp;
		} else {
			st[reg].arg = -1;
			st[reg].off = -1;
		}
	}
	return -1;
done:
	for (k = 0; k < PMDSTAT_NR_ARG_REGS; k++)
		t->reg[k] = st[arg_reg[k]];
	return 0;
}

int pmdstat_decode_trampoline(const unsigned char *code, unsigned int len,
			      u64 addr, struct pmdstat_trampoline *t)
{
	return decode(code, len, addr, t, false);
}

int pmdstat_decode_trampoline_ftraced(const unsigned char *code, unsigned int len,
				      u64 addr, struct pmdstat_trampoline *t)
{
	return decode(code, len, addr, t, true);
}
