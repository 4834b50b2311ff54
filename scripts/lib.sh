# shellcheck shell=bash
# Shared helpers for the pmdstat scripts.  Sourced, not run.

PMDSTAT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PMDSTAT_CACHE=${PMDSTAT_CACHE:-$PMDSTAT_TOP/.cache}
PMDSTAT_BUILD=${PMDSTAT_BUILD:-$PMDSTAT_TOP/build}

die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*" >&2; }

# The supported kernels, in order, without comments.
pmdstat_kernels() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PMDSTAT_TOP/scripts/kernels.conf"
}

# Default kernel: $KERNEL, else the first line of kernels.conf.
pmdstat_default_kernel() {
	if [ -n "${KERNEL:-}" ]; then echo "$KERNEL"; else pmdstat_kernels | head -n 1; fi
}

kernel_dir() { echo "$PMDSTAT_CACHE/kernels/$1"; }
kernel_kdir() { echo "$(kernel_dir "$1")/root/usr/src/linux-headers-$1"; }
kernel_image() { echo "$(kernel_dir "$1")/root/boot/vmlinuz-$1"; }
