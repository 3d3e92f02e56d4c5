/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the teardown tests (teardown.c over loopback, teardown_netns.c between two
 * namespaces): the rows of /proc/net/xtcp (or tcp) with every column, waits for a
 * connection's state, the protocol's sysctls (net.xtcp.* or their net.ipv4.tcp_*
 * equivalents for -p 6), raw-socket sniffing and crafting of segments (parsed and built
 * by the test library's xpeer.h), and the data pattern checks.  The counters are
 * stream.h's counter()/counter_name(); the watchdog is the library's.
 *
 * Every wait is bounded.  The rows are read through /proc/thread-self/net, so that a
 * thread that entered another namespace (setns) reads that namespace's sockets.
 */
#ifndef XTCP_TEARDOWN_H
#define XTCP_TEARDOWN_H

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* the helpers here and stream.h's (its transfer engine unused): not every program uses all */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "stream.h"
#include "xpeer.h"

/* TCP states, as /proc/net/tcp and /proc/net/xtcp show them; 0 here: no row */
enum {
	ST_NONE, ST_ESTABLISHED = 0x01, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1, ST_FIN_WAIT2,
	ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK, ST_LISTEN, ST_CLOSING
};

/* timer column tr */
enum { TR_NONE, TR_RETRANS, TR_KEEPALIVE, TR_TIMEWAIT, TR_PROBE0 };

#define USER_HZ		100	/* the unit of the tm->when column */

static const char *st_name(int st)
{
	static const char * const names[] = {
		"no row", "01 ESTABLISHED", "02 SYN_SENT", "03 SYN_RECV", "04 FIN_WAIT1",
		"05 FIN_WAIT2", "06 TIME_WAIT", "07 CLOSE", "08 CLOSE_WAIT", "09 LAST_ACK",
		"0A LISTEN", "0B CLOSING"
	};

	return st >= 0 && st < (int)ARRAY_SIZE(names) ? names[st] : "?";
}

static int is_xtcp(void)
{
	return proto == IPPROTO_XTCP;
}

/* ---- the rows ---- */

struct row {
	unsigned int lport, rport, st, txq, rxq, tr, retr, uid;
	unsigned long when, inode;
	int columns;		/* how many columns the row has */
};

/* The sockets' table of this thread's namespace, for the protocol and the family. */
static const char *rows_file(void)
{
	if (family == AF_INET6)
		return is_xtcp() ? "/proc/thread-self/net/" XTCP_PROC_SOCKETS6 :
				   "/proc/thread-self/net/tcp6";
	return is_xtcp() ? "/proc/thread-self/net/" XTCP_PROC_SOCKETS :
			   "/proc/thread-self/net/tcp";
}

static int row_parse(const char *line, struct row *r)
{
	char copy[512], *save, *tok;
	int timeout;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, " %*d: %*x:%x %*x:%x %x %x:%x %x:%lx %x %u %d %lu", &r->lport,
		   &r->rport, &r->st, &r->txq, &r->rxq, &r->tr, &r->when, &r->retr, &r->uid,
		   &timeout, &r->inode) != 11)
		return -1;
	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		r->columns++;
	return 0;
}

/* The next row of the rows file @f (rows_file(), open) into @r: 0, or -1 at its end. */
static int row_next(FILE *f, struct row *r)
{
	char line[512];

	while (fgets(line, sizeof(line), f))
		if (!row_parse(line, r))
			return 0;
	return -1;
}

/* The row of @lport -> @rport into @r (may be NULL); its state, or ST_NONE if none. */
static int row_of(int lport, int rport, struct row *r)
{
	FILE *f = fopen(rows_file(), "r");
	struct row t;
	int st = ST_NONE;

	if (!f)
		return -1;
	while (!row_next(f, &t))
		if ((int)t.lport == lport && (int)t.rport == rport) {
			st = t.st;
			if (r)
				*r = t;
		}
	fclose(f);
	return st;
}

/*
 * Rows in state @st (-1: any), or with @except in any state but @st, with local port
 * @lport and remote port @rport (0: any), in one read of the file (states change).
 */
static int rows_match(int st, int except, int lport, int rport)
{
	FILE *f = fopen(rows_file(), "r");
	struct row t;
	int n = 0;

	if (!f)
		return -1;
	while (!row_next(f, &t))
		n += ((st < 0 || (int)t.st == st) != except) &&
		     (!lport || (int)t.lport == lport) && (!rport || (int)t.rport == rport);
	fclose(f);
	return n;
}

/* Rows in state @st (-1: any) with local port @lport and remote port @rport (0: any). */
static int rows_count(int st, int lport, int rport)
{
	return rows_match(st, 0, lport, rport);
}

/* Rows NOT in state @st with those ports. */
static int rows_count_not(int st, int lport, int rport)
{
	return rows_match(st, 1, lport, rport);
}

/*
 * A count of the protocol's line in its sockstat file: /proc/net/xtcp_sockstat
 * ("XTCP: orphan N tw N alloc N mem N") or the TCP line of /proc/net/sockstat; -1 if
 * missing.  Orphans and sockets are machine-wide, TIME_WAITs per namespace.
 */
static long sockstat(const char *key)
{
	const char *file = is_xtcp() ? "/proc/thread-self/net/" XTCP_PROC_SOCKSTAT :
				       "/proc/thread-self/net/sockstat";
	const char *prefix = is_xtcp() ? "XTCP:" : "TCP:";
	char line[256], *save, *tok;
	FILE *f = fopen(file, "r");
	long n = -1;

	if (!f)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		strtok_r(line, " \n", &save);
		while ((tok = strtok_r(NULL, " \n", &save)))
			if (!strcmp(tok, key) && (tok = strtok_r(NULL, " \n", &save))) {
				n = atol(tok);
				break;
			}
	}
	fclose(f);
	return n;
}

/*
 * Wait up to @secs for the row of @lport -> @rport to be in state @st (ST_NONE: for it
 * to be gone); returns the state last seen.  *@took (may be NULL): the seconds it took.
 */
static int wait_state(int lport, int rport, int st, double secs, double *took)
{
	double t0 = now(), end = t0 + secs;
	int cur;

	for (;;) {
		cur = row_of(lport, rport, NULL);
		if (cur == st || now() > end)
			break;
		msleep(5);
	}
	if (took)
		*took = now() - t0;
	return cur;
}

/* Wait up to @secs for rows_count(@st, @lport, @rport) to be @n; returns the count. */
static int wait_count(int st, int lport, int rport, int n, double secs)
{
	double end = now() + secs;
	int cur;

	while ((cur = rows_count(st, lport, rport)) != n && now() < end)
		msleep(20);
	return cur;
}

/* The rows of the calling thread's namespace as TAP comments. */
static void rows_dump(const char *what)
{
	dump_file(rows_file(), "%s: /proc/net/%s of this namespace", what,
		  is_xtcp() ? XTCP_PROC_SOCKETS : "tcp");
}

/* ---- sysctls: net.xtcp.NAME, or its net.ipv4 equivalent for -p 6 ---- */

static const struct {
	const char *name;
	int xtcp;		/* net.xtcp.NAME exists */
	const char *tcp;	/* Linux's equivalent in net.ipv4, or NULL */
} knobs[] = {
	{ "fin_timeout", 1, "tcp_fin_timeout" },
	{ "tw_timeout", 1, NULL },			/* Linux's TIME_WAIT is fixed at 60 s */
	{ "max_tw_buckets", 1, "tcp_max_tw_buckets" },
	{ "orphan_retries", 1, "tcp_orphan_retries" },
	{ "keepalive_time", 1, "tcp_keepalive_time" },
	{ "keepalive_intvl", 1, "tcp_keepalive_intvl" },
	{ "keepalive_probes", 1, "tcp_keepalive_probes" },
	{ "max_orphans", 1, "tcp_max_orphans" },	/* the initial namespace only */
	{ "tw_reuse", 1, "tcp_tw_reuse" },
	{ "rfc1337", 0, "tcp_rfc1337" },		/* Linux only */
};

/* The path of the sysctl @name for the protocol into @buf; NULL if it has none. */
static const char *knob_path(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (strcmp(name, knobs[i].name))
			continue;
		if (is_xtcp() && knobs[i].xtcp)
			snprintf(buf, size, "/proc/sys/net/xtcp/%s", name);
		else if (!is_xtcp() && knobs[i].tcp)
			snprintf(buf, size, "/proc/sys/net/ipv4/%s", knobs[i].tcp);
		else
			return NULL;
		return buf;
	}
	return NULL;
}

/* The name to print for the sysctl @name: net.xtcp.NAME or net.ipv4.tcp_... */
static const char *knob_name(const char *name)
{
	static char bufs[4][128];
	static int k;
	char path[128], *b = bufs[k++ % 4], *p;

	if (!knob_path(name, path, sizeof(path))) {
		snprintf(b, 128, "net.xtcp.%s", name);
		return b;
	}
	snprintf(b, 128, "%s", path + strlen("/proc/sys/"));
	for (p = b; *p; p++)
		if (*p == '/')
			*p = '.';
	return b;
}

/* The value of sysctl @name in the calling thread's namespace; -1 with errno if none. */
static long knob_get(const char *name)
{
	char path[128], buf[64];
	ssize_t n;
	int fd;

	if (!knob_path(name, path, sizeof(path))) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atol(buf);
}

/* Set sysctl @name to @v in the calling thread's namespace: 0, or -1 with errno. */
static int knob_set(const char *name, long v)
{
	char path[128], buf[32];

	if (!knob_path(name, path, sizeof(path))) {
		errno = ENOENT;
		return -1;
	}
	snprintf(buf, sizeof(buf), "%ld\n", v);
	return write_file(path, buf);
}

/*
 * Set sysctl @name in the calling thread's namespace and print it; a failure is a
 * failed check (the test cannot go on as meant).
 */
static int knob_must(const char *name, long v)
{
	if (knob_set(name, v) == 0 && knob_get(name) == v) {
		printf("# %s = %ld\n", knob_name(name), v);
		return 0;
	}
	tap_ok(0, "set %s to %ld: %s", knob_name(name), v, strerrorname_np(errno));
	return -1;
}

/* ---- checks: a failed one prints the program's diagnostics (the sockets, counters) ---- */

static void (*on_fail)(void);

#define check(...) ({							\
	int ok_ = tap_ok(__VA_ARGS__);					\
	if (!ok_ && on_fail)						\
		on_fail();						\
	ok_;								\
})

#define check_errno(ret, err, want, what) ({				\
	int ok_ = tap_errno(ret, err, want, what);			\
	if (!ok_ && on_fail)						\
		on_fail();						\
	ok_;								\
})

/* ---- sockets ---- */

/* A socket of the protocol whose blocking calls give up after 5 s. */
static int sock(void)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(family, SOCK_STREAM, proto);

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

/* A listener on @ip:@port (SO_REUSEADDR) of the sockets' family; -1 with errno. */
static int listener_on(const char *ip, int port)
{
	struct sockaddr_storage a;
	socklen_t len = sa_of(family, ip, port, &a);
	int fd = sock(), one = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, len) || listen(fd, 128)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int so_error(int fd)
{
	return getint(fd, SOL_SOCKET, SO_ERROR);
}

/* tcpi_probes of @fd's TCP_INFO (the probes unanswered); -1 if it cannot be read. */
static int tcpi_probes(int fd)
{
	struct tcp_info ti = { 0 };
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ? -1 : ti.tcpi_probes;
}

/* SO_KEEPALIVE on @fd, with TCP_KEEPIDLE @idle, TCP_KEEPINTVL @intvl, TCP_KEEPCNT @cnt. */
static int keepalive_on(int fd, int idle, int intvl, int cnt)
{
	return setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1) ||
	       setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle) ||
	       setint(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl) ||
	       setint(fd, IPPROTO_TCP, TCP_KEEPCNT, cnt);
}


static int set_linger(int fd, int on, int secs)
{
	struct linger lin = { .l_onoff = on, .l_linger = secs };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
}

/* poll() @fd for @events up to @ms; the revents, 0 on timeout. */
static int poll1(int fd, int events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static const char *errname(int ret, int err)
{
	return ret < 0 ? strerrorname_np(err) : "no error";
}

/* ---- data: stream.h's xorshift pattern, sent and verified ---- */

/* Send @len bytes of the pattern @seed on @fd (blocking); bytes sent. */
static uint64_t send_pattern(int fd, uint64_t len, uint64_t seed)
{
	static __thread unsigned char buf[CHUNK];
	uint64_t done = 0;
	struct gen g;
	ssize_t k;
	size_t n;

	gen_init(&g, seed);
	while (done < len) {
		n = len - done < CHUNK ? len - done : CHUNK;
		gen_fill(&g, buf, n);
		for (size_t off = 0; off < n; off += k) {
			k = send(fd, buf + off, n - off, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR) {
				k = 0;
				continue;
			}
			if (k <= 0)
				return done + off;
		}
		done += n;
	}
	return done;
}

/*
 * Read the pattern @seed from @fd and verify it: with @exact @len bytes and no more, else
 * until the end of the stream (or CHUNK bytes more than @len, then *@end is -EMSGSIZE).
 * An error or the end of the stream stops either, and sets *@end: 1 if recv returned 0,
 * else -errno.  *@good: the bytes that matched before the first mismatch.  Returns the
 * bytes read.
 */
static uint64_t recv_verify(int fd, uint64_t len, uint64_t seed, int exact, uint64_t *good,
			    int *end)
{
	static __thread unsigned char buf[CHUNK], exp[CHUNK];
	uint64_t done = 0;
	int mismatch = 0;
	struct gen g;
	ssize_t k, i;

	gen_init(&g, seed);
	*good = 0;
	while (!exact || done < len) {
		k = recv(fd, buf, exact && len - done < CHUNK ? len - done : CHUNK, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			*end = k == 0 ? 1 : -errno;
			return done;
		}
		if (done + k > len + CHUNK) {
			*end = -EMSGSIZE;
			return done + k;
		}
		if (!mismatch) {
			size_t n = done + k <= len ? (size_t)k : done < len ? len - done : 0;

			gen_fill(&g, exp, n);
			for (i = 0; i < (ssize_t)n && buf[i] == exp[i]; i++)
				;
			*good += i;
			mismatch = i < k;
		}
		done += k;
	}
	return done;
}

/*
 * Read from @fd until the end of the stream (or an error, or CHUNK bytes more than
 * @len); *@good: the bytes that matched the pattern @seed before the first mismatch.
 * Returns the bytes read; *@end: 1 if recv then returned 0, else -errno.
 */
static uint64_t recv_pattern(int fd, uint64_t len, uint64_t seed, uint64_t *good, int *end)
{
	return recv_verify(fd, len, seed, 0, good, end);
}

/* Read exactly @len bytes of the pattern @seed from @fd; *@good as recv_pattern(). */
static uint64_t recv_exact(int fd, uint64_t len, uint64_t seed, uint64_t *good)
{
	int end;

	return recv_verify(fd, len, seed, 1, good, &end);
}

static const char *end_str(int end)
{
	return end == 1 ? "then 0, end of stream" : strerrorname_np(-end);
}

/* ---- segments: sniffed and crafted on a raw socket of the protocol ---- */

/* A raw socket receiving every segment of the protocol in this namespace. */
static int sniffer(void)
{
	return socket(AF_INET, SOCK_RAW, proto);
}

/*
 * The next segment on @raw from port @sport to port @dport with all of @flags set, none
 * of @noflags and at least @minlen bytes of data, within @ms; 0, or -1 if none came.
 */
static int sniff(int raw, int sport, int dport, int flags, int noflags, int minlen, int ms,
		 struct xseg *s)
{
	unsigned char pkt[70000];
	double end = now() + ms / 1000.0;
	int left;
	ssize_t n;

	for (;;) {
		left = (int)((end - now()) * 1000);
		if (left <= 0 || !(poll1(raw, POLLIN, left) & POLLIN))
			return -1;
		n = recv(raw, pkt, sizeof(pkt), MSG_DONTWAIT);
		if (n <= 0 || xseg_parse(pkt, n, proto, s))
			continue;
		if (s->sport == sport && s->dport == dport && (s->flags & flags) == flags &&
		    !(s->flags & noflags) && s->len >= minlen)
			return 0;
	}
}

/*
 * Send a bare segment (no options, no data) @saddr:@sport -> @daddr:@dport with @seq,
 * @ack and @flags, checksummed for the protocol, from a raw socket; 0 or -1.
 */
static int craft(uint32_t saddr, int sport, uint32_t daddr, int dport, uint32_t seq,
		 uint32_t ack, int flags)
{
	struct xseg s = {
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags, .win = 65535,
	};
	int fd = xseg_raw_socket(), ret;

	if (fd < 0)
		return -1;
	ret = xseg_raw_send(fd, &s, proto);
	close(fd);
	return ret;
}

/* ---- counters: stream.h's counter(), with a name for -p 6 ---- */

/* "NAME +D" for a counter's change: NAME is the protocol's own (counter_name()). */
static const char *delta_str(const char *name, long before, char *buf)
{
	long after = counter(name);

	if (before < 0 || after < 0)
		snprintf(buf, 80, "%s missing", counter_name(name));
	else
		snprintf(buf, 80, "%s %+ld", counter_name(name), after - before);
	return buf;
}

/* The change of counter @name since @before; -1000000 if it cannot be read. */
static long delta(const char *name, long before)
{
	long after = counter(name);

	return before < 0 || after < 0 ? -1000000 : after - before;
}

#pragma GCC diagnostic pop

#endif
