// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of xtcp's data transfer:
 *   - sequence number comparisons across the 2^32 wrap;
 *   - the RTT estimator and RTO of RFC 6298, with the 200 ms floor and 120 s cap;
 *   - Reno: slow start, congestion avoidance, fast recovery and the RTO's loss state;
 *   - the out-of-order queue: sorted insertion, duplicates, replacement, overlaps;
 *   - SACK blocks built from the out-of-order queue (RFC 2018 4);
 *   - the receive window: free space, silly window avoidance, no shrinking;
 *   - timestamp and SACK options, parsed (malformed ones too) and written;
 *   - an established socket fed crafted data segments: in order, out of order, the
 *     hole filled, duplicates, beyond the window, and the byte stream a reader sees.
 *
 * Sockets are kernel sockets in init_net.  The one of the last test is given its
 * addresses and sequence numbers by hand and is in no table: the ACKs it sends go out
 * through loopback and find no socket there.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/unaligned.h>
#include <net/sock.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

KUNIT_DEFINE_ACTION_WRAPPER(xtcp_stream_purge, skb_queue_purge, struct sk_buff_head *);

/* A segment without data covering [@seq, @end_seq), for the queues. */
static struct sk_buff *xtcp_stream_seg(struct kunit *test, u32 seq, u32 end_seq)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	XTCP_SKB_CB(skb)->seq = seq;
	XTCP_SKB_CB(skb)->end_seq = end_seq;
	return skb;
}

/* A queue that is purged when the test ends, whatever happens. */
static struct sk_buff_head *xtcp_stream_queue(struct kunit *test)
{
	struct sk_buff_head *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, q);
	skb_queue_head_init(q);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_stream_purge, q), 0);
	return q;
}

struct xtcp_range {
	u32 seq, end;
};

/* @q holds exactly the segments of @want, in that order. */
static void xtcp_expect_queue(struct kunit *test, struct sk_buff_head *q,
			      const struct xtcp_range *want, unsigned int n)
{
	struct sk_buff *skb;
	unsigned int i = 0;

	KUNIT_EXPECT_EQ(test, skb_queue_len(q), n);
	skb_queue_walk(q, skb) {
		if (i >= n)
			break;
		KUNIT_EXPECT_EQ_MSG(test, XTCP_SKB_CB(skb)->seq, want[i].seq, "segment %u", i);
		KUNIT_EXPECT_EQ_MSG(test, XTCP_SKB_CB(skb)->end_seq, want[i].end, "segment %u",
				    i);
		i++;
	}
}

/* --- 1. sequence arithmetic */

static void xtcp_stream_seq_wrap_test(struct kunit *test)
{
	static const u32 bases[] = { 0xffffffff, 0xfffffff0, 0, 1, 0x7fffffff, 0x80000000 };
	static const u32 dists[] = { 1, 2, 0x10, 65535, 0x7fffffff };
	unsigned int i, j;

	KUNIT_EXPECT_TRUE(test, xtcp_before(0xffffffff, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_after(0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, xtcp_before(0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, xtcp_after(0xffffffff, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_before(0, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_after(0xffffffff, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, xtcp_before(0xfffffffe, 1));
	/* up to 2^31 - 1 ahead is after, 2^31 + 1 ahead is before */
	KUNIT_EXPECT_TRUE(test, xtcp_after(0x7ffffffe, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, xtcp_before(0x80000000, 0xffffffff));

	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		for (j = 0; j < ARRAY_SIZE(dists); j++) {
			u32 a = bases[i], b = bases[i] + dists[j];

			KUNIT_EXPECT_TRUE_MSG(test, xtcp_before(a, b), "%#x < %#x", a, b);
			KUNIT_EXPECT_TRUE_MSG(test, xtcp_after(b, a), "%#x > %#x", b, a);
			KUNIT_EXPECT_FALSE_MSG(test, xtcp_before(b, a), "%#x < %#x", b, a);
			KUNIT_EXPECT_FALSE_MSG(test, xtcp_after(a, b), "%#x > %#x", a, b);
		}
	}

	/* [0xfffffff0, 0x10] wraps: both ends and the numbers around 0 are in it */
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0xffffffff, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0x10, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xfffffff0, 0x11, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xfffffff0, 0xffffffef, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xfffffff0, 0x80000000, 0x10));
	/* a window of one number */
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xffffffff, 0xffffffff, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xffffffff, 0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xffffffff, 0xfffffffe, 0xffffffff));
	/* [0xffffffff, 0] */
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xffffffff, 0, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xffffffff, 1, 0));
}

/* --- 2. RTT estimator and RTO (RFC 6298) */

static void xtcp_stream_rto_test(struct kunit *test)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);

	/* 2.2: the first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	xtcp_rtt_estimator(xs, 100000);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, xs->rttvar_us, 50000U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)usecs_to_jiffies(300000));
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)msecs_to_jiffies(300));

	/* 2.3: RTTVAR = 3/4 50000 + 1/4 |100000 - 200000|, SRTT = 7/8 100000 + 1/8 200000 */
	xtcp_rtt_estimator(xs, 200000);
	KUNIT_EXPECT_EQ(test, xs->rttvar_us, 62500U);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 112500U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)usecs_to_jiffies(112500 + 250000));

	/* RTTVAR is updated with the old SRTT: a sample equal to SRTT only shrinks it */
	xtcp_rtt_estimator(xs, 112500);
	KUNIT_EXPECT_EQ(test, xs->rttvar_us, 46875U);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 112500U);
	/* a sample below SRTT: |SRTT - R| = 100000 */
	xtcp_rtt_estimator(xs, 12500);
	KUNIT_EXPECT_EQ(test, xs->rttvar_us, (3 * 46875U + 100000U) / 4);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 100000U);

	/* G, the clock granularity (a jiffy), when 4 RTTVAR is smaller */
	xs->srtt_us = 300000;
	xs->rttvar_us = 0;
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs),
			(u32)usecs_to_jiffies(300000 + jiffies_to_usecs(1)));

	/* the 200 ms floor: 1 ms samples, and samples of 0 or less (taken as 1 us) */
	memset(xs, 0, sizeof(*xs));
	xtcp_rtt_estimator(xs, 1000);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 1000U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)XTCP_RTO_MIN);
	KUNIT_EXPECT_EQ(test, (u32)XTCP_RTO_MIN, (u32)msecs_to_jiffies(200));
	memset(xs, 0, sizeof(*xs));
	xtcp_rtt_estimator(xs, 0);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 1U);
	KUNIT_EXPECT_EQ(test, xs->rttvar_us, 0U);
	xtcp_rtt_estimator(xs, -5000);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 1U);
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)XTCP_RTO_MIN);
	/* just above the floor it is not raised */
	memset(xs, 0, sizeof(*xs));
	xtcp_rtt_estimator(xs, 80000);	/* 80 ms + 160 ms */
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)msecs_to_jiffies(240));

	/* the 120 s cap: a 100 s sample (RTO 300 s), and the largest values there are */
	memset(xs, 0, sizeof(*xs));
	xtcp_rtt_estimator(xs, 100 * USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, 100 * USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)XTCP_RTO_MAX);
	KUNIT_EXPECT_EQ(test, (u32)XTCP_RTO_MAX, (u32)msecs_to_jiffies(120000));
	xs->srtt_us = U32_MAX;
	xs->rttvar_us = U32_MAX;
	KUNIT_EXPECT_EQ(test, xtcp_rto_from_rtt(xs), (u32)XTCP_RTO_MAX);
}

/* --- 3. congestion window: Reno */

static void xtcp_stream_reno_test(struct kunit *test)
{
	struct sk_buff *rtx[3];
	struct xtcp_sock *xs;
	unsigned long fast;
	struct socket *s;
	struct sock *sk;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rtx); i++)
		rtx[i] = xtcp_stream_seg(test, 1000 + 1000 * i, 2000 + 1000 * i);
	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);

	/* the helpers, alone */
	xs->snd_cwnd = 20;
	xs->snd_ssthresh = 24;
	KUNIT_EXPECT_EQ(test, xtcp_slow_start(xs, 10), 6U);	/* 4 used, 6 left */
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 24U);
	xs->snd_cwnd = 10;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	KUNIT_EXPECT_EQ(test, xtcp_slow_start(xs, 3), 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 13U);
	xs->snd_cwnd = 20;
	xs->snd_cwnd_cnt = 30;		/* counted toward a larger window before */
	xtcp_cong_avoid_ai(xs, 20, 5);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 21U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 5U);

	/* Reno (chosen: CUBIC is the default) from the start of a connection */
	xs->snd_una = 1000;
	xs->snd_nxt = 4000;
	KUNIT_ASSERT_EQ(test, xtcp_set_congestion_control(sk, "reno", true), 0);
	xtcp_cong_init(sk);
	KUNIT_EXPECT_PTR_EQ(test, xs->ca_ops, &xtcp_reno);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, XTCP_INIT_CWND);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, XTCP_INFINITE_SSTHRESH);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	xs->cwnd_limited = 1;

	/* slow start: one segment more per segment ACKed */
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 10);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 20U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 0U);
	/* up to ssthresh; the 6 ACKed segments left count toward congestion avoidance */
	xs->snd_ssthresh = 24;
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 10);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 24U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 6U);
	/* congestion avoidance: one segment more per cwnd segments ACKed */
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 17);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 24U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 23U);
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 1);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 25U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 0U);
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 24);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 25U);
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 1);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 26U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 0U);
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 2 * 26 + 3);	/* a stretch ACK of two windows */
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 28U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 3U);

	/* not limited by cwnd: no growth, in congestion avoidance or slow start */
	xs->cwnd_limited = 0;
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 100);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 28U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 3U);
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	xs->ca_ops->cong_avoid(sk, xs->snd_una, 10);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 28U);

	/* fast recovery: ssthresh = max(cwnd / 2, 2), cwnd = ssthresh */
	xs->cwnd_limited = 1;
	xs->snd_cwnd = 25;
	fast = xtcp_mib_read(&init_net, XTCP_MIB_FASTRETRANS);
	xtcp_enter_recovery(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 12U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 12U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 0U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, xs->high_seq, 4000U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_FASTRETRANS) - fast, 1UL);
	xs->snd_cwnd = 3;
	xtcp_enter_recovery(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 2U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 2U);

	/*
	 * RTO: cwnd 1, everything in flight and not SACKed lost, retransmit marks
	 * forgotten, the SACKed segment kept (not sent again: it was, and so were the
	 * SACKed parts of a 64-flow benchmark's windows); a super-segment (the last, two
	 * segments of 500) counts for its segments
	 */
	for (i = 0; i < ARRAY_SIZE(rtx); i++) {
		xtcp_rtx_queue_add(sk, rtx[i]);
		XTCP_SKB_CB(rtx[i])->pcount = 1;
	}
	XTCP_SKB_CB(rtx[2])->pcount = 2;
	XTCP_SKB_CB(rtx[2])->gso_size = 500;
	XTCP_SKB_CB(rtx[1])->sacked = XTCP_SKB_SACKED;
	list_del_init(xtcp_skb_tsorted(rtx[1]));	/* as SACKing it does */
	XTCP_SKB_CB(rtx[2])->sacked = XTCP_SKB_RETRANS | XTCP_SKB_EVER_RETRANS;
	xs->packets_out = 4;
	xs->sacked_out = 1;
	xs->retrans_out = 2;
	xs->dup_acks = 2;
	xs->ca_state = XTCP_CA_OPEN;
	xs->backoff = 0;
	xs->snd_cwnd = 20;
	xs->snd_cwnd_cnt = 7;
	xs->snd_nxt = 4000;
	xtcp_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd_cnt, 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, xs->high_seq, 4000U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 3U);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, xs->dup_acks, 0U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(rtx[0])->sacked, XTCP_SKB_LOST);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(rtx[1])->sacked, XTCP_SKB_SACKED);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(rtx[2])->sacked,
			XTCP_SKB_LOST | XTCP_SKB_EVER_RETRANS);
	KUNIT_EXPECT_TRUE(test, list_empty(&xs->tsorted_sent_queue));
	/* the same timeout again (backed off, still in loss): ssthresh stays, no recount */
	xs->backoff = 1;
	xs->snd_cwnd = 4;
	xtcp_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 3U);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 1U);
	/* the first segment SACKed: the receiver reneged, everything is lost */
	XTCP_SKB_CB(rtx[0])->sacked = XTCP_SKB_SACKED;
	xtcp_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 4U);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(rtx[0])->sacked, XTCP_SKB_LOST);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(rtx[1])->sacked, XTCP_SKB_LOST);

	/* the segments were never charged to the socket: free them here */
	for (i = 0; i < ARRAY_SIZE(rtx); i++) {
		xtcp_rtx_queue_unlink(sk, rtx[i]);
		kfree_skb(rtx[i]);
	}
	KUNIT_EXPECT_TRUE(test, xtcp_rtx_queue_empty(sk));
	xs->packets_out = 0;
	xs->lost_out = 0;
	release_sock(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* --- 4. the out-of-order queue */

/* Insert [@seq, @end) and free the segment if it was not queued. */
static bool xtcp_stream_ofo(struct kunit *test, struct sk_buff_head *q, u32 seq, u32 end)
{
	struct sk_buff *skb = xtcp_stream_seg(test, seq, end);
	bool queued = xtcp_ofo_insert(q, skb);

	if (!queued)
		kfree_skb(skb);
	return queued;
}

/* The segment of @q covering [@seq, @end), with a reference taken to watch it go. */
static struct sk_buff *xtcp_stream_hold(struct sk_buff_head *q, u32 seq, u32 end)
{
	struct sk_buff *skb;

	skb_queue_walk(q, skb)
		if (XTCP_SKB_CB(skb)->seq == seq && XTCP_SKB_CB(skb)->end_seq == end)
			return skb_get(skb);
	return NULL;
}

/* @skb, held by xtcp_stream_hold(), was unlinked and freed by the queue's owner. */
static void xtcp_stream_expect_dropped(struct kunit *test, struct sk_buff *skb)
{
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, refcount_read(&skb->users), 1U);
	KUNIT_EXPECT_NULL(test, skb->next);
	kfree_skb(skb);
}

static void xtcp_stream_ofo_test(struct kunit *test)
{
	static const struct xtcp_range step1[] = { { 100, 200 }, { 200, 300 }, { 400, 500 } };
	static const struct xtcp_range step2[] = {
		{ 50, 80 }, { 100, 200 }, { 200, 300 }, { 400, 500 } };
	static const struct xtcp_range step3[] = { { 50, 80 }, { 90, 310 }, { 400, 500 } };
	static const struct xtcp_range step4[] = { { 50, 80 }, { 90, 310 }, { 400, 600 } };
	static const struct xtcp_range step5[] = {
		{ 20, 60 }, { 50, 80 }, { 90, 310 }, { 400, 600 }, { 550, 650 } };
	static const struct xtcp_range wrap[] = {
		{ 0xffffff00, 0xffffff80 }, { 0xffffff80, 0x10 }, { 0xfffffff0, 0x100 } };
	struct sk_buff_head *q = xtcp_stream_queue(test), *w = xtcp_stream_queue(test);
	struct sk_buff *a, *b, *c;

	/* in order: appended */
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 100, 200));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 200, 300));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 400, 500));
	xtcp_expect_queue(test, q, step1, ARRAY_SIZE(step1));
	/* before the head */
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 50, 80));
	xtcp_expect_queue(test, q, step2, ARRAY_SIZE(step2));

	/* nothing new: inside one, equal to one, same start or same end but shorter */
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, q, 120, 180));
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, q, 200, 300));
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, q, 400, 450));
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, q, 450, 500));
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, q, 50, 51));
	xtcp_expect_queue(test, q, step2, ARRAY_SIZE(step2));

	/* covering two queued segments: they are freed, it takes their place */
	a = xtcp_stream_hold(q, 100, 200);
	b = xtcp_stream_hold(q, 200, 300);
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 90, 310));
	xtcp_expect_queue(test, q, step3, ARRAY_SIZE(step3));
	xtcp_stream_expect_dropped(test, a);
	xtcp_stream_expect_dropped(test, b);

	/* the same start, longer: replaces */
	c = xtcp_stream_hold(q, 400, 500);
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 400, 600));
	xtcp_expect_queue(test, q, step4, ARRAY_SIZE(step4));
	xtcp_stream_expect_dropped(test, c);

	/* partial overlaps, after the tail and before the head: both kept, sorted */
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 550, 650));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, q, 20, 60));
	xtcp_expect_queue(test, q, step5, ARRAY_SIZE(step5));

	/* across the 2^32 wrap */
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, w, 0xffffff00, 0xffffff80));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, w, 0x10, 0x90));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, w, 0xffffff80, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_stream_ofo(test, w, 0xffffffc0, 0x8));
	KUNIT_EXPECT_TRUE(test, xtcp_stream_ofo(test, w, 0xfffffff0, 0x100));
	xtcp_expect_queue(test, w, wrap, ARRAY_SIZE(wrap));

	skb_queue_purge(q);
	skb_queue_purge(w);
}

/* --- 5. SACK blocks */

#define XTCP_SACK_POISON	0xa5a5a5a5

/* xtcp_sack_blocks() with room for @max; what lies beyond must stay untouched. */
static int xtcp_stream_sacks(struct kunit *test, const struct xtcp_sock *xs,
			     struct xtcp_sack_block *sp, int max)
{
	int n, i;

	for (i = 0; i <= XTCP_NUM_SACKS; i++)
		sp[i] = (struct xtcp_sack_block){ XTCP_SACK_POISON, XTCP_SACK_POISON };
	n = xtcp_sack_blocks(xs, sp, max);
	for (i = max; i <= XTCP_NUM_SACKS; i++) {
		KUNIT_EXPECT_EQ_MSG(test, sp[i].start, XTCP_SACK_POISON, "block %d", i);
		KUNIT_EXPECT_EQ_MSG(test, sp[i].end, XTCP_SACK_POISON, "block %d", i);
	}
	return n;
}

static void xtcp_expect_sack(struct kunit *test, const struct xtcp_sack_block *b, u32 start,
			     u32 end)
{
	KUNIT_EXPECT_EQ(test, b->start, start);
	KUNIT_EXPECT_EQ(test, b->end, end);
}

static void xtcp_stream_sack_blocks_test(struct kunit *test)
{
	static const struct xtcp_range segs[] = {
		{ 100, 200 }, { 200, 300 }, { 400, 500 }, { 600, 700 }, { 650, 800 } };
	struct xtcp_sack_block sp[XTCP_NUM_SACKS + 1];
	struct sk_buff *skb[ARRAY_SIZE(segs)];
	struct xtcp_sock *xs;
	int i;

	xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, xs);
	skb_queue_head_init(&xs->out_of_order_queue);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_stream_purge,
							&xs->out_of_order_queue), 0);

	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 0);

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		skb[i] = xtcp_stream_seg(test, segs[i].seq, segs[i].end);
		__skb_queue_tail(&xs->out_of_order_queue, skb[i]);
	}

	/* the block of the latest segment first, then the others in sequence order */
	xs->ofo_last = skb[2];
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 3);
	xtcp_expect_sack(test, &sp[0], 400, 500);
	xtcp_expect_sack(test, &sp[1], 100, 300);
	xtcp_expect_sack(test, &sp[2], 600, 800);
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, 3), 3);
	xtcp_expect_sack(test, &sp[0], 400, 500);
	xtcp_expect_sack(test, &sp[2], 600, 800);
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, 2), 2);
	xtcp_expect_sack(test, &sp[0], 400, 500);
	xtcp_expect_sack(test, &sp[1], 100, 300);
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, 1), 1);
	xtcp_expect_sack(test, &sp[0], 400, 500);

	/* the latest segment inside a merged block, the last one */
	xs->ofo_last = skb[3];
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 3);
	xtcp_expect_sack(test, &sp[0], 600, 800);
	xtcp_expect_sack(test, &sp[1], 100, 300);
	xtcp_expect_sack(test, &sp[2], 400, 500);
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, 2), 2);
	xtcp_expect_sack(test, &sp[0], 600, 800);
	xtcp_expect_sack(test, &sp[1], 100, 300);

	/* none known: sequence order */
	xs->ofo_last = NULL;
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 3);
	xtcp_expect_sack(test, &sp[0], 100, 300);
	xtcp_expect_sack(test, &sp[1], 400, 500);
	xtcp_expect_sack(test, &sp[2], 600, 800);

	/* across the 2^32 wrap */
	skb_queue_purge(&xs->out_of_order_queue);
	__skb_queue_tail(&xs->out_of_order_queue, xtcp_stream_seg(test, 0xffffff00, 0xffffff80));
	__skb_queue_tail(&xs->out_of_order_queue, xtcp_stream_seg(test, 0xffffff80, 0x20));
	xs->ofo_last = xtcp_stream_seg(test, 0x40, 0x60);
	__skb_queue_tail(&xs->out_of_order_queue, xs->ofo_last);
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 2);
	xtcp_expect_sack(test, &sp[0], 0x40, 0x60);
	xtcp_expect_sack(test, &sp[1], 0xffffff00, 0x20);

	/* empty again */
	skb_queue_purge(&xs->out_of_order_queue);
	xs->ofo_last = NULL;
	KUNIT_EXPECT_EQ(test, xtcp_stream_sacks(test, xs, sp, XTCP_NUM_SACKS), 0);
}

/* --- 6. the receive window */

/* Pretend @bytes of received data are charged to @sk. */
static void xtcp_stream_rmem(struct sock *sk, int bytes)
{
	atomic_set(&sk->sk_rmem_alloc, bytes);
}

/*
 * The window the free space allows now (xtcp_window_now(), which is static), seen
 * through xtcp_select_window() with nothing advertised: no old edge holds it up.
 */
static u32 xtcp_stream_window_now(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv_wup = xs->rcv_nxt;
	xs->rcv_wnd = 0;
	return xtcp_select_window(sk) << xs->rcv_wscale;
}

static void xtcp_stream_window_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 edge;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_rcvbuf, 200003);
	xs->rcv_wscale = 3;
	xs->advmss = 1460;
	xs->rcv_nxt = 1000;
	xs->rcv_ssthresh = U32_MAX;	/* the free space alone: growth has its own test */

	/* empty: half the buffer, 100001, rounded up to the scale unit, 8 */
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 100008U);
	/* half the free space: 100011 free, 50005, still half the buffer's window: up */
	xtcp_stream_rmem(sk, 200003 - 100011);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 50008U);
	/* below half: rounded down, offered from a sixteenth of the window (6250) on */
	xtcp_stream_rmem(sk, 200003 - 16001);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 8000U);
	xtcp_stream_rmem(sk, 200003 - 12600);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 6296U);
	/* silly window: below a sixteenth of the buffer's window */
	xtcp_stream_rmem(sk, 200003 - 12496);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 0U);
	/* and below one segment of the peer's (its rcv_mss), whatever the buffer */
	xs->rcv_mss = 8000;
	xtcp_stream_rmem(sk, 200003 - 15998);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 0U);
	xs->rcv_mss = 0;
	xtcp_stream_rmem(sk, 200003 - 2918);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 0U);
	xtcp_stream_rmem(sk, 200003 - 100);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 0U);
	xtcp_stream_rmem(sk, 200003 + 5000);	/* overcommitted */
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 0U);
	/* a buffer smaller than an MSS: more than half of it free is offered */
	WRITE_ONCE(sk->sk_rcvbuf, 2000);
	xs->rcv_wscale = 0;
	xtcp_stream_rmem(sk, 800);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 600U);
	/* the 16-bit field: at most 65535 units */
	WRITE_ONCE(sk->sk_rcvbuf, 1 << 20);
	xtcp_stream_rmem(sk, 0);
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 65535U);
	xs->rcv_wscale = 2;
	KUNIT_EXPECT_EQ(test, xtcp_stream_window_now(sk), 65535U << 2);

	/* xtcp_select_window(): scaled, remembered, and the right edge never moves left */
	WRITE_ONCE(sk->sk_rcvbuf, 200003);
	xs->rcv_wscale = 3;
	xs->rcv_nxt = 1000;
	xs->rcv_wup = 900;
	xs->rcv_wnd = 0;
	KUNIT_EXPECT_EQ(test, xtcp_select_window(sk), 100008U >> 3);
	KUNIT_EXPECT_EQ(test, xs->rcv_wnd, 100008U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, 1000U);
	KUNIT_EXPECT_EQ(test, xtcp_receive_window(xs), 100008U);
	edge = xs->rcv_wup + xs->rcv_wnd;
	/* the buffer fills (10000 would be offered now): the offer stands */
	xtcp_stream_rmem(sk, 200003 - 20000);
	KUNIT_EXPECT_EQ(test, xtcp_select_window(sk), 100008U >> 3);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup + xs->rcv_wnd, edge);
	/* 30001 bytes arrive: what is left of the offer, rounded up to the unit */
	xs->rcv_nxt += 30001;
	KUNIT_EXPECT_EQ(test, xtcp_receive_window(xs), 70007U);
	KUNIT_EXPECT_EQ(test, xtcp_select_window(sk), 70008U >> 3);
	KUNIT_EXPECT_EQ(test, xs->rcv_wnd, 70008U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, 31001U);
	KUNIT_EXPECT_FALSE(test, xtcp_before(xs->rcv_wup + xs->rcv_wnd, edge));
	/* the reader empties the buffer: the window opens again */
	xtcp_stream_rmem(sk, 0);
	KUNIT_EXPECT_EQ(test, xtcp_select_window(sk), 100008U >> 3);
	KUNIT_EXPECT_EQ(test, xs->rcv_wnd, 100008U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, 31001U);

	/* what is left of an offer, across the wrap; nothing once rcv_nxt passed its edge */
	xs->rcv_wup = 0xfffff000;
	xs->rcv_wnd = 0x2000;
	xs->rcv_nxt = 0x800;
	KUNIT_EXPECT_EQ(test, xtcp_receive_window(xs), 0x800U);
	xs->rcv_nxt = 0x1800;
	KUNIT_EXPECT_EQ(test, xtcp_receive_window(xs), 0U);

	xtcp_stream_rmem(sk, 0);
	release_sock(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* --- 7. options */

/*
 * Parse @optlen bytes of options after a header, from a buffer of exactly that size:
 * KASAN reports any read beyond.
 */
static void xtcp_stream_parse(struct kunit *test, const u8 *opts, unsigned int optlen,
			      bool syn, struct xtcp_options_received *rx)
{
	struct tcphdr *th = kunit_kzalloc(test, sizeof(*th) + optlen, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, th);
	memcpy(th + 1, opts, optlen);
	th->doff = (sizeof(*th) + optlen + 3) / 4;
	th->syn = syn;
	th->ack = !syn;
	xtcp_parse_options(th, sizeof(*th) + optlen, rx);
}

/* NOP NOP SACK with @n blocks at @p; returns the bytes written. */
static unsigned int xtcp_stream_sack_opt(u8 *p, const struct xtcp_sack_block *b, int n)
{
	int i;

	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_SACK;
	p[3] = TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_PERBLOCK;
	for (i = 0; i < n; i++) {
		put_unaligned_be32(b[i].start, p + 4 + 8 * i);
		put_unaligned_be32(b[i].end, p + 8 + 8 * i);
	}
	return 4 + n * TCPOLEN_SACK_PERBLOCK;
}

/* NOP NOP TIMESTAMP at @p; returns the bytes written. */
static unsigned int xtcp_stream_ts_opt(u8 *p, u32 tsval, u32 tsecr)
{
	p[0] = TCPOPT_NOP;
	p[1] = TCPOPT_NOP;
	p[2] = TCPOPT_TIMESTAMP;
	p[3] = TCPOLEN_TIMESTAMP;
	put_unaligned_be32(tsval, p + 4);
	put_unaligned_be32(tsecr, p + 8);
	return TCPOLEN_TSTAMP_ALIGNED;
}

static void xtcp_stream_expect_sacks(struct kunit *test,
				     const struct xtcp_options_received *rx,
				     const struct xtcp_sack_block *b, int n)
{
	int i;

	KUNIT_EXPECT_EQ(test, rx->num_sacks, n);
	for (i = 0; i < min_t(int, n, rx->num_sacks); i++) {
		KUNIT_EXPECT_EQ_MSG(test, rx->sacks[i].start, b[i].start, "block %d", i);
		KUNIT_EXPECT_EQ_MSG(test, rx->sacks[i].end, b[i].end, "block %d", i);
	}
}

static void xtcp_stream_options_parse_test(struct kunit *test)
{
	static const struct xtcp_sack_block blocks[XTCP_NUM_SACKS] = {
		{ 0x11111111, 0x11112222 }, { 0xfffffff0, 0x10 },
		{ 3000, 4000 }, { 0x80000000, 0x80000400 } };
	struct xtcp_options_received rx = {};
	u8 o[40];
	unsigned int n;

	/* timestamps */
	n = xtcp_stream_ts_opt(o, 0x01020304, 0xa0b0c0d0);
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_TRUE(test, rx.saw_tstamp);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 0x01020304U);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsecr, 0xa0b0c0d0U);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	o[3] = 8;	/* a timestamps option of the wrong length */
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_FALSE(test, rx.saw_tstamp);

	/* SACK with 1, 3 (after timestamps: 40 bytes) and 4 blocks */
	n = xtcp_stream_sack_opt(o, blocks, 1);
	xtcp_stream_parse(test, o, n, false, &rx);
	xtcp_stream_expect_sacks(test, &rx, blocks, 1);
	n = xtcp_stream_ts_opt(o, 7, 8);
	n += xtcp_stream_sack_opt(o + n, blocks, 3);
	KUNIT_EXPECT_EQ(test, n, 40U);
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_TRUE(test, rx.saw_tstamp);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 7U);
	xtcp_stream_expect_sacks(test, &rx, blocks, 3);
	n = xtcp_stream_sack_opt(o, blocks, 4);
	xtcp_stream_parse(test, o, n, false, &rx);
	xtcp_stream_expect_sacks(test, &rx, blocks, 4);

	/* each parse starts with no blocks */
	n = xtcp_stream_ts_opt(o, 1, 2);
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);

	/* SACK of a length that is not 2 + 8n: skipped, the option after it still read */
	xtcp_stream_sack_opt(o, blocks, 1);
	o[3] = TCPOLEN_SACK_BASE + 7;
	n = 2 + TCPOLEN_SACK_BASE + 7;
	n += xtcp_stream_ts_opt(o + n, 9, 10);
	rx.num_sacks = 3;
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	KUNIT_EXPECT_TRUE(test, rx.saw_tstamp);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 9U);

	xtcp_stream_sack_opt(o, blocks, 2);
	o[3] = TCPOLEN_SACK_BASE + 9;
	n = 2 + TCPOLEN_SACK_BASE + 9;
	n += xtcp_stream_ts_opt(o + n, 11, 12);
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	KUNIT_EXPECT_TRUE(test, rx.saw_tstamp);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 11U);

	n = xtcp_stream_sack_opt(o, blocks, 0);		/* no block at all */
	n += xtcp_stream_ts_opt(o + n, 13, 14);
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 13U);

	/* length 1: the parse ends there */
	xtcp_stream_sack_opt(o, blocks, 1);
	o[3] = 1;
	xtcp_stream_ts_opt(o + 4, 15, 16);
	xtcp_stream_parse(test, o, 16, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	KUNIT_EXPECT_FALSE(test, rx.saw_tstamp);

	/* a length running past the header: four blocks claimed, one there */
	n = xtcp_stream_sack_opt(o, blocks, 1);
	o[3] = TCPOLEN_SACK_BASE + 4 * TCPOLEN_SACK_PERBLOCK;
	xtcp_stream_parse(test, o, n, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
	/* a SACK kind in the last byte, no room for its length */
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_NOP;
	o[3] = TCPOPT_SACK;
	xtcp_stream_parse(test, o, 4, false, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);

	/* SACK in a SYN */
	n = xtcp_stream_sack_opt(o, blocks, 2);
	xtcp_stream_parse(test, o, n, true, &rx);
	KUNIT_EXPECT_EQ(test, rx.num_sacks, 0);
}

static void xtcp_stream_options_write_test(struct kunit *test)
{
	static const struct xtcp_sack_block blocks[XTCP_NUM_SACKS] = {
		{ 1000, 2000 }, { 0xffffff00, 0x100 }, { 5000, 5001 }, { 7, 9 } };
	struct xtcp_out_options out = { .ts_ok = 1, .tsval = 0xdeadbeef, .tsecr = 0x42,
					.num_sacks = 3 };
	struct xtcp_options_received rx = {};
	const unsigned int room = 48;
	unsigned int size, i;
	struct tcphdr *th;
	u8 *opt;

	th = kunit_kzalloc(test, sizeof(*th) + room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, th);
	opt = (u8 *)(th + 1);

	/* timestamps and three blocks: 12 + 4 + 24, the whole option space */
	memcpy(out.sacks, blocks, sizeof(blocks));
	size = xtcp_options_size(&out);
	KUNIT_EXPECT_EQ(test, size, 40U);
	memset(opt, 0xa5, room);
	xtcp_options_write((__be32 *)opt, &out);
	for (i = size; i < room; i++)
		KUNIT_EXPECT_EQ_MSG(test, opt[i], 0xa5, "byte %u written", i);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(opt),
			(u32)(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_TIMESTAMP << 8 |
			      TCPOLEN_TIMESTAMP));
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(opt + 12),
			(u32)(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_SACK << 8 |
			      (TCPOLEN_SACK_BASE + 3 * TCPOLEN_SACK_PERBLOCK)));
	th->doff = (sizeof(*th) + size) / 4;
	th->ack = 1;
	xtcp_parse_options(th, th->doff * 4, &rx);
	KUNIT_EXPECT_TRUE(test, rx.saw_tstamp);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsval, 0xdeadbeefU);
	KUNIT_EXPECT_EQ(test, rx.rcv_tsecr, 0x42U);
	xtcp_stream_expect_sacks(test, &rx, blocks, 3);

	/* no timestamps: four blocks, 4 + 32 */
	out.ts_ok = 0;
	out.num_sacks = 4;
	size = xtcp_options_size(&out);
	KUNIT_EXPECT_EQ(test, size, 36U);
	memset(opt, 0xa5, room);
	xtcp_options_write((__be32 *)opt, &out);
	for (i = size; i < room; i++)
		KUNIT_EXPECT_EQ_MSG(test, opt[i], 0xa5, "byte %u written", i);
	th->doff = (sizeof(*th) + size) / 4;
	xtcp_parse_options(th, th->doff * 4, &rx);
	KUNIT_EXPECT_FALSE(test, rx.saw_tstamp);
	xtcp_stream_expect_sacks(test, &rx, blocks, 4);
}

/* --- 8. an established socket fed data segments */

#define XTCP_STREAM_LPORT	40300
#define XTCP_STREAM_RPORT	7601
#define XTCP_STREAM_ISS		XTCP_TEST_ISS	/* ours */
#define XTCP_STREAM_IRS		XTCP_TEST_IRS	/* the peer's */

/* The byte at sequence number @seq of the peer's stream. */
static u8 xtcp_stream_byte(u32 seq)
{
	return seq % 251;
}

/* A data segment from the peer, [@seq, @seq + @len), as xtcp_rcv() passes it on. */
static struct sk_buff *xtcp_stream_data(struct kunit *test, u32 seq, unsigned int len)
{
	struct xtcp_test_seg seg = { .sport = XTCP_STREAM_RPORT, .dport = XTCP_STREAM_LPORT,
				     .seq = seq, .ack = XTCP_STREAM_ISS + 1,
				     .flags = TCPHDR_ACK, .payload = len };
	struct sk_buff *skb = xtcp_test_rcv_skb(test, &seg);
	u8 *data = skb->data + tcp_hdrlen(skb);
	unsigned int i;

	for (i = 0; i < len; i++)
		data[i] = xtcp_stream_byte(seq + i);
	return skb;
}

struct xtcp_stream_mibs {
	unsigned long ofo, dup, beyond;
};

static void xtcp_stream_mibs_read(struct xtcp_stream_mibs *m)
{
	m->ofo = xtcp_mib_read(&init_net, XTCP_MIB_OFOQUEUE);
	m->dup = xtcp_mib_read(&init_net, XTCP_MIB_DUPDATA);
	m->beyond = xtcp_mib_read(&init_net, XTCP_MIB_BEYONDWINDOW);
}

static void xtcp_stream_receive_test(struct kunit *test)
{
	const u32 d = XTCP_STREAM_IRS + 1;	/* the first data byte */
	struct sk_buff *a, *b, *c, *c2, *a2, *p, *far, *skb;
	struct xtcp_stream_mibs m0, m1;
	struct xtcp_sack_block sp[XTCP_NUM_SACKS];
	struct msghdr msg = {};
	struct xtcp_sock *xs;
	struct kvec iov;
	struct socket *s;
	struct sock *sk;
	u8 *buf, *want;
	u32 segs_out;
	int i, n;

	/* allocated first: no assertion may end the test with the socket locked */
	a = xtcp_stream_data(test, d, 100);		/* [d, d + 100) */
	b = xtcp_stream_data(test, d + 100, 100);
	c = xtcp_stream_data(test, d + 200, 100);
	c2 = xtcp_stream_data(test, d + 200, 100);
	a2 = xtcp_stream_data(test, d, 100);
	p = xtcp_stream_data(test, d + 250, 100);	/* half old, half new */
	far = xtcp_stream_data(test, d + 0x100000, 100);
	buf = kunit_kzalloc(test, 400, GFP_KERNEL);
	want = kunit_kzalloc(test, 350, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < 350; i++)
		want[i] = xtcp_stream_byte(d + i);
	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_STREAM_LPORT, XTCP_STREAM_RPORT);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xs->copied_seq, d);

	/* in order: to the receive queue, rcv_nxt moves, ACKed at once (quick-ack) */
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 100);
	KUNIT_EXPECT_EQ(test, xs->bytes_received, 100ULL);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 100);	/* the ACK's window was committed */

	/* out of order: kept aside, rcv_nxt stays, a duplicate ACK at once */
	xtcp_stream_mibs_read(&m0);
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, c), 2);
	xtcp_stream_mibs_read(&m1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&xs->out_of_order_queue), 1U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 100);
	KUNIT_EXPECT_PTR_EQ(test, xs->ofo_last, c);
	KUNIT_EXPECT_EQ(test, m1.ofo - m0.ofo, 1UL);
	KUNIT_EXPECT_EQ(test, m1.dup - m0.dup, 0UL);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xtcp_sack_blocks(xs, sp, XTCP_NUM_SACKS), 1);
	xtcp_expect_sack(test, &sp[0], d + 200, d + 300);

	/* the same out-of-order segment again: not queued, duplicate data */
	xtcp_stream_mibs_read(&m0);
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, c2), 0);
	xtcp_stream_mibs_read(&m1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&xs->out_of_order_queue), 1U);
	KUNIT_EXPECT_EQ(test, m1.dup - m0.dup, 1UL);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);

	/* the hole filled: everything to the receive queue, in order */
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, b), 2);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&xs->out_of_order_queue));
	KUNIT_EXPECT_NULL(test, xs->ofo_last);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 3U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 300);
	KUNIT_EXPECT_EQ(test, xs->bytes_received, 300ULL);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	n = 0;
	skb_queue_walk(&sk->sk_receive_queue, skb) {
		KUNIT_EXPECT_EQ_MSG(test, XTCP_SKB_CB(skb)->seq, d + 100 * n, "segment %d", n);
		n++;
	}

	/* an old duplicate: not queued, rcv_nxt stays, an ACK at once, counted as DupData */
	xtcp_stream_mibs_read(&m0);
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a2), 0);
	xtcp_stream_mibs_read(&m1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 3U);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&xs->out_of_order_queue));
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 300);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, m1.dup - m0.dup, 1UL);
	KUNIT_EXPECT_EQ(test, m1.beyond - m0.beyond, 0UL);
	KUNIT_EXPECT_EQ(test, xs->quick_acks, XTCP_QUICKACKS - 1);	/* the ACK took one */

	/* half old, half new: queued whole, rcv_nxt at its end */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, p), 2);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 4U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 350);
	KUNIT_EXPECT_EQ(test, xs->bytes_received, 350ULL);

	/* beyond the window: dropped, counted, answered with an ACK */
	xtcp_stream_mibs_read(&m0);
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, far), 0);
	xtcp_stream_mibs_read(&m1);
	KUNIT_EXPECT_EQ(test, m1.beyond - m0.beyond, 1UL);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 350);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&xs->out_of_order_queue));
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	release_sock(sk);

	/* a reader sees the stream once, in order, the overlap skipped */
	iov.iov_base = buf;
	iov.iov_len = 400;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(s, &msg, &iov, 1, 400, MSG_DONTWAIT), 350);
	KUNIT_EXPECT_MEMEQ(test, buf, want, 350);
	iov.iov_base = buf;
	iov.iov_len = 400;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(s, &msg, &iov, 1, 400, MSG_DONTWAIT), -EAGAIN);

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->copied_seq, d + 350);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_receive_queue));
	KUNIT_EXPECT_EQ(test, atomic_read(&sk->sk_rmem_alloc), 0);
	/* nothing may stay queued; then close without a RST to nobody */
	__skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&xs->out_of_order_queue);
	xs->ofo_last = NULL;
	xtcp_set_state(sk, TCP_CLOSE);
	inet_sk(sk)->inet_num = 0;
	release_sock(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static struct kunit_case xtcp_stream_cases[] = {
	KUNIT_CASE(xtcp_stream_seq_wrap_test),
	KUNIT_CASE(xtcp_stream_rto_test),
	KUNIT_CASE(xtcp_stream_reno_test),
	KUNIT_CASE(xtcp_stream_ofo_test),
	KUNIT_CASE(xtcp_stream_sack_blocks_test),
	KUNIT_CASE(xtcp_stream_window_test),
	KUNIT_CASE(xtcp_stream_options_parse_test),
	KUNIT_CASE(xtcp_stream_options_write_test),
	KUNIT_CASE(xtcp_stream_receive_test),
	{}
};

static struct kunit_suite xtcp_stream_suite = {
	.name = "xtcp_stream",
	.test_cases = xtcp_stream_cases,
};

kunit_test_suites(&xtcp_stream_suite);
