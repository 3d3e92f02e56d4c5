// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_netns: closing connections between two network namespaces over a veth pair,
 * with netem on its ends: a FIN re-sent under 100% loss (FIN_WAIT1, then LAST_ACK, with
 * the retransmission timer in /proc/net/xtcp), orphan_retries bounding an orphan's
 * retries, SO_LINGER with a timeout under loss, simultaneous close (the FINs crossing
 * under netem delay 100 ms: both sides through CLOSING into TIME_WAIT), keepalive and
 * TCP_USER_TIMEOUT detecting a dead peer (ETIMEDOUT, the probes and timeouts counted),
 * and a namespace deleted with connections in ESTABLISHED, FIN_WAIT1 and TIME_WAIT: it is
 * dismantled and every socket freed (xtcp's module references return to where they were).
 *
 *   teardown_netns [-6] [-p PROTO]
 *     -6          over IPv6: fd00:11::1 and fd00:11::2 (/proc/net/xtcp6 or tcp6)
 *     -p PROTO    IP protocol (default 253, xtcp; 6 runs the same checks against Linux
 *                 TCP, its /proc/net/tcp, counters and net.ipv4.tcp_* sysctls)
 * Runs as root; needs ip and tc (iproute2).  The loss is netem's "loss 100%"; where
 * sch_netem is missing, a wrong permanent neighbour entry drops the packets at the
 * peer instead, and simultaneous close is made by healing one direction first (one
 * side passes CLOSING) instead of the delay.  The sysctls set live in the namespaces,
 * deleted at the end.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include "teardown.h"

#define NS_C		"xtcp-tc"
#define NS_S		"xtcp-ts"
#define DEV_C		"xtc0"
#define DEV_S		"xts0"
#define MAC_C		"02:00:00:0b:00:01"
#define MAC_S		"02:00:00:0b:00:02"
#define MAC_NONE	"02:00:00:0b:00:99"	/* nobody's: the fallback's loss */
#define PORT		7800

enum { CLIENT, SERVER };
enum { NONE, LOSS, DELAY };

/* the ends' addresses and their prefix length (-6: IPv6's, without duplicate detection) */
static const char *client_ip = "10.11.0.1", *server_ip = "10.11.0.2", *prefix = "24";
static const char *nodad = "";

static int ns_self = -1, ns_client = -1, ns_server = -1, have_netem;
static int ns_now = -1;		/* the main thread's namespace */

/* ---- the namespaces ---- */

static void enter(int ns)
{
	if (setns(ns, CLONE_NEWNET))
		printf("# setns: %s\n", strerrorname_np(errno));
	else
		ns_now = ns;
}

static int setup(void)
{
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_S " 2>/dev/null");
	if (sh("ip netns add " NS_C " && ip netns add " NS_S " && "
	       "ip link add " DEV_C " address " MAC_C " netns " NS_C " type veth peer " DEV_S
	       " address " MAC_S " netns " NS_S " && "
	       "ip -n " NS_C " link set " DEV_C " gso_max_segs 1 && "
	       "ip -n " NS_S " link set " DEV_S " gso_max_segs 1 && "
	       "ip -n " NS_C " addr add %s/%s dev " DEV_C "%s && "
	       "ip -n " NS_S " addr add %s/%s dev " DEV_S "%s && "
	       "ip -n " NS_C " link set " DEV_C " up && ip -n " NS_S " link set " DEV_S " up && "
	       "ip -n " NS_C " link set lo up && ip -n " NS_S " link set lo up && "
	       "ip -n " NS_C " neigh replace %s lladdr " MAC_S " dev " DEV_C " nud permanent && "
	       "ip -n " NS_S " neigh replace %s lladdr " MAC_C " dev " DEV_S " nud permanent",
	       client_ip, prefix, nodad, server_ip, prefix, nodad, server_ip, client_ip))
		return -1;
	ns_client = open("/run/netns/" NS_C, O_RDONLY);
	ns_server = open("/run/netns/" NS_S, O_RDONLY);
	have_netem = sh("tc -n " NS_C " qdisc replace dev " DEV_C " root netem delay 0ms "
			"2>/dev/null") == 0;
	sh("tc -n " NS_C " qdisc del dev " DEV_C " root 2>/dev/null; true");
	if (!have_netem)
		printf("# no sch_netem here: the loss is a wrong neighbour entry, and simultaneous "
		       "close heals one direction first instead of a delay\n");
	return ns_client < 0 || ns_server < 0 ? -1 : 0;
}

/* What leaves @side's veth end: everything (NONE), nothing (LOSS), or 100 ms late. */
static int impair(int side, int what)
{
	const char *ns = side == CLIENT ? NS_C : NS_S, *dev = side == CLIENT ? DEV_C : DEV_S;
	const char *peer = side == CLIENT ? server_ip : client_ip;
	const char *mac = side == CLIENT ? MAC_S : MAC_C;

	if (what == NONE)
		return sh("tc -n %s qdisc del dev %s root 2>/dev/null; "
			  "ip -n %s neigh replace %s lladdr %s dev %s nud permanent", ns, dev,
			  ns, peer, mac, dev);
	if (what == DELAY)
		return sh("tc -n %s qdisc replace dev %s root netem delay 100ms", ns, dev);
	if (have_netem)
		return sh("tc -n %s qdisc replace dev %s root netem loss 100%%", ns, dev);
	return sh("ip -n %s neigh replace %s lladdr " MAC_NONE " dev %s nud permanent", ns,
		  peer, dev);
}

static int impair_both(int what)
{
	return impair(CLIENT, what) || impair(SERVER, what) ? -1 : 0;
}

/* The watchdog's: both namespaces' rows and counters (in the watchdog's thread). */
static void diag(void)
{
	if (ns_client >= 0 && !setns(ns_client, CLONE_NEWNET))
		rows_dump("the client's sockets");
	if (ns_server >= 0 && !setns(ns_server, CLONE_NEWNET))
		rows_dump("the server's sockets");
}

/* A failed check's: both namespaces' rows and counters (in the main thread). */
static void fail_diag(void)
{
	int back = ns_now;

	if (ns_client >= 0 && !setns(ns_client, CLONE_NEWNET)) {
		rows_dump("the client's sockets after the failed check");
		stat_dump("the client's counters");
	}
	if (ns_server >= 0 && !setns(ns_server, CLONE_NEWNET)) {
		rows_dump("the server's sockets");
		stat_dump("the server's counters");
	}
	if (back >= 0)
		setns(back, CLONE_NEWNET);
}

static void cleanup(void)
{
	if (ns_self >= 0)
		setns(ns_self, CLONE_NEWNET);
	sh("ip netns del " NS_C " 2>/dev/null; ip netns del " NS_S " 2>/dev/null");
}

/* ---- connections: the client in its namespace, the server in the other ---- */

/* A connected pair on @port; the main thread is left in the client's namespace. */
static int pair(int port, int *c, int *s, const char *what)
{
	struct sockaddr_storage a;
	socklen_t len = sa_of(family, server_ip, port, &a);
	int l, e;

	enter(ns_server);
	l = listener_on(server_ip, port);
	enter(ns_client);
	*c = l < 0 ? -1 : sock();
	*s = -1;
	if (*c >= 0 && !connect(*c, (struct sockaddr *)&a, len))
		*s = accept(l, NULL, NULL);
	e = errno;
	if (l >= 0)
		close(l);
	if (*s >= 0)
		return 0;
	check(0, "%s: a connection to %s port %d: %s", what, server_ip, port,
	      strerrorname_np(e));
	if (*c >= 0)
		close(*c);
	*c = -1;
	return -1;
}

/* State of the row @lport -> @rport in namespace @ns (the thread stays there). */
static int state_in(int ns, int lport, int rport, struct row *r)
{
	enter(ns);
	return row_of(lport, rport, r);
}

static int wait_in(int ns, int lport, int rport, int st, double secs, double *took)
{
	enter(ns);
	return wait_state(lport, rport, st, secs, took);
}

/* Bytes of the pattern read from @fd and whether the stream then ended. */
static void read_check(int fd, uint64_t len, uint64_t seed, const char *what)
{
	uint64_t got, good;
	int end;

	got = recv_pattern(fd, len, seed, &good, &end);
	check(got == len && good == len && end == 1, "%s: %llu bytes (%llu read, %llu "
	      "verified), %s", what, (unsigned long long)len, (unsigned long long)got,
	      (unsigned long long)good, end_str(end));
}

/* ---- the cases ---- */

static void test_fin_wait1_last_ack(void)
{
	const uint64_t len = 1000;
	uint64_t seed = next_seed();
	int c, s, cl, cr, st, st2;
	struct row r;

	if (pair(PORT + 1, &c, &s, "FIN under loss"))
		return;
	watchdog_step("FIN under loss, LAST_ACK", 40);
	local_remote(c, &cl, &cr);
	send_pattern(c, len, seed);
	if (impair(CLIENT, LOSS)) {
		check(0, "FIN under loss: 100%% loss on the client's side");
		goto out;
	}
	close(c);
	c = -1;
	st = wait_in(ns_client, cl, cr, ST_FIN_WAIT1, 1, NULL);
	/* the FIN's first re-send, an RTO later */
	wait_for((st = row_of(cl, cr, &r)) == ST_FIN_WAIT1 && r.tr == TR_RETRANS && r.retr >= 1,
		 5);
	check(st == ST_FIN_WAIT1 && r.tr == TR_RETRANS && r.retr >= 1,
	      "FIN under loss: the client closes, 04 FIN_WAIT1 re-sending its FIN, tr 1 "
	      "(%s, tr %u, %u re-sends)", st_name(st), r.tr, r.retr);
	st2 = state_in(ns_server, cr, cl, NULL);
	check(st2 == ST_ESTABLISHED, "... the server has seen nothing: 01 ESTABLISHED (%s)",
	      st_name(st2));
	impair(CLIENT, NONE);
	st = wait_in(ns_client, cl, cr, ST_FIN_WAIT2, 4, NULL);
	st2 = wait_in(ns_server, cr, cl, ST_CLOSE_WAIT, 1, NULL);
	check(st == ST_FIN_WAIT2 && st2 == ST_CLOSE_WAIT, "... the loss ends: a re-sent FIN "
	      "arrives, client 05 FIN_WAIT2, server 08 CLOSE_WAIT (%s, %s)", st_name(st),
	      st_name(st2));
	enter(ns_server);
	read_check(s, len, seed, "... the server reads the data sent before close()");

	impair(CLIENT, LOSS);		/* the client's ACK of the server's FIN is lost */
	close(s);
	s = -1;
	st = wait_in(ns_client, cl, cr, ST_TIME_WAIT, 1, NULL);
	st2 = wait_in(ns_server, cr, cl, ST_LAST_ACK, 1, NULL);
	wait_for((st2 = row_of(cr, cl, &r)) == ST_LAST_ACK && r.tr == TR_RETRANS, 5);
	check(st == ST_TIME_WAIT && st2 == ST_LAST_ACK && r.tr == TR_RETRANS,
	      "LAST_ACK: the server closes while the client's ACKs are lost: client 06 "
	      "TIME_WAIT, server 09 LAST_ACK re-sending its FIN, tr 1 (%s, %s, tr %u)",
	      st_name(st), st_name(st2), r.tr);
	impair(CLIENT, NONE);
	st2 = wait_in(ns_server, cr, cl, ST_NONE, 5, NULL);
	st = state_in(ns_client, cl, cr, NULL);
	check(st2 == ST_NONE && st == ST_TIME_WAIT, "... the loss ends: the TIME_WAIT ACKs the "
	      "re-sent FIN, the server's row goes (%s; client %s)", st_name(st2), st_name(st));
out:
	impair(CLIENT, NONE);
	abort_fd(c);
	abort_fd(s);
	watchdog_step(NULL, 0);
}

static void test_orphan_retries(void)
{
	int c, s, cl, cr, st;
	long at0, rt0;
	double t0, took;
	char e1[80], e2[80];

	enter(ns_client);
	if (knob_must("orphan_retries", 2) || pair(PORT + 2, &c, &s, "orphan_retries"))
		return;
	watchdog_step("orphan_retries", 40);
	local_remote(c, &cl, &cr);
	at0 = counter("AbortOnTimeout");
	rt0 = counter("RetransSegs");
	impair(CLIENT, LOSS);
	send_pattern(c, 1000, next_seed());
	close(c);
	t0 = now();
	msleep(500);
	st = row_of(cl, cr, NULL);
	check(st == ST_FIN_WAIT1, "%s 2: closed with data unacknowledged under loss, the client "
	      "is in 04 FIN_WAIT1 after 0.5 s (%s)", knob_name("orphan_retries"), st_name(st));
	st = wait_state(cl, cr, ST_NONE, 12, NULL);
	took = now() - t0;
	check(st == ST_NONE && took < 12, "... and given up after its 2 retries, not the "
	      "default 8: gone after %.1f s (%s)", took, st_name(st));
	check(delta("AbortOnTimeout", at0) == 1 && delta("RetransSegs", rt0) >= 2,
	      "... counted: %s, %s (at least 2)", delta_str("AbortOnTimeout", at0, e1),
	      delta_str("RetransSegs", rt0, e2));
	check(rows_count(-1, cl, cr) == 0, "... leaving no row, no TIME_WAIT (%d)",
	      rows_count(-1, cl, cr));
	knob_set("orphan_retries", 0);
	impair(CLIENT, NONE);
	enter(ns_server);
	abort_fd(s);
	watchdog_step(NULL, 0);
}

static void test_linger_loss(void)
{
	const uint64_t len = 1000;
	uint64_t seed = next_seed();
	int c, s, cl, cr, st, ret;
	double t0, secs;

	if (pair(PORT + 3, &c, &s, "SO_LINGER under loss"))
		return;
	watchdog_step("SO_LINGER under loss", 40);
	local_remote(c, &cl, &cr);
	impair(CLIENT, LOSS);
	send_pattern(c, len, seed);
	set_linger(c, 1, 2);
	t0 = now();
	ret = close(c);
	secs = now() - t0;
	check(ret == 0 && secs >= 1.7 && secs < 4, "SO_LINGER {1, 2} under 100%% loss: close() "
	      "waits for the ACK of its FIN and returns 0 after 2 s (%d, %.2f s)", ret, secs);
	st = row_of(cl, cr, NULL);
	check(st == ST_FIN_WAIT1, "... the socket lives on, orphaned in 04 FIN_WAIT1 (%s)",
	      st_name(st));
	impair(CLIENT, NONE);
	st = wait_state(cl, cr, ST_FIN_WAIT2, 8, NULL);
	check(st == ST_FIN_WAIT2, "... the loss ends: its FIN is ACKed, 05 FIN_WAIT2 (%s)",
	      st_name(st));
	enter(ns_server);
	read_check(s, len, seed, "... and the server reads the data queued before close()");
	close(s);
	watchdog_step(NULL, 0);
}

/*
 * The states the rows of both sides go through, sampled for up to @secs (a row missing
 * for a sample, as a socket hands over to its TIME_WAIT minisocket, is not a state).
 */
static void watch_states(int cl, int cr, int *seq_c, int *seq_s, int max, double secs)
{
	int nc = 0, ns = 0, st;
	double end = now() + secs;

	seq_c[0] = seq_s[0] = -1;
	while (now() < end) {
		st = state_in(ns_client, cl, cr, NULL);
		if (st > 0 && nc < max && (!nc || seq_c[nc - 1] != st))
			seq_c[nc++] = st;
		st = state_in(ns_server, cr, cl, NULL);
		if (st > 0 && ns < max && (!ns || seq_s[ns - 1] != st))
			seq_s[ns++] = st;
		if (nc && ns && seq_c[nc - 1] == ST_TIME_WAIT && seq_s[ns - 1] == ST_TIME_WAIT)
			break;
		msleep(5);
	}
	if (nc < max)
		seq_c[nc] = -1;
	if (ns < max)
		seq_s[ns] = -1;
}

static const char *seq_str(const int *seq, int max, char *buf)
{
	int i;

	buf[0] = 0;
	for (i = 0; i < max && seq[i] >= 0; i++)
		sprintf(buf + strlen(buf), "%s%02X", i ? " " : "", seq[i]);
	return buf;
}

static void test_simultaneous_close(void)
{
	static const int want[] = { ST_FIN_WAIT1, ST_CLOSING, ST_TIME_WAIT, -1 };
	int c, s, cl, cr, st, st2, seq_c[8], seq_s[8];
	char b[8], b1[64], b2[64];

	if (have_netem && !check(impair_both(DELAY) == 0, "netem delay 100ms on both veth ends"))
		goto out;
	if (pair(PORT + 4, &c, &s, "simultaneous close"))
		goto out;
	watchdog_step("simultaneous close", 40);
	local_remote(c, &cl, &cr);
	send(c, "a", 1, MSG_NOSIGNAL);	/* an RTT measured each way */
	recv(s, b, 1, 0);
	send(s, "b", 1, MSG_NOSIGNAL);
	recv(c, b, 1, 0);
	if (have_netem) {
		close(c);
		close(s);
		watch_states(cl, cr, seq_c, seq_s, 8, 3);
		check(!memcmp(seq_c, want, sizeof(want)),
		      "simultaneous close, the FINs crossing: the client goes 04 FIN_WAIT1, 0B "
		      "CLOSING, 06 TIME_WAIT (%s)", seq_str(seq_c, 8, b1));
		check(!memcmp(seq_s, want, sizeof(want)),
		      "... and so does the server (%s)", seq_str(seq_s, 8, b2));
		goto out;
	}
	/* without netem: both FINs lost, then the client's gets through first */
	impair_both(LOSS);
	close(c);
	close(s);
	st = wait_in(ns_client, cl, cr, ST_FIN_WAIT1, 1, NULL);
	st2 = wait_in(ns_server, cr, cl, ST_FIN_WAIT1, 1, NULL);
	check(st == ST_FIN_WAIT1 && st2 == ST_FIN_WAIT1, "simultaneous close, both FINs lost: "
	      "both in 04 FIN_WAIT1 (%s, %s)", st_name(st), st_name(st2));
	impair(CLIENT, NONE);
	st2 = wait_in(ns_server, cr, cl, ST_CLOSING, 3, NULL);
	check(st2 == ST_CLOSING, "... the client's re-sent FIN reaches the server, whose own "
	      "FIN is unacknowledged: 0B CLOSING (%s)", st_name(st2));
	impair(SERVER, NONE);
	st = wait_in(ns_client, cl, cr, ST_TIME_WAIT, 5, NULL);
	st2 = wait_in(ns_server, cr, cl, ST_TIME_WAIT, 2, NULL);
	check(st == ST_TIME_WAIT && st2 == ST_TIME_WAIT, "... then the server's: both end in 06 "
	      "TIME_WAIT (%s, %s)", st_name(st), st_name(st2));
out:
	impair_both(NONE);
	watchdog_step(NULL, 0);
}

static void test_keepalive_dead(void)
{
	int c, s, cl, cr, st, ret, n, e, pr, ev;
	long ka0, at0;
	char b[80], e1[80], e2[80];
	struct row r;
	double t0, secs;

	if (pair(PORT + 5, &c, &s, "keepalive, dead peer"))
		return;
	watchdog_step("keepalive, dead peer", 40);
	local_remote(c, &cl, &cr);
	/* idle 2 s, interval 2 s: starting netem may itself take a second on a slow guest */
	ret = keepalive_on(c, 2, 2, 2);
	if (!check(!ret, "keepalive, dead peer: SO_KEEPALIVE, idle 2 s, interval 2 s, 2 probes"))
		goto out;
	send(s, "a", 1, MSG_NOSIGNAL);
	recv(c, b, 1, 0);
	ka0 = counter("KeepAliveProbes");
	at0 = counter("AbortOnTimeout");
	t0 = now();
	impair_both(LOSS);
	/* the first probe leaves 2 s after the last data, the second at 4 s, death at 6 s */
	if (now() < t0 + 3)
		msleep((int)((t0 + 3 - now()) * 1000));
	pr = tcpi_probes(c);
	st = row_of(cl, cr, &r);
	check(pr >= 1 && st == ST_ESTABLISHED && r.tr == TR_KEEPALIVE,
	      "... the peer dies (100%% loss): 3 s after the last data a probe is unanswered, "
	      "tcpi_probes %d, the row 01 with the keepalive timer tr 2 (%s, tr %u)", pr,
	      st_name(st), r.tr);
	ev = poll1(c, POLLIN, 10000);
	secs = now() - t0;
	n = recv(c, b, sizeof(b), 0);
	e = errno;
	check_errno(n, e, ETIMEDOUT, "... poll wakes and recv");
	check((ev & POLLERR) && secs > 5 && secs < 9, "... POLLERR about idle 2 s + 2 probes "
	      "x 2 s after the last data (%s after %.1f s)", events_str(ev, b), secs);
	check(delta("KeepAliveProbes", ka0) == 2 && delta("AbortOnTimeout", at0) == 1,
	      "... counted: %s, %s", delta_str("KeepAliveProbes", ka0, e1),
	      delta_str("AbortOnTimeout", at0, e2));
	st = row_of(cl, cr, NULL);
	check(st == ST_NONE, "... and the client's row is gone (%s)", st_name(st));
out:
	impair_both(NONE);
	close(c);
	enter(ns_server);
	abort_fd(s);
	watchdog_step(NULL, 0);
}

static void test_user_timeout(void)
{
	static char b[1000];
	int c, s, cl, cr, st, ret, n, e, ev;
	long at0, rt0;
	char e1[80], e2[80];
	double t0, secs;

	if (pair(PORT + 6, &c, &s, "TCP_USER_TIMEOUT"))
		return;
	watchdog_step("TCP_USER_TIMEOUT", 40);
	local_remote(c, &cl, &cr);
	ret = setint(c, IPPROTO_TCP, TCP_USER_TIMEOUT, 2000);
	at0 = counter("AbortOnTimeout");
	rt0 = counter("RetransSegs");
	impair_both(LOSS);
	t0 = now();
	n = send(c, b, sizeof(b), MSG_NOSIGNAL);
	ev = poll1(c, POLLIN, 15000);
	secs = now() - t0;
	n = recv(c, b, sizeof(b), 0);
	e = errno;
	check_errno(ret ? -2 : n, e, ETIMEDOUT, "TCP_USER_TIMEOUT 2000 ms, data unacknowledged, "
		    "a dead peer: recv");
	check((ev & POLLERR) && secs > 1.5 && secs < 4.5, "... POLLERR about 2 s after the send, "
	      "far sooner than 15 RTOs (%s after %.1f s)", events_str(ev, b), secs);
	check(delta("AbortOnTimeout", at0) == 1 && delta("RetransSegs", rt0) >= 2,
	      "... counted: %s, %s (at least 2)", delta_str("AbortOnTimeout", at0, e1),
	      delta_str("RetransSegs", rt0, e2));
	st = row_of(cl, cr, NULL);
	check(st == ST_NONE, "... and the client's row is gone (%s)", st_name(st));
	impair_both(NONE);
	close(c);
	enter(ns_server);
	abort_fd(s);
	watchdog_step(NULL, 0);
}

/* /sys/module/xtcp/refcnt: each xtcp socket holds a reference; -1 if not loaded */
static int module_refs(void)
{
	char buf[32] = { 0 };
	int fd = open("/sys/module/" XTCP_MODULE_NAME "/refcnt", O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static void test_netns_delete(int refs0, long orphans0)
{
	int ce, se, ct, st_, cf, sf, p[6], est, fw1, tw, gone, refs = -1, i;
	char b[8];
	long orphans = -1;
	double t0, t1;

	enter(ns_client);
	if (knob_must("orphan_retries", 2))
		return;
	watchdog_step("namespace deletion", 60);
	if (pair(PORT + 7, &ce, &se, "namespace deletion"))
		return;
	if (pair(PORT + 8, &ct, &st_, "namespace deletion")) {
		abort_fd(ce);
		return;
	}
	if (pair(PORT + 9, &cf, &sf, "namespace deletion")) {
		abort_fd(ce);
		abort_fd(ct);
		return;
	}
	local_remote(ce, &p[0], &p[1]);
	local_remote(ct, &p[2], &p[3]);
	local_remote(cf, &p[4], &p[5]);
	close(ct);			/* the client closes first: its TIME_WAIT */
	enter(ns_server);
	recv(st_, b, sizeof(b), 0);	/* the client's FIN */
	close(st_);
	impair(CLIENT, LOSS);
	send_pattern(cf, 1000, next_seed());
	close(cf);			/* FIN_WAIT1, orphaned, under loss */
	enter(ns_client);
	est = row_of(p[0], p[1], NULL);
	tw = wait_state(p[2], p[3], ST_TIME_WAIT, 2, NULL);
	fw1 = row_of(p[4], p[5], NULL);
	check(est == ST_ESTABLISHED && tw == ST_TIME_WAIT && fw1 == ST_FIN_WAIT1,
	      "namespace deletion: the client's namespace holds connections in 01 ESTABLISHED, "
	      "06 TIME_WAIT, 04 FIN_WAIT1 under loss (%s, %s, %s)", st_name(est), st_name(tw),
	      st_name(fw1));

	enter(ns_self);
	i = sh("ip netns del " NS_C);
	close(ns_client);
	ns_client = -1;
	close(ce);			/* the last fd of that namespace */
	t0 = now();
	enter(ns_server);
	while ((gone = if_nametoindex(DEV_S) == 0) == 0 && now() < t0 + 20)
		msleep(50);
	t1 = now() - t0;
	check(!i && gone, "... ip netns del and its last fd closed: the namespace is dismantled, "
	      "its veth peer " DEV_S " leaves the server's namespace (%s after %.1f s)",
	      gone ? "gone" : "still there", t1);

	/* the server's side: reset what is left, then delete that namespace too */
	abort_fd(se);
	abort_fd(sf);
	enter(ns_self);
	i = sh("ip netns del " NS_S);
	close(ns_server);
	ns_server = -1;
	t0 = now();
	if (is_xtcp()) {
		while ((refs = module_refs()) != refs0 && now() < t0 + 20)
			msleep(50);
		check(!i && refs == refs0, "... and once the server's namespace is deleted too, "
		      "every xtcp socket of both, TIME_WAITs of 60 s included, is freed: "
		      "/sys/module/xtcp/refcnt back to %d (%d after %.1f s)", refs0, refs,
		      now() - t0);
	} else {
		while ((orphans = sockstat("orphan")) > orphans0 && now() < t0 + 20)
			msleep(50);
		check(!i && orphans <= orphans0, "... and once the server's namespace is deleted "
		      "too, no orphan is left: TCP's orphans in /proc/net/sockstat back to %ld "
		      "(%ld after %.1f s)", orphans0, orphans, now() - t0);
	}
	watchdog_step(NULL, 0);
}

static void (*const tests[])(void) = {
	test_fin_wait1_last_ack, test_orphan_retries, test_linger_loss, test_simultaneous_close,
	test_keepalive_dead, test_user_timeout,
};

int main(int argc, char **argv)
{
	int opt, refs0;
	long orphans0;

	while ((opt = getopt(argc, argv, "6p:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			client_ip = "fd00:11::1";
			server_ip = "fd00:11::2";
			prefix = "64";
			nodad = " nodad";
			break;
		case 'p':
			proto = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-6] [-p PROTO]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	printf("# protocol %d, %s to %s\n", proto, client_ip, server_ip);
	ns_self = open("/proc/thread-self/ns/net", O_RDONLY);
	/* what earlier programs left (TIME_WAITs, namespaces being dismantled) goes first */
	for (double end = now() + 15; (refs0 = module_refs()) > 0 && now() < end;)
		msleep(100);
	if (refs0 > 0)
		printf("# %d xtcp module references from before this test\n", refs0);
	orphans0 = sockstat("orphan");
	if (is_xtcp() && !check(refs0 >= 0, "xtcp is loaded (/sys/module/xtcp/refcnt %d)", refs0))
		return tap_done();
	on_fail = fail_diag;
	watchdog_start(diag, cleanup);
	if (!check(setup() == 0, "two namespaces joined by a veth pair"))
		return tap_done();
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		tests[i]();
		watchdog_step(NULL, 0);	/* whatever way the test returned */
		impair_both(NONE);
	}
	test_netns_delete(refs0, orphans0);
	watchdog_step(NULL, 0);
	enter(ns_self);
	cleanup();
	return tap_done();
}
