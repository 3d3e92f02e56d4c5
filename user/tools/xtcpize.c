// SPDX-License-Identifier: GPL-2.0
/*
 * xtcpize: run an unmodified program with its TCP sockets on xtcp.
 *
 *   xtcpize run [-v] [--] CMD [ARG...]
 *
 * Execs CMD with libxtcp_preload.so prepended to LD_PRELOAD (an LD_PRELOAD already set is
 * kept after it), so that the program's socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP)
 * calls open protocol 253 instead (SOCK_NONBLOCK/SOCK_CLOEXEC kept; see
 * user/lib/xtcp_preload.c).  -v sets XTCP_PRELOAD_VERBOSE=1: one line on stderr for
 * each socket moved.
 *
 * Before the exec it opens socket(AF_INET, SOCK_STREAM, 253) (which loads xtcp.ko through
 * its module alias when it is installed): if that fails, it says so and exits 1.
 *
 * The library is looked for, first found wins:
 *   $XTCPIZE_LIB                                  (a path to the library)
 *   <dir of xtcpize>/../lib/libxtcp_preload.so    (the build tree: build/user/tools/)
 *   <dir of xtcpize>/../lib/xtcp/libxtcp_preload.so   (installed: PREFIX/bin/)
 *   XTCPIZE_LIBDIR/libxtcp_preload.so             (PREFIX/lib/xtcp, fixed at build time)
 *
 * What it does not catch: statically linked programs and Go binaries (no libc socket()
 * call to wrap), sockets made through io_uring (IORING_OP_SOCKET), setuid/setgid
 * programs (the dynamic loader ignores LD_PRELOAD for them), AF_INET6 sockets (xtcp is
 * IPv4 only: they stay on TCP), and a program that clears its environment before
 * exec'ing a child.
 *
 * Exit status: CMD's (it replaces xtcpize); 1 if xtcp or the library is not available;
 * 2 for a usage error; 127 if CMD is not found, 126 if it cannot be executed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef XTCPIZE_LIBDIR
#define XTCPIZE_LIBDIR "/usr/local/lib/xtcp"
#endif
#define LIBNAME "libxtcp_preload.so"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xtcpize run [-v] [--] CMD [ARG...]\n"
		"  runs CMD with " LIBNAME " in LD_PRELOAD: its AF_INET SOCK_STREAM sockets\n"
		"  (protocol 0 or IPPROTO_TCP) are opened on xtcp (IP protocol %d) instead\n"
		"  -v   one line on stderr for each socket moved (XTCP_PRELOAD_VERBOSE=1)\n"
		"library: $XTCPIZE_LIB, else ../lib/" LIBNAME " or ../lib/xtcp/" LIBNAME
		" beside xtcpize,\n"
		"  else " XTCPIZE_LIBDIR "/" LIBNAME "\n"
		"not caught: static binaries and Go programs, io_uring sockets, setuid programs,\n"
		"  AF_INET6 sockets (xtcp is IPv4 only)\n", IPPROTO_XTCP);
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

int main(int argc, char **argv)
{
	char libbuf[PATH_MAX + 64], *preload;
	const char *lib, *old;
	int i = 2, proto, fd;

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
			setenv("XTCP_PRELOAD_VERBOSE", "1", 1);
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
	execvp(argv[i], argv + i);
	fprintf(stderr, "xtcpize: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
