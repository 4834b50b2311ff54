# SPDX-License-Identifier: GPL-2.0
# pmdstat: see README.md.  Main entry points:
#   make demo        boot a Debian kernel in QEMU, tell the 2019 story under pmdstat, print the reports
#   make check       host unit tests, lint, VM tests and package tests on every supported kernel
#   make module      build pmdstat.ko (KDIR=<headers> for a real test host, or KERNEL=<debian release>)
#   make tools       build the reader and the workloads (static) into build/host/
#   make lint        W=1, sparse (C=2) and checkpatch --strict on every supported kernel
#   make bench       the cost table in the VM: workloads under pmdstat, its floor, klockstat, pmdstat-bpf
#   make bench-probe cost per probe hit and per tracked/untracked lock acquisition in the VM
#   make check-debug the VM tests, stress test and lock_stat cross-check on a KASAN/lockdep kernel
#   make debug-kernel build that kernel from Debian's linux-source-6.1 (cached in .cache/)
#   make deb         Debian packages pmdstat-dkms and pmdstat into build/deb/
#   make pkg-test    man page checks; DKMS packages installed in a Debian root, module booted in the VM

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
HOST := $(BUILD)/host
CC ?= gcc
HOST_CFLAGS := -O2 -g -Wall -Wextra -Wshadow -Werror=implicit-function-declaration
# The supported kernels (scripts/kernels.conf) are series; scripts/kernels
# resolves them to the newest ABIs the archive serves, when a recipe needs
# them.  KERNEL=<release> picks one release for this run.
KERNELS = $(if $(KERNEL),$(KERNEL),$(if $(KERNELS_RESOLVED),$(KERNELS_RESOLVED),$$(scripts/kernels)))

# Which kernel tree to build against: KDIR wins; else KERNEL (a Debian
# release, e.g. one that scripts/kernels prints, fetched on demand); else the
# running kernel's headers.
ifneq ($(KDIR),)
else ifneq ($(KERNEL),)
KDIR := $(or $(PMDSTAT_CACHE),$(TOP)/.cache)/kernels/$(KERNEL)/root/usr/src/linux-headers-$(KERNEL)
else
KDIR := /lib/modules/$(shell uname -r)/build
endif

.PHONY: all module floor tools unit check vm-test pkg-test deb demo deps lint bench bench-probe clean help check-debug debug-kernel

all: module tools

help:
	@sed -n '2,13p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps

MODULE_SRCS := $(wildcard module/*.c module/*.h)

# build/<release>/ mirrors Kbuild and module/ with symlinks, so that the
# objects of each kernel land in their own ignored directory.  The conftest
# and kbuild run through scripts/kbuild-env: here when this machine has the
# compiler the headers were built with, else in a Debian root that has it.
module:
	@if [ -n "$(KERNEL)" ] && [ ! -d "$(KDIR)" ]; then scripts/fetch-kernel "$(KERNEL)" >/dev/null; fi
	@[ -f "$(KDIR)/Makefile" ] || { echo "error: no kernel headers at $(KDIR): install linux-headers-$$(uname -r), or give KDIR=<headers tree> or KERNEL=<a Debian release: scripts/kernels lists the supported ones>" >&2; exit 1; }
	@rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$(KDIR)/include/generated/utsrelease.h"); \
	 out="$(BUILD)/$$rel"; mkdir -p "$$out/module"; \
	 ln -sf "$(TOP)/Kbuild" "$$out/Kbuild"; \
	 for f in $(MODULE_SRCS); do ln -sf "$(TOP)/$$f" "$$out/$$f"; done; \
	 [ "$$out/conftest.h" -nt scripts/conftest ] || scripts/kbuild-env "$(KDIR)" scripts/conftest "$(KDIR)" "$$out/conftest.h"; \
	 scripts/kbuild-env "$(KDIR)" $(MAKE) --no-print-directory -C "$(KDIR)" M="$$out" $(KBUILD_ARGS) modules && \
	 echo "built $$out/pmdstat.ko"

# The cost table's floor module: pmdstat's probe set with empty handlers
# (-DPMDSTAT_FLOOR), as build/<release>/floor/pmdstat_floor.ko.
floor: module
	@$(MAKE) --no-print-directory -f tests/bench/floor/Makefile KDIR="$(KDIR)" TOP="$(TOP)" BUILD="$(BUILD)"

# ---- userspace -----------------------------------------------------------

READER_SRCS := $(wildcard loader/*.c)
SHARED_SRCS := module/hist.c module/format.c module/decode.c module/detect.c

tools: $(HOST)/pmdstat $(HOST)/pmdstat-bpf $(HOST)/pmdstat-workload $(HOST)/pmdstat-bench \
	$(HOST)/pmdstat-scan $(HOST)/pmdstat-contend $(HOST)/pmdstat-repro $(HOST)/pmdstat-churn \
	$(HOST)/pmdstat-cost $(HOST)/pmdstat-caps $(HOST)/pmdstat-blame

$(HOST)/pmdstat: $(READER_SRCS) $(wildcard loader/*.h) $(SHARED_SRCS) $(wildcard module/*.h)
	@mkdir -p $(HOST)
	$(CC) $(HOST_CFLAGS) -static -Imodule -Iloader -o $@ $(READER_SRCS) module/hist.c module/format.c module/detect.c

$(HOST)/pmdstat-%: tests/workloads/pmdstat-%.c tests/workloads/workload.h
	@mkdir -p $(HOST)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

# The libbpf companion: BPF object -> skeleton -> static loader.
BPFOUT := $(BUILD)/bpf
# loader/bpf/vmlinux.h: the kernel types, from scripts/gen-vmlinux-h.
$(BPFOUT)/pmdstat.bpf.o: loader/bpf/pmdstat.bpf.c loader/bpf/pmdstat_bpf.h loader/bpf/vmlinux.h
	@mkdir -p $(BPFOUT)
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Iloader/bpf -c $< -o $@

$(BPFOUT)/pmdstat.skel.h: $(BPFOUT)/pmdstat.bpf.o
	bpftool gen skeleton $< name pmdstat_bpf > $@

$(HOST)/pmdstat-bpf: loader/bpf/pmdstat-bpf.c $(BPFOUT)/pmdstat.skel.h loader/out.c $(SHARED_SRCS) $(wildcard module/*.h)
	@mkdir -p $(HOST)
	$(CC) $(HOST_CFLAGS) -static -Imodule -Iloader -Iloader/bpf -I$(BPFOUT) -o $@ $< loader/out.c \
		module/format.c module/hist.c module/detect.c module/decode.c -lbpf -lelf -lz -lzstd

$(HOST)/pmdstat-bench: tests/bench/pmdstat-bench.c
	@mkdir -p $(HOST)
	$(CC) $(HOST_CFLAGS) -static -o $@ $<

UNIT_TESTS := $(patsubst tests/unit/%.c,$(HOST)/%,$(wildcard tests/unit/test_*.c))

$(HOST)/test_%: tests/unit/test_%.c tests/unit/tap.h tests/unit/testlib.h $(SHARED_SRCS) $(wildcard loader/*.[ch]) $(wildcard module/*.h)
	@mkdir -p $(HOST)
	$(CC) $(HOST_CFLAGS) -fsanitize=address,undefined -Imodule -Iloader -Itests/unit -o $@ $< \
		$(SHARED_SRCS) $(filter-out loader/pmdstat.c,$(READER_SRCS))

unit: $(UNIT_TESTS)
	@scripts/run-unit $(UNIT_TESTS)

# ---- VM ------------------------------------------------------------------

# On a kernel that kernels.conf marks "smoke", the smoke subset; KERNEL=<release>
# runs the whole suite on that kernel.
vm-test: tools
	@ks="$(KERNELS)"; [ -n "$$ks" ] || exit 1; $(if $(KERNEL),VM_FULL=1) scripts/vm-tests $$ks

# ---- packages --------------------------------------------------------------

deb:
	@scripts/mkdeb

# The man pages against the tools' --help; then the DKMS package installed in
# a minimal Debian root for each supported kernel, its module booted in the VM.
pkg-test: tools
	@tests/pkg/check-man.sh
	@ks="$(KERNELS)"; [ -n "$$ks" ] || exit 1; tests/pkg/dkms-check $$ks

debug-kernel: deps
	@scripts/build-debug-kernel

check-debug: deps tools
	@scripts/check-debug

# Every step runs, even after a failure; the last line sums them (scripts/check).
check: deps
	@scripts/check

demo: deps tools
	@scripts/demo

# Benchmarks print numbers; they assert nothing.  KERNEL= picks one kernel.
# bench: the cost table (tests/bench/run-cost-table): one boot per kernel,
# pmdstat-cost's three workloads under nothing, pmdstat.ko, the floor module,
# klockstat and pmdstat-bpf, 5 interleaved rounds, medians relative to none.
bench: deps tools
	@ks="$(KERNELS)"; [ -n "$$ks" ] || exit 1; tests/bench/run-cost-table $$ks

# bench-probe: cost per probe hit, per tracked and untracked lock acquisition.
bench-probe: deps tools
	@ks="$(KERNELS)"; [ -n "$$ks" ] || exit 1; for k in $$ks; do \
		echo "== probe cost on $$k"; \
		scripts/vm-run --kernel $$k --add tests/bench/probe-cost.sh -- sh probe-cost.sh || exit 1; \
		echo "== lock timing cost on $$k"; \
		scripts/vm-run --kernel $$k --add tests/bench/lock-cost.sh -- sh lock-cost.sh || exit 1; \
	done

lint:
	@ks="$(KERNELS)"; [ -n "$$ks" ] || exit 1; scripts/lint $$ks

clean:
	rm -rf $(BUILD)
