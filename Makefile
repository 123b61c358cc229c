# SPDX-License-Identifier: ISC
# supd -- process supervisor and init. See README.md.
#
#   make run      build and start supd on the demo services in conf.d/
#   make test     build and run every test suite (unit, integration)
#   make install  PREFIX=/usr/local DESTDIR=
#   make asan     the same binaries with AddressSanitizer + UBSan in build-asan/
#   make fuzz     each libFuzzer target of tests/fuzz/ for FUZZ_TIME seconds

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
B	?= build

CC	?= cc
CFLAGS	?= -O2 -g
WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wformat=2
# METRICS_HTTP=no: supd without libmicrohttpd, for a static build (Debian's
# links GnuTLS, whose p11-kit has no static library): metrics_listen is then
# one log line at start and no endpoint; supctl metrics is the same.
METRICS_HTTP ?= yes
MHD_PC	= $(if $(filter yes,$(METRICS_HTTP)),libmicrohttpd)
DEPS_PC	= inih libcap libseccomp libmnl
# Loaded with dlopen at their feature's first use, never linked into supd
# (src/optlib.h, docs/design.md "Dependencies"): only their headers here.
# OPT_LIBS is for a test that calls them itself (test_firewall).
OPT_PC	= libnftables $(MHD_PC)
PKG_CFLAGS := $(shell pkg-config --cflags $(DEPS_PC) $(OPT_PC) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(DEPS_PC) 2>/dev/null || echo -linih -lcap -lseccomp -lmnl)
OPT_LIBS   := $(shell pkg-config --libs $(OPT_PC) 2>/dev/null || echo -lnftables $(MHD_PC:lib%=-l%))
EV_CFLAGS  := $(shell pkg-config --cflags libev 2>/dev/null)
# supd-image only (src/image*.c): supd never links them (docs/design.md
# "Images").
IMG_PC	   = libarchive json-c nettle
IMG_CFLAGS := $(shell pkg-config --cflags $(IMG_PC) 2>/dev/null)
IMG_LIBS   := $(shell pkg-config --libs $(IMG_PC) 2>/dev/null || echo -larchive -ljson-c -lnettle)
EV_LIBS    := $(shell pkg-config --libs libev 2>/dev/null || echo -lev)
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE $(CFLAGS) $(PKG_CFLAGS) $(EV_CFLAGS) -MMD -MP
LDLIBS	= $(EV_LIBS) $(PKG_LIBS) -lm

SUPD_SRC   = supd.c config.c config-keys.c config-custom.c service.c service-state.c service-spawn.c service-cgroup.c service-ready.c service-health.c service-deps.c deps.c leftovers.c notify.c spawn.c spawn-steps.c spawn-clone.c spawn-report.c isolate.c isolate-identity.c seccomp.c seccomp-profile.c userdb.c pid1.c svclog.c log.c ctl.c proto.c util.c values.c
SUPD_SRC  += ctl-peer.c ctl-verbs.c ctl-follow.c ctl-volume.c svclog-file.c svclog-tail.c svclog-index.c netlink.c
SUPD_SRC  += config-net.c leases.c hosts.c
SUPD_SRC  += firewall.c service-net.c service-publish.c
SUPD_SRC  += publish.c cgroup.c service-run.c ctl-run.c volume.c
SUPD_SRC  += cgroup-limits.c cgroup-stats.c service-limits.c cgroup-kill.c
SUPD_SRC  += metrics.c $(if $(MHD_PC),metrics-http.c,metrics-nohttp.c) optlib.c
SUPD_SRC  += service-ns.c events.c ctl-events.c ctl-health.c nsswitch.c
SUPD_SRC  += sha256.c image-ref.c imgdb.c imgrun.c service-image.c scratch.c janitor.c netpool.c netns.c isolate-image.c isolate-userns.c ctl-image.c
SUPCTL_SRC = supctl.c supctl-show.c supctl-run.c supctl-events.c supctl-term.c supctl-stats.c supctl-io.c proto.c util.c values.c image-ref.c
IMAGE_SRC  = image.c image-ref.c image-src.c image-oci.c image-config.c image-layer.c image-store.c image-digest.c util.c
SUPD_OBJ   = $(SUPD_SRC:%.c=$(B)/%.o) $(B)/reaper_blob.o
SUPCTL_OBJ = $(SUPCTL_SRC:%.c=$(B)/%.o)
IMAGE_OBJ  = $(IMAGE_SRC:%.c=$(B)/%.o)
UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(filter-out tests/unit/unit.c,$(wildcard tests/unit/test_*.c)))
HELPERS    = $(patsubst tests/helpers/%.c,$(B)/helpers/%,$(wildcard tests/helpers/*.c))

.PHONY: all deps run test unit integration vm asan fuzz fuzz-build install \
	clean bench

all: deps $(B)/supd $(B)/supctl $(B)/supd-image

# Install the Debian packages the build needs, only when something is missing.
deps:
	@METRICS_HTTP=$(METRICS_HTTP) ./contrib/ensure-deps.sh build

$(B)/%.o: src/%.c | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/image%.o: src/image%.c | $(B)
	$(CC) $(ALL_CFLAGS) $(IMG_CFLAGS) -c -o $@ $<

# The services' PID 1 (src/reaper.c): freestanding, no libc, embedded in
# supd as a byte array. Where it cannot be built (no port for the machine),
# the blob is empty and supd runs the same loop in its own image. -static
# already links a position-dependent executable (no -no-pie: clang warns that
# it is unused, and gcc's output is the same byte for byte without it).
REAPER_FLAGS = -Os -static -nostdlib -ffreestanding -fno-stack-protector \
	  -fno-asynchronous-unwind-tables -fno-pie -s \
	  -Wl,--build-id=none -Wl,-z,noexecstack

$(B)/reaper: src/reaper.c | $(B)
	$(CC) $(REAPER_FLAGS) -o $@ $< || { echo "reaper: not built, supd will use its own image" >&2; : >$@; }

$(B)/reaper_blob.c: $(B)/reaper
	{ echo '/* Generated from src/reaper.c by the Makefile. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'const unsigned char reaper_blob[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; \
	  echo "const size_t reaper_blob_len = sizeof reaper_blob - 1;"; } >$@

$(B)/reaper_blob.o: $(B)/reaper_blob.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/supd: $(SUPD_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# supctl needs only libc and is linked static-pie: it starts ~0.25 ms sooner
# (no dynamic loader, no relocations of libc), which every call pays (a probe,
# `supctl run --rm`; bench/README.md "supctl run --rm"). SUPCTL_STATIC=no links
# it as supd is; sanitizer builds always do (their runtimes are shared).
SUPCTL_STATIC ?= yes
SUPCTL_LDFLAGS = $(if $(filter yes,$(SUPCTL_STATIC)),$(if $(findstring -fsanitize,$(CFLAGS) $(LDFLAGS)),,-static-pie))

$(B)/supctl: $(SUPCTL_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SUPCTL_LDFLAGS) -o $@ $^

# supd-image: unpacks an image into supd's store (src/image*.c), run by
# supd as a child; installed next to supd, where supd looks for it.
$(B)/supd-image: $(IMAGE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(IMG_LIBS)

# supd-faults: supd with test-only faults compiled in (-DSUPD_TEST_FAULTS:
# `supctl start supd-fault:null` dereferences NULL, see src/ctl-verbs.c), for
# the crash tests of tests/integration/pid1.bats. Only `make test`,
# `make integration` and `make asan` build it; `make`, `make run` and
# `make install` never do, and the supd they make carries no such code.
# Also: SUPD_TEST_NO_CLONE3 in its environment makes spawn.c take the
# path of a kernel without clone3 (src/spawn-clone.c), SUPD_TEST_NO_CGROUP_KILL
# cgroup.c's of one without cgroup.kill (src/cgroup.c), for cgroup.bats;
# SUPD_TEST_SPAWN says on stderr whether each service's spawn was a fork or
# a lone vfork, and =fork or =vfork forces one (spawn.bats);
# SUPD_TEST_SLOW_SPAWN_MS=N makes each start take N ms more in supd's loop
# (src/spawn.c), for control.bats; SUPD_TEST_NO_NETNS_AHEAD makes the
# janitor fail to make network namespaces ahead (src/janitor.c, netpool.bats).
# Every source with a SUPD_TEST_FAULTS hook, found rather than listed: a
# hook in a file left off a list would be compiled out unseen.
FAULTS_SRC = $(basename $(notdir $(shell grep -l SUPD_TEST_FAULTS src/*.c)))
FAULTS_OBJ = $(filter-out $(FAULTS_SRC:%=$(B)/%.o),$(SUPD_OBJ)) \
	  $(FAULTS_SRC:%=$(B)/%-faults.o)

$(B)/%-faults.o: src/%.c | $(B)
	$(CC) $(ALL_CFLAGS) -DSUPD_TEST_FAULTS -c -o $@ $<

$(B)/supd-faults: $(FAULTS_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B):
	mkdir -p $(B)/tests $(B)/helpers

# Unit tests: each tests/unit/test_X.c links the module(s) it names.
# TEST_LIBS: what a test calls itself beyond supd's own libraries.
$(B)/tests/test_%: tests/unit/test_%.c tests/unit/unit.c $(filter-out $(B)/supd.o $(B)/supctl.o,$(SUPD_OBJ)) | $(B)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< tests/unit/unit.c $(filter-out $(B)/supd.o $(B)/supctl.o,$(SUPD_OBJ)) $(LDLIBS) $(TEST_LIBS)

# test_image_*: supd-image's modules (all but its main), not supd's.
$(B)/tests/test_image_%: tests/unit/test_image_%.c tests/unit/unit.c $(filter-out $(B)/image.o,$(IMAGE_OBJ)) | $(B)
	$(CC) $(ALL_CFLAGS) $(IMG_CFLAGS) -Isrc -o $@ $< tests/unit/unit.c $(filter-out $(B)/image.o,$(IMAGE_OBJ)) $(IMG_LIBS)

# test_firewall reads the kernel's table back through libnftables itself.
$(B)/tests/test_firewall: TEST_LIBS = $(OPT_LIBS)

# test_service: the service module with the real config loader, against
# the fakes of spawn.c, svclog.c and leftovers.c in the test itself (the
# network modules are real: no service of the test names a network or
# publishes a port).
SERVICE_TEST_OBJ = $(filter $(B)/service%.o $(B)/config%.o,$(SUPD_OBJ)) \
	  $(B)/deps.o $(B)/notify.o $(B)/seccomp-profile.o $(B)/log.o $(B)/util.o \
	  $(B)/values.o $(B)/netlink.o $(B)/firewall.o $(B)/leases.o $(B)/hosts.o \
	  $(B)/publish.o $(B)/cgroup-limits.o $(B)/cgroup-stats.o $(B)/optlib.o
SERVICE_TEST_OBJ += $(B)/image-ref.o $(B)/sha256.o $(B)/imgdb.o $(B)/imgrun.o

$(B)/tests/test_service: tests/unit/test_service.c tests/unit/unit.c $(SERVICE_TEST_OBJ) | $(B)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< tests/unit/unit.c $(SERVICE_TEST_OBJ) $(LDLIBS)

# test_service_limits: src/service-limits.c with the real config loader and
# cgroup-limits/-stats, against the fake cgroup.c in the test itself (so
# cgroup.o is not linked).
SERVICE_LIMITS_TEST_OBJ = $(B)/service-limits.o $(B)/cgroup-limits.o \
	  $(B)/cgroup-stats.o $(filter $(B)/config%.o,$(SUPD_OBJ)) \
	  $(B)/seccomp-profile.o $(B)/proto.o $(B)/log.o $(B)/util.o $(B)/values.o \
	  $(B)/image-ref.o

$(B)/tests/test_service_limits: tests/unit/test_service_limits.c tests/unit/unit.c $(SERVICE_LIMITS_TEST_OBJ) | $(B)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< tests/unit/unit.c $(SERVICE_LIMITS_TEST_OBJ) $(LDLIBS)

$(B)/helpers/%: tests/helpers/%.c | $(B)
	$(CC) $(ALL_CFLAGS) -o $@ $<

# nl_drive: src/netlink.c's API from the command line (net-link.bats).
$(B)/helpers/nl_drive: tests/helpers/nl_drive.c $(B)/netlink.o $(B)/util.o | $(B)
	$(CC) $(ALL_CFLAGS) -iquote src -o $@ $< $(B)/netlink.o $(B)/util.o $(LDFLAGS) $(LDLIBS)

# fw_drive runs src/firewall.c's API for net-fw.bats, so it links it.
FW_DRIVE_OBJ = $(B)/firewall.o $(B)/optlib.o $(B)/util.o

$(B)/helpers/fw_drive: tests/helpers/fw_drive.c $(FW_DRIVE_OBJ) | $(B)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(FW_DRIVE_OBJ) $(LDLIBS)

# pub_fwd: the forwarder of src/publish.c alone in a loop, for
# net-publish.bats and bench/forward-*.sh.
PUB_FWD_OBJ = $(B)/publish.o $(B)/log.o $(B)/util.o
$(B)/helpers/pub_fwd: tests/helpers/pub_fwd.c $(PUB_FWD_OBJ) | $(B)
	$(CC) $(ALL_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(PUB_FWD_OBJ) $(LDLIBS)

unit: all $(UNIT_TESTS)
	@./tests/run-unit.sh $(B)

integration: all $(HELPERS) $(B)/supd-faults
	@./tests/run-integration.sh $(B)

# A real kernel in qemu with supd as /init (tests/vm/run.sh).
vm: all
	@./tests/vm/run.sh $(B)

test: all $(UNIT_TESTS) $(HELPERS) $(B)/supd-faults
	@./contrib/ensure-deps.sh test
	@./tests/run-all.sh $(B)

asan:
	SUPD_ASAN=1 $(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined" test

# Fuzzing (tests/fuzz/README.md): each tests/fuzz/fuzz_NAME.c is a libFuzzer
# target, built with clang under ASan+UBSan from the src/ files named on its
# "/* fuzz-sources: a.c b.c */" line, so adding a target is adding one file.
# FUZZ_TARGETS picks some (default all), FUZZ_TIME is seconds per target.
FUZZ_B	   = build-fuzz
FUZZ_CC	  ?= clang
FUZZ_TIME ?= 30
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_NAMES)
fuzz_sources = $(addprefix src/,$(shell sed -n \
	  's,^/\* fuzz-sources: \(.*\) \*/$$,\1,p' tests/fuzz/fuzz_$(1).c))

define FUZZ_RULE
$(FUZZ_B)/fuzz_$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz.h $(call fuzz_sources,$(1)) $(wildcard src/*.h)
	@mkdir -p $(FUZZ_B)
	$(if $(call fuzz_sources,$(1)),,@echo "tests/fuzz/fuzz_$(1).c: no '/* fuzz-sources: a.c b.c */' line" >&2; exit 1)
	$(FUZZ_CC) -std=gnu11 $(WARN) -D_GNU_SOURCE $(FUZZ_FLAGS) $(PKG_CFLAGS) $(EV_CFLAGS) $(IMG_CFLAGS) -iquote src -o $$@ $$(filter %.c,$$^) $(LDLIBS) $(IMG_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(n))))

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

fuzz:
	@./contrib/ensure-deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@./tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_TIME) $(FUZZ_TARGETS)

run: all
	@./contrib/make-run.sh $(B)

bench: all
	@./bench/run-all.sh $(B)

# supd against supervisord, runit and s6 (bench/peers/run.sh installs them
# from Debian, with no daemon started): table and chart in $(B)/bench-peers.
.PHONY: bench-peers
bench-peers: all
	@./bench/peers/run.sh $(B)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(B)/supd $(DESTDIR)$(SBINDIR)/supd
	install -m 0755 $(B)/supd-image $(DESTDIR)$(SBINDIR)/supd-image
	install -m 0755 $(B)/supctl $(DESTDIR)$(BINDIR)/supctl
	install -m 0644 man/supd.8 $(DESTDIR)$(MANDIR)/man8/supd.8
	install -m 0644 man/supd-image.8 $(DESTDIR)$(MANDIR)/man8/supd-image.8
	install -m 0644 man/supctl.1 $(DESTDIR)$(MANDIR)/man1/supctl.1
	install -m 0644 man/supd.conf.5 $(DESTDIR)$(MANDIR)/man5/supd.conf.5

clean:
	rm -rf build build-asan build-fuzz run tests/vm/.cache

-include $(wildcard $(B)/*.d)
