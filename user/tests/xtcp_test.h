/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the xtcp end-to-end tests: read the counters of /proc/net/xtcp_stat and
 * count the rows of /proc/net/xtcp, in the calling thread's network namespace; and the
 * small ones several tests share (time, shell commands, sysctl files, loopback, addresses,
 * checksums).  All static inline: a program uses only some.
 */
#ifndef XTCP_TEST_H
#define XTCP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/xtcp.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The counter @name of /proc/net/xtcp_stat; -1 if missing. */
static inline long xtcp_stat(const char *name)
{
	char hdr[4096], val[4096], *hs, *vs, *h, *v;
	FILE *f = fopen("/proc/net/" XTCP_PROC_STAT, "r");
	long n = -1;

	if (!f)
		return -1;
	if (fgets(hdr, sizeof(hdr), f) && fgets(val, sizeof(val), f)) {
		h = strtok_r(hdr, " \n", &hs);
		v = strtok_r(val, " \n", &vs);
		while ((h = strtok_r(NULL, " \n", &hs)) && (v = strtok_r(NULL, " \n", &vs)))
			if (!strcmp(h, name))
				n = atol(v);
	}
	fclose(f);
	return n;
}

/* Rows of /proc/net/xtcp in TCP state @state (hex code) with local port @port (0: any). */
static inline int xtcp_proc_rows(int state, int port)
{
	unsigned int lp, st;
	char line[512];
	FILE *f = fopen("/proc/net/" XTCP_PROC_SOCKETS, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lp, &st) == 2 &&
		    (int)st == state && (!port || (int)lp == port))
			n++;
	fclose(f);
	return n;
}

/* Seconds on the monotonic clock. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait until @cond holds, looking every 10 ms for @secs seconds at most: instead of a
 * sleep before an assertion, which passes or fails with the machine's speed.
 * Evaluates to whether it held.
 */
#define wait_for(cond, secs) ({						\
	double wait_end_ = now() + (secs);					\
	int held_;								\
									\
	while (!(held_ = !!(cond)) && now() < wait_end_)			\
		usleep(10000);							\
	held_;									\
})

/* Close with RST (SO_LINGER 0): no orphan, no TIME_WAIT left behind.  -1 is ignored. */
static inline void abort_fd(int fd)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	close(fd);
}

/* Run the shell command made of @fmt: 0 if it succeeded, else -1. */
__attribute__((format(printf, 1, 2)))
static inline int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) ? -1 : 0;
}

/* Write @val to the file @path (a sysctl, a tracing file): 0, or -1 with errno. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok, err;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	err = errno;
	close(fd);
	errno = err;
	return ok ? 0 : -1;
}

/* Bring up the loopback of the calling thread's network namespace: 0 or -1. */
static inline int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	strcpy(ifr.ifr_name, "lo");
	ret = fd < 0 ? -1 : ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ret = ret ?: ioctl(fd, SIOCSIFFLAGS, &ifr);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The IPv4 address @ip (dotted) and @port. */
static inline struct sockaddr_in sin_of(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* The Internet checksum: add @len bytes of @buf to @sum (big-endian 16-bit words). */
static inline unsigned int csum_add(unsigned int sum, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* ... and fold @sum into the 16-bit checksum, complemented (host order). */
static inline unsigned short csum_fold32(unsigned int sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)~sum;
}

#endif
