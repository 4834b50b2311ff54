# test_70_races.sh - the race and lock-rule detector on real kernels.
# With test-only fault injection (a delay at the start of every share),
# faulting sharers against concurrent unsharers of the same file and PUD
# must produce overlap events; the same sharers without unsharers, none.
# No workload of this suite may produce a lock-rule or count violation.
vtotal() { awk '$1 == "violations" { for (i = 2; i <= NF; i++) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$1"; }
racev() { awk -v k="$2" '$1 == "races" { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"; }
rmmod pmdstat
if insmod /lib/pmdstat.ko inject_share_delay_us=99999 2>/dev/null; then
	not_ok "inject_share_delay_us out of range rejected"; rmmod pmdstat
else
	ok "inject_share_delay_us out of range rejected"
fi
check "fault injection loads" insmod /lib/pmdstat.ko inject_share_delay_us=200
check "fault injection is logged" sh -c "dmesg | grep -q 'FAULT INJECTION ON'"
for run in 1 2 3; do
	echo reset > $D/control
	pmdstat-contend -f 3 -d 2 > /tmp/race.out 2>&1
	snap /tmp/race$run.stats
	check_gt "run $run with injection: overlaps of share and unshare detected" "$(racev /tmp/race$run.stats overlaps)" 0
	check_eq "run $run: injection shown in the report" "$(racev /tmp/race$run.stats inject_delay_us)" 200
	check_eq "run $run: no lock-rule or count violation" "$(vtotal /tmp/race$run.stats)" 0
done
grep '^overlap ' /tmp/race1.stats | head -n 2 | sed 's/^/# /'
echo reset > $D/control
pmdstat-contend -U -f 3 -d 2 > /tmp/race.out 2>&1
snap /tmp/race0.stats
check_gt "without unsharers: sharing happened" "$(total_val /tmp/race0.stats share_calls)" 0
check_eq "without unsharers: no overlap" "$(racev /tmp/race0.stats overlaps)" 0
check_eq "without unsharers: no violation" "$(vtotal /tmp/race0.stats)" 0
rmmod pmdstat
insmod /lib/pmdstat.ko
# race-free, lock-correct workloads of the whole suite: zero violations
echo reset > $D/control
pmdstat-workload -q -n 4 -r 2 -t all > /dev/null 2>&1
pmdstat-workload -q -n 3 -t softoffline > /dev/null 2>&1
pmdstat-scan -v 64 > /dev/null
pmdstat-contend -f 3 -d 2 > /dev/null 2>&1
snap /tmp/racefree.stats
check_gt "race-free workloads unshared tables" "$(total_val /tmp/racefree.stats unshared)" 0
check_eq "race-free workloads: zero violations" "$(vtotal /tmp/racefree.stats)" 0
check_eq "the lock rules were checked at every unshare that returned 1" \
	"$(racev /tmp/racefree.stats checked_unshares)" "$(total_val /tmp/racefree.stats unshared)"
diag "$(grep -E '^(races|violations) ' /tmp/racefree.stats | tr '\n' ' ')"
grep '^violation ' /tmp/racefree.stats | head -n 3 | cut -c1-300 | sed 's/^/# /'

# VMA splits (mprotect and partial munmap of a shared PMD table): a split
# unshares in hugetlb_split() without the hugetlb vma lock, by design; the
# vma-lock rule exempts those unshares and counts them (split_exempt).  It
# must hold i_mmap_rwsem for write (hugetlb_split() asserts it, under
# lockdep only).  Whether it does is read independently, by a kprobe on
# hugetlb_split() that fetches the rwsem's lock word (the layout line's
# offsets); pmdstat must report unshare_without_i_mmap_write exactly when
# that tracer saw a call without the write lock.  (Debian's 6.1.192 calls
# hugetlb_split() in __vma_adjust() before i_mmap_lock_write(): there both
# see it, and the debug kernel's lockdep warns in hugetlb_split().)
vkind() { awk -v k="$2" '$1 == "violations" { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"; }
eval "$(sed -n 's/^layout //p' $D/stats | tr ' ' '\n' | sed 's/^/L_/')"
rt=0; grep -q '^state .* contention=tracepoint' $D/stats && rt=1
have_split=0; grep -q ' hugetlb_split$' /proc/kallsyms && have_split=1
tracer_stop
if [ $have_split = 1 ]; then
	echo "p:pmdt/hs hugetlb_split word=+$L_i_mmap_rwsem(+$L_f_mapping(+$L_vm_file(%di))):u32" >> $T/kprobe_events
	echo 'hist:keys=word' > $T/events/pmdt/hs/trigger
	echo 1 > $T/events/pmdt/enable
fi
echo reset > $D/control
out=$(pmdstat-churn -q -m split -r 10 2>&1)
snap /tmp/split.stats
check "VMA-split churn ran without error ($out)" sh -c "echo '$out' | grep -q 'split=10 .*errors=0'"
check_eq "VMA splits: no unshare_without_vma_lock_write (the split is exempt)" \
	"$(vkind /tmp/split.stats unshare_without_vma_lock_write)" 0
others=$(( $(vtotal /tmp/split.stats) - $(vkind /tmp/split.stats unshare_without_vma_lock_write) - $(vkind /tmp/split.stats unshare_without_i_mmap_write) ))
check_eq "VMA splits: no count or share violation" "$others" 0
vim=$(vkind /tmp/split.stats unshare_without_i_mmap_write)
if [ $have_split = 1 ]; then
	tracer_pause
	# write-locked: RWSEM_WRITER_LOCKED (bit 0); PREEMPT_RT: readers == WRITER_BIAS
	nolock=$(awk -v rt=$rt '$1 == "{" && $2 == "word:" { w = $3 + 0; c = $NF + 0; n += c
		if (!(rt ? w == 1073741824 : w % 2 == 1)) bad += c } END { print bad + 0, n + 0 }' $T/events/pmdt/hs/hist)
	tracer_stop
	calls=${nolock#* } nolock=${nolock% *}
	diag "hugetlb_split calls $calls, $nolock of them without i_mmap_rwsem write-held (kprobe on its lock word)"
	check_gt "the tracer saw hugetlb_split called" "$calls" 0
	check_gt "VMA splits unshared shared tables" "$(total_val /tmp/split.stats unshared)" 0
	check_gt "VMA-split unshares exempt from the vma-lock rule, counted" "$(racev /tmp/split.stats split_exempt)" 0
	if [ "$nolock" -eq 0 ]; then
		check_eq "VMA splits: no unshare_without_i_mmap_write, and the tracer saw none" "$vim" 0
	else
		check_gt "VMA splits: unshare_without_i_mmap_write reported, as the tracer saw $nolock splits without the lock" "$vim" 0
		check_le "VMA splits: no more reports than split unshares" "$vim" "$(total_val /tmp/split.stats unshared)"
		diag "KERNEL DEFECT on $(uname -r): hugetlb_split() runs without i_mmap_rwsem held for write"
	fi
else
	check_eq "VMA splits: no unshare_without_i_mmap_write (no hugetlb_split here)" "$vim" 0
	diag "no hugetlb_split in kallsyms: split_exempt=$(racev /tmp/split.stats split_exempt)"
fi
diag "$(grep -E '^(races|violations) ' /tmp/split.stats | tr '\n' ' ')"
