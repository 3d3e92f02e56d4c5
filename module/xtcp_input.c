// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the state machine for arriving segments, like net/ipv4/tcp_input.c
 * (tcp_rcv_state_process, tcp_rcv_synsent_state_process, tcp_conn_request, tcp_reset).
 * RFC 9293 3.10.7 "SEGMENT ARRIVES" is the reference; comments name its steps.
 *
 * Every function here runs with the socket locked: in softirq (bh_lock_sock), or in
 * process context when release_sock() replays the socket's backlog.
 */
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/route.h>
#include "xtcp.h"

/**
 * xtcp_rcv_wnd_init - the receive window to offer in the handshake
 * @sk: the socket (or listener)
 *
 * Context: any.
 * Return: half the receive buffer, as SO_RCVBUF is doubled for overhead.
 */
u32 xtcp_rcv_wnd_init(const struct sock *sk)
{
	return max_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, XTCP_MSS_DEFAULT);
}

/**
 * xtcp_max_rcv_space - the largest window the socket may come to offer, for its window
 * scale, like the space tcp_select_initial_window() takes
 * @sk: the socket (or listener)
 *
 * Autotuning may grow the receive buffer up to net.xtcp.rmem[2], and SO_RCVBUF may ask
 * up to net.core.rmem_max: the scale chosen in the handshake must let the window
 * follow, for it cannot change later.  A buffer fixed by SO_RCVBUF never grows: the
 * window it offers is the largest.
 *
 * Context: any.
 * Return: bytes.
 */
int xtcp_max_rcv_space(const struct sock *sk)
{
	int space = max_t(int, READ_ONCE(xtcp_sysctl_rmem[2]), READ_ONCE(sysctl_rmem_max));

	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		space = min_t(int, space,
			      xtcp_win_from_space(xtcp_sk(sk), READ_ONCE(sk->sk_rcvbuf)));
	return space;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_max_rcv_space);

/* The connection is refused or reset: set the errno Linux gives, then close. */
static void xtcp_reset(struct sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
	}
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ESTABRESETS);
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
	xtcp_done(sk);
}

/*
 * The options of a SYN or SYN-ACK fix the connection's; both sides must offer one.
 * The MSS is the peer's, at most ours, and fits the path MTU known by now.
 */
static void xtcp_negotiate(struct sock *sk, const struct xtcp_options_received *opt)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rx_opt = *opt;
	if (!opt->wscale_ok) {
		xs->rx_opt.snd_wscale = 0;
		xs->rcv_wscale = 0;
		xs->rcv_wnd = min_t(u32, xs->rcv_wnd, U16_MAX);
	}
	xs->tstamp_ok = opt->saw_tstamp;
	if (opt->saw_tstamp) {
		xs->ts_recent = opt->rcv_tsval;
		xs->ts_recent_stamp = ktime_get_seconds();
	}
	xs->mss_cache = xtcp_clamp_mss(opt->mss_clamp, xs->advmss, xs->af_ops->mss_default);
	xs->rx_opt.mss_clamp = xs->mss_cache;	/* the bound of xtcp_sync_mss() */
	if (xs->pmtu_cookie)
		xtcp_sync_mss(sk, xs->pmtu_cookie);
}

/*
 * SYN_SENT, RFC 9293 3.10.7.3.  Return 1 if the caller must answer with a RST, else 0
 * (the segment is done with).
 */
static int xtcp_rcv_synsent_state_process(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	if (th->ack) {
		/* first: an ACK of anything but our SYN is not for this connection */
		if (!xtcp_after(cb->ack_seq, xs->iss) || xtcp_after(cb->ack_seq, xs->snd_nxt))
			return !th->rst;
		/* second: a RST with an acceptable ACK refuses the connection */
		if (th->rst) {
			xtcp_reset(sk);
			return 0;
		}
		if (!th->syn)
			return 0;
		/* fourth: SYN-ACK, the connection is established */
		/* ECN only if it answers ECE without CWR (RFC 3168 6.1.1, tcp_ecn_rcv_synack()) */
		if ((xs->ecn_flags & XTCP_ECN_OK) && (!th->ece || th->cwr))
			xs->ecn_flags &= ~XTCP_ECN_OK;
		WRITE_ONCE(xs->rcv_nxt, cb->seq + 1);
		WRITE_ONCE(xs->snd_una, cb->ack_seq);
		xs->snd_wnd = ntohs(th->window);	/* never scaled in a SYN */
		xtcp_negotiate(sk, &opt);
		xtcp_clear_xmit_timers(sk);
		if (!xs->retransmits)	/* Karn: no sample from a re-sent SYN */
			xtcp_rtt_estimator(xs, (s32)(xtcp_clock_us() - xs->syn_time));
		xtcp_init_transfer(sk);
		xs->snd_wl1 = cb->seq;
		xtcp_set_state(sk, TCP_ESTABLISHED);
		xtcp_send_ack(sk);
		sk->sk_state_change(sk);
		return 0;
	}
	if (th->rst)
		return 0;
	if (th->syn) {
		/*
		 * PAWS (RFC 7323 5.3) against what an earlier connection of this socket to
		 * the same peer kept, as tcp_rcv_synsent_state_process()
		 */
		if (xs->ts_recent_stamp && opt.saw_tstamp &&
		    xtcp_paws_reject(xs->ts_recent, xs->ts_recent_stamp, opt.rcv_tsval, false))
			return 0;
		/* simultaneous open: SYN_RECV, answer with SYN-ACK (same ISS) */
		WRITE_ONCE(xs->rcv_nxt, cb->seq + 1);
		xs->rcv_wup = xs->rcv_nxt;
		xs->snd_wnd = ntohs(th->window);
		xtcp_negotiate(sk, &opt);
		/* ECN if its SYN asks too (tcp_ecn_rcv_syn()); our SYN-ACK then says ECE */
		if ((xs->ecn_flags & XTCP_ECN_OK) && (!th->ece || !th->cwr))
			xs->ecn_flags &= ~XTCP_ECN_OK;
		xtcp_set_state(sk, TCP_SYN_RECV);
		xtcp_transmit_ctl(sk, TCPHDR_SYN | TCPHDR_ACK |
				  (xs->ecn_flags & XTCP_ECN_OK ? TCPHDR_ECE : 0), xs->iss);
	}
	return 0;
}

/* The rate limit itself (__tcp_oow_rate_limited()): at most one per invalid_ratelimit. */
static bool __xtcp_oow_rate_limited(struct net *net, enum xtcp_mib_field mib,
				    u32 *last_oow_ack_time)
{
	u32 last = READ_ONCE(*last_oow_ack_time);

	if (last) {
		s32 elapsed = (s32)(tcp_jiffies32 - last);

		if (elapsed >= 0 &&
		    elapsed < READ_ONCE(xtcp_pernet(net)->sysctl_invalid_ratelimit)) {
			XTCP_INC_STATS(net, mib);
			return true;
		}
	}
	/* written without a lock from a TIME_WAIT's or a request's softirq: racy, harmless */
	WRITE_ONCE(*last_oow_ack_time, tcp_jiffies32 ?: 1);
	return false;
}

/**
 * xtcp_oow_rate_limited - may an invalid segment be answered now, like
 * tcp_oow_rate_limited()
 * @net: the namespace
 * @skb: the segment (XTCP_SKB_CB filled in)
 * @mib: what to count if not (XTCP_MIB_ACKSKIPPED*)
 * @last_oow_ack_time: the connection's (or minisocket's) time of its last such answer
 *
 * Two stacks that disagree on the sequence space - after a forged segment, say - would
 * answer each other's ACKs with ACKs for ever; at most one answer per
 * net.xtcp.invalid_ratelimit (500 ms) per connection ends that.  A segment carrying data
 * is always answered: it is not part of an ACK loop.
 *
 * Context: softirq or process (backlog), the connection locked or a minisocket's.
 * Return: true if the answer must be skipped (counted in @mib).
 */
bool xtcp_oow_rate_limited(struct net *net, const struct sk_buff *skb,
			   enum xtcp_mib_field mib, u32 *last_oow_ack_time)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->seq != cb->end_seq && !(cb->flags & TCPHDR_SYN))
		return false;
	return __xtcp_oow_rate_limited(net, mib, last_oow_ack_time);
}

/**
 * xtcp_send_challenge_ack - RFC 5961's challenge ACK, like tcp_send_challenge_ack()
 * @sk: the socket, locked
 *
 * An ACK that tells a peer which sequence numbers we expect, in answer to a RST or SYN
 * in the window or an ACK out of range: a true peer resynchronizes, a blind attacker
 * learns nothing.  At most one per invalid_ratelimit per connection; then, unless
 * net.xtcp.challenge_ack_limit is INT_MAX, about that many per second in the namespace
 * (the count is randomized each second, as Linux does, so that it reveals nothing).
 *
 * Context: softirq or process (backlog), socket locked.
 */
void xtcp_send_challenge_ack(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	int limit;

	if (__xtcp_oow_rate_limited(sock_net(sk), XTCP_MIB_ACKSKIPPEDCHALLENGE,
				    &xs->last_oow_ack_time))
		return;
	limit = READ_ONCE(xn->sysctl_challenge_ack_limit);
	if (limit != INT_MAX) {
		u32 now = jiffies / HZ, count;

		if (now != READ_ONCE(xn->challenge_timestamp)) {
			u32 half = (limit + 1) >> 1;

			WRITE_ONCE(xn->challenge_timestamp, now);
			WRITE_ONCE(xn->challenge_count,
				   limit ? get_random_u32_inclusive(half, limit + half - 1) : 0);
		}
		count = READ_ONCE(xn->challenge_count);
		if (!count)
			return;
		WRITE_ONCE(xn->challenge_count, count - 1);
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_CHALLENGEACK);
	xtcp_send_ack(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_send_challenge_ack);

/*
 * RFC 9293 3.10.7.4 first check, as tcp_sequence() makes it: does any of the segment
 * fall at or after what we last ACKed (rcv_wup) and start within the window?  Data we
 * already hold, in part, passes (the data step trims it); a zero window still admits
 * a segment at rcv_nxt, so that its ACK and window are processed (RFC 9293: "valid
 * ACKs ... should be processed") while its data is dropped.
 */
static bool xtcp_sequence_ok(const struct xtcp_sock *xs, u32 seq, u32 end_seq)
{
	return !xtcp_before(end_seq, xs->rcv_wup) &&
	       !xtcp_after(seq, xs->rcv_nxt + xtcp_receive_window(xs));
}

/**
 * xtcp_rtt_estimator - take a round-trip time sample, RFC 6298 2.2-2.3
 * @xs: the socket
 * @rtt_us: the sample, microseconds
 *
 * The first sample sets SRTT = R and RTTVAR = R/2; later ones RTTVAR = 3/4 RTTVAR +
 * 1/4 |SRTT - R| and then SRTT = 7/8 SRTT + 1/8 R.  (Linux keeps the same values
 * scaled by 8 and 4 in tcp_rtt_estimator(); plain microseconds read better here.)
 *
 * Context: any, socket locked.
 */
void xtcp_rtt_estimator(struct xtcp_sock *xs, long rtt_us)
{
	u32 r = max(rtt_us, 1L);

	if (!xs->srtt_us) {
		xs->srtt_us = r;
		xs->rttvar_us = r / 2;
		return;
	}
	xs->rttvar_us = (3 * (u64)xs->rttvar_us + abs((s64)xs->srtt_us - r)) / 4;
	xs->srtt_us = (7 * (u64)xs->srtt_us + r) / 8;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rtt_estimator);

/**
 * xtcp_rto_from_rtt - RTO = SRTT + max(G, 4 * RTTVAR), RFC 6298 2.3
 * @xs: the socket, with at least one sample taken
 *
 * G is a jiffy; the result is bounded by XTCP_RTO_MIN (200 ms, as Linux) and
 * XTCP_RTO_MAX (120 s).
 *
 * Context: any.
 * Return: the RTO in jiffies.
 */
u32 xtcp_rto_from_rtt(const struct xtcp_sock *xs)
{
	u64 us = xs->srtt_us + max_t(u64, jiffies_to_usecs(1), 4ULL * xs->rttvar_us);
	u32 rto = usecs_to_jiffies(min_t(u64, us, U32_MAX));

	return clamp_t(u32, rto, XTCP_RTO_MIN, XTCP_RTO_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rto_from_rtt);

/**
 * xtcp_init_transfer - the connection is established: set up the data transfer
 * @sk: the socket, locked
 *
 * Like tcp_init_transfer(): the stream's sequence variables start at the handshake's,
 * congestion control starts (initial window), the RTO and the pacing rate come from
 * the handshake's RTT sample if there was one, quick-ack mode ACKs the first segments
 * at once, and with SO_KEEPALIVE the keepalive timer starts.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_init_transfer(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->write_seq, xs->snd_nxt);
	xs->pushed_seq = xs->write_seq;
	xs->snd_wl1 = xs->rcv_nxt - 1;
	xs->max_window = max(xs->snd_wnd, 1U);
	WRITE_ONCE(xs->copied_seq, xs->rcv_nxt);
	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_mss = min_t(u32, xtcp_advmss(xs), XTCP_MSS_DEFAULT);
	xs->quick_acks = XTCP_QUICKACKS;
	xs->retransmits = 0;
	xs->backoff = 0;
	xs->rto = xs->srtt_us ? xtcp_rto_from_rtt(xs) : XTCP_TIMEOUT_INIT;
	xs->rcv_tstamp = tcp_jiffies32;
	xs->retrans_stamp = 0;
	xtcp_cong_init(sk);
	xs->cwnd_limited = 0;		/* how much of cwnd the first window uses */
	xs->max_packets_out = 0;
	xs->cwnd_usage_seq = xs->snd_nxt;
	xs->tlp_high_seq = 0;
	/* the buffers (tcp_init_buffer_space()): autotuning measures from here */
	xs->rcv_rtt_us = 0;
	xs->rcv_rtt_time = 0;
	xs->rcv_rtt_last_tsecr = 0;
	xs->rcvq_space = min_t(u32, xs->rcv_wnd, XTCP_INIT_CWND * xtcp_advmss(xs));
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time = xtcp_clock_us();
	/* RACK: nothing delivered yet; the handshake's RTT is the smallest so far */
	xs->min_rtt_us = xs->srtt_us ?: U32_MAX;
	xs->rack_mstamp = 0;
	xs->rack_end_seq = xs->snd_una;
	xs->rack_rtt_us = 0;
	xs->rack_advanced = 0;
	xs->reord_seen = 0;
	xs->sack_high = xs->snd_una;
	xtcp_update_pacing_rate(sk);
	if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK))
		xtcp_sndbuf_expand(sk);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_reset_keepalive_timer(sk, xtcp_keepalive_time(xs));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_init_transfer);

/**
 * xtcp_purge_queues - drop every segment a socket holds for sending, and those
 * received out of order, and give their memory back
 * @sk: the socket, locked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_purge_queues(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	while ((skb = xtcp_rtx_queue_head(sk))) {
		xtcp_rtx_queue_unlink(sk, skb);
		xtcp_wmem_free_skb(sk, skb);
	}
	memset(xs->recv_sack_cache, 0, sizeof(xs->recv_sack_cache));
	skb_queue_purge(&xs->out_of_order_queue);
	xs->ofo_last = NULL;
	xs->packets_out = 0;
	xs->sacked_out = 0;
	xs->lost_out = 0;
	xs->retrans_out = 0;
	sk_mem_reclaim(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_purge_queues);

/*
 * Is @skb, which ends beyond @start, inside the SACK block [@start, @end)?  A
 * super-segment partly inside is cut first where its segments inside begin or end,
 * like tcp_match_skb_to_sack(): a segment is SACKed whole or not at all.
 */
static bool xtcp_match_skb_to_sack(struct sock *sk, struct sk_buff *skb, u32 start,
				   u32 end)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	bool in_sack = !xtcp_after(start, cb->seq) && !xtcp_before(end, cb->end_seq);
	u32 mss = xtcp_skb_mss(skb), len;

	if (in_sack || xtcp_skb_pcount(skb) <= 1)
		return in_sack;
	in_sack = !xtcp_after(start, cb->seq);
	if (in_sack)		/* it starts inside: keep the whole segments inside */
		len = rounddown(end - cb->seq, mss);
	else			/* it starts below: cut where the first one inside begins */
		len = roundup(start - cb->seq, mss);
	if (!len || len >= skb->len)
		return false;
	if (xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, len, mss))
		return false;
	return in_sack;
}

/*
 * The round trips one ACK measures, in microseconds, -1 where it measures none
 * (Linux's seq_rtt_us, ca_rtt_us, sack_rtt_us and the SACK ca_rtt_us of tcp_ack()).
 */
struct xtcp_rtt_sample {
	long seq_us;		/* of the oldest segment it ACKs: for SRTT */
	long ca_us;		/* of the newest: for the smallest RTT */
	long sack_us;		/* of the oldest segment it newly SACKs */
	long sack_ca_us;	/* of the newest one */
};

/*
 * The segment of the retransmission queue that holds @seq, NULL if none does, like
 * tcp_sacktag_bsearch().
 */
static struct sk_buff *xtcp_sacktag_bsearch(struct sock *sk, u32 seq)
{
	struct rb_node *node = xtcp_sk(sk)->rtx_queue.rb_node;

	while (node) {
		struct sk_buff *skb = rb_to_skb(node);

		if (xtcp_before(seq, XTCP_SKB_CB(skb)->seq))
			node = node->rb_left;
		else if (!xtcp_before(seq, XTCP_SKB_CB(skb)->end_seq))
			node = node->rb_right;
		else
			return skb;
	}
	return NULL;
}

/*
 * The peer holds [start, end): mark the segments that begin in [from, to) (the part of
 * the block not marked before), found by a search rather than a walk from the head
 * (tcp_sacktag_walk()); each is matched against the whole block, so that one that
 * straddles the edge of the part is still SACKed.  Each newly SACKed segment leaves
 * RACK's order and advances RACK; one never retransmitted that lies below what was
 * SACKed before (@prior_high) arrived late: the path reorders
 * (tcp_check_sack_reordering()).  The oldest and the newest newly SACKed segment never
 * retransmitted give @rs its SACK round trips.  Return the segments newly SACKed.
 */
static u32 xtcp_sacktag_walk(struct sock *sk, u32 from, u32 to, u32 start, u32 end,
			     u32 prior_high, struct xtcp_rtt_sample *rs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 newly = 0, now = xtcp_clock_us();
	struct sk_buff *skb;

	skb = xtcp_after(xs->snd_una, from) ? xtcp_rtx_queue_head(sk) :
					      xtcp_sacktag_bsearch(sk, from);
	for (; skb; skb = skb_rb_next(skb)) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 pcount;

		if (!xtcp_before(cb->seq, to))
			break;
		if ((cb->sacked & XTCP_SKB_SACKED) || !xtcp_match_skb_to_sack(sk, skb, start, end))
			continue;
		pcount = xtcp_skb_pcount(skb);
		if (cb->sacked & XTCP_SKB_LOST)
			xs->lost_out -= pcount;
		if (cb->sacked & XTCP_SKB_RETRANS)
			xs->retrans_out -= pcount;
		if (!(cb->sacked & XTCP_SKB_EVER_RETRANS)) {
			rs->sack_ca_us = (s32)(now - cb->tx_time);
			if (rs->sack_us < 0)
				rs->sack_us = rs->sack_ca_us;
			if (xtcp_after(prior_high, xs->snd_una) &&
			    xtcp_before(cb->end_seq, prior_high))
				xs->reord_seen = 1;
		}
		xtcp_rack_advance(xs, cb->sacked, cb->end_seq, cb->tx_time, now);
		cb->sacked = (cb->sacked & XTCP_SKB_EVER_RETRANS) | XTCP_SKB_SACKED;
		list_del_init(xtcp_skb_tsorted(skb));
		xs->sacked_out += pcount;
		newly += pcount;
		if (xtcp_after(cb->end_seq, xs->sack_high))
			xs->sack_high = cb->end_seq;
	}
	return newly;
}

/*
 * The SACK blocks of an ACK: mark what they cover (tcp_sacktag_write_queue()).  Blocks
 * that are empty, old (D-SACK) or beyond what we sent are ignored; the others are
 * taken in sequence order, and what the previous ACK's blocks covered (marked then)
 * is skipped, so that an ACK costs what it newly SACKs, not the size of the window.
 * With nothing SACKed the previous blocks are forgotten, as in Linux.  Return the
 * segments newly SACKed.
 */
static u32 xtcp_sacktag(struct sock *sk, struct xtcp_rtt_sample *rs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_sack_block sp[XTCP_NUM_SACKS], *cache = xs->recv_sack_cache;
	u32 newly = 0, prior_high = xs->sack_high;
	int i, j, used = 0;

	if (!xs->sacked_out)
		memset(cache, 0, sizeof(xs->recv_sack_cache));
	for (i = 0; i < xs->rx_opt.num_sacks; i++) {
		struct xtcp_sack_block b = xs->rx_opt.sacks[i];

		if (!xtcp_after(b.end, b.start) || !xtcp_after(b.end, xs->snd_una) ||
		    xtcp_after(b.end, xs->snd_nxt) ||
		    xtcp_before(b.start, xs->snd_una - xs->max_window))
			continue;
		for (j = used++; j > 0 && xtcp_before(b.start, sp[j - 1].start); j--)
			sp[j] = sp[j - 1];
		sp[j] = b;
	}
	for (i = 0; i < used; i++) {
		u32 start = sp[i].start, from = start, end = sp[i].end;

		for (j = 0; j < XTCP_NUM_SACKS && xtcp_before(from, end); j++) {
			if (!xtcp_after(cache[j].end, cache[j].start) ||
			    !xtcp_after(cache[j].end, from) || !xtcp_before(cache[j].start, end))
				continue;	/* empty, or not in what is left of the block */
			if (xtcp_before(from, cache[j].start))
				newly += xtcp_sacktag_walk(sk, from, cache[j].start, start, end,
							   prior_high, rs);
			from = cache[j].end;
		}
		if (xtcp_before(from, end))
			newly += xtcp_sacktag_walk(sk, from, end, start, end, prior_high, rs);
	}
	memset(cache, 0, sizeof(xs->recv_sack_cache));
	memcpy(cache, sp, used * sizeof(*sp));
	return newly;
}

/*
 * Without SACK (NewReno, RFC 6582) the first segment unacknowledged is the one lost
 * (tcp_newreno_mark_lost()): the first segment of a super-segment, cut off from it;
 * with SACK, RACK decides (xtcp_recovery.c).
 */
static void xtcp_newreno_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);

	if (skb && !(XTCP_SKB_CB(skb)->sacked & XTCP_SKB_LOST)) {
		if (xtcp_skb_pcount(skb) > 1)
			xtcp_fragment(sk, XTCP_FRAG_IN_RTX_QUEUE, skb, xtcp_skb_mss(skb),
				      xtcp_skb_mss(skb));
		XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_LOST;
		xs->lost_out += xtcp_skb_pcount(skb);
		list_del_init(xtcp_skb_tsorted(skb));
		xtcp_verify_retransmit_hint(xs, skb);
	}
}

/*
 * Free the segments @ack covers, like tcp_clean_rtx_queue(); a super-segment ACKed in
 * part loses its ACKed segments (tcp_tso_acked()).  The round trip of the oldest one
 * not SACKed before is @rs's sample for SRTT, the newest one's for the smallest RTT;
 * neither if the ACK covers a retransmitted one (Karn's rule).  Each advances RACK; one
 * never retransmitted nor SACKed below what was SACKed arrived late: the path reorders.
 * Return the segments ACKed.
 */
static u32 xtcp_clean_rtx_queue(struct sock *sk, u32 ack, struct xtcp_rtt_sample *rs)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), acked = 0;
	bool retrans = false;
	struct sk_buff *skb;

	while ((skb = xtcp_rtx_queue_head(sk))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 pcount = xtcp_skb_pcount(skb);
		bool whole = !xtcp_after(cb->end_seq, ack);

		if (!whole) {
			if (pcount == 1 || !xtcp_after(ack, cb->seq) ||
			    xtcp_trim_head(sk, skb, ack - cb->seq))
				break;
			pcount -= xtcp_skb_pcount(skb);
			if (!pcount)
				break;
		}
		if (cb->sacked & XTCP_SKB_EVER_RETRANS) {
			retrans = true;
		} else if (!(cb->sacked & XTCP_SKB_SACKED)) {
			rs->ca_us = (s32)(now - cb->tx_time);
			if (rs->seq_us < 0)
				rs->seq_us = rs->ca_us;
			if (xtcp_after(xs->sack_high, xs->snd_una) &&
			    xtcp_before(cb->end_seq, xs->sack_high))
				xs->reord_seen = 1;
		}
		if (!(cb->sacked & XTCP_SKB_SACKED))
			xtcp_rack_advance(xs, cb->sacked, whole ? cb->end_seq : ack, cb->tx_time,
					  now);
		xtcp_adjust_pcount(sk, skb, pcount);
		acked += pcount;
		if (!whole)
			break;
		xtcp_rtx_queue_unlink(sk, skb);
		xtcp_wmem_free_skb(sk, skb);
	}
	if (retrans) {		/* Karn: which copy was ACKed is unknown */
		rs->seq_us = -1;
		rs->ca_us = -1;
	}
	return acked;
}

/*
 * Take what an ACK measured, like tcp_ack_update_rtt(): the ACKed segments' round trip,
 * else the SACKed ones', else (if it ACKed new data, RFC 7323 4.1) the timestamp it
 * echoes.  SRTT takes the oldest segment's, as that includes the time the receiver held
 * its ACK; the smallest RTT the newest one's.  A sample ends the RTO's backoff.
 */
static void xtcp_ack_update_rtt(struct sock *sk, struct xtcp_rtt_sample *rs, bool acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (rs->sack_us >= 0)
		rs->ca_us = rs->sack_ca_us;
	if (rs->seq_us < 0)
		rs->seq_us = rs->sack_us;
	if (rs->seq_us < 0 && acked && xs->tstamp_ok && xs->rx_opt.saw_tstamp &&
	    xs->rx_opt.rcv_tsecr) {
		rs->seq_us = (s32)(xtcp_clock_ms() + xs->tsoffset - xs->rx_opt.rcv_tsecr) *
			     USEC_PER_MSEC;
		rs->ca_us = rs->seq_us;
	}
	if (rs->seq_us < 0)
		return;
	xs->min_rtt_us = min_t(u32, xs->min_rtt_us, max(rs->ca_us, 1L));
	xtcp_rtt_estimator(xs, rs->seq_us);
	xs->rto = xtcp_rto_from_rtt(xs);
	xs->backoff = 0;
}

/**
 * xtcp_update_pacing_rate - the rate the flight may leave at, like
 * tcp_update_pacing_rate()
 * @sk: the socket, locked
 *
 * The window is delivered at cwnd * MSS per smoothed RTT; the pacing rate is twice
 * that in slow start (net.xtcp.pacing_ss_ratio, 200 %) while cwnd is below half of
 * ssthresh, so that the window can double, and 120 % after (pacing_ca_ratio), never
 * above SO_MAX_PACING_RATE.  sk_pacing_rate is what the fq qdisc paces the flow by and
 * what xtcp paces itself by when asked to (xtcp_write_xmit()); it also sizes the
 * super-segments (xtcp_tso_segs()).  Before an RTT sample it stays unlimited.
 *
 * Context: softirq or process, socket locked.  sch_fq reads sk_pacing_rate without the
 * lock: written once.
 */
void xtcp_update_pacing_rate(struct sock *sk)
{
	const struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u64 rate = (u64)xs->mss_cache * (USEC_PER_SEC / 100);

	if (!xs->srtt_us)
		return;
	if (xs->snd_cwnd < xs->snd_ssthresh / 2)
		rate *= READ_ONCE(xn->sysctl_pacing_ss_ratio);
	else
		rate *= READ_ONCE(xn->sysctl_pacing_ca_ratio);
	rate *= max(xs->snd_cwnd, xs->packets_out);
	rate = div_u64(rate, xs->srtt_us);
	WRITE_ONCE(sk->sk_pacing_rate, min_t(u64, rate, READ_ONCE(sk->sk_max_pacing_rate)));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_update_pacing_rate);

/*
 * Is the ACK's first SACK block a D-SACK, data received twice (RFC 2883 4: below the
 * cumulative ACK, or inside the second block), like tcp_check_dsack()?  One reporting
 * more than we ever retransmitted is ignored, as tcp_dsack_seen() does (a duplicating
 * network, or a lying receiver).  A D-SACK of what was retransmitted since the window
 * was reduced (below the ACK before this one, beyond @undo_marker) counts those
 * retransmissions off: they were needless.
 */
static bool xtcp_check_dsack(struct sock *sk, u32 ack, u32 prior_una)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_sack_block *sb = xs->rx_opt.sacks;
	u32 len = sb[0].end - sb[0].start, dups;

	if (!xtcp_before(sb[0].start, ack) &&
	    (xs->rx_opt.num_sacks < 2 || xtcp_after(sb[0].end, sb[1].end) ||
	     xtcp_before(sb[0].start, sb[1].start)))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKRECV);
	dups = DIV_ROUND_UP(len, max(xs->mss_cache, 1U));
	if (!len || len > xs->max_window || xs->dsack_dups + dups > xs->total_retrans) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKIGNORED);
		return false;
	}
	xs->dsack_dups += dups;
	if (xs->undo_marker && xs->undo_retrans > 0 && !xtcp_after(sb[0].end, prior_una) &&
	    xtcp_after(sb[0].end, xs->undo_marker))
		xs->undo_retrans = max_t(int, 0, xs->undo_retrans - dups);
	return true;
}

/*
 * Does this ACK echo a timestamp older than the first retransmission since the window
 * was reduced (tcp_packet_delayed())?  Then it acknowledges an original that was late,
 * not lost: the retransmission was needless (Eifel detection, RFC 3522).
 */
static bool xtcp_packet_delayed(const struct xtcp_sock *xs)
{
	return xs->tstamp_ok && xs->undo_tsval && xs->rx_opt.saw_tstamp &&
	       xs->rx_opt.rcv_tsecr && xtcp_before(xs->rx_opt.rcv_tsecr, xs->undo_tsval);
}

/* The reduction may be undone: every retransmission D-SACKed, or an original late */
static bool xtcp_may_undo(const struct xtcp_sock *xs)
{
	return xs->undo_marker && (!xs->undo_retrans || xtcp_packet_delayed(xs));
}

/*
 * The loss that reduced cwnd was not one: back to the window and threshold before it
 * (tcp_undo_cwnd_reduction(), without unmarking losses: only fast recovery is undone,
 * whose lost segments were retransmitted already).  The algorithm says what window
 * (undo_cwnd); ssthresh goes back up, never down.
 */
static void xtcp_undo_cwnd_reduction(struct sock *sk, enum xtcp_mib_field mib)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->prior_ssthresh) {
		xs->snd_cwnd = xs->ca_ops->undo_cwnd ? xs->ca_ops->undo_cwnd(sk) :
						       xtcp_reno_undo_cwnd(sk);
		if (xs->prior_ssthresh > xs->snd_ssthresh) {
			xs->snd_ssthresh = xs->prior_ssthresh;
			/* no reduction left to tell the peer of (tcp_ecn_withdraw_cwr()) */
			xs->ecn_flags &= ~XTCP_ECN_QUEUE_CWR;
		}
	}
	xs->undo_marker = 0;
	XTCP_INC_STATS(sock_net(sk), mib);
}

/*
 * Congestion state after an ACK, a simple tcp_fastretrans_alert(): with SACK, RACK
 * marks what is lost (while SACK blocks or a recovery are about); without, DupThresh
 * duplicate ACKs mark the first segment.  A loss starts fast recovery; during it what
 * becomes lost (a partial ACK, RFC 6582 3.2 step 5) is retransmitted; recovery or
 * loss ends once @high_seq is ACKed; outside them cwnd grows through the algorithm.
 * A recovery whose every retransmission was D-SACKed (@dsack: this ACK carries one), or
 * that ends with an ACK of an original sent before them, is undone; a D-SACK may still
 * undo it after it ended (tcp_try_undo_dsack()), until the next reduction.
 * An ECN echo (@ece) with nothing lost reduces cwnd once per window of data (the CWR
 * state, tcp_try_to_open()); a loss found then starts recovery without reducing it
 * again, and a recovery an echo started is not undone.
 * Return true if RACK armed its reordering timer.
 */
static bool xtcp_cong_control(struct sock *sk, u32 acked, bool dup, bool dsack, bool ece)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool sack = xs->rx_opt.sack_ok, reo = false;

	/* CWR lasts until more than @high_seq is ACKed: its CWR bit reached the receiver */
	if (xs->ca_state != XTCP_CA_OPEN && !xtcp_before(xs->snd_una, xs->high_seq) &&
	    (xs->ca_state != XTCP_CA_CWR || xs->snd_una != xs->high_seq)) {
		/* the end of recovery (tcp_try_undo_recovery(), tcp_end_cwnd_reduction()) */
		if (xs->ca_state == XTCP_CA_RECOVERY && xtcp_may_undo(xs))
			xtcp_undo_cwnd_reduction(sk, XTCP_MIB_FULLUNDO);
		else if (xs->ca_state == XTCP_CA_RECOVERY && xs->undo_marker)
			xs->snd_cwnd = max(xs->snd_ssthresh, 2U);	/* RFC 6582 3.2 step 6 */
		xtcp_set_ca_state(sk, XTCP_CA_OPEN);
		xs->dup_acks = 0;
		if (!sack)
			xs->sacked_out = 0;
	}
	if (dsack && xs->ca_state != XTCP_CA_LOSS && xs->undo_marker && !xs->undo_retrans)
		xtcp_undo_cwnd_reduction(sk, XTCP_MIB_DSACKUNDO);
	if (sack && (xs->sacked_out || xs->ca_state != XTCP_CA_OPEN))
		reo = xtcp_rack_mark_lost(sk);

	switch (xs->ca_state) {
	case XTCP_CA_OPEN:
	case XTCP_CA_CWR:
		if (xs->packets_out && (sack ? xs->lost_out : xs->sacked_out >= XTCP_DUPTHRESH)) {
			xtcp_enter_recovery(sk);
			if (ece)
				xs->undo_marker = 0;	/* the echo says it was congestion */
			if (!sack)
				xtcp_newreno_mark_lost(sk);
			xtcp_retransmit_first_lost(sk);
		} else if (xs->ca_state == XTCP_CA_CWR) {
			break;		/* no growth while the window is reduced */
		} else if (ece) {
			xtcp_enter_cwr(sk);
		} else if (acked && !dup) {
			xs->ca_ops->cong_avoid(sk, xs->snd_una, acked);
		}
		break;
	case XTCP_CA_RECOVERY:
		if (!sack)	/* a partial ACK shows the next hole */
			xtcp_newreno_mark_lost(sk);
		if (acked)
			xtcp_retransmit_first_lost(sk);
		break;
	case XTCP_CA_LOSS:
		if (acked)
			xs->ca_ops->cong_avoid(sk, xs->snd_una, acked);
		break;
	}
	return reo;
}

/*
 * An ACK during a tail-loss probe's episode, like tcp_process_tlp_ack() (RFC 8985
 * 7.4): once it covers the probe, the episode ends.  A probe of new data says nothing
 * of a loss.  A retransmitted one: a D-SACK of it, or a pure duplicate ACK, means the
 * original and the probe both arrived; an ACK beyond the probe that took neither way
 * means the probe repaired a loss at the tail, and the congestion window is reduced
 * as for one loss (ssthresh from the algorithm, cwnd down to it, no recovery).
 * @progress: the ACK advanced, carried data, updated the window or SACKed anything.
 */
static void xtcp_process_tlp_ack(struct sock *sk, u32 ack, bool progress, bool dsack_tlp)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_before(ack, xs->tlp_high_seq))
		return;
	if (!xs->tlp_retrans || dsack_tlp) {
		xs->tlp_high_seq = 0;
	} else if (xtcp_after(ack, xs->tlp_high_seq)) {
		xtcp_init_cwnd_reduction(sk);
		xs->tlp_high_seq = 0;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LOSSPROBERECOVERY);
	} else if (!progress) {
		xs->tlp_high_seq = 0;
	}
}

/*
 * Does the ACK's first SACK block report the probe's copy of the last segment as
 * received twice (a D-SACK, RFC 2883: below the cumulative ACK)?
 */
static bool xtcp_dsack_tlp(const struct xtcp_sock *xs, u32 ack)
{
	const struct xtcp_sack_block *sb = &xs->rx_opt.sacks[0];

	return xs->rx_opt.num_sacks && xtcp_before(sb->start, ack) &&
	       sb->end == xs->tlp_high_seq && sb->end - sb->start <= xs->mss_cache;
}

/**
 * xtcp_sndbuf_expand - a send buffer for the congestion window, like tcp_sndbuf_expand()
 * @sk: the socket, locked
 *
 * Twice what the larger of the congestion window and the initial window takes (room
 * for fast recovery, and for an application slow to refill), each segment counted
 * at the worst case of a non-offloaded segment (its MSS and headers in a power-of-two
 * allocation, plus the sk_buff).  The buffer grows to that, at most net.xtcp.wmem[2];
 * it never shrinks here, but to net.xtcp.wmem[2] if that was lowered.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_sndbuf_expand(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 per_mss, nr_segs;
	u64 sndmem;

	per_mss = xs->mss_cache + XTCP_MAX_HEADER + SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	per_mss = roundup_pow_of_two(per_mss) + SKB_DATA_ALIGN(sizeof(struct sk_buff));
	nr_segs = max(XTCP_INIT_CWND, xs->snd_cwnd);
	sndmem = 2ULL * nr_segs * per_mss;
	if (sk->sk_sndbuf < sndmem)
		WRITE_ONCE(sk->sk_sndbuf,
			   min_t(u64, sndmem, READ_ONCE(xtcp_sysctl_wmem[2])));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sndbuf_expand);

/*
 * After a segment was processed and what it allowed was sent, like tcp_check_space()
 * and tcp_new_space(): if a writer ran out of room (ACKs freed some, or what left
 * lowered the unsent bytes under TCP_NOTSENT_LOWAT), grow the buffer when the
 * connection could use more (tcp_should_expand_sndbuf(): not fixed by SO_SNDBUF, no
 * memory pressure, the congestion window not full); then wake writers.
 */
static void xtcp_check_space(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* pairs with xtcp_poll()'s between setting SOCK_NOSPACE and looking again */
	smp_mb();
	if (!sk->sk_socket || !test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		return;
	if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK) && !sk_under_memory_pressure(sk) &&
	    sk_memory_allocated(sk) < sk_prot_mem_limits(sk, 0) &&
	    xtcp_packets_in_flight(xs) < xs->snd_cwnd)
		xtcp_sndbuf_expand(sk);
	sk->sk_write_space(sk);
}

/*
 * RFC 9293 3.10.7.4 fifth check, like tcp_ack(): advance snd_una, update the send
 * window, take RTT samples, count duplicate ACKs and SACKs, drive congestion control.
 * Return false if the segment must be dropped (it ACKs what we never sent).
 */
static bool xtcp_ack(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 ack = cb->ack_seq, prior_una = xs->snd_una, nwin, acked = 0, sacked = 0;
	struct xtcp_rtt_sample rs = { -1, -1, -1, -1 };
	bool dup = false, win_changed = false, reo = false, dsack = false;
	u32 prior_in_flight = xtcp_packets_in_flight(xs);

	/*
	 * RFC 5961 5.2: an ACK of what we never sent, or older than the largest window
	 * behind snd_una, drops the segment - silently in ESTABLISHED, as
	 * tcp_rcv_established() does, else with a challenge ACK (tcp_rcv_state_process()).
	 */
	if (xtcp_after(ack, xs->snd_nxt)) {
		if (sk->sk_state != TCP_ESTABLISHED)
			xtcp_send_challenge_ack(sk);
		return false;
	}
	if (xtcp_before(ack, prior_una)) {
		u32 max_window = min_t(u64, xs->max_window, xs->bytes_acked);

		if (xtcp_before(ack, prior_una - max_window)) {
			xtcp_send_challenge_ack(sk);
			return false;
		}
		return true;		/* an old duplicate: nothing to learn from its ACK */
	}

	nwin = (u32)ntohs(th->window) << xs->rx_opt.snd_wscale;
	if (xtcp_after(ack, prior_una) || xtcp_after(cb->seq, xs->snd_wl1) ||
	    (cb->seq == xs->snd_wl1 && nwin != xs->snd_wnd)) {
		win_changed = nwin != xs->snd_wnd;
		xs->snd_wnd = nwin;
		xs->snd_wl1 = cb->seq;
		xs->max_window = max(xs->max_window, nwin);
	}
	xs->probes_out = 0;
	if (xs->rx_opt.num_sacks) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SACKRECV);
		if (xs->rx_opt.sack_ok) {
			dsack = xtcp_check_dsack(sk, ack, prior_una);
			sacked = xtcp_sacktag(sk, &rs);
		}
	}

	if (xtcp_after(ack, prior_una)) {
		acked = xtcp_clean_rtx_queue(sk, ack, &rs);
		xs->bytes_acked += ack - prior_una;
		WRITE_ONCE(xs->snd_una, ack);
		xs->dup_acks = 0;
		if (!xs->rx_opt.sack_ok &&
		    (xs->ca_state == XTCP_CA_OPEN || xs->ca_state == XTCP_CA_CWR)) {
			xs->sacked_out = 0;	/* NewReno: the dup ACKs were reordering */
		} else if (!xs->rx_opt.sack_ok && xs->sacked_out) {
			/* NewReno: one ACKed segment filled the hole, the rest were dup ACKs */
			u32 eaten = acked ? acked - 1 : 0;

			xs->sacked_out = eaten >= xs->sacked_out ? 0 : xs->sacked_out - eaten;
		}
		xs->retransmits = 0;
		xs->retrans_stamp = 0;
	} else if (xs->packets_out && skb->len == th->doff * 4 && !win_changed &&
		   !(cb->flags & (TCPHDR_SYN | TCPHDR_FIN))) {
		/* RFC 5681 2: a duplicate ACK */
		dup = true;
		xs->dup_acks++;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPACKS);
		if (!xs->rx_opt.sack_ok)
			xs->sacked_out = min(xs->sacked_out + 1, xs->packets_out - 1);
	}
	xtcp_ack_update_rtt(sk, &rs, xtcp_after(ack, prior_una));
	if (xs->ca_ops->pkts_acked) {
		struct ack_sample sample = {
			.pkts_acked = acked,
			.rtt_us = rs.ca_us,
			.in_flight = prior_in_flight,
		};

		xs->ca_ops->pkts_acked(sk, &sample);
	}
	if (xs->tlp_high_seq)
		xtcp_process_tlp_ack(sk, ack,
				     xtcp_after(ack, prior_una) || win_changed || sacked ||
				     skb->len > th->doff * 4,
				     xtcp_dsack_tlp(xs, ack));
	/* an ACK of the whole flight grows cwnd too (one per super-segment, or a stretch) */
	if (acked || xs->packets_out || xs->ca_state != XTCP_CA_OPEN || dsack)
		reo = xtcp_cong_control(sk, acked, dup, dsack,
					th->ece && !th->syn && (xs->ecn_flags & XTCP_ECN_OK));
	xtcp_update_pacing_rate(sk);
	/* the RTO (or the tail-loss probe) restarts, unless RACK's timer now runs */
	if (xtcp_after(ack, prior_una) && !reo && !xtcp_schedule_loss_probe(sk, true))
		xtcp_rearm_rto(sk);
	if (!xs->packets_out && xs->pending == XTCP_TIME_PROBE0 && win_changed)
		xs->backoff = 0;
	return true;
}

/**
 * xtcp_ofo_insert - put a segment in the out-of-order queue, sorted by sequence number
 * @q: the queue
 * @skb: the segment (XTCP_SKB_CB seq/end_seq cover its payload)
 *
 * A segment that brings nothing new (covered by one already queued) is not queued; a
 * segment that covers queued ones replaces them (they are freed).  Partial overlaps
 * stay: the reader skips what it already has.
 *
 * Context: any, socket locked.
 * Return: true if @skb was queued, false if the caller must free it.
 */
bool xtcp_ofo_insert(struct sk_buff_head *q, struct sk_buff *skb)
{
	u32 seq = XTCP_SKB_CB(skb)->seq, end_seq = XTCP_SKB_CB(skb)->end_seq;
	struct sk_buff *prev, *next;

	/* most segments arrive in order behind the tail: search backwards */
	skb_queue_reverse_walk(q, prev) {
		if (!xtcp_after(XTCP_SKB_CB(prev)->seq, seq))
			break;
	}
	if (prev != (struct sk_buff *)q) {
		if (!xtcp_after(end_seq, XTCP_SKB_CB(prev)->end_seq))
			return false;		/* nothing new */
		if (XTCP_SKB_CB(prev)->seq == seq) {
			struct sk_buff *p = prev->prev;

			__skb_unlink(prev, q);
			kfree_skb(prev);
			prev = p;
		}
	}
	__skb_queue_after(q, prev, skb);
	while (!skb_queue_is_last(q, skb)) {
		next = skb->next;
		if (xtcp_after(XTCP_SKB_CB(next)->end_seq, end_seq))
			break;
		__skb_unlink(next, q);
		kfree_skb(next);
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_insert);

/*
 * The receive buffer is full while the window we offered still lets data in (its
 * segments took more memory each than the window assumed): grow the buffer to what it
 * holds, up to net.xtcp.rmem[2], unless SO_RCVBUF fixed it or memory is short, like
 * tcp_clamp_window().
 */
static void xtcp_clamp_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int rmem2 = READ_ONCE(xtcp_sysctl_rmem[2]);

	if (sk->sk_rcvbuf < rmem2 && !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
	    !sk_under_memory_pressure(sk) &&
	    sk_memory_allocated(sk) < sk_prot_mem_limits(sk, 0))
		WRITE_ONCE(sk->sk_rcvbuf, min(atomic_read(&sk->sk_rmem_alloc), rmem2));
	/* still over it: the window starts growing again from two segments */
	if (atomic_read(&sk->sk_rmem_alloc) > READ_ONCE(sk->sk_rcvbuf))
		xs->rcv_ssthresh = min(xs->rcv_ssthresh, 2U * xtcp_advmss(xs));
}

/*
 * Memory pressure: the window offers at most four of our segments, like
 * tcp_adjust_rcv_ssthresh().
 */
static void xtcp_adjust_rcv_ssthresh(struct xtcp_sock *xs)
{
	xs->rcv_ssthresh = min(xs->rcv_ssthresh, 4U * xtcp_advmss(xs));
}

/*
 * How much more window a segment that takes @truesize of memory for its @len bytes
 * earns, when its share of data is below what the window assumes, like
 * __tcp_grow_window(): two segments while rcv_ssthresh is small enough that such
 * segments up to net.xtcp.rmem[2] would still fit, nothing beyond.
 */
static u32 __xtcp_grow_window(const struct xtcp_sock *xs, u32 truesize, u32 len)
{
	u32 half = xtcp_win_from_space(xs, truesize) >> 1;
	u32 window = xtcp_win_from_space(xs, READ_ONCE(xtcp_sysctl_rmem[2])) >> 1;

	while (xs->rcv_ssthresh <= window) {
		if (half <= len)
			return 2 * xs->rcv_mss;
		half >>= 1;
		window >>= 1;
	}
	return 0;
}

/**
 * xtcp_grow_window - a data segment came: let the window offer more, like
 * tcp_grow_window()
 * @sk: the socket, locked
 * @skb: the segment (in order, or out of order on a SACK connection), at least 128
 *	bytes of data
 *
 * rcv_ssthresh, the most the window offers, grows by two of our segments (or twice
 * this one's data, if more) while the free buffer has room beyond it: a sender's window
 * opens as fast as it sends, and no faster.  A segment whose memory holds less data
 * than the window assumes earns that only while the window is small (see above).
 * Under memory pressure it shrinks to four segments instead (tcp_adjust_rcv_ssthresh()).
 *
 * Context: softirq or process (backlog), socket locked.
 */
void xtcp_grow_window(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int free = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	s64 room = (s64)xtcp_win_from_space(xs, free) - xs->rcv_ssthresh;
	u32 incr;

	if (room <= 0)
		return;
	if (sk_under_memory_pressure(sk)) {
		xtcp_adjust_rcv_ssthresh(xs);
		return;
	}
	if (xtcp_win_from_space(xs, skb->truesize) <= skb->len)
		incr = 2 * xtcp_advmss(xs);
	else
		incr = __xtcp_grow_window(xs, skb->truesize, skb->len);
	if (incr)
		xs->rcv_ssthresh += min_t(s64, room, max(incr, 2 * skb->len));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_grow_window);

/*
 * Would @skb take much less memory packed (xtcp_collapse())?  Packed, data takes about
 * 253/256 of its memory (17 pages and one sk_buff); a segment whose data takes less
 * than XTCP_PACK_RATIO of it is worth it.  Not judged by the window's ratio, which
 * the last segment set: after a small one it is low, and nothing would look wasteful
 * while the queue is over the buffer.
 */
static bool xtcp_skb_wastes(const struct sk_buff *skb)
{
	return (u64)skb->len * 256 < (u64)skb->truesize * XTCP_PACK_RATIO;
}

/*
 * Copy the data of @q's segments from @skb on, as long as they follow each other in
 * sequence from @start (overlaps are read once), into new segments of whole pages, and
 * free the old ones, like tcp_collapse(): what small segments, or segments with large
 * heads, spread over much memory is packed.  A FIN, a hole, or a page that cannot be
 * had ends the run; what was copied stays valid (the reader and the out-of-order queue
 * go by sequence numbers, so a segment copied in part may stay behind its copy).
 * Return where a next run may start: the segment after a FIN, the one after a hole;
 * NULL at the queue's end or without memory.
 */
static struct sk_buff *xtcp_collapse(struct sock *sk, struct sk_buff_head *q,
				     struct sk_buff *skb, u32 start)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *resume = NULL;
	bool run = true;

	while (skb && run) {
		struct sk_buff *nskb = alloc_skb(0, GFP_ATOMIC | __GFP_NOWARN);
		int i;

		if (!nskb)
			return NULL;
		XTCP_SKB_CB(nskb)->seq = start;
		for (i = 0; i < MAX_SKB_FRAGS && skb && run; i++) {
			struct page *page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
			u32 off = 0;

			if (!page) {
				run = false;
				break;
			}
			while (skb && off < PAGE_SIZE) {
				const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
				struct sk_buff *next = skb_queue_is_last(q, skb) ? NULL : skb->next;
				u32 end = cb->seq + skb->len, n;

				if (cb->end_seq != end || xtcp_after(cb->seq, start)) {
					/* a FIN or a hole: the run ends */
					resume = cb->end_seq != end ? next : skb;
					run = false;
					break;
				}
				if (xtcp_after(end, start)) {
					n = min_t(u32, PAGE_SIZE - off, end - start);
					if (WARN_ON_ONCE(skb_copy_bits(skb, start - cb->seq,
								       page_address(page) + off,
								       n))) {
						run = false;
						break;
					}
					off += n;
					start += n;
					if (xtcp_after(end, start))
						continue;	/* the page is full */
				}
				__skb_unlink(skb, q);
				if (skb == xs->ofo_last)
					xs->ofo_last = nskb;
				__kfree_skb(skb);	/* its owner's memory goes back */
				XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVCOLLAPSED);
				skb = next;
			}
			if (!off) {
				__free_page(page);
				break;
			}
			skb_add_rx_frag(nskb, i, page, 0, off, PAGE_SIZE);
		}
		if (!nskb->len) {
			if (xs->ofo_last == nskb)
				xs->ofo_last = NULL;
			__kfree_skb(nskb);
			break;
		}
		XTCP_SKB_CB(nskb)->end_seq = start;
		if (skb)
			__skb_queue_before(q, skb, nskb);
		else
			__skb_queue_tail(q, nskb);
		skb_set_owner_r(nskb, sk);
	}
	return run ? skb : resume;
}

/*
 * Pack the queues' wasteful runs (xtcp_collapse()): the out-of-order queue's, then the
 * receive queue's from what the reader has not taken yet, like tcp_collapse_ofo_queue()
 * and the tcp_collapse() of tcp_prune_queue().  A run starts at its first segment that
 * wastes memory.
 */
static void xtcp_collapse_queues(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff_head *q = &xs->out_of_order_queue;
	struct sk_buff *skb = skb_peek(q);

	while (skb) {
		if (!xtcp_skb_wastes(skb)) {
			skb = skb_queue_is_last(q, skb) ? NULL : skb->next;
			continue;
		}
		skb = xtcp_collapse(sk, q, skb, XTCP_SKB_CB(skb)->seq);
	}
	q = &sk->sk_receive_queue;
	skb_queue_walk(q, skb) {
		if (xtcp_skb_wastes(skb)) {
			u32 start = xtcp_after(xs->copied_seq, XTCP_SKB_CB(skb)->seq) ?
				    xs->copied_seq : XTCP_SKB_CB(skb)->seq;

			xtcp_collapse(sk, q, skb, start);
			break;
		}
	}
}

/*
 * The receive memory is beyond the buffer, like tcp_prune_queue(): the buffer grows
 * (xtcp_clamp_window()); if it cannot, the queues are packed (xtcp_collapse_queues()).
 * If they still do not fit, the window promised more than the memory holds: what is
 * queued says how much of the memory is data (segments shorter than rcv_mss never
 * told), and the windows that follow are cut to that.  Return true if the memory now
 * fits the buffer.
 */
static bool xtcp_prune_queue(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int rmem;

	if (atomic_read(&sk->sk_rmem_alloc) >= READ_ONCE(sk->sk_rcvbuf))
		xtcp_clamp_window(sk);
	else if (sk_under_memory_pressure(sk))
		xtcp_adjust_rcv_ssthresh(xs);
	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
		return true;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PRUNECALLED);
	xtcp_collapse_queues(sk);
	sk_mem_reclaim(sk);
	rmem = atomic_read(&sk->sk_rmem_alloc);
	if (rmem <= READ_ONCE(sk->sk_rcvbuf))
		return true;
	xs->scaling_ratio = clamp_t(u32, div_u64((u64)(xs->rcv_nxt - xs->copied_seq) << 8, rmem),
				    1, xs->scaling_ratio);
	return false;
}

/*
 * Room for @skb in the receive buffer?  Like tcp_try_rmem_schedule(), a segment is
 * taken while the buffer is not over its size (it may take it beyond).  A full buffer
 * first grows or is packed (xtcp_prune_queue()); then out-of-order data is given up
 * (and counted) to make room for in-order data, which moves the stream on.  What was
 * ACKed is never dropped: in-order data that does not fit is not ACKed, so the peer
 * sends it again.
 */
static bool xtcp_rmem_ok(struct sock *sk, struct sk_buff *skb, bool in_order)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) &&
	    sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
	if (xtcp_prune_queue(sk) && sk_rmem_schedule(sk, skb, skb->truesize))
		return true;
	if (!in_order || skb_queue_empty(&xs->out_of_order_queue))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOPRUNED);
	skb_queue_purge(&xs->out_of_order_queue);
	xs->ofo_last = NULL;
	sk_mem_reclaim(sk);
	return atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

/*
 * Charge @size bytes to the socket whatever the limits say, like
 * sk_forced_mem_schedule(): for in-order data that found no memory while nothing waits
 * to be read, so that the stream cannot stall.  A socket charged to a memory cgroup
 * (sk_alloc() attaches a process's own) cannot be: the cgroup's forced charge,
 * mem_cgroup_charge_skmem(), is not exported, and what is released later is taken off
 * the cgroup whether charged or not.  Return true if charged.
 */
static bool xtcp_forced_mem_schedule(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc, amt;

	if (delta <= 0)
		return true;
	if (xtcp_sk_memcg(sk))
		return false;
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	xtcp_memory_allocated_add(sk, amt);
	return true;
}

/*
 * Append @from's data to @to, the receive queue's last segment, if it follows it and
 * its pages can move (skb_try_coalesce()), like tcp_try_coalesce(): the memory of
 * @from's own sk_buff and head goes back at once, so a queue of small segments takes
 * about what their data does.  @to is charged for what it gained.  Return true if
 * @from was taken; the caller frees it with kfree_skb_partial(@from, *@fragstolen).
 */
static bool xtcp_try_coalesce(struct sock *sk, struct sk_buff *to, struct sk_buff *from,
			      bool *fragstolen)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(to);
	int delta;

	*fragstolen = false;
	if (XTCP_SKB_CB(from)->seq != cb->end_seq || !skb_try_coalesce(to, from, fragstolen,
								       &delta))
		return false;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVCOALESCE);
	cb->end_seq = XTCP_SKB_CB(from)->end_seq;
	cb->flags |= XTCP_SKB_CB(from)->flags;
	return true;
}

/* In-order @skb (not yet charged) to the receive queue: appended to its last, or queued. */
static void xtcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	bool fragstolen;

	if (tail && xtcp_try_coalesce(sk, tail, skb, &fragstolen)) {
		kfree_skb_partial(skb, fragstolen);
		return;
	}
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
}

/* Out-of-order segments that now follow rcv_nxt go to the receive queue (tcp_ofo_queue). */
static void xtcp_ofo_queue(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = skb_peek(&xs->out_of_order_queue)) &&
	       !xtcp_after(XTCP_SKB_CB(skb)->seq, xs->rcv_nxt)) {
		const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		bool fin = cb->flags & TCPHDR_FIN, fragstolen;
		struct sk_buff *tail;

		__skb_unlink(skb, &xs->out_of_order_queue);
		if (skb == xs->ofo_last)
			xs->ofo_last = NULL;
		if (!xtcp_after(cb->end_seq, xs->rcv_nxt)) {
			kfree_skb(skb);
			continue;
		}
		xs->bytes_received += cb->end_seq - xs->rcv_nxt - fin;
		WRITE_ONCE(xs->rcv_nxt, cb->end_seq);
		tail = skb_peek_tail(&sk->sk_receive_queue);
		if (!skb->len)
			kfree_skb(skb);		/* a FIN alone: nothing to read */
		else if (tail && xtcp_try_coalesce(sk, tail, skb, &fragstolen))
			kfree_skb_partial(skb, fragstolen);	/* its memory was charged */
		else
			__skb_queue_tail(&sk->sk_receive_queue, skb);
		if (fin) {
			xtcp_fin(sk);		/* and nothing follows it */
			break;
		}
	}
}

/**
 * xtcp_fin - the peer's FIN is in order: it sends no more, like tcp_fin()
 * @sk: the socket, locked; rcv_nxt already counts the FIN
 *
 * RFC 9293 3.10.7.4 eighth step: ESTABLISHED -> CLOSE_WAIT, FIN_WAIT1 -> CLOSING (a
 * simultaneous close: our FIN is not ACKed yet), FIN_WAIT2 -> TIME_WAIT.  The FIN is
 * ACKed at once; the reader gets 0 once the data before it is read.
 *
 * Context: softirq or process (backlog), socket locked.
 */
void xtcp_fin(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	skb_queue_purge(&xs->out_of_order_queue);	/* nothing can lie beyond the FIN */
	xs->ofo_last = NULL;
	sk_mem_reclaim(sk);
	xtcp_send_ack(sk);

	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		xtcp_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		xtcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		xtcp_time_wait(sk);	/* closes @sk and wakes whoever waits */
		return;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD,
			      sk->sk_shutdown == SHUTDOWN_MASK ? POLL_HUP : POLL_IN);
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_fin);

/**
 * xtcp_rcv_rtt_update - a round-trip sample for receive autotuning, like
 * tcp_rcv_rtt_update()
 * @xs: the socket
 * @sample_us: the sample, microseconds
 * @win_dep: it is a window-long sample (no timestamps): only a new minimum counts
 *
 * A smaller sample is taken at once; with timestamps a larger one moves the estimate
 * by an eighth.  rcv_rtt_us keeps eight times the estimate.
 *
 * Context: any, socket locked.
 */
void xtcp_rcv_rtt_update(struct xtcp_sock *xs, u32 sample_us, bool win_dep)
{
	u32 old = xs->rcv_rtt_us, m;

	sample_us = min(sample_us, U32_MAX >> 3);	/* an idle hour is no round trip */
	m = sample_us << 3;

	if (!old || m < old)
		xs->rcv_rtt_us = m;
	else if (!win_dep)
		xs->rcv_rtt_us = old - (old >> 3) + sample_us;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_rtt_update);

/*
 * In-order data arrived: the receiver's round-trip samples, like tcp_rcv_rtt_measure()
 * (the time a window's worth of data takes to arrive, a minimum) and
 * tcp_rcv_rtt_measure_ts() (our timestamp echoed on a full-sized segment).
 */
static void xtcp_rcv_rtt_measure(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us();

	if (xs->rcv_rtt_time && !xtcp_before(xs->rcv_nxt, xs->rcv_rtt_seq))
		xtcp_rcv_rtt_update(xs, max(now - xs->rcv_rtt_time, 1U), true);
	if (!xs->rcv_rtt_time || !xtcp_before(xs->rcv_nxt, xs->rcv_rtt_seq)) {
		xs->rcv_rtt_seq = xs->rcv_nxt + xs->rcv_wnd;
		xs->rcv_rtt_time = now ?: 1;
	}
	if (xs->tstamp_ok && xs->rx_opt.saw_tstamp &&
	    xs->rx_opt.rcv_tsecr != xs->rcv_rtt_last_tsecr) {
		u32 delta = xtcp_clock_ms() + xs->tsoffset - xs->rx_opt.rcv_tsecr;

		xs->rcv_rtt_last_tsecr = xs->rx_opt.rcv_tsecr;
		if (skb->len >= xs->rcv_mss && delta && delta < INT_MAX / USEC_PER_MSEC)
			xtcp_rcv_rtt_update(xs, delta * USEC_PER_MSEC, false);
	}
}

/**
 * xtcp_rcv_space_adjust - the reader took data: grow the receive buffer to what the
 * connection moves, like tcp_rcv_space_adjust() (receive-buffer autotuning)
 * @sk: the socket, locked
 *
 * Once per receiver round trip (rcv_rtt_us), the bytes the reader took in it are
 * compared with the most it took in one before (rcvq_space).  If more, the buffer
 * becomes what a
 * window of twice them plus 16 segments takes, plus twice the growth again for a
 * sender still in slow start (the ACKs sent now steer the round trip after next), at
 * most net.xtcp.rmem[2]; the window follows the buffer.  SO_RCVBUF turns it off.
 *
 * Context: process, socket locked.
 */
void xtcp_rcv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us();
	s32 copied;

	if (!xs->rcv_rtt_us || now - xs->rcvq_time < xs->rcv_rtt_us >> 3)
		return;
	/* what the reader took in that time, less what still waits in the queue */
	copied = (xs->copied_seq - xs->rcvq_seq) - (xs->rcv_nxt - xs->copied_seq);
	if (copied > (s32)xs->rcvq_space) {
		if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) && xs->rcvq_space) {
			u64 rcvwin = ((u64)copied << 1) + 16 * xtcp_advmss(xs);
			u64 grow = div_u64(rcvwin * (copied - xs->rcvq_space), xs->rcvq_space);
			int rcvbuf;

			rcvwin += grow << 1;
			rcvbuf = min_t(u64, xtcp_space_from_win(xs, min_t(u64, rcvwin, U32_MAX)),
				       READ_ONCE(xtcp_sysctl_rmem[2]));
			if (rcvbuf > sk->sk_rcvbuf)
				WRITE_ONCE(sk->sk_rcvbuf, rcvbuf);
		}
		xs->rcvq_space = copied;
	}
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time = now;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_space_adjust);

/**
 * xtcp_dsack_set - data in [@seq, @end_seq) came twice: the next ACK reports it in a
 * D-SACK block (RFC 2883), like tcp_dsack_set(), so that the sender learns that its
 * retransmission (a tail-loss probe, a timeout's) was not needed
 * @xs: the socket
 * @seq: the first sequence number received again
 * @end_seq: the end of it
 *
 * Only on connections with SACK; a later duplicate replaces an unsent report.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_dsack_set(struct xtcp_sock *xs, u32 seq, u32 end_seq)
{
	if (!xs->rx_opt.sack_ok || !xtcp_after(end_seq, seq))
		return;
	xs->dsack.start = seq;
	xs->dsack.end = end_seq;
	xs->dsack_pending = 1;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_dsack_set);

/*
 * The ECN field of the packet a data segment came in (RFC 3168 6.1.3,
 * __tcp_ecn_check_ce()): a CE mark makes every segment echo ECE until the peer's CWR,
 * and the next two are ACKed at once (the sender may have a small window); ECT(0|1)
 * says the path carries ECN; Not-ECT after that is most likely a retransmission, ACKed
 * quickly too.
 */
static void xtcp_ecn_check_ce(struct sock *sk, const struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!(xs->ecn_flags & XTCP_ECN_OK))
		return;
	switch (xtcp_skb_dsfield(skb) & INET_ECN_MASK) {
	case INET_ECN_NOT_ECT:
		if (xs->ecn_flags & XTCP_ECN_SEEN)
			xs->quick_acks = max_t(u8, xs->quick_acks, 2);
		break;
	case INET_ECN_CE:
		if (!(xs->ecn_flags & XTCP_ECN_DEMAND_CWR)) {
			xs->quick_acks = max_t(u8, xs->quick_acks, 2);
			xs->ecn_flags |= XTCP_ECN_DEMAND_CWR;
		}
		fallthrough;
	default:
		xs->ecn_flags |= XTCP_ECN_SEEN;
		break;
	}
}

/*
 * RFC 9293 3.10.7.4 seventh step, like tcp_data_queue(): the segment's data.  In order:
 * to the receive queue (then whatever it joins from the out-of-order queue), and the
 * reader is woken; a FIN there ends the stream (xtcp_fin()).  Out of order: kept in
 * the out-of-order queue, FIN included, ACKed at once with SACK blocks.  Duplicates are
 * trimmed or dropped and ACKed at once.  In-order data that finds no memory is
 * dropped only while the reader has something to read (reading makes room), and is
 * charged anyway when it has not; either way the ACK offers a zero window, as Linux's
 * does.  Return true if @skb was queued (the caller must not free it).
 */
static bool xtcp_data_queue(struct sock *sk, struct sk_buff *skb, bool *ack_now)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = cb->flags & TCPHDR_FIN;
	bool had_ofo, queued;

	__skb_pull(skb, tcp_hdr(skb)->doff * 4);
	cb->end_seq = cb->seq + skb->len + fin;
	if (cb->end_seq == cb->seq)
		return false;
	/* queued for long maybe: no route or IPsec state is kept (tcp_cleanup_skb()) */
	skb_dst_drop(skb);
	secpath_reset(skb);

	if (!xtcp_after(cb->end_seq, xs->rcv_nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPDATA);
		xtcp_dsack_set(xs, cb->seq, cb->end_seq);
		xs->quick_acks = XTCP_QUICKACKS;
		*ack_now = true;
		return false;
	}
	/* a FIN alone at rcv_nxt is taken even by a zero window (tcp_data_queue()) */
	if (!xtcp_before(cb->seq, xs->rcv_nxt + xtcp_receive_window(xs)) &&
	    !(cb->seq == xs->rcv_nxt && !skb->len)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BEYONDWINDOW);
		*ack_now = true;
		return false;
	}
	if (skb->len >= xs->rcv_mss) {
		/*
		 * A full-sized segment tells how much of the memory a segment takes is data
		 * (tcp_measure_rcv_mss()); short ones, rarer and worse, would shrink every
		 * window after them.
		 */
		xs->scaling_ratio = clamp_t(u32, (skb->len << 8) / skb->truesize, 1, 255);
		xs->rcv_mss = min_t(u32, skb->len, xs->advmss ?: skb->len);
	}
	if (!xtcp_after(cb->seq, xs->rcv_nxt)) {
		if (xtcp_before(cb->seq, xs->rcv_nxt))	/* its head came before */
			xtcp_dsack_set(xs, cb->seq, xs->rcv_nxt);
		if (skb->len && !xtcp_rmem_ok(sk, skb, true)) {
			/* the ACK now offers a zero window */
			xs->ack_nomem = 1;
			*ack_now = true;
			/* with nothing to read, no reading would free memory: it is taken */
			if (!skb_queue_empty(&sk->sk_receive_queue) ||
			    !xtcp_forced_mem_schedule(sk, skb->truesize)) {
				XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVDROPPED);
				xs->rcv_dropped = 1;	/* reading makes room: tell the peer then */
				if (!sock_flag(sk, SOCK_DEAD))
					sk->sk_data_ready(sk);
				return false;
			}
		}
		xs->bytes_received += cb->end_seq - xs->rcv_nxt - fin;
		WRITE_ONCE(xs->rcv_nxt, cb->end_seq);
		queued = skb->len;
		if (queued) {
			xtcp_ecn_check_ce(sk, skb);
			xtcp_rcv_rtt_measure(sk, skb);
			if (skb->len >= 128)
				xtcp_grow_window(sk, skb);
			xtcp_queue_rcv(sk, skb);
		}
		/*
		 * From here on @skb belongs to the receive queue (or was freed, its data
		 * appended to the queue's last segment): a FIN that ends an orphan
		 * (FIN_WAIT2 -> TIME_WAIT) destroys the socket and frees it with the queue.
		 */
		had_ofo = !skb_queue_empty(&xs->out_of_order_queue);
		if (fin) {
			xtcp_fin(sk);
		} else if (had_ofo) {
			xtcp_ofo_queue(sk);
			/* RFC 5681 4.2: a segment that fills a hole; a FIN it let in was ACKed */
			*ack_now = !sock_flag(sk, SOCK_DONE);
		}
		if (queued && !sock_flag(sk, SOCK_DEAD))
			sk->sk_data_ready(sk);
		return queued;
	}

	if (!xtcp_rmem_ok(sk, skb, false)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVDROPPED);
		*ack_now = true;
		return false;
	}
	skb_set_owner_r(skb, sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOQUEUE);
	xtcp_ecn_check_ce(sk, skb);
	*ack_now = true;	/* RFC 5681 4.2: out of order, a duplicate ACK at once */
	xs->quick_acks = XTCP_QUICKACKS;
	if (!xtcp_ofo_insert(&xs->out_of_order_queue, skb)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPDATA);
		xtcp_dsack_set(xs, cb->seq, cb->end_seq);
		return false;
	}
	xs->ofo_last = skb;
	/* without SACK the window stays: the sender's duplicate ACKs must come */
	if (xs->rx_opt.sack_ok && skb->len >= 128)
		xtcp_grow_window(sk, skb);
	return true;
}

/*
 * ACK now or later, like __tcp_ack_snd_check().  Out of order: a duplicate ACK at once
 * (RFC 5681 4.2).  In quick-ack mode, for a duplicate, a filled hole or a window to
 * reopen: now.  Once more than one full segment is unacknowledged (RFC 9293 3.8.6.3),
 * now too - if the window's right edge moves at least as far as the last ACK put it,
 * or the reader waits for SO_RCVLOWAT bytes; otherwise the reader's xtcp_cleanup_rbuf()
 * or the delayed-ACK timer sends it, as in Linux, which so ACKs less often a reader
 * that lags.  Found while the owner processes the backlog (net.xtcp.backlog_ack_defer,
 * tcp_backlog_ack_defer), the ACK waits for xtcp_release_cb(): one ACK for the whole
 * backlog.  Otherwise delay.
 */
static void xtcp_ack_snd_check(struct sock *sk, bool ack_now)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (sk->sk_state == TCP_CLOSE)
		return;		/* it entered TIME_WAIT or was reset on the way */
	if (!ack_now && xs->rcv_nxt == xs->rcv_wup)
		return;		/* a data segment we just sent carried the ACK */
	if (ack_now && !skb_queue_empty(&xs->out_of_order_queue)) {
		xtcp_send_ack(sk);
		return;
	}
	if (ack_now || xs->quick_acks ||
	    (xs->rcv_nxt - xs->rcv_wup > xs->rcv_mss &&
	     (xs->rcv_nxt - xs->copied_seq < READ_ONCE(sk->sk_rcvlowat) ||
	      xtcp_window_now(sk) >= xs->rcv_wnd))) {
		if (sock_owned_by_user_nocheck(sk) &&
		    READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_backlog_ack_defer)) {
			xs->ack_deferred = 1;
			return;
		}
		xtcp_send_ack(sk);
	} else {
		xtcp_send_delayed_ack(sk);
	}
}

/*
 * The options of a segment on a synchronized connection: timestamps and SACK blocks.
 * What only a SYN may carry (MSS, window scale, SACK-permitted) was fixed by the
 * handshake and is not taken from later segments (tcp_parse_options(estab)).
 */
static void xtcp_rx_options(struct xtcp_sock *xs, const struct tcphdr *th)
{
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	xs->rx_opt.saw_tstamp = opt.saw_tstamp;
	if (opt.saw_tstamp) {
		xs->rx_opt.rcv_tsval = opt.rcv_tsval;
		xs->rx_opt.rcv_tsecr = opt.rcv_tsecr;
	}
	xs->rx_opt.num_sacks = opt.num_sacks;
	memcpy(xs->rx_opt.sacks, opt.sacks, opt.num_sacks * sizeof(opt.sacks[0]));
}

/*
 * Does a RST at @seq reset the connection?  At rcv_nxt, or just below it once the
 * peer's FIN came: some stacks reset with their FIN's sequence number, like
 * tcp_reset_check().
 */
static bool xtcp_reset_check(const struct sock *sk, u32 seq)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return seq == xs->rcv_nxt ||
	       (seq == xs->rcv_nxt - 1 &&
		(1 << sk->sk_state) & (TCPF_CLOSE_WAIT | TCPF_LAST_ACK | TCPF_CLOSING));
}

/*
 * RFC 7323 5.3 (PAWS), like tcp_validate_incoming()'s: a segment with a timestamp
 * older than the last one is stale, unless that one is XTCP_PAWS_WRAP old
 * (xtcp_paws_check()); a RST is not held to it.
 */
static bool xtcp_paws_discard(const struct xtcp_sock *xs, const struct tcphdr *th)
{
	return xs->tstamp_ok && xs->rx_opt.saw_tstamp && !th->rst &&
	       !xtcp_paws_check(xs->ts_recent, xs->ts_recent_stamp, xs->rx_opt.rcv_tsval,
				XTCP_PAWS_WINDOW);
}

/**
 * xtcp_rcv_state_process - a segment for a socket in any state, like
 * tcp_rcv_state_process()
 * @sk: the socket, locked
 * @skb: the segment, validated, with XTCP_SKB_CB filled in; not freed here unless
 *	this returns 2 (the socket took it)
 *
 * LISTEN: a SYN creates a request (xtcp_conn_request()).  SYN_SENT: see above.  Others:
 * check the sequence number (and PAWS), then RST, SYN and ACK in that order; an
 * acceptable ACK moves SYN_RECV to ESTABLISHED, and the ACK of our FIN moves
 * FIN_WAIT1 to FIN_WAIT2, CLOSING to TIME_WAIT and LAST_ACK to CLOSE; then the data
 * and the FIN.  Data after the FIN is ignored; new data for a socket the user closed
 * aborts the connection (RFC 9293 3.10.7.4 seventh step, RFC 1122 4.2.2.13).
 *
 * Context: softirq or process (backlog), socket locked.
 * Return: 1 if the caller must answer @skb with a RST, 2 if @skb was queued and must
 * not be freed, 0 otherwise.
 */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool occupies = cb->end_seq != cb->seq;	/* data or FIN: it takes sequence space */
	bool ack_now = false, queued = false, fin_acked, paws;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		return 0;
	case TCP_LISTEN:
		if (th->ack)
			return 1;
		if (th->rst || !th->syn || th->fin)
			return 0;
		xtcp_conn_request(sk, skb);
		return 0;
	case TCP_SYN_SENT:
		return xtcp_rcv_synsent_state_process(sk, skb);
	}

	/* a super-segment (GRO, or one the backlog appended to) counts its segments */
	xs->segs_in += max_t(u16, skb_shinfo(skb)->gso_segs, 1);
	xtcp_rx_options(xs, th);
	paws = xtcp_paws_discard(xs, th);
	if (paws)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PAWSESTAB);
	if (!xtcp_sequence_ok(xs, cb->seq, cb->end_seq) || paws) {
		if (th->rst) {
			if (xtcp_reset_check(sk, cb->seq))
				xtcp_reset(sk);
			return 0;
		}
		if (th->syn)
			goto syn_challenge;
		if (cb->end_seq != cb->seq && xtcp_before(cb->seq, xs->rcv_nxt)) {
			/* old data again: our ACK was lost; ACK at once from now on */
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPDATA);
			xtcp_dsack_set(xs, cb->seq, xtcp_after(cb->end_seq, xs->rcv_nxt) ?
					   xs->rcv_nxt : cb->end_seq);
			xs->quick_acks = XTCP_QUICKACKS;
		} else {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BEYONDWINDOW);
		}
		/* RFC 9293: answer with an ACK - not to each of an ACK storm, though */
		if (!xtcp_oow_rate_limited(sock_net(sk), skb,
					   xtcp_sequence_ok(xs, cb->seq, cb->end_seq) ?
					   XTCP_MIB_ACKSKIPPEDPAWS : XTCP_MIB_ACKSKIPPEDSEQ,
					   &xs->last_oow_ack_time))
			xtcp_send_ack(sk);
		return 0;
	}
	xs->rcv_tstamp = tcp_jiffies32;		/* the peer is alive: keepalive waits */
	if (th->rst) {
		/* RFC 5961 3.2: only an exact RST resets; others in the window are challenged */
		if (xtcp_reset_check(sk, cb->seq))
			xtcp_reset(sk);
		else if (xtcp_before(cb->seq, xs->rcv_nxt + xtcp_receive_window(xs)))
			xtcp_send_challenge_ack(sk);
		return 0;
	}
	/* RFC 7323 4.3, like tcp_replace_ts_recent(): never back in time */
	if (xs->rx_opt.saw_tstamp && !xtcp_after(cb->seq, xs->rcv_wup) &&
	    xtcp_paws_check(xs->ts_recent, xs->ts_recent_stamp, xs->rx_opt.rcv_tsval, 0)) {
		xs->ts_recent = xs->rx_opt.rcv_tsval;
		xs->ts_recent_stamp = ktime_get_seconds();
	}
	if (th->syn) {
syn_challenge:
		/* RFC 5961 4: a SYN, in the window or not, gets a challenge ACK */
		xtcp_send_challenge_ack(sk);
		return 0;
	}
	if (!th->ack)
		return 0;

	if (sk->sk_state == TCP_SYN_RECV) {
		if (!xtcp_between(xs->snd_una, cb->ack_seq, xs->snd_nxt))
			return 1;
		WRITE_ONCE(xs->snd_una, cb->ack_seq);
		xs->snd_wnd = ntohs(th->window) << xs->rx_opt.snd_wscale;
		xtcp_clear_xmit_timers(sk);
		xtcp_init_transfer(sk);
		xs->snd_wl1 = cb->seq;
		xtcp_set_state(sk, TCP_ESTABLISHED);
		sk->sk_state_change(sk);
		/* shutdown(SHUT_WR) during a simultaneous open: the FIN goes now */
		if ((sk->sk_shutdown & SEND_SHUTDOWN) && xtcp_close_state(sk))
			xtcp_send_fin(sk);
	}
	if (!xtcp_ack(sk, skb))
		return 0;

	/* the ACK of our FIN (write_seq counts it): RFC 9293 3.10.7.4 fifth step */
	fin_acked = xs->snd_una == xs->write_seq;
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		if (!fin_acked)
			break;
		xtcp_set_state(sk, TCP_FIN_WAIT2);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			break;
		}
		/* an orphan waits net.xtcp.fin_timeout for the peer's FIN */
		if (xtcp_after(cb->end_seq - th->fin, xs->rcv_nxt)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONDATA);
			xtcp_done(sk);
			return 1;
		}
		xtcp_reset_keepalive_timer(sk, xtcp_fin_timeout(sk));
		break;
	case TCP_CLOSING:
		if (fin_acked) {
			xtcp_time_wait(sk);
			return 0;
		}
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			xtcp_done(sk);
			return 0;
		}
		break;
	}

	switch (sk->sk_state) {
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (!xtcp_before(cb->seq, xs->rcv_nxt))
			goto out;	/* beyond the peer's FIN: ignored */
		fallthrough;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/* close() said nobody reads: new data is lost, tell the peer (RST) */
		if ((sk->sk_shutdown & RCV_SHUTDOWN) && cb->end_seq != cb->seq &&
		    xtcp_after(cb->end_seq - th->fin, xs->rcv_nxt)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONDATA);
			xtcp_reset(sk);
			return 1;
		}
		break;
	}
	/*
	 * The peer reduced its window for the CE marks we echoed: no more ECE; data that
	 * says so is ACKed at once, its window may be small (tcp_ecn_accept_cwr(), which
	 * takes CWR on pure ACKs too)
	 */
	if (th->cwr) {
		xs->ecn_flags &= ~XTCP_ECN_DEMAND_CWR;
		if (occupies)
			ack_now = true;
	}
	/* @skb may be freed by then: a FIN can end the connection (xtcp_data_queue()) */
	queued = xtcp_data_queue(sk, skb, &ack_now);
out:
	if (sk->sk_state == TCP_CLOSE)
		return queued ? 2 : 0;
	xtcp_write_xmit(sk, xs->nonagle);
	xtcp_check_space(sk);		/* as tcp_data_snd_check() */
	if (occupies || ack_now)
		xtcp_ack_snd_check(sk, ack_now);
	return queued ? 2 : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_state_process);

/* What close() or shutdown(SHUT_WR) moves each state to, and whether a FIN goes. */
#define XTCP_ACTION_FIN	0x10	/* above every state number */
static const unsigned char xtcp_new_state[TCP_MAX_STATES] = {
	[0]			= TCP_CLOSE,
	[TCP_ESTABLISHED]	= TCP_FIN_WAIT1 | XTCP_ACTION_FIN,
	[TCP_SYN_SENT]		= TCP_CLOSE,
	[TCP_SYN_RECV]		= TCP_CLOSE,	/* a simultaneous open: reset (close()) */
	[TCP_FIN_WAIT1]		= TCP_FIN_WAIT1,
	[TCP_FIN_WAIT2]		= TCP_FIN_WAIT2,
	[TCP_TIME_WAIT]		= TCP_CLOSE,
	[TCP_CLOSE]		= TCP_CLOSE,
	[TCP_CLOSE_WAIT]	= TCP_LAST_ACK | XTCP_ACTION_FIN,
	[TCP_LAST_ACK]		= TCP_LAST_ACK,
	[TCP_LISTEN]		= TCP_CLOSE,
	[TCP_CLOSING]		= TCP_CLOSING,
	[TCP_NEW_SYN_RECV]	= TCP_CLOSE,
};

/**
 * xtcp_close_state - our side is done sending: the next state, like tcp_close_state()
 * @sk: the socket, locked
 *
 * Context: process, socket locked.
 * Return: non-zero if a FIN must be sent (xtcp_send_fin()).
 */
int xtcp_close_state(struct sock *sk)
{
	int next = xtcp_new_state[sk->sk_state];

	xtcp_set_state(sk, next & TCP_STATE_MASK);
	return next & XTCP_ACTION_FIN;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_close_state);

/**
 * xtcp_conn_request - a SYN arrived at a listener, like tcp_conn_request()
 * @sk: the listener, locked
 * @skb: the SYN
 *
 * A request minisocket is created with a secure ISN and the options of the SYN, put in
 * the established hash, and answered with a SYN-ACK; its timer re-sends the SYN-ACK
 * until the ACK comes.  If the accept queue is full the SYN is dropped.  If the
 * half-open queue is full (or net.xtcp.syncookies is 2) the SYN-ACK carries a SYN
 * cookie instead and nothing is kept; with net.xtcp.syncookies 0 the SYN is dropped.
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: 0.
 */
int xtcp_conn_request(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	const struct tcphdr *th = tcp_hdr(skb);
	int syncookies = READ_ONCE(xn->sysctl_syncookies);
	bool v6 = xtcp_skb_v6(skb);
	struct xtcp_options_received opt = {};
	struct xtcp_request_sock *req;
	bool want_cookie = syncookies == 2;

	if (v6 ? !xtcp_v6_unicast_destination(skb) :
	    skb_rtable(skb) && skb_rtable(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))
		goto drop;
	if (v6 && ipv6_addr_v4mapped(&ipv6_hdr(skb)->saddr)) {
		/* an IPv6 packet from a v4-mapped address is forged (tcp_v6_conn_request()) */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_INERRS);
		return 0;
	}
	if (sk_acceptq_is_full(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	if (READ_ONCE(xtcp_sk(sk)->syn_qlen) >=
	    min_t(u32, READ_ONCE(sk->sk_max_ack_backlog), READ_ONCE(xn->sysctl_max_syn_backlog))) {
		if (!syncookies)
			goto drop;
		want_cookie = true;
	}

	req = xtcp_reqsk_alloc(sk, skb);
	if (!req)
		goto drop;
	xtcp_parse_options(th, th->doff * 4, &opt);
	req->rcv_isn = XTCP_SKB_CB(skb)->seq;
	/* a SYN that ended a TIME_WAIT: start beyond the old incarnation (RFC 1122) */
	req->snt_isn = XTCP_SKB_CB(skb)->tw_isn ?: xtcp_skb_secure_isn(skb);
	req->rcv_wnd = xtcp_rcv_wnd_init(sk);
	req->mss = opt.mss_clamp;
	req->wscale_ok = opt.wscale_ok;
	req->snd_wscale = opt.snd_wscale;
	req->rcv_wscale = opt.wscale_ok ? xtcp_select_wscale(xtcp_max_rcv_space(sk)) : 0;
	req->sack_ok = opt.sack_ok;
	req->tstamp_ok = opt.saw_tstamp;
	req->ts_recent = opt.rcv_tsval;
	/*
	 * ECN (RFC 3168 6.1.1, tcp_ecn_create_request()): the SYN asks with ECE and CWR
	 * and is not ECT itself (a SYN marked so comes from a path that sets the bits on
	 * everything), and net.xtcp.ecn is not 0
	 */
	req->ecn_ok = th->ece && th->cwr && READ_ONCE(xn->sysctl_ecn) &&
		      INET_ECN_is_not_ect(xtcp_skb_dsfield(skb));

	if (want_cookie) {
		int mssind = xtcp_cookie_mssind(opt.mss_clamp, v6);
		u32 count = xtcp_cookie_count();

		/* the cookie carries the MSS only: no window scale, SACK, timestamps or ECN */
		req->mss = xtcp_cookie_mss(mssind, v6);
		req->wscale_ok = 0;
		req->rcv_wscale = 0;
		req->sack_ok = 0;
		req->tstamp_ok = 0;
		req->ecn_ok = 0;
		if (v6)
			req->snt_isn = xtcp_cookie6_make(&ipv6_hdr(skb)->daddr,
							 &ipv6_hdr(skb)->saddr, th->dest,
							 th->source, req->rcv_isn, mssind, count);
		else
			req->snt_isn = xtcp_cookie_make(ip_hdr(skb)->daddr, ip_hdr(skb)->saddr,
							th->dest, th->source, req->rcv_isn,
							mssind, count);
		/* cookies are checked from now on (tcp_synq_overflow()) */
		WRITE_ONCE(xtcp_sk(sk)->synq_overflow_stamp, tcp_jiffies32 ?: 1);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESSENT);
	}
	if (!req->wscale_ok)	/* an unscaled window field says at most 65535 */
		req->rcv_wnd = min_t(u32, req->rcv_wnd, U16_MAX);
	if (xtcp_req_init_mss(sk, req)) {
		xtcp_reqsk_put(req);
		goto drop;
	}
	/* complete before the hash shows it to lockless readers (xtcp_check_req()) */
	if (!want_cookie)
		xtcp_reqsk_queue_hash_add(sk, req);
	xtcp_send_synack(sk, req);
	xtcp_reqsk_put(req);
	return 0;
drop:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_conn_request);
