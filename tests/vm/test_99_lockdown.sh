# test_99_lockdown.sh - under lockdown=confidentiality (Secure Boot on some
# distributions) BPF may not read kernel memory: pmdstat-bpf says so and
# exits 1.  Lockdown cannot be lifted in a boot, so this runs last.
[ -e /sys/kernel/security/lockdown ] || mount -t securityfs none /sys/kernel/security
if [ -w /sys/kernel/security/lockdown ]; then
	echo confidentiality > /sys/kernel/security/lockdown
	check "lockdown: the kernel is now locked down" grep -q '\[confidentiality\]' /sys/kernel/security/lockdown
	pmdstat-bpf -d 1 > /tmp/ld.out 2> /tmp/ld.err
	check_eq "lockdown: pmdstat-bpf exits 1" "$?" 1
	check_eq "lockdown: nothing on stdout" "$(wc -c < /tmp/ld.out | tr -d ' ')" 0
	check "lockdown: the message names the lockdown" grep -q 'locked down' /tmp/ld.err
	pmdstat --backend bpf -d 1 > /tmp/ld2.out 2> /tmp/ld2.err
	check_eq "lockdown: pmdstat --backend bpf passes pmdstat-bpf's status on" "$?" 1
	check "lockdown: ... and its message" grep -q 'locked down' /tmp/ld2.err
else
	not_ok "lockdown: /sys/kernel/security/lockdown is not writable (no lockdown LSM?)"
fi
