// SPDX-License-Identifier: GPL-2.0
/*
 * test_decode.c - the trampoline decoder (module/decode.c) on the real
 * huge_pmd_unshare trampolines of Debian's 6.1.192 and 6.12.111 kernels
 * (bytes from ../shared/background/evidence/disasm-*.txt, as the running
 * kernel patches them), and on code it must refuse.
 */
#include "tap.h"
#include "decode.h"

/* 6.1.192: call __fentry__; mov 0x70(%rsi),%rax; mov 0x10(%rsi),%rsi;
 * mov %rcx,%r8; mov %rdx,%rcx; mov %rax,%rdx; jmp clone */
static const unsigned char t61[] = {
	0xe8, 0x2b, 0x30, 0xd6, 0xff,
	0x48, 0x8b, 0x46, 0x70,
	0x48, 0x8b, 0x76, 0x10,
	0x49, 0x89, 0xc8,
	0x48, 0x89, 0xd1,
	0x48, 0x89, 0xc2,
	0xe9, 0x75, 0xa0, 0xff, 0xff,
};

/* 6.12.111 with ENDBR poisoned at boot (no IBT in the CPU) and fentry
 * patched to a 5-byte nop: mov 0x80(%rsi),%rax uses a disp32. */
static const unsigned char t612[] = {
	0x66, 0x0f, 0x1f, 0x00,
	0x0f, 0x1f, 0x44, 0x00, 0x00,
	0x48, 0x8b, 0x86, 0x80, 0x00, 0x00, 0x00,
	0x48, 0x8b, 0x76, 0x10,
	0x49, 0x89, 0xc8,
	0x48, 0x89, 0xd1,
	0x48, 0x89, 0xc2,
	0xe9, 0x1e, 0xa7, 0xff, 0xff,
};

static void check_unshare_layout(const struct pmdstat_trampoline *t,
				 int vm_file_off)
{
	CHECK_U64(t->reg[0].arg, 0);	/* rdi = tlb */
	CHECK_U64(t->reg[0].off, -1);
	CHECK_U64(t->reg[1].arg, 1);	/* rsi = vma->vm_mm */
	CHECK_U64(t->reg[1].off, 0x10);
	CHECK_U64(t->reg[2].arg, 1);	/* rdx = vma->vm_file */
	CHECK_U64(t->reg[2].off, vm_file_off);
	CHECK_U64(t->reg[3].arg, 2);	/* rcx = addr */
	CHECK_U64(t->reg[3].off, -1);
	CHECK_U64(t->reg[4].arg, 3);	/* r8 = ptep */
	CHECK_U64(t->reg[4].off, -1);
}

static void test_debian_61(void)
{
	struct pmdstat_trampoline t;

	CHECK_U64(pmdstat_decode_trampoline(t61, sizeof(t61), 0xffffffff81313620ULL, &t), 0);
	CHECK_U64(t.target, 0xffffffff8130d6b0ULL);
	check_unshare_layout(&t, 0x70);
}

static void test_debian_612(void)
{
	struct pmdstat_trampoline t;

	CHECK_U64(pmdstat_decode_trampoline(t612, sizeof(t612), 0xffffffff813ec9d0ULL, &t), 0);
	CHECK_U64(t.target, 0xffffffff813e7110ULL);
	check_unshare_layout(&t, 0x80);
}

static void test_endbr64_and_jmp8(void)
{
	static const unsigned char c[] = {
		0xf3, 0x0f, 0x1e, 0xfa,		/* endbr64 */
		0xe8, 0, 0, 0, 0,		/* call __fentry__ */
		0x48, 0x89, 0xf7,		/* mov %rsi,%rdi */
		0xeb, 0x10,			/* jmp +0x10 */
	};
	struct pmdstat_trampoline t;

	CHECK_U64(pmdstat_decode_trampoline(c, sizeof(c), 0x1000, &t), 0);
	CHECK_U64(t.target, 0x1000 + 14 + 0x10);
	CHECK_U64(t.reg[0].arg, 1);
	CHECK_U64(t.reg[1].arg, 1);
}

static void test_refuses(void)
{
	/* a real function body: push %r15 */
	static const unsigned char body[] = { 0xe8, 0, 0, 0, 0, 0x41, 0x57, 0xe9, 0, 0, 0, 0 };
	/* a store to memory: mov %rax,0x8(%rdi) */
	static const unsigned char store[] = { 0x48, 0x89, 0x47, 0x08, 0xe9, 0, 0, 0, 0 };
	/* SIB addressing: mov (%rsp),%rax */
	static const unsigned char sib[] = { 0x48, 0x8b, 0x04, 0x24, 0xe9, 0, 0, 0, 0 };
	/* RIP-relative load */
	static const unsigned char rip[] = { 0x48, 0x8b, 0x05, 1, 0, 0, 0, 0xe9, 0, 0, 0, 0 };
	/* a kprobe's int3 in the middle */
	static const unsigned char int3[] = { 0x48, 0x8b, 0x46, 0x70, 0xcc, 0x8b, 0x76, 0x10, 0xe9, 0, 0, 0, 0 };
	/* truncated before the jump */
	static const unsigned char cut[] = { 0x48, 0x8b, 0x46, 0x70, 0xe9, 0, 0 };
	struct pmdstat_trampoline t;

	CHECK(pmdstat_decode_trampoline(body, sizeof(body), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(store, sizeof(store), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(sib, sizeof(sib), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(rip, sizeof(rip), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(int3, sizeof(int3), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(cut, sizeof(cut), 0, &t) < 0);
}

static void test_double_deref_unknown(void)
{
	/* mov 0x70(%rsi),%rax; mov 0xd8(%rax),%rdx: a field of a field */
	static const unsigned char c[] = {
		0x48, 0x8b, 0x46, 0x70,
		0x48, 0x8b, 0x90, 0xd8, 0x00, 0x00, 0x00,
		0xe9, 0, 0, 0, 0,
	};
	struct pmdstat_trampoline t;

	CHECK_U64(pmdstat_decode_trampoline(c, sizeof(c), 0, &t), 0);
	CHECK_U64(t.reg[2].arg, -1);	/* rdx: not a known argument */
	CHECK_U64(t.reg[1].arg, 1);	/* rsi untouched */
}

/*
 * The debug kernel of scripts/build-debug-kernel (6.1.192 with KASAN): the
 * callee is not cloned, and the trampoline only sets its bool:
 * call __fentry__; mov $0x1,%r8d; jmp __huge_pmd_unshare.
 */
static void test_uncloned_callee_61_debug(void)
{
	static const unsigned char c[] = {
		0xe8, 0x0b, 0x82, 0x8e, 0xff,
		0x41, 0xb8, 0x01, 0x00, 0x00, 0x00,
		0xe9, 0x20, 0x5c, 0xff, 0xff,
	};
	/* a cut immediate */
	static const unsigned char cut[] = { 0x41, 0xb8, 0x01, 0x00 };
	/* movabs $0xe900000000,%rax; jmp: a 10-byte REX.W form the decoder
	 * must not read as a 6-byte mov $imm32 followed by a jmp */
	static const unsigned char movabs[] = {
		0x48, 0xb8, 0x00, 0x00, 0x00, 0x00, 0xe9, 0x00, 0x00, 0x00,
		0xe9, 0x00, 0x00, 0x00, 0x00,
	};
	/* a bare REX (0x40) before b8 is not REX.B: refused, never r8 */
	static const unsigned char rex40[] = { 0x40, 0xb8, 1, 0, 0, 0, 0xe9, 0, 0, 0, 0 };
	/* mov $1,%ecx without a prefix: rcx (ptep) becomes a constant */
	static const unsigned char ecx[] = { 0xb9, 1, 0, 0, 0, 0xe9, 0, 0, 0, 0 };
	/* mov $1,%eax; mov %rax,%rdi: the constant propagates */
	static const unsigned char prop[] = {
		0xb8, 1, 0, 0, 0, 0x48, 0x89, 0xc7, 0xe9, 0, 0, 0, 0,
	};
	struct pmdstat_trampoline t;
	int r;

	CHECK_U64(pmdstat_decode_trampoline(c, sizeof(c), 0xffffffff818087f0ULL, &t), 0);
	CHECK_U64(t.target, 0xffffffff817fe420ULL);
	for (r = 0; r < 4; r++) {	/* tlb, vma, addr, ptep pass through */
		CHECK_U64(t.reg[r].arg, r);
		CHECK_U64(t.reg[r].off, -1);
	}
	CHECK_U64(t.reg[4].arg, -1);	/* r8d = the constant check_locks */
	CHECK(pmdstat_decode_trampoline(cut, sizeof(cut), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(movabs, sizeof(movabs), 0, &t) < 0);
	CHECK(pmdstat_decode_trampoline(rex40, sizeof(rex40), 0, &t) < 0);
	CHECK_U64(pmdstat_decode_trampoline(ecx, sizeof(ecx), 0, &t), 0);
	CHECK_U64(t.reg[3].arg, -1);
	CHECK_U64(t.reg[0].arg, 0);
	CHECK_U64(t.reg[2].arg, 2);
	CHECK_U64(pmdstat_decode_trampoline(prop, sizeof(prop), 0, &t), 0);
	CHECK_U64(t.reg[0].arg, -1);
	CHECK_U64(t.reg[1].arg, 1);
}

/*
 * Debian 7.3.4's huge_pmd_unshare (at its System.map address) while
 * pmdstat-bpf -u had fentry and fexit programs on it: ftrace enters the BPF
 * trampoline with a jmp from the fentry slot (CONFIG_DYNAMIC_FTRACE_WITH_JMP),
 * bytes as the module read them.  The plain decoder takes that jmp for the
 * tail call; the ftraced one skips it and finds __huge_pmd_unshare.isra.0
 * (ffffffff817429b0), with the arguments as they are (tlb, vma, addr, ptep).
 */
static void test_debian_73_bpf_jmp_slot(void)
{
	static const unsigned char c[] = {
		0x0f, 0x1f, 0x40, 0xd6,		/* sealed endbr64 */
		0xe9, 0xb7, 0xb8, 0x4b, 0x11,	/* jmp bpf_trampoline_... */
		0xe9, 0xe2, 0xa2, 0xff, 0xff,	/* jmp __huge_pmd_unshare.isra.0 */
		0x66, 0x90,
	};
	struct pmdstat_trampoline t;
	int r;

	CHECK_U64(pmdstat_decode_trampoline(c, sizeof(c), 0xffffffff817486c0ULL, &t), 0);
	CHECK_U64(t.target, 0xffffffff817486c9ULL + 0x114bb8b7ULL);
	CHECK_U64(pmdstat_decode_trampoline_ftraced(c, sizeof(c), 0xffffffff817486c0ULL, &t), 0);
	CHECK_U64(t.target, 0xffffffff817429b0ULL);
	for (r = 0; r < 4; r++) {
		CHECK_U64(t.reg[r].arg, r);
		CHECK_U64(t.reg[r].off, -1);
	}
}

static const struct tap_test tests[] = {
	TAP_TEST(test_debian_73_bpf_jmp_slot),
	TAP_TEST(test_debian_61),
	TAP_TEST(test_debian_612),
	TAP_TEST(test_endbr64_and_jmp8),
	TAP_TEST(test_refuses),
	TAP_TEST(test_double_deref_unknown),
	TAP_TEST(test_uncloned_callee_61_debug),
};

int main(void)
{
	return tap_run(tests, TAP_COUNT(tests));
}
