// SPDX-License-Identifier: GPL-2.0
/*
 * stream_netns: transfers between two network namespaces over a veth pair, with tc netem
 * on both ends of it: none; loss 1%, 5%, 10%; delay 10ms with 5ms jitter; delay 10ms with
 * reordering; duplication 5%; corruption 2%.  For each, SIZE bytes client->server and
 * server->client verified byte for byte within the time limit, half of the ends blocking
 * and half non-blocking in epoll (edge-triggered); and the counters of each namespace
 * show what netem did (see struct path): retransmissions, fast retransmits, SACKs or
 * duplicate ACKs under loss, out-of-order segments under loss and reordering, duplicate
 * data, checksum errors.  Then a large transfer at 10% loss, parallel streams at 5% loss,
 * a reader that stops for 3 s: the sender stalls on the zero window, probes it
 * (WinProbe), and all arrives intact; and long fat paths (10 and 50 ms RTT, nothing
 * lost): 32 MiB each, the receiver's window past 1 MB (autotuning, window scale), and
 * nothing retransmitted (TCP_INFO and counters, with what the path dropped shown).
 * Small queues: through a 20 Mbit/s tbf on the sender's own veth end, the qdisc holds
 * a few segments of the sender's at most, not its window (check_small_queues()).
 * Last, segmentation offload: with the veth taking super-segments, fewer packets cross
 * it than segments were sent; with its segmentation turned off (ethtool), the stack
 * cuts them (xtcp4_gso_segment()) into packets no larger than the MTU, bytes intact.
 * And receive offload: one segment a packet from a client that the server's window
 * holds back, GRO on at the server's veth end: fewer, larger packets reach the
 * server's TCP than crossed the veth; GRO off: one a packet; bytes intact both times.
 * Each veth end takes its packets on one CPU (receive packet steering), as a NIC keeps
 * a flow on one queue.
 *
 * Each transfer runs in a child process that is killed at the time limit, so that a stall
 * fails its check and the run goes on.  The transfers are stream.h's (length header,
 * xorshift64 data, the receiver's confirmation: teardown is not relied on).  Until the
 * offload case, the veth ends are limited to one segment per packet (gso_max_segs 1), so
 * that netem acts on segments.
 *
 *   stream_netns [-p PROTO] [-s SIZE] [-b SIZE] [-n STREAMS] [-P SIZE] [-t SECONDS]
 *     -p PROTO    IP protocol of the sockets (default 253, xtcp; 6 checks the test on TCP)
 *     -s SIZE     bytes of each transfer in each direction (default 2M)
 *     -b SIZE     the transfer at 10% loss (default 8M; 0: none)
 *     -n STREAMS  parallel streams at 5% loss (default 8; 0: none), -P SIZE each (default 1M)
 *     -t SECONDS  the time limit of each transfer (default 120; the one at 10% loss has
 *                 that much per SIZE bytes)
 * SIZE takes a K, M or G suffix.  Runs as root; needs ip and tc (iproute2) and sch_netem.
 * The counters are xtcp's (/proc/net/xtcp_stat) with -p 253, Linux's own equivalents
 * (/proc/net/snmp, /proc/net/netstat: see counter() in stream.h) with -p 6, and not
 * checked with another protocol.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <limits.h>
#include <linux/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include "stream.h"

#define CLIENT_IP	"10.10.0.1"
#define SERVER_IP	"10.10.0.2"
#define PORT		7500
#define MSS		1448		/* a full segment on the veth pair, at most */
#define SLOW_AFTER	(256 * 1024)	/* the slow reader reads this much, then stops */
#define SLOW_MS		3000
#define SLOW_BUF	65536		/* SO_RCVBUF and SO_SNDBUF in the slow reader case */

static int ns_self, ns_client, ns_server;

enum {
	RETRANS, CSUMERRS, INERRS, WINPROBE, FASTRETRANS, OFOQUEUE, SACKRECV, DUPACKS, DUPDATA,
	TIMEOUTS, BACKLOGDROP, RCVDROPPED, DSACKUNDO, FULLUNDO, NSTATS
};

/* xtcp's names; counter() reads Linux TCP's equivalents for -p 6 */
static const char * const stat_names[NSTATS] = {
	"RetransSegs", "InCsumErrors", "InErrs", "WinProbe", "FastRetrans", "OFOQueue",
	"SackRecv", "DupAcks", "DupData", "Timeouts", "BacklogDrop", "RcvDropped", "DSACKUndo",
	"FullUndo"
};

/* The counters of namespace @ns; the process stays in it. */
static void read_stats(int ns, long *v)
{
	int i;

	setns(ns, CLONE_NEWNET);
	for (i = 0; i < NSTATS; i++)
		v[i] = have_counters() ? counter(stat_names[i]) : -1;
}

/* ---- the namespaces ---- */

static int setup(void)
{
	sh("ip netns del xtcp-sc 2>/dev/null; ip netns del xtcp-ss 2>/dev/null");
	if (sh("ip netns add xtcp-sc && ip netns add xtcp-ss && "
	       "ip link add xsc0 netns xtcp-sc type veth peer xss0 netns xtcp-ss && "
	       "ip -n xtcp-sc link set xsc0 gso_max_segs 1 && "
	       "ip -n xtcp-ss link set xss0 gso_max_segs 1 && "
	       "ip -n xtcp-sc addr add " CLIENT_IP "/24 dev xsc0 && "
	       "ip -n xtcp-ss addr add " SERVER_IP "/24 dev xss0 && "
	       "ip -n xtcp-sc link set xsc0 up && ip -n xtcp-ss link set xss0 up && "
	       "ip -n xtcp-sc link set lo up && ip -n xtcp-ss link set lo up"))
		return -1;
	/*
	 * Each end takes its packets on CPU 0 (receive packet steering), as a NIC's
	 * receive-side scaling keeps a flow on one queue: without it, netem hands packets
	 * to whichever CPU dequeues them and the two CPUs' backlogs reorder the flow.
	 */
	if (sh("ip netns exec xtcp-sc sh -c 'echo 1 > /sys/class/net/xsc0/queues/rx-0/rps_cpus' && "
	       "ip netns exec xtcp-ss sh -c 'echo 1 > /sys/class/net/xss0/queues/rx-0/rps_cpus'"))
		return -1;
	ns_client = open("/run/netns/xtcp-sc", O_RDONLY);
	ns_server = open("/run/netns/xtcp-ss", O_RDONLY);
	return ns_client < 0 || ns_server < 0 ? -1 : 0;
}

/* netem @params on both veth ends; NULL: none. */
static int netem(const char *params)
{
	if (!params)
		return sh("tc -n xtcp-sc qdisc del dev xsc0 root 2>/dev/null; "
			  "tc -n xtcp-ss qdisc del dev xss0 root 2>/dev/null; true");
	return sh("tc -n xtcp-sc qdisc replace dev xsc0 root netem %s && "
		  "tc -n xtcp-ss qdisc replace dev xss0 root netem %s", params, params);
}

/* ---- a job: streams in one direction, run in a child process ---- */

struct job {
	int from_server;	/* 0: client->server */
	int streams;
	uint64_t len;		/* bytes of each stream */
	/* bit 0: the sender is non-blocking, bit 1: the receiver; stream i of several: i % 4 */
	int mode;
	int slow;		/* the receiver stops reading for SLOW_MS */
	int rcvbuf;		/* the receiver's SO_RCVBUF if not 0 (SLOW_BUF if slow) */
	int port;
	int limit;		/* seconds */
};

struct outcome {
	int verified;		/* streams verified */
	char why[320];		/* the first failure */
	double secs;
	/* counter deltas in the sender's and the receiver's namespace; LONG_MIN: unreadable */
	long snd[NSTATS], rcv[NSTATS];
	uint64_t stall[2];
	/* at the end of the first stream: the sender's TCP_INFO, the receiver's SO_RCVBUF */
	unsigned int snd_wnd, total_retrans, rcvbuf;
	/* ... its options and ssthresh, the receiver's options (TCPI_OPT_*) */
	unsigned int snd_options, snd_ssthresh, rcv_options;
};

static void child(const struct job *j, struct outcome *o)
{
	struct sockaddr_in srv = sin_of(SERVER_IP, j->port);
	int n = j->streams, *c = calloc(n, sizeof(int)), *s = calloc(n, sizeof(int));
	struct end *se = calloc(n, sizeof(*se)), *re = calloc(n, sizeof(*re));
	int snd_ns = j->from_server ? ns_server : ns_client, one = 1, l, i;
	int rcvbuf = j->slow ? SLOW_BUF : j->rcvbuf;
	int rcv_ns = j->from_server ? ns_client : ns_server;
	long sb[NSTATS], rb[NSTATS], sa[NSTATS], ra[NSTATS];
	uint64_t seed;
	double t0;

	setns(ns_server, CLONE_NEWNET);
	l = socket(AF_INET, SOCK_STREAM, proto);
	if (l >= 0 && rcvbuf && !j->from_server)
		setint(l, SOL_SOCKET, SO_RCVBUF, rcvbuf);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&srv, sizeof(srv)) || listen(l, n + 8)) {
		snprintf(o->why, sizeof(o->why), "listen: %s", strerrorname_np(errno));
		return;
	}
	t0 = now();
	setns(ns_client, CLONE_NEWNET);
	for (i = 0; i < n; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, proto);
		if (c[i] >= 0 && rcvbuf && j->from_server)
			setint(c[i], SOL_SOCKET, SO_RCVBUF, rcvbuf);
		if (c[i] < 0 || connect(c[i], (struct sockaddr *)&srv, sizeof(srv))) {
			snprintf(o->why, sizeof(o->why), "connect: %s", strerrorname_np(errno));
			return;
		}
	}
	setns(ns_server, CLONE_NEWNET);
	for (i = 0; i < n; i++) {
		s[i] = accept(l, NULL, NULL);
		if (s[i] < 0) {
			snprintf(o->why, sizeof(o->why), "accept: %s", strerrorname_np(errno));
			return;
		}
	}
	read_stats(snd_ns, sb);
	read_stats(rcv_ns, rb);
	for (i = 0; i < n; i++) {
		int mode = n > 1 ? i % 4 : j->mode;

		seed = next_seed() ^ (uint64_t)j->port << 40;	/* other data in each job */
		end_init(&se[i], j->from_server ? s[i] : c[i], mode & 1, j->len, seed);
		end_init(&re[i], j->from_server ? c[i] : s[i], mode >> 1 & 1, j->len, seed);
		if (j->slow) {
			setint(se[i].fd, SOL_SOCKET, SO_SNDBUF, SLOW_BUF);
			re[i].pause_after = SLOW_AFTER;
			re[i].pause_ms = SLOW_MS;
			re[i].peer_done = &se[i].done;
		}
	}
	o->verified = run_ends(se, re, n, o->why, sizeof(o->why));
	o->secs = now() - t0;
	o->stall[0] = re[0].stall[0];
	o->stall[1] = re[0].stall[1];
	read_stats(snd_ns, sa);
	read_stats(rcv_ns, ra);
	if (n) {
		struct tcp_info ti = {};
		socklen_t len = sizeof(ti);

		if (!getsockopt(se[0].fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			o->snd_wnd = ti.tcpi_snd_wnd;
			o->total_retrans = ti.tcpi_total_retrans;
			o->snd_options = ti.tcpi_options;
			o->snd_ssthresh = ti.tcpi_snd_ssthresh;
		}
		len = sizeof(ti);
		if (!getsockopt(re[0].fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			o->rcv_options = ti.tcpi_options;
		o->rcvbuf = getint(re[0].fd, SOL_SOCKET, SO_RCVBUF);
	}
	for (i = 0; i < NSTATS; i++) {
		o->snd[i] = sb[i] < 0 || sa[i] < 0 ? LONG_MIN : sa[i] - sb[i];
		o->rcv[i] = rb[i] < 0 || ra[i] < 0 ? LONG_MIN : ra[i] - rb[i];
	}
	for (i = 0; i < n; i++)
		end_close(&se[i], &re[i]);
	close(l);
}

/* Run @j in a child killed at the time limit; 0 if it reported its outcome in time. */
static int run_job(const struct job *j, struct outcome *o)
{
	struct pollfd pfd = { .events = POLLIN };
	double t0 = now();
	int p[2], st;
	pid_t pid;
	ssize_t n;

	memset(o, 0, sizeof(*o));
	if (pipe(p)) {
		snprintf(o->why, sizeof(o->why), "pipe: %s", strerrorname_np(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(j, o);
		_exit(write(p[1], o, sizeof(*o)) == sizeof(*o) ? 0 : 1);
	}
	close(p[1]);
	pfd.fd = p[0];
	if (pid < 0 || poll(&pfd, 1, j->limit * 1000) != 1) {
		if (pid > 0) {
			/* what the stalled sockets show, before they go */
			setns(ns_client, CLONE_NEWNET);
			proc_dump("stalled: the client's sockets");
			stat_dump("the client's counters");
			setns(ns_server, CLONE_NEWNET);
			proc_dump("stalled: the server's sockets");
			stat_dump("the server's counters");
			setns(ns_self, CLONE_NEWNET);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		close(p[0]);
		o->secs = now() - t0;
		snprintf(o->why, sizeof(o->why), "no end after %d s: killed", j->limit);
		return -1;
	}
	n = read(p[0], o, sizeof(*o));
	close(p[0]);
	waitpid(pid, &st, 0);
	if (n != sizeof(*o)) {
		memset(o, 0, sizeof(*o));
		snprintf(o->why, sizeof(o->why), "the child died (status %#x)", st);
		return -1;
	}
	return 0;
}

/* ---- the cases ---- */

/*
 * The counters checked where netem surely hit some segments (at least 8 expected): under
 * loss RetransSegs grows in the sender's namespace, and from 5% on (where losses are
 * followed by more segments) FastRetrans and SackRecv or DupAcks in the sender's, OFOQueue
 * in the receiver's; under reordering OFOQueue in the receiver's; under duplication
 * DupData in the receiver's; under corruption InCsumErrors or InErrs in the receiver's.
 */
struct path {
	const char *name, *netem;
	double loss, reorder, duplicate, corrupt;	/* the rates of netem's impairments */
};

static int port = PORT, jobs;

/* A counter's change, "+N", or "missing". */
static const char *delta(long v, char *buf)
{
	if (v == LONG_MIN)
		return "missing";
	sprintf(buf, "%+ld", v);
	return buf;
}

/* One job and its checks, with @limit seconds; 0 if its streams were verified. */
static int check_job(const struct path *p, int from_server, int streams, uint64_t len, int limit)
{
	const char *snd = from_server ? "server" : "client";
	const char *rcv = from_server ? "client" : "server";
	struct job j = { .from_server = from_server, .streams = streams,
			 .len = len, .mode = jobs++ % 4, .port = port++, .limit = limit };
	struct outcome o;
	char what[160], sz[32], d1[32], d2[32], d3[32];
	double segs = (double)len * streams / MSS;	/* data segments, at least */
	int ok;

	if (streams > 1)
		snprintf(what, sizeof(what), "%s: %d streams of %s %s->%s, half of the ends epoll",
			 p->name, streams, fmt_size(len, sz), snd, rcv);
	else
		snprintf(what, sizeof(what), "%s: %s %s->%s %s", p->name, fmt_size(len, sz), snd,
			 rcv, modes[j.mode]);
	run_job(&j, &o);
	ok = tap_ok(o.verified == streams, "%s: verified within %d s (%.1f s)%s%s", what, limit,
		    o.secs, o.why[0] ? ": " : "", o.why);
	if (!ok || !have_counters())
		return ok ? 0 : -1;
	if (p->loss && segs * p->loss >= 8)
		tap_ok(o.snd[RETRANS] > 0, "%s: RetransSegs %s in the sender's (%s's) namespace",
		       p->name, delta(o.snd[RETRANS], d1), snd);
	if (p->loss >= 0.05 && segs * p->loss >= 8) {
		tap_ok(o.snd[FASTRETRANS] > 0, "%s: %s %s in the sender's (%s's) namespace",
		       p->name, counter_name("FastRetrans"), delta(o.snd[FASTRETRANS], d1), snd);
		tap_ok(o.snd[SACKRECV] > 0 || o.snd[DUPACKS] > 0,
		       "%s: %s %s, %s %s in the sender's (%s's) namespace", p->name,
		       counter_name("SackRecv"), delta(o.snd[SACKRECV], d1),
		       counter_name("DupAcks"), delta(o.snd[DUPACKS], d2), snd);
	}
	if ((p->loss >= 0.05 && segs * p->loss >= 8) || segs * p->reorder >= 8)
		tap_ok(o.rcv[OFOQUEUE] > 0, "%s: %s %s in the receiver's (%s's) namespace",
		       p->name, counter_name("OFOQueue"), delta(o.rcv[OFOQUEUE], d1), rcv);
	/* reordering alone loses nothing: a fast recovery it set off is undone */
	if (segs * p->reorder >= 8 && !p->loss && o.snd[FASTRETRANS] > 0)
		tap_ok(o.snd[DSACKUNDO] + o.snd[FULLUNDO] > 0,
		       "%s: %s %s: recoveries undone, %s %s, %s %s in the sender's (%s's) namespace",
		       p->name, counter_name("FastRetrans"), delta(o.snd[FASTRETRANS], d1),
		       counter_name("DSACKUndo"), delta(o.snd[DSACKUNDO], d2),
		       counter_name("FullUndo"), delta(o.snd[FULLUNDO], d3), snd);
	if (segs * p->duplicate >= 8)
		tap_ok(o.rcv[DUPDATA] > 0, "%s: %s %s in the receiver's (%s's) namespace",
		       p->name, counter_name("DupData"), delta(o.rcv[DUPDATA], d1), rcv);
	if (p->corrupt && segs * p->corrupt >= 8)
		tap_ok(o.rcv[CSUMERRS] > 0 || o.rcv[INERRS] > 0,
		       "%s: InCsumErrors %s, InErrs %s in the receiver's (%s's) namespace",
		       p->name, delta(o.rcv[CSUMERRS], d1), delta(o.rcv[INERRS], d2), rcv);
	return 0;
}

static void check_slow_reader(uint64_t len)
{
	static const struct path none = { .name = "slow reader" };
	struct job j = { .streams = 1, .len = len, .slow = 1, .port = port++,
			 .limit = timeout };
	struct outcome o;
	char sz[32], d1[32];

	run_job(&j, &o);
	tap_ok(o.verified == 1, "%s: %s client->server, the receiver stopping for %d s after "
	       "%d KiB: verified within %d s (%.1f s)%s%s", none.name, fmt_size(len, sz),
	       SLOW_MS / 1000, SLOW_AFTER / 1024, timeout, o.secs, o.why[0] ? ": " : "", o.why);
	tap_ok(o.stall[0] && o.stall[0] == o.stall[1] && o.stall[1] < len,
	       "%s: the sender is stalled meanwhile (%llu bytes sent at +1 s, %llu at +%.1f s)",
	       none.name, (unsigned long long)o.stall[0], (unsigned long long)o.stall[1],
	       (SLOW_MS - 100) / 1000.0);
	if (have_counters())
		tap_ok(o.snd[WINPROBE] > 0, "%s: %s %s in the client's namespace (the sender "
		       "probed the zero window)", none.name, counter_name("WinProbe"),
		       delta(o.snd[WINPROBE], d1));
}

/*
 * Packets the path dropped: netem's (and any qdisc's) drops on both veth ends since the
 * qdiscs were made, and the receive backlogs' (netdev_max_backlog) of every CPU.
 */
static long path_drops(void)
{
	char line[512];
	long n = 0, d;
	FILE *f;

	f = popen("tc -s -n xtcp-sc qdisc show dev xsc0; tc -s -n xtcp-ss qdisc show dev xss0",
		  "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "dropped ");

		if (p && sscanf(p, "dropped %ld", &d) == 1)
			n += d;
	}
	if (f)
		pclose(f);
	f = fopen("/proc/net/softnet_stat", "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned int processed, dropped;

		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			n += dropped;
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * A long fat path: netem delay on both ends, nothing lost, netem's queue long enough
 * to drop nothing, and so the CPUs' receive backlogs (net.core.netdev_max_backlog,
 * machine-wide: set from this, the initial namespace, and put back): at 1000 a burst
 * through the veth overflowed them once in seven runs (98 drops, and their
 * retransmissions).  The receive buffer must grow (autotuning) and the window scale
 * let the window follow past 1 MB, and nothing may be retransmitted.
 */
#define BACKLOG_SYSCTL	"/proc/sys/net/core/netdev_max_backlog"

static void check_long_path(int rtt_ms, uint64_t len)
{
	char name[64], params[64], sz[32], d1[32], d2[32], d3[32], d4[32], d5[32], d6[32];
	char d7[32];
	struct job j = { .streams = 1, .len = len, .port = port++, .limit = timeout };
	struct outcome o;
	int backlog = 0;
	double need;
	long drops;
	FILE *f;

	snprintf(name, sizeof(name), "RTT %d ms", rtt_ms);
	snprintf(params, sizeof(params), "delay %dms limit 100000", rtt_ms / 2);
	if (!tap_ok(netem(params) == 0, "%s: netem %s on both veth ends", name, params))
		return;
	f = fopen(BACKLOG_SYSCTL, "r");
	if (!f || fscanf(f, "%d", &backlog) != 1)
		backlog = 0;
	if (f)
		fclose(f);
	if (!tap_ok(backlog > 0 && write_file(BACKLOG_SYSCTL, "100000\n") == 0,
		    "%s: net.core.netdev_max_backlog 100000 (was %d)", name, backlog))
		return;
	drops = path_drops();
	run_job(&j, &o);
	drops = path_drops() - drops;
	snprintf(sz, sizeof(sz), "%d\n", backlog);
	write_file(BACKLOG_SYSCTL, sz);
	if (!tap_ok(o.verified == 1, "%s: %s client->server verified within %d s (%.1f s, "
		    "%.1f MB/s)%s%s", name, fmt_size(len, sz), timeout, o.secs,
		    len / 1e6 / (o.secs ? o.secs : 1e-9), o.why[0] ? ": " : "", o.why))
		return;
	/*
	 * Autotuning sizes the buffer for twice what the reader takes per round trip:
	 * past 1 MB when the transfer's rate asks for it (a slow guest's may not).
	 */
	need = 2 * len / o.secs * rtt_ms / 1000;
	if (need > 1000000)
		need = 1000000;
	tap_ok(o.snd_wnd > need, "%s: the window the receiver offers grew past twice what a "
	       "round trip carries at this rate, at most 1 MB: %u > %.0f bytes (its SO_RCVBUF "
	       "%u)", name, o.snd_wnd, need, o.rcvbuf);
	tap_ok(o.total_retrans == 0 && (!have_counters() || o.snd[RETRANS] == 0),
	       "%s: nothing retransmitted on a path that loses nothing (TCP_INFO %u, %s %s, "
	       "%s %s, %s %s; packets the path dropped: %ld; the receiver's %s %s, %s %s, "
	       "%s %s, %s %s)",
	       name, o.total_retrans, counter_name("RetransSegs"), delta(o.snd[RETRANS], d1),
	       counter_name("Timeouts"), delta(o.snd[TIMEOUTS], d2),
	       counter_name("FastRetrans"), delta(o.snd[FASTRETRANS], d3), drops,
	       counter_name("BacklogDrop"), delta(o.rcv[BACKLOGDROP], d4),
	       counter_name("RcvDropped"), delta(o.rcv[RCVDROPPED], d5),
	       counter_name("OFOQueue"), delta(o.rcv[OFOQUEUE], d6),
	       counter_name("DupData"), delta(o.rcv[DUPDATA], d7));
}

/*
 * ECN (RFC 3168): the client asks for it (net.xtcp.ecn 1, or net.ipv4.tcp_ecn 1 for
 * TCP; no fallback, so that a SYN sent again still asks), the server accepts by
 * default.  On the client's veth end netem "loss 10% ecn" marks one in ten of its
 * ECN-capable packets - all its data - CE instead of dropping it; it drops one in ten
 * of the others (the SYN, the handshake's ACK, the FIN after the figures are taken);
 * the server's end has no qdisc.  netem sees a super-segment as one packet (the stack
 * cuts it after the qdisc): 8 MiB make a hundred or more, so marks come.  Both ends
 * then show ECN in TCP_INFO, the receiver saw ECN-capable packets, the sender reduced
 * its window (ssthresh set) for the echoes - and sent no data again.  (Linux TCP counts
 * a SYN sent again among its retransmissions: with -p 6 one is allowed.)
 */
static void check_ecn(uint64_t len)
{
	struct job j = { .streams = 1, .len = len, .port = port++, .limit = timeout };
	unsigned int syn = proto == IPPROTO_TCP;	/* a SYN sent again, which TCP counts */
	char sz[32], d1[32];
	struct outcome o;

	if (!tap_ok(netem(NULL) == 0 &&
		    sh("ip netns exec xtcp-sc sysctl -qw net.xtcp.ecn=1 net.xtcp.ecn_fallback=0 "
		       "net.ipv4.tcp_ecn=1 net.ipv4.tcp_ecn_fallback=0") == 0 &&
		    sh("tc -n xtcp-sc qdisc replace dev xsc0 root netem loss 10%% ecn") == 0,
		    "ECN: the client asks for it, netem loss 10%% ecn on its veth end (CE marks)"))
		return;
	run_job(&j, &o);
	sh("ip netns exec xtcp-sc sysctl -qw net.xtcp.ecn=2 net.xtcp.ecn_fallback=1 "
	   "net.ipv4.tcp_ecn=2 net.ipv4.tcp_ecn_fallback=1");
	netem(NULL);
	if (!tap_ok(o.verified == 1, "ECN: %s client->server verified within %d s (%.1f s)%s%s",
		    fmt_size(len, sz), timeout, o.secs, o.why[0] ? ": " : "", o.why))
		return;
	tap_ok((o.snd_options & TCPI_OPT_ECN) && (o.rcv_options & TCPI_OPT_ECN),
	       "ECN: negotiated, TCP_INFO's options of the sender %#x and the receiver %#x",
	       o.snd_options, o.rcv_options);
	tap_ok(o.rcv_options & TCPI_OPT_ECN_SEEN,
	       "ECN: the receiver saw ECN-capable packets (TCPI_OPT_ECN_SEEN)");
	tap_ok(o.snd_ssthresh < 0x7fffffff,
	       "ECN: the sender reduced its window for the echoed marks (ssthresh %u)",
	       o.snd_ssthresh);
	tap_ok(o.total_retrans <= syn && (!have_counters() || o.snd[RETRANS] <= syn),
	       "ECN: no data sent again, the marks taken instead of losses (TCP_INFO %u, "
	       "%s %s)", o.total_retrans, counter_name("RetransSegs"), delta(o.snd[RETRANS], d1));
}

#define TSQ_RATE	"20mbit"
#define TSQ_MAX_BACKLOG	(100 * 1000)	/* bytes: a few segments, not a window */
#define TSQ_SAMPLES	"/tmp/xtcp-tsq-backlog"

/*
 * Small queues: a 20 Mbit/s token bucket (tbf, whose 1 s of queue takes 2.5 MB and,
 * unlike netem, keeps the packets' owner) on the client's own veth end, a transfer
 * through it.  While it runs, a sampler reads the qdisc's backlog (every 20 ms, or as
 * fast as tc runs: a few times a second in a TCG guest).  TCP Small Queues keep about
 * 1 ms of data at the pacing rate, at least two packets, in it
 * (tcp_small_queue_check()), where a sender without them fills it with its whole
 * congestion window (250 KB seen).  The largest backlog seen must stay under
 * TSQ_MAX_BACKLOG.
 */
static void check_small_queues(uint64_t len)
{
	struct job j = { .streams = 1, .len = len, .port = port++, .limit = timeout };
	long max = -1, n = 0, v;
	struct outcome o;
	char sz[32];
	pid_t pid;
	FILE *f;

	if (!tap_ok(netem(NULL) == 0, "small queues: no netem"))
		return;
	if (sh("tc -n xtcp-sc qdisc add dev xsc0 root tbf rate " TSQ_RATE " burst 32kb "
	       "latency 1s 2> " TSQ_SAMPLES) &&
	    !sh("grep -q 'kind is unknown' " TSQ_SAMPLES)) {
		/* the debug kernel's configuration has netem and fifo only */
		printf("# small queues: this kernel has no tbf qdisc (CONFIG_NET_SCH_TBF): "
		       "not run here\n");
		unlink(TSQ_SAMPLES);
		return;
	}
	if (!tap_ok(!sh("tc -n xtcp-sc qdisc show dev xsc0 | grep -q '^qdisc tbf'"),
		    "small queues: tbf rate " TSQ_RATE " latency 1s on the client's veth end"))
		return;
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "while :; do tc -s -j -n xtcp-sc qdisc show dev "
		      "xsc0 | sed -n 's/.*\"backlog\":\\([0-9]*\\).*/\\1/p'; sleep 0.02; done > "
		      TSQ_SAMPLES, (char *)NULL);
		_exit(127);
	}
	run_job(&j, &o);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	f = fopen(TSQ_SAMPLES, "r");
	while (f && fscanf(f, "%ld", &v) == 1) {
		n++;
		if (v > max)
			max = v;
	}
	if (f)
		fclose(f);
	unlink(TSQ_SAMPLES);
	netem(NULL);
	if (!tap_ok(o.verified == 1, "small queues: %s client->server through it verified "
		    "within %d s (%.1f s)%s%s", fmt_size(len, sz), timeout, o.secs,
		    o.why[0] ? ": " : "", o.why))
		return;
	tap_ok(n >= 3 && max >= 0 && max <= TSQ_MAX_BACKLOG,
	       "small queues: the qdisc below the sender held at most %ld bytes in %ld samples "
	       "(want at least 3 samples, at most %d bytes)", max, n, TSQ_MAX_BACKLOG);
}

/*
 * The 16 counters of @dev's line of /proc/net/dev in the calling thread's namespace
 * (received bytes, packets, errs, drop, fifo, frame, compressed, multicast, then sent
 * bytes, packets, errs, drop ...); all -1 if it cannot be read.
 */
static void dev_counters(const char *dev, long v[16])
{
	char line[512], name[32];
	FILE *f = fopen("/proc/net/dev", "r");
	int i, n = 0;

	snprintf(name, sizeof(name), "%s:", dev);
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, name);

		if (!p)
			continue;
		p += strlen(name);
		for (n = 0; n < 16; n++)
			v[n] = strtol(p, &p, 10);
	}
	if (f)
		fclose(f);
	for (i = n < 16 ? 0 : 16; i < 16; i++)
		v[i] = -1;
}

/* Packets and bytes the client's veth end sent (/proc/net/dev of its namespace). */
static void client_tx(long *pkts, long *bytes, long *drops)
{
	long v[16];

	setns(ns_client, CLONE_NEWNET);
	dev_counters("xsc0", v);
	setns(ns_self, CLONE_NEWNET);
	*bytes = v[8];
	*pkts = v[9];
	*drops = v[11];
}

/* Segments the client's namespace sent (OutSegs). */
static long client_segs(void)
{
	long v;

	setns(ns_client, CLONE_NEWNET);
	v = have_counters() ? counter("OutSegs") : -1;
	setns(ns_self, CLONE_NEWNET);
	return v;
}

/*
 * Segmentation offload: @len bytes client->server, first with the veth taking
 * super-segments whole (they leave the socket as one packet: at least 4 segments a
 * packet on average), then with its segmentation off (tso, tx-sctp-segmentation), so
 * that the stack cuts them in software: one packet per segment (or a drop by the veth,
 * whose peer's backlog may overflow with them), none above the MTU.
 */
static void check_gso(uint64_t len)
{
	static const char * const name[2] = { "GSO, the veth takes super-segments",
					      "GSO, the veth's segmentation off" };
	long p0, b0, d0, p1, b1, d1, s0, s1;
	char sz[32];
	int off;

	if (!tap_ok(netem(NULL) == 0 &&
		    sh("ip -n xtcp-sc link set xsc0 gso_max_segs 65535 && "
		       "ip -n xtcp-ss link set xss0 gso_max_segs 65535") == 0,
		    "GSO: no netem, the veth ends back to gso_max_segs 65535"))
		return;
	for (off = 0; off < 2; off++) {
		struct job j = { .streams = 1, .len = len, .port = port++, .limit = timeout };
		struct outcome o;

		if (off && !tap_ok(sh("ip netns exec xtcp-sc ethtool -K xsc0 tso off "
				      "tx-sctp-segmentation off") == 0,
				   "%s: ethtool -K xsc0 tso off tx-sctp-segmentation off", name[off]))
			return;
		client_tx(&p0, &b0, &d0);
		s0 = client_segs();
		run_job(&j, &o);
		client_tx(&p1, &b1, &d1);
		s1 = client_segs();
		tap_ok(o.verified == 1, "%s: %s client->server verified within %d s (%.1f s)%s%s",
		       name[off], fmt_size(len, sz), timeout, o.secs, o.why[0] ? ": " : "", o.why);
		if (!have_counters() || p0 < 0 || p1 <= p0)
			continue;
		if (!off)
			tap_ok((s1 - s0) >= 4 * (p1 - p0), "%s: %ld segments left the client in %ld "
			       "packets (%.0f bytes a packet)", name[off], s1 - s0, p1 - p0,
			       (double)(b1 - b0) / (p1 - p0));
		else	/* a veth drops what the peer's backlog has no room for */
			tap_ok(p1 - p0 + d1 - d0 >= s1 - s0 && (b1 - b0) / (p1 - p0) <= 1514,
			       "%s: %ld segments left the client in %ld packets and %ld dropped "
			       "by the veth (%.0f bytes a packet, the MTU 1500)", name[off],
			       s1 - s0, p1 - p0, d1 - d0, (double)(b1 - b0) / (p1 - p0));
	}
}

/* Packets the server's veth end received, and the segments its namespace's TCP saw. */
static void server_rx(long *pkts, long *segs)
{
	long v[16];

	setns(ns_server, CLONE_NEWNET);
	dev_counters("xss0", v);
	*pkts = v[1];
	*segs = have_counters() ? counter("InSegs") : -1;
	setns(ns_self, CLONE_NEWNET);
}

/*
 * Receive offload: @len bytes client->server with the client's veth end sending one
 * segment per packet (tso and gso off: the stack cuts the super-segments before it),
 * first with GRO on
 * at the server's end (a veth then takes its packets through NAPI, since Linux 5.13),
 * which glues consecutive segments of the flow back into super-segments before IP
 * (xtcp4_gro_receive()): fewer segments reach the server's TCP (InSegs, one for a
 * super-segment, as Linux counts) than packets reached its veth end - at least two
 * packets a segment on average.  Then GRO off: one segment a packet (but for the odd
 * packet of another protocol, e.g. IPv6 neighbour discovery).
 *
 * GRO can only glue what one NAPI poll finds together, and a train ends at PSH (which
 * the sender puts at the end of each write() and at least every half window, as
 * Linux TCP does).  A sender in a guest is slower than the path: it sends each segment
 * as soon as it is written, one per poll.  So the path here is what makes a sender on
 * a real network fast: RTT 10 ms and the receiver's SO_RCVBUF GRO_RCVBUF, whose window
 * holds the sender back; it keeps its queue full and sends a burst from its head each
 * time the window opens.  Its super-segments carry 8 segments at least (min_tso_segs,
 * both protocols'): sized by the pacing rate, as Linux sizes them, a guest's slow flow
 * gets 2-segment ones, each ending in PSH, and GRO never glues more than two.
 */
#define GRO_RCVBUF	32768

static void check_gro(uint64_t len)
{
	static const char * const name[2] = { "GRO off at the receiver",
					      "GRO on at the receiver" };
	const char *tcp = proto == IPPROTO_XTCP ? "xtcp" : "TCP";
	long p0, s0, p1, s1;
	char sz[32];
	int on;

	if (!tap_ok(netem("delay 5ms limit 100000") == 0 &&
		    sh("ip netns exec xtcp-sc ethtool -K xsc0 tso off gso off") == 0 &&
		    sh("ip netns exec xtcp-sc sysctl -qw net.xtcp.min_tso_segs=8 "
		       "net.ipv4.tcp_min_tso_segs=8") == 0,
		    "GRO: netem delay 5ms on both veth ends, ethtool -K xsc0 tso off gso off "
		    "(one segment a packet), min_tso_segs 8 at the client"))
		return;
	for (on = 1; on >= 0; on--) {
		struct job j = { .streams = 1, .len = len, .rcvbuf = GRO_RCVBUF,
				 .port = port++, .limit = timeout };
		struct outcome o;

		if (!tap_ok(sh("ip netns exec xtcp-ss ethtool -K xss0 gro %s",
			       on ? "on" : "off") == 0,
			    "%s: ethtool -K xss0 gro %s", name[on], on ? "on" : "off"))
			return;
		server_rx(&p0, &s0);
		run_job(&j, &o);
		server_rx(&p1, &s1);
		tap_ok(o.verified == 1, "%s: %s client->server, the server's SO_RCVBUF %d, "
		       "verified within %d s (%.1f s)%s%s", name[on], fmt_size(len, sz),
		       GRO_RCVBUF, timeout, o.secs, o.why[0] ? ": " : "", o.why);
		if (!have_counters() || p0 < 0 || s0 < 0 || s1 <= s0)
			continue;
		if (on)
			tap_ok(p1 - p0 >= 2 * (s1 - s0), "%s: %ld packets reached the server's veth "
			       "end, %ld segments its %s (%s): %.1f packets a segment", name[on],
			       p1 - p0, s1 - s0, tcp, counter_name("InSegs"),
			       (double)(p1 - p0) / (s1 - s0));
		else
			tap_ok(s1 - s0 + 16 >= p1 - p0, "%s: %ld packets reached the server's veth "
			       "end, %ld segments its %s (%s): one a packet, 16 others at most",
			       name[on], p1 - p0, s1 - s0, tcp, counter_name("InSegs"));
	}
}

int main(int argc, char **argv)
{
	static const struct path paths[] = {
		{ .name = "no netem" },
		{ .name = "loss 1%", .netem = "loss 1%", .loss = 0.01 },
		{ .name = "loss 5%", .netem = "loss 5%", .loss = 0.05 },
		{ .name = "loss 10%", .netem = "loss 10%", .loss = 0.10 },
		{ .name = "delay 10ms 5ms", .netem = "delay 10ms 5ms" },
		{ .name = "delay 10ms reorder 25% 50%", .netem = "delay 10ms reorder 25% 50%",
		  .reorder = 0.25 },
		{ .name = "duplicate 5%", .netem = "duplicate 5%", .duplicate = 0.05 },
		{ .name = "corrupt 2%", .netem = "corrupt 2%", .corrupt = 0.02 },
	};
	static const struct path loss10 = { .name = "loss 10%", .netem = "loss 10%", .loss = 0.10 };
	static const struct path loss5 = { .name = "loss 5%", .netem = "loss 5%", .loss = 0.05 };
	uint64_t size = 2 * MiB, big = 8 * MiB, plen = MiB;
	int opt, streams = 8;
	size_t i;

	while ((opt = getopt(argc, argv, "p:s:b:n:P:t:")) != -1) {
		switch (opt) {
		case 'p':
			proto = atoi(optarg);
			break;
		case 's':
			size = parse_size(optarg);
			break;
		case 'b':
			big = parse_size(optarg);
			break;
		case 'n':
			streams = atoi(optarg);
			break;
		case 'P':
			plen = parse_size(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-p PROTO] [-s SIZE] [-b SIZE] [-n STREAMS] "
				"[-P SIZE] [-t SECONDS]\n", argv[0]);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	printf("# protocol %d\n", proto);
	ns_self = open("/proc/self/ns/net", O_RDONLY);
	if (!tap_ok(setup() == 0, "two namespaces joined by a veth pair"))
		return tap_done();

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		if (!tap_ok(netem(paths[i].netem) == 0, "%s%s", paths[i].name,
			    paths[i].netem ? ": netem on both veth ends" : ""))
			continue;
		check_job(&paths[i], 0, 1, size, timeout);
		check_job(&paths[i], 1, 1, size, timeout);
	}
	/* Linux TCP needs 30 to 65 s for 8 MiB at 10% loss in a TCG guest: the limit grows */
	if (big && tap_ok(netem(loss10.netem) == 0, "%s: netem on both veth ends", loss10.name))
		check_job(&loss10, 0, 1, big, big > size ? timeout * (double)big / size : timeout);
	if (streams && tap_ok(netem(loss5.netem) == 0, "%s: netem on both veth ends", loss5.name))
		check_job(&loss5, 0, streams, plen, timeout);
	if (tap_ok(netem(NULL) == 0, "no netem"))
		check_slow_reader(size > 2 * MiB ? size : 2 * MiB);
	check_long_path(10, 32 * MiB);
	check_long_path(50, 32 * MiB);
	check_small_queues(8 * MiB);
	check_gso(32 * MiB);
	check_gro(16 * MiB);
	check_ecn(8 * MiB);

	setns(ns_self, CLONE_NEWNET);
	tap_ok(sh("ip netns del xtcp-sc && ip netns del xtcp-ss") == 0, "namespaces deleted");
	return tap_done();
}
