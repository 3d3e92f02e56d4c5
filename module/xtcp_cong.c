// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: congestion control, like net/ipv4/tcp_cong.c.
 *
 * The window arithmetic common to every algorithm (slow start, additive increase, what
 * happens on entering fast recovery or after a timeout) is here; what differs from one
 * algorithm to another sits behind struct xtcp_cong_ops.  Reno (RFC 5681) is the one
 * algorithm today; a second one (CUBIC, say) is another xtcp_cong_ops in the table
 * below, chosen with setsockopt(TCP_CONGESTION).
 *
 * cwnd and ssthresh count segments, as in Linux.  Everything here runs with the socket
 * locked (softirq, timer or process context).
 */
#include "xtcp.h"

/**
 * xtcp_slow_start - RFC 5681 3.1 slow start: cwnd grows by one per ACKed segment
 * @xs: the socket
 * @acked: segments newly ACKed
 *
 * Return: the ACKed segments left over once cwnd reached ssthresh (for congestion
 * avoidance to use), like tcp_slow_start().
 */
u32 xtcp_slow_start(struct xtcp_sock *xs, u32 acked)
{
	u32 cwnd = min(xs->snd_cwnd + acked, xs->snd_ssthresh);

	acked -= cwnd - xs->snd_cwnd;
	xs->snd_cwnd = cwnd;
	return acked;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_slow_start);

/**
 * xtcp_cong_avoid_ai - additive increase: one segment per @w ACKed segments
 * @xs: the socket
 * @w: segments per increase (cwnd, for Reno: one segment per round trip)
 * @acked: segments newly ACKed
 */
void xtcp_cong_avoid_ai(struct xtcp_sock *xs, u32 w, u32 acked)
{
	if (xs->snd_cwnd_cnt >= w) {
		xs->snd_cwnd_cnt = 0;
		xs->snd_cwnd++;
	}
	xs->snd_cwnd_cnt += acked;
	if (xs->snd_cwnd_cnt >= w) {
		xs->snd_cwnd += xs->snd_cwnd_cnt / w;
		xs->snd_cwnd_cnt %= w;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cong_avoid_ai);

/* Reno: halve on loss (RFC 5681 eq. 4, in segments: at least 2). */
static u32 xtcp_reno_ssthresh(struct sock *sk)
{
	return max(xtcp_sk(sk)->snd_cwnd >> 1U, 2U);
}

/* Reno: slow start below ssthresh, then one segment per round trip. */
static void xtcp_reno_cong_avoid(struct sock *sk, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_is_cwnd_limited(xs))
		return;		/* the application, not the network, set the pace */
	if (xs->snd_cwnd < xs->snd_ssthresh) {
		acked = xtcp_slow_start(xs, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(xs, xs->snd_cwnd, acked);
}

const struct xtcp_cong_ops xtcp_reno = {
	.name		= "reno",
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= xtcp_reno_cong_avoid,
};
EXPORT_SYMBOL_IF_KUNIT(xtcp_reno);

static const struct xtcp_cong_ops *const xtcp_cong_table[] = {
	&xtcp_reno,
};

/**
 * xtcp_cong_find - the algorithm called @name
 * @name: as TCP_CONGESTION gives it
 *
 * Context: any.
 * Return: the algorithm, or NULL if xtcp has none of that name.
 */
const struct xtcp_cong_ops *xtcp_cong_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_cong_table); i++)
		if (!strcmp(xtcp_cong_table[i]->name, name))
			return xtcp_cong_table[i];
	return NULL;
}

/**
 * xtcp_cong_init - a connection's congestion state at the start of data transfer
 * @sk: the socket, locked
 *
 * Initial window of RFC 6928 (10 segments), ssthresh "infinite" (RFC 5681 3.1).
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_cong_init(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->ca_ops)
		xs->ca_ops = &xtcp_reno;
	xs->snd_cwnd = XTCP_INIT_CWND;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	xs->snd_cwnd_cnt = 0;
	xs->ca_state = XTCP_CA_OPEN;
	memset(xs->ca_priv, 0, sizeof(xs->ca_priv));
	if (xs->ca_ops->init)
		xs->ca_ops->init(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cong_init);

/**
 * xtcp_enter_recovery - duplicate ACKs (or SACKs) say a segment was lost: fast
 * retransmit and fast recovery (RFC 5681 3.2, RFC 6582, RFC 6675)
 * @sk: the socket, locked
 *
 * ssthresh from the algorithm; cwnd drops to it at once (the "pipe" accounting of
 * xtcp_packets_in_flight() lets new segments out as duplicate ACKs arrive, which is
 * what NewReno's window inflation does).  Recovery lasts until @high_seq is ACKed.
 * The caller marks what is lost; xtcp_write_xmit() retransmits it.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_ssthresh = xs->ca_ops->ssthresh(sk);
	xs->snd_cwnd = xs->snd_ssthresh;
	xs->snd_cwnd_cnt = 0;
	xs->high_seq = xs->snd_nxt;
	xs->ca_state = XTCP_CA_RECOVERY;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_enter_recovery);

/**
 * xtcp_enter_loss - the retransmission timer expired (RFC 5681 3.1, RFC 6298 5.5)
 * @sk: the socket, locked
 *
 * ssthresh from the algorithm - unless the loss it answers was already answered (a
 * timeout during recovery, or repeating one), as tcp_enter_loss() decides - cwnd one
 * segment, and every segment in flight not SACKed is taken for lost, as
 * tcp_timeout_mark_lost() does: what was SACKed is not sent again.  Unless the first
 * one is SACKed: the receiver then dropped what it SACKed (reneging, RFC 2018 8), and
 * every segment is taken for lost.
 *
 * Context: timer, socket locked.
 */
void xtcp_enter_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);
	bool reneg = skb && (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED);

	if (xs->ca_state == XTCP_CA_OPEN || !xtcp_after(xs->high_seq, xs->snd_una) ||
	    (xs->ca_state == XTCP_CA_LOSS && !xs->backoff))
		xs->snd_ssthresh = xs->ca_ops->ssthresh(sk);
	xs->snd_cwnd = 1;
	xs->snd_cwnd_cnt = 0;
	xs->high_seq = xs->snd_nxt;
	xs->tlp_high_seq = 0;	/* the RTO ends a probe's episode */
	xs->ca_state = XTCP_CA_LOSS;
	xs->sacked_out = 0;
	xs->retrans_out = 0;
	xs->lost_out = 0;
	xs->dup_acks = 0;
	skb_rbtree_walk(skb, &xs->rtx_queue) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (reneg)
			cb->sacked &= ~XTCP_SKB_SACKED;
		if (cb->sacked & XTCP_SKB_SACKED) {
			xs->sacked_out += xtcp_skb_pcount(skb);
			continue;
		}
		cb->sacked = (cb->sacked & XTCP_SKB_EVER_RETRANS) | XTCP_SKB_LOST;
		xs->lost_out += xtcp_skb_pcount(skb);
		list_del_init(xtcp_skb_tsorted(skb));
	}
	/* retransmission starts from the head; after reneging the SACKs are forgotten */
	xs->retransmit_skb_hint = NULL;
	if (reneg)
		memset(xs->recv_sack_cache, 0, sizeof(xs->recv_sack_cache));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_enter_loss);
