// SPDX-License-Identifier: GPL-2.0
/*
 * xtcpize: run an unmodified program with its TCP sockets on xtcp.
 *
 *   xtcpize run [--bpf | --preload] [-v] [--] CMD [ARG...]
 *
 * Its AF_INET and AF_INET6 SOCK_STREAM sockets asked for with protocol 0 or IPPROTO_TCP
 * are opened on protocol 253 instead, in one of two ways:
 *
 * BPF mode (--bpf; kernels from 6.6 with BTF): an fmod_ret program on the kernel's
 * update_socket_protocol() (xtcpize.bpf.c) changes the protocol of every socket() call
 * made by a process in a cgroup made for CMD (xtcpize-PID, below xtcpize's own, in the
 * cgroup2 file system mounted in this mount namespace or else in PID 1's).  This catches
 * statically linked programs and Go binaries too.  xtcpize forks, the child moves itself
 * into the cgroup and execs CMD; xtcpize keeps the program attached, passes SIGHUP,
 * SIGINT, SIGQUIT and SIGTERM on (not those the terminal sent the whole process group),
 * waits for CMD and then for every process left in the cgroup (a daemon's children),
 * removes the cgroup and exits with CMD's status.  Needs root.
 *
 * Preload mode (--preload): execs CMD with libxtcp_preload.so prepended to LD_PRELOAD
 * (an LD_PRELOAD already set is kept after it), whose socket() wrapper does the same
 * for programs linked with libc dynamically (see user/lib/xtcp_preload.c).
 *
 * Without either option BPF mode is tried and, where it is not available (no BTF, a
 * kernel without update_socket_protocol(), no cgroup2 file system, not root, no BPF
 * system call), preload mode is used, saying so and why in one line on stderr.
 * -v: in BPF mode, the cgroup and at the end how many sockets were moved (with --bpf,
 * libbpf's warnings too); in preload mode XTCP_PRELOAD_VERBOSE=1, one line on stderr
 * for each socket moved.
 *
 * Before either it opens socket(AF_INET, SOCK_STREAM, 253) (which loads xtcp.ko through
 * its module alias when it is installed): if that fails, it says so and exits 1.
 * XTCP_PRELOAD_PROTO=N makes both modes use protocol N instead of 253.
 *
 * The library is looked for, first found wins:
 *   $XTCPIZE_LIB                                  (a path to the library)
 *   <dir of xtcpize>/../lib/libxtcp_preload.so    (the build tree: build/user/tools/)
 *   <dir of xtcpize>/../lib/xtcp/libxtcp_preload.so   (installed: PREFIX/bin/)
 *   XTCPIZE_LIBDIR/libxtcp_preload.so             (PREFIX/lib/xtcp, fixed at build time)
 *
 * What neither mode catches: sockets made through io_uring (IORING_OP_SOCKET creates
 * them without update_socket_protocol() and without libc's socket()), and processes
 * outside: in BPF mode, one that leaves the cgroup; in preload mode, static and Go
 * programs, setuid/setgid programs (the dynamic loader ignores LD_PRELOAD for them) and a
 * program that clears its environment before exec'ing a child.
 *
 * Exit status: CMD's (128 + the signal if a signal ended it, in BPF mode); 1 if xtcp,
 * the library or (--bpf) BPF mode is not available; 2 for a usage error; 127 if CMD is
 * not found, 126 if it cannot be executed.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "xtcpize.skel.h"

#ifndef XTCPIZE_LIBDIR
#define XTCPIZE_LIBDIR "/usr/local/lib/xtcp"
#endif
#define LIBNAME "libxtcp_preload.so"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xtcpize run [--bpf | --preload] [-v] [--] CMD [ARG...]\n"
		"  runs CMD with its AF_INET and AF_INET6 SOCK_STREAM sockets (protocol 0 or\n"
		"  IPPROTO_TCP) opened on xtcp (IP protocol %d) instead\n"
		"  --bpf      BPF on update_socket_protocol (Linux 6.6+, root): CMD and its\n"
		"             children in a cgroup of their own; static and Go programs too\n"
		"  --preload  " LIBNAME " in LD_PRELOAD: dynamically linked programs only\n"
		"  (neither)  BPF if it is available, else the library, saying why on stderr\n"
		"  -v         BPF: the cgroup, the sockets moved at the end (--bpf: and libbpf's\n"
		"             warnings); library: one line on stderr for each socket moved\n"
		"library: $XTCPIZE_LIB, else ../lib/" LIBNAME " or ../lib/xtcp/" LIBNAME
		" beside xtcpize,\n"
		"  else " XTCPIZE_LIBDIR "/" LIBNAME "\n"
		"not caught: io_uring sockets; with the library also static and Go programs\n"
		"  and setuid programs\n", IPPROTO_XTCP);
}

/* @path made absolute and without "..", when it can be; @path otherwise. */
static const char *canonical(const char *path)
{
	static char real[PATH_MAX];

	return realpath(path, real) ? real : path;
}

/* The library's path into @buf, or NULL (the places tried are printed). */
static const char *find_lib(char *buf, size_t len)
{
	const char *env = getenv("XTCPIZE_LIB");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		if (!access(env, R_OK))
			return env;
		fprintf(stderr, "xtcpize: XTCPIZE_LIB=%s: %s\n", env, strerror(errno));
		return NULL;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(buf, len, "%s/../lib/" LIBNAME, exe);
		if (!access(buf, R_OK))
			return canonical(buf);
		snprintf(buf, len, "%s/../lib/xtcp/" LIBNAME, exe);
		if (!access(buf, R_OK))
			return canonical(buf);
	}
	snprintf(buf, len, "%s/%s", XTCPIZE_LIBDIR, LIBNAME);
	if (!access(buf, R_OK))
		return buf;
	fprintf(stderr, "xtcpize: " LIBNAME " not found: set XTCPIZE_LIB, or put it in "
		"../lib/ or ../lib/xtcp/ beside %s, or in " XTCPIZE_LIBDIR " (make install)\n",
		n > 0 ? exe : "xtcpize");
	return NULL;
}

/* The protocol the library will use (XTCP_PRELOAD_PROTO, as it reads it). */
static int preload_proto(void)
{
	const char *s = getenv("XTCP_PRELOAD_PROTO");
	char *end;
	long v;

	if (!s || !*s)
		return IPPROTO_XTCP;
	v = strtol(s, &end, 10);
	return *end || v < 0 || v > 65535 ? IPPROTO_XTCP : (int)v;
}

/* ---- BPF mode ---- */

static int verbose, libbpf_verbose;

#define CG_MAX	(2 * PATH_MAX + 64)

struct bpf_mode {
	struct xtcpize_bpf *skel;
	char cg[CG_MAX];	/* the cgroup's directory */
	int procs;		/* its cgroup.procs, open for writing */
};

/* libbpf's own messages: its warnings with --bpf -v, nothing otherwise. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return libbpf_verbose && level != LIBBPF_DEBUG ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * Where a cgroup2 file system is mounted in process @pid's mount table, into @buf (for
 * a process other than "self", reached through its /proc/PID/root); 0 if there is one.
 */
static int cgroup2_mount(const char *pid, char *buf, size_t len)
{
	char path[64], line[PATH_MAX + 512], mnt[PATH_MAX];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/mountinfo", pid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " - cgroup2 ") &&
			sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1;
	if (f)
		fclose(f);
	if (!found)
		return -1;
	if (strcmp(pid, "self"))
		snprintf(buf, len, "/proc/%s/root%s", pid, mnt);
	else
		snprintf(buf, len, "%s", mnt);
	return 0;
}

/* This process's cgroup, the path below the cgroup2 root, into @buf ("" for the root). */
static int own_cgroup(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	int found = 0;

	while (f && !found && fgets(buf, len, f))
		found = !strncmp(buf, "0::/", 4);
	if (f)
		fclose(f);
	if (!found)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	memmove(buf, buf + 3, strlen(buf + 3) + 1);
	if (!strcmp(buf, "/"))
		*buf = 0;
	return 0;
}

static void bpf_teardown(struct bpf_mode *b)
{
	int i;

	xtcpize_bpf__destroy(b->skel);
	if (b->procs >= 0)
		close(b->procs);
	/* emptied a moment ago, the cgroup may still be busy for a while */
	for (i = 0; i < 50 && rmdir(b->cg) && errno == EBUSY; i++)
		usleep(20000);
}

/*
 * Make the cgroup and attach the BPF program for it: 0, or -1 with the reason BPF mode
 * is not available here in @why.
 */
static int bpf_setup(struct bpf_mode *b, int proto, char *why, size_t len)
{
	char mnt[PATH_MAX + 32], own[PATH_MAX], path[sizeof(b->cg) + 16];
	struct utsname u;
	__u32 key = 0;
	int cgfd, err;

	b->procs = -1;
	b->cg[0] = 0;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len, "the kernel has no BTF (/sys/kernel/btf/vmlinux: %s)",
			 strerror(errno));
		return -1;
	}
	b->skel = xtcpize_bpf__open();
	if (!b->skel) {
		snprintf(why, len, "opening the BPF program: %s", strerror(errno));
		return -1;
	}
	b->skel->rodata->xtcp_proto = proto;
	/* libbpf looks for update_socket_protocol() in the kernel's BTF: ESRCH if absent */
	err = xtcpize_bpf__load(b->skel);
	if (err) {
		uname(&u);
		if (err == -ESRCH)
			snprintf(why, len, "Linux %s has no update_socket_protocol() to attach to "
				 "(it came in 6.6)", u.release);
		else
			snprintf(why, len, "loading the BPF program: %s%s", strerror(-err),
				 err == -EPERM ? " (BPF mode needs root: CAP_BPF and CAP_PERFMON)"
					       : "");
		goto fail;
	}
	if (cgroup2_mount("self", mnt, sizeof(mnt)) && cgroup2_mount("1", mnt, sizeof(mnt))) {
		snprintf(why, len, "no cgroup2 file system is mounted "
			 "(mount -t cgroup2 none /sys/fs/cgroup)");
		goto fail;
	}
	if (own_cgroup(own, sizeof(own))) {
		snprintf(why, len, "/proc/self/cgroup has no cgroup2 line");
		goto fail;
	}
	snprintf(b->cg, sizeof(b->cg), "%s%s/xtcpize-%d", mnt, own, getpid());
	if (mkdir(b->cg, 0755)) {
		snprintf(why, len, "mkdir %s: %s", b->cg, strerror(errno));
		b->cg[0] = 0;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", b->cg);
	b->procs = open(path, O_WRONLY | O_CLOEXEC);
	cgfd = open(b->cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->procs < 0 || cgfd < 0) {
		snprintf(why, len, "opening %s: %s", b->cg, strerror(errno));
		if (cgfd >= 0)
			close(cgfd);
		goto fail;
	}
	err = bpf_map__update_elem(b->skel->maps.target, &key, sizeof(key), &cgfd, sizeof(cgfd),
				   BPF_ANY);
	close(cgfd);
	if (err) {
		snprintf(why, len, "setting the BPF program's cgroup: %s", strerror(-err));
		goto fail;
	}
	err = xtcpize_bpf__attach(b->skel);
	if (err) {
		snprintf(why, len, "attaching the BPF program: %s", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	bpf_teardown(b);
	return -1;
}

/* Whether a process is left in the cgroup: its cgroup.events says "populated 1". */
static int populated(const struct bpf_mode *b)
{
	char path[sizeof(b->cg) + 16], buf[256];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.events", b->cg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return !!strstr(buf, "populated 1");
}

/* Send @sig to each process in the cgroup. */
static void signal_cgroup(const struct bpf_mode *b, int sig)
{
	char path[sizeof(b->cg) + 16];
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", b->cg);
	f = fopen(path, "re");
	while (f && fscanf(f, "%d", &pid) == 1)
		kill(pid, sig);
	if (f)
		fclose(f);
}

/* Run @argv in the cgroup, wait for it and what it left there: its exit status. */
static int bpf_run(struct bpf_mode *b, char **argv)
{
	static const int fwd[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	int st = 0, reaped = 0, sig;
	sigset_t set, old;
	siginfo_t si;
	unsigned int i;
	pid_t pid;

	if (verbose)
		fprintf(stderr, "xtcpize: BPF mode: %s runs in cgroup %s\n", argv[0], b->cg);
	sigemptyset(&set);
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&set, fwd[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid < 0) {
		perror("xtcpize: fork");
		return 1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* "0": the process writing */
		if (write(b->procs, "0", 1) != 1) {
			fprintf(stderr, "xtcpize: joining %s: %s\n", b->cg, strerror(errno));
			_exit(1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "xtcpize: %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (!reaped || populated(b)) {
		sig = sigtimedwait(&set, &si, &tick);
		/* the terminal's signals went to the whole process group already */
		if (sig > 0 && sig != SIGCHLD && si.si_code != SI_KERNEL) {
			if (reaped)
				signal_cgroup(b, sig);
			else
				kill(pid, sig);
		}
		if (!reaped && waitpid(pid, &st, WNOHANG) == pid)
			reaped = 1;
	}
	if (verbose)
		fprintf(stderr, "xtcpize: %llu socket(s) moved to protocol %d\n",
			(unsigned long long)b->skel->bss->moved, b->skel->rodata->xtcp_proto);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* ---- preload mode ---- */

static int preload_run(char **argv)
{
	char libbuf[PATH_MAX + 64], *preload;
	const char *lib, *old;

	if (verbose)
		setenv("XTCP_PRELOAD_VERBOSE", "1", 1);
	lib = find_lib(libbuf, sizeof(libbuf));
	if (!lib)
		return 1;
	old = getenv("LD_PRELOAD");
	if (old && *old) {
		if (asprintf(&preload, "%s:%s", lib, old) < 0)
			return 1;
	} else {
		preload = (char *)lib;
	}
	if (setenv("LD_PRELOAD", preload, 1)) {
		perror("xtcpize: setenv LD_PRELOAD");
		return 1;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "xtcpize: %s: %s\n", argv[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	enum { AUTO, BPF, PRELOAD } mode = AUTO;
	struct bpf_mode b;
	int i = 2, proto, fd, rc;
	char why[CG_MAX + 128];

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "run")) {
		fprintf(stderr, "xtcpize: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(argv[i], "--bpf") || !strcmp(argv[i], "--preload")) {
			mode = argv[i][2] == 'b' ? BPF : PRELOAD;
			continue;
		}
		fprintf(stderr, "xtcpize: run: unknown option '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	if (i >= argc) {
		fprintf(stderr, "xtcpize: run: no command given\n");
		usage(stderr);
		return 2;
	}

	proto = preload_proto();
	if (proto) {
		fd = socket(AF_INET, SOCK_STREAM, proto);
		if (fd < 0) {
			fprintf(stderr, "xtcpize: xtcp is not available: socket(AF_INET, SOCK_STREAM, "
				"%d): %s - load it with insmod xtcp.ko or make dkms-install\n",
				proto, strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (mode == PRELOAD)
		return preload_run(argv + i);
	libbpf_verbose = verbose && mode == BPF;
	libbpf_set_print(libbpf_print);
	if (!bpf_setup(&b, proto, why, sizeof(why))) {
		rc = bpf_run(&b, argv + i);
		bpf_teardown(&b);
		return rc;
	}
	if (mode == BPF) {
		fprintf(stderr, "xtcpize: BPF mode is not available: %s\n", why);
		return 1;
	}
	fprintf(stderr, "xtcpize: BPF mode is not available: %s; using the LD_PRELOAD library "
		"instead, which does not catch static or Go programs\n", why);
	return preload_run(argv + i);
}
