# test_95_bpf_refusals.sh - pmdstat-bpf refuses clearly when it cannot run:
# without CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), no usable BTF, a probe
# site missing from kallsyms, more sites than it can probe, a site that
# cannot be probed.  Each refusal: exit 1, nothing on stdout, a message
# that names the cause.  (Lockdown, which cannot be undone in a boot, is
# test_99.)  The kernel's files are hidden with bind mounts, undone after.
# refused DESC WANT-IN-MESSAGE CMD...: CMD exits 1, prints nothing on
# stdout, and its stderr contains WANT
refused() {
	r_desc=$1 r_want=$2
	shift 2
	"$@" > /tmp/ref.out 2> /tmp/ref.err
	r_st=$?
	check_eq "refusal, $r_desc: exit 1" "$r_st" 1
	check_eq "refusal, $r_desc: nothing on stdout" "$(wc -c < /tmp/ref.out | tr -d ' ')" 0
	if grep -q "$r_want" /tmp/ref.err; then
		ok "refusal, $r_desc: the message says '$r_want'"
	else
		not_ok "refusal, $r_desc: the message does not say '$r_want': $(cat /tmp/ref.err)"
	fi
}
# an unprivileged user for su (the initramfs has no /etc)
if [ ! -e /etc/passwd ]; then
	mkdir -p /etc
	printf 'root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n' > /etc/passwd
	printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
fi
caps="needs CAP_BPF and CAP_PERFMON (kernel 5.8 or later), or CAP_SYS_ADMIN.*run it as root, or give it those capabilities"
refused "not root" "$caps" su nobody -s /bin/sh -c 'pmdstat-bpf -d 1'
# the capabilities decide, not the user id (test_90 runs it with both)
refused "CAP_BPF without CAP_PERFMON" "$caps" pmdstat-caps 65534 bpf pmdstat-bpf -d 1
refused "CAP_PERFMON and CAP_SYSLOG without CAP_BPF" "$caps" pmdstat-caps 65534 perfmon,syslog pmdstat-bpf -d 1
# Debian's kernels let only CAP_SYS_ADMIN open perf events (kprobes) above
# perf_event_paranoid=2 (its default is 3; test_90 runs it at 2)
pp=$(cat /proc/sys/kernel/perf_event_paranoid)
echo 3 > /proc/sys/kernel/perf_event_paranoid
if pmdstat-caps 65534 bpf,perfmon pmdstat-bpf -d 1 -o /dev/null 2> /dev/null; then
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - # SKIP refusal, perf_event_paranoid=3: this kernel lets CAP_PERFMON open perf events there"
else
	refused "CAP_BPF and CAP_PERFMON at perf_event_paranoid=3" \
		"cannot attach a kprobe to .*above kernel.perf_event_paranoid=2.*set it to 2, or run as root" \
		pmdstat-caps 65534 bpf,perfmon pmdstat-bpf -d 1
fi
echo "$pp" > /proc/sys/kernel/perf_event_paranoid

: > /tmp/empty
mount --bind /tmp/empty /sys/kernel/btf/vmlinux
refused "no BTF" "no usable BTF" pmdstat-bpf -d 1
umount /sys/kernel/btf/vmlinux

grep -v ' huge_pmd_share$' /proc/kallsyms > /tmp/kallsyms.noshare
mount --bind /tmp/kallsyms.noshare /proc/kallsyms
refused "huge_pmd_share missing" "kallsyms has no huge_pmd_share" pmdstat-bpf -d 1
umount /proc/kallsyms

# 17 more clones than the kernel has: 3 or more sites over the 16 it can
# probe are refused as a whole, before anything is attached
{ cat /proc/kallsyms; for i in $(seq 1 17); do echo "ffffffff81000000 t huge_pmd_unshare.part.$i"; done; } > /tmp/kallsyms.many
nsites=$(($(grep -E ' [tT] (__)?huge_pmd_(un)?share(\.[^ ]*)?$' /proc/kallsyms | grep -vc '\.cold') + 17))
mount --bind /tmp/kallsyms.many /proc/kallsyms
refused "more than 16 sites" "$nsites probe sites match in kallsyms, more than the 16 it can probe: $((nsites - 16)) would not be probed" pmdstat-bpf -d 1
umount /proc/kallsyms

# a clone that kallsyms lists but the kernel does not have
{ cat /proc/kallsyms; echo "ffffffff81000000 t huge_pmd_unshare.part.99"; } > /tmp/kallsyms.bogus
mount --bind /tmp/kallsyms.bogus /proc/kallsyms
refused "a site that cannot be probed" "cannot attach a kprobe to huge_pmd_unshare.part.99" pmdstat-bpf -d 1
umount /proc/kallsyms
check_eq "refusals: /proc/kallsyms and BTF are the kernel's again" \
	"$(grep -c 'huge_pmd_unshare.part.99' /proc/kallsyms)/$(wc -c < /sys/kernel/btf/vmlinux | tr -d ' ' | sed 's/^0$/empty/')" "0/$(wc -c < /sys/kernel/btf/vmlinux | tr -d ' ')"
