// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: /proc/net files of each network namespace.
 *
 * /proc/net/xtcp lists listeners, request minisockets and connections in the format of
 * /proc/net/tcp (tcp4_seq_show()): state in TCP's hex codes (0A LISTEN, 03 SYN_RECV for
 * a request, 01 ESTABLISHED ...), queues, timer, uid and inode.
 *
 * /proc/net/xtcp_stat holds the counters in the format of /proc/net/netstat: a line of
 * names and a line of values, both starting with "Xtcp:", so that tools that read
 * /proc/net/netstat (nstat-style parsers) read it too.
 *
 * /proc/net/xtcp_sockstat counts orphans, TIME_WAITs, sockets and memory, as the TCP
 * line of /proc/net/sockstat does.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include "xtcp.h"

static const char * const xtcp_mib_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_INSEGS]		= "InSegs",
	[XTCP_MIB_OUTSEGS]		= "OutSegs",
	[XTCP_MIB_INERRS]		= "InErrs",
	[XTCP_MIB_INCSUMERRORS]		= "InCsumErrors",
	[XTCP_MIB_NOSOCKET]		= "NoSocket",
	[XTCP_MIB_OUTRSTS]		= "OutRsts",
	[XTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]		= "EstabResets",
	[XTCP_MIB_SYNRETRANS]		= "SynRetrans",
	[XTCP_MIB_SYNACKRETRANS]	= "SynAckRetrans",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[XTCP_MIB_FASTRETRANS]		= "FastRetrans",
	[XTCP_MIB_TIMEOUTS]		= "Timeouts",
	[XTCP_MIB_OFOQUEUE]		= "OFOQueue",
	[XTCP_MIB_DUPACKS]		= "DupAcks",
	[XTCP_MIB_SACKRECV]		= "SackRecv",
	[XTCP_MIB_WINPROBE]		= "WinProbe",
	[XTCP_MIB_DELAYEDACKS]		= "DelayedACKs",
	[XTCP_MIB_DUPDATA]		= "DupData",
	[XTCP_MIB_BEYONDWINDOW]		= "BeyondWindow",
	[XTCP_MIB_PRUNECALLED]		= "PruneCalled",
	[XTCP_MIB_RCVDROPPED]		= "RcvDropped",
	[XTCP_MIB_TIMEWAITED]		= "TW",
	[XTCP_MIB_TWRECYCLED]		= "TWRecycled",
	[XTCP_MIB_TWKILLED]		= "TWKilled",
	[XTCP_MIB_TWOVERFLOW]		= "TWOverflow",
	[XTCP_MIB_ABORTONDATA]		= "AbortOnData",
	[XTCP_MIB_ABORTONCLOSE]		= "AbortOnClose",
	[XTCP_MIB_ABORTONLINGER]	= "AbortOnLinger",
	[XTCP_MIB_ABORTONTIMEOUT]	= "AbortOnTimeout",
	[XTCP_MIB_ABORTONMEMORY]	= "AbortOnMemory",
	[XTCP_MIB_CHALLENGEACK]		= "ChallengeACK",
	[XTCP_MIB_KEEPALIVEPROBES]	= "KeepAliveProbes",
	[XTCP_MIB_BACKLOGDROP]		= "BacklogDrop",
	[XTCP_MIB_BACKLOGCOALESCE]	= "BacklogCoalesce",
	[XTCP_MIB_LOSSPROBES]		= "LossProbes",
	[XTCP_MIB_LOSSPROBERECOVERY]	= "LossProbeRecovery",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_ACKSKIPPEDSEQ]	= "AckSkippedSeq",
	[XTCP_MIB_ACKSKIPPEDPAWS]	= "AckSkippedPAWS",
	[XTCP_MIB_ACKSKIPPEDCHALLENGE]	= "AckSkippedChallenge",
	[XTCP_MIB_ACKSKIPPEDTIMEWAIT]	= "AckSkippedTimeWait",
	[XTCP_MIB_ACKSKIPPEDSYNRECV]	= "AckSkippedSynRecv",
	[XTCP_MIB_RCVCOLLAPSED]		= "RcvCollapsed",
	[XTCP_MIB_OFOPRUNED]		= "OfoPruned",
	[XTCP_MIB_WQUEUETOOBIG]		= "WqueueTooBig",
	[XTCP_MIB_RCVCOALESCE]		= "RcvCoalesce",
	[XTCP_MIB_MEMORYPRESSURES]	= "MemoryPressures",
	[XTCP_MIB_PAWSESTAB]		= "PAWSEstab",
	[XTCP_MIB_HYSTARTTRAINDETECT]	= "HystartTrainDetect",
	[XTCP_MIB_HYSTARTTRAINCWND]	= "HystartTrainCwnd",
	[XTCP_MIB_HYSTARTDELAYDETECT]	= "HystartDelayDetect",
	[XTCP_MIB_HYSTARTDELAYCWND]	= "HystartDelayCwnd",
	[XTCP_MIB_DSACKRECV]		= "DSACKRecv",
	[XTCP_MIB_DSACKIGNORED]		= "DSACKIgnoredDubious",
	[XTCP_MIB_DSACKUNDO]		= "DSACKUndo",
	[XTCP_MIB_FULLUNDO]		= "FullUndo",
	[XTCP_MIB_DEFERACCEPTDROP]	= "DeferAcceptDrop",
};

/**
 * xtcp_mib_read - one counter of a namespace, summed over all CPUs
 * @net: the network namespace
 * @field: which counter
 *
 * Context: any.
 * Return: the counter's value.
 */
unsigned long xtcp_mib_read(struct net *net, enum xtcp_mib_field field)
{
	const struct xtcp_mib __percpu *mib = xtcp_pernet(net)->mib;
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(mib, cpu)->mibs[field]);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_mib_read);

/* seq_file show for /proc/net/xtcp_stat; process context. */
static int xtcp_stat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	int i;

	seq_puts(seq, "Xtcp:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(seq, " %s", xtcp_mib_names[i]);
	seq_puts(seq, "\nXtcp:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(seq, " %lu", xtcp_mib_read(net, i));
	seq_putc(seq, '\n');
	return 0;
}

/*
 * seq_file show for /proc/net/xtcp_sockstat, like the TCP line of /proc/net/sockstat:
 * orphans and sockets (machine-wide), TIME_WAIT minisockets (this namespace) and the
 * memory all xtcp sockets hold (pages).  Process context.
 */
static int xtcp_sockstat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);

	seq_printf(seq, "XTCP: orphan %d tw %d alloc %ld mem %ld\n", xtcp_orphans(),
		   atomic_read(&xtcp_pernet(net)->tw_count), xtcp_sockets_count(),
		   xtcp_memory_allocated_pages());
	return 0;
}

#define XTCP_PROC_LINE	150	/* line width of /proc/net/tcp, padding included */

/*
 * Timer columns, as /proc/net/tcp: 1 = retransmission timer, 4 = zero-window probe
 * timer, 2 = keepalive (or an orphan's FIN_WAIT2) timer, 0 = none; then the jiffies
 * left.
 */
static void xtcp_proc_timer(const struct xtcp_sock *xs, int *active, long *left)
{
	const struct timer_list *t = &xs->retransmit_timer;
	const struct sock *sk = (const struct sock *)xs;

	*active = 0;
	*left = 0;
	if (timer_pending(t)) {
		*active = READ_ONCE(xs->pending) == XTCP_TIME_PROBE0 ?
			  XTCP_PROC_TIMER_PROBE0 : XTCP_PROC_TIMER_RETRANS;
	} else if (timer_pending(&sk->sk_timer)) {
		t = &sk->sk_timer;
		*active = XTCP_PROC_TIMER_KEEPALIVE;
	} else {
		return;
	}
	*left = (long)(READ_ONCE(t->expires) - jiffies);
}

/*
 * The start of a row: its number and the local and remote addresses and ports, as
 * /proc/net/tcp prints them (padded to XTCP_PROC_LINE) or /proc/net/tcp6 (with @v6).
 */
static void xtcp_proc_addrs(struct seq_file *f, int i, const struct sock_common *skc,
			    bool v6)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (v6) {
		const __be32 *s = skc->skc_v6_rcv_saddr.s6_addr32, *d = skc->skc_v6_daddr.s6_addr32;

		seq_printf(f, "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X ", i,
			   s[0], s[1], s[2], s[3], skc->skc_num, d[0], d[1], d[2], d[3],
			   ntohs(skc->skc_dport));
		return;
	}
#endif
	seq_setwidth(f, XTCP_PROC_LINE - 1);
	seq_printf(f, "%4d: %08X:%04X %08X:%04X ", i, skc->skc_rcv_saddr, skc->skc_num,
		   skc->skc_daddr, ntohs(skc->skc_dport));
}

/*
 * One socket's row.  tx_queue: bytes queued and not yet ACKed; rx_queue: bytes
 * received and not yet read (a listener: connections waiting for accept()).  The
 * last columns are the RTO, the delayed-ACK timeout (0: none pending), quick-ack
 * segments, cwnd and ssthresh (-1 while still at its initial infinity), as in TCP's.
 */
static void xtcp_proc_sock(struct seq_file *f, struct sock *sk, int i, bool v6)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int state = inet_sk_state_load(sk), active;
	u32 rx_queue, tx_queue, ssthresh;
	long left;

	if (state == TCP_LISTEN) {
		rx_queue = READ_ONCE(sk->sk_ack_backlog);
		tx_queue = 0;
	} else {
		rx_queue = xtcp_inq(sk);
		tx_queue = max_t(int, READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_una), 0);
	}
	ssthresh = READ_ONCE(xs->snd_ssthresh);
	xtcp_proc_timer(xs, &active, &left);
	xtcp_proc_addrs(f, i, &sk->__sk_common, v6);
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5u %8d %llu %d %pK %lu %lu %u %u %d",
		   state, tx_queue, rx_queue, active,
		   jiffies_delta_to_clock_t(left), READ_ONCE(xs->retransmits),
		   from_kuid_munged(seq_user_ns(f), xtcp_sk_uid(sk)), 0,
		   (unsigned long long)sock_i_ino(sk),
		   refcount_read(&sk->sk_refcnt), sk, jiffies_to_clock_t(READ_ONCE(xs->rto)),
		   timer_pending(&xs->delack_timer) ? jiffies_to_clock_t(XTCP_DELACK_MIN) : 0,
		   READ_ONCE(xs->quick_acks) << 1, READ_ONCE(xs->snd_cwnd),
		   ssthresh >= XTCP_INFINITE_SSTHRESH ? -1 : (int)ssthresh);
	seq_pad(f, '\n');
}

static void xtcp_proc_req(struct seq_file *f, struct xtcp_request_sock *req, int i, bool v6)
{
	long left = READ_ONCE(req->timer.expires) - jiffies;

	xtcp_proc_addrs(f, i, &req->common, v6);
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5u %8d %u %d %pK",
		   TCP_SYN_RECV, 0, 0, 1,
		   jiffies_delta_to_clock_t(left), READ_ONCE(req->num_retrans),
		   from_kuid_munged(seq_user_ns(f), xtcp_sk_uid(req->listener)), 0, 0, 0, req);
	seq_pad(f, '\n');
}

/* A TIME_WAIT minisocket's row, like get_timewait4_sock(). */
static void xtcp_proc_tw(struct seq_file *f, struct xtcp_timewait_sock *tw, int i, bool v6)
{
	long left = READ_ONCE(tw->timer.expires) - jiffies;

	xtcp_proc_addrs(f, i, &tw->common, v6);
	seq_printf(f, "%02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK",
		   TCP_TIME_WAIT, 0, 0,
		   XTCP_PROC_TIMER_TIMEWAIT, jiffies_delta_to_clock_t(left), 0, 0, 0, 0,
		   refcount_read(&tw->common.skc_refcnt), tw);
	seq_pad(f, '\n');
}

/*
 * The rows of the sockets of @family: listeners, then the established hash
 * (connections, requests and TIME_WAIT minisockets), walked under RCU.  IPv6 sockets
 * talking to v4-mapped addresses are IPv6 ones, as in /proc/net/tcp6.
 */
static void xtcp_seq_rows(struct seq_file *f, int family)
{
	struct xtcp_net *xn = xtcp_pernet(seq_file_single_net(f));
	const struct hlist_nulls_node *node;
	bool v6 = family == AF_INET6;
	struct sock_common *skc;
	struct xtcp_sock *xs;
	int b, i = 0;

	rcu_read_lock();
	for (b = 0; b < XTCP_LHASH_SIZE; b++)
		hlist_for_each_entry_rcu(xs, &xn->lhash2[b], listen_node)
			if (xs->inet.sk.sk_family == family)
				xtcp_proc_sock(f, (struct sock *)xs, i++, v6);
	/* each chain under its lock, as /proc/net/tcp: a walk never strays */
	for (b = 0; b <= xn->ehash_mask; b++) {
		if (hlist_nulls_empty(&xn->ehash[b]))
			continue;	/* most are, with many chains: no lock for them */
		spin_lock_bh(xtcp_ehash_lock(xn, b));
		hlist_nulls_for_each_entry(skc, node, &xn->ehash[b], skc_nulls_node) {
			if (skc->skc_family != family)
				continue;
			if (skc->skc_state == TCP_NEW_SYN_RECV)
				xtcp_proc_req(f, container_of(skc, struct xtcp_request_sock,
							      common), i++, v6);
			else if (skc->skc_state == TCP_TIME_WAIT)
				xtcp_proc_tw(f, xtcp_twsk((struct sock *)skc), i++, v6);
			else
				xtcp_proc_sock(f, (struct sock *)skc, i++, v6);
		}
		spin_unlock_bh(xtcp_ehash_lock(xn, b));
	}
	rcu_read_unlock();
}

/* seq_file show for /proc/net/xtcp, the IPv4 sockets as /proc/net/tcp.  Process context. */
static int xtcp_seq_show(struct seq_file *f, void *v)
{
	seq_setwidth(f, XTCP_PROC_LINE - 1);
	seq_puts(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode");
	seq_pad(f, '\n');
	xtcp_seq_rows(f, AF_INET);
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
/* seq_file show for /proc/net/xtcp6, as /proc/net/tcp6.  Process context. */
static int xtcp6_seq_show(struct seq_file *f, void *v)
{
	seq_puts(f, "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	xtcp_seq_rows(f, AF_INET6);
	return 0;
}
#endif

/**
 * xtcp_proc_init_net - create the /proc/net files of a namespace
 * @net: the new namespace
 *
 * Context: process, from the pernet init hook.
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single(XTCP_PROC_STAT, 0444, net->proc_net, xtcp_stat_show,
				    NULL))
		return -ENOMEM;
	if (!proc_create_net_single(XTCP_PROC_SOCKETS, 0444, net->proc_net, xtcp_seq_show,
				    NULL))
		goto out_stat;
	if (!proc_create_net_single(XTCP_PROC_SOCKSTAT, 0444, net->proc_net,
				    xtcp_sockstat_show, NULL))
		goto out_sockets;
#if IS_ENABLED(CONFIG_IPV6)
	/* none where IPv6 is disabled (ipv6.disable=1), as /proc/net/tcp6 */
	if (ipv6_mod_enabled() &&
	    !proc_create_net_single(XTCP_PROC_SOCKETS6, 0444, net->proc_net, xtcp6_seq_show,
				    NULL))
		goto out_sockstat;
#endif
	return 0;

#if IS_ENABLED(CONFIG_IPV6)
out_sockstat:
	remove_proc_entry(XTCP_PROC_SOCKSTAT, net->proc_net);
#endif
out_sockets:
	remove_proc_entry(XTCP_PROC_SOCKETS, net->proc_net);
out_stat:
	remove_proc_entry(XTCP_PROC_STAT, net->proc_net);
	return -ENOMEM;
}

/**
 * xtcp_proc_exit_net - remove the /proc/net files of a namespace
 * @net: the namespace going away
 *
 * Context: process, from the pernet exit hook.
 */
void xtcp_proc_exit_net(struct net *net)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (ipv6_mod_enabled())
		remove_proc_entry(XTCP_PROC_SOCKETS6, net->proc_net);
#endif
	remove_proc_entry(XTCP_PROC_SOCKSTAT, net->proc_net);
	remove_proc_entry(XTCP_PROC_SOCKETS, net->proc_net);
	remove_proc_entry(XTCP_PROC_STAT, net->proc_net);
}
