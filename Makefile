# SPDX-License-Identifier: GPL-2.0
#
# fusepass - the front door.
#
#   make                 build fusepass.ko for the running kernel
#   make KVER=...        ... or for another installed kernel
#   make helpers         build the userspace helpers (mount.fusepass)
#   sudo make install    install through DKMS, install the helpers, load it
#   sudo make check      boot the stock Debian kernels under QEMU and run
#                        every suite (KERNELS="6.1 6.12" selects kernels)
#   make sparse          build with sparse (C=2)

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
KERNELS ?= 6.1 6.12
DKMS_SRC := /usr/src/fusepass-$(VERSION)
# What DKMS needs to build the module, and nothing else.
DKMS_FILES := dkms.conf Kbuild src/*.c src/*.h include

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

helpers:
	$(MAKE) -C src/helpers

all: modules helpers

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

# The UAPI header must stand alone, also for C90 userspace.
uapi-check:
	cc -std=c90 -Wall -Werror -pedantic -fsyntax-only -x c include/uapi/linux/fusepass.h

dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/src
	cp -r dkms.conf Kbuild include $(DKMS_SRC)/
	cp src/*.c src/*.h $(DKMS_SRC)/src/
	dkms remove fusepass/$(VERSION) --all >/dev/null 2>&1 || true
	dkms add fusepass/$(VERSION)
	dkms build fusepass/$(VERSION) -k $(KVER)
	dkms install fusepass/$(VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove fusepass/$(VERSION) --all || true
	rm -rf $(DKMS_SRC)

# Build dependencies for the running kernel (Debian): DKMS, headers, gcc.
install-deps:
	@if ! command -v dkms >/dev/null || [ ! -d $(KDIR) ] || ! command -v cc >/dev/null; then \
		apt-get update && apt-get install -y dkms linux-headers-$(KVER) build-essential; \
	fi

install: install-deps
	$(MAKE) dkms-install helpers
	$(MAKE) -C src/helpers install
	modprobe fusepass

uninstall:
	-modprobe -r fusepass
	$(MAKE) -C src/helpers uninstall
	$(MAKE) dkms-uninstall

check:
	test/check $(KERNELS)

clean:
	if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C src/helpers clean

.PHONY: modules helpers all sparse uapi-check dkms-install dkms-uninstall \
	install-deps install uninstall check clean
