# shellcheck shell=sh
# lib.sh - helpers for the VM tests (busybox sh, inside the guest).
# TAP output: each check prints "ok N - ..." or "not ok N - ..."; run-all.sh
# counts them.  Values compared are read from pmdstat's debugfs file and
# from an independent tracer (kprobe_events with hist triggers).

D=/sys/kernel/debug/pmdstat
T=/sys/kernel/tracing
TAP_N=${TAP_N:-0}
TAP_FAIL=${TAP_FAIL:-0}

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
diag() { echo "# $*"; }

# check_eq DESC GOT WANT
check_eq() {
	if [ "$2" = "$3" ] && [ -n "$2" ]; then ok "$1 ($2)"; else not_ok "$1: got '$2', want '$3'"; fi
}
# check_gt DESC GOT MIN: GOT > MIN
check_gt() {
	if [ -n "$2" ] && [ "$2" -gt "$3" ] 2>/dev/null; then ok "$1 ($2 > $3)"; else not_ok "$1: got '$2', want > $3"; fi
}
check_le() {
	if [ -n "$2" ] && [ "$2" -le "$3" ] 2>/dev/null; then ok "$1 ($2 <= $3)"; else not_ok "$1: got '$2', want <= $3"; fi
}
# check DESC COMMAND...: the command succeeds
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

snap() { cat $D/stats > "$1"; }

# probe_val FILE SYMBOL KEY: KEY of the probe line of SYMBOL
probe_val() {
	awk -v s="symbol=$2" -v k="$3" '$1 == "probe" && $2 == s {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
}
# total_val FILE KEY: KEY of the Totals line
total_val() {
	awk -v k="$2" '$1 == "Totals:" { for (i = 2; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
}
# hist_val FILE NAME KEY: count/sum/max of histogram NAME
hist_val() {
	awk -v n="name=$2" -v k="$3" '$1 == "hist" && $2 == n { for (i = 3; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) print a[2] } }' "$1"
}
# sites FILE: the probed share/unshare symbols, one per line
sites() { awk '$1 == "probe" && ($3 == "role=share" || $3 == "role=unshare") { sub("symbol=", "", $2); print $2 }' "$1"; }
# role_of FILE SYMBOL
role_of() { probe_val "$1" "$2" role; }
# sum_probes FILE ROLE KEY: KEY summed over the probes of ROLE
sum_probes() {
	awk -v r="role=$2" -v k="$3" '$1 == "probe" && $3 == r { for (i = 4; i <= NF; i++) {
		split($i, a, "="); if (a[1] == k) s += a[2] } } END { print s + 0 }' "$1"
}

# ---- the independent tracer: kprobe_events + hist triggers --------------

# tracer_start SYMBOL...: an entry and a return probe on each symbol, each
# with a hist trigger.  Event i is pmdt/e<i> and pmdt/r<i>.
tracer_start() {
	tracer_stop
	echo 0 > $T/tracing_on
	i=0
	for s in "$@"; do
		echo "p:pmdt/e$i $s" >> $T/kprobe_events || { cat $T/error_log; return 1; }
		echo "r:pmdt/r$i $s ret=\$retval:s32" >> $T/kprobe_events || { cat $T/error_log; return 1; }
		echo 'hist:keys=common_pid' > $T/events/pmdt/e$i/trigger || return 1
		echo 'hist:keys=ret' > $T/events/pmdt/r$i/trigger || return 1
		i=$((i + 1))
	done
	echo 1 > $T/events/pmdt/enable
	echo 1 > $T/tracing_on
}

tracer_pause() { echo 0 > $T/events/pmdt/enable 2>/dev/null; }

tracer_stop() {
	[ -d $T/events/pmdt ] || return 0
	echo 0 > $T/events/pmdt/enable
	for e in $T/events/pmdt/*/trigger; do
		[ -f "$e" ] || continue
		t=$(grep -v '^#' "$e" | head -n 1 | sed 's/ .*//')
		[ -n "$t" ] && echo "!$t" > "$e"
	done
	echo > $T/kprobe_events
}

# tracer_hits I: Totals Hits of the entry probe of symbol I
tracer_hits() { sed -n 's/^ *Hits: *\([0-9]*\).*/\1/p' $T/events/pmdt/e$1/hist; }
# tracer_ret I VALUE: how many returns of symbol I returned VALUE
tracer_ret() {
	awk -v v="$2" '$0 ~ /^[{] ret:/ { gsub(/[{}]/, ""); if ($2 == v) print $4 }' $T/events/pmdt/r$1/hist |
		awk '{ s += $1 } END { print s + 0 }'
}
# tracer_missed I: nmissed of both probes of symbol I (kprobe_profile)
tracer_missed() {
	awk -v e="e$1" -v r="r$1" '$1 == e || $1 == r { s += $3 } END { print s + 0 }' $T/kprobe_profile
}

# live_seen PID SECS PATTERN: LIVE_SEEN is how many reads of $D/live, one
# every SECS while PID runs, had a line matching PATTERN (grep BRE).  It
# runs in the test's own shell, not in $(...): a subshell does not reap the
# test's child, and kill -0 succeeds on a zombie.
live_seen() {
	LIVE_SEEN=0
	while kill -0 "$1" 2>/dev/null; do
		grep -q "$3" $D/live && LIVE_SEEN=$((LIVE_SEEN + 1))
		sleep "$2"
	done
}

# wait_gone NAME: until no process NAME is left (children dying by PDEATHSIG)
wait_gone() {
	for i in $(seq 100); do pidof "$1" > /dev/null || return 0; sleep 0.1; done
	return 1
}

# splats [FILE]: the kernel's reports (WARN, BUG, oops, KASAN, KFENCE,
# lockdep, kmemleak, RCU, sleeping in atomic, hung tasks) in FILE (default:
# dmesg), one line each: "pmdstat <header>" when its text or stack names
# the module ([pmdstat] frames, pmdstat_ functions), else "kernel <header>".
# Timestamps are cut so that the same report in two dumps compares equal.
splats() {
	{ if [ -n "${1:-}" ]; then cat "$1"; else dmesg; fi; } | sed 's/^\[ *[0-9.]*\] //' | awk '
	function flush() { if (h != "") print (pm ? "pmdstat " : "kernel ") h; h = ""; pm = 0 }
	/^(WARNING:|BUG:|Oops|general protection|kernel BUG|KASAN|UBSAN|KFENCE|unreferenced object|INFO: task .* blocked|INFO: rcu|list_del corruption|refcount_t:|Unable to handle)/ {
		flush(); h = $0; n = 0; next }
	h != "" { n++; if ($0 ~ /\[pmdstat\]|pmdstat_/) pm = 1; if ($0 ~ /end trace/ || n > 80) flush() }
	END { flush() }'
}

dmesg_bad() { dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace|kernel BUG|refcount_t|list_del corruption|UBSAN|KASAN' ; }
