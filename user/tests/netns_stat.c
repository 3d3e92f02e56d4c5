// SPDX-License-Identifier: GPL-2.0
/*
 * netns_stat: the input path validates segments sent on IP protocol 253 from a raw socket
 * and counts them in /proc/net/xtcp_stat, separately in each network namespace.  A valid
 * segment for no socket is answered with a RST, which comes back to 127.0.0.1 and is
 * counted too (a RST is never answered).
 * Needs xtcp.ko loaded with the default protocol number.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/xtcp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "xtcp_test.h"

enum { IN_SEGS, IN_ERRS, IN_CSUM, NO_SOCKET, OUT_RSTS, NCOUNTERS };
static const char *const names[NCOUNTERS] = { "InSegs", "InErrs", "InCsumErrors", "NoSocket",
					      "OutRsts" };

/* Read the counters of this process's namespace; -1 where a name is missing. */
static void read_stat(long *v)
{
	int i;

	for (i = 0; i < NCOUNTERS; i++)
		v[i] = xtcp_stat(names[i]);
}

/* Send one segment to 127.0.0.1 on protocol @proto, checksummed with @csum_proto. */
static int send_segment(int proto, int csum_proto, size_t len, int doff, int corrupt)
{
	unsigned char seg[64] = { 0 };
	struct tcphdr *th = (struct tcphdr *)seg;
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned int sum;
	unsigned char pseudo[12];
	in_addr_t lo = htonl(INADDR_LOOPBACK);
	int fd, ret;

	th->source = htons(40000);
	th->dest = htons(5001);
	th->seq = htonl(1);
	th->doff = doff;
	th->syn = 1;
	th->window = htons(1024);
	memcpy(pseudo, &lo, 4);
	memcpy(pseudo + 4, &lo, 4);
	pseudo[8] = 0;
	pseudo[9] = csum_proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), seg, len);
	th->check = htons(csum_fold32(sum));
	if (corrupt)
		seg[len - 1] ^= 0x01;

	fd = socket(AF_INET, SOCK_RAW, proto);
	if (fd < 0)
		return -1;
	ret = sendto(fd, seg, len, 0, (struct sockaddr *)&dst, sizeof(dst));
	close(fd);
	return ret == (ssize_t)len ? 0 : -1;
}

/* Send, then check how each counter moved. */
static void expect(const char *what, int csum_proto, size_t len, int doff, int corrupt,
		   long d_segs, long d_errs, long d_csum, long d_nosock, long d_rsts)
{
	long a[NCOUNTERS], b[NCOUNTERS];

	read_stat(a);
	if (send_segment(IPPROTO_XTCP, csum_proto, len, doff, corrupt)) {
		tap_ok(0, "%s: raw send failed: %s", what, strerror(errno));
		return;
	}
#define MOVED_AS_EXPECTED							\
	(b[IN_SEGS] - a[IN_SEGS] == d_segs && b[IN_ERRS] - a[IN_ERRS] == d_errs &&	\
	 b[IN_CSUM] - a[IN_CSUM] == d_csum && b[NO_SOCKET] - a[NO_SOCKET] == d_nosock &&	\
	 b[OUT_RSTS] - a[OUT_RSTS] == d_rsts)
	/* every count moves by one at least: wait for them, 2 s at most */
	wait_for((read_stat(b), MOVED_AS_EXPECTED), 2);
	tap_ok(MOVED_AS_EXPECTED,
	       "%s: counters moved by InSegs %ld InErrs %ld InCsumErrors %ld NoSocket %ld OutRsts %ld",
	       what, b[IN_SEGS] - a[IN_SEGS], b[IN_ERRS] - a[IN_ERRS], b[IN_CSUM] - a[IN_CSUM],
	       b[NO_SOCKET] - a[NO_SOCKET], b[OUT_RSTS] - a[OUT_RSTS]);
#undef MOVED_AS_EXPECTED
}

int main(void)
{
	long init_before[NCOUNTERS], init_after[NCOUNTERS], v[NCOUNTERS];
	int status, i, all_named = 1;
	pid_t pid;

	read_stat(v);
	for (i = 0; i < NCOUNTERS; i++)
		all_named &= v[i] >= 0;
	tap_ok(all_named, "/proc/net/%s has InSegs, InErrs, InCsumErrors and NoSocket",
	       XTCP_PROC_STAT);

	expect("valid SYN, answered by a RST", IPPROTO_XTCP, 20, 5, 0, 2, 0, 0, 2, 1);
	expect("valid SYN with 20 data bytes", IPPROTO_XTCP, 40, 5, 0, 2, 0, 0, 2, 1);
	expect("truncated header (12 bytes)", IPPROTO_XTCP, 12, 5, 0, 1, 1, 0, 0, 0);
	expect("data offset 4", IPPROTO_XTCP, 20, 4, 0, 1, 1, 0, 0, 0);
	expect("data offset past the end", IPPROTO_XTCP, 24, 15, 0, 1, 1, 0, 0, 0);
	expect("checksum made with protocol 6", IPPROTO_TCP, 20, 5, 0, 1, 1, 1, 0, 0);
	expect("corrupted payload", IPPROTO_XTCP, 30, 5, 1, 1, 1, 1, 0, 0);

	/* a new namespace starts at zero and counts apart from this one */
	read_stat(init_before);
	pid = fork();
	if (pid == 0) {
		long c[NCOUNTERS];

		if (unshare(CLONE_NEWNET) || lo_up())
			_exit(10);
		read_stat(c);
		if (c[IN_SEGS] != 0 || c[NO_SOCKET] != 0)
			_exit(11);
		if (send_segment(IPPROTO_XTCP, IPPROTO_XTCP, 20, 5, 0))
			_exit(12);
		usleep(20000);
		read_stat(c);
		_exit(c[IN_SEGS] == 2 && c[NO_SOCKET] == 2 && c[OUT_RSTS] == 1 ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "new netns: counters start at 0 and count its own segment (child status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	read_stat(init_after);
	tap_ok(init_after[IN_SEGS] == init_before[IN_SEGS],
	       "the other netns's segment is not counted here (%ld -> %ld)",
	       init_before[IN_SEGS], init_after[IN_SEGS]);
	return tap_done();
}
