// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_vegas_lite: a delay-based congestion control for xtcp, small enough to read in
 * one sitting - and the template for writing your own.  Load it (insmod, or modprobe
 * xtcp-cong-vegas_lite) and pick it per socket with
 *
 *	setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "vegas_lite", 10);
 *
 * or for every new socket with sysctl net.xtcp.congestion_control=vegas_lite.
 *
 * The idea is TCP Vegas's (Brakmo and Peterson, 1995; Linux's tcp_vegas.c), simplified:
 * the smallest RTT ever seen (base_rtt) is the path without queues; once per round trip
 * the smallest RTT of that round (min_rtt) tells how many of our segments wait in
 * queues:  diff = cwnd * (min_rtt - base_rtt) / min_rtt.  Fewer than alpha: grow by
 * one segment; more than beta: shrink by one; in between: hold.  Slow start doubles as
 * usual, and ends once diff exceeds gamma.  A loss halves the window, as Reno.
 *
 * What an algorithm gets (struct xtcp_cong_ops in module/xtcp.h, the shape of Linux's
 * tcp_congestion_ops): ssthresh() and cong_avoid() are required; pkts_acked() sees each
 * ACK's RTT sample, set_state() the changes of congestion state, get_info() answers
 * TCP_CC_INFO.  Its per-connection state lives in xtcp_ca(sk) (XTCP_CA_PRIV_SIZE
 * bytes, zeroed before init()).  Every callback runs with the socket locked.
 */
#include <linux/module.h>
#include <linux/inet_diag.h>
#include "xtcp.h"

static unsigned int vegas_alpha = 2;	/* segments queued: fewer, grow */
static unsigned int vegas_beta = 4;	/* more, shrink */
static unsigned int vegas_gamma = 1;	/* in slow start: more, stop doubling */
module_param_named(alpha, vegas_alpha, uint, 0644);
MODULE_PARM_DESC(alpha, "grow cwnd while fewer segments than this wait in queues");
module_param_named(beta, vegas_beta, uint, 0644);
MODULE_PARM_DESC(beta, "shrink cwnd while more segments than this wait in queues");
module_param_named(gamma, vegas_gamma, uint, 0644);
MODULE_PARM_DESC(gamma, "leave slow start once more segments than this wait in queues");

struct vegas_lite {
	u32 base_rtt;		/* smallest RTT seen, us */
	u32 min_rtt;		/* smallest RTT of this round trip, us */
	u32 cnt_rtt;		/* RTT samples this round trip */
	u32 round_end;		/* the round ends once this sequence number is ACKed */
	u32 enabled;		/* outside recovery and loss */
};

static void vegas_lite_new_round(struct sock *sk)
{
	struct vegas_lite *v = xtcp_ca(sk);

	v->round_end = xtcp_sk(sk)->snd_nxt;
	v->min_rtt = U32_MAX;
	v->cnt_rtt = 0;
}

static void vegas_lite_init(struct sock *sk)
{
	struct vegas_lite *v = xtcp_ca(sk);

	v->base_rtt = U32_MAX;
	v->enabled = 1;
	vegas_lite_new_round(sk);
}

static void vegas_lite_pkts_acked(struct sock *sk, const struct ack_sample *sample)
{
	struct vegas_lite *v = xtcp_ca(sk);
	u32 rtt = sample->rtt_us + 1;	/* never 0 */

	if (sample->rtt_us < 0)
		return;			/* no sample (a retransmission was ACKed) */
	v->base_rtt = min(v->base_rtt, rtt);
	v->min_rtt = min(v->min_rtt, rtt);
	v->cnt_rtt++;
}

static void vegas_lite_set_state(struct sock *sk, u8 new_state)
{
	struct vegas_lite *v = xtcp_ca(sk);

	v->enabled = new_state == XTCP_CA_OPEN;
	vegas_lite_new_round(sk);
}

static void vegas_lite_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct vegas_lite *v = xtcp_ca(sk);
	u32 diff;

	if (!v->enabled) {
		xtcp_reno_cong_avoid(sk, ack, acked);
		return;
	}
	if (!after(ack, v->round_end)) {	/* within a round trip: only slow start */
		if (xtcp_in_slow_start(xs))
			xtcp_slow_start(xs, acked);
		return;
	}
	if (v->cnt_rtt <= 2) {		/* too few samples to tell a queue: as Reno */
		xtcp_reno_cong_avoid(sk, ack, acked);
		vegas_lite_new_round(sk);
		return;
	}
	/* our segments waiting in queues, by this round trip's RTT */
	diff = div_u64((u64)xs->snd_cwnd * (v->min_rtt - v->base_rtt), v->min_rtt);
	if (xtcp_in_slow_start(xs)) {
		if (diff > READ_ONCE(vegas_gamma)) {	/* a queue builds: end slow start here */
			xs->snd_cwnd = max(xs->snd_cwnd - diff, 2U);
			xs->snd_ssthresh = xs->snd_cwnd;
		} else {
			xtcp_slow_start(xs, acked);
		}
	} else if (diff > READ_ONCE(vegas_beta)) {
		xs->snd_cwnd = max(xs->snd_cwnd - 1, 2U);
		xs->snd_ssthresh = min(xs->snd_ssthresh, xs->snd_cwnd);
	} else if (diff < READ_ONCE(vegas_alpha)) {
		xs->snd_cwnd++;
	}
	vegas_lite_new_round(sk);
}

/* TCP_CC_INFO: Linux's struct tcpvegas_info, as tcp_vegas_get_info() fills it */
static size_t vegas_lite_get_info(struct sock *sk, u32 ext, int *attr,
				  union tcp_cc_info *info)
{
	const struct vegas_lite *v = xtcp_ca(sk);

	info->vegas.tcpv_enabled = v->enabled;
	info->vegas.tcpv_rttcnt = v->cnt_rtt;
	info->vegas.tcpv_rtt = v->base_rtt;
	info->vegas.tcpv_minrtt = v->min_rtt;
	*attr = INET_DIAG_VEGASINFO;
	return sizeof(struct tcpvegas_info);
}

static struct xtcp_cong_ops vegas_lite = {
	.name		= "vegas_lite",
	.owner		= THIS_MODULE,	/* held by each socket that uses it */
	.init		= vegas_lite_init,
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= vegas_lite_cong_avoid,
	.undo_cwnd	= xtcp_reno_undo_cwnd,
	.set_state	= vegas_lite_set_state,
	.pkts_acked	= vegas_lite_pkts_acked,
	.get_info	= vegas_lite_get_info,
};

static int __init vegas_lite_register(void)
{
	BUILD_BUG_ON(sizeof(struct vegas_lite) > XTCP_CA_PRIV_SIZE);
	return xtcp_register_congestion_control(&vegas_lite);
}

static void __exit vegas_lite_unregister(void)
{
	xtcp_unregister_congestion_control(&vegas_lite);
}

module_init(vegas_lite_register);
module_exit(vegas_lite_unregister);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: Vegas-like delay-based congestion control, an example");
MODULE_AUTHOR("The xtcp developers");
XTCP_CONG_MODULE_ALIAS("vegas_lite");
