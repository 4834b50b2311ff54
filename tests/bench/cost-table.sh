# cost-table.sh - in the VM (busybox sh, booted with --no-load): what each
# tracer costs three workloads, as wall time relative to the same workload
# with nothing loaded, in this one boot.  The workloads are pmdstat-cost's:
#   contend  200 idle mappers of one hugetlb file + 4 processes looping
#            mmap/fault/munmap of it (share, then unshare, each iteration)
#   scan     200 VMAs of one hugetlb file that cannot share; 16 faults per
#            round, each scanning all of them in huge_pmd_share
#   anon     2 processes faulting 64 MiB of anonymous 4 KiB pages (nothing
#            hugetlb: what the probes cost where nothing is tracked)
# and the columns:
#   none       nothing loaded
#   pmdstat    /lib/pmdstat.ko with its default settings
#   noblame    the same with blame=0 (no blocked_by lines): what blame costs
#   floor      ./pmdstat_floor.ko: the same probe set with empty handlers
#   klockstat  Debian's klockstat (./klockstat/, tests/bench/fetch-klockstat)
#   bpf        pmdstat-bpf -o FILE -- WORKLOAD
# Each tracer is loaded (or started, and attached) before one workload run
# and unloaded (stopped) after it, so every run starts from a fresh tracer
# and attach/detach time is not in the wall time (the workload times
# itself).  ROUNDS rounds (COST_ROUNDS, default 5; COST_WORKLOADS and
# COST_COLS pick subsets of the above); in round r every
# workload runs once per column, the columns in an order rotated by r.  It
# prints each column's runs, their median, and the median divided by the
# median of "none".  A column that cannot run on this kernel says "n/a"
# and why.  Numbers only: nothing is asserted.
ROUNDS=${COST_ROUNDS:-5}
WORKLOADS=${COST_WORKLOADS:-contend scan anon}
COLS=${COST_COLS:-none pmdstat noblame floor klockstat bpf}
D=/tmp/cost
rm -rf $D
mkdir -p $D

# unload MOD: rmmod, retrying while something still holds it
unload() {
	i=0
	while grep -q "^$1 " /proc/modules; do
		rmmod "$1" 2>/dev/null && break
		i=$((i + 1))
		[ $i -ge 20 ] && { echo "cost-table: cannot rmmod $1" >&2; return 1; }
		sleep 1
	done
	return 0
}

# klockstat_start: start klockstat in the background and wait until it has
# attached; sets KPID.  Its "Tracing ..." line sits in stdio's buffer until
# it exits, so "attached" is read from /proc: once every program is attached
# it sleeps in clock_nanosleep (syscall 230) until SIGINT.  Fails with its
# output in $D/klockstat.out if it exits or does not attach within 120 s.
klockstat_start() {
	./klockstat/klockstat > $D/klockstat.out 2>&1 &
	KPID=$!
	i=0
	while [ "$(cut -d' ' -f1 /proc/$KPID/syscall 2>/dev/null)" != 230 ]; do
		kill -0 $KPID 2>/dev/null || { wait $KPID; return 1; }
		i=$((i + 1))
		[ $i -ge 240 ] && { kill -INT $KPID; wait $KPID; return 1; }
		sleep 0.5
	done
	return 0
}

klockstat_stop() {
	kill -INT $KPID 2>/dev/null
	wait $KPID
}

# why_na COL: empty if COL can run here, else the reason
why_na() {
	case $1 in
	none) ;;
	pmdstat|noblame)
		if insmod /lib/pmdstat.ko 2>$D/err; then unload pmdstat
		else echo "insmod failed: $(head -n 1 $D/err) $(dmesg | grep pmdstat | tail -n 1)"; fi ;;
	floor)
		if [ ! -f ./pmdstat_floor.ko ]; then echo "pmdstat_floor.ko not built"
		elif insmod ./pmdstat_floor.ko 2>$D/err; then unload pmdstat_floor
		else echo "insmod failed: $(head -n 1 $D/err) $(dmesg | grep pmdstat | tail -n 1)"; fi ;;
	klockstat)
		if [ ! -x ./klockstat/klockstat ]; then echo "klockstat not fetched (tests/bench/fetch-klockstat)"
		elif klockstat_start; then klockstat_stop >/dev/null
		else echo "klockstat failed: $(grep -v '^$' $D/klockstat.out | tail -n 2 | tr '\n' ' ')"; fi ;;
	bpf)
		if ! pmdstat-bpf -o $D/bpf.stats -- true >$D/err 2>&1; then
			echo "pmdstat-bpf failed: $(tail -n 1 $D/err)"
		fi ;;
	esac
}

# run COL WORKLOAD: one timed run; prints wall_ns or nothing
run() {
	c=$1 w=$2
	case $c in
	none) pmdstat-cost -m "$w" ;;
	pmdstat) insmod /lib/pmdstat.ko && { pmdstat-cost -m "$w"; unload pmdstat; } ;;
	noblame) insmod /lib/pmdstat.ko && {
		echo blame=0 > /sys/kernel/debug/pmdstat/control && pmdstat-cost -m "$w"
		unload pmdstat; } ;;
	floor) insmod ./pmdstat_floor.ko && { pmdstat-cost -m "$w"; unload pmdstat_floor; } ;;
	klockstat) klockstat_start && { pmdstat-cost -m "$w"; klockstat_stop >/dev/null; } ;;
	bpf) pmdstat-bpf -o $D/bpf.stats -- pmdstat-cost -m "$w" ;;
	esac 2>>$D/errors | sed -n 's/^result .*wall_ns=\([0-9]*\).*/\1/p'
}

# median FILE: the median of FILE's "ROUND VALUE" lines (lower middle if even)
median() {
	awk '{ print $2 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# paired COL WORKLOAD: the median over rounds of (the run of COL / the run
# of none in the same round), or nothing
paired() {
	[ -f $D/$2.$1 ] && [ -f $D/$2.none ] || return 0
	awk 'NR == FNR { b[$1] = $2; next } ($1 in b) && b[$1] > 0 { print $1, $2 / b[$1] }' \
		$D/$2.none $D/$2.$1 > $D/ratio
	median $D/ratio
}

# which columns run here
echo "cost table: kernel $(uname -r), $ROUNDS rounds, $(nproc) CPUs"
for c in $COLS; do
	r=$(why_na $c)
	if [ -n "$r" ]; then
		echo "$r" > $D/na.$c
		echo "column $c: n/a: $r"
	fi
done
[ -f ./klockstat/version ] && echo "klockstat: $(grep libbpf-tools ./klockstat/version)"

# warm up: page cache, hugepage pool, the binaries
for w in $WORKLOADS; do pmdstat-cost -m "$w" >/dev/null; done

n=0
for c in $COLS; do n=$((n + 1)); done
for r in $(seq "$ROUNDS"); do
	# rotate the column order by the round
	order="" k=0
	for i in $(seq 0 $((n - 1))); do
		j=$(( (i + r - 1) % n ))
		k=0
		for c in $COLS; do
			[ $k -eq $j ] && order="$order $c"
			k=$((k + 1))
		done
	done
	for w in $WORKLOADS; do
		for c in $order; do
			[ -f $D/na.$c ] && continue
			v=$(run $c $w)
			if [ -n "$v" ]; then echo "$r $v" >> $D/$w.$c
			else echo "cost-table: round $r $w $c: no result (see below)" >&2; fi
		done
	done
	echo "round $r done ($order)"
done

# the table
label() {
	case $1 in
	contend) echo "contend: 200 idle mappers + 4 procs x 4000 mmap/fault/munmap, one hugetlb file" ;;
	scan) echo "scan: 200 VMAs that cannot share, 16 faults x 800 rounds, each scanning them" ;;
	anon) echo "anon: 2 procs x 4 rounds x 64 MiB of 4 KiB anonymous faults (nothing hugetlb)" ;;
	*) echo "$1" ;;
	esac
}
echo
echo "median wall time / median with nothing loaded ($(uname -r), same boot, $ROUNDS rounds)"
# colname COL: a column's title
colname() {
	case $1 in
	noblame) echo "pmdstat, blame=0" ;;
	floor) echo "floor (empty handlers)" ;;
	bpf) echo "pmdstat-bpf" ;;
	*) echo "$1" ;;
	esac
}
head="| workload |"; rule="|---|"
for c in $COLS; do head="$head $(colname $c) |"; rule="$rule---|"; done
echo "$head"
echo "$rule"
for w in $WORKLOADS; do
	base=$(median $D/$w.none 2>/dev/null)
	line="| $(label $w) |"
	for c in $COLS; do
		if [ -f $D/na.$c ]; then line="$line n/a |"; continue; fi
		m=$(median $D/$w.$c 2>/dev/null)
		if [ -z "$m" ] || [ -z "$base" ]; then line="$line fail |"; continue; fi
		line="$line $(awk -v m="$m" -v b="$base" 'BEGIN { printf "%.2fx", m / b }') |"
	done
	echo "$line"
done
echo
echo "the same, as the median over rounds of (run / the none run of the same round):"
echo "less sensitive to a slow stretch of the host that spans a few runs"
echo "$head"
echo "$rule"
for w in $WORKLOADS; do
	line="| $w |"
	for c in $COLS; do
		if [ -f $D/na.$c ]; then line="$line n/a |"; continue; fi
		m=$(paired $c $w)
		if [ -z "$m" ]; then line="$line fail |"; continue; fi
		line="$line $(awk -v m="$m" 'BEGIN { printf "%.2fx", m }') |"
	done
	echo "$line"
done
echo
echo "raw: median wall time in ms (runs in ms, in round order)"
for w in $WORKLOADS; do
	for c in $COLS; do
		if [ -f $D/na.$c ]; then echo "$w $c: n/a: $(cat $D/na.$c)"; continue; fi
		[ -f $D/$w.$c ] || { echo "$w $c: no run succeeded"; continue; }
		echo "$w $c: $(median $D/$w.$c | awk '{ printf "%.1f", $1 / 1e6 }')" \
			"($(awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $2 / 1e6 }' $D/$w.$c))"
	done
done
if [ -s $D/errors ]; then
	echo
	echo "stderr of the runs (last 20 lines):"
	tail -n 20 $D/errors
fi
exit 0
