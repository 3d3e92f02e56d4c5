// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: building and sending segments, like net/ipv4/tcp_output.c (tcp_transmit_skb,
 * tcp_connect, tcp_send_ack, tcp_send_active_reset, tcp_make_synack) and the sending
 * halves of tcp_ipv4.c (tcp_v4_send_synack, tcp_v4_send_reset).
 *
 * Checksums cover a pseudo-header with our protocol number: summed here, or left to a
 * device that sums any protocol (xtcp_csum()).  A queued segment holds up to a
 * super-segment's worth of data, counted in MSS-sized segments (xtcp_skb_pcount()); it
 * leaves as one, and the stack cuts it where it must (xtcp_offload.c).
 */
#include <net/inet_ecn.h>
#include <net/route.h>
#include "xtcp.h"

/**
 * xtcp_v4_check - the TCP checksum of a segment, with our protocol number
 * @len: segment length (header + data)
 * @saddr: source address
 * @daddr: destination address
 * @base: the one's complement sum of the segment (csum_partial())
 *
 * Context: any.
 * Return: the value for th->check.
 */
u16 xtcp_v4_check(unsigned int len, __be32 saddr, __be32 daddr, __wsum base)
{
	return (__force u16)csum_tcpudp_magic(saddr, daddr, len, xtcp_protocol, base);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_check);

/**
 * xtcp_push_header - push a TCP header (and options) in front of skb->data
 * @skb: the segment
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack_seq: acknowledgment number
 * @flags: TCPHDR_* flags
 * @window: the window field, as it goes out (scaling is the caller's business)
 * @opts: the options, or NULL
 *
 * The checksum is the caller's (xtcp_csum(), xtcp_v6_csum()).
 *
 * Context: any.
 */
void xtcp_push_header(struct sk_buff *skb, __be16 sport, __be16 dport, u32 seq,
		      u32 ack_seq, u8 flags, u16 window, const struct xtcp_out_options *opts)
{
	unsigned int hlen = sizeof(struct tcphdr) + (opts ? xtcp_options_size(opts) : 0);
	struct tcphdr *th;

	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack_seq);
	tcp_flag_byte(th) = flags;
	th->doff = hlen / 4;
	th->window = htons(window);
	if (opts)
		xtcp_options_write((__be32 *)(th + 1), opts);
}

/*
 * The checksum of a segment whose header was just pushed.  With @offload (the route's
 * device sums any protocol: NETIF_F_HW_CSUM, as loopback and veth do) the device or the
 * stack's software fallback finishes it from csum_start/csum_offset; otherwise it is
 * summed here, over the paged data too.
 */
static void xtcp_csum(struct sk_buff *skb, __be32 saddr, __be32 daddr, bool offload)
{
	struct tcphdr *th = tcp_hdr(skb);

	if (offload) {
		th->check = ~csum_tcpudp_magic(saddr, daddr, skb->len, xtcp_protocol, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
		return;
	}
	th->check = 0;
	th->check = (__force __sum16)xtcp_v4_check(skb->len, saddr, daddr,
						   skb_checksum(skb, 0, skb->len, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

/**
 * xtcp_v4_send_check - the checksum of a segment of an IPv4 connection, like
 * tcp_v4_send_check() (struct xtcp_af_ops .send_check)
 * @sk: the socket
 * @skb: the segment, its header pushed
 * @offload: the device (or the stack's fallback) finishes it
 *
 * Context: any, socket locked.
 */
void xtcp_v4_send_check(struct sock *sk, struct sk_buff *skb, bool offload)
{
	xtcp_csum(skb, inet_sk(sk)->inet_saddr, inet_sk(sk)->inet_daddr, offload);
}

/**
 * xtcp_alloc_ctl_skb - a buffer for a segment without data, with room for the headers
 *
 * Context: any.
 * Return: the buffer, or NULL.
 */
struct sk_buff *xtcp_alloc_ctl_skb(void)
{
	struct sk_buff *skb = alloc_skb(XTCP_MAX_HEADER, GFP_ATOMIC);

	if (skb)
		skb_reserve(skb, XTCP_MAX_HEADER);
	return skb;
}

/**
 * xtcp_clock_us - the microsecond clock of RTT samples
 *
 * Context: any.
 * Return: microseconds since boot, modulo 2^32.
 */
u32 xtcp_clock_us(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_USEC);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_clock_us);

/**
 * xtcp_receive_window - what is left of the window we last advertised, like
 * tcp_receive_window()
 * @xs: the socket
 *
 * Context: any, socket locked.
 * Return: bytes the peer may still send beyond rcv_nxt.
 */
u32 xtcp_receive_window(const struct xtcp_sock *xs)
{
	s32 win = xs->rcv_wup + xs->rcv_wnd - xs->rcv_nxt;

	return max(win, 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_receive_window);

/**
 * xtcp_win_from_space - bytes of data @space bytes of receive memory surely hold, like
 * tcp_win_from_space()
 * @xs: the socket
 * @space: bytes of receive memory
 *
 * The share of the memory a full-sized received segment gave its data (scaling_ratio:
 * half until one came), like tcp_win_from_space(), but at most XTCP_MAX_WIN_RATIO:
 * whatever arrives, a segment with a smaller share than that is packed when the buffer
 * overflows (xtcp_prune_queue()), so the data a window let in always fits the memory
 * it was offered from, and in-order data is not dropped.
 *
 * Context: any.
 * Return: bytes.
 */
u32 xtcp_win_from_space(const struct xtcp_sock *xs, int space)
{
	u32 ratio = min_t(u32, xs->scaling_ratio, XTCP_MAX_WIN_RATIO);

	return space > 0 ? (u32)(((u64)space * ratio) >> 8) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_win_from_space);

/**
 * xtcp_space_from_win - the receive memory a window of @win bytes needs, the inverse
 * of xtcp_win_from_space(), like tcp_space_from_win()
 * @xs: the socket
 * @win: bytes of data
 *
 * Context: any.
 * Return: bytes, at most INT_MAX.
 */
u32 xtcp_space_from_win(const struct xtcp_sock *xs, u32 win)
{
	u32 ratio = clamp_t(u32, xs->scaling_ratio, 1, XTCP_MAX_WIN_RATIO);

	return min_t(u64, ((u64)win << 8) / ratio, INT_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_space_from_win);

/* The largest window the receive buffer allows. */
static u32 xtcp_full_space(const struct sock *sk)
{
	u32 space = xtcp_win_from_space(xtcp_sk(sk), READ_ONCE(sk->sk_rcvbuf));

	return min_t(u32, space, (u32)U16_MAX << xtcp_sk(sk)->rcv_wscale);
}

/**
 * xtcp_window_now - the window the free receive space allows now, like
 * __tcp_select_window(); commits nothing
 * @sk: the socket
 *
 * The free receive memory, scaled by how much of it received data fills.  With less
 * free than half the buffer, the window is rounded down to the scale unit (scaling
 * never offers more than is free), and receiver silly-window avoidance (RFC 9293
 * 3.8.6.2.2) offers nothing below one segment of the peer's (rcv_mss) or a sixteenth
 * of the buffer's window, so that a zero window goes out before the buffer overflows.
 * Above half, it is rounded up: scaling never cuts it below what the sender's segments
 * need.  It never offers more than rcv_ssthresh, which grows as data comes
 * (xtcp_grow_window()), as Linux's does.  While all xtcp sockets together are over
 * net.xtcp.mem[1] (memory pressure) a window offers at most four of our segments, as
 * Linux then clamps rcv_ssthresh (tcp_adjust_rcv_ssthresh()): the senders slow down
 * before the hard limit makes receivers drop what arrives.
 *
 * Context: any, socket locked.
 * Return: the window in bytes, a multiple of our window scale unit.
 */
u32 xtcp_window_now(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int free = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	u32 full = xtcp_full_space(sk), unit = 1U << xs->rcv_wscale;
	u32 mss = min_t(u32, xs->rcv_mss ?: xs->advmss ?: XTCP_MSS_DEFAULT, full);
	u32 win = min(xtcp_win_from_space(xs, free), full);

	if (win < full / 2) {
		win = round_down(win, unit);
		if (win < full / 16 || win < mss)
			return 0;
	}
	win = min(win, xs->rcv_ssthresh);
	win = min_t(u32, ALIGN(win, unit), (u32)U16_MAX << xs->rcv_wscale);
	if (sk_under_memory_pressure(sk))
		win = min(win, max_t(u32, round_down(4U * xs->advmss, unit), unit));
	return win;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_window_now);

/**
 * xtcp_select_window - the window field of an outgoing segment, like tcp_select_window()
 * @sk: the socket, locked
 *
 * The window follows the free receive space, but its right edge never moves left
 * (RFC 7323 2.4): what was offered stays offered - unless in-order data found no
 * memory (@ack_nomem): then, like Linux, the window is zero at once, so that the
 * sender stops instead of sending what would be dropped.  The result is remembered
 * as the window advertised from rcv_nxt.
 *
 * Context: process, softirq or timer, socket locked.
 * Return: the value for th->window (scaled down by our window scale).
 */
u32 xtcp_select_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 cur = xtcp_receive_window(xs), win = xtcp_window_now(sk);

	if (unlikely(xs->ack_nomem)) {
		/* no memory for in-order data: the window shrinks to nothing (RFC 7323 2.4) */
		xs->rcv_wnd = 0;
		xs->rcv_wup = xs->rcv_nxt;
		return 0;
	}
	if (win < cur)
		win = round_up(cur, 1U << xs->rcv_wscale);
	win = min_t(u32, win, (u32)U16_MAX << xs->rcv_wscale);
	xs->rcv_wnd = win;
	xs->rcv_wup = xs->rcv_nxt;
	return win >> xs->rcv_wscale;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_select_window);

/**
 * xtcp_current_mss - payload bytes per segment now, like tcp_current_mss()
 * @sk: the socket
 *
 * The negotiated MSS (clamped by TCP_MAXSEG) less the timestamps option every
 * segment carries, so that a full segment fills the path's MTU exactly.
 *
 * Context: any, socket locked.
 * Return: the MSS for data.
 */
unsigned int xtcp_current_mss(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xs->mss_cache;

	if (xs->user_mss && xs->user_mss < mss)
		mss = xs->user_mss;
	if (xs->tstamp_ok)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	return max(mss, 48U);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_current_mss);

/**
 * xtcp_sync_mss - the MSS for a path MTU, like tcp_sync_mss()
 * @sk: the socket, locked
 * @pmtu: the path MTU, bytes
 *
 * What an MTU-sized packet carries after the IP header (and its options) and our
 * header, at most what the handshake agreed (rx_opt.mss_clamp: the peer's MSS, ours),
 * at least 48 bytes (net.ipv4.tcp_min_snd_mss's default).  Remembered with the MTU it
 * was computed for.
 *
 * Context: softirq, timer or process, socket locked.
 * Return: the new MSS (xtcp_sock.mss_cache).
 */
unsigned int xtcp_sync_mss(struct sock *sk, u32 pmtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct ip_options_rcu *opt;
	int mss = pmtu - xs->af_ops->net_header_len - sizeof(struct tcphdr);

	rcu_read_lock();
	opt = rcu_dereference(inet_sk(sk)->inet_opt);
	if (opt)
		mss -= opt->opt.optlen;
	rcu_read_unlock();
	mss = min_t(int, mss, xs->rx_opt.mss_clamp ?: xs->mss_cache);
	xs->mss_cache = max(mss, 48);
	xs->pmtu_cookie = pmtu;
	return xs->mss_cache;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sync_mss);

/* Add block @b to @sp (@n used of @max); the block of the latest segment goes first. */
static int xtcp_sack_add(struct xtcp_sack_block *sp, int n, int max,
			 const struct xtcp_sack_block *b, bool latest)
{
	if (latest) {
		memmove(sp + 1, sp, min(n, max - 1) * sizeof(*sp));
		sp[0] = *b;
		return min(n + 1, max);
	}
	if (n < max)
		sp[n++] = *b;
	return n;
}

/**
 * xtcp_sack_blocks - the SACK blocks to send (RFC 2018 4)
 * @xs: the socket
 * @sp: where to put them
 * @max: room for that many (at least 1)
 *
 * The out-of-order queue, overlapping and contiguous segments merged into blocks.  The
 * block holding the segment received last comes first; the others follow in sequence
 * order.
 *
 * Context: any, socket locked.
 * Return: the number of blocks written.
 */
int xtcp_sack_blocks(const struct xtcp_sock *xs, struct xtcp_sack_block *sp, int max)
{
	struct xtcp_sack_block cur = {};
	bool have = false, latest = false;
	struct sk_buff *skb;
	int n = 0;

	skb_queue_walk(&xs->out_of_order_queue, skb) {
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (have && !xtcp_after(cb->seq, cur.end)) {
			if (xtcp_after(cb->end_seq, cur.end))
				cur.end = cb->end_seq;
		} else {
			if (have)
				n = xtcp_sack_add(sp, n, max, &cur, latest);
			cur.start = cb->seq;
			cur.end = cb->end_seq;
			have = true;
			latest = false;
		}
		if (skb == xs->ofo_last)
			latest = true;
	}
	if (have)
		n = xtcp_sack_add(sp, n, max, &cur, latest);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sack_blocks);

/**
 * xtcp_ack_sack_blocks - the SACK blocks an ACK carries: a pending D-SACK block
 * first (RFC 2883 4), then the out-of-order queue's (xtcp_sack_blocks())
 * @xs: the socket
 * @sp: where to put them
 * @max: room for that many (at least 2)
 *
 * The D-SACK block is reported once.
 *
 * Context: any, socket locked.
 * Return: the number of blocks written.
 */
int xtcp_ack_sack_blocks(struct xtcp_sock *xs, struct xtcp_sack_block *sp, int max)
{
	int n = 0;

	if (xs->dsack_pending) {
		sp[n++] = xs->dsack;
		xs->dsack_pending = 0;
	}
	if (!skb_queue_empty(&xs->out_of_order_queue))
		n += xtcp_sack_blocks(xs, sp + n, max - n);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ack_sack_blocks);

/*
 * A segment with @len bytes of data (0: a control segment) in @segs segments leaves
 * now: @wstamp_ns records it (the last transmission, as tcp_wstamp_ns), and data may
 * leave next when it took its time at the pacing rate (tcp_update_skb_after_send()).
 * A socket that paces itself (SK_PACING_NEEDED) waits that long; the first 10 segments
 * go unpaced, as sch_fq lets them, and a transmission that came late (@wstamp_ns in the
 * past) earns up to half its time back, for the jitter of timers.  With fq the qdisc
 * paces by sk_pacing_rate itself: xtcp stamps no departure times on its packets.
 */
static void xtcp_pace_after_send(struct sock *sk, unsigned int len, unsigned int segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long rate = READ_ONCE(sk->sk_pacing_rate);
	u64 prior = xs->wstamp_ns, len_ns;

	xs->wstamp_ns = max(xs->wstamp_ns, ktime_get_ns());
	if (!len)
		return;
	/* acquire: pairs with SO_MAX_PACING_RATE's cmpxchg and sch_fq's store_release */
	if (smp_load_acquire(&sk->sk_pacing_status) == SK_PACING_NEEDED &&
	    rate != ~0UL && rate && xs->data_segs_out >= 10) {
		len_ns = div64_ul((u64)len * NSEC_PER_SEC, rate);
		len_ns -= min(len_ns / 2, xs->wstamp_ns - prior);
		xs->wstamp_ns += len_ns;
	}
	xs->data_segs_out += segs;
}

/*
 * TCP Small Queues, like tcp_small_queue_check(), tcp_wfree() and tcp_tasklet_func():
 * a socket keeps about 1 ms of data at its pacing rate, at least two packets, below it
 * in qdiscs and device queues (what sk_wmem_alloc counts of its sent segments, until
 * the device or the path frees them) and stops there.  The destructor of its sent
 * segments, xtcp_wfree(), starts it again when one is freed: it queues the socket on
 * the CPU's list and a tasklet sends (or leaves it to xtcp_release_cb() when a process
 * owns the socket).  A bulk sender thus neither fills the queues below it - which
 * would lengthen every flow's wait there, and lose packets where they are short -
 * nor lets them run dry.
 */
struct xtcp_tsq_tasklet {
	struct tasklet_struct tasklet;
	struct list_head head;		/* sockets to send on (xs->tsq_node); irqs off */
};

static DEFINE_PER_CPU(struct xtcp_tsq_tasklet, xtcp_tsq_tasklet);

/* The tasklet's work for one socket (tcp_tsq_handler()); softirq context. */
static void xtcp_tsq_handler(struct sock *sk)
{
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle);
	else if (!test_and_set_bit(XTCP_TSQ_DEFERRED, &sk->sk_tsq_flags))
		sock_hold(sk);		/* xtcp_release_cb() sends */
	bh_unlock_sock(sk);
}

/* The CPU's tasklet: every socket xtcp_wfree() queued (tcp_tasklet_func()). */
static void xtcp_tsq_tasklet_func(struct tasklet_struct *t)
{
	struct xtcp_tsq_tasklet *tsq = from_tasklet(tsq, t, tasklet);
	struct xtcp_sock *xs, *next;
	unsigned long flags;
	LIST_HEAD(list);

	local_irq_save(flags);
	list_splice_init(&tsq->head, &list);
	local_irq_restore(flags);

	list_for_each_entry_safe(xs, next, &list, tsq_node) {
		struct sock *sk = (struct sock *)xs;

		list_del(&xs->tsq_node);
		/* a later free may queue it again from here on */
		smp_mb__before_atomic();
		clear_bit(XTCP_TSQ_QUEUED, &sk->sk_tsq_flags);
		xtcp_tsq_handler(sk);
		sk_free(sk);		/* the sk_wmem_alloc unit xtcp_wfree() kept */
	}
}

/**
 * xtcp_wfree - the destructor of a sent segment with data, like tcp_wfree()
 * @skb: the segment (or a piece GSO cut from it), freed by the layers below
 *
 * Gives the segment's memory back to sk_wmem_alloc.  If the socket stopped for its
 * small queue (XTCP_TSQ_THROTTLED), it is queued for this CPU's tasklet, which sends
 * again; one unit of sk_wmem_alloc stays then, so that the socket outlives the wait
 * (the tasklet's sk_free() drops it).
 *
 * Context: any (where the device or a qdisc frees the packet; irqs may be off).
 */
void xtcp_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct xtcp_tsq_tasklet *tsq;
	unsigned long flags, oval, nval;
	bool empty;

	/* keep one unit: sk_free() below or in the tasklet drops it */
	WARN_ON(refcount_sub_and_test(skb->truesize - 1, &sk->sk_wmem_alloc));

	/* acquire: pairs with xtcp_small_queue_check()'s set_bit and barrier */
	oval = smp_load_acquire(&sk->sk_tsq_flags);
	do {
		if (!(oval & XTCPF_TSQ_THROTTLED) || (oval & XTCPF_TSQ_QUEUED))
			goto out;
		nval = (oval & ~XTCPF_TSQ_THROTTLED) | XTCPF_TSQ_QUEUED;
	} while (!try_cmpxchg(&sk->sk_tsq_flags, &oval, nval));

	local_irq_save(flags);
	tsq = this_cpu_ptr(&xtcp_tsq_tasklet);
	empty = list_empty(&tsq->head);
	list_add(&xtcp_sk(sk)->tsq_node, &tsq->head);
	if (empty)
		tasklet_schedule(&tsq->tasklet);
	local_irq_restore(flags);
	return;
out:
	sk_free(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_wfree);

/**
 * xtcp_small_queue_check - whether @skb must wait for packets below to leave, like
 * tcp_small_queue_check()
 * @sk: the socket, locked
 * @skb: the next segment to send
 * @factor: the limit is shifted left by it (1 for retransmissions, as TCP)
 *
 * The limit: 1 ms of data at the pacing rate (sk_pacing_rate >> sk_pacing_shift), at
 * least two of @skb's size; at most net.xtcp.limit_output_bytes unless a qdisc or the
 * socket paces.  With the retransmission queue holding one segment or none it never
 * waits: nothing might free a packet to call it back soon.  Otherwise, over the limit,
 * XTCP_TSQ_THROTTLED asks xtcp_wfree() to call it back.
 *
 * Context: process, softirq or timer, socket locked.
 * Return: true if the socket must stop sending for now.
 */
bool xtcp_small_queue_check(struct sock *sk, const struct sk_buff *skb, unsigned int factor)
{
	struct sk_buff *head;
	unsigned long limit;

	limit = max_t(unsigned long, 2 * skb->truesize,
		      READ_ONCE(sk->sk_pacing_rate) >> READ_ONCE(sk->sk_pacing_shift));
	/* acquire: pairs with SO_MAX_PACING_RATE's cmpxchg and sch_fq's store_release */
	if (smp_load_acquire(&sk->sk_pacing_status) == SK_PACING_NONE)
		limit = min_t(unsigned long, limit,
			      READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_limit_output_bytes));
	limit <<= factor;
	if (refcount_read(&sk->sk_wmem_alloc) <= limit)
		return false;
	head = xtcp_rtx_queue_head(sk);
	if (!head || !skb_rb_next(head))
		return false;
	set_bit(XTCP_TSQ_THROTTLED, &sk->sk_tsq_flags);
	/* a packet may have left before the bit was set: look again */
	smp_mb__after_atomic();
	return refcount_read(&sk->sk_wmem_alloc) > limit;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_small_queue_check);

/**
 * xtcp_tsq_init - each CPU's small-queue list and tasklet
 *
 * Context: process, module init.
 */
void xtcp_tsq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct xtcp_tsq_tasklet *tsq = &per_cpu(xtcp_tsq_tasklet, cpu);

		INIT_LIST_HEAD(&tsq->head);
		tasklet_setup(&tsq->tasklet, xtcp_tsq_tasklet_func);
	}
}

/**
 * xtcp_tsq_exit - wait for each CPU's tasklet to have run, at module exit
 *
 * Every socket is gone by then, and with it every packet that could queue one.
 *
 * Context: process, module exit.
 */
void xtcp_tsq_exit(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		tasklet_kill(&per_cpu(xtcp_tsq_tasklet, cpu).tasklet);
}

/*
 * Send @skb (a segment of the write or retransmission queue, or a control segment we
 * own): a header with our ACK, window and options, the checksum, then IP.  Queued
 * segments are sent as a clone (a copy if an earlier clone may still sit in a queue
 * below us, as its header is in the shared headroom), like tcp_transmit_skb().
 */
static int xtcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_out_options opts = {};
	u8 flags = cb->flags;
	bool syn = flags & TCPHDR_SYN;
	unsigned int len, segs;
	u32 seq = cb->seq;
	int err;

	if (clone) {
		skb = skb_cloned(skb) ? pskb_copy(skb, GFP_ATOMIC) : skb_clone(skb, GFP_ATOMIC);
		if (!skb)
			return -ENOBUFS;
		/*
		 * The IP layer's block held the segment's tsorted_sent_queue link, and
		 * skb->dev shares its room with the rb-tree node: neither goes down.
		 */
		memset(skb->cb, 0, XTCP_IP_CB_SIZE);
		skb->dev = NULL;
	}
	len = skb->len;
	if (syn) {
		opts.mss = xs->advmss;
		opts.ws_ok = 1;
		opts.ws = xs->rcv_wscale;
		opts.sack_ok = 1;
		opts.ts_ok = 1;
		if (flags & TCPHDR_ACK) {	/* SYN-ACK of a simultaneous open */
			opts.ws_ok = xs->rx_opt.wscale_ok;
			opts.sack_ok = xs->rx_opt.sack_ok;
			opts.ts_ok = xs->tstamp_ok;
		}
	} else {
		/*
		 * PSH on a super-segment (on its last piece), as tcp_transmit_skb() forces
		 * it: a receiver's GRO ends its train where the sender's ended, at once.
		 */
		if (xtcp_skb_pcount(skb) > 1)
			flags |= TCPHDR_PSH;
		opts.ts_ok = xs->tstamp_ok;
		/*
		 * ECN (RFC 3168 6.1.2-6.1.5, tcp_ecn_send()): new data leaves ECT(0), the
		 * first after a reduction of cwnd with CWR; retransmissions and segments
		 * without data leave Not-ECT; every segment echoes a CE mark the peer's data
		 * brought (ECE) until its CWR says it reduced.
		 */
		if (xs->ecn_flags & XTCP_ECN_OK) {
			if (len && !xtcp_before(seq, xs->snd_nxt)) {
				INET_ECN_xmit(sk);
				if (xs->ecn_flags & XTCP_ECN_QUEUE_CWR) {
					xs->ecn_flags &= ~XTCP_ECN_QUEUE_CWR;
					flags |= TCPHDR_CWR;
				}
			} else {
				INET_ECN_dontxmit(sk);
			}
			if (xs->ecn_flags & XTCP_ECN_DEMAND_CWR)
				flags |= TCPHDR_ECE;
		}
		/* SACK blocks ride on segments without data, which have room for them */
		if (!len && xs->rx_opt.sack_ok &&
		    (xs->dsack_pending || !skb_queue_empty(&xs->out_of_order_queue)))
			opts.num_sacks = xtcp_ack_sack_blocks(xs, opts.sacks,
							      opts.ts_ok ? 3 : XTCP_NUM_SACKS);
	}
	if (opts.ts_ok) {
		opts.tsval = xtcp_clock_ms() + xs->tsoffset;
		opts.tsecr = xs->ts_recent;
	}
	xtcp_push_header(skb, inet->inet_sport, inet->inet_dport, seq,
			 flags & TCPHDR_ACK ? xs->rcv_nxt : 0, flags,
			 syn ? min_t(u32, xs->rcv_wnd, U16_MAX) : xtcp_select_window(sk), &opts);
	/* a super-segment's pieces are summed where it is cut (xtcp4_gso_segment()) */
	xs->af_ops->send_check(sk, skb, len && ((sk->sk_route_caps & NETIF_F_HW_CSUM) ||
						 xtcp_skb_pcount(skb) > 1));
	if (len) {
		/* sent data keeps its memory counted until it leaves the host: small queues */
		skb_orphan(skb);
		skb->sk = sk;
		skb->destructor = xtcp_wfree;
		skb_set_hash_from_sk(skb, sk);
		refcount_add(skb->truesize, &sk->sk_wmem_alloc);
	} else {
		skb_set_owner_w(skb, sk);
	}
	if (flags & TCPHDR_ACK) {
		/* this segment carries the ACK owed: no delayed ACK needed any more */
		xs->ack_pending = 0;
		xs->ack_deferred = 0;
		xs->ack_nomem = 0;
		if (xs->quick_acks)
			xs->quick_acks--;
		if (timer_pending(&xs->delack_timer))
			sk_stop_timer(sk, &xs->delack_timer);
	}

	/*
	 * A queued super-segment: the stack cuts it (xtcp4_gso_segment()).  Set for every
	 * segment, as what a cut or ACKed part of one keeps of the whole (its fragment
	 * list was copied) must not make a single segment look like one.
	 */
	segs = max(xtcp_skb_pcount(skb), 1U);
	skb_shinfo(skb)->gso_segs = segs;
	skb_shinfo(skb)->gso_size = segs > 1 ? xtcp_skb_mss(skb) : 0;
	skb_shinfo(skb)->gso_type = segs > 1 ? sk->sk_gso_type : 0;
	xtcp_pace_after_send(sk, len, segs);
	err = xs->af_ops->queue_xmit(sk, skb, &inet->cork.fl);
	xs->segs_out += segs;
	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_OUTSEGS, segs);
	if (flags & TCPHDR_RST)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTRSTS);
	return net_xmit_eval(err);
}

/**
 * xtcp_transmit_ctl - send a segment without data from a full socket
 * @sk: the socket, locked
 * @flags: TCPHDR_* flags; a SYN carries our handshake options
 * @seq: its sequence number
 *
 * Like tcp_transmit_skb() for a segment without payload; the route comes from the
 * socket (ip_queue_xmit() looks it up and caches it on first use).
 *
 * Context: process, softirq or timer, socket locked.
 * Return: 0 or a negative errno from the IP layer.
 */
int xtcp_transmit_ctl(struct sock *sk, u8 flags, u32 seq)
{
	struct sk_buff *skb = xtcp_alloc_ctl_skb();

	if (!skb)
		return -ENOBUFS;
	XTCP_SKB_CB(skb)->seq = seq;
	XTCP_SKB_CB(skb)->end_seq = seq;
	XTCP_SKB_CB(skb)->flags = flags;
	return xtcp_transmit_skb(sk, skb, false);
}

/**
 * xtcp_wmem_free_skb - free a segment of the write or retransmission queue and give
 * its memory back to the socket
 * @sk: the socket, locked
 * @skb: the segment, unlinked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/**
 * xtcp_size_goal - the most a segment queued now should carry, like tcp_xmit_size_goal()
 * @sk: the socket
 *
 * The current MSS, but at most half the largest window the peer offered, so that it
 * can take a whole segment unless its window shrank below that (the persist timer
 * then cuts the segment: xtcp_write_wakeup()).
 *
 * Context: any, socket locked.
 * Return: bytes.
 */
unsigned int xtcp_size_goal(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xtcp_current_mss(sk), cutoff;

	cutoff = xs->max_window > XTCP_MSS_DEFAULT ? xs->max_window / 2 : xs->max_window;
	if (cutoff && cutoff < mss)
		mss = max(cutoff, 48U);
	return mss;
}

/*
 * Nagle (RFC 896, RFC 9293 3.7.4), like tcp_nagle_check(): may a short segment go now?
 * Not while earlier data is unacknowledged, unless TCP_NODELAY or a push says
 * otherwise; with TCP_CORK (or MSG_MORE) not until it is full.
 */
static bool xtcp_nagle_short_ok(const struct sock *sk, int nonagle)
{
	if (nonagle & XTCP_NAGLE_PUSH)
		return true;
	if (nonagle & XTCP_NAGLE_CORK)
		return false;
	return (nonagle & XTCP_NAGLE_OFF) || !xtcp_sk(sk)->packets_out;
}

/* May @skb start to go now, like tcp_nagle_test(): a full segment or a FIN always may. */
static bool xtcp_nagle_ok(const struct sock *sk, const struct sk_buff *skb,
			  unsigned int mss, int nonagle)
{
	return skb->len >= mss || (XTCP_SKB_CB(skb)->flags & TCPHDR_FIN) ||
	       xtcp_nagle_short_ok(sk, nonagle);
}

/**
 * xtcp_set_skb_tso_segs - the segments a queued segment is cut into at @mss, like
 * tcp_set_skb_tso_segs()
 * @skb: the segment
 * @mss: the segment size
 *
 * Context: any, socket locked.
 */
void xtcp_set_skb_tso_segs(struct sk_buff *skb, unsigned int mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (skb->len <= mss) {
		cb->pcount = 1;
		cb->gso_size = 0;
	} else {
		cb->pcount = DIV_ROUND_UP(skb->len, mss);
		cb->gso_size = mss;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_skb_tso_segs);

/*
 * An unsent segment's count, (re)computed if unknown or cut at another MSS than @mss
 * (tcp_init_tso_segs()).
 */
static u32 xtcp_init_tso_segs(struct sk_buff *skb, unsigned int mss)
{
	u32 pcount = xtcp_skb_pcount(skb);

	if (!pcount || (pcount > 1 && xtcp_skb_mss(skb) != mss))
		xtcp_set_skb_tso_segs(skb, mss);
	return xtcp_skb_pcount(skb);
}

/**
 * xtcp_adjust_pcount - a segment in flight counts for @decr segments fewer (it was
 * cut, or part of it ACKed): the counters its scoreboard bits hold it in follow, like
 * tcp_adjust_pcount()
 * @sk: the socket, locked
 * @skb: the segment, in the retransmission queue
 * @decr: segments fewer (negative: more)
 *
 * Context: softirq, process or timer, socket locked.
 */
void xtcp_adjust_pcount(struct sock *sk, const struct sk_buff *skb, int decr)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 sacked = XTCP_SKB_CB(skb)->sacked;

	xs->packets_out -= decr;
	if (sacked & XTCP_SKB_SACKED)
		xs->sacked_out -= decr;
	if (sacked & XTCP_SKB_RETRANS)
		xs->retrans_out -= decr;
	if (sacked & XTCP_SKB_LOST)
		xs->lost_out -= decr;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_adjust_pcount);

/*
 * A segment sent as a clone may still be in flight sharing its head and fragment
 * list: a private copy of them (the pages stay shared) before the list changes.  Its
 * memory stays as charged, like skb_unclone_keeptruesize().
 */
static int xtcp_unclone(struct sk_buff *skb)
{
	unsigned int truesize = skb->truesize;

	if (!skb_cloned(skb))
		return 0;
	if (pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
		return -ENOMEM;
	skb->truesize = truesize;
	return 0;
}

/*
 * Send a segment of the retransmission queue again, like __tcp_retransmit_skb(): at
 * most @segs segments of it (a super-segment holding more is cut first, the rest stays
 * behind as a segment of its own).  It is marked as ever retransmitted (no RTT sample
 * from it), but not as a copy in flight: a tail-loss probe sends this way, as Linux's
 * does, so that its copy does not stand for a lost segment's retransmission.  Segments
 * larger than the MSS of now (the path MTU dropped) are cut to it first.
 */
static int __xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb, u32 segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 wnd_end = xs->snd_una + xs->snd_wnd;
	unsigned int mss = xtcp_current_mss(sk);
	u32 pcount, tx_time, tsval;
	int err;

	/*
	 * Cut at the MSS of now: the path MTU may have dropped since it was sent
	 * (xtcp_simple_retransmit()); the count of a segment it holds follows.
	 */
	if (xtcp_skb_seglen(skb) > mss) {
		if (xtcp_unclone(skb))
			return -ENOMEM;
		pcount = xtcp_skb_pcount(skb);
		xtcp_set_skb_tso_segs(skb, mss);
		xtcp_adjust_pcount(sk, skb, (int)pcount - (int)xtcp_skb_pcount(skb));
	}

	/*
	 * Not beyond a window the receiver shrank, but for the first segment: alone, it
	 * probes a zero window; and no more of it than the window takes, one segment at
	 * least.
	 */
	if (!xtcp_before(XTCP_SKB_CB(skb)->seq, wnd_end)) {
		if (XTCP_SKB_CB(skb)->seq != xs->snd_una)
			return -EAGAIN;
		segs = 1;
	} else if (xtcp_skb_pcount(skb) > 1) {
		segs = min(segs, max(1U, (wnd_end - XTCP_SKB_CB(skb)->seq) / xtcp_skb_mss(skb)));
	}
	if (xtcp_skb_pcount(skb) > segs &&
	    xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, segs * xtcp_skb_mss(skb),
			  xtcp_skb_mss(skb)))
		return -ENOMEM;
	pcount = xtcp_skb_pcount(skb);
	tx_time = XTCP_SKB_CB(skb)->tx_time;
	XTCP_SKB_CB(skb)->tx_time = xtcp_clock_us();
	tsval = xtcp_clock_ms() + xs->tsoffset;	/* not above the one it carries */
	err = xtcp_transmit_skb(sk, skb, true);
	if (err) {
		XTCP_SKB_CB(skb)->tx_time = tx_time;	/* it keeps its place in RACK's order */
		return err;
	}
	/*
	 * Sent last now: RACK judges it after every other (tcp_update_skb_after_send());
	 * not if SACKed (a tail-loss probe may send a SACKed segment again).
	 */
	if (!(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED))
		list_move_tail(xtcp_skb_tsorted(skb), &xs->tsorted_sent_queue);
	XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_EVER_RETRANS;
	xs->total_retrans += pcount;
	XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS, pcount);
	/* one more a D-SACK must report before the reduction is undone (xtcp_init_undo()) */
	if (!xs->undo_tsval)
		xs->undo_tsval = tsval ?: 1;
	xs->undo_retrans = max(xs->undo_retrans, 0) + pcount;
	return 0;
}

/**
 * xtcp_retransmit_skb - send a segment of the retransmission queue again, like
 * tcp_retransmit_skb(): its copy is in flight (retrans_out) until ACKed, SACKed or
 * found lost
 * @sk: the socket, locked
 * @skb: the segment
 * @segs: at most this many segments of it go; a super-segment holding more is cut
 *	first, the rest stays behind (still lost) as a segment of its own
 *
 * Context: softirq, timer or process, socket locked.
 * Return: 0 or a negative errno.
 */
int xtcp_retransmit_skb(struct sock *sk, struct sk_buff *skb, u32 segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err = __xtcp_retransmit_skb(sk, skb, segs);

	if (err)
		return err;
	if (!(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_RETRANS))
		xs->retrans_out += xtcp_skb_pcount(skb);
	XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_RETRANS;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_retransmit_skb);

/**
 * xtcp_retransmit_first_lost - fast retransmit: send the first segment taken for lost
 * now, whatever the congestion window says (RFC 5681 3.2 step 4, RFC 6582 3.2 step 5)
 * @sk: the socket, locked
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_retransmit_first_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	skb_rbtree_walk(skb, &xs->rtx_queue) {
		u8 sacked = XTCP_SKB_CB(skb)->sacked;

		if (sacked & XTCP_SKB_SACKED)
			continue;
		if ((sacked & XTCP_SKB_LOST) && !(sacked & XTCP_SKB_RETRANS) &&
		    !xtcp_retransmit_skb(sk, skb, 1) && skb == xtcp_rtx_queue_head(sk))
			xtcp_rearm_rto(sk);
		return;
	}
}

/*
 * Does pacing hold the next transmission back (tcp_pacing_check())?  Only a socket that
 * paces itself (SK_PACING_NEEDED: SO_MAX_PACING_RATE, or an algorithm that asks for it;
 * with the fq qdisc the qdisc paces, SK_PACING_FQ) waits for @wstamp_ns: the pacing
 * timer sends again then, holding a socket reference while queued.
 */
static bool xtcp_pacing_check(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* acquire: pairs with SO_MAX_PACING_RATE's cmpxchg and sch_fq's store_release */
	if (smp_load_acquire(&sk->sk_pacing_status) != SK_PACING_NEEDED ||
	    xs->wstamp_ns <= ktime_get_ns())
		return false;
	if (!hrtimer_is_queued(&xs->pacing_timer)) {
		hrtimer_start(&xs->pacing_timer, ns_to_ktime(xs->wstamp_ns),
			      HRTIMER_MODE_ABS_PINNED_SOFT);
		sock_hold(sk);
	}
	return true;
}

/*
 * Retransmit what is marked lost, as the congestion window and pacing allow
 * (tcp_xmit_retransmit_queue()): from the hint, below which nothing waits, until
 * every lost segment is retransmitted.  Return true if the congestion window
 * stopped it.
 */
static bool xtcp_xmit_retransmit_queue(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	bool cwnd_full = false;

	if (!xs->lost_out)
		return false;	/* the common case, on every transmission: nothing lost */
	skb = xs->retransmit_skb_hint ?: xtcp_rtx_queue_head(sk);
	skb_rbtree_walk_from(skb) {
		u8 sacked = XTCP_SKB_CB(skb)->sacked;
		u32 in_flight = xtcp_packets_in_flight(xs);

		xs->retransmit_skb_hint = skb;
		if (xs->retrans_out >= xs->lost_out)
			break;
		if (in_flight >= xs->snd_cwnd) {
			cwnd_full = true;	/* lets cwnd grow during loss recovery */
			break;
		}
		if (!(sacked & XTCP_SKB_LOST) || (sacked & (XTCP_SKB_RETRANS | XTCP_SKB_SACKED)))
			continue;
		if (xtcp_pacing_check(sk) || xtcp_small_queue_check(sk, skb, 1))
			break;
		if (xtcp_retransmit_skb(sk, skb, xs->snd_cwnd - in_flight))
			break;
		if (skb == xtcp_rtx_queue_head(sk))
			xtcp_rearm_rto(sk);
	}
	return cwnd_full;
}

/**
 * xtcp_simple_retransmit - the path MTU dropped: what was sent in larger segments than
 * the MSS of now is lost, and goes again at once, cut to size, like
 * tcp_simple_retransmit()
 * @sk: the socket, locked
 *
 * Not a congestion signal: cwnd and ssthresh stay (ssthresh at least 3/4 of cwnd, as
 * tcp_current_ssthresh()), but the sender enters the Loss state until what was in
 * flight is ACKed, so that what it marked goes before new data.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_simple_retransmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int mss = xtcp_current_mss(sk);
	struct sk_buff *skb;

	/* a copy sent again too large is lost with it (a timeout's, at the old size) */
	skb_rbtree_walk(skb, &xs->rtx_queue)
		if (xtcp_skb_seglen(skb) > mss)
			xtcp_mark_skb_lost(xs, skb);
	xs->retransmit_skb_hint = NULL;
	if (!xs->lost_out)
		return;
	if (xs->ca_state != XTCP_CA_LOSS) {
		xs->high_seq = xs->snd_nxt;
		xs->snd_ssthresh = xtcp_current_ssthresh(xs);
		xs->prior_ssthresh = 0;		/* no loss: nothing to undo */
		xs->undo_marker = 0;
		xtcp_set_ca_state(sk, XTCP_CA_LOSS);
	}
	xtcp_xmit_retransmit_queue(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_simple_retransmit);

/*
 * Remember how much of the congestion window the current window of data uses, like
 * tcp_cwnd_validate(): whether it was full once, else the most segments in flight.
 * The window of data ends when what was sent at its start is ACKed.
 */
static void xtcp_cwnd_validate(struct sock *sk, bool is_cwnd_limited)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_before(xs->snd_una, xs->cwnd_usage_seq) || is_cwnd_limited ||
	    (!xs->cwnd_limited && xs->packets_out > xs->max_packets_out)) {
		xs->cwnd_limited = is_cwnd_limited;
		xs->max_packets_out = xs->packets_out;
		xs->cwnd_usage_seq = xs->snd_nxt;
	}
}

/**
 * xtcp_rbtree_insert - put a segment in a queue kept as an rb-tree by sequence
 * number, like tcp_rbtree_insert()
 * @root: the queue
 * @skb: the segment; none there overlaps it
 *
 * Context: any, the queue's owner locked.
 */
void xtcp_rbtree_insert(struct rb_root *root, struct sk_buff *skb)
{
	struct rb_node **p = &root->rb_node, *parent = NULL;
	u32 seq = XTCP_SKB_CB(skb)->seq;

	while (*p) {
		parent = *p;
		if (xtcp_before(seq, XTCP_SKB_CB(rb_to_skb(parent))->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);
}

/**
 * xtcp_rtx_queue_add - a segment was sent for the first time: into the retransmission
 * queue, and last in RACK's order
 * @sk: the socket, locked
 * @skb: the segment, in no queue
 *
 * Context: softirq, process or timer, socket locked.
 */
void xtcp_rtx_queue_add(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_rbtree_insert(&xs->rtx_queue, skb);
	list_add_tail(xtcp_skb_tsorted(skb), &xs->tsorted_sent_queue);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rtx_queue_add);

/**
 * xtcp_rtx_queue_unlink - take a segment out of the retransmission queue, like
 * tcp_rtx_queue_unlink()
 * @sk: the socket, locked
 * @skb: the segment
 *
 * Context: softirq, process or timer, socket locked.
 */
void xtcp_rtx_queue_unlink(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (skb == xs->retransmit_skb_hint)
		xs->retransmit_skb_hint = NULL;
	list_del(xtcp_skb_tsorted(skb));
	rb_erase(&skb->rbnode, &xs->rtx_queue);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rtx_queue_unlink);

/*
 * @skb, the head of the write queue, left at @now for the first time: it moves to the
 * retransmission queue, and the RTO starts if nothing else runs it
 * (tcp_event_new_data_sent()).
 */
static void xtcp_event_new_data_sent(struct sock *sk, struct sk_buff *skb, u32 now)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	XTCP_SKB_CB(skb)->tx_time = now;
	if (!xtcp_packets_in_flight(xs))
		xtcp_ca_event(sk, CA_EVENT_TX_START);	/* as tcp_event_data_sent() */
	xs->lsndtime = tcp_jiffies32;
	__skb_unlink(skb, &sk->sk_write_queue);
	xtcp_rtx_queue_add(sk, skb);
	WRITE_ONCE(xs->snd_nxt, XTCP_SKB_CB(skb)->end_seq);
	xs->packets_out += xtcp_skb_pcount(skb);
	if (xs->pending != XTCP_TIME_RETRANS && xs->pending != XTCP_TIME_REO)
		xtcp_rearm_rto(sk);
}

/*
 * Send @skb, the head of the write queue (its count known), for the first time, with
 * the flags sendmsg() gave it (PSH: xtcp_mark_push()).  Return 0 or a negative errno
 * (it stays queued).
 */
static int xtcp_xmit_new(struct sock *sk, struct sk_buff *skb)
{
	u32 now = xtcp_clock_us();
	int err;

	err = xtcp_transmit_skb(sk, skb, true);
	if (err)
		return err;
	xtcp_event_new_data_sent(sk, skb, now);
	return 0;
}

/**
 * xtcp_gso_caps - give the socket's route what sk_setup_caps() gives TCP's: generic
 * segmentation whatever the device says
 * @sk: the socket
 * @dst: its route, just set by sk_setup_caps()
 *
 * TCP always builds super-segments, and the stack cuts them before a device that
 * cannot (validate_xmit_skb()): "ethtool -K DEV gso off" or "tso off" change where
 * they are cut, not what the socket sends, which leaves in trains of back-to-back
 * segments.  sk_setup_caps() does this for IPPROTO_TCP alone; xtcp does the same for
 * itself, so that its packets leave as TCP's do.  sk_setup_caps() runs again when
 * ip_queue_xmit() finds the route changed: xtcp_write_xmit() calls this again then.
 *
 * Context: any, socket locked.
 */
void xtcp_gso_caps(struct sock *sk, const struct dst_entry *dst)
{
	u32 max_size;

	if (sk->sk_route_caps & NETIF_F_GSO)
		return;		/* the device does it: sk_setup_caps() did the rest */
	sk->sk_route_caps |= NETIF_F_GSO | NETIF_F_GSO_SOFTWARE;
	if (dst->header_len) {	/* IPsec: segments to transform one by one */
		sk->sk_route_caps &= ~NETIF_F_GSO_MASK;
		return;
	}
	sk->sk_route_caps |= NETIF_F_SG | NETIF_F_HW_CSUM;
	max_size = min_t(u32, READ_ONCE(dst->dev->gso_max_size), GSO_LEGACY_MAX_SIZE);
	sk->sk_gso_max_size = max_size - (MAX_TCP_HEADER + 1);
	sk->sk_gso_max_segs = max_t(u32, READ_ONCE(dst->dev->gso_max_segs), 1);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_gso_caps);

/**
 * xtcp_tso_segs - the most segments of @mss one transmission may carry, like
 * tcp_tso_segs() and tcp_tso_autosize()
 * @sk: the socket
 * @mss: the segment size
 *
 * As much as the route takes (sk_gso_max_size, _max_segs), and about 1 ms of data at
 * the pacing rate (sk_pacing_rate >> sk_pacing_shift), plus an allowance that halves
 * with every 512 us of the smallest RTT (a whole 64 KB on a LAN, nothing past a few
 * ms), at least net.xtcp.min_tso_segs: a super-segment leaves as one burst, paced or
 * not, and a burst sized so does not overrun the queues on the way.
 *
 * Context: any, socket locked.
 * Return: segments, 1 if the route takes no super-segments.
 */
u32 xtcp_tso_segs(const struct sock *sk, unsigned int mss)
{
	u32 max_bytes = sk->sk_gso_max_size - 1 - XTCP_MAX_HEADER, r, segs;
	unsigned long bytes;

	if (!sk_can_gso(sk))
		return 1;
	bytes = READ_ONCE(sk->sk_pacing_rate) >> READ_ONCE(sk->sk_pacing_shift);
	r = xtcp_sk(sk)->min_rtt_us >> XTCP_TSO_RTT_LOG;
	if (r < BITS_PER_TYPE(sk->sk_gso_max_size))
		bytes += sk->sk_gso_max_size >> r;
	segs = min_t(unsigned long, bytes, max_bytes) / mss;
	segs = max_t(u32, segs, READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_min_tso_segs));
	return max(1U, min(segs, sk->sk_gso_max_segs));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tso_segs);

/*
 * How much of @skb (the head of the write queue, several segments) goes now, like
 * tcp_mss_split_point(): at most @max_segs segments, what the peer's window takes, and
 * a short last piece only if Nagle lets it go.
 */
static u32 xtcp_mss_split_point(const struct sock *sk, const struct sk_buff *skb,
				unsigned int mss, u32 max_segs, int nonagle)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 window = xs->snd_una + xs->snd_wnd - XTCP_SKB_CB(skb)->seq;
	u32 max_len = mss * max_segs, needed, partial;

	if (max_len <= window && skb != skb_peek_tail(&sk->sk_write_queue))
		return max_len;
	needed = min(skb->len, window);
	if (max_len <= needed)
		return max_len;
	partial = needed % mss;
	if (partial && !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN) &&
	    !xtcp_nagle_short_ok(sk, nonagle))
		return needed - partial;
	return needed;
}

/*
 * Does the first segment of @skb (of the write queue, segments of @mss) fit the peer's
 * window (tcp_snd_wnd_test())?
 */
static bool xtcp_snd_wnd_test(const struct xtcp_sock *xs, const struct sk_buff *skb,
			      unsigned int mss)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	return !xtcp_after(skb->len > mss ? cb->seq + mss : cb->end_seq,
			   xs->snd_una + xs->snd_wnd);
}

/**
 * xtcp_gso_goal - how much a segment queued now should carry, like the TSO part of
 * tcp_xmit_size_goal()
 * @sk: the socket
 * @mss: the segment size (xtcp_size_goal())
 *
 * As much as the route's GSO limit takes, at most half the largest window the peer
 * offered, in whole segments; one segment if the route takes no super-segments.
 * sendmsg fills queued segments up to this, and sends once one is full.
 *
 * Context: any, socket locked.
 * Return: bytes.
 */
unsigned int xtcp_gso_goal(struct sock *sk, unsigned int mss)
{
	unsigned int goal;

	if (!sk_can_gso(sk))
		return mss;
	goal = min(sk->sk_gso_max_size - 1 - XTCP_MAX_HEADER, xtcp_sk(sk)->max_window / 2);
	return max(mss, rounddown(goal, mss));
}

/*
 * Should @skb, the head of the write queue with more than one segment, wait for the
 * ACK about to come, to leave as one larger super-segment, like tcp_tso_should_defer()
 * (John Heffner's)?  Not in recovery, nor if nothing left for a millisecond (the flow
 * would only turn bursty), nor if the windows take @max_segs segments now, or all of
 * @skb when more is queued behind it, or a net.xtcp.tso_win_divisor-th of the window
 * (3 segments if it is 0), nor if the ACK of the oldest segment in flight is due later
 * than min(1 ms, SRTT / 2) from now, nor for a FIN.  A deferral the congestion window
 * makes says so in @is_cwnd_limited.
 */
static bool xtcp_tso_should_defer(struct sock *sk, struct sk_buff *skb,
				  bool *is_cwnd_limited, u32 max_segs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 send_win, cong_win, limit, chunk, threshold, now_us;
	int win_divisor;
	struct sk_buff *head;
	u64 now;

	if (xs->ca_state == XTCP_CA_RECOVERY || xs->ca_state == XTCP_CA_LOSS)
		return false;
	send_win = xs->snd_una + xs->snd_wnd - XTCP_SKB_CB(skb)->seq;
	cong_win = (xs->snd_cwnd - xtcp_packets_in_flight(xs)) * xs->mss_cache;
	limit = min(send_win, cong_win);
	if (limit >= max_segs * xs->mss_cache)
		return false;		/* a whole super-segment goes now */
	if (skb != skb_peek_tail(&sk->sk_write_queue) && limit >= skb->len)
		return false;		/* nothing more will join it */
	win_divisor = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_tso_win_divisor);
	if (win_divisor) {
		chunk = min(xs->snd_wnd, xs->snd_cwnd * xs->mss_cache) / win_divisor;
		if (limit >= chunk)
			return false;	/* a fair part of the window is free: use it */
	} else if (limit > 3 * xs->mss_cache) {
		return false;		/* more than one ACK's worth: do not wait past it */
	}
	head = xtcp_rtx_queue_head(sk);
	if (!head || !xs->srtt_us)
		return false;
	now = ktime_get_ns();
	if ((s64)(now - xs->wstamp_ns) > NSEC_PER_MSEC)
		return false;		/* the last transmission is not recent */
	now_us = (u32)div_u64(now, NSEC_PER_USEC);
	threshold = min_t(u32, xs->srtt_us / 2, USEC_PER_MSEC);
	if ((s32)(XTCP_SKB_CB(head)->tx_time + xs->srtt_us - now_us) > (s32)threshold)
		return false;		/* the next ACK comes too late to wait for */
	if (cong_win < send_win) {
		if (cong_win <= skb->len) {
			*is_cwnd_limited = true;
			return true;
		}
	} else if (send_win <= skb->len) {
		return true;
	}
	return !(XTCP_SKB_CB(skb)->flags & TCPHDR_FIN);	/* nothing joins a FIN */
}

/**
 * xtcp_write_xmit - send what the windows allow, like tcp_write_xmit()
 * @sk: the socket, locked
 * @nonagle: XTCP_NAGLE_* for this attempt
 *
 * Lost segments are retransmitted first, then new segments leave the write queue for
 * the retransmission queue while the congestion window (segments in flight) and the
 * peer's window (bytes beyond snd_una) have room and Nagle agrees.  A queued
 * super-segment goes whole, or its head is cut off (xtcp_fragment()) to what the
 * windows and the route take.  If nothing is in flight and the peer's window is too
 * small for the next segment, the persist timer starts: it sends what the window
 * takes, or probes a zero window.  Once something was sent the tail-loss probe timer
 * runs (xtcp_schedule_loss_probe()).  Our FIN is the last segment of the queue (it may
 * carry data, or none); Nagle never holds it.
 *
 * Context: process, softirq or timer, socket locked.
 * Return: true if a new segment was sent.
 */
bool xtcp_write_xmit(struct sock *sk, int nonagle)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool sent = false, is_cwnd_limited;
	struct dst_entry *dst;
	unsigned int mss;
	struct sk_buff *skb;
	u32 max_segs;

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
				     TCPF_CLOSING | TCPF_LAST_ACK)))
		return false;
	dst = __sk_dst_get(sk);
	if (dst && dst_mtu(dst) != xs->pmtu_cookie)	/* as tcp_current_mss() */
		xtcp_sync_mss(sk, dst_mtu(dst));	/* the path MTU moved */
	if (dst && !(sk->sk_route_caps & NETIF_F_GSO))
		xtcp_gso_caps(sk, dst);		/* sk_setup_caps() ran again */
	is_cwnd_limited = xtcp_xmit_retransmit_queue(sk);
	mss = xtcp_size_goal(sk);
	max_segs = xtcp_tso_segs(sk, mss);
	while ((skb = skb_peek(&sk->sk_write_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		/* only the last segment may be short by choice: the others go as they are */
		int nagle = skb_queue_is_last(&sk->sk_write_queue, skb) ? nonagle :
			    XTCP_NAGLE_PUSH;
		u32 in_flight = xtcp_packets_in_flight(xs), limit = mss;

		if (WARN_ON_ONCE(cb->end_seq == cb->seq))
			break;
		if (xtcp_pacing_check(sk))
			break;
		if (in_flight >= xs->snd_cwnd) {
			is_cwnd_limited = true;
			break;
		}
		if (!xtcp_snd_wnd_test(xs, skb, mss))
			break;
		if (!xtcp_nagle_ok(sk, skb, mss, nagle))
			break;
		if (xtcp_init_tso_segs(skb, mss) > 1) {
			u32 segs = min(xs->snd_cwnd - in_flight, max_segs);

			if (xtcp_tso_should_defer(sk, skb, &is_cwnd_limited, max_segs))
				break;

			limit = xtcp_mss_split_point(sk, skb, mss, segs, nonagle);
		}
		if (skb->len > limit &&
		    xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, limit, mss))
			break;
		if (xtcp_small_queue_check(sk, skb, 0))
			break;
		if (xtcp_xmit_new(sk, skb))
			break;
		sent = true;
	}
	is_cwnd_limited |= xtcp_packets_in_flight(xs) >= xs->snd_cwnd;
	if (sent || is_cwnd_limited)
		xtcp_cwnd_validate(sk, is_cwnd_limited);
	/* one tail-loss probe per flight that ends with no ACK (RFC 8985 7.2) */
	if (sent)
		xtcp_schedule_loss_probe(sk, false);
	if (!xs->packets_out && skb_peek(&sk->sk_write_queue) && xs->pending != XTCP_TIME_PROBE0 &&
	    !hrtimer_is_queued(&xs->pacing_timer))
		xtcp_reset_xmit_timer(sk, XTCP_TIME_PROBE0,
				      xtcp_backoff(xs->rto, xs->backoff, XTCP_RTO_MAX));
	return sent;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_write_xmit);

/**
 * xtcp_schedule_loss_probe - arm the tail-loss probe timer (PTO), like
 * tcp_schedule_loss_probe()
 * @sk: the socket, locked
 * @advancing_rto: the retransmission timer would restart now (an ACK advanced), so
 *	the PTO may be as long as a whole RTO
 *
 * RFC 8985 7.2: on a SACK connection with data in flight and no recovery running, a
 * probe goes two smoothed RTTs after the last transmission, plus a delayed ACK's worst
 * case (the 200 ms floor of the RTO) when a single segment is in flight, else 2 ms; one
 * second before the first RTT sample; never later than the retransmission timeout.
 * net.xtcp.early_retrans (3 or 4, as tcp_early_retrans) turns it on.
 *
 * Context: softirq, process or timer, socket locked.
 * Return: true if the timer was armed for the probe, false if the caller must see to
 * the retransmission timer.
 */
bool xtcp_schedule_loss_probe(struct sock *sk, bool advancing_rto)
{
	int early = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_early_retrans);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *head;
	u32 timeout;
	s32 rto_delta_us;

	if ((early != 3 && early != 4) || !xs->packets_out || !xs->rx_opt.sack_ok ||
	    (xs->ca_state != XTCP_CA_OPEN && xs->ca_state != XTCP_CA_CWR))
		return false;
	if (xs->srtt_us)
		timeout = usecs_to_jiffies(2 * xs->srtt_us +
					   (xs->packets_out == 1 ?
					    jiffies_to_usecs(XTCP_RTO_MIN) : XTCP_TIMEOUT_MIN_US));
	else
		timeout = XTCP_TIMEOUT_INIT;
	/* when the RTO would fire: it restarts now, or runs from the head's transmission */
	head = xtcp_rtx_queue_head(sk);
	if (advancing_rto || !head)
		rto_delta_us = jiffies_to_usecs(xs->rto);
	else
		rto_delta_us = XTCP_SKB_CB(head)->tx_time + jiffies_to_usecs(xs->rto) -
			       xtcp_clock_us();
	if (rto_delta_us > 0)
		timeout = min(timeout, usecs_to_jiffies(rto_delta_us));
	xtcp_reset_xmit_timer(sk, XTCP_TIME_LOSS_PROBE, timeout);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_schedule_loss_probe);

/**
 * xtcp_send_loss_probe - the probe timer expired: send one segment that draws an ACK,
 * like tcp_send_loss_probe()
 * @sk: the socket, locked
 *
 * RFC 8985 7.3: new data if the peer's window takes the next segment (whatever the
 * congestion window and Nagle say), else the last segment sent goes again, not
 * counted as a copy in flight (__tcp_retransmit_skb(), as Linux's probe: it must not
 * hold back the retransmission of a segment found lost meanwhile).  Either
 * way its ACK (or SACK) lets RACK find what was lost at the tail without waiting for
 * the RTO.  One probe at a time: while one is outstanding (@tlp_high_seq) the timer
 * only becomes the RTO again, which is restarted from now after a probe.
 *
 * Context: timer, socket locked.
 */
void xtcp_send_loss_probe(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	unsigned int mss;
	u32 pcount;

	if (xs->tlp_high_seq ||
	    (xs->ca_state != XTCP_CA_OPEN && xs->ca_state != XTCP_CA_CWR))
		goto rearm;
	xs->tlp_retrans = 0;
	mss = xtcp_size_goal(sk);
	skb = skb_peek(&sk->sk_write_queue);
	if (skb && xtcp_snd_wnd_test(xs, skb, mss)) {
		/* one segment of new data */
		if ((xtcp_init_tso_segs(skb, mss) > 1 &&
		     xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, mss, mss)) ||
		    xtcp_xmit_new(sk, skb))
			goto rearm;
		goto sent;
	}
	/* else the last segment sent: the tail of a super-segment is cut off first */
	skb = xtcp_rtx_queue_tail(sk);
	if (!skb)
		goto rearm;
	pcount = xtcp_skb_pcount(skb);
	if (pcount > 1 && xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb,
					(pcount - 1) * xtcp_skb_mss(skb), xtcp_skb_mss(skb)))
		goto rearm;
	if (__xtcp_retransmit_skb(sk, xtcp_rtx_queue_tail(sk), 1))
		goto rearm;
	xs->tlp_retrans = 1;
sent:
	xs->tlp_high_seq = xs->snd_nxt;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSSPROBES);
	WRITE_ONCE(xs->pending, 0);	/* the RTO runs from now */
rearm:
	xtcp_rearm_rto(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_loss_probe);

/**
 * xtcp_push - send queued data now if the rules allow, like tcp_push()
 * @sk: the socket, locked
 * @nonagle: XTCP_NAGLE_* for this attempt
 *
 * Context: process, socket locked.
 */
void xtcp_push(struct sock *sk, int nonagle)
{
	if (skb_peek(&sk->sk_write_queue))
		xtcp_write_xmit(sk, nonagle);
}

/**
 * xtcp_fragment - cut a queued segment in two, like tcp_fragment()
 * @sk: the socket, locked
 * @q: its queue: XTCP_FRAG_IN_WRITE_QUEUE or XTCP_FRAG_IN_RTX_QUEUE
 * @skb: the segment
 * @len: bytes of data the first part keeps, at most skb->len
 * @mss: the segment size both parts are counted in (xtcp_set_skb_tso_segs())
 *
 * The data beyond @len moves to a new segment right behind @skb, with the memory it
 * takes (truesize); the new segment's own header is charged to the socket, borrowed if
 * the memory limits refuse it (given back when it is ACKed), as xtcp_send_fin() does.
 * PSH and FIN move to the second part.  A sent segment may still be in flight as a
 * clone sharing its fragment list: it gets a list of its own first.  The second part
 * of a sent one keeps its transmission time, scoreboard bits and place in RACK's
 * order, and the counters follow if the two parts count for more segments than the
 * whole did.
 *
 * Context: process, softirq or timer, socket locked.
 * Return: 0, or -ENOMEM or -EINVAL (nothing changed).
 */
int xtcp_fragment(struct sock *sk, enum xtcp_queue q, struct sk_buff *skb, u32 len,
		  unsigned int mss)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *ncb;
	int old_pcount = xtcp_skb_pcount(skb), diff;
	u32 nlen = skb->len - len;
	struct sk_buff *buff;

	/* queued segments hold their data in page fragments */
	if (WARN_ON_ONCE(len > skb->len || skb_headlen(skb)))
		return -EINVAL;
	/*
	 * A peer's SACK blocks could cut what is in flight into segments of its smallest
	 * MSS, each charged its own header: beyond twice the send buffer (and a little,
	 * as sendmsg may overshoot it) only the ends of the queue are cut.
	 */
	if (q == XTCP_FRAG_IN_RTX_QUEUE &&
	    (sk->sk_wmem_queued >> 1) > sk->sk_sndbuf + 2 * SKB_TRUESIZE(GSO_LEGACY_MAX_SIZE) &&
	    skb != xtcp_rtx_queue_head(sk) && skb != xtcp_rtx_queue_tail(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_WQUEUETOOBIG);
		return -ENOMEM;
	}
	if (xtcp_unclone(skb))
		return -ENOMEM;
	buff = alloc_skb(XTCP_MAX_HEADER, GFP_ATOMIC);
	if (!buff)
		return -ENOMEM;
	/* the data is queued already: charged even beyond the limits, as tcp_fragment() */
	sk_wmem_schedule(sk, buff->truesize);
	skb_reserve(buff, XTCP_MAX_HEADER);
	sk_wmem_queued_add(sk, buff->truesize);
	sk_mem_charge(sk, buff->truesize);
	skb_split(skb, buff, len);
	buff->truesize += nlen;
	skb->truesize -= nlen;

	ncb = XTCP_SKB_CB(buff);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;
	ncb->sacked = cb->sacked;
	ncb->tx_time = cb->tx_time;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
	xtcp_set_skb_tso_segs(skb, mss);
	xtcp_set_skb_tso_segs(buff, mss);
	if (q == XTCP_FRAG_IN_WRITE_QUEUE) {
		__skb_queue_after(&sk->sk_write_queue, skb, buff);
	} else {
		xtcp_rbtree_insert(&xtcp_sk(sk)->rtx_queue, buff);
		if (list_empty(xtcp_skb_tsorted(skb)))
			INIT_LIST_HEAD(xtcp_skb_tsorted(buff));
		else
			list_add(xtcp_skb_tsorted(buff), xtcp_skb_tsorted(skb));
		diff = old_pcount - xtcp_skb_pcount(skb) - xtcp_skb_pcount(buff);
		if (diff)
			xtcp_adjust_pcount(sk, skb, diff);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_fragment);

/**
 * xtcp_trim_head - the first @len bytes of a segment in flight were ACKed: free them,
 * like tcp_trim_head()
 * @sk: the socket, locked
 * @skb: the head of the retransmission queue, a super-segment ACKed in part
 * @len: bytes ACKed: less than its data, or all of it if its FIN is not ACKed
 *
 * Their pages go (a clone still in flight keeps its own references) with the memory
 * they took, and the rest is counted anew at the segment's MSS.
 *
 * Context: softirq or process, socket locked.
 * Return: 0, or -ENOMEM (nothing changed).
 */
int xtcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct skb_shared_info *shinfo;
	int i, k = 0;
	u32 eat = len;

	/* all of the data only if a FIN stays */
	if (WARN_ON_ONCE(len > skb->len || skb_headlen(skb) ||
			 (len == skb->len && cb->end_seq == cb->seq + len)))
		return -EINVAL;
	if (xtcp_unclone(skb))
		return -ENOMEM;
	shinfo = skb_shinfo(skb);
	for (i = 0; i < shinfo->nr_frags; i++) {
		int size = skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			skb_frag_unref(skb, i);
			eat -= size;
			continue;
		}
		shinfo->frags[k] = shinfo->frags[i];
		if (eat) {
			skb_frag_off_add(&shinfo->frags[k], eat);
			skb_frag_size_sub(&shinfo->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	skb->data_len -= len;
	skb->len = skb->data_len;
	skb->truesize -= len;
	sk_wmem_queued_add(sk, -len);
	sk_mem_uncharge(sk, len);
	XTCP_SKB_CB(skb)->seq += len;
	xtcp_set_skb_tso_segs(skb, xtcp_skb_mss(skb));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_trim_head);

/*
 * The persist timer found the window open, maybe too little for the first segment
 * (it was cut when the peer offered more; now its buffer is fuller, or it measured
 * its memory anew): cut the segment to what fits and send that, like
 * tcp_write_wakeup().  This is the override timeout of sender silly-window avoidance
 * (RFC 9293 3.8.6.2.1): a window below half the largest one waits for it.  Data that
 * Nagle or TCP_CORK held goes now too: the timer is the ceiling on how long they hold
 * it.  Return true if a segment was sent.
 */
static bool xtcp_write_wakeup(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 wnd_end = xs->snd_una + xs->snd_wnd, room = wnd_end - cb->seq;

	if (!xtcp_after(wnd_end, cb->seq))
		return false;			/* a zero window: probe it */
	if (room < cb->end_seq - cb->seq &&
	    xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, skb, min(room, skb->len),
			  xtcp_size_goal(sk)))
		return false;
	return xtcp_write_xmit(sk, xs->nonagle | XTCP_NAGLE_PUSH);
}

/**
 * xtcp_send_probe0 - the persist timer expired: probe the peer's zero window, like
 * tcp_send_probe0()
 * @sk: the socket, locked
 *
 * If the window has room, what fits goes instead (xtcp_write_wakeup()).  Otherwise the
 * probe is an ACK with an old sequence number (snd_una - 1): the peer must answer
 * it with an ACK carrying its current window (tcp_xmit_probe_skb()).  Probes back off
 * like retransmissions; too many unanswered ones (xtcp_write_timeout()) end the
 * connection (ETIMEDOUT).
 *
 * Context: timer, socket locked.
 */
void xtcp_send_probe0(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (xs->packets_out || !skb)
		return;
	if (xtcp_write_wakeup(sk, skb))
		return;
	if (xtcp_write_timeout(sk, xs->probes_out)) {
		xtcp_write_err(sk);
		return;
	}
	xtcp_transmit_ctl(sk, TCPHDR_ACK, xs->snd_una - 1);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_WINPROBE);
	xs->probes_out++;
	if (xs->backoff < 16)
		xs->backoff++;
	xtcp_reset_xmit_timer(sk, XTCP_TIME_PROBE0,
			      xtcp_backoff(xs->rto, xs->backoff, XTCP_RTO_MAX));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_probe0);

/**
 * xtcp_backoff - an exponential backoff schedule: @base doubled @n times, at most @max
 * @base: the first timeout (jiffies)
 * @n: retransmissions so far
 * @max: the cap
 *
 * Context: any.
 * Return: the timeout before the next retransmission, in jiffies.
 */
u32 xtcp_backoff(u32 base, unsigned int n, u32 max)
{
	u64 t = n >= 32 ? U64_MAX : (u64)base << n;

	return min_t(u64, t, max);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_backoff);

/**
 * xtcp_connect - send the SYN of an active open, like tcp_connect()
 * @sk: a socket in SYN_SENT, hashed, with iss set
 *
 * Context: process, socket locked.
 * Return: 0 or a negative errno.
 */
int xtcp_connect(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 flags = TCPHDR_SYN;
	int err;

	WRITE_ONCE(xs->snd_una, xs->iss);
	WRITE_ONCE(xs->snd_nxt, xs->iss + 1);
	WRITE_ONCE(xs->rcv_nxt, 0);
	xs->retransmits = 0;
	xs->rto = XTCP_TIMEOUT_INIT;
	xs->syn_time = xtcp_clock_us();
	/* ECN asked for with ECE and CWR on the SYN (RFC 3168 6.1.1, tcp_ecn_send_syn()) */
	xs->ecn_flags = 0;
	INET_ECN_dontxmit(sk);	/* a socket used before may have left ECT set */
	if (READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_ecn) == 1) {
		xs->ecn_flags = XTCP_ECN_OK;
		flags |= TCPHDR_ECE | TCPHDR_CWR;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	err = xtcp_transmit_ctl(sk, flags, xs->iss);
	if (err == -ECONNREFUSED)
		return err;
	/* a SYN lost on the way out is retransmitted like one lost in the network */
	xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xs->rto);
	return 0;
}

/**
 * xtcp_send_ack - acknowledge everything received so far
 * @sk: the socket, locked
 *
 * With no memory for the segment, the ACK is owed still: the delayed-ACK timer tries
 * again, as __tcp_send_ack() has it.
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_send_ack(struct sock *sk)
{
	if (xtcp_transmit_ctl(sk, TCPHDR_ACK, xtcp_sk(sk)->snd_nxt) == -ENOBUFS)
		xtcp_send_delayed_ack(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_ack);

/**
 * xtcp_send_active_reset - abort a connection: send RST (with ACK) to the peer
 * @sk: the socket, locked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_send_active_reset(struct sock *sk)
{
	xtcp_transmit_ctl(sk, TCPHDR_RST | TCPHDR_ACK, xtcp_sk(sk)->snd_nxt);
}

/**
 * xtcp_send_fin - queue our FIN behind the data and send what may go, like
 * tcp_send_fin()
 * @sk: the socket, locked, just moved to FIN_WAIT1 or LAST_ACK
 *
 * The FIN rides on the last unsent segment if there is one, else on a segment of its
 * own; it takes one sequence number and is retransmitted like data.  It must go out
 * whatever the memory limits say, so a segment of its own is charged to the socket
 * even beyond them (given back when it is ACKed), as tcp_send_fin() forces it.  The
 * segment is allocated without sleeping; under memory pressure, or if that fails, the
 * FIN rides on the last segment sent instead, as if it had gone with it: the RTO sends
 * it again with the FIN (with nothing sent either, none goes, as in Linux).
 *
 * Context: process, or softirq (the ACK that completes a simultaneous open after
 * shutdown(SHUT_WR)); socket locked.
 */
void xtcp_send_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	bool on_sent = false;

	if (!skb && !sk_under_memory_pressure(sk)) {
		skb = alloc_skb(XTCP_MAX_HEADER, sk_gfp_mask(sk, GFP_ATOMIC | __GFP_NOWARN));
		if (skb) {
			skb_reserve(skb, XTCP_MAX_HEADER);
			sk_wmem_schedule(sk, skb->truesize);	/* if refused, borrowed */
			sk_wmem_queued_add(sk, skb->truesize);
			sk_mem_charge(sk, skb->truesize);
			XTCP_SKB_CB(skb)->seq = xs->write_seq;
			XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
			XTCP_SKB_CB(skb)->flags = TCPHDR_ACK;
			XTCP_SKB_CB(skb)->sacked = 0;
			__skb_queue_tail(&sk->sk_write_queue, skb);
		}
	}
	if (!skb) {
		skb = xtcp_rtx_queue_tail(sk);
		if (!skb)
			return;		/* nothing to carry it: as Linux, none goes */
		on_sent = true;
	}
	XTCP_SKB_CB(skb)->flags |= TCPHDR_FIN;
	XTCP_SKB_CB(skb)->end_seq++;
	xs->write_seq++;
	if (on_sent)
		WRITE_ONCE(xs->snd_nxt, xs->snd_nxt + 1);	/* as if it went with it */
	else
		xtcp_push(sk, xs->nonagle | XTCP_NAGLE_PUSH);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_fin);

/* The route of a request's SYN-ACKs, to the peer that sent the SYN. */
static struct rtable *xtcp_req_route(const struct sock *listener,
				     const struct xtcp_request_sock *req, struct flowi4 *fl4)
{
	struct net *net = sock_net(listener);

	flowi4_init_output(fl4, listener->sk_bound_dev_if, READ_ONCE(listener->sk_mark), 0,
			   RT_SCOPE_UNIVERSE, xtcp_protocol, 0, req->common.skc_daddr,
			   req->common.skc_rcv_saddr, req->common.skc_dport,
			   htons(req->common.skc_num), sock_net_uid(net, listener));
	return ip_route_output_flow(net, fl4, listener);
}

/**
 * xtcp_req_init_mss - the MSS a request offers (from its route, TCP_MAXSEG on the
 * listener) and the one its connection will send with, like tcp_conn_request()'s
 * tcp_mss_clamp() and tcp_openreq_init_rwin()
 * @listener: the listening socket, locked
 * @req: the request, not yet in the hash: what a lockless reader finds there is
 *	complete
 *
 * Context: softirq or process (the listener's backlog), listener locked.
 * Return: 0, or a negative errno if there is no route to the peer.
 */
int xtcp_req_init_mss(const struct sock *listener, struct xtcp_request_sock *req)
{
	u16 user_mss = READ_ONCE(xtcp_sk(listener)->user_mss);
	struct dst_entry *dst;
	struct flowi4 fl4;
	struct rtable *rt;

	if (req->common.skc_family == AF_INET6) {
		dst = xtcp_v6_req_dst(listener, req);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
	} else {
		rt = xtcp_req_route(listener, req, &fl4);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		dst = &rt->dst;
	}
	req->advmss = min_t(u32, dst_metric_advmss(dst), U16_MAX);
	if (user_mss)
		req->advmss = min(req->advmss, user_mss);
	req->mss = xtcp_clamp_mss(req->mss, req->advmss,
				  req->common.skc_family == AF_INET6 ? XTCP6_MSS_DEFAULT :
								      XTCP_MSS_DEFAULT);
	dst_release(dst);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_req_init_mss);

/*
 * Put an IPv4 header on a segment sent without a full socket - a SYN-ACK for a request,
 * a RST or an ACK from the control socket - and send it, like ip_build_and_send_pkt()
 * (which 7.2 no longer exports) without IP options.  @skb's route is set; the segment
 * is small, so it goes with DF and no IP ID unless the route forbids DF.
 */
static int xtcp_ip_build_and_send_pkt(struct sk_buff *skb, const struct sock *sk,
				      __be32 saddr, __be32 daddr)
{
	struct rtable *rt = skb_rtable(skb);
	int ttl = READ_ONCE(inet_sk(sk)->uc_ttl);
	struct net *net = sock_net(sk);
	struct iphdr *iph;

	skb_push(skb, sizeof(struct iphdr));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->ttl = ttl < 0 ? ip4_dst_hoplimit(&rt->dst) : ttl;
	iph->daddr = daddr;
	iph->saddr = saddr;
	iph->protocol = sk->sk_protocol;
	if (skb->len <= IPV4_MIN_MTU || ip_dont_fragment(sk, &rt->dst)) {
		iph->frag_off = htons(IP_DF);
		iph->id = 0;
	} else {
		iph->frag_off = 0;
		iph->id = (__force __be16)get_random_u16();	/* as TCP's SYN-ACKs */
	}
	skb->priority = READ_ONCE(sk->sk_priority);
	if (!skb->mark)
		skb->mark = READ_ONCE(sk->sk_mark);
	return ip_local_out(net, skb->sk, skb);	/* sets tot_len and the checksum */
}

/**
 * xtcp_v4_send_synack - answer a SYN for a request minisocket, like
 * tcp_v4_send_synack() + tcp_make_synack()
 * @listener: the listening socket
 * @req: the request, its MSS set (xtcp_req_init_mss()); only read here
 *
 * Context: softirq or timer.
 * Return: 0 or a negative errno.
 */
int xtcp_v4_send_synack(struct sock *listener, struct xtcp_request_sock *req)
{
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;
	int err;

	rt = xtcp_req_route(listener, req, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb = xtcp_make_synack(req);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOBUFS;
	}
	xtcp_csum(skb, req->common.skc_rcv_saddr, req->common.skc_daddr, false);
	skb_dst_set(skb, &rt->dst);
	err = xtcp_ip_build_and_send_pkt(skb, listener, req->common.skc_rcv_saddr,
					 req->common.skc_daddr);
	XTCP_INC_STATS(sock_net(listener), XTCP_MIB_OUTSEGS);
	return net_xmit_eval(err);
}

/**
 * xtcp_make_synack - a request's SYN-ACK, its checksum left to the caller, like
 * tcp_make_synack()
 * @req: the request, its MSS set
 *
 * Context: softirq, timer or process.
 * Return: the segment, or NULL without memory.
 */
struct sk_buff *xtcp_make_synack(const struct xtcp_request_sock *req)
{
	struct xtcp_out_options opts = {};
	struct sk_buff *skb = xtcp_alloc_ctl_skb();

	if (!skb)
		return NULL;
	opts.mss = req->advmss;
	opts.ws_ok = req->wscale_ok;
	opts.ws = req->rcv_wscale;
	opts.sack_ok = req->sack_ok;
	opts.ts_ok = req->tstamp_ok;
	if (opts.ts_ok) {
		opts.tsval = xtcp_clock_ms() + xtcp_skc_ts_offset(&req->common);
		opts.tsecr = req->ts_recent;
	}
	xtcp_push_header(skb, htons(req->common.skc_num), req->common.skc_dport,
			 req->snt_isn, req->rcv_isn + 1,
			 TCPHDR_SYN | TCPHDR_ACK | (req->ecn_ok ? TCPHDR_ECE : 0),
			 min_t(u32, req->rcv_wnd, U16_MAX), &opts);
	return skb;
}

/*
 * Send a segment without data in answer to @skb, from the namespace's control socket:
 * a RST for a segment no socket takes, or an ACK for a TIME_WAIT minisocket.
 */
static void xtcp_v4_send_reply(struct net *net, struct sk_buff *skb, u32 seq, u32 ack,
			       u8 flags, u16 win, const struct xtcp_out_options *opts)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct sock *ctl_sk = xtcp_pernet(net)->ctl_sk;
	struct sk_buff *nskb;
	struct flowi4 fl4;
	struct rtable *rt;

	flowi4_init_output(&fl4, 0, 0, 0, RT_SCOPE_UNIVERSE, xtcp_protocol, 0, iph->saddr,
			   iph->daddr, th->source, th->dest, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	nskb = xtcp_alloc_ctl_skb();
	if (!nskb) {
		ip_rt_put(rt);
		return;
	}
	xtcp_push_header(nskb, th->dest, th->source, seq, ack, flags, win, opts);
	xtcp_csum(nskb, iph->daddr, iph->saddr, false);
	skb_dst_set(nskb, &rt->dst);
	local_bh_disable();
	xtcp_ip_build_and_send_pkt(nskb, ctl_sk, iph->daddr, iph->saddr);
	local_bh_enable();
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	if (flags & TCPHDR_RST)
		XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
}

/**
 * xtcp_send_reply - send a segment without data in answer to @skb, from the
 * namespace's control socket, over the IP version @skb came by
 * @net: the namespace it arrived in
 * @sk: the socket it is sent for - a full socket, a TIME_WAIT minisocket - or NULL:
 *	over IPv6 its flow label and traffic class go in the header
 * @skb: the segment answered
 * @seq: our sequence number
 * @ack: what we acknowledge
 * @flags: TCPHDR_* flags
 * @win: the window field
 * @opts: the options (a timestamp), or NULL
 *
 * Context: softirq, or process (backlog).
 */
void xtcp_send_reply(struct net *net, const struct sock *sk, struct sk_buff *skb, u32 seq,
		     u32 ack, u8 flags, u16 win, const struct xtcp_out_options *opts)
{
	if (xtcp_skb_v6(skb))
		xtcp_v6_send_reply(net, sk, skb, seq, ack, flags, win, opts);
	else
		xtcp_v4_send_reply(net, skb, seq, ack, flags, win, opts);
}

/**
 * xtcp_send_reset - answer a segment no socket takes with a RST, like
 * tcp_v4_send_reset() and tcp_v6_send_reset()
 * @net: the namespace it arrived in
 * @sk: the socket that answers - a full socket, a TIME_WAIT minisocket - or NULL (see
 *	xtcp_send_reply())
 * @skb: the segment (validated; transport header set)
 *
 * RFC 9293 3.10.7.1: a RST never answers a RST; if the segment has an ACK the RST
 * takes its sequence number from it, otherwise it has sequence 0 and acknowledges the
 * segment.  Segments to broadcast or multicast addresses get no answer.  It is sent
 * from the namespace's control socket.
 *
 * Context: softirq, or process (backlog), rcu_read_lock() held or not.
 */
void xtcp_send_reset(struct net *net, const struct sock *sk, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	u32 seq = 0, ack_seq = 0;
	u8 flags = TCPHDR_RST;

	if (th->rst)
		return;
	if (xtcp_skb_v6(skb) ? !xtcp_v6_unicast_destination(skb) :
	    skb_rtable(skb) && skb_rtable(skb)->rt_type != RTN_LOCAL)
		return;
	if (th->ack) {
		seq = ntohl(th->ack_seq);
	} else {
		flags |= TCPHDR_ACK;
		ack_seq = ntohl(th->seq) + th->syn + th->fin + skb->len - th->doff * 4;
	}
	xtcp_send_reply(net, sk, skb, seq, ack_seq, flags, 0, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_reset);

/**
 * xtcp_send_synack - answer a request's SYN, over the IP version it came by
 * @listener: the listening socket
 * @req: the request, its MSS set
 *
 * Context: softirq, timer or process (backlog).
 * Return: 0 or a negative errno.
 */
int xtcp_send_synack(struct sock *listener, struct xtcp_request_sock *req)
{
	if (req->common.skc_family == AF_INET6)
		return xtcp_v6_send_synack(listener, req);
	return xtcp_v4_send_synack(listener, req);
}
