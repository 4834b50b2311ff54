# test_90_bpf.sh - the libbpf companion and the module, at the same time on
# the same workload, twice: once with the module's probes registered first
# (the module is loaded when pmdstat-bpf attaches), once with pmdstat-bpf's
# first (the module is loaded under it).  Both probe the same sites, so the
# kernel aggregates the kprobes: the later-registered probe's entry
# handler runs first and its return handler last, so its timed window
# contains the other backend's whole entry and return handlers.  Each
# backend's own probe cost is therefore compared where it is the inner one:
# the module's medians from the first run against the BPF backend's from
# the second.  Hit counts (and outcomes: unshare returns of 1, nested
# calls, attached and fresh shares) must be equal per site in both runs.
# pmdstat-bpf uses fentry/fexit on the sites BTF describes (plain symbols)
# and kprobes on compiler clones.  At an fentry site ftrace runs the
# module's kprobe before the BPF trampoline whatever the order, so there
# the module is always outer: the share comparison then holds the BPF
# backend's (cheap) fentry/fexit cost on the module's side.
# Latencies need both backends to time unshare calls: the module with
# time_unshare=1, pmdstat-bpf with -u (runs 1 and 2).  By default both
# decide an unshare's outcome at its entry from the table's share count,
# with no return probe, and pmdstat-bpf ends a share at its release of
# i_mmap_rwsem: run 4 checks that those defaults count the same.
jhist() {	# FILE HIST KEY: a key of a histogram in pmdstat -j output
	tr '}' '\n' < "$1" | grep "\"$2\":{" | head -n 1 | grep -o "\"$3\":[0-9]*" | head -n 1 | sed 's/.*://'
}
p50() { pmdstat -j -f "$1" > "$1.json" && jhist "$1.json" "$2" p50; }
# within2 WHAT A B: A and B positive and within a factor of 2 of each other
within2() {
	# KASAN instruments the module's handlers, not the BPF JIT's code:
	# their latencies are not comparable on such a kernel
	if zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_KASAN=y'; then
		TAP_N=$((TAP_N + 1))
		echo "ok $TAP_N - # SKIP $1 within a factor of 2 ($2 vs $3 ns): KASAN instruments the module's handlers but not BPF programs"
		return
	fi
	if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -gt 0 ] && [ "$3" -gt 0 ] &&
	   [ "$2" -le $(($3 * 2)) ] && [ "$3" -le $(($2 * 2)) ]; then
		ok "$1 within a factor of 2 ($2 vs $3 ns)"
	else
		not_ok "$1 not within a factor of 2 ('$2' vs '$3' ns)"
	fi
}
# same_hits RUN BPFSTATS MODSTATS [kretprobe]: per-site counts of both
# backends equal
same_hits() {
	for s in $(sites "$3"); do
		check_eq "$1: bpf $s hits equal the module's" "$(probe_val "$2" "$s" hits)" "$(probe_val "$3" "$s" hits)"
		if [ "$(role_of "$3" "$s")" = unshare ]; then
			check_eq "$1: bpf $s returns of 1 equal the module's" \
				"$(probe_val "$2" "$s" ret1)" "$(probe_val "$3" "$s" ret1)"
			check_eq "$1: bpf $s nested calls equal the module's" \
				"$(probe_val "$2" "$s" nested)" "$(probe_val "$3" "$s" nested)"
		elif [ "${4:-}" = kretprobe ]; then
			# 24 faulters share tables at once: a table can get its
			# second user between the module's read of its share count
			# and the BPF program's (pmdstat_outcome() documents it), so
			# a share may be fresh to one and attached to the other
			ba=$(probe_val "$2" "$s" attached) ma=$(probe_val "$3" "$s" attached)
			check_eq "$1: bpf $s attached + fresh equal the module's" \
				"$((ba + $(probe_val "$2" "$s" fresh)))" "$((ma + $(probe_val "$3" "$s" fresh)))"
			d=$((ba - ma)); [ $d -ge 0 ] || d=$((-d))
			check_le "$1: bpf and module $s attaches differ by at most 0.1% of hits + 1 (bpf $ba, module $ma)" \
				"$d" "$(( $(probe_val "$3" "$s" hits) / 1000 + 1 ))"
		else
			# both read the returned table's share count
			check_eq "$1: bpf $s attaches equal the module's" \
				"$(probe_val "$2" "$s" attached)" "$(probe_val "$3" "$s" attached)"
			check_eq "$1: bpf $s fresh tables equal the module's" \
				"$(probe_val "$2" "$s" fresh)" "$(probe_val "$3" "$s" fresh)"
		fi
	done
	check_eq "$1: bpf backend missed no events" "$(total_val "$2" missed)" 0
	# i_mmap_rwsem of the hugetlb files: pmdstat-bpf probes down_read and
	# down_write, not the trylocks that the module counts as well
	for m in read write; do
		check_eq "$1: bpf i_mmap_rwsem $m acquisitions equal the module's without trylocks" \
			"$(immap "$2" "$m" acquired)" "$(($(immap "$3" "$m" acquired) - $(immap "$3" "$m" try_ok)))"
		# both call an acquisition contended when it entered the rwsem
		# slow path (pmdstat-bpf: its return; no trylock gets there)
		[ "${4:-}" = kretprobe ] && continue
		check_eq "$1: bpf i_mmap_rwsem $m contended acquisitions equal the module's" \
			"$(immap "$2" "$m" contended)" "$(immap "$3" "$m" contended)"
	done
	# With -k that return is a kretprobe, whose few instances (10 on 2
	# CPUs) run out when more tasks wait at once.  A wait whose return
	# went unseen is dropped as a stale record when the task's next slow
	# path or its release comes, never counted as another wait: contended
	# plus stale is the module's contended (whose kretprobes have 64).
	if [ "${4:-}" = kretprobe ]; then
		stale=$(sed -n 's/^locks .*stale_records=\([0-9]*\).*/\1/p' "$2")
		diag "$1: pmdstat-bpf -k dropped ${stale:-?} stale wait records (slow-path returns its kretprobes missed)"
		if [ "$(sum_probes "$3" lock missed)" != 0 ]; then
			TAP_N=$((TAP_N + 1))
			echo "ok $TAP_N - # SKIP $1: the module's lock probes missed calls too: contended not compared"
		else
			check_eq "$1: bpf contended acquisitions plus stale records equal the module's contended" \
				"${stale:+$(($(immap "$2" read contended) + $(immap "$2" write contended) + stale))}" \
				"$(($(immap "$3" read contended) + $(immap "$3" write contended)))"
		fi
	fi
	check_eq "$1: bpf tracks no i_mmap_rwsem after the workload (its files are gone)" \
		"$(sed -n 's/^locks tracked_i_mmap=\([0-9]*\).*/\1/p' "$2")" 0
}
immap() {	# FILE MODE KEY: KEY of the i_mmap lock line of MODE
	awk -v m="mode=$2" -v k="$3" '$1 == "lock" && $2 == "kind=i_mmap" && $3 == m {
		for (i = 4; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
}
W="pmdstat-workload -q -n 4 -r 6 -t munmap,dontneed,softoffline"
diag "$(grep HugePages_Free /proc/meminfo) before the two runs (soft offline takes pages out of the pool)"
# nothing else may unshare while one backend counts and the other does not
check "no earlier workload is still running" wait_gone pmdstat-workload

# The module times unshare calls only with time_unshare=1 (by default
# their outcome is decided at entry, with no return probe).
rmmod pmdstat
insmod /lib/pmdstat.ko time_unshare=1
# run 1: the module first, pmdstat-bpf attached over it (bpf outer)
echo reset > $D/control
pmdstat-bpf -u -o /tmp/bpf1.stats -- $W > /tmp/bpfw.out 2>&1
check_eq "run 1 (module first): the workload under pmdstat-bpf -u exits 0" "$?" 0
snap /tmp/mod1.stats
check_eq "run 1: pmdstat-bpf -u times unshare calls (time_unshare=1)" \
	"$(sed -n 's/^state .*time_unshare=\([0-9]*\).*/\1/p' /tmp/bpf1.stats)" 1
check "bpf backend: its output is the module's format (the reader parses it)" sh -c 'pmdstat -f /tmp/bpf1.stats > /dev/null'
for s in $(sites /tmp/bpf1.stats); do
	case $s in
	*.*) want=kprobe ;;	# a compiler clone: not in BTF
	*) want=fentry ;;
	esac
	check_eq "bpf backend: $s is probed with $want" \
		"$(probe_val /tmp/bpf1.stats "$s" reads | tr ';' '\n' | sed -n 's/^attach://p')" "$want"
done
same_hits "run 1" /tmp/bpf1.stats /tmp/mod1.stats

# run 2: pmdstat-bpf first, the module loaded under it (module outer)
rmmod pmdstat
pmdstat-bpf -u -o /tmp/bpf2.stats -- sh -c "insmod /lib/pmdstat.ko time_unshare=1 && $W > /dev/null && cat $D/stats > /tmp/mod2.stats"
check_eq "run 2 (bpf first): module load, workload and snapshot under pmdstat-bpf exit 0" "$?" 0
lsmod | grep -q '^pmdstat ' || insmod /lib/pmdstat.ko
same_hits "run 2" /tmp/bpf2.stats /tmp/mod2.stats

# run 3: pmdstat-bpf -k, kprobes everywhere (its path on kernels without
# BPF trampolines), the module first: the same counts
echo reset > $D/control
pmdstat-bpf -k -o /tmp/bpf3.stats -- $W > /dev/null 2>&1
check_eq "run 3 (pmdstat-bpf -k): the workload under it exits 0" "$?" 0
snap /tmp/mod3.stats
check_eq "run 3: every site is probed with kprobes" \
	"$(grep -c '^probe .*backend:bpf;attach:kprobe' /tmp/bpf3.stats)" "$(sites /tmp/bpf3.stats | wc -l | tr -d ' ')"
same_hits "run 3" /tmp/bpf3.stats /tmp/mod3.stats kretprobe

# run 4: pmdstat-bpf's defaults (fentry where BTF allows): the same counts
echo reset > $D/control
pmdstat-bpf -o /tmp/bpf4.stats -- $W > /dev/null 2>&1
check_eq "run 4 (pmdstat-bpf defaults): the workload under it exits 0" "$?" 0
snap /tmp/mod4.stats
check_eq "run 4: unshare calls are not timed (time_unshare=0)" \
	"$(sed -n 's/^state .*time_unshare=\([0-9]*\).*/\1/p' /tmp/bpf4.stats)" 0
same_hits "run 4" /tmp/bpf4.stats /tmp/mod4.stats

# A share: where BTF names huge_pmd_share's pud, pmdstat-bpf times it from
# its request of i_mmap_rwsem to its release (the function's first and
# last steps), reading the outcome from the PUD there, with no return
# probe: the window that the module reports as the share's own
# i_mmap_rwsem wait and hold.  Each holds one of the other backend's lock
# handlers (ftrace runs the module's kprobe on down_read/up_read before
# the BPF trampoline), so they are compared in the same run.  The module's
# share_ns (entry to return) also holds pmdstat-bpf's share and lock
# handlers, whatever the order: reported only.
for r in 1 2 4; do
	diag "share median, run $r: bpf share_ns $(p50 /tmp/bpf$r.stats share_ns) ns; module share_ns $(p50 /tmp/mod$r.stats share_ns) ns, share_i_mmap_wait_ns $(p50 /tmp/mod$r.stats share_i_mmap_wait_ns) ns, share_i_mmap_hold_ns $(p50 /tmp/mod$r.stats share_i_mmap_hold_ns) ns"
done
if grep -q '^probe symbol=huge_pmd_share .*end:i_mmap_unlock' /tmp/bpf4.stats; then
	within2 "share_ns median of pmdstat-bpf vs the module's share_i_mmap_hold_ns (run 4)" \
		"$(p50 /tmp/bpf4.stats share_ns)" "$(p50 /tmp/mod4.stats share_i_mmap_hold_ns)"
else
	within2 "share_ns median, bpf (run 2) vs module (run 1)" \
		"$(p50 /tmp/bpf2.stats share_ns)" "$(p50 /tmp/mod1.stats share_ns)"
fi
for h in unshare_ns; do
	mi=$(p50 /tmp/mod1.stats $h) bi=$(p50 /tmp/bpf2.stats $h)
	mo=$(p50 /tmp/mod2.stats $h) bo=$(p50 /tmp/bpf1.stats $h)
	within2 "$h median, bpf (run 2) vs module (run 1)" "$bi" "$mi"
	diag "$h median: module $mi ns in run 1, $mo ns in run 2; bpf $bi ns in run 2, $bo ns in run 1"
	# An unshare call is short (under 1 us in TCG), so the other backend's
	# handlers dominate the outer window: the evidence for the nesting.
	# That needs kprobes on both sides: where BTF describes the busiest
	# unshare site (an uncloned __huge_pmd_unshare, as on the debug
	# kernel), pmdstat-bpf uses fentry and the module is outer in both runs.
	busy=$(awk '$1 == "probe" && $3 == "role=unshare" { split($4, h, "="); if (h[2] + 0 > m) { m = h[2] + 0; l = $0 } } END { print l }' /tmp/bpf1.stats)
	case $busy in
	*attach:fentry*)
		for w in bpf module; do
			TAP_N=$((TAP_N + 1))
			echo "ok $TAP_N - # SKIP unshare median, $w outer vs inner: the busiest unshare site is in BTF, so pmdstat-bpf attaches fentry and the module is outer in both runs"
		done
		continue ;;
	esac
	check_gt "unshare median: bpf outer ($bo) exceeds bpf inner ($bi)" "$((${bo:-0} - ${bi:-0}))" 0
	check_gt "unshare median: module outer ($mo) exceeds module inner ($mi)" "$((${mo:-0} - ${mi:-0}))" 0
	diag "per-unshare cost of the other backend's handlers (outer - inner median): module's $((${bo:-0} - ${bi:-0})) ns, bpf's $((${mo:-0} - ${mi:-0})) ns"
done
# lock timing medians (log2 histograms: reported, the counts are asserted
# above).  pmdstat-bpf probes the rwsem functions with fentry, so the
# module's waits, outer in both runs, hold the BPF programs' cost.
for h in i_mmap_wait_ns.write i_mmap_hold_ns.write i_mmap_wait_ns.read i_mmap_hold_ns.read; do
	diag "$h median: module $(p50 /tmp/mod1.stats $h) ns (outer), bpf $(p50 /tmp/bpf2.stats $h) ns (inner)"
done

# run 5: pmdstat-bpf -k under contention (24 faulters on one file): more
# tasks wait for its i_mmap_rwsem at once than the kretprobes have
# instances, so some waits end unseen (same_hits: contended + stale).
# First, the module loaded in run 2 under pmdstat-bpf -u, alone: on 7.3,
# whose ftrace enters a BPF trampoline with fexit programs by a jmp in the
# fentry slot, it once took that jmp on the rwsem slow paths for a tail call
# and timed no contended acquisition.
echo reset > $D/control
pmdstat-contend -f 24 -d 2 > /dev/null 2>&1
snap /tmp/mod5a.stats
check_gt "run 5: the module loaded under pmdstat-bpf -u (run 2) times contended acquisitions alone (read $(immap /tmp/mod5a.stats read contended), write $(immap /tmp/mod5a.stats write contended))" \
	"$(( $(immap /tmp/mod5a.stats read contended) + $(immap /tmp/mod5a.stats write contended) ))" 0
check_eq "run 5: its state line says contention=slowpath" \
	"$(sed -n 's/^state .*contention=\([a-z]*\).*/\1/p' /tmp/mod5a.stats)" slowpath
rmmod pmdstat
insmod /lib/pmdstat.ko time_unshare=1
pmdstat-bpf -k -o /tmp/bpf5.stats -- pmdstat-contend -f 24 -d 3 > /dev/null 2>&1
check_eq "run 5 (pmdstat-bpf -k, pmdstat-contend -f 24): exits 0" "$?" 0
snap /tmp/mod5.stats
same_hits "run 5" /tmp/bpf5.stats /tmp/mod5.stats kretprobe

# run 6: a user other than root with CAP_BPF and CAP_PERFMON only (ambient,
# through pmdstat-caps) runs pmdstat-bpf, where perf_event_paranoid lets
# CAP_PERFMON open perf events (kprobes; Debian's 3 needs CAP_SYS_ADMIN,
# test_95).  Without CAP_SYSLOG /proc/kallsyms shows it no addresses
# (kptr_restrict=1), so it cannot find the direct map and read share
# counts: a share that got a table is counted as unknown, never as fresh,
# and unshares are timed to read their outcome.
kr=$(cat /proc/sys/kernel/kptr_restrict) pp=$(cat /proc/sys/kernel/perf_event_paranoid)
echo 1 > /proc/sys/kernel/kptr_restrict
echo 2 > /proc/sys/kernel/perf_event_paranoid
mkdir -p /tmp/caps && chmod 777 /tmp/caps
echo reset > $D/control
pmdstat-caps 65534 bpf,perfmon pmdstat-bpf -o /tmp/caps/bpf6.stats -- \
	pmdstat-workload -q -n 4 -r 6 -t munmap,dontneed > /dev/null 2> /tmp/bpf6.err
st=$?
check_eq "run 6 (uid 65534, CAP_BPF and CAP_PERFMON): pmdstat-bpf and the workload exit 0" "$st" 0
[ "$st" = 0 ] || diag "$(grep -v '^libbpf' /tmp/bpf6.err)"
snap /tmp/mod6.stats
echo "$kr" > /proc/sys/kernel/kptr_restrict
echo "$pp" > /proc/sys/kernel/perf_event_paranoid
if grep -q "cannot read page-table share counts.*give it CAP_SYSLOG.*unknown" /tmp/bpf6.err; then
	ok "run 6: it says that share counts are unknown, and that CAP_SYSLOG would give them"
else
	not_ok "run 6: no word of unknown share counts and CAP_SYSLOG: $(cat /tmp/bpf6.err)"
fi
for s in $(sites /tmp/mod6.stats); do
	check_eq "run 6: bpf $s hits equal the module's" "$(probe_val /tmp/caps/bpf6.stats "$s" hits)" "$(probe_val /tmp/mod6.stats "$s" hits)"
	if [ "$(role_of /tmp/mod6.stats "$s")" = unshare ]; then
		check_eq "run 6: bpf $s returns of 1 equal the module's" \
			"$(probe_val /tmp/caps/bpf6.stats "$s" ret1)" "$(probe_val /tmp/mod6.stats "$s" ret1)"
		continue
	fi
	check_eq "run 6: bpf $s counts no share as attached or fresh" \
		"$(probe_val /tmp/caps/bpf6.stats "$s" attached)/$(probe_val /tmp/caps/bpf6.stats "$s" fresh)" 0/0
	check_eq "run 6: bpf $s unknown shares equal the module's attached + fresh" \
		"$(probe_val /tmp/caps/bpf6.stats "$s" unknown)" \
		"$(($(probe_val /tmp/mod6.stats "$s" attached) + $(probe_val /tmp/mod6.stats "$s" fresh)))"
done
check "run 6: the report shows the unknown outcomes" sh -c 'pmdstat -f /tmp/caps/bpf6.stats | grep -q "unknown=[1-9]"'

# run 7: fentry/fexit fall back to kprobes one probe point at a time.  A BPF
# trampoline takes at most 38 programs (BPF_MAX_TRAMP_LINKS on x86): other
# pmdstat-bpf -u instances, each with an fentry and an fexit program on
# huge_pmd_unshare, fill its trampoline until one is refused there.  Then
# one more gets kprobes on huge_pmd_unshare only, fentry elsewhere, and
# counts as the module does.
probe_val /tmp/bpf4.stats huge_pmd_unshare reads | grep -q 'attach:fentry' && tramp=1 || tramp=""
i=0 full="" died=""
while [ -n "$tramp" ] && [ $i -lt 30 ] && [ -z "$full$died" ]; do
	i=$((i + 1))
	pmdstat-bpf -u -v -d 3000 -o /dev/null 2> /tmp/fill$i.err &
	echo $! >> /tmp/fill.pids
	# until it attached its last probe (or died)
	while kill -0 $! 2>/dev/null && ! grep -q '^pmdstat-bpf: hugetlbfs_destroy_inode:' /tmp/fill$i.err; do
		sleep 1
	done
	kill -0 $! 2>/dev/null || died=$i
	grep -q '^pmdstat-bpf: huge_pmd_unshare: fentry/fexit do not attach' /tmp/fill$i.err && full=$i
done
if [ -n "$died" ]; then
	not_ok "run 7: pmdstat-bpf -u instance $died died: $(grep -v '^libbpf' /tmp/fill$died.err | tail -n 3)"
elif [ -z "$full" ]; then
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - # SKIP run 7: ${tramp:+huge_pmd_unshare's trampoline took $i instances without refusing one}${tramp:-huge_pmd_unshare has no fentry here}"
else
	diag "run 7: instance $full of pmdstat-bpf -u found huge_pmd_unshare's trampoline full: $(grep 'do not attach' /tmp/fill$full.err)"
	echo reset > $D/control
	pmdstat-bpf -u -o /tmp/bpf7.stats -- $W > /dev/null 2> /tmp/bpf7.err
	check_eq "run 7 (huge_pmd_unshare's trampoline full): pmdstat-bpf -u exits 0" "$?" 0
	snap /tmp/mod7.stats
	check "run 7: it says that huge_pmd_unshare gets kprobes" grep -q '^pmdstat-bpf: huge_pmd_unshare: fentry/fexit do not attach.*kprobes instead' /tmp/bpf7.err
	for s in $(sites /tmp/bpf7.stats); do
		case $s in
		huge_pmd_unshare|*.*) want=kprobe ;;
		*) want=fentry ;;
		esac
		check_eq "run 7: $s is probed with $want" \
			"$(probe_val /tmp/bpf7.stats "$s" reads | tr ';' '\n' | sed -n 's/^attach://p')" "$want"
	done
	same_hits "run 7" /tmp/bpf7.stats /tmp/mod7.stats
fi
for pid in $(cat /tmp/fill.pids 2>/dev/null); do kill "$pid" 2>/dev/null; done
for pid in $(cat /tmp/fill.pids 2>/dev/null); do wait "$pid" 2>/dev/null; done
rm -f /tmp/fill.pids
rmmod pmdstat
insmod /lib/pmdstat.ko
