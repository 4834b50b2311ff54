# test_90_bpf.sh - the libbpf companion and the module, at the same time on
# the same workload: equal share/unshare hit counts per site; share_ns
# medians within a factor of 2 (each backend pays its own probe cost).
# unshare_ns medians are reported, not asserted: under TCG an unshare call
# lasts 0.4-0.8 us, less than what the BPF kretprobe path adds to it.
jhist() {	# FILE HIST KEY: a key of a histogram in pmdstat -j output
	tr '}' '\n' < "$1" | grep "\"$2\":{" | head -n 1 | grep -o "\"$3\":[0-9]*" | head -n 1 | sed 's/.*://'
}
# nothing else may unshare while one backend counts and the other does not
check "no earlier workload is still running" wait_gone pmdstat-workload
echo reset > $D/control
pmdstat-bpf -o /tmp/bpf.stats -- pmdstat-workload -q -n 4 -r 6 -t munmap,dontneed,softoffline > /tmp/bpfw.out 2>&1
check_eq "bpf backend: the workload under it exits 0" "$?" 0
snap /tmp/mod.stats
check "bpf backend: its output is the module's format (the reader parses it)" sh -c 'pmdstat -f /tmp/bpf.stats > /dev/null'
for s in $(sites /tmp/mod.stats); do
	check_eq "bpf backend: $s hits equal the module's" "$(probe_val /tmp/bpf.stats "$s" hits)" "$(probe_val /tmp/mod.stats "$s" hits)"
	if [ "$(role_of /tmp/mod.stats "$s")" = unshare ]; then
		check_eq "bpf backend: $s returns of 1 equal the module's" \
			"$(probe_val /tmp/bpf.stats "$s" ret1)" "$(probe_val /tmp/mod.stats "$s" ret1)"
		check_eq "bpf backend: $s nested calls equal the module's" \
			"$(probe_val /tmp/bpf.stats "$s" nested)" "$(probe_val /tmp/mod.stats "$s" nested)"
	fi
done
check_eq "bpf backend: no missed events" "$(total_val /tmp/bpf.stats missed)" 0
pmdstat -j -f /tmp/bpf.stats > /tmp/bpf.json
pmdstat -j -f /tmp/mod.stats > /tmp/mod.json
b=$(jhist /tmp/bpf.json share_ns p50)
m=$(jhist /tmp/mod.json share_ns p50)
if [ -n "$b" ] && [ -n "$m" ] && [ "$b" -gt 0 ] && [ "$m" -gt 0 ] && [ "$b" -le $((2 * m)) ] && [ "$m" -le $((2 * b)) ]; then
	ok "bpf backend: share_ns median within a factor of 2 of the module's ($b vs $m ns)"
else
	not_ok "bpf backend: share_ns median bpf '$b' vs module '$m' ns: not within a factor of 2"
fi
b=$(jhist /tmp/bpf.json unshare_ns p50)
m=$(jhist /tmp/mod.json unshare_ns p50)
check_gt "bpf backend: unshare_ns timed" "$b" 0
diag "unshare_ns median: bpf $b ns, module $m ns (ratio $((b * 10 / (m + 1)))/10; not asserted)"
check_gt "bpf backend: i_mmap_rwsem acquisitions timed" \
	"$(awk '$1 == "lock" && $2 == "kind=i_mmap" { split($4, a, "="); s += a[2] } END { print s + 0 }' /tmp/bpf.stats)" 0
