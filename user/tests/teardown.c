// SPDX-License-Identifier: GPL-2.0
/*
 * teardown: closing connections over loopback (127.0.0.1; ::1 with -6), as Linux TCP
 * closes them.
 * Orderly close from either side (FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, TIME_WAIT
 * in /proc/net/xtcp, their timers, the data queued before close() delivered, end of
 * stream); half-close (SHUT_WR, SHUT_RD, SHUT_RDWR); the RSTs of close() with unread
 * data, of SO_LINGER 0 and of data arriving after close(), and what the peer's calls then
 * return (ECONNRESET, EPIPE, SIGPIPE); SO_LINGER with a timeout; fin_timeout dropping an
 * orphaned FIN_WAIT2; RSTs and SYNs crafted on a raw socket (RFC 5961 challenge ACKs, a
 * RST ending a TIME_WAIT); TIME_WAIT 4-tuple reuse with SO_REUSEADDR; thousands of short
 * connections and their TIME_WAITs expiring; max_tw_buckets; keepalive options and
 * probes; max_orphans; the sysctls and the counters of each.
 *
 * The tests run in private network namespaces (unshare), so that the per-namespace
 * sysctls they set vanish with them and the counters see only their own connections;
 * max_orphans, a knob of the initial namespace only, is set there and restored.
 *
 *   teardown [-6] [-p PROTO] [-n CONNECTIONS]
 *     -6              over IPv6 (::1, /proc/net/xtcp6 or tcp6); the two cases that craft
 *                     segments on a raw IPv4 socket (challenge ACKs, a RST ending a
 *                     TIME_WAIT) do not run, and say so
 *     -p PROTO        IP protocol (default 253, xtcp; 6 runs the same checks against
 *                     Linux TCP, its /proc/net/tcp, counters and net.ipv4.tcp_* sysctls)
 *     -n CONNECTIONS  the short connections in a row (default 2000)
 * Runs as root.  TIME_WAIT lasts net.xtcp.tw_timeout seconds in xtcp and a fixed 60 s in
 * Linux TCP: with -p 6 the checks of TIME_WAITs expiring are replaced by their presence.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include "teardown.h"

#define TW_SHORT	2	/* net.xtcp.tw_timeout in most tests */

static const char *lo = "127.0.0.1";	/* ::1 with -6 */
static int ns_orig = -1, ns_cur = -1;	/* the initial namespace, the test's */
static int lfd = -1, lport;		/* the current listener */
static volatile sig_atomic_t sigpipes;
static long max_orphans_saved = -1;	/* to restore in the initial namespace */

/* ---- namespaces ---- */

/* A new private namespace for the main thread (the old one goes with its sockets). */
static int fresh_ns(const char *what)
{
	if (unshare(CLONE_NEWNET) || lo_up()) {
		check(0, "%s: a private network namespace with loopback up: %s", what,
		      strerrorname_np(errno));
		return -1;
	}
	if (ns_cur >= 0)
		close(ns_cur);
	ns_cur = open("/proc/thread-self/ns/net", O_RDONLY);
	printf("# %s: in a new network namespace\n", what);
	return 0;
}

static void restore_max_orphans(void)
{
	if (max_orphans_saved < 0)
		return;
	setns(ns_orig, CLONE_NEWNET);
	knob_set("max_orphans", max_orphans_saved);
	printf("# %s restored to %ld\n", knob_name("max_orphans"), max_orphans_saved);
	max_orphans_saved = -1;
	setns(ns_cur, CLONE_NEWNET);
}

/* The watchdog's: the rows and counters of the test's namespace, then restore. */
static void diag(void)
{
	if (ns_cur >= 0)
		setns(ns_cur, CLONE_NEWNET);	/* the watchdog thread's namespace */
	rows_dump("the sockets");
	stat_dump("the counters");
}

/* A failed check's: the rows and counters of the test's namespace. */
static void fail_diag(void)
{
	rows_dump("the sockets after the failed check");
	stat_dump("the counters");
}

static void cleanup(void)
{
	if (max_orphans_saved >= 0 && setns(ns_orig, CLONE_NEWNET) == 0)
		knob_set("max_orphans", max_orphans_saved);
}

/* ---- connections ---- */

/* A listener on loopback port @port in the current namespace, for pair(). */
static int listen_on(int port)
{
	if (lfd >= 0)
		close(lfd);
	lport = port;
	lfd = listener_on(lo, port);
	if (lfd < 0)
		check(0, "a listener on %s port %d: %s", lo, port, strerrorname_np(errno));
	return lfd;
}

/* Connect the socket @c to the listener; the accepted socket, or -1. */
static int join(int c)
{
	struct sockaddr_storage a;
	socklen_t len = sa_of(family, lo, lport, &a);

	if (c < 0 || connect(c, (struct sockaddr *)&a, len))
		return -1;
	return accept(lfd, NULL, NULL);
}

/* A connected pair, client @c and server @s, as a check on failure only. */
static int pair(int *c, int *s, const char *what)
{
	*c = sock();
	*s = join(*c);
	if (*s >= 0)
		return 0;
	check(0, "%s: connect and accept: %s", what, strerrorname_np(errno));
	if (*c >= 0)
		close(*c);
	*c = -1;
	return -1;
}

/* The local and remote ports of @fd, as /proc shows them. */
#define PORTS(fd, l, r) local_remote(fd, &(l), &(r))

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* The expected timer of an orphaned FIN_WAIT2: xtcp's contract 2; Linux's minisocket 3 */
static unsigned int fin_wait2_orphan_tr(void)
{
	return is_xtcp() ? TR_KEEPALIVE : TR_TIMEWAIT;
}

static const char *fin_wait2_orphan_why(void)
{
	return is_xtcp() ? "the FIN_WAIT2 timer, tr 2" :
			   "Linux: a FIN_WAIT2 minisocket, tr 3";
}

/* ---- the sysctls ---- */

static void test_sysctls(void)
{
	static const struct { const char *name; long def; } defs[] = {
		{ "fin_timeout", 60 }, { "tw_timeout", 60 }, { "max_tw_buckets", 8192 },
		{ "orphan_retries", 0 }, { "keepalive_time", 7200 }, { "keepalive_intvl", 75 },
		{ "keepalive_probes", 9 }, { "tw_reuse", 2 },
	};
	char path[128];
	long v, orig;
	size_t i;
	int ret, e;

	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		if (!knob_path(defs[i].name, path, sizeof(path)))
			continue;	/* tw_timeout: Linux has none */
		v = knob_get(defs[i].name);
		if (!is_xtcp() && !strcmp(defs[i].name, "max_tw_buckets"))
			check(v > 0, "a fresh namespace's %s is set (%ld; Linux sizes it from "
			      "its hash)", knob_name(defs[i].name), v);
		else
			check(v == defs[i].def, "a fresh namespace's %s is %ld (%ld)",
			      knob_name(defs[i].name), defs[i].def, v);
	}
	v = knob_get("max_orphans");
	e = errno;
	check(v == -1 && e == ENOENT, "%s is not in a namespace other than the initial one "
	      "(%ld, %s)", knob_name("max_orphans"), v, v < 0 ? strerrorname_np(e) : "found");
	setns(ns_orig, CLONE_NEWNET);
	v = knob_get("max_orphans");
	orig = knob_get("fin_timeout");
	setns(ns_cur, CLONE_NEWNET);
	if (is_xtcp())
		check(v == 8192, "the initial namespace's %s is 8192 (%ld)",
		      knob_name("max_orphans"), v);
	else
		check(v > 0, "the initial namespace's %s is set (%ld)", knob_name("max_orphans"),
		      v);

	/* per namespace: a value set here leaves the initial namespace's alone */
	ret = knob_set("fin_timeout", 7);
	v = knob_get("fin_timeout");
	setns(ns_orig, CLONE_NEWNET);
	e = knob_get("fin_timeout");
	setns(ns_cur, CLONE_NEWNET);
	check(!ret && v == 7 && e == orig && orig > 0,
	      "%s = 7 here reads back 7 (%ld) and leaves the initial namespace's %ld (%d)",
	      knob_name("fin_timeout"), v, orig, e);
	knob_set("fin_timeout", 60);

	if (!is_xtcp())
		return;
	ret = knob_set("tw_timeout", 0);
	e = errno;
	check_errno(ret, e, EINVAL, "net.xtcp.tw_timeout = 0 (the minimum is 1)");
	ret = knob_set("tw_timeout", 1);
	v = knob_get("tw_timeout");
	check(!ret && v == 1, "net.xtcp.tw_timeout = 1 is accepted and reads back (%ld)", v);
	knob_set("tw_timeout", TW_SHORT);
}

/* ---- orderly close ---- */

static void test_client_closes_first(void)
{
	/* within the server's receive window: the client's send ends before anyone reads */
	const uint64_t len = 50000;
	uint64_t seed = next_seed(), sent, got, good;
	long rst0, er0, tw0, d1, d2;
	int c, s, cl, cr, st, end, ev;
	char ebuf[80];
	struct row r;
	double took, t_close;

	if (pair(&c, &s, "client closes first"))
		return;
	watchdog_step("client closes first", 30);
	PORTS(c, cl, cr);
	rst0 = counter("OutRsts");
	er0 = counter("EstabResets");
	tw0 = counter("TW");
	sent = send_pattern(c, len, seed);
	close(c);
	got = recv_pattern(s, len, seed, &good, &end);
	check(sent == len && got == len && good == len && end == 1,
	      "client closes first: the server reads the %llu bytes sent before close() "
	      "(%llu read, %llu verified), %s", (unsigned long long)len,
	      (unsigned long long)got, (unsigned long long)good, end_str(end));
	st = wait_state(cl, cr, ST_FIN_WAIT2, 2, NULL);
	row_of(cl, cr, &r);
	check(st == ST_FIN_WAIT2 && r.tr == fin_wait2_orphan_tr(),
	      "... the closed client is in 05 FIN_WAIT2 with %s (%s, tr %u)",
	      fin_wait2_orphan_why(), st_name(st), r.tr);
	st = row_of(cr, cl, &r);
	check(st == ST_CLOSE_WAIT && r.tr == TR_NONE,
	      "... the server is in 08 CLOSE_WAIT with no timer (%s, tr %u)", st_name(st), r.tr);
	ev = poll1(s, POLLIN | POLLOUT | POLLRDHUP, 0);
	check(ev == (POLLIN | POLLOUT | POLLRDHUP),
	      "... poll on the server: POLLIN|POLLOUT|POLLRDHUP (%s)", events_str(ev, ebuf));

	close(s);
	t_close = now();
	st = wait_state(cl, cr, ST_TIME_WAIT, 2, NULL);
	row_of(cl, cr, &r);
	check(st == ST_TIME_WAIT && r.tr == TR_TIMEWAIT,
	      "... after the server's close() the client is in 06 TIME_WAIT, tr 3 (%s, tr %u)",
	      st_name(st), r.tr);
	check(st == ST_TIME_WAIT && r.when > 0 &&
	      r.when <= (unsigned long)(is_xtcp() ? TW_SHORT : 60) * USER_HZ,
	      "... its timer runs out within %s (%lu ticks of 1/%d s left)",
	      is_xtcp() ? "net.xtcp.tw_timeout, 2 s" : "Linux's 60 s", r.when, USER_HZ);
	check(st == ST_TIME_WAIT && r.inode == 0 && r.uid == 0 && r.txq == 0 && r.rxq == 0 &&
	      r.columns == 12,
	      "... its row is a minisocket's, as TCP's: inode 0, uid 0, queues 0, 12 columns "
	      "(inode %lu, uid %u, tx %u, rx %u, %d columns)", r.inode, r.uid, r.txq, r.rxq,
	      r.columns);
	st = wait_state(cr, cl, ST_NONE, 2, NULL);
	check(st == ST_NONE, "... and the server's row is gone, LAST_ACK passed (%s)",
	      st_name(st));
	d1 = delta("OutRsts", rst0);
	d2 = delta("EstabResets", er0);
	check(d1 == 0 && d2 == 0, "... an orderly close sends no RST (%s, %s)",
	      delta_str("OutRsts", rst0, ebuf), delta_str("EstabResets", er0, ebuf + 40));

	/* xtcp counts a TIME_WAIT when it expires; Linux when it starts (if over 4 s) */
	check(delta("TW", tw0) == (is_xtcp() ? 0 : 1), "... %s (%s)",
	      is_xtcp() ? "not counted in TW while it lasts" : "Linux counts it in TW as it starts",
	      delta_str("TW", tw0, ebuf));
	if (is_xtcp()) {
		st = wait_state(cl, cr, ST_NONE, TW_SHORT + 3, NULL);
		took = now() - t_close;
		check(st == ST_NONE && took >= TW_SHORT - 0.3,
		      "... the TIME_WAIT ends after net.xtcp.tw_timeout %d s (%s after %.1f s)",
		      TW_SHORT, st_name(st), took);
		check(delta("TW", tw0) == 1, "... and is counted: %s", delta_str("TW", tw0, ebuf));
	} else {
		unsigned long w0 = r.when;

		msleep(2500);
		st = row_of(cl, cr, &r);
		check(st == ST_TIME_WAIT && w0 - r.when >= 2 * USER_HZ,
		      "... and is still there 2.5 s later, Linux's TIME_WAIT being 60 s (%s, timer "
		      "%lu -> %lu)", st_name(st), w0, r.when);
	}
	watchdog_step(NULL, 0);
}

/* The server sends until the client's window and its own buffer are full, then closes. */
static void test_close_with_queued_data(void)
{
	static unsigned char buf[8 * MiB];
	uint64_t seed = next_seed(), queued = 0, got, good;
	int c, s, cl, cr, st, end, fl, e = 0;
	struct gen g;
	struct row r;
	ssize_t k;

	gen_init(&g, seed);
	gen_fill(&g, buf, sizeof(buf));
	c = sock();
	setint(c, SOL_SOCKET, SO_RCVBUF, 8192);
	s = join(c);
	if (!check(s >= 0, "queued data: connected (client SO_RCVBUF 8192)")) {
		close(c);
		return;
	}
	watchdog_step("close with queued data", 30);
	PORTS(c, cl, cr);
	fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	for (int round = 0; round < 3; round++) {	/* until the window stays closed */
		while (queued < sizeof(buf) &&
		       (k = send(s, buf + queued, sizeof(buf) - queued, MSG_NOSIGNAL)) > 0)
			queued += k;
		e = errno;
		msleep(100);
	}
	check(queued > 0 && queued < sizeof(buf) && e == EAGAIN,
	      "queued data: the server queues %llu bytes to a client that does not read, "
	      "then %s", (unsigned long long)queued, strerrorname_np(e));
	fcntl(s, F_SETFL, fl);
	msleep(300);
	close(s);
	st = wait_state(cr, cl, ST_FIN_WAIT1, 1, NULL);
	row_of(cr, cl, &r);
	check(st == ST_FIN_WAIT1 && r.txq > 0 && r.tr == TR_PROBE0,
	      "... after close() the server is in 04 FIN_WAIT1 with tx_queue > 0, probing the "
	      "zero window, tr 4 (%s, tx_queue %u, tr %u)", st_name(st), r.txq, r.tr);
	got = recv_pattern(c, queued, seed, &good, &end);
	check(got == queued && good == queued && end == 1,
	      "... the client then reads all %llu bytes queued before close() (%llu, %llu "
	      "verified), %s", (unsigned long long)queued, (unsigned long long)got,
	      (unsigned long long)good, end_str(end));
	st = wait_state(cr, cl, ST_FIN_WAIT2, 2, NULL);
	e = row_of(cl, cr, NULL);
	check(st == ST_FIN_WAIT2 && e == ST_CLOSE_WAIT,
	      "... the server's FIN is ACKed: server 05 FIN_WAIT2, client 08 CLOSE_WAIT (%s, %s)",
	      st_name(st), st_name(e));
	close(c);
	st = wait_state(cr, cl, ST_TIME_WAIT, 2, NULL);
	e = wait_state(cl, cr, ST_NONE, 2, NULL);
	check(st == ST_TIME_WAIT && e == ST_NONE,
	      "... the client closes: the server, which closed first, is in 06 TIME_WAIT and "
	      "the client gone (%s, %s)", st_name(st), st_name(e));
	watchdog_step(NULL, 0);
}

struct sender {
	int fd;
	uint64_t len, seed, sent;
};

static void *sender_main(void *arg)
{
	struct sender *a = arg;

	a->sent = send_pattern(a->fd, a->len, a->seed);
	return NULL;
}

static void test_half_close(void)
{
	struct sender a = { .len = MiB, .seed = next_seed() };
	uint64_t got, good;
	int c, s, cl, cr, st, st2, ret, e, ev;
	char ebuf[80];
	struct row r;
	pthread_t t;

	if (pair(&c, &s, "half-close"))
		return;
	watchdog_step("half-close", 30);
	PORTS(c, cl, cr);
	ret = shutdown(c, SHUT_WR);
	got = recv(s, ebuf, 1, 0);
	e = errno;
	check(!ret && got == 0, "half-close: after the client's shutdown(SHUT_WR) the server "
	      "reads 0, end of stream (%d, %s)", (int)got, errname(got, e));
	ev = poll1(s, POLLRDHUP, 0);
	check(ev & POLLRDHUP, "... and poll on the server reports POLLRDHUP (%s)",
	      events_str(ev, ebuf));
	st = wait_state(cl, cr, ST_FIN_WAIT2, 1, NULL);	/* the FIN's ACK may be delayed */
	row_of(cl, cr, &r);
	check(st == ST_FIN_WAIT2 && r.tr == TR_NONE,
	      "... the client, still open, is in 05 FIN_WAIT2 with no timer (%s, tr %u)",
	      st_name(st), r.tr);
	st = row_of(cr, cl, NULL);
	check(st == ST_CLOSE_WAIT, "... the server in 08 CLOSE_WAIT (%s)", st_name(st));
	a.fd = s;
	pthread_create(&t, NULL, sender_main, &a);
	got = recv_exact(c, a.len, a.seed, &good);
	pthread_join(t, NULL);
	check(a.sent == a.len && got == a.len && good == a.len,
	      "... the server still sends: the client reads 1 MiB verified (%llu sent, %llu "
	      "read, %llu verified)", (unsigned long long)a.sent, (unsigned long long)got,
	      (unsigned long long)good);
	sigpipes = 0;
	ret = send(c, "x", 1, MSG_NOSIGNAL);
	e = errno;
	check(ret == -1 && e == EPIPE && !sigpipes,
	      "... the client's send after SHUT_WR fails with EPIPE, no SIGPIPE with "
	      "MSG_NOSIGNAL (%d, %s, %d signals)", ret, errname(ret, e), (int)sigpipes);
	close(s);
	got = recv(c, ebuf, 1, 0);
	e = errno;
	st = wait_state(cl, cr, ST_TIME_WAIT, 2, NULL);
	st2 = wait_state(cr, cl, ST_NONE, 2, NULL);
	check(got == 0 && st == ST_TIME_WAIT && st2 == ST_NONE,
	      "... the server closes: the client reads 0 and, having closed first, is in 06 "
	      "TIME_WAIT while its fd is open; the server is gone (%d %s, %s, %s)", (int)got,
	      errname(got, e), st_name(st), st_name(st2));
	close(c);
	st = row_of(cl, cr, NULL);
	check(st == ST_TIME_WAIT, "... and stays in 06 TIME_WAIT after close() (%s)",
	      st_name(st));
	watchdog_step(NULL, 0);
}

static void test_shutdown_rd(void)
{
	unsigned char out[1000], in[2000];
	int c, s, cl, cr, st, st2, ret, n, e, ev;
	char ebuf[80];
	struct gen g;
	double t0;

	gen_init(&g, next_seed());
	gen_fill(&g, out, sizeof(out));
	if (pair(&c, &s, "SHUT_RD"))
		return;
	watchdog_step("SHUT_RD", 30);
	PORTS(c, cl, cr);
	send(c, out, sizeof(out), MSG_NOSIGNAL);
	for (t0 = now(); inq(s) < (int)sizeof(out) && now() < t0 + 2;)
		msleep(5);
	ret = shutdown(s, SHUT_RD);
	n = recv(s, in, sizeof(in), 0);
	check(!ret && n == (int)sizeof(out) && !memcmp(in, out, sizeof(out)),
	      "SHUT_RD: with 1000 bytes queued, recv after shutdown(SHUT_RD) returns them (%d)",
	      n);
	t0 = now();
	n = recv(s, in, sizeof(in), 0);
	e = errno;
	check(n == 0 && now() - t0 < 1, "... then 0 at once, end of stream (%d, %s, %.0f ms)",
	      n, errname(n, e), (now() - t0) * 1000);
	ev = poll1(c, POLLIN | POLLRDHUP, 100);
	st = row_of(cl, cr, NULL);
	st2 = row_of(cr, cl, NULL);
	check(!(ev & POLLRDHUP) && st == ST_ESTABLISHED && st2 == ST_ESTABLISHED,
	      "... SHUT_RD sends no FIN: no POLLRDHUP at the client, both in 01 ESTABLISHED "
	      "(%s; %s, %s)", events_str(ev, ebuf), st_name(st), st_name(st2));
	abort_fd(c);
	abort_fd(s);

	if (pair(&c, &s, "SHUT_RDWR"))
		return;
	PORTS(c, cl, cr);
	ret = shutdown(c, SHUT_RDWR);
	n = recv(s, in, sizeof(in), 0);
	e = errno;
	check(!ret && n == 0, "SHUT_RDWR: the client's shutdown(SHUT_RDWR) sends a FIN, the "
	      "server reads 0 (%d, %s)", n, errname(n, e));
	st = wait_state(cl, cr, ST_FIN_WAIT2, 1, NULL);
	st2 = row_of(cr, cl, NULL);
	n = recv(c, in, sizeof(in), 0);
	ret = send(c, "x", 1, MSG_NOSIGNAL);
	e = errno;
	check(st == ST_FIN_WAIT2 && st2 == ST_CLOSE_WAIT && n == 0 && ret == -1 && e == EPIPE,
	      "... client 05 FIN_WAIT2, server 08 CLOSE_WAIT; the client's recv returns 0 and "
	      "its send EPIPE (%s, %s, recv %d, send %s)", st_name(st), st_name(st2), n,
	      errname(ret, e));
	close(s);
	close(c);
	watchdog_step(NULL, 0);
}

/* ---- resets ---- */

/* Neither side of @l -> @r has a row left (the closer's, @l -> @r, read first): a check. */
static int check_no_rows(int l, int r, const char *what)
{
	int st = row_of(l, r, NULL), st2 = row_of(r, l, NULL);

	return check(st == ST_NONE && st2 == ST_NONE, "%s (%s, %s)", what, st_name(st),
		     st_name(st2));
}

/*
 * The closer of @l -> @r has reset the connection: its peer @fd's recv fails with
 * ECONNRESET (@what), and no row is left.  @ret: the result of what set up the reset;
 * -1 there (errno set) fails the check without the recv.
 */
static void check_reset(int ret, int fd, int l, int r, const char *what)
{
	char b[16];
	int e;

	poll1(fd, POLLERR, 2000);
	ret = ret ?: recv(fd, b, sizeof(b), 0);
	e = errno;
	check_errno(ret, e, ECONNRESET, what);
	check_no_rows(l, r, "... no TIME_WAIT at the closer, no row left on either side");
}

static void test_close_unread(void)
{
	long rst0, ac0, er0;
	int c, s, cl, cr, ret, e;
	char e1[80], e2[80], e3[80];
	double t0;

	if (pair(&c, &s, "close with unread data"))
		return;
	watchdog_step("close with unread data", 30);
	PORTS(c, cl, cr);
	send(c, "unread data", 11, MSG_NOSIGNAL);
	for (t0 = now(); inq(s) < 11 && now() < t0 + 2;)
		msleep(5);
	rst0 = counter("OutRsts");
	ac0 = counter("AbortOnClose");
	er0 = counter("EstabResets");
	close(s);
	check_reset(0, c, cr, cl, "close() with 11 unread bytes resets: the client's recv");
	check(delta("AbortOnClose", ac0) == 1 && delta("OutRsts", rst0) == 1 &&
	      delta("EstabResets", er0) >= 1 && delta("EstabResets", er0) <= 2,
	      "... counted: %s, %s, %s (1 or 2)", delta_str("AbortOnClose", ac0, e1),
	      delta_str("OutRsts", rst0, e2), delta_str("EstabResets", er0, e3));

	/* a write after the reset: EPIPE, and SIGPIPE unless MSG_NOSIGNAL */
	sigpipes = 0;
	ret = send(c, "x", 1, MSG_NOSIGNAL);
	e = errno;
	check(ret == -1 && e == EPIPE && sigpipes == 0,
	      "... then send(MSG_NOSIGNAL) fails with EPIPE, no SIGPIPE (%d, %s, %d signals)",
	      ret, errname(ret, e), (int)sigpipes);
	ret = send(c, "x", 1, 0);
	e = errno;
	check(ret == -1 && e == EPIPE && sigpipes == 1,
	      "... and send() fails with EPIPE and raises SIGPIPE (%d, %s, %d signals)",
	      ret, errname(ret, e), (int)sigpipes);
	close(c);
	watchdog_step(NULL, 0);
}

static void test_linger_zero(void)
{
	long rst0, al0, ac0;
	int c, s, cl, cr, ret;
	char e1[80], e2[80], e3[80];

	if (pair(&c, &s, "SO_LINGER 0"))
		return;
	watchdog_step("SO_LINGER 0", 30);
	PORTS(c, cl, cr);
	rst0 = counter("OutRsts");
	al0 = counter("AbortOnLinger");
	ac0 = counter("AbortOnClose");
	ret = set_linger(c, 1, 0);
	close(c);
	check_reset(ret, s, cl, cr, "close() with SO_LINGER {1, 0} resets: the server's recv");
	check(delta("AbortOnLinger", al0) == 1 && delta("OutRsts", rst0) == 1 &&
	      delta("AbortOnClose", ac0) == 0, "... counted: %s%s, %s, %s",
	      delta_str("AbortOnLinger", al0, e1),
	      is_xtcp() ? "" : " (Linux counts SO_LINGER 0 there)",
	      delta_str("OutRsts", rst0, e2), delta_str("AbortOnClose", ac0, e3));
	close(s);
	watchdog_step(NULL, 0);
}

static void test_linger_healthy(void)
{
	const uint64_t len = 65536;
	uint64_t seed = next_seed(), sent, got, good;
	int c, s, cl, cr, ret, end, st;
	double t0, secs;

	if (pair(&c, &s, "SO_LINGER 2"))
		return;
	watchdog_step("SO_LINGER 2 with a healthy peer", 30);
	PORTS(c, cl, cr);
	sent = send_pattern(c, len, seed);	/* fits in the buffers: the peer reads later */
	set_linger(c, 1, 2);
	t0 = now();
	ret = close(c);
	secs = now() - t0;
	check(ret == 0 && secs < 1, "close() with SO_LINGER {1, 2} and a healthy peer returns "
	      "0 at once (%d, %.0f ms)", ret, secs * 1000);
	st = row_of(cl, cr, NULL);
	check(st == ST_FIN_WAIT2, "... its FIN was ACKed: the closer is in 05 FIN_WAIT2 (%s)",
	      st_name(st));
	got = recv_pattern(s, len, seed, &good, &end);
	check(sent == len && got == len && good == len && end == 1,
	      "... and the peer reads all %llu bytes (%llu, %llu verified), %s",
	      (unsigned long long)len, (unsigned long long)got, (unsigned long long)good,
	      end_str(end));
	close(s);
	watchdog_step(NULL, 0);
}

static void test_data_after_close(void)
{
	long ad0, rst0;
	int c, s, cl, cr, st, ret, n, e, ev;
	char b[16], e1[80], e2[80];

	/* Linux keeps an orphaned FIN_WAIT2 a full socket above 60 s only (else a minisocket) */
	if ((!is_xtcp() && knob_must("fin_timeout", 120)) || pair(&c, &s, "data after close"))
		return;
	watchdog_step("data after close", 30);
	PORTS(c, cl, cr);
	ad0 = counter("AbortOnData");
	rst0 = counter("OutRsts");
	close(s);
	n = recv(c, b, sizeof(b), 0);
	e = errno;
	st = row_of(cl, cr, NULL);
	check(n == 0 && st == ST_CLOSE_WAIT, "data after close: the server closes first, the "
	      "client reads 0 and is in 08 CLOSE_WAIT (%d %s, %s)", n, errname(n, e),
	      st_name(st));
	ret = send(c, "late", 4, MSG_NOSIGNAL);
	e = errno;
	check(ret == 4, "... the client's send of 4 bytes to the closed server succeeds (%d, %s)",
	      ret, errname(ret, e));
	ev = poll1(c, POLLERR, 2000);
	e = so_error(c);
	check((ev & POLLERR) && e == EPIPE, "... the closed server answers them with a RST: "
	      "POLLERR, and SO_ERROR is EPIPE in CLOSE_WAIT as in Linux (%s, %s)",
	      events_str(ev, b), e > 0 ? strerrorname_np(e) : "0");
	ret = send(c, "x", 1, MSG_NOSIGNAL);
	e = errno;
	check_errno(ret, e, EPIPE, "... a send after that RST");
	check_no_rows(cr, cl, "... no TIME_WAIT at the server, no row left");
	check(delta("AbortOnData", ad0) == 1 && delta("OutRsts", rst0) == 1,
	      "... counted: %s, %s", delta_str("AbortOnData", ad0, e1),
	      delta_str("OutRsts", rst0, e2));
	close(c);
	knob_set("fin_timeout", 60);
	watchdog_step(NULL, 0);
}

static void test_fin_timeout(void)
{
	long rst0;
	int c, s, cl, cr, st, st2, tw, ret, ret2, e, e2, ev;
	char b[80];
	double t0, took;

	if (knob_must("fin_timeout", 2) || pair(&c, &s, "fin_timeout"))
		return;
	watchdog_step("fin_timeout", 30);
	PORTS(c, cl, cr);
	rst0 = counter("OutRsts");
	close(c);
	t0 = now();
	msleep(500);
	st = row_of(cl, cr, NULL);
	check(st == ST_FIN_WAIT2, "fin_timeout 2: the closed client is in 05 FIN_WAIT2 after "
	      "0.5 s (%s)", st_name(st));
	st = wait_state(cl, cr, ST_NONE, 6, NULL);
	took = now() - t0;
	check(st == ST_NONE && took >= 1.5 && took < 5,
	      "... and dropped after %s 2 s (%s after %.1f s)", knob_name("fin_timeout"),
	      st_name(st), took);
	tw = rows_count(ST_TIME_WAIT, cl, cr);
	st2 = row_of(cr, cl, NULL);
	e = so_error(s);
	check(tw == 0 && st2 == ST_CLOSE_WAIT && e == 0,
	      "... silently: no TIME_WAIT follows, the server is still in 08 CLOSE_WAIT with no "
	      "error (%d TIME_WAIT rows, %s, SO_ERROR %d)", tw, st_name(st2), e);
	ret = send(s, "late", 4, MSG_NOSIGNAL);
	ev = poll1(s, POLLERR, 2000);
	ret2 = send(s, "x", 1, MSG_NOSIGNAL);
	e2 = errno;
	check(ret == 4 && (ev & POLLERR) && ret2 == -1 && (e2 == EPIPE || e2 == ECONNRESET),
	      "... the server's write draws a RST: the next send fails with EPIPE or ECONNRESET "
	      "(%d, %s, %s)", ret, events_str(ev, b), errname(ret2, e2));
	st2 = row_of(cr, cl, NULL);
	check(st2 == ST_NONE && delta("OutRsts", rst0) == 1,
	      "... the server's row is gone, and the RST counted (%s, %s)", st_name(st2),
	      delta_str("OutRsts", rst0, b));
	close(s);
	knob_set("fin_timeout", 60);
	watchdog_step(NULL, 0);
}

/* ---- crafted segments: RFC 5961, and a RST ending a TIME_WAIT ---- */

static void sniff_drain(int raw)
{
	char b[2048];

	while (recv(raw, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* The next data byte the server @s expects from the client @c (after sending one). */
static int next_seq(int raw, int c, int s, int cl, int cr, uint32_t *nxt)
{
	struct xseg g;
	char b;

	if (send(c, "a", 1, MSG_NOSIGNAL) != 1 || sniff(raw, cl, cr, F_ACK, 0, 1, 1000, &g) ||
	    recv(s, &b, 1, 0) != 1)
		return -1;
	*nxt = g.seq + g.len;
	msleep(100);		/* any delayed ACK goes out before the drain */
	sniff_drain(raw);
	return 0;
}

static void test_challenge_ack(void)
{
	uint32_t lo4 = htonl(INADDR_LOOPBACK), nxt = 0;
	int raw = sniffer(), c, s, cl, cr, got, st, n, e;
	long ch0, er0;
	char b[8], e1[80], e2[80];
	struct xseg g;

	if (!check(raw >= 0, "a raw socket of protocol %d%s%s", proto, raw < 0 ? ": " : "",
		   raw < 0 ? strerrorname_np(errno) : ""))
		return;
	if (pair(&c, &s, "challenge ACK")) {
		close(raw);
		return;
	}
	watchdog_step("challenge ACK", 30);
	PORTS(c, cl, cr);
	n = next_seq(raw, c, s, cl, cr, &nxt);
	if (!check(n == 0, "challenge ACK: a byte's segment seen on the raw socket (RCV.NXT %u)",
		   nxt))
		goto out;
	ch0 = counter("ChallengeACK");
	er0 = counter("EstabResets");
	craft(lo4, cl, lo4, cr, nxt + 1, 0, F_RST);
	got = sniff(raw, cr, cl, F_ACK, F_RST | F_SYN | F_FIN, 0, 1000, &g);
	check(!got && g.ack == nxt, "RFC 5961: a RST in the window but not at RCV.NXT draws a "
	      "challenge ACK (%s, ack %u, RCV.NXT %u)", got ? "none" : "seen", g.ack, nxt);
	check(delta("ChallengeACK", ch0) == 1, "... counted: %s",
	      delta_str("ChallengeACK", ch0, e1));
	n = next_seq(raw, c, s, cl, cr, &nxt);
	st = row_of(cr, cl, NULL);
	e = so_error(s);
	check(n == 0 && st == ST_ESTABLISHED && e == 0, "... and the connection goes on: the "
	      "next byte arrives, the server is in 01 ESTABLISHED, SO_ERROR 0 (%s, %s, %d)",
	      n ? "lost" : "arrived", st_name(st), e);
	craft(lo4, cl, lo4, cr, nxt, 0, F_RST);
	poll1(s, POLLERR, 1000);
	n = recv(s, b, sizeof(b), 0);
	e = errno;
	check_errno(n, e, ECONNRESET, "a RST exactly at RCV.NXT resets: the server's recv");
	st = row_of(cr, cl, NULL);
	check(st == ST_NONE && delta("EstabResets", er0) == 1 && delta("ChallengeACK", ch0) == 1,
	      "... its row is gone, counted: %s, no more challenge ACKs: %s (%s)",
	      delta_str("EstabResets", er0, e1), delta_str("ChallengeACK", ch0, e2),
	      st_name(st));
	abort_fd(c);
	close(s);

	/* a SYN on an established connection: a challenge ACK too (RFC 5961 4.2) */
	if (pair(&c, &s, "SYN challenge ACK"))
		goto out_raw;
	PORTS(c, cl, cr);
	if (next_seq(raw, c, s, cl, cr, &nxt)) {
		check(0, "SYN challenge ACK: a byte's segment seen on the raw socket");
		goto out;
	}
	ch0 = counter("ChallengeACK");
	craft(lo4, cl, lo4, cr, nxt, 0, F_SYN);
	got = sniff(raw, cr, cl, F_ACK, F_RST | F_SYN | F_FIN, 0, 1000, &g);
	check(!got && g.ack == nxt && delta("ChallengeACK", ch0) == 1,
	      "a SYN on an established connection draws a challenge ACK (%s, ack %u, RCV.NXT "
	      "%u, %s)", got ? "none" : "seen", g.ack, nxt, delta_str("ChallengeACK", ch0, e1));
	n = next_seq(raw, c, s, cl, cr, &nxt);
	st = row_of(cr, cl, NULL);
	check(n == 0 && st == ST_ESTABLISHED, "... and the connection goes on (%s, %s)",
	      n ? "lost" : "a byte arrived", st_name(st));
out:
	abort_fd(c);
	abort_fd(s);
out_raw:
	close(raw);
	watchdog_step(NULL, 0);
}

static void test_tw_rst(void)
{
	uint32_t lo4 = htonl(INADDR_LOOPBACK), nxt;
	int raw = sniffer(), c, s, cl, cr, got, st;
	long tw0, tk0;
	char b[8], e1[80], e2[80];
	struct xseg g;
	double took;

	if (raw < 0) {
		check(0, "a raw socket of protocol %d: %s", proto, strerrorname_np(errno));
		return;
	}
	/* xtcp's TW counts expiries: the earlier tests' TIME_WAITs must be over */
	if (is_xtcp() && wait_count(ST_TIME_WAIT, 0, 0, 0, TW_SHORT + 3) != 0)
		printf("# TIME_WAITs of the earlier tests are still there\n");
	if ((is_xtcp() ? knob_must("tw_timeout", 30) : knob_must("rfc1337", 0)) ||
	    pair(&c, &s, "TIME_WAIT and RST")) {
		close(raw);
		return;
	}
	watchdog_step("TIME_WAIT and RST", 30);
	PORTS(c, cl, cr);
	close(c);
	recv(s, b, sizeof(b), 0);
	sniff_drain(raw);
	close(s);
	got = sniff(raw, cr, cl, F_FIN, F_RST, 0, 1000, &g);
	nxt = g.seq + g.len + 1;
	st = wait_state(cl, cr, ST_TIME_WAIT, 2, NULL);
	if (!check(!got && st == ST_TIME_WAIT, "TIME_WAIT and RST: the client in 06 TIME_WAIT, "
		   "the server's FIN seen (%s, %s)", st_name(st), got ? "no FIN" : "FIN"))
		goto out;
	tw0 = counter("TW");
	tk0 = counter("TWKilled");
	craft(lo4, cr, lo4, cl, nxt + 100000, 0, F_RST);
	msleep(200);
	st = row_of(cl, cr, NULL);
	check(st == ST_TIME_WAIT, "... a RST with a wrong sequence number leaves it in 06 (%s)",
	      st_name(st));
	craft(lo4, cr, lo4, cl, nxt, 0, F_RST);
	st = wait_state(cl, cr, ST_NONE, 1, &took);
	check(st == ST_NONE, "... a RST at its RCV.NXT ends it at once (%s after %.0f ms)",
	      st_name(st), took * 1000);
	if (is_xtcp())
		check(delta("TWKilled", tk0) == 1 && delta("TW", tw0) == 0,
		      "... counted as killed, not expired: %s, %s",
		      delta_str("TWKilled", tk0, e1), delta_str("TW", tw0, e2));
	else
		check(delta("TW", tw0) == 0, "... not counted as expired: %s (Linux's TWKilled "
		      "counts short TIME_WAITs, not RSTs)", delta_str("TW", tw0, e1));
out:
	if (is_xtcp())
		knob_set("tw_timeout", TW_SHORT);
	close(raw);
	watchdog_step(NULL, 0);
}

/* ---- TIME_WAIT and ports ---- */

static void test_tw_reuse(void)
{
	const int port = 7690;
	struct sockaddr_storage a;
	socklen_t alen = sa_of(family, lo, port, &a);
	int c, s, b, b2, s2, st, ret, e, one = 1, n1, n2;
	char buf[8] = { 0 }, buf2[8] = { 0 }, e1[80];
	long rec0;

	if (is_xtcp() && knob_must("tw_timeout", 30))
		return;
	watchdog_step("TIME_WAIT reuse", 30);
	c = sock();
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ret = bind(c, (struct sockaddr *)&a, alen);
	s = ret ? -1 : join(c);
	if (!check(s >= 0, "TIME_WAIT reuse: a client bound to port %d with SO_REUSEADDR "
		   "connects%s%s", port, s < 0 ? ": " : "", s < 0 ? strerrorname_np(errno) : "")) {
		close(c);
		goto out;
	}
	close(c);
	recv(s, buf, sizeof(buf), 0);
	close(s);
	st = wait_state(port, lport, ST_TIME_WAIT, 2, NULL);
	check(st == ST_TIME_WAIT, "... closes first: its 4-tuple in 06 TIME_WAIT (%s)",
	      st_name(st));
	b = sock();
	ret = bind(b, (struct sockaddr *)&a, alen);
	e = errno;
	check_errno(ret, e, EADDRINUSE, "... a bind of the port without SO_REUSEADDR");
	close(b);
	b2 = sock();
	setsockopt(b2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ret = bind(b2, (struct sockaddr *)&a, alen);
	e = errno;
	check(ret == 0, "... a bind with SO_REUSEADDR succeeds (%s)", errname(ret, e));
	rec0 = counter("TWRecycled");
	s2 = ret ? -1 : join(b2);
	e = errno;
	check(s2 >= 0, "... and its connect() to the same server takes the TIME_WAIT's 4-tuple "
	      "over (%s)", s2 < 0 ? strerrorname_np(e) : "connected");
	if (s2 >= 0) {
		send(b2, "ping", 4, MSG_NOSIGNAL);
		n1 = recv(s2, buf, 4, MSG_WAITALL);
		send(s2, "pong", 4, MSG_NOSIGNAL);
		n2 = recv(b2, buf2, 4, MSG_WAITALL);
		st = row_of(port, lport, NULL);
		check(n1 == 4 && !memcmp(buf, "ping", 4) && n2 == 4 && !memcmp(buf2, "pong", 4) &&
		      st == ST_ESTABLISHED && rows_count(ST_TIME_WAIT, port, lport) == 0,
		      "... the new connection carries data both ways; the 4-tuple's row is 01 "
		      "ESTABLISHED, no TIME_WAIT left (%d, %d, %s)", n1, n2, st_name(st));
		check(delta("TWRecycled", rec0) == 1, "... counted: %s",
		      delta_str("TWRecycled", rec0, e1));
	}
	abort_fd(b2);
	abort_fd(s2);
out:
	if (is_xtcp())
		knob_set("tw_timeout", TW_SHORT);
	watchdog_step(NULL, 0);
}

static void test_many(int n)
{
	static double last_close[65536];
	const int tw_secs = is_xtcp() ? 8 : 60;
	int i, c, s, cl, cr, reused = 0, tw, other, server_rows, failed_errno = 0;
	long tw0, rec0, d1, d2;
	double t0, t, secs, took;
	char b[8], e1[80], e2[80];
	ssize_t k;

	/*
	 * tw_reuse 0: no TIME_WAIT may be taken over.  2500 ports for 2000 connections:
	 * the search wraps around ports TIME_WAITs still hold, so a port handed out
	 * over one would show.
	 */
	if (fresh_ns("short connections") || listen_on(7700) < 0 ||
	    (is_xtcp() && knob_must("tw_timeout", tw_secs)) || knob_must("tw_reuse", 0))
		return;
	if (write_file("/proc/sys/net/ipv4/ip_local_port_range", "40000 42499\n")) {
		tap_ok(0, "set net.ipv4.ip_local_port_range to 40000 42499: %s",
		       strerrorname_np(errno));
		return;
	}
	printf("# net.ipv4.ip_local_port_range = 40000 42499\n");
	watchdog_step("short connections", 150);
	for (i = 0; i < 65536; i++)
		last_close[i] = -1e9;
	tw0 = counter("TW");
	rec0 = counter("TWRecycled");
	t0 = now();
	for (i = 0; i < n; i++) {
		c = sock();
		t = now();
		s = join(c);
		if (s < 0) {
			failed_errno = errno;
			if (c >= 0)
				close(c);
			break;
		}
		PORTS(c, cl, cr);
		if (t < last_close[cl] + tw_secs - 0.5)
			reused++;
		close(c);
		k = recv(s, b, sizeof(b), 0);
		close(s);
		last_close[cl] = now();
		if (k != 0) {
			failed_errno = k < 0 ? errno : EPROTO;
			i++;
			break;
		}
	}
	secs = now() - t0;
	check(i == n && !failed_errno, "%d short connections in a row, the client closing "
	      "first: all connect and read their end (%d done, %.1f s)%s%s", n, i, secs,
	      failed_errno ? ": " : "", failed_errno ? strerrorname_np(failed_errno) : "");
	check(reused == 0, "... no client got an ephemeral port a TIME_WAIT still held (%d "
	      "reused within %d s of their close)", reused, tw_secs);
	server_rows = wait_count(-1, lport, 0, 1, 2);
	check(server_rows == 1, "... the server's side leaves nothing but its listener (%d rows "
	      "with local port %d)", server_rows, lport);
	/* rows + expired = all, with TW read before and after the rows */
	d1 = delta("TW", tw0);
	tw = rows_count(ST_TIME_WAIT, 0, lport);
	d2 = delta("TW", tw0);
	other = rows_count_not(ST_TIME_WAIT, 0, lport);
	if (is_xtcp())
		check(tw + d1 <= i && tw + d2 >= i && other == 0,
		      "... the clients' sides: %d rows 06 TIME_WAIT + TW %+ld..%+ld expired = %d, "
		      "no other state (%d)", tw, d1, d2, i, other);
	else
		check(tw == i && other == 0 && delta("TW", tw0) == i,
		      "... the clients' sides: %d rows 06 TIME_WAIT of %d, no other state (%d), "
		      "Linux counting each as it starts (%s)", tw, i, other,
		      delta_str("TW", tw0, e1));
	check(delta("TWRecycled", rec0) == 0, "... no TIME_WAIT taken over: %s",
	      delta_str("TWRecycled", rec0, e2));
	if (is_xtcp()) {
		t = now();
		tw = wait_count(ST_TIME_WAIT, 0, lport, 0, tw_secs + 5);
		took = now() - t0;
		check(tw == 0 && delta("TW", tw0) == i,
		      "... %d s after their close all are gone and counted: %s (%d rows left, "
		      "%.1f s after the first)", tw_secs, delta_str("TW", tw0, e1), tw, took);
	}
	watchdog_step(NULL, 0);
}

static void test_max_tw_buckets(void)
{
	const int n = 10, max = 5;
	int i, c, s, tw, all, done = 0;
	long ov0;
	char b[8], e1[80];

	if (fresh_ns("max_tw_buckets") || listen_on(7710) < 0 ||
	    knob_must("max_tw_buckets", max) || (is_xtcp() && knob_must("tw_timeout", 30)))
		return;
	watchdog_step("max_tw_buckets", 30);
	ov0 = counter("TWOverflow");
	for (i = 0; i < n; i++) {
		if (pair(&c, &s, "max_tw_buckets"))
			break;
		close(c);
		done += recv(s, b, sizeof(b), 0) == 0;
		close(s);
	}
	/* the last ACKs may still be on their way */
	wait_for(rows_count(ST_TIME_WAIT, 0, lport) == max && rows_count(-1, 0, lport) == max, 5);
	tw = rows_count(ST_TIME_WAIT, 0, lport);
	all = rows_count(-1, 0, lport);
	check(done == n && tw == max && all == max,
	      "%s %d: of %d connections closed client first, %d end in 06 TIME_WAIT (%d; %d "
	      "rows in all, %d closed)", knob_name("max_tw_buckets"), max, n, max, tw, all, done);
	check(delta("TWOverflow", ov0) == n - max, "... the %d beyond it skip TIME_WAIT: %s",
	      n - max, delta_str("TWOverflow", ov0, e1));
	check(sockstat("tw") == max, "... the sockstat line counts %d TIME_WAITs (tw %ld)", max,
	      sockstat("tw"));
	watchdog_step(NULL, 0);
}

/* ---- keepalive ---- */

static void check_range(int opt, const char *name, int max)
{
	int fd = sock(), r0, e0, r1, e1, r2, r3, v2, v3;

	r0 = setint(fd, IPPROTO_TCP, opt, 0);
	e0 = errno;
	r1 = setint(fd, IPPROTO_TCP, opt, max + 1);
	e1 = errno;
	check(r0 == -1 && e0 == EINVAL && r1 == -1 && e1 == EINVAL,
	      "%s 0 and %d fail with EINVAL (%s, %s)", name, max + 1, errname(r0, e0),
	      errname(r1, e1));
	r2 = setint(fd, IPPROTO_TCP, opt, max);
	v2 = getint(fd, IPPROTO_TCP, opt);
	r3 = setint(fd, IPPROTO_TCP, opt, 1);
	v3 = getint(fd, IPPROTO_TCP, opt);
	check(!r2 && v2 == max && !r3 && v3 == 1, "%s %d and 1 are accepted and read back (%d, "
	      "%d)", name, max, v2, v3);
	close(fd);
}

static void test_keepalive_options(void)
{
	long kt = knob_get("keepalive_time"), ki = knob_get("keepalive_intvl");
	long kp = knob_get("keepalive_probes");
	int fd = sock(), idle, intvl, cnt, ret, ret2, e, v;

	watchdog_step("keepalive options", 30);
	v = getint(fd, SOL_SOCKET, SO_KEEPALIVE);
	ret = setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
	check(v == 0 && !ret && getint(fd, SOL_SOCKET, SO_KEEPALIVE) == 1,
	      "SO_KEEPALIVE is 0 on a new socket, and 1 once set (%d, %d)", v,
	      getint(fd, SOL_SOCKET, SO_KEEPALIVE));
	idle = getint(fd, IPPROTO_TCP, TCP_KEEPIDLE);
	intvl = getint(fd, IPPROTO_TCP, TCP_KEEPINTVL);
	cnt = getint(fd, IPPROTO_TCP, TCP_KEEPCNT);
	check(idle == kt && intvl == ki && cnt == kp && kt == 7200 && ki == 75 && kp == 9,
	      "TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT of a new socket are the sysctls' "
	      "defaults 7200 75 9 (%d %d %d; sysctls %ld %ld %ld)", idle, intvl, cnt, kt, ki, kp);
	close(fd);
	if (knob_must("keepalive_time", 600) || knob_must("keepalive_intvl", 30) ||
	    knob_must("keepalive_probes", 4))
		return;
	fd = sock();
	idle = getint(fd, IPPROTO_TCP, TCP_KEEPIDLE);
	intvl = getint(fd, IPPROTO_TCP, TCP_KEEPINTVL);
	cnt = getint(fd, IPPROTO_TCP, TCP_KEEPCNT);
	check(idle == 600 && intvl == 30 && cnt == 4, "... with %s 600, %s 30, %s 4 a new "
	      "socket reads 600 30 4 (%d %d %d)", knob_name("keepalive_time"),
	      knob_name("keepalive_intvl"), knob_name("keepalive_probes"), idle, intvl, cnt);
	close(fd);
	knob_set("keepalive_time", 7200);
	knob_set("keepalive_intvl", 75);
	knob_set("keepalive_probes", 9);

	check_range(TCP_KEEPIDLE, "TCP_KEEPIDLE", 32767);
	check_range(TCP_KEEPINTVL, "TCP_KEEPINTVL", 32767);
	check_range(TCP_KEEPCNT, "TCP_KEEPCNT", 127);

	fd = sock();
	if (is_xtcp()) {
		ret = setint(fd, SOL_XTCP, TCP_KEEPIDLE, 5);
		ret2 = setint(fd, IPPROTO_TCP, TCP_KEEPINTVL, 7);
		check(!ret && !ret2 && getint(fd, IPPROTO_TCP, TCP_KEEPIDLE) == 5 &&
		      getint(fd, SOL_XTCP, TCP_KEEPINTVL) == 7,
		      "TCP_KEEPIDLE set at level %d reads back at IPPROTO_TCP, TCP_KEEPINTVL the "
		      "other way (%d, %d)", SOL_XTCP, getint(fd, IPPROTO_TCP, TCP_KEEPIDLE),
		      getint(fd, SOL_XTCP, TCP_KEEPINTVL));
		ret = setint(fd, SOL_XTCP, TCP_KEEPCNT, 0);
		e = errno;
		check_errno(ret, e, EINVAL, "TCP_KEEPCNT 0 at level 253");
	}
	ret = setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1);
	e = errno;
	check_errno(ret, e, EINVAL, "TCP_USER_TIMEOUT -1");
	ret = setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 1500);
	check(!ret && getint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT) == 1500,
	      "TCP_USER_TIMEOUT 1500 reads back (%d)", getint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT));
	close(fd);
	watchdog_step(NULL, 0);
}

static void test_keepalive_alive(void)
{
	int c, s, cl, cr, st, st2, ret, n1, n2, e, pr;
	char b1[4] = { 0 }, b2[4] = { 0 }, e1[80];
	struct row r;
	long ka0;
	double t0;

	if (pair(&c, &s, "keepalive"))
		return;
	watchdog_step("keepalive, peer alive", 30);
	PORTS(c, cl, cr);
	ret = keepalive_on(c, 1, 1, 2);
	if (!check(!ret, "keepalive: SO_KEEPALIVE with idle 1 s, interval 1 s, 2 probes"))
		goto out;
	send(c, "a", 1, MSG_NOSIGNAL);
	recv(s, b1, 1, 0);
	ka0 = counter("KeepAliveProbes");
	t0 = now();
	wait_for((st = row_of(cl, cr, &r)) == ST_ESTABLISHED && r.tr == TR_KEEPALIVE, 0.5);
	check(st == ST_ESTABLISHED && r.tr == TR_KEEPALIVE,
	      "... idle, the client's row shows the keepalive timer, tr 2 (%s, tr %u)",
	      st_name(st), r.tr);
	msleep((int)((t0 + 3.5 - now()) * 1000));	/* the measured interval */
	check(delta("KeepAliveProbes", ka0) >= 2 && delta("KeepAliveProbes", ka0) <= 5,
	      "... 3.5 s idle: a probe a second, 2 to 5 sent (%s)",
	      delta_str("KeepAliveProbes", ka0, e1));
	st = row_of(cl, cr, NULL);
	st2 = row_of(cr, cl, NULL);
	e = so_error(c);
	pr = tcpi_probes(c);
	check(st == ST_ESTABLISHED && st2 == ST_ESTABLISHED && e == 0 && pr == 0,
	      "... the live peer answers them: both in 01 ESTABLISHED, SO_ERROR 0, tcpi_probes "
	      "0 (%s, %s, %d, %d)", st_name(st), st_name(st2), e, pr);
	send(c, "ping", 4, MSG_NOSIGNAL);
	n1 = recv(s, b1, 4, MSG_WAITALL);
	send(s, "pong", 4, MSG_NOSIGNAL);
	n2 = recv(c, b2, 4, MSG_WAITALL);
	check(n1 == 4 && !memcmp(b1, "ping", 4) && n2 == 4 && !memcmp(b2, "pong", 4),
	      "... and the connection carries data both ways (%d, %d)", n1, n2);
out:
	abort_fd(c);
	abort_fd(s);
	watchdog_step(NULL, 0);
}

/* ---- max_orphans: machine-wide, set in the initial namespace ---- */

/* Linux TCP's orphans, machine-wide, from /proc/net/sockstat; xtcp's are not shown */
static void test_max_orphans(void)
{
	enum { N = 6 };
	int c[N], s[N], cl[N], cr[N], i, alive = 0, reset = 0, peers_ok = 0, made, st, e;
	long base = sockstat("orphan"), max, am0;
	char e1[80];

	/* Linux keeps an orphaned FIN_WAIT2 a full socket (an orphan) above 60 s only */
	if (fresh_ns("max_orphans") || listen_on(7720) < 0 ||
	    (!is_xtcp() && knob_must("fin_timeout", 120)))
		return;
	watchdog_step("max_orphans", 30);
	for (made = 0; made < N && !pair(&c[made], &s[made], "max_orphans"); made++)
		PORTS(c[made], cl[made], cr[made]);
	if (made < N)
		goto out;
	max = base + 2;
	setns(ns_orig, CLONE_NEWNET);
	max_orphans_saved = knob_get("max_orphans");
	e = knob_must("max_orphans", max);
	setns(ns_cur, CLONE_NEWNET);
	if (e)
		goto out;
	am0 = counter("AbortOnMemory");
	for (i = 0; i < N; i++) {
		close(c[i]);
		c[i] = -1;
		msleep(150);	/* Linux reads its orphan count every 100 ms */
	}
	restore_max_orphans();
	for (i = 0; i < N; i++) {
		st = row_of(cl[i], cr[i], NULL);
		if (st == ST_FIN_WAIT2) {
			alive++;
		} else if (st == ST_NONE) {
			reset++;
			e = so_error(s[i]);
			peers_ok += row_of(cr[i], cl[i], NULL) == ST_NONE &&
				    (e == EPIPE || e == ECONNRESET);
		}
	}
	/* xtcp counts the orphan being judged (as tcp_check_oom()): exactly 2 stay */
	check((is_xtcp() ? alive == 2 : alive >= 2 && alive <= 3) && alive + reset == N,
	      "%s %ld (%ld other orphans): of %d closing sockets %s live on as orphans in "
	      "05 FIN_WAIT2 (%d; %d gone)", knob_name("max_orphans"), max, base, N,
	      is_xtcp() ? "2" : "2 or 3", alive, reset);
	check(sockstat("orphan") == base + alive, "... %s counts them: orphan %ld (%ld + %d)",
	      is_xtcp() ? "/proc/net/xtcp_sockstat" : "/proc/net/sockstat", sockstat("orphan"),
	      base, alive);
	check(reset > 0 && peers_ok == reset, "... the others are reset: their peers' rows are "
	      "gone with SO_ERROR EPIPE or ECONNRESET (%d of %d)", peers_ok, reset);
	check(delta("AbortOnMemory", am0) == reset, "... counted: %s",
	      delta_str("AbortOnMemory", am0, e1));
out:
	restore_max_orphans();
	for (i = 0; i < made; i++) {
		if (c[i] >= 0)
			close(c[i]);
		close(s[i]);
	}
	watchdog_step(NULL, 0);
}

/* the tests of the first namespace, in order */
static void (*const tests[])(void) = {
	test_client_closes_first, test_close_with_queued_data, test_half_close,
	test_shutdown_rd, test_close_unread, test_linger_zero, test_linger_healthy,
	test_data_after_close, test_fin_timeout, test_challenge_ack, test_tw_rst,
	test_tw_reuse, test_keepalive_options, test_keepalive_alive,
};

int main(int argc, char **argv)
{
	int opt, n = 2000;
	struct sigaction sa = { .sa_handler = on_sigpipe };

	while ((opt = getopt(argc, argv, "6p:n:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			lo = "::1";
			break;
		case 'p':
			proto = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-6] [-p PROTO] [-n CONNECTIONS]\n", argv[0]);
			return 2;
		}
	}
	sigaction(SIGPIPE, &sa, NULL);
	printf("# protocol %d over %s\n", proto, family == AF_INET6 ? "IPv6, ::1" : "IPv4, 127.0.0.1");
	ns_orig = open("/proc/thread-self/ns/net", O_RDONLY);
	on_fail = fail_diag;
	watchdog_start(diag, cleanup);
	if (fresh_ns("teardown") || listen_on(7600) < 0)
		return tap_done();
	test_sysctls();
	if (is_xtcp() && knob_must("tw_timeout", TW_SHORT))
		return tap_done();
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		if (family == AF_INET6 &&
		    (tests[i] == test_challenge_ack || tests[i] == test_tw_rst)) {
			printf("# -6: %s crafts IPv4 segments on a raw socket: not run over IPv6\n",
			       tests[i] == test_challenge_ack ? "the challenge-ACK case" :
			       "the TIME_WAIT RST case");
			continue;
		}
		tests[i]();
		watchdog_step(NULL, 0);	/* whatever way the test returned */
	}
	test_many(n);
	watchdog_step(NULL, 0);
	test_max_tw_buckets();
	watchdog_step(NULL, 0);
	test_max_orphans();
	watchdog_step(NULL, 0);
	cleanup();
	return tap_done();
}
