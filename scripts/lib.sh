# shellcheck shell=bash
# Shared helpers for the pmdstat scripts.  Sourced, not run.

PMDSTAT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PMDSTAT_CACHE=${PMDSTAT_CACHE:-$PMDSTAT_TOP/.cache}
PMDSTAT_BUILD=${PMDSTAT_BUILD:-$PMDSTAT_TOP/build}

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*" >&2; }

# ---- private apt configuration ------------------------------------------
# Kernel packages come from Debian's archive through an apt configuration of
# our own under .cache/apt/CODENAME/ (sources, lists, caches), never through
# the host's sources, which may lack the suite (or be another release).  Only
# apt's options change: nothing on the host is written.
PMDSTAT_MIRROR=${PMDSTAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PMDSTAT_SECURITY_MIRROR=${PMDSTAT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# apt_dir SUITE: the private configuration's directory for SUITE's release
apt_dir() { echo "$PMDSTAT_CACHE/apt/${1%%-*}"; }

# apt_opts SUITE: apt-get/apt-cache options selecting that configuration
apt_opts() {
	local d
	d=$(apt_dir "$1")
	echo "-o Dir::Etc::sourcelist=$d/sources.list -o Dir::Etc::sourceparts=$d/sources.list.d" \
		"-o Dir::State::lists=$d/lists/ -o Dir::Cache=$d/cache/ -o Dir::State::status=$d/status" \
		"-o Dir::Etc::preferencesparts=$d/preferences.d -o Dir::Etc::preferences=$d/preferences" \
		"-o APT::Sandbox::User=root -o Acquire::Languages=none -o Debug::NoLocking=1"
	# unstable (only scripts/lint's sparse comes from it): its Release file is
	# valid for a week, and a mirror that lags behind (a snapshot; this test
	# bed's was a month old) would fail every fresh machine; the signature is
	# still checked
	case ${1%%-*} in sid|unstable) echo "-o Acquire::Check-Valid-Until=false" ;; esac
}

# apt_private SUITE COMMAND ARGS...: run apt-get/apt-cache COMMAND with the
# private configuration of SUITE's release (SUITE, -updates, -security, and
# SUITE itself when it is e.g. trixie-backports).  Its package lists are
# refreshed when older than PMDSTAT_APT_MAX_AGE minutes (default 1440);
# `scripts/kernels --refresh` refreshes them now.
apt_private() {
	local suite=$1 cmd=$2 d rel age
	shift 2
	command -v apt-get >/dev/null || die "apt-get not found: fetching Debian kernels needs a Debian host"
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		die "/usr/share/keyrings/debian-archive-keyring.gpg missing: apt-get install debian-archive-keyring"
	d=$(apt_dir "$suite") rel=${suite%%-*}
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d" "$d/preferences.d"
	touch "$d/status" "$d/preferences"
	local k=/usr/share/keyrings/debian-archive-keyring.gpg want
	want=$(
		echo "deb [signed-by=$k] $PMDSTAT_MIRROR $rel main"
		# unstable has no -updates and no -security
		case $rel in sid|unstable) ;; *)
		echo "deb [signed-by=$k] $PMDSTAT_MIRROR $rel-updates main"
		echo "deb [signed-by=$k] $PMDSTAT_SECURITY_MIRROR $rel-security main" ;;
		esac
		[ "$suite" = "$rel" ] || echo "deb [signed-by=$k] $PMDSTAT_MIRROR $suite main"
	)
	if [ ! -f "$d/sources.list" ] || ! grep -qxF "$(echo "$want" | tail -n 1)" "$d/sources.list"; then
		# a suite added to the same release: keep the old lines, add the new
		{ [ -f "$d/sources.list" ] && cat "$d/sources.list"; echo "$want"; } | sort -u > "$d/sources.list.new"
		mv "$d/sources.list.new" "$d/sources.list"
		rm -f "$d/updated"
	fi
	age=${PMDSTAT_APT_MAX_AGE:-1440}
	if [ ! -f "$d/updated" ] ||
	   [ -n "$(find "$d/updated" -mmin +"$age")" ]; then
		# shellcheck disable=SC2046
		if ! apt-get $(apt_opts "$suite") -q update </dev/null >"$d/update.log" 2>&1; then
			cat "$d/update.log" >&2
			die "apt-get update of the private $rel configuration ($d) failed: is $PMDSTAT_MIRROR reachable?"
		fi
		grep -q '^[WE]:' "$d/update.log" && grep '^[WE]:' "$d/update.log" >&2
		touch "$d/updated"
	fi
	# shellcheck disable=SC2046
	"$cmd" $(apt_opts "$suite") "$@" </dev/null
}

# ---- supported kernels ----------------------------------------------------
# scripts/kernels.conf names series ("bookworm 6.12 amd64"); resolve_series
# finds the newest ABI of each that the archive serves now.

# kernels_conf: the lines of kernels.conf without comments and blank lines
kernels_conf() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PMDSTAT_TOP/scripts/kernels.conf"; }

# resolve_series SUITE SERIES FLAVOUR: the newest kernel release (the REL of
# linux-headers-REL) of SERIES (e.g. 6.12) and FLAVOUR (e.g. amd64, rt-amd64)
# that SUITE serves, judged by the headers package's version.  A SERIES that
# is already a release (6.1.0-56-amd64) is printed as it is.
resolve_series() {
	local suite=$1 series=$2 flavour=$3 re best="" bestv="" p v cands
	case $series in *-*) echo "$series"; return 0 ;; esac
	# 6.1 -> 6.1.0-57-amd64; 6.12 -> 6.12.117+deb12-amd64; not 6.12-amd64
	# (a metapackage), not 6.1.0-57-rt-amd64 for amd64.
	re="^linux-headers-${series//./\\.}\\.[0-9]+(-[0-9]+)?(\\+[a-z0-9.~]+)?-$flavour\$"
	cands=$(apt_private "$suite" apt-cache pkgnames linux-headers- | grep -E "$re" || true)
	if [ -n "$cands" ]; then
		# shellcheck disable=SC2086
		while read -r p v; do
			if [ -z "$bestv" ] || dpkg --compare-versions "$v" gt "$bestv"; then best=$p bestv=$v; fi
		done < <(apt_private "$suite" apt-cache show --no-all-versions $cands 2>/dev/null |
			awk '/^Package: / { p = $2 } /^Version: / { print p, $2 }')
	fi
	[ -n "$best" ] || die "no linux-headers package of series $series ($flavour) in $suite (private apt configuration $(apt_dir "$suite"); pattern $re)"
	echo "${best#linux-headers-}"
}

# pmdstat_kernels: the supported kernel releases, in kernels.conf order, each
# resolved to the newest ABI of its series.  Also writes
# .cache/kernels/resolved ("SUITE SERIES FLAVOUR -> REL TESTS" lines), read by
# fetch-kernel to know which suite serves a release.
pmdstat_kernels() {
	local suite series flavour tests rel out="" rels=""
	mkdir -p "$PMDSTAT_CACHE/kernels"
	while read -r suite series flavour tests _; do
		case ${tests:=full} in full|smoke) ;;
		*) die "scripts/kernels.conf: '$suite $series $flavour $tests': TESTS is full or smoke" ;;
		esac
		rel=$(resolve_series "$suite" "$series" "${flavour:-amd64}") || exit 1
		out+="$suite $series ${flavour:-amd64} -> $rel $tests"$'\n'
		rels+="$rel"$'\n'
	done < <(kernels_conf)
	printf '%s' "$out" > "$PMDSTAT_CACHE/kernels/resolved.new"
	mv "$PMDSTAT_CACHE/kernels/resolved.new" "$PMDSTAT_CACHE/kernels/resolved"
	printf '%s' "$rels"
}

# resolve_extra SUITE SERIES FLAVOUR: resolve_series for a series that is not
# in kernels.conf (`scripts/kernels SUITE SERIES [FLAVOUR]`), remembered in
# .cache/kernels/resolved-extra so that suite_of finds the suite of its
# release later (KERNEL=<that release>).
resolve_extra() {
	local rel f=$PMDSTAT_CACHE/kernels/resolved-extra
	rel=$(resolve_series "$1" "$2" "$3") || exit 1
	mkdir -p "$PMDSTAT_CACHE/kernels"
	{
		awk -v s="$1" -v v="$2" -v f="$3" '!($1 == s && $2 == v && $3 == f)' "$f" 2>/dev/null
		echo "$1 $2 $3 -> $rel"
	} > "$f.new"
	mv "$f.new" "$f"
	echo "$rel"
}

# suite_of REL: the suite that serves REL: from the last resolution (of
# kernels.conf, then of series resolved with resolve_extra), else the suite
# it was fetched from, else the first suite of kernels.conf whose archive has
# linux-headers-REL.
suite_of() {
	local s
	s=$(awk -v r="$1" '$5 == r { print $1; exit }' "$PMDSTAT_CACHE/kernels/resolved" \
		"$PMDSTAT_CACHE/kernels/resolved-extra" 2>/dev/null)
	[ -n "$s" ] || s=$(sed -n 's/^release=[^ ]* suite=\([^ ]*\).*/\1/p' "$(kernel_dir "$1")/source" 2>/dev/null)
	if [ -z "$s" ]; then
		for s in $(kernels_conf | awk '{ print $1 }' | awk '!seen[$0]++'); do
			apt_private "$s" apt-cache show --no-all-versions "linux-headers-$1" >/dev/null 2>&1 && break
			s=""
		done
	fi
	[ -n "$s" ] || die "no suite of scripts/kernels.conf serves linux-headers-$1: is '$1' a Debian kernel release that the archive still has?"
	echo "$s"
}

# kernel_vm_tests REL: what `make check` runs on REL in the guest, as words
# for its command line: nothing for the whole suite (kernels.conf's TESTS
# "full", or a release that kernels.conf does not list), else the smoke
# list's VAR=VALUE lines and TESTS='its tests'.
kernel_vm_tests() {
	local t l
	t=$(awk -v r="$1" '$5 == r { print $6; exit }' "$PMDSTAT_CACHE/kernels/resolved" 2>/dev/null)
	[ "$t" = smoke ] || return 0
	l=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PMDSTAT_TOP/tests/vm/smoke.list")
	echo "$(grep = <<<"$l" | paste -sd' ') TESTS='$(grep -v = <<<"$l" | paste -sd' ')'"
}

# Default kernel: $KERNEL, else the first supported kernel.
pmdstat_default_kernel() {
	if [ -n "${KERNEL:-}" ]; then echo "$KERNEL"; else pmdstat_kernels | head -n 1; fi
}

# umount_under DIR: unmount everything mounted at or below DIR (deepest
# first), so that DIR can be removed safely; fails if something stays.
umount_under() {
	local d m
	d=$(realpath -m "$1")
	for m in $(awk -v d="$d" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	! awk -v d="$d" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts ||
		die "cannot unmount everything under $d (see /proc/self/mounts)"
}

# rm_root DIR: remove a Debian root made by scripts/mkroot, never following
# a mount out of it.
rm_root() {
	[ -e "$1" ] || return 0
	umount_under "$1"
	rm -rf --one-file-system "$1"
}

# kernel_origin REL: "bookworm 6.12 amd64, linux-image-REL-unsigned 6.12.117-1"
# (what kernels.conf line it stands for and which package), for reports.
kernel_origin() {
	local line src
	line=$(awk -v r="$1" '$5 == r { print $1, $2, $3; exit }' "$PMDSTAT_CACHE/kernels/resolved" \
		"$PMDSTAT_CACHE/kernels/resolved-extra" 2>/dev/null)
	src=$(awk '$1 == "Package:" && $2 ~ /^linux-image-/ { print $2, $4; exit }' \
		"$(kernel_dir "$1")/source" 2>/dev/null)
	[ -n "$line" ] || line=$(sed -n 's/^release=[^ ]* \(built from .*\) (key .*/\1/p' "$(kernel_dir "$1")/source" 2>/dev/null)
	echo "${line:-pinned by KERNEL=}${src:+, $src}"
}

kernel_dir() { echo "$PMDSTAT_CACHE/kernels/$1"; }
kernel_kdir() { echo "$(kernel_dir "$1")/root/usr/src/linux-headers-$1"; }
kernel_image() { echo "$(kernel_dir "$1")/root/boot/vmlinuz-$1"; }
