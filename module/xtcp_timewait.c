// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: TIME_WAIT minisockets, like net/ipv4/inet_timewait_sock.c (inet_twsk_alloc,
 * inet_twsk_hashdance, inet_twsk_kill, inet_twsk_purge) and the TIME_WAIT half of
 * net/ipv4/tcp_minisocks.c (tcp_time_wait, tcp_timewait_state_process).
 *
 * The side that closes first ends in TIME_WAIT for 2*MSL (net.xtcp.tw_timeout): long
 * enough for its last ACK to be re-sent if the peer's FIN comes again, and for old
 * segments of the connection to die out before the 4-tuple is used again (RFC 9293
 * 3.6.1).  The full socket, with its buffers and timers, is not needed for that: a
 * struct xtcp_timewait_sock takes its place in the established hash and in its port's
 * bind bucket, and the socket is freed.
 *
 * References on a TIME_WAIT minisocket: one for the established hash, one while its
 * timer is pending, one per lookup in flight; the last xtcp_tw_put() frees it after
 * an RCU grace period.  Each holds a reference on the module (rmmod waits for TIME_WAIT
 * to end) but none on its namespace: a namespace going away purges its own and waits
 * for the last to be freed (xtcp_tw_purge_net()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/rculist_nulls.h>
#include "xtcp.h"

static struct kmem_cache *xtcp_tw_cache __read_mostly;

/**
 * xtcp_tw_init - create the slab cache of TIME_WAIT minisockets
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int xtcp_tw_init(void)
{
	xtcp_tw_cache = KMEM_CACHE(xtcp_timewait_sock, 0);
	return xtcp_tw_cache ? 0 : -ENOMEM;
}

/**
 * xtcp_tw_exit - destroy the cache, once every minisocket is freed
 *
 * Context: process, module exit.
 */
void xtcp_tw_exit(void)
{
	rcu_barrier();	/* minisockets are freed by RCU callbacks */
	kmem_cache_destroy(xtcp_tw_cache);
}

/* The RCU callback: free, then let the module go (its exit waits in rcu_barrier()). */
static void xtcp_tw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xtcp_tw_cache, container_of(head, struct xtcp_timewait_sock, rcu));
	module_put(THIS_MODULE);
}

/**
 * xtcp_tw_put - drop a reference on a TIME_WAIT minisocket; the last one frees it
 * @tw: the minisocket
 *
 * Context: any.
 */
void xtcp_tw_put(struct xtcp_timewait_sock *tw)
{
	struct xtcp_net *xn;

	if (!refcount_dec_and_test(&tw->common.skc_refcnt))
		return;
	xn = xtcp_pernet(read_pnet(&tw->common.skc_net));
	call_rcu(&tw->rcu, xtcp_tw_free_rcu);
	/*
	 * The last touch of the namespace: once the count is 0, xtcp_tw_purge_net() may
	 * let it go.  wake_up_var() only hashes the address, it does not read it.
	 */
	if (atomic_dec_and_test(&xn->tw_count))
		wake_up_var(&xn->tw_count);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tw_put);

/*
 * Take @tw out of the established hash and give up its port, like inet_twsk_kill().
 * Whoever unlinks it owns the table's reference; the caller still holds one of its own.
 */
static void xtcp_tw_kill(struct xtcp_timewait_sock *tw)
{
	struct sock *sk = (struct sock *)&tw->common;

	if (xtcp_ehash_unlink(sk))
		refcount_dec(&tw->common.skc_refcnt);	/* the table's; ours remains */
	xtcp_unbind_tw(tw);
}

/* End a TIME_WAIT now; the caller holds a reference.  Waits for a running timer. */
static void xtcp_tw_deschedule(struct xtcp_timewait_sock *tw)
{
	if (timer_delete_sync(&tw->timer))
		refcount_dec(&tw->common.skc_refcnt);	/* the pending timer's */
	xtcp_tw_kill(tw);
}

/**
 * xtcp_tw_deschedule_put - end a TIME_WAIT now and drop the caller's reference, like
 * inet_twsk_deschedule_put()
 * @tw: the minisocket, referenced by the caller
 *
 * Context: softirq or process; may wait for a running timer handler (not from it).
 */
void xtcp_tw_deschedule_put(struct xtcp_timewait_sock *tw)
{
	xtcp_tw_deschedule(tw);
	xtcp_tw_put(tw);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tw_deschedule_put);

/* TIME_WAIT ran out: timer context. */
static void xtcp_tw_timer_handler(struct timer_list *t)
{
	struct xtcp_timewait_sock *tw = timer_container_of(tw, t, timer);

	XTCP_INC_STATS(read_pnet(&tw->common.skc_net), XTCP_MIB_TIMEWAITED);
	xtcp_tw_kill(tw);
	xtcp_tw_put(tw);	/* the timer's */
}

/* A TIME_WAIT minisocket for @sk's connection; NULL if out of memory or over the cap. */
static struct xtcp_timewait_sock *xtcp_tw_alloc(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	const struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_timewait_sock *tw;

	if (atomic_read(&xn->tw_count) >= READ_ONCE(xn->sysctl_max_tw_buckets))
		return NULL;
	tw = kmem_cache_zalloc(xtcp_tw_cache, GFP_ATOMIC);
	if (!tw)
		return NULL;
	tw->common.skc_family = sk->sk_family;
	tw->common.skc_state = TCP_TIME_WAIT;
	tw->common.skc_daddr = sk->sk_daddr;
	tw->common.skc_rcv_saddr = sk->sk_rcv_saddr;
#if IS_ENABLED(CONFIG_IPV6)
	tw->common.skc_v6_daddr = sk->sk_v6_daddr;
	tw->common.skc_v6_rcv_saddr = sk->sk_v6_rcv_saddr;
	tw->common.skc_ipv6only = sk->sk_ipv6only;	/* what it holds of the port */
	if (sk->sk_family == AF_INET6) {	/* what its ACKs carry, as tcp_time_wait() */
		tw->tclass = inet6_sk(sk)->tclass;
		tw->flowlabel = be32_to_cpu(inet6_sk(sk)->flow_label & IPV6_FLOWLABEL_MASK);
	}
#endif
	tw->common.skc_dport = sk->sk_dport;
	tw->common.skc_num = sk->sk_num;
	tw->common.skc_bound_dev_if = sk->sk_bound_dev_if;
	tw->common.skc_hash = sk->sk_hash;
	write_pnet(&tw->common.skc_net, sock_net(sk));
	INIT_HLIST_NODE(&tw->common.skc_node);
	INIT_HLIST_NODE(&tw->bind_node);
	timer_setup(&tw->timer, xtcp_tw_timer_handler, 0);
	refcount_set(&tw->common.skc_refcnt, 1);
	tw->rcv_nxt = xs->rcv_nxt;
	tw->snd_nxt = xs->snd_nxt;
	tw->rcv_wnd = xtcp_receive_window(xs);
	tw->rcv_wscale = xs->rcv_wscale;
	tw->tstamp_ok = xs->tstamp_ok;
	tw->ts_recent = xs->ts_recent;
	tw->ts_recent_stamp = xs->tstamp_ok ? xs->ts_recent_stamp : 0;
	tw->tsoffset = xs->tsoffset;
	tw->reuse = sk->sk_reuse;
	tw->reuseport = sk->sk_reuseport;
	atomic_inc(&xn->tw_count);
	__module_get(THIS_MODULE);	/* a socket of ours holds it: it cannot be going */
	return tw;
}

/**
 * xtcp_time_wait - the connection enters TIME_WAIT: a minisocket replaces @sk in the
 * tables and @sk closes, like tcp_time_wait() + inet_twsk_hashdance()
 * @sk: the socket, locked, whose FIN and the peer's are both ACKed
 *
 * Above net.xtcp.max_tw_buckets (or without memory) no TIME_WAIT is kept and the
 * socket simply closes (TWOverflow).
 *
 * Context: softirq, timer or process (backlog), socket locked.
 */
void xtcp_time_wait(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_timewait_sock *tw = xtcp_tw_alloc(sk);
	int timeo = READ_ONCE(xn->sysctl_tw_timeout) * HZ;

	if (!tw) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWOVERFLOW);
		xtcp_done(sk);
		return;
	}
	/*
	 * The port first, so that it is never free while the 4-tuple is taken; the timer
	 * before the hash, so that a RST killing it at once finds it armed.
	 */
	xtcp_bind_tw(tw, xtcp_sk(sk)->bind_bucket);
	refcount_inc(&tw->common.skc_refcnt);	/* the timer's */
	mod_timer(&tw->timer, jiffies + timeo);
	if (xtcp_ehash_insert((struct sock *)&tw->common, sk, NULL)) {
		__sock_put(sk);		/* @sk's place in the table, now the minisocket's */
	} else {
		/* @sk was no longer hashed: nothing to hold */
		if (timer_delete(&tw->timer))
			refcount_dec(&tw->common.skc_refcnt);
		xtcp_unbind_tw(tw);
	}
	xtcp_tw_put(tw);
	xtcp_set_state(sk, TCP_TIME_WAIT);	/* for the tracepoints: then CLOSE */
	xtcp_done(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_time_wait);

/**
 * xtcp_twsk_unique - may a connect() take this TIME_WAIT's 4-tuple over?  Like
 * tcp_twsk_unique()
 * @sk: the connecting socket
 * @tw: the TIME_WAIT holding the 4-tuple
 * @ephemeral: connect() picked the port (else bind() fixed it)
 *
 * Only if the old connection used timestamps: PAWS then tells the new incarnation's
 * segments from old duplicates (RFC 7323 5.8).  A port connect() picks takes one over
 * only with net.xtcp.tw_reuse (1; 2, the default, toward loopback only) and once the
 * old connection's last timestamp is more than a second old.  The new connection
 * starts beyond anything the old one sent (snd_nxt + 65537) and takes its timestamp
 * state.
 *
 * Context: softirq or process, the 4-tuple's chain locked.
 * Return: true, with a reference on @tw taken, if it may.
 */
bool xtcp_twsk_unique(struct sock *sk, struct xtcp_timewait_sock *tw, bool ephemeral)
{
	int reuse = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_tw_reuse);
	time64_t stamp = READ_ONCE(tw->ts_recent_stamp);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (reuse == 2 && tw->common.skc_bound_dev_if != LOOPBACK_IFINDEX &&
	    !xtcp_skc_loopback(&tw->common))
		reuse = 0;
	if (!stamp || (ephemeral && !(reuse && ktime_get_seconds() > stamp)))
		return false;
	if (!refcount_inc_not_zero(&tw->common.skc_refcnt))
		return false;
	xs->iss = (tw->snd_nxt + 65535 + 2) ?: 1;
	xs->ts_recent = READ_ONCE(tw->ts_recent);
	xs->ts_recent_stamp = stamp;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_twsk_unique);

/* The peer's timestamp on @skb, if the connection used them; PAWS says if it is old. */
static bool xtcp_tw_paws_reject(const struct xtcp_timewait_sock *tw,
				const struct tcphdr *th, struct xtcp_options_received *opt)
{
	if (!READ_ONCE(tw->ts_recent_stamp) || th->doff <= sizeof(*th) / 4)
		return false;
	xtcp_parse_options(th, th->doff * 4, opt);
	return opt->saw_tstamp && xtcp_paws_reject(READ_ONCE(tw->ts_recent),
						   READ_ONCE(tw->ts_recent_stamp),
						   opt->rcv_tsval, th->rst);
}

/**
 * xtcp_timewait_state_process - a segment for a TIME_WAIT minisocket, like
 * tcp_timewait_state_process()
 * @tw: the minisocket, referenced by the caller (the reference is the caller's)
 * @skb: the segment, validated, XTCP_SKB_CB filled in
 *
 * RFC 9293 3.10.7.4 for TIME-WAIT: an in-window RST ends it (TWKilled); a bare ACK at
 * rcv_nxt restarts the timer; a new SYN (a higher sequence number, or a newer
 * timestamp) may open a new incarnation (RFC 1122 4.2.2.13, RFC 6191); anything else -
 * the peer's FIN again, an old segment - is answered with an ACK and restarts the 2*MSL
 * timer; segments without data get at most one answer per net.xtcp.invalid_ratelimit
 * (xtcp_oow_rate_limited()).
 *
 * Context: softirq.
 * Return: what the caller must do: XTCP_TW_ACK (answer with an ACK), XTCP_TW_SYN (the
 * TIME_WAIT is ended; give the SYN to the listener, XTCP_SKB_CB(skb)->tw_isn set),
 * XTCP_TW_SUCCESS (nothing).
 */
enum xtcp_tw_status xtcp_timewait_state_process(struct xtcp_timewait_sock *tw,
						struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_options_received opt = {};
	u32 rcv_nxt = READ_ONCE(tw->rcv_nxt);
	struct net *net = read_pnet(&tw->common.skc_net);
	int timeo = READ_ONCE(xtcp_pernet(net)->sysctl_tw_timeout) * HZ;
	bool paws_reject = xtcp_tw_paws_reject(tw, th, &opt);

	if (!paws_reject && cb->seq == rcv_nxt && (cb->seq == cb->end_seq || th->rst)) {
		/* in window: only a RST or a bare ACK can be */
		if (th->rst) {
			XTCP_INC_STATS(net, XTCP_MIB_TWKILLED);
			xtcp_tw_deschedule(tw);
			return XTCP_TW_SUCCESS;
		}
		mod_timer_pending(&tw->timer, jiffies + timeo);
		if (opt.saw_tstamp) {
			WRITE_ONCE(tw->ts_recent, opt.rcv_tsval);
			WRITE_ONCE(tw->ts_recent_stamp, ktime_get_seconds());
		}
		return XTCP_TW_SUCCESS;
	}

	if (th->syn && !th->rst && !th->ack && !paws_reject &&
	    (xtcp_after(cb->seq, rcv_nxt) ||
	     (opt.saw_tstamp && (s32)(tw->ts_recent - opt.rcv_tsval) < 0))) {
		u32 isn = tw->snd_nxt + 65535 + 2;

		cb->tw_isn = isn ?: 1;
		return XTCP_TW_SYN;
	}

	if (th->rst)
		return XTCP_TW_SUCCESS;
	/* an ACK-less SYN may be a new one below rcv_nxt: it does not hold TIME_WAIT */
	if (paws_reject || th->ack)
		mod_timer_pending(&tw->timer, jiffies + timeo);
	/* the peer's FIN again is always answered; a bare ACK or SYN, rate-limited */
	if (xtcp_oow_rate_limited(net, skb, XTCP_MIB_ACKSKIPPEDTIMEWAIT,
				  &tw->last_oow_ack_time))
		return XTCP_TW_SUCCESS;
	return XTCP_TW_ACK;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_timewait_state_process);

/**
 * xtcp_tw_send_ack - answer a segment for a TIME_WAIT minisocket with an ACK, like
 * tcp_v4_timewait_ack()
 * @tw: the minisocket
 * @skb: the segment
 *
 * Context: softirq.
 */
void xtcp_tw_send_ack(struct xtcp_timewait_sock *tw, struct sk_buff *skb)
{
	struct xtcp_out_options opts = {};

	if (tw->tstamp_ok) {
		opts.ts_ok = 1;
		opts.tsval = xtcp_clock_ms() + tw->tsoffset;
		opts.tsecr = READ_ONCE(tw->ts_recent);
	}
	xtcp_send_reply(read_pnet(&tw->common.skc_net), (struct sock *)&tw->common, skb,
			tw->snd_nxt, READ_ONCE(tw->rcv_nxt), TCPHDR_ACK,
			min_t(u32, tw->rcv_wnd >> tw->rcv_wscale, U16_MAX), &opts);
}

/**
 * xtcp_tw_purge_net - end every TIME_WAIT of a namespace that goes away, like
 * inet_twsk_purge(), and wait until the last one is freed
 * @net: the namespace; no socket of ours is left in it
 *
 * A minisocket out of the table may still be alive: its timer handler is unlinking it,
 * or a lookup holds it.  Until its last xtcp_tw_put() it uses the namespace's bind
 * hash, counters and tw_count, which are freed right after this, so the namespace
 * waits for it.  (Linux's tcp_sk_exit_batch() only checks tcp_death_row.tw_refcount;
 * its tables outlive the namespace.)  A reference that never goes is reported each
 * minute, as netdev_wait_allrefs() reports a device's.
 *
 * Context: process, pernet exit; sleeps.
 */
void xtcp_tw_purge_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	const struct hlist_nulls_node *node;
	struct sock_common *skc;
	u32 b;

	for (b = 0; b <= xn->ehash_mask; b++) {
		if (hlist_nulls_empty(&xn->ehash[b]))
			continue;
restart:
		rcu_read_lock();
		hlist_nulls_for_each_entry_rcu(skc, node, &xn->ehash[b], skc_nulls_node) {
			if (skc->skc_state != TCP_TIME_WAIT ||
			    !refcount_inc_not_zero(&skc->skc_refcnt))
				continue;
			rcu_read_unlock();
			xtcp_tw_deschedule_put(xtcp_twsk((struct sock *)skc));
			goto restart;
		}
		rcu_read_unlock();
		if (get_nulls_value(node) != b)	/* led into another chain */
			goto restart;
	}
	while (!wait_var_event_timeout(&xn->tw_count, !atomic_read(&xn->tw_count), 60 * HZ))
		pr_warn("namespace exit waiting for %d TIME_WAIT minisockets to be freed\n",
			atomic_read(&xn->tw_count));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tw_purge_net);
