// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: CUBIC congestion control with HyStart, like net/ipv4/tcp_cubic.c (RFC 9438);
 * the default algorithm, as in Linux.
 *
 * After a loss the window drops to beta = 717/1024 (about 0.7) of where it was (Wmax)
 * and then follows a cubic curve of the time since the loss, not of the ACKs:
 *
 *	W(t) = C * (t - K)^3 + Wmax,  C = 0.4,  K = cbrt(Wmax * (1 - beta) / C)
 *
 * concave up to Wmax (reached K seconds after the loss), convex beyond it.  Where Reno
 * would have grown faster (short RTTs), CUBIC grows as Reno would (the "TCP-friendly
 * region", RFC 9438 4.3).  Each ACK sets how many ACKed segments make cwnd grow by one
 * (cnt) so that cwnd reaches W(t + RTT) one round trip later.  HyStart ends slow start
 * before the first loss: when the ACKs of one round keep coming for more than half
 * the minimum RTT (an "ACK train": the pipe is full), or when the RTT of a round rises
 * by an eighth of the minimum (clamped to 4..16 ms: a queue builds).
 *
 * The arithmetic is Linux's, fixed point: time in 1/1024 s (BICTCP_HZ), beta and C
 * scaled by 1024.  Tunables that Linux makes module parameters of tcp_cubic are
 * constants here.  Callbacks run with the socket locked (softirq, timer or process).
 */
#include <linux/math64.h>
#include "xtcp.h"

#define BICTCP_BETA_SCALE	1024	/* scale of beta */
#define BICTCP_HZ		10	/* time unit: 2^-10 s */

#define HYSTART_ACK_TRAIN	0x1
#define HYSTART_DELAY		0x2

#define HYSTART_MIN_SAMPLES	8	/* RTT samples a round needs for the delay test */
#define HYSTART_DELAY_MIN	4000U	/* us */
#define HYSTART_DELAY_MAX	16000U	/* us */
#define HYSTART_DELAY_THRESH(x)	clamp(x, HYSTART_DELAY_MIN, HYSTART_DELAY_MAX)

static const int cubic_fast_convergence = 1;	/* release bandwidth to new flows */
static const int cubic_beta = 717;		/* / BICTCP_BETA_SCALE */
static const int cubic_bic_scale = 41;		/* C = bic_scale * 10 / 1024 = 0.4 */
static const int cubic_tcp_friendliness = 1;
static const int cubic_hystart = 1;
static const int cubic_hystart_detect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
static const u32 cubic_hystart_low_window = 16;	/* segments: no HyStart below */
static const int cubic_hystart_ack_delta_us = 2000;	/* ACKs this close form a train */

static u32 cube_rtt_scale __read_mostly;	/* C * 1024 * 10 */
static u32 beta_scale __read_mostly;	/* 8 * (1 + beta) / 3 / (1 - beta): Reno's pace */
static u64 cube_factor __read_mostly;	/* 2^(3 * BICTCP_HZ) / C */

/* forget the curve (a new epoch starts at the next ACK) and Wmax */
static void xtcp_cubic_reset(struct xtcp_cubic *ca)
{
	memset(ca, 0, offsetof(struct xtcp_cubic, unused));
	ca->found = 0;
}

/* a new HyStart round: it ends when what is sent now is ACKed */
static void xtcp_cubic_hystart_reset(struct sock *sk)
{
	struct xtcp_cubic *ca = xtcp_ca(sk);

	ca->round_start = xtcp_clock_us();
	ca->last_ack = ca->round_start;
	ca->end_seq = xtcp_sk(sk)->snd_nxt;
	ca->curr_rtt = ~0U;
	ca->sample_cnt = 0;
}

static void xtcp_cubic_init(struct sock *sk)
{
	xtcp_cubic_reset(xtcp_ca(sk));
	if (cubic_hystart)
		xtcp_cubic_hystart_reset(sk);
}

/*
 * Data goes out after the connection was idle: shift the epoch by the idle time, so
 * that the curve does not jump ahead for time nothing was sent.
 */
static void xtcp_cubic_cwnd_event(struct sock *sk, enum tcp_ca_event event)
{
	struct xtcp_cubic *ca = xtcp_ca(sk);
	u32 now = tcp_jiffies32;
	s32 delta;

	if (event != CA_EVENT_TX_START)
		return;
	delta = now - xtcp_sk(sk)->lsndtime;
	if (ca->epoch_start && delta > 0) {
		ca->epoch_start += delta;
		if (after(ca->epoch_start, now))
			ca->epoch_start = now;
	}
}

/* the cube root of @a, a table lookup and one Newton-Raphson step, as Linux's */
static u32 xtcp_cubic_root(u64 a)
{
	u32 x, b, shift;
	/* v[x] = cbrt(x << 18) - 1 for x in [0..63]; cbrt(x) = (v[x] + 10) >> 6 */
	static const u8 v[] = {
		/* 0x00 */    0,   54,   54,   54,  118,  118,  118,  118,
		/* 0x08 */  123,  129,  134,  138,  143,  147,  151,  156,
		/* 0x10 */  157,  161,  164,  168,  170,  173,  176,  179,
		/* 0x18 */  181,  185,  187,  190,  192,  194,  197,  199,
		/* 0x20 */  200,  202,  204,  206,  209,  211,  213,  215,
		/* 0x28 */  217,  219,  221,  222,  224,  225,  227,  229,
		/* 0x30 */  231,  232,  234,  236,  237,  239,  240,  242,
		/* 0x38 */  244,  245,  246,  248,  250,  251,  252,  254,
	};

	b = fls64(a);
	if (b < 7)
		return ((u32)v[(u32)a] + 35) >> 6;	/* a in [0..63] */
	b = ((b * 84) >> 8) - 1;
	shift = (a >> (b * 3));
	x = ((u32)(((u32)v[shift] + 10) << b)) >> 6;
	/* x = (2 * x + a / x^2) / 3 */
	x = (2 * x + (u32)div64_u64(a, (u64)x * (u64)(x - 1)));
	x = ((x * 341) >> 10);
	return x;
}

/**
 * xtcp_cubic_update - where the curve says cwnd should go: set @ca->cnt, the ACKed
 * segments per one-segment increase, like bictcp_update()
 * @ca: the connection's CUBIC state
 * @cwnd: the congestion window now, segments
 * @acked: segments this ACK newly ACKed
 * @now: the time, jiffies (tcp_jiffies32; a parameter so that tests can move it)
 *
 * At most once per jiffy, unless cwnd changed.  A new epoch (after a loss, or the
 * first time) starts the curve at @cwnd with its origin at Wmax (@ca->last_max_cwnd)
 * K seconds on; the target is the curve one minimum RTT ahead.  Then the TCP-friendly
 * region: if Reno, counted in ACKs since the epoch, would be further, follow Reno.
 * cwnd grows by at most one per two ACKed segments (1.5x per round trip).
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_cubic_update(struct xtcp_cubic *ca, u32 cwnd, u32 acked, u32 now)
{
	u32 delta, bic_target, max_cnt;
	u64 offs, t;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (s32)(now - ca->last_time) <= HZ / 32)
		return;
	if (ca->epoch_start && now == ca->last_time)
		goto tcp_friendliness;
	ca->last_cwnd = cwnd;
	ca->last_time = now;

	if (ca->epoch_start == 0) {
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->bic_K = 0;
			ca->bic_origin_point = cwnd;
		} else {
			/* K = cbrt((Wmax - cwnd) / C), in 1/1024 s */
			ca->bic_K = xtcp_cubic_root(cube_factor * (ca->last_max_cwnd - cwnd));
			ca->bic_origin_point = ca->last_max_cwnd;
		}
	}

	/* t: time since the epoch plus one minimum RTT, in 1/1024 s */
	t = (s32)(now - ca->epoch_start);
	t += usecs_to_jiffies(ca->delay_min);
	t <<= BICTCP_HZ;
	do_div(t, HZ);
	offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
	/* C * |t - K|^3, in segments (no overflow below a million segments of cwnd) */
	delta = (cube_rtt_scale * offs * offs * offs) >> (10 + 3 * BICTCP_HZ);
	if (t < ca->bic_K)
		bic_target = ca->bic_origin_point - delta;
	else
		bic_target = ca->bic_origin_point + delta;

	if (bic_target > cwnd)
		ca->cnt = cwnd / (bic_target - cwnd);
	else
		ca->cnt = 100 * cwnd;		/* a very small increase */
	/* no Wmax known yet (no loss so far): at least 5 % per round trip */
	if (ca->last_max_cwnd == 0 && ca->cnt > 20)
		ca->cnt = 20;

tcp_friendliness:
	if (cubic_tcp_friendliness) {
		/* Reno's window, grown by one per cwnd * beta_scale / 8 ACKed segments */
		delta = (cwnd * beta_scale) >> 3;
		while (ca->ack_cnt > delta) {
			ca->ack_cnt -= delta;
			ca->tcp_cwnd++;
		}
		if (ca->tcp_cwnd > cwnd) {
			delta = ca->tcp_cwnd - cwnd;
			max_cnt = cwnd / delta;
			if (ca->cnt > max_cnt)
				ca->cnt = max_cnt;
		}
	}
	ca->cnt = max(ca->cnt, 2U);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cubic_update);

static void xtcp_cubic_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_cubic *ca = xtcp_ca(sk);

	if (!xtcp_is_cwnd_limited(xs))
		return;
	if (xtcp_in_slow_start(xs)) {
		acked = xtcp_slow_start(xs, acked);
		if (!acked)
			return;
	}
	xtcp_cubic_update(ca, xs->snd_cwnd, acked, tcp_jiffies32);
	xtcp_cong_avoid_ai(xs, ca->cnt, acked);
}

/* a loss: remember Wmax (lower, with fast convergence, if it fell) and go to beta * cwnd */
static u32 xtcp_cubic_recalc_ssthresh(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_cubic *ca = xtcp_ca(sk);

	ca->epoch_start = 0;
	if (xs->snd_cwnd < ca->last_max_cwnd && cubic_fast_convergence)
		ca->last_max_cwnd = (xs->snd_cwnd * (BICTCP_BETA_SCALE + cubic_beta)) /
				    (2 * BICTCP_BETA_SCALE);
	else
		ca->last_max_cwnd = xs->snd_cwnd;
	return max((xs->snd_cwnd * cubic_beta) / BICTCP_BETA_SCALE, 2U);
}

/* a retransmission timeout: start over, slow start with HyStart again */
static void xtcp_cubic_state(struct sock *sk, u8 new_state)
{
	if (new_state == XTCP_CA_LOSS) {
		xtcp_cubic_reset(xtcp_ca(sk));
		xtcp_cubic_hystart_reset(sk);
	}
}

/*
 * How late ACKs may come for the sender's own super-segments, as hystart_ack_delay():
 * the time 4 of the largest take at the rate Linux would pace at in slow start (twice
 * cwnd per round trip, tcp_update_pacing_rate()), at most 1 ms.  Linux TCP computes
 * that rate whether or not it paces, and so does this, although xtcp does not pace.
 */
static u32 xtcp_cubic_ack_delay(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u64 rate;

	if (!xs->srtt_us)
		return 0;
	rate = div64_u64((u64)xs->mss_cache * 2 * max(xs->snd_cwnd, xs->packets_out) *
			 USEC_PER_SEC, xs->srtt_us);
	if (!rate)
		return 0;
	return min_t(u64, USEC_PER_MSEC,
		     div64_u64((u64)READ_ONCE(sk->sk_gso_max_size) * 4 * USEC_PER_SEC, rate));
}

/* HyStart's two tests on an RTT sample in slow start; either ends slow start */
static void xtcp_cubic_hystart_update(struct sock *sk, u32 delay)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_cubic *ca = xtcp_ca(sk);
	struct net *net = sock_net(sk);
	u32 threshold;

	if (after(xs->snd_una, ca->end_seq))
		xtcp_cubic_hystart_reset(sk);
	if (xs->snd_cwnd < cubic_hystart_low_window)
		return;

	if (cubic_hystart_detect & HYSTART_ACK_TRAIN) {
		u32 now = xtcp_clock_us();

		/*
		 * ACKs closely spaced since the round began, for longer than half the
		 * minimum RTT and the ACK delay (halved as Linux halves it for a sender
		 * that does not pace, SK_PACING_NONE)
		 */
		if ((s32)(now - ca->last_ack) <= cubic_hystart_ack_delta_us) {
			ca->last_ack = now;
			threshold = (ca->delay_min + xtcp_cubic_ack_delay(sk)) >> 1;
			if ((s32)(now - ca->round_start) > threshold) {
				ca->found = 1;
				XTCP_INC_STATS(net, XTCP_MIB_HYSTARTTRAINDETECT);
				XTCP_ADD_STATS(net, XTCP_MIB_HYSTARTTRAINCWND, xs->snd_cwnd);
				xs->snd_ssthresh = xs->snd_cwnd;
			}
		}
	}

	if (cubic_hystart_detect & HYSTART_DELAY) {
		/* the round's smallest RTT, once it has enough samples */
		if (ca->curr_rtt > delay)
			ca->curr_rtt = delay;
		if (ca->sample_cnt < HYSTART_MIN_SAMPLES) {
			ca->sample_cnt++;
		} else if (ca->curr_rtt > ca->delay_min +
			   HYSTART_DELAY_THRESH(ca->delay_min >> 3)) {
			ca->found = 1;
			XTCP_INC_STATS(net, XTCP_MIB_HYSTARTDELAYDETECT);
			XTCP_ADD_STATS(net, XTCP_MIB_HYSTARTDELAYCWND, xs->snd_cwnd);
			xs->snd_ssthresh = xs->snd_cwnd;
		}
	}
}

/* an ACK's RTT sample: the minimum RTT, and HyStart while in slow start */
static void xtcp_cubic_acked(struct sock *sk, const struct ack_sample *sample)
{
	struct xtcp_cubic *ca = xtcp_ca(sk);
	u32 delay;

	if (sample->rtt_us < 0)
		return;
	/* samples right after a recovery are inflated by its queue */
	if (ca->epoch_start && (s32)(tcp_jiffies32 - ca->epoch_start) < HZ)
		return;
	delay = sample->rtt_us ?: 1;
	if (ca->delay_min == 0 || ca->delay_min > delay)
		ca->delay_min = delay;
	if (!ca->found && xtcp_in_slow_start(xtcp_sk(sk)) && cubic_hystart)
		xtcp_cubic_hystart_update(sk, delay);
}

static struct xtcp_cong_ops xtcp_cubic = {
	.name		= "cubic",
	.owner		= NULL,		/* part of xtcp.ko, which each socket holds anyway */
	.init		= xtcp_cubic_init,
	.ssthresh	= xtcp_cubic_recalc_ssthresh,
	.cong_avoid	= xtcp_cubic_cong_avoid,
	.undo_cwnd	= xtcp_reno_undo_cwnd,	/* as Linux's cubic */
	.set_state	= xtcp_cubic_state,
	.cwnd_event	= xtcp_cubic_cwnd_event,
	.pkts_acked	= xtcp_cubic_acked,
};

/**
 * xtcp_cubic_register - compute CUBIC's constants and register it
 *
 * Context: process, module init.
 * Return: 0 or a negative errno.
 */
int xtcp_cubic_register(void)
{
	BUILD_BUG_ON(sizeof(struct xtcp_cubic) > XTCP_CA_PRIV_SIZE);

	beta_scale = 8 * (BICTCP_BETA_SCALE + cubic_beta) / 3 /
		     (BICTCP_BETA_SCALE - cubic_beta);
	cube_rtt_scale = cubic_bic_scale * 10;	/* 1024 * C / RTT, RTT taken as 100 ms */
	/* 2^(3 * BICTCP_HZ) / C, for K = cbrt((Wmax - cwnd) * cube_factor) */
	cube_factor = 1ULL << (10 + 3 * BICTCP_HZ);
	do_div(cube_factor, cubic_bic_scale * 10);
	return xtcp_register_congestion_control(&xtcp_cubic);
}

/**
 * xtcp_cubic_unregister - withdraw CUBIC
 *
 * Context: process, module exit.
 */
void xtcp_cubic_unregister(void)
{
	xtcp_unregister_congestion_control(&xtcp_cubic);
}
