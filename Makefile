# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of shadowmap.ko (and shadowmap_kunit.ko when the target
# kernel has CONFIG_KUNIT), plus the test rig's entry points.
#
#   make                     build against KDIR (default: the running kernel)
#   make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KDIR=/path/to/headers
#   make install | clean
#   make lab                 the main job: default experiment in a QEMU guest
#   make check               every test; ends with "N passed, N failed"
#   make check-full          make check, plus a 12 GiB guest, the soak and
#                            the Secure Boot kernel
#   make bench               benchmark figures (see docs/rig.md)
#   make kunit-intree        kunit.py run with the in-tree route (KUNIT_INTREE="7.3 trixie-backports")
#   make selftest            the selftests on this machine (root, module
#                            installed; SM_KO=DIR to insmod DIR/shadowmap.ko,
#                            TESTS="walker cli" to pick)

KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH ?= arm64
MAKEFLAGS += --no-print-directory

ifeq ($(ARCH),arm64)
ifneq ($(filter aarch64 arm64,$(shell uname -m)),)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)

.PHONY: all modules install clean lab check check-full bench kunit-intree selftest

all modules:
	@test "$(ARCH)" = arm64 || { echo "shadowmap: arm64 only (ARCH=$(ARCH))" >&2; exit 1; }
	@test -d "$(KDIR)" || { echo "shadowmap: KDIR=$(KDIR) does not exist; install the kernel headers or set KDIR" >&2; exit 1; }
	$(KMAKE) modules

install:
	$(KMAKE) modules_install
	depmod -a

clean:
	@if [ -d "$(KDIR)" ]; then $(KMAKE) clean; else \
		rm -rf *.ko *.mod *.mod.c *.o .*.cmd */*.o */.*.cmd */*.mod Module.symvers modules.order; fi

lab:
	@sh scripts/lab.sh $(LAB_ARGS)

check:
	@sh scripts/check.sh $(CHECK_ARGS)

check-full:
	@sh scripts/check.sh --full

bench:
	@sh scripts/lab.sh --bench $(LAB_ARGS)

kunit-intree:
	@sh scripts/kunit-intree.sh $(KUNIT_INTREE)

selftest:
	@SM_KO=$(SM_KO) sh selftests/run.sh $(TESTS)
