# SPDX-License-Identifier: GPL-2.0
#
# fusepass - the front door.
#
#   make                 build fusepass.ko for the running kernel
#   make KVER=...        ... or for another installed kernel
#   make helpers         build the userspace helpers (mount.fusepass, ...)
#   sudo make install    build the .debs, install them (DKMS builds the
#                        module), load it; `make uninstall` reverses it
#   make deb             the .debs alone, in .build/deb/ (`make lintian`)
#   sudo make check      boot the stock Debian kernels under QEMU and run
#                        every suite on each (KERNELS="6.1 6.12 backports"
#                        by default; "backports" is Debian 13's newest,
#                        see README)
#   sudo make bench      benchmark fusepass against ext4, the kernel's FUSE
#                        and overlayfs under QEMU (KERNELS= as for check,
#                        default all three; QUICK=1: a smoke run on 6.12);
#                        results in bench-results/, see BENCHMARKS.md
#   make sparse          build with sparse (C=2)

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# The kernels DKMS builds for (dkms.conf); `make` refuses the others too.
SUPPORTED := $(shell sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
KERNELS ?= 6.1 6.12 backports
DKMS_SRC := /usr/src/fusepass-$(VERSION)
# What DKMS needs to build the module, and nothing else.
DKMS_FILES := dkms.conf Kbuild src/*.c src/*.h include
DEB_DIR := .build/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEBS = $(CURDIR)/$(DEB_DIR)/fusepass-dkms_$(VERSION)_all.deb \
	$(CURDIR)/$(DEB_DIR)/fusepass-utils_$(VERSION)_$(DEB_ARCH).deb

modules: supported
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

supported:
	@echo "$(KVER)" | grep -Eq '$(SUPPORTED)' || { \
		echo "fusepass: kernel $(KVER) is outside the supported range (dkms.conf: BUILD_EXCLUSIVE_KERNEL=\"$(SUPPORTED)\")" >&2; \
		exit 1; }

helpers:
	$(MAKE) -C src/helpers

all: modules helpers

sparse: supported
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

# The UAPI header must stand alone, also for C90 userspace.
uapi-check:
	cc -std=c90 -Wall -Werror -pedantic -fsyntax-only -x c include/uapi/linux/fusepass.h

# The module's source as DKMS wants it: $(DESTDIR)/usr/src/fusepass-VERSION.
dkms-source:
	install -d $(DESTDIR)$(DKMS_SRC)
	cp -r --parents --no-preserve=ownership $(DKMS_FILES) $(DESTDIR)$(DKMS_SRC)/

# Without packages (other distributions): register the source with DKMS.
dkms-install:
	rm -rf $(DKMS_SRC)
	$(MAKE) dkms-source
	dkms remove fusepass/$(VERSION) --all >/dev/null 2>&1 || true
	dkms add fusepass/$(VERSION)
	dkms build fusepass/$(VERSION) -k $(KVER)
	dkms install fusepass/$(VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove fusepass/$(VERSION) --all || true
	rm -rf $(DKMS_SRC)

# fusepass-dkms and fusepass-utils, built from a copy of this tree (the
# build writes next to the source directory).
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/fusepass-$(VERSION)
	tar -c --exclude=./.git --exclude=./.build --exclude=./test-results \
		--exclude=./bench-results . | tar -x -C $(DEB_DIR)/fusepass-$(VERSION)
	cd $(DEB_DIR)/fusepass-$(VERSION) && dpkg-buildpackage -us -uc -b

lintian:
	lintian --fail-on error --display-info $(DEB_DIR)/fusepass_$(VERSION)_$(DEB_ARCH).changes

# Build dependencies (Debian): DKMS, the kernel's headers, the packaging,
# openssl (DKMS makes its module signing key with it).
install-deps:
	@if ! command -v dkms >/dev/null || [ ! -d $(KDIR) ] || \
	    ! command -v cc >/dev/null || ! command -v dh_dkms >/dev/null || \
	    ! command -v openssl >/dev/null; then \
		apt-get update && apt-get install -y dkms linux-headers-$(KVER) \
			build-essential debhelper dh-dkms dpkg-dev openssl; \
	fi

# The packages' own path: their postinst has DKMS build the module for the
# running kernel (and the newest installed one).
install: install-deps deb
	apt-get install -y --reinstall $(DEBS)
	dkms autoinstall -k $(KVER)
	scripts/load-module

# The packages, and what `make dkms-install` registered if anything.
uninstall:
	-modprobe -r fusepass
	if dpkg -s fusepass-dkms >/dev/null 2>&1 || dpkg -s fusepass-utils >/dev/null 2>&1; then \
		apt-get purge -y fusepass-dkms fusepass-utils; \
	fi
	if [ -n "$$(dkms status fusepass 2>/dev/null)" ]; then $(MAKE) dkms-uninstall; fi

check:
	test/check $(KERNELS)

# Only kernels named on the command line; test/bench picks its defaults.
bench:
	test/bench $(if $(filter file,$(origin KERNELS)),,$(KERNELS))

clean:
	if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C src/helpers clean
	rm -rf $(DEB_DIR)

.PHONY: modules supported helpers all sparse uapi-check dkms-source \
	dkms-install dkms-uninstall deb lintian install-deps install uninstall \
	check bench clean
