# lock-cost.sh - in the VM (busybox sh): what lock timing costs.
#  - an untracked rwsem (mincore: down_read + up_read of mmap_lock), which
#    every rwsem user in the system pays while pmdstat is loaded;
#  - a tracked acquisition (fault + MADV_DONTNEED on a hugetlb mapping).
# Each is measured unloaded, with the module, and under pmdstat-bpf (which
# probes down_read/down_write/up_read/up_write too, with fentry/fexit, and
# with -k kprobes), alternating, REPS times in one boot.
N=${BENCH_ITERS:-20000}
NT=${BENCH_TRACKED_ITERS:-300}
REPS=${BENCH_REPS:-3}
D=/sys/kernel/debug/pmdstat
run() { pmdstat-bench -m "$1" -n "$2" | sed -n 's/.*ns_per_iteration=//p'; }
lockval() { awk -v k="kind=$1" -v f="$2" '$1 == "lock" && $2 == k { for (i = 3; i <= NF; i++) {
	split($i, a, "="); if (a[1] == f) s += a[2] } } END { print s + 0 }' $D/stats; }
rmmod pmdstat 2>/dev/null
run untracked "$N" > /dev/null; run tracked "$NT" > /dev/null
bpfrun() { pmdstat-bpf $3 -o /tmp/lockb.stats -- pmdstat-bench -m "$1" -n "$2" | sed -n 's/.*ns_per_iteration=//p'; }
ub=0 ul=0 tb=0 tl=0 acq=0 up=0 tp=0 uk=0
for r in $(seq "$REPS"); do
	b=$(run untracked "$N"); b2=$(run tracked "$NT")
	insmod /lib/pmdstat.ko
	l=$(run untracked "$N")
	echo reset > $D/control
	l2=$(run tracked "$NT")
	a=$(( $(lockval i_mmap acquired) + $(lockval vma_lock acquired) ))
	rmmod pmdstat
	p=$(bpfrun untracked "$N"); p2=$(bpfrun tracked "$NT"); k=$(bpfrun untracked "$N" -k)
	echo "rep $r: untracked ns/iteration unloaded=$b loaded=$l pmdstat-bpf=$p pmdstat-bpf-k=$k; tracked ns/iteration unloaded=$b2 loaded=$l2 pmdstat-bpf=$p2, tracked acquisitions/iteration=$((a / NT))"
	ub=$((ub + b)) ul=$((ul + l)) tb=$((tb + b2)) tl=$((tl + l2)) acq=$((acq + a)) up=$((up + p)) tp=$((tp + p2)) uk=$((uk + k))
done
api=$((acq / (NT * REPS)))
echo "untracked rwsem (one down_read + up_read): +$(( (ul - ub) / REPS )) ns per acquire/release pair with pmdstat loaded, +$(( (up - ub) / REPS )) ns under pmdstat-bpf (fentry/fexit), +$(( (uk - ub) / REPS )) ns under pmdstat-bpf -k (kprobes)"
echo "tracked: +$(( (tl - tb) / REPS / (api > 0 ? api : 1) )) ns per tracked acquisition with pmdstat loaded, +$(( (tp - tb) / REPS / (api > 0 ? api : 1) )) ns under pmdstat-bpf ($api per iteration; includes one unshare probe hit per iteration)"
insmod /lib/pmdstat.ko
