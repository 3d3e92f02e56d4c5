// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcp_preload.so: moves an unmodified program's TCP sockets onto xtcp.
 *
 *   LD_PRELOAD=build/user/lib/libxtcp_preload.so iperf3 -4 -s
 *
 * It wraps socket(): a call for AF_INET or AF_INET6 + SOCK_STREAM with protocol 0 or
 * IPPROTO_TCP opens protocol 253 (IPPROTO_XTCP) instead; SOCK_NONBLOCK and SOCK_CLOEXEC
 * are kept.  Every other call (AF_UNIX, SOCK_DGRAM, an explicit other protocol) goes
 * through untouched.  xtcp answers the TCP_* options at IPPROTO_TCP, so a program's
 * setsockopt(IPPROTO_TCP, TCP_NODELAY / TCP_CONGESTION / TCP_INFO ...) keeps working.
 * Where the kernel has no IPv6, socket(AF_INET6, ...) fails with EAFNOSUPPORT for
 * either protocol.
 *
 * Environment, read once when the library loads:
 *   XTCP_PRELOAD_PROTO=N   the protocol to use instead (default 253; 0: change nothing)
 *   XTCP_PRELOAD_VERBOSE=1 one line on stderr for each socket moved
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int (*real_socket)(int domain, int type, int protocol);
static int xtcp_proto = IPPROTO_XTCP;
static int verbose;

static void __attribute__((constructor)) xtcp_preload_init(void)
{
	const char *s = getenv("XTCP_PRELOAD_PROTO");
	char *end;
	long v;

	real_socket = dlsym(RTLD_NEXT, "socket");
	if (s && *s) {
		v = strtol(s, &end, 10);
		if (*end || v < 0 || v > 65535)
			fprintf(stderr, "xtcp_preload: XTCP_PRELOAD_PROTO=%s ignored\n", s);
		else
			xtcp_proto = v;
	}
	s = getenv("XTCP_PRELOAD_VERBOSE");
	verbose = s && *s && *s != '0';
}

int socket(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), fd, err;

	if (!real_socket) {
		real_socket = dlsym(RTLD_NEXT, "socket");
		if (!real_socket) {
			errno = EOPNOTSUPP;
			return -1;
		}
	}
	if (!xtcp_proto || (domain != AF_INET && domain != AF_INET6) || base != SOCK_STREAM ||
	    (protocol != 0 && protocol != IPPROTO_TCP))
		return real_socket(domain, type, protocol);

	fd = real_socket(domain, type, xtcp_proto);
	if (verbose) {
		err = errno;
		fprintf(stderr, "xtcp_preload: %d: %s SOCK_STREAM%s%s %d -> %d: %d%s%s\n",
			getpid(), domain == AF_INET ? "AF_INET" : "AF_INET6", type & SOCK_NONBLOCK ? "|NONBLOCK" : "",
			type & SOCK_CLOEXEC ? "|CLOEXEC" : "", protocol, xtcp_proto, fd,
			fd < 0 ? " " : "", fd < 0 ? strerrorname_np(err) : "");
		errno = err;
	}
	return fd;
}
