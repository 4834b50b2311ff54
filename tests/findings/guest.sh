# guest.sh - the kernel defects of docs/kernel-findings.md, reproduced in the
# guest (busybox sh).  Prints evidence lines; asserts nothing.
echo "kernel $(uname -r); pmdstat loaded: $(lsmod | grep -c '^pmdstat')"
D=/sys/kernel/debug/pmdstat
# 1. VMA split of a shared PMD table: hugetlb_split() unshares before
#    __vma_adjust() takes i_mmap_rwsem (6.1.192)
[ -e $D/control ] && echo reset > $D/control
dmesg -c > /dev/null
pmdstat-churn -m split -r 3
if [ -e $D/stats ]; then
	echo "split: pmdstat unshare_without_i_mmap_write=$(sed -n 's/.*unshare_without_i_mmap_write=\([0-9]*\).*/\1/p' $D/stats | head -n 1)"
	pmdstat | grep -A3 'Violations logged' | tail -n 2
fi
echo "split: lockdep/WARN lines in dmesg: $(dmesg | grep -c 'WARNING:.*hugetlb')"
dmesg | grep 'WARNING:.*hugetlb' | sed 's/^\[[ 0-9.]*\] //' | sort | uniq -c
# 2. mremap of a mapping whose PMD table is its own to a 1 GiB-aligned
#    destination: move_hugetlb_page_tables() holds i_mmap_rwsem for write,
#    huge_pte_alloc() -> huge_pmd_share() takes it for read
pmdstat-churn -m mremap -s -A -r 1 > /tmp/mremap.out 2>&1 &
p=$!
sleep 10
if kill -0 $p 2>/dev/null; then
	echo "mremap -A: task $p still in the kernel after 10 s: $(grep State /proc/$p/status)"
	echo "mremap -A: its stack:"; cat /proc/$p/stack
else
	wait $p; echo "mremap -A: finished, status $? ($(cat /tmp/mremap.out))"
fi
