# test_56_blame.sh - whom each contended wait waited behind (blocked_by
# lines).  One known writer (pmdstat-blame's "blame-writer": punch holes in
# the file, i_mmap_rwsem for write in hugetlbfs_punch_hole) and faulting
# readers that take no lock for write: at least 90% of the readers'
# contended wait time must be blamed on the writer, that is on functions
# that an independent tracer (kprobes on down_write and down_write_trylock
# filtered on the writer's pid, same run) saw the writer call them from.
# Every contended acquisition has exactly one row.  A reader-only run
# blames no writer.  Then the control knob and the live view.
blame_rows() { grep '^blocked_by ' "$1"; }
# kv FIELD LINE...: the value of FIELD in each line on stdin
kvcol() { awk -v k="$1" '{ for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }'; }

rm -f /tmp/ready /tmp/go
pmdstat-blame -t 3 -d "${BLAME_SECS:-4}" -r /tmp/ready -g /tmp/go > /tmp/blame.out 2>&1 &
bpid=$!
for i in $(seq 300); do [ -s /tmp/ready ] && break; sleep 0.1; done
check "blame workload is ready" test -s /tmp/ready
wpid=$(sed -n 's/^writer_pid=//p' /tmp/ready)
check_gt "the writer's pid" "${wpid:-0}" 0

tracer_stop
echo 'p:pmdt/bw down_write ip=$stack0:x64' >> $T/kprobe_events
echo 'p:pmdt/bt down_write_trylock ip=$stack0:x64' >> $T/kprobe_events
for e in bw bt; do
	echo "hist:keys=ip.sym if common_pid == $wpid" > $T/events/pmdt/$e/trigger
done
echo 1 > $T/events/pmdt/enable
echo reset > $D/control
touch /tmp/go
wait $bpid
brc=$?
echo 0 > $T/events/pmdt/enable
snap /tmp/b.stats
check_eq "blame workload exit status" "$brc" 0
diag "$(cat /tmp/blame.out)"
# the writer's functions: "{ ip: [ffffffff8133c0f5] hugetlbfs_fallocate }"
cat $T/events/pmdt/bw/hist $T/events/pmdt/bt/hist | sed -n 's/^{ ip: *\[[0-9a-f]*\] *\([A-Za-z0-9_.]*\).*/\1/p' | sort -u > /tmp/wfuncs
diag "the writer took locks for write from: $(tr '\n' ' ' < /tmp/wfuncs)"
check_gt "the tracer saw the writer's write requests" "$(grep -c . /tmp/wfuncs)" 0
for e in bw bt; do
	echo "!hist:keys=ip.sym if common_pid == $wpid" > $T/events/pmdt/$e/trigger
done
tracer_stop
check_eq "the tracer is gone" "$(grep -c . $T/kprobe_events)" 0

check_eq "blame is on by default" "$(sed -n 's/^locks .* blame=\([0-9]*\).*/\1/p' /tmp/b.stats)" 1
blame_rows /tmp/b.stats | cut -c1-300 | sed 's/^/# /'
grep -E '^(locks|lock) ' /tmp/b.stats | cut -c1-400 | sed 's/^/# /'
# readers' waits: total, and on the writer's functions
read -r tot mine <<EOF
$(blame_rows /tmp/b.stats | awk -v wf="$(tr '\n' ' ' < /tmp/wfuncs)" 'BEGIN { n = split(wf, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 }
	{ delete f; for (i = 2; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	  if (f["waiter_mode"] != "read") next
	  tot += f["wait_total_ns"]; if (f["blocker"] in w) mine += f["wait_total_ns"] }
	END { printf "%d %d\n", tot, mine }')
EOF
check_gt "the readers waited" "$tot" 0
diag "readers' contended wait: $tot ns, $mine ns of it behind the writer's functions ($(awk -v m="$mine" -v t="$tot" 'BEGIN { if (t) printf "%.1f", m * 100 / t; else print 0 }')%)"
check "at least 90% of the readers' wait time is blamed on the writer ($mine of $tot ns)" [ $((mine * 10)) -ge $((tot * 9)) ]
top=$(blame_rows /tmp/b.stats | awk '{ for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == "wait_total_ns") t = a[2]; if (a[1] == "waiter_mode") m = a[2] }
	if (m == "read" && t + 0 > best) { best = t + 0; line = $0 } } END { print line }')
check_eq "the readers' top row names the writer's pid" "$(echo "$top" | kvcol max_pid)" "$wpid"
check_eq "the readers' top row names the writer's comm" "$(echo "$top" | kvcol max_comm)" "blame-writer"
# the writer's own waits (behind the readers): how much is known
wsum=$(blame_rows /tmp/b.stats | awk -v wf="$(tr '\n' ' ' < /tmp/wfuncs)" 'BEGIN { n = split(wf, a, " "); for (i = 1; i <= n; i++) w[a[i]] = 1 }
	{ delete f; for (i = 2; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	  if (f["waiter_mode"] != "write" || !(f["waiter"] in w)) next
	  tot += f["wait_total_ns"]; if (f["blocker"] == "unknown") unk += f["wait_total_ns"] }
	END { printf "%d %d", tot, unk }')
diag "the writer's own contended wait: ${wsum% *} ns, ${wsum#* } ns of it behind an unknown blocker"
check "the writer's own wait behind the readers: at most 10% unknown (${wsum#* } of ${wsum% *} ns)" \
	[ $((${wsum#* } * 10)) -le "${wsum% *}" ]
check "the readers' rows blamed on the writer name its pid" sh -c "! grep ' waiter_mode=read .* max_comm=blame-writer' /tmp/b.stats | grep -qv ' max_pid=$wpid '"
# each contended acquisition is in exactly one row, or counted as without
# one (waits that gave up after being counted, on PREEMPT_RT, are at most
# the failed ones)
lockf() { awk -v k="kind=$1" -v f="$2" '$1 == "lock" && $2 == k { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) s += a[2] } } END { print s + 0 }' "$3"; }
rows=$(blame_rows /tmp/b.stats | kvcol waits | awk '{ s += $1 } END { print s + 0 }')
cont=$(( $(lockf i_mmap contended /tmp/b.stats) + $(lockf vma_lock contended /tmp/b.stats) ))
failed=$(( $(lockf i_mmap failed /tmp/b.stats) + $(lockf vma_lock failed /tmp/b.stats) ))
none=$(( $(sed -n 's/^locks .* blame_full=\([0-9]*\).*/\1/p' /tmp/b.stats) + $(sed -n 's/^locks .* blame_off=\([0-9]*\).*/\1/p' /tmp/b.stats) ))
check "contended acquisitions ($cont) = waits in blocked_by rows ($rows) + waits without a row ($none), within the failed ones ($failed)" \
	[ $((rows + none)) -ge "$cont" -a $((rows + none)) -le $((cont + failed)) ]

# ---- the writer untracked: nothing may be blamed on it -----------------------
rm -f /tmp/ready /tmp/go
pmdstat-blame -t 3 -d 3 -r /tmp/ready -g /tmp/go > /tmp/blame.out 2>&1 &
bpid=$!
for i in $(seq 300); do [ -s /tmp/ready ] && break; sleep 0.1; done
rpid=$(sed -n 's/^reader_pid=//p' /tmp/ready)
echo "filter_tgid=$rpid" > $D/control
echo reset > $D/control
touch /tmp/go
wait $bpid
check_eq "filtered run: exit status" "$?" 0
snap /tmp/bf.stats
echo filter=none > $D/control
blame_rows /tmp/bf.stats | cut -c1-300 | sed 's/^/# /'
check_gt "filtered run: the one tracked reader waited" "$(blame_rows /tmp/bf.stats | kvcol waits | awk '{ s += $1 } END { print s + 0 }')" 0
check_eq "filtered run: every wait of the tracked reader is blamed on unknown (its writer is not tracked)" \
	"$(blame_rows /tmp/bf.stats | grep -vc ' blocker=unknown ')" 0

# ---- readers only: no writer to blame --------------------------------------
rm -f /tmp/ready /tmp/go
pmdstat-blame -W -t 6 -d 4 -r /tmp/ready -g /tmp/go > /tmp/blame.out 2>&1 &
bpid=$!
for i in $(seq 300); do [ -s /tmp/ready ] && break; sleep 0.1; done
echo reset > $D/control
touch /tmp/go
# before the readers exit: their unmaps at exit take i_mmap_rwsem for write
sleep 2
snap /tmp/bw.stats
wait $bpid
check_eq "reader-only workload exit status" "$?" 0
reads=$(awk '$1 == "lock" && $2 == "kind=i_mmap" && $3 == "mode=read" { for (i = 4; i <= NF; i++) { split($i, a, "="); if (a[1] == "acquired") print a[2] } }' /tmp/bw.stats)
check_gt "readers only: the readers' faults took i_mmap_rwsem for read" "${reads:-0}" 5
check_eq "readers only: no wait is blamed on a writer" \
	"$(blame_rows /tmp/bw.stats | grep -c ' blocker_mode=write ')" 0

# ---- the knob ----------------------------------------------------------------
echo blame=0 > $D/control
check_eq "blame=0 turns it off" "$(sed -n 's/^locks .* blame=\([0-9]*\).*/\1/p' $D/stats)" 0
echo reset > $D/control
pmdstat-blame -t 3 -d 2 > /dev/null 2>&1
check_gt "blame off: waits are still counted" "$(awk '$1 == "lock" && $2 == "kind=i_mmap" { for (i = 4; i <= NF; i++) { split($i, a, "="); if (a[1] == "contended") s += a[2] } } END { print s + 0 }' $D/stats)" 0
check_eq "blame off: no blocked_by row" "$(blame_rows $D/stats | grep -c .)" 0
for bad in blame=2 blame=x blame=; do
	echo "$bad" > $D/control 2>/dev/null
	check_eq "control '$bad' refused" "$?" 1
done
echo blame=1 > $D/control
check_eq "blame=1 turns it on" "$(sed -n 's/^locks .* blame=\([0-9]*\).*/\1/p' $D/stats)" 1

# ---- live: a waiter names what it waits behind ---------------------------------
pmdstat-blame -t 3 -d 5 > /dev/null 2>&1 &
bpid=$!
live_seen $bpid 0.02 '^live state=wait .* contended=1 blocker=[^ ]* blocker_mode=write blocker_state=\(hold\|wait\) blocker_pid=[0-9]* blocker_comm=blame-writer'
seen=$LIVE_SEEN
wait $bpid
check_gt "live showed a waiter blocked by the writer" "$seen" 0
