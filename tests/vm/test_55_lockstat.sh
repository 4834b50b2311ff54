# test_55_lockstat.sh - pmdstat's i_mmap_rwsem numbers against lockdep's
# lock_stat (CONFIG_LOCK_STAT), a completely different mechanism, on the
# same run.  hugetlbfs gives its files' i_mmap_rwsem a lockdep class of its
# own (hugetlbfs_i_mmap_rwsem_key), so on a hugetlb workload lock_stat
# counts the locks pmdstat tracks.  Two workloads: the mmap/fault/munmap
# contention one and the scan one.  For each, after the file is tracked
# (its first share), both are reset, the workload runs, and per mode:
#
# * acquisitions: lock_stat counts every completed hold of the class
#   (trylocks included); pmdstat counts acquisitions (+ successful
#   trylocks) of tracked files.  Equal, except holds that straddle a reset
#   and acquisitions of other hugetlbfs files (none run here): within 2%
#   plus 4.
# * contentions: lock_stat counts failed fast paths (lock_contended:
#   the trylock of LOCK_CONTENDED failed); pmdstat counts entries into the
#   rwsem slow path.  Every slow-path entry follows a failed fast path, but
#   a failed one may still succeed without the slow path, so
#   pmdstat <= lock_stat (+ 4 for the reset skew).
# * hold and wait time, read: lock_stat's window runs from lock_contended()
#   (a contended acquisition) or lock_acquired() to lock_release() inside
#   up_read(); pmdstat's from down_read()'s entry to up_read()'s entry (it
#   has no return probe on down_read): a contended wait ends at the slow
#   path's return, before lock_acquired(), and an uncontended hold starts
#   at the entry, before lockdep's bookkeeping; and pmdstat's hold ends when
#   its up_read() entry handler reads the clock, lock_stat's after that
#   handler has run.  So no sum or part is ordered against lock_stat's; each
#   differs by per-acquisition paths (under KASAN and TCG, 10-62 us
#   measured at the start, about 17 us of handler at the end): wait + hold
#   agree within 100 us per acquisition, hold within 50 us per hold, wait
#   within 100 us per contended acquisition, each plus 5%.
# * hold time, write: lock_stat cannot be the reference.  When a task
#   releases a lock taken *before* one it still holds, lockdep's
#   reacquire_held_locks() re-acquires the later one and restamps its
#   holdtime_stamp.  Every final unmap does that: __unmap_hugepage_range_final()
#   releases the hugetlb vma lock, then i_mmap_rwsem, so lock_stat counts
#   only the instant between the two releases (the scan workload's exit:
#   lock_stat 9 ms where pmdstat and ftrace both see 117 ms).  The write
#   holds are checked against a third mechanism instead, on the scan
#   workload: kprobe events on down_write/its return/up_write (trace clock
#   mono) in the same run, for the file's i_mmap_rwsem (the semaphore with
#   128 holds): within 5% plus 20 us per hold.  lock_stat's figure is printed.
# * wait time, both modes: lock_stat waits from lock_contended() to
#   lock_acquired(); pmdstat's waits are its contended acquisitions only,
#   from down_*()'s entry to the slow path's return (an int3 probe).  Each
#   starts and ends at other points, so they agree within 100 us per
#   contended acquisition, plus 5%, either way.
# lock_stat's clock is local_clock(): under TCG it is trustworthy only with
# a stable sched_clock, so check-debug boots with tsc=reliable (without it,
# waits measured as 0 ns are not counted as contentions at all).
# Both sides are printed.  SKIP without /proc/lock_stat.
LS=/proc/lock_stat
if [ ! -e $LS ]; then
	echo "ok $((TAP_N + 1)) - # SKIP lock_stat cross-check: this kernel has no /proc/lock_stat (CONFIG_LOCK_STAT); make check-debug runs it"
	TAP_N=$((TAP_N + 1))
else
	echo 1 > /proc/sys/kernel/lock_stat
	# lock_stat times come from local_clock(): under TCG it is only
	# trustworthy with a stable sched_clock (check-debug boots tsc=reliable)
	diag "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource); $(dmesg | grep -iE 'sched_clock|tsc.*unstable|Marking TSC' | sed 's/^\[[ 0-9.]*\] //' | tr '\n' ';')"

	# ls_val MODE FIELD: FIELD (1-based after the name) of the class line
	# &hugetlbfs_i_mmap_rwsem_key-W: / -R: (times in us)
	ls_val() {
		awk -v m="$1" -v f="$2" '$1 ~ /hugetlbfs_i_mmap_rwsem_key-/ && $1 ~ ("-" m ":$") { s += $(f + 1) } END { printf "%.2f\n", s + 0 }' $LS
	}
	# pm_lock MODE KEY: from the "lock kind=i_mmap mode=MODE" line
	pm_lock() {
		awk -v m="mode=$1" -v k="$2" '$1 == "lock" && $2 == "kind=i_mmap" && $3 == m {
			for (i = 4; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' /tmp/ls.stats
	}
	# le A B [SLACK]: A <= B + SLACK (floating point)
	le() { awk -v a="$1" -v b="$2" -v s="${3:-0}" 'BEGIN { exit !(a <= b + s) }'; }

	lockstat_round() { # NAME CMD...: CMD must start its load when /tmp/go appears
		name=$1; shift
		rm -f /tmp/ready /tmp/go
		"$@" > /tmp/ls.out 2>&1 &
		wpid=$!
		for i in $(seq 300); do [ -e /tmp/ready ] && break; sleep 0.1; done
		echo reset > $D/control
		echo 0 > $LS
		touch /tmp/go
		wait $wpid
		wrc=$?
		snap /tmp/ls.stats
		cp $LS /tmp/ls.lock_stat
		check_eq "$name: workload exit status" "$wrc" 0
		for mode in read write; do
			M=$( [ $mode = read ] && echo R || echo W)
			# lock_stat columns after the name: con-bounces contentions
			# waittime-min -max -total -avg acq-bounces acquisitions
			# holdtime-min -max -total -avg
			ls_con=$(ls_val $M 2) ls_wait=$(ls_val $M 5) ls_acq=$(ls_val $M 8) ls_hold=$(ls_val $M 11)
			ls_con=${ls_con%.*} ls_acq=${ls_acq%.*}
			pm_acq=$(( $(pm_lock $mode acquired) + $(pm_lock $mode try_ok) ))
			pm_con=$(pm_lock $mode contended)
			pm_wait=$(awk -v s="$(hist_val /tmp/ls.stats i_mmap_wait_ns.$mode sum)" 'BEGIN { printf "%.2f", s / 1000 }')
			pm_hold=$(awk -v s="$(hist_val /tmp/ls.stats i_mmap_hold_ns.$mode sum)" 'BEGIN { printf "%.2f", s / 1000 }')
			pm_failed=$(pm_lock $mode failed)
			diag "$name $mode: pmdstat callers: $(awk -v m="mode=$mode" '$1 == "caller" && $0 ~ /lock=i_mmap/ && $0 ~ m' /tmp/ls.stats | tr '\n' ';')"
			diag "$name $mode: lock_stat: $(grep "hugetlbfs_i_mmap_rwsem_key-$M:" /tmp/ls.lock_stat)"
			diag "$name $mode: acquisitions pmdstat $pm_acq lock_stat $ls_acq; contended pmdstat $pm_con (failed $pm_failed) lock_stat $ls_con; wait us pmdstat $pm_wait lock_stat $ls_wait; hold us pmdstat $pm_hold lock_stat $ls_hold"
			check_gt "$name $mode: lock_stat saw the class" "$ls_acq" 0
			slack=$(awk -v a="$ls_acq" 'BEGIN { printf "%d", a * 0.02 + 4 }')
			check "$name $mode: acquisitions agree (|$pm_acq - $ls_acq| <= $slack)" \
				sh -c "[ $((pm_acq - ls_acq)) -le $slack ] && [ $((ls_acq - pm_acq)) -le $slack ]"
			check "$name $mode: pmdstat's slow-path entries <= lock_stat's contentions ($pm_con <= $ls_con + 4)" \
				le "$pm_con" "$ls_con" 4
			if [ $mode = read ]; then
				pm_all=$(awk -v w="$pm_wait" -v h="$pm_hold" 'BEGIN { printf "%.2f", w + h }')
				ls_all=$(awk -v w="$ls_wait" -v h="$ls_hold" 'BEGIN { printf "%.2f", w + h }')
				check "$name $mode: wait + hold, |pmdstat - lock_stat| <= 100 us x $pm_acq acquisitions + 5% ($pm_all vs $ls_all us)" \
					sh -c "[ \"\$(awk -v a=$pm_all -v b=$ls_all -v n=$pm_acq 'BEGIN { d = a - b; if (d < 0) d = -d; print (d <= 0.05 * b + 100 * n) }')\" = 1 ]"
				check "$name $mode: hold, |pmdstat - lock_stat| <= 50 us x $ls_acq holds + 5%" \
					sh -c "[ \"\$(awk -v a=$pm_hold -v b=$ls_hold -v n=$ls_acq 'BEGIN { d = a - b; if (d < 0) d = -d; print (d <= 0.05 * b + 50 * n) }')\" = 1 ]"
			fi
			check "$name $mode: wait, |pmdstat - lock_stat| <= 100 us x $pm_con contended + 5%" \
				sh -c "[ \"\$(awk -v a=$pm_wait -v b=$ls_wait -v n=$pm_con 'BEGIN { d = a - b; if (d < 0) d = -d; print (d <= 0.05 * b + 100 * n) }')\" = 1 ]"
		done
	}
	lockstat_round contention pmdstat-contend -f 3 -d 4 -r /tmp/ready -g /tmp/go
	# the scan workload faults 2 s after it has mapped its 64 VMAs: the
	# reset falls in between.  The ftrace tracer follows its pid.
	scan_gated() { pmdstat-scan -v 64 -w 2 > /tmp/scan.out 2>&1 & sp=$!
		for i in $(seq 300); do grep -q ready /tmp/scan.out && break; sleep 0.1; done
		tracer_stop
		echo mono > $T/trace_clock
		echo 'p:pmdt/dw down_write sem=%di:x64' >> $T/kprobe_events
		echo 'r:pmdt/dwr down_write' >> $T/kprobe_events
		echo 'p:pmdt/uw up_write sem=%di:x64' >> $T/kprobe_events
		echo 16384 > $T/buffer_size_kb
		for e in dw dwr uw; do echo "common_pid == $sp" > $T/events/pmdt/$e/filter; done
		echo > $T/trace
		echo 1 > $T/events/pmdt/enable
		touch /tmp/ready
		wait $sp
		rc=$?
		echo 0 > $T/events/pmdt/enable
		# holds per semaphore: down_write's return to up_write; the file's
		# i_mmap_rwsem is the one with the most holds (2 per VMA)
		awk 'function ts() { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) return substr($i, 1, length($i) - 1) + 0 }
		     function sem() { for (i = 1; i <= NF; i++) if ($i ~ /^sem=/) return $i }
		     / dw: / { pend = sem(); next }
		     / dwr: / { start[pend] = ts(); next }
		     / uw: / { s = sem(); if (s in start) { tot[s] += ts() - start[s]; cnt[s]++; delete start[s] } }
		     END { for (s in cnt) if (cnt[s] > best) { best = cnt[s]; t = tot[s] }
			   printf "%d %.2f\n", best, t * 1e6 }' $T/trace > /tmp/ft.holds
		tracer_stop
		echo local > $T/trace_clock
		return $rc; }
	lockstat_round scan scan_gated
	read ft_n ft_hold < /tmp/ft.holds
	pm_hold=$(awk -v s="$(hist_val /tmp/ls.stats i_mmap_hold_ns.write sum)" 'BEGIN { printf "%.2f", s / 1000 }')
	pm_n=$(hist_val /tmp/ls.stats i_mmap_hold_ns.write count)
	diag "scan write holds: pmdstat $pm_n holds $pm_hold us; ftrace kprobe events $ft_n holds $ft_hold us; lock_stat $(ls_val W 11) us (restamped, see above)"
	check_eq "scan write: ftrace and pmdstat count the same holds" "$ft_n" "$pm_n"
	b1=$(awk -v h="$ft_hold" -v n="$ft_n" 'BEGIN { print h * 1.05 + 20 * n }')
	b2=$(awk -v h="$pm_hold" -v n="$ft_n" 'BEGIN { print h * 1.05 + 20 * n }')
	if [ -n "$ft_hold" ] && le "$pm_hold" "$b1" && le "$ft_hold" "$b2"; then
		ok "scan write: hold, pmdstat within 5% + 20 us/hold of ftrace's ($pm_hold vs $ft_hold us)"
	else
		not_ok "scan write: hold, pmdstat $pm_hold us vs ftrace $ft_hold us: more than 5% + 20 us/hold apart"
	fi
	echo 0 > /proc/sys/kernel/lock_stat
fi
