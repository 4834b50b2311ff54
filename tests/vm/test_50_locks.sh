# test_50_locks.sh - lock timing under contention, checked against
# independent tracers in the same run: lock:contention_begin (which misses
# optimistic spinning, so pmdstat must count at least as many contended
# acquisitions on the same lock addresses), and a kprobe on down_write
# keyed by lock address and caller (so the writers pmdstat names must be
# the same functions, with the same counts).
eval "$(sed -n 's/^layout //p' $D/stats | tr ' ' '\n' | sed 's/^/L_/')"
rm -f /tmp/ready /tmp/go
pmdstat-contend -f 3 -d "${CONTEND_SECS:-4}" -r /tmp/ready -g /tmp/go > /tmp/contend.out 2>&1 &
cpid=$!
for i in $(seq 300); do [ -e /tmp/ready ] && break; sleep 0.1; done
check "contention workload is ready" test -e /tmp/ready

tracer_stop
echo "p:pmdt/sh huge_pmd_share mapping=+${L_f_mapping}(+${L_vm_file}(%si)):x64 vlock=+${L_vm_private_data}(%si):x64" >> $T/kprobe_events
echo 'p:pmdt/dw down_write sem=%di:x64 ip=$stack0:x64' >> $T/kprobe_events
echo 'hist:keys=mapping.hex,vlock.hex' > $T/events/pmdt/sh/trigger
echo 'hist:keys=sem.hex,ip.sym' > $T/events/pmdt/dw/trigger
echo 'hist:keys=lock_addr.hex' > $T/events/lock/contention_begin/trigger
echo 1 > $T/events/pmdt/enable
echo 1 > $T/events/lock/contention_begin/enable
echo reset > $D/control
echo threshold_us=1 > $D/control
touch /tmp/go
live_seen $cpid 0.2 '^live state=\(wait\|hold\) lock='
seen_live=$LIVE_SEEN
wait $cpid
crc=$?
echo 0 > $T/events/pmdt/enable
echo 0 > $T/events/lock/contention_begin/enable
snap /tmp/l.stats
cat $D/events > /tmp/l.events
echo threshold_us=0 > $D/control
check_eq "contention workload exit status" "$crc" 0
diag "$(cat /tmp/contend.out)"

# the lock addresses, from the tracer's huge_pmd_share arguments
grep '^{ mapping:' $T/events/pmdt/sh/hist | awk '{ gsub(",", ""); print $3, $5 }' > /tmp/sh.keys
imm=$(awk '{ print $1 }' /tmp/sh.keys | sort -u | while read -r m; do printf '%x\n' $((0x$m + L_i_mmap_rwsem)); done)
vml=$(awk '{ print $2 }' /tmp/sh.keys | sort -u | while read -r v; do printf '%x\n' $((0x$v + L_vma_lock_rw_sema)); done)
check_eq "one file, one i_mmap_rwsem" "$(echo "$imm" | grep -c .)" 1
grep '^{ lock_addr:' $T/events/lock/contention_begin/hist | awk '{ gsub(",", ""); print $3, $NF }' > /tmp/cb
tp_sum() { awk 'NR == FNR { want[$1] = 1; next } ($1 in want) { s += $2 } END { print s + 0 }' "$1" /tmp/cb; }
echo "$imm" > /tmp/imm; echo "$vml" > /tmp/vml
c_i=$(tp_sum /tmp/imm)
c_v=$(tp_sum /tmp/vml)
lockv() { awk -v k="kind=$1" -v f="$2" '$1 == "lock" && $2 == k { for (i = 3; i <= NF; i++) {
	split($i, a, "="); if (a[1] == f) s += a[2] } } END { print s + 0 }' /tmp/l.stats; }
p_i=$(lockv i_mmap contended)
p_v=$(lockv vma_lock contended)
diag "contended acquisitions: i_mmap pmdstat=$p_i contention_begin=$c_i; vma locks pmdstat=$p_v contention_begin=$c_v"
check_gt "i_mmap_rwsem was contended" "$p_i" 0
if [ "$p_i" -ge "$c_i" ]; then ok "pmdstat sees at least the i_mmap contention that lock:contention_begin sees ($p_i >= $c_i)"
else not_ok "pmdstat i_mmap contended $p_i < contention_begin $c_i"; fi
if [ "$p_v" -ge "$c_v" ]; then ok "pmdstat sees at least the vma-lock contention that lock:contention_begin sees ($p_v >= $c_v)"
else not_ok "pmdstat vma-lock contended $p_v < contention_begin $c_v"; fi
# PREEMPT_RT: pmdstat sees contention at these very tracepoints.  Each
# contended acquisition fires contention_begin on the rwsem (a reader, or
# a writer waiting for readers to leave) or on its rtmutex (a writer behind
# a writer), at most once each: so no more than those events.
if grep -q '^state .* contention=tracepoint' /tmp/l.stats; then
	rtm_off=$(sed -n 's/^layout .*rt_rtmutex=\([0-9]*\).*/\1/p' $D/stats)
	check_gt "RT: the layout line gives the rtmutex offset" "${rtm_off:-0}" 0
	for k in imm vml; do
		while read -r a; do printf '%x\n' $((0x$a + rtm_off)); done < /tmp/$k > /tmp/$k.rtm
	done
	r_i=$((c_i + $(tp_sum /tmp/imm.rtm)))
	r_v=$((c_v + $(tp_sum /tmp/vml.rtm)))
	diag "RT: contention_begin on the rwsems and their rtmutexes: i_mmap $r_i, vma locks $r_v"
	check_le "RT: i_mmap contended acquisitions at most the events on the rwsem and its rtmutex" "$p_i" "$r_i"
	check_le "RT: vma-lock contended acquisitions at most the events on the rwsems and their rtmutexes" "$p_v" "$r_v"
fi

callerv() { awk -v f="func=$1" -v l="lock=$2" -v m="mode=$3" -v k="$4" '$1 == "caller" && $2 == f && $3 == l && $4 == m {
	for (i = 5; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' /tmp/l.stats; }
check_gt "share-path reads of i_mmap_rwsem were contended" "$(callerv huge_pmd_share i_mmap read contended)" 0
check_gt "share-path reads of i_mmap_rwsem waited" "$(callerv huge_pmd_share i_mmap read wait_total_ns)" 0

# writers of the file's i_mmap_rwsem, by function: the tracer's counts
grep '^{ sem:' $T/events/pmdt/dw/hist | awk -v a="$imm" '{ gsub(",", ""); if ($3 == a) print $6, $NF }' |
	awk '{ n[$1] += $2 } END { for (f in n) print f, n[f] }' > /tmp/writers
check_gt "the tracer saw several writer functions" "$(grep -c . /tmp/writers)" 2
while read -r f n; do
	check_eq "writer $f: pmdstat's i_mmap write acquisitions equal the tracer's down_write calls" \
		"$(callerv "$f" i_mmap write acquired)" "$n"
done < /tmp/writers

# outliers name their caller; a wait's stack (taken at acquisition) starts
# with that caller's frame (none only on PREEMPT_RT, for a writer whose wait
# is known to have ended only at its release); a hold's stack is the
# releasing path, which leads back to the syscall or fault that did the work
rt=0; grep -q '^state .* contention=tracepoint' /tmp/l.stats && rt=1
nbad=$(awk -v rt=$rt '$1 == "outlier" { f = ""; s = ""; w = ""; for (i = 2; i <= NF; i++) {
	split($i, a, "="); if (a[1] == "func") f = a[2]; if (a[1] == "stack") s = a[2]; if (a[1] == "what") w = a[2] }
	if (f == "" || f == "?") bad++
	else if (w == "wait" && !(s == "none" && rt) && index(s, f "+") != 1) bad++
	else if (w == "hold" && s !~ /(do_syscall_64|entry_SYSCALL_64|exc_page_fault)/) bad++ } END { print bad + 0 }' /tmp/l.stats)
check_eq "every outlier names its caller and carries a stack from it" "$nbad" 0
[ "$nbad" -eq 0 ] || grep '^outlier' /tmp/l.stats | cut -c1-400 | sed 's/^/# /'
check_gt "outliers include share-path or fault-path callers" \
	"$(grep -c '^outlier .* func=\(huge_pmd_share\|hugetlb_fault\|__unmap_hugepage_range_final\|zap_page_range_single\) ' /tmp/l.stats)" 0
check_eq "16 longest waits and 16 longest holds" "$(grep -c '^outlier' /tmp/l.stats)" 32
ev_total=$(sed -n 's/^Totals: events=\([0-9]*\).*/\1/p' /tmp/l.events)
ev_logged=$(sed -n 's/^Totals: .*logged=\([0-9]*\).*/\1/p' /tmp/l.events)
ev_drops=$(sed -n 's/^Totals: .*drops=\([0-9]*\).*/\1/p' /tmp/l.events)
check_eq "event log keeps its bound" "$ev_logged" 256
check_eq "event log counts what it drops" "$ev_drops" $((ev_total - ev_logged))
check_gt "events past the bound were dropped" "$ev_drops" 0
check_eq "event lines in the events file" "$(grep -c '^event ' /tmp/l.events)" "$ev_logged"
check_gt "the live view showed waiters or holders during the run" "$seen_live" 0
tracer_stop
echo '!hist:keys=lock_addr.hex' > $T/events/lock/contention_begin/trigger
