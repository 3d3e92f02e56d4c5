// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: RACK loss detection (RFC 8985), like net/ipv4/tcp_recovery.c.
 *
 * Duplicate-ACK counting takes a segment for lost once a few segments above it were
 * SACKed, so a path that reorders (two CPUs' receive backlogs, a bonded link) makes it
 * retransmit what was only late.  RACK decides by time instead: a segment is lost once
 * a segment sent after it was delivered (ACKed or SACKed) and more than that one's
 * round trip plus a reordering window has passed since it was sent.  The reordering
 * window is a quarter of the smallest RTT seen (at most SRTT); it is zero - Linux's
 * "be aggressive" rule - while no reordering was seen and either recovery has begun
 * or DupThresh segments are SACKed.  A segment still inside the window is looked at
 * again when the reordering timer fires.
 *
 * Used on connections with SACK; without it NewReno's duplicate ACKs decide.  Every
 * function here runs with the socket locked (softirq, process or timer context).
 */
#include "xtcp.h"

/* Was the segment sent at @t1 (ending at @seq1) sent after the one at @t2 (@seq2)? */
static bool xtcp_rack_sent_after(u32 t1, u32 t2, u32 seq1, u32 seq2)
{
	return (s32)(t1 - t2) > 0 || (t1 == t2 && xtcp_after(seq1, seq2));
}

/**
 * xtcp_rack_advance - a segment was delivered (ACKed or SACKed): the newest delivered
 * segment and its round trip, like tcp_rack_advance()
 * @xs: the socket
 * @sacked: the segment's scoreboard bits (XTCP_SKB_*)
 * @end_seq: its end
 * @xmit_time: when it was last sent (xtcp_clock_us())
 * @now: the time now (xtcp_clock_us()), read once by the caller for all it delivers
 *
 * A retransmitted segment delivered sooner than the smallest RTT was the original's
 * delivery, not the copy's: it says nothing of when the copy arrived.
 *
 * Context: any, socket locked.
 */
void xtcp_rack_advance(struct xtcp_sock *xs, u8 sacked, u32 end_seq, u32 xmit_time,
		       u32 now)
{
	u32 rtt_us = now - xmit_time;

	if ((sacked & XTCP_SKB_EVER_RETRANS) && rtt_us < xs->min_rtt_us)
		return;
	xs->rack_advanced = 1;
	xs->rack_rtt_us = rtt_us;
	if (!xs->rack_mstamp ||
	    xtcp_rack_sent_after(xmit_time, xs->rack_mstamp, end_seq, xs->rack_end_seq)) {
		xs->rack_mstamp = xmit_time;
		xs->rack_end_seq = end_seq;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rack_advance);

/**
 * xtcp_rack_reo_wnd - the reordering window, like tcp_rack_reo_wnd()
 * @xs: the socket
 *
 * Context: any, socket locked.
 * Return: microseconds.
 */
u32 xtcp_rack_reo_wnd(const struct xtcp_sock *xs)
{
	if (!xs->reord_seen &&
	    (xs->ca_state == XTCP_CA_RECOVERY || xs->ca_state == XTCP_CA_LOSS ||
	     xs->sacked_out >= XTCP_DUPTHRESH))
		return 0;
	return min(xs->min_rtt_us / 4, xs->srtt_us);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rack_reo_wnd);

/**
 * xtcp_mark_skb_lost - take @skb for lost, like tcp_mark_skb_lost(): a copy in flight
 * is lost with it
 * @xs: the socket, locked
 * @skb: a segment of its retransmission queue
 *
 * Context: softirq, timer or process, socket locked.
 */
void xtcp_mark_skb_lost(struct xtcp_sock *xs, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	list_del_init(xtcp_skb_tsorted(skb));	/* back in RACK's order once retransmitted */
	if (cb->sacked & XTCP_SKB_SACKED)
		return;		/* delivered: not lost, as tcp_mark_skb_lost() */
	if (cb->sacked & XTCP_SKB_RETRANS) {
		cb->sacked &= ~XTCP_SKB_RETRANS;
		xs->retrans_out -= xtcp_skb_pcount(skb);
	}
	if (!(cb->sacked & XTCP_SKB_LOST)) {
		cb->sacked |= XTCP_SKB_LOST;
		xs->lost_out += xtcp_skb_pcount(skb);
	}
	xtcp_verify_retransmit_hint(xs, skb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_mark_skb_lost);

/**
 * xtcp_rack_detect_loss - mark what RACK takes for lost, like tcp_rack_detect_loss()
 * @sk: the socket, locked
 *
 * Every segment not SACKed (nor already lost and waiting for its retransmission) sent
 * before the newest delivered one is lost once that one's round trip plus the
 * reordering window has passed since it was sent.  Those are the first ones of
 * tsorted_sent_queue: the walk stops at the first sent after the delivered one.
 *
 * Context: softirq, process or timer, socket locked.
 * Return: microseconds until the next segment's window ends, 0 if none waits.
 */
u32 xtcp_rack_detect_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 reo_wnd = xtcp_rack_reo_wnd(xs), now = xtcp_clock_us(), timeout = 0;
	struct list_head *pos, *n;

	if (!xs->rack_mstamp)
		return 0;	/* nothing delivered yet */
	list_for_each_safe(pos, n, &xs->tsorted_sent_queue) {
		struct sk_buff *skb = xtcp_tsorted_skb(pos);
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		s32 remaining;

		if (!xtcp_rack_sent_after(xs->rack_mstamp, cb->tx_time, xs->rack_end_seq,
					  cb->end_seq))
			break;		/* it and all after it left after what was delivered */
		remaining = xs->rack_rtt_us + reo_wnd - (now - cb->tx_time);
		if (remaining <= 0)
			xtcp_mark_skb_lost(xs, skb);
		else
			timeout = max_t(u32, timeout, remaining);
	}
	return timeout;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rack_detect_loss);

/**
 * xtcp_rack_mark_lost - after an ACK that delivered something: RACK's loss marks, and
 * the reordering timer for segments still inside the window, like tcp_rack_mark_lost()
 * @sk: the socket, locked
 *
 * Context: softirq or process, socket locked.
 * Return: true if the reordering timer was armed (the caller leaves the timer be).
 */
bool xtcp_rack_mark_lost(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 timeout;

	if (!xs->rack_advanced)
		return false;
	xs->rack_advanced = 0;
	timeout = xtcp_rack_detect_loss(sk);
	if (timeout)
		xtcp_reset_xmit_timer(sk, XTCP_TIME_REO, usecs_to_jiffies(timeout) + 1);
	return timeout;
}

/**
 * xtcp_rack_reo_timeout - the reordering timer expired: what is still missing is lost,
 * like tcp_rack_reo_timeout()
 * @sk: the socket, locked
 *
 * Segments found lost start fast recovery (unless it or the loss state runs) and are
 * retransmitted as the congestion window allows; then the retransmission timer runs
 * again.
 *
 * Context: timer, socket locked.
 */
void xtcp_rack_reo_timeout(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 lost = xs->lost_out;

	xtcp_rack_detect_loss(sk);
	if (xs->lost_out != lost) {
		if (xs->ca_state == XTCP_CA_OPEN || xs->ca_state == XTCP_CA_CWR)
			xtcp_enter_recovery(sk);
		xtcp_write_xmit(sk, xs->nonagle);
	}
	if (xs->pending != XTCP_TIME_RETRANS)
		xtcp_rearm_rto(sk);
}
