# probe-cost.sh - in the VM (busybox sh): what one pmdstat probe hit costs.
# Runs pmdstat-bench without pmdstat, with the pmdstat module, with the
# BPF backend (pmdstat-bpf), and with an equivalent kprobe_events tracer (entry + return probe with hist triggers on the same
# sites), alternating A/B several times in one boot, and prints the cost per
# hit of each as (time loaded - time unloaded) / hits.
N=${BENCH_ITERS:-300}
REPS=${BENCH_REPS:-3}
T=/sys/kernel/tracing
run() { pmdstat-bench -n "$N" | sed -n 's/.*ns_per_iteration=//p'; }
rmmod pmdstat 2>/dev/null
run > /dev/null	# warm up: page cache, hugepage pool
base=0 mod=0 trc=0 bpf=0 hits=0
for r in $(seq "$REPS"); do
	b=$(run)
	insmod /lib/pmdstat.ko
	echo reset > /sys/kernel/debug/pmdstat/control
	m=$(run)
	h=$(sed -n 's/^Totals: hits=\([0-9]*\).*/\1/p' /sys/kernel/debug/pmdstat/stats)
	rmmod pmdstat
	i=0
	for s in huge_pmd_share __huge_pmd_unshare.constprop.0.isra.0; do
		grep -q " $s\$" /proc/kallsyms || continue
		echo "p:pmdb/e$i $s" >> $T/kprobe_events
		echo "r:pmdb/r$i $s ret=\$retval:s32" >> $T/kprobe_events
		echo 'hist:keys=common_pid' > $T/events/pmdb/e$i/trigger
		echo 'hist:keys=ret' > $T/events/pmdb/r$i/trigger
		i=$((i + 1))
	done
	echo 1 > $T/events/pmdb/enable
	t=$(run)
	echo 0 > $T/events/pmdb/enable
	for e in $T/events/pmdb/*/trigger; do
		echo "!$(grep -v '^#' "$e" | head -n 1 | sed 's/ .*//')" > "$e"
	done
	echo > $T/kprobe_events
	p=$(pmdstat-bpf -o /tmp/bpf.stats -- pmdstat-bench -n "$N" | sed -n 's/.*ns_per_iteration=//p')
	echo "rep $r: ns/iteration unloaded=$b pmdstat=$m kprobe_events+hist=$t pmdstat-bpf=$p; pmdstat hits/iteration=$((h / N))"
	base=$((base + b)) mod=$((mod + m)) trc=$((trc + t)) bpf=$((bpf + p)) hits=$((hits + h))
done
hpi=$((hits / (N * REPS)))
echo "pmdstat probe hits per iteration: $hpi (1 share, 512 unshare-clone calls, and the tracked-lock probes)"
echo "cost per hit: pmdstat module $(( (mod - base) / REPS / hpi )) ns, pmdstat-bpf $(( (bpf - base) / REPS / hpi )) ns, kprobe_events+hist $(( (trc - base) / REPS / hpi )) ns (TCG guest: compare them, not the absolute values)"
insmod /lib/pmdstat.ko
