# SPDX-License-Identifier: GPL-2.0
# xtcp: build the module (kbuild convention: the sources are described in Kbuild), the
# user programs, and run the lint, the tests and the demo.
#
#   make                 xtcp.ko for KDIR (default: the running kernel's build tree)
#   make KDIR=<tree>     xtcp.ko for any configured kernel tree or headers
#   make stock | debug   xtcp.ko for Debian's stock 6.12 kernel | our debug/KUnit kernel
#   make stock-6.1 | stock-6.12 | stock-7.2
#                        xtcp.ko for one of Debian's stock kernels (fetched once; 7.2 is
#                        built in a sid chroot, see scripts/kernel-stock)
#   make dkms-install    install the sources as a DKMS package, so that xtcp.ko is built
#                        for every installed kernel (root; make dkms-remove undoes it)
#   make user            the user programs (examples, tools, end-to-end tests) into build/user/
#   make install         xtcpize into $(PREFIX)/bin and libxtcp_preload.so into
#                        $(PREFIX)/lib/xtcp (PREFIX=/usr/local, DESTDIR honoured);
#                        make uninstall removes them
#   make lint            checkpatch --strict, sparse (C=1) and a W=1 build
#   make check           lint, builds, KUnit and end-to-end tests in QEMU guests
#   make demo            boot the stock kernel in QEMU and show xtcp being loaded and used
#   make bench           iperf3 throughput (loopback, veth + netem, a bottleneck, parallel
#                        flows), latency, connection rate and memory of xtcp as ratios of
#                        Linux TCP's, in one stock-kernel guest (scripts/bench; --quick)
#   make soak            the long runs that do not belong in check, debug kernel
#                        (scripts/soak; MINUTES=N, default 10): connections churned over a
#                        lossy veth with aborts, namespaces deleted and rmmod tried, beside
#                        a million fuzzed segments
#   make clean           remove build/ (caches in ~/.cache/xtcp stay; see README)

KDIR ?= /lib/modules/$(shell uname -r)/build
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -pthread -Iinclude/uapi
USER_PROGS := $(patsubst user/%.c,build/user/%,$(filter-out %.bpf.c,$(wildcard user/examples/*.c \
	user/tests/*.c user/bench/*.c user/tools/*.c)))
# shared libraries: user/lib/NAME.c -> build/user/lib/libNAME.so (LD_PRELOAD wrappers)
USER_LIBS := $(patsubst user/lib/%.c,build/user/lib/lib%.so,$(wildcard user/lib/*.c))
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all modules stock stock-6.1 stock-6.12 stock-7.2 debug user lint check demo bench soak \
	dkms-install dkms-remove install uninstall clean

all: modules

modules:
	@test -d "$(KDIR)" || { echo "no kernel tree at $(KDIR): use make KDIR=<tree>, make stock or make debug" >&2; exit 1; }
	scripts/build-module $(KDIR)

stock: stock-6.12

stock-6.1 stock-6.12 stock-7.2:
	scripts/build-module "$$(scripts/kernel-stock $(@:stock-%=%))/usr/src/linux-headers-$$(cat "$$(scripts/kernel-stock $(@:stock-%=%))/RELEASE")"

dkms-install:
	scripts/dkms install

dkms-remove:
	scripts/dkms remove

debug:
	scripts/build-module "$$(scripts/kernel-debug)"

user: $(USER_PROGS) $(USER_LIBS)

# the tests' library (user/tests/lib), linked into each test program
TEST_LIB := build/user/tests/lib/libxtcptest.a
TEST_LIB_OBJS := $(patsubst user/%.c,build/user/%.o,$(wildcard user/tests/lib/*.c))
TEST_HDRS := $(wildcard user/tests/*.h user/tests/lib/*.h) include/uapi/linux/xtcp.h Makefile

build/user/tests/lib/%.o: user/tests/lib/%.c $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(TEST_LIB): $(TEST_LIB_OBJS)
	$(AR) rcs $@ $^

# a statically linked client and server: what xtcpize's BPF mode catches and the library
# cannot (realprogs)
build/user/tests/static_client: user/tests/static_client.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

build/user/tests/%: user/tests/%.c $(TEST_LIB) $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Iuser/tests/lib -o $@ $< $(TEST_LIB)

# xtcpize's BPF program (user/tools/xtcpize.bpf.c) is built with clang and embedded in
# xtcpize through the skeleton bpftool makes of it; xtcpize links with libbpf and looks
# for the preload library in $(PREFIX)/lib/xtcp too (after the places beside itself)
BPFTOOL ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -Iinclude/uapi \
	-I/usr/include/$(shell $(CC) -dumpmachine)

build/user/tools/xtcpize.bpf.o: user/tools/xtcpize.bpf.c include/uapi/linux/xtcp.h Makefile
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c -o $@ $<

build/user/tools/xtcpize.skel.h: build/user/tools/xtcpize.bpf.o
	$(BPFTOOL) gen skeleton $< name xtcpize_bpf > $@.tmp && mv $@.tmp $@

build/user/tools/xtcpize: user/tools/xtcpize.c build/user/tools/xtcpize.skel.h \
		include/uapi/linux/xtcp.h Makefile
	$(CC) $(USER_CFLAGS) -Ibuild/user/tools -DXTCPIZE_LIBDIR='"$(PREFIX)/lib/xtcp"' -o $@ $< \
		-lbpf

build/user/%: user/%.c $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<

build/user/lib/lib%.so: user/lib/%.c include/uapi/linux/xtcp.h Makefile
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -fPIC -shared -o $@ $< -ldl

install: build/user/tools/xtcpize build/user/lib/libxtcp_preload.so
	install -D -m 0755 build/user/tools/xtcpize $(DESTDIR)$(PREFIX)/bin/xtcpize
	install -D -m 0644 build/user/lib/libxtcp_preload.so \
		$(DESTDIR)$(PREFIX)/lib/xtcp/libxtcp_preload.so

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/xtcpize $(DESTDIR)$(PREFIX)/lib/xtcp/libxtcp_preload.so
	-rmdir $(DESTDIR)$(PREFIX)/lib/xtcp 2>/dev/null

lint:
	scripts/lint

check:
	scripts/check

demo:
	scripts/demo

soak:
	scripts/soak $(MINUTES)

bench: stock user
	scripts/bench

clean:
	rm -rf build
