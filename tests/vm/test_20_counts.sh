# test_20_counts.sh - for every unshare trigger of the workload, pmdstat's
# per-site counts equal an independent tracer's (kprobe_events + hist
# triggers, same run), and the outcomes equal what the workload implies:
# N processes on one PMD table give N-1 attaches and N-1 detaches.
# softoffline (migration) goes through the rmap path and the
# huge_pmd_unshare trampoline, so it also checks nested-call accounting.
N=${COUNTS_PROCS:-4}
R=${COUNTS_ROUNDS:-2}
# the sites from a snapshot of its own, so that the test runs alone too
snap /tmp/counts.sites
syms=$(sites /tmp/counts.sites)
check_gt "probe sites to trace" "$(echo $syms | wc -w)" 0
for trig in ${COUNTS_TRIGGERS:-munmap dontneed mprotect punch truncate exit softoffline}; do
	tracer_start $syms || { not_ok "$trig: tracer setup"; continue; }
	echo reset > $D/control
	pmdstat-workload -q -n "$N" -r "$R" -t "$trig" > /tmp/w.out 2>&1
	wrc=$?
	tracer_pause
	snap /tmp/c.stats
	check_eq "$trig: workload exit status" "$wrc" 0
	[ "$wrc" -eq 0 ] || cat /tmp/w.out
	res=$(grep "^result trigger=$trig " /tmp/w.out)
	val() { echo "$res" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	i=0
	for s in $syms; do
		role=$(role_of /tmp/c.stats "$s")
		check_eq "$trig: $s hits equal the tracer's" \
			"$(probe_val /tmp/c.stats "$s" hits)" "$(tracer_hits $i)"
		check_eq "$trig: $s missed" "$(probe_val /tmp/c.stats "$s" missed)" 0
		check_eq "$trig: tracer missed on $s" "$(tracer_missed $i)" 0
		if [ "$role" = unshare ]; then
			check_eq "$trig: $s returns of 1 equal the tracer's" \
				"$(probe_val /tmp/c.stats "$s" ret1)" "$(tracer_ret $i 1)"
			check_eq "$trig: $s returns of 0 equal the tracer's" \
				"$(probe_val /tmp/c.stats "$s" ret0)" "$(tracer_ret $i 0)"
		fi
		i=$((i + 1))
	done
	check_eq "$trig: share calls = one per process per round" \
		"$(total_val /tmp/c.stats share_calls)" "$(val share_calls)"
	check_eq "$trig: attached = N-1 per round" \
		"$(total_val /tmp/c.stats attached)" "$(val expect_attached)"
	check_eq "$trig: unshares returning 1 = N-1 per round" \
		"$(total_val /tmp/c.stats unshared)" "$(val expect_unshared)"
	check_gt "$trig: unshare sites were hit" "$(sum_probes /tmp/c.stats unshare hits)" 0
	check_eq "$trig: every unshare of a shared table was checked against its shadow count" \
		"$(awk '$1 == "races" { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == "shadow_compared") print a[2] } }' /tmp/c.stats)" \
		"$(total_val /tmp/c.stats unshared)"
	check_eq "$trig: no race or lock-rule violation" \
		"$(awk '$1 == "violations" { for (i = 2; i <= NF; i++) { split($i, a, "="); s += a[2] } } END { print s + 0 }' /tmp/c.stats)" 0
	if [ "$trig" = softoffline ]; then
		# migration unshares through the huge_pmd_unshare trampoline,
		# which tail-jumps into the clone: each such call is nested once
		for s in $syms; do
			w=$(probe_val /tmp/c.stats "$s" reads | sed -n 's/.*layout:from-//p')
			[ -n "$w" ] || continue
			check_gt "softoffline: trampoline $w was hit" "$(probe_val /tmp/c.stats "$w" hits)" 0
			check_eq "softoffline: each $w call reached $s as one nested call" \
				"$(probe_val /tmp/c.stats "$s" nested)" "$(probe_val /tmp/c.stats "$w" hits)"
		done
	fi
	check_eq "$trig: share_ns histogram counts every share call" \
		"$(hist_val /tmp/c.stats share_ns count)" "$(total_val /tmp/c.stats share_calls)"
	diag "$trig: share p-avg $(( $(hist_val /tmp/c.stats share_ns sum) / ($(hist_val /tmp/c.stats share_ns count) + 1) )) ns," \
		"unshare calls $(total_val /tmp/c.stats unshare_calls)"
	tracer_stop
done
