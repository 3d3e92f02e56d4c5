// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of congestion control: the registry of algorithms (registration, choice
 * by name, the default, who may choose what, the owner's module held by each socket),
 * CUBIC's curve and TCP-friendly region against worked numbers, its reaction to a loss,
 * and HyStart's exit on a rise of the RTT.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

/* --- the registry */

static int xtcp_fake_inits, xtcp_fake_releases;

static void xtcp_fake_init(struct sock *sk)
{
	xtcp_fake_inits++;
}

static void xtcp_fake_release(struct sock *sk)
{
	xtcp_fake_releases++;
}

static struct xtcp_cong_ops xtcp_fake_ca = {
	.name		= "kunit_fake",
	.owner		= THIS_MODULE,
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= xtcp_reno_cong_avoid,
	.init		= xtcp_fake_init,
	.release	= xtcp_fake_release,
};

static void xtcp_fake_unregister(void *ca)
{
	xtcp_unregister_congestion_control(ca);
}

/* restore net.xtcp.allowed_congestion_control as it was */
static void xtcp_allowed_restore(void *saved)
{
	xtcp_set_allowed_congestion_control(saved);
	kfree(saved);
}

static void xtcp_cong_register_test(struct kunit *test)
{
	struct xtcp_cong_ops dup = xtcp_fake_ca, incomplete = xtcp_fake_ca;
	char *saved = kzalloc(256, GFP_KERNEL);
	struct socket *s;
	int refs;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	xtcp_get_allowed_congestion_control(saved, 256);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_allowed_restore, saved), 0);

	/* refused: a required callback missing; accepted once; refused twice by name */
	incomplete.ssthresh = NULL;
	KUNIT_EXPECT_EQ(test, xtcp_register_congestion_control(&incomplete), -EINVAL);
	KUNIT_ASSERT_EQ(test, xtcp_register_congestion_control(&xtcp_fake_ca), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_fake_unregister,
							&xtcp_fake_ca), 0);
	KUNIT_EXPECT_EQ(test, xtcp_register_congestion_control(&dup), -EEXIST);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cong_find("kunit_fake"), &xtcp_fake_ca);
	rcu_read_unlock();

	/* chosen by name: not by the unprivileged until allowed; unknown names */
	s = xtcp_test_kern_socket(test);
	KUNIT_EXPECT_STREQ(test, xtcp_sk(s->sk)->ca_ops->name, "cubic");
	lock_sock(s->sk);
	KUNIT_EXPECT_EQ(test, xtcp_set_congestion_control(s->sk, "kunit_fake", false), -EPERM);
	KUNIT_EXPECT_EQ(test, xtcp_set_congestion_control(s->sk, "no_such_ca", false), -ENOENT);
	release_sock(s->sk);

	/* a socket using it holds its module; init() at the start, release() at the end */
	refs = module_refcount(THIS_MODULE);
	xtcp_fake_inits = 0;
	xtcp_fake_releases = 0;
	lock_sock(s->sk);
	KUNIT_EXPECT_EQ(test, xtcp_set_congestion_control(s->sk, "kunit_fake", true), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fake_inits, 0);	/* a closed socket: not yet */
	xtcp_cong_init(s->sk);
	release_sock(s->sk);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);
	KUNIT_EXPECT_EQ(test, xtcp_fake_inits, 1);
	kunit_release_action(test, xtcp_test_release, s);
	rcu_barrier();		/* the socket's destructor may wait for a grace period */
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	KUNIT_EXPECT_EQ(test, xtcp_fake_releases, 1);

	/* allowed: anyone may choose it; switching away drops the hold at once */
	KUNIT_ASSERT_EQ(test,
			xtcp_set_allowed_congestion_control((char[]){"reno cubic kunit_fake"}), 0);
	KUNIT_EXPECT_EQ(test, xtcp_set_allowed_congestion_control((char[]){"reno no_such_ca"}),
			-ENOENT);
	s = xtcp_test_kern_socket(test);
	lock_sock(s->sk);
	KUNIT_EXPECT_EQ(test, xtcp_set_congestion_control(s->sk, "kunit_fake", false), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);
	KUNIT_EXPECT_EQ(test, xtcp_set_congestion_control(s->sk, "reno", false), 0);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
	release_sock(s->sk);

	/* gone from the registry once unregistered */
	kunit_release_action(test, xtcp_fake_unregister, &xtcp_fake_ca);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, xtcp_cong_find("kunit_fake"));
	rcu_read_unlock();
}

static void xtcp_cubic_default_restore(void *unused)
{
	xtcp_set_default_congestion_control(&init_net, "cubic");
}

static void xtcp_cong_default_test(struct kunit *test)
{
	char name[TCP_CA_NAME_MAX], list[256];
	struct socket *s;

	xtcp_get_default_congestion_control(&init_net, name);
	KUNIT_EXPECT_STREQ(test, name, "cubic");
	xtcp_get_available_congestion_control(list, sizeof(list));
	KUNIT_EXPECT_TRUE(test, !strncmp(list, "reno cubic", 10));

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_cubic_default_restore,
							NULL), 0);
	KUNIT_ASSERT_EQ(test, xtcp_set_default_congestion_control(&init_net, "reno"), 0);
	s = xtcp_test_kern_socket(test);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_sk(s->sk)->ca_ops,
			    (const struct xtcp_cong_ops *)&xtcp_reno);
	xtcp_get_default_congestion_control(&init_net, name);
	KUNIT_EXPECT_STREQ(test, name, "reno");
}

/* --- CUBIC */

/*
 * The curve after a loss at Wmax = 100: cwnd restarts at 70 and K = cbrt(30 / 0.4)
 * = 4.217 s, 4318 in 1/1024 s.  At K the target is Wmax: cnt = 70 / 30 = 2.
 */
static void xtcp_cubic_curve_test(struct kunit *test)
{
	struct xtcp_cubic ca = { .last_max_cwnd = 100 };
	u32 t0 = 100000, k_jiffies;

	xtcp_cubic_update(&ca, 70, 1, t0);
	KUNIT_EXPECT_EQ(test, ca.epoch_start, t0);
	KUNIT_EXPECT_EQ(test, ca.bic_origin_point, 100U);
	KUNIT_EXPECT_GE(test, ca.bic_K, 4275U);		/* within 1 % of 4318 */
	KUNIT_EXPECT_LE(test, ca.bic_K, 4361U);
	KUNIT_EXPECT_GE(test, ca.cnt, 70U);		/* at the start: nearly flat */

	/* half-way to K: W = 100 - 0.4 * 2.108^3 = 96.25, cnt = 70 / 26 */
	xtcp_cubic_update(&ca, 70, 1, t0 + ca.bic_K * HZ / 2048);
	KUNIT_EXPECT_EQ(test, ca.cnt, 2U);
	/* from a window nearer the target: 94 / (96 - 94) = 47 */
	ca.last_cwnd = 0;
	ca.last_time = 0;
	xtcp_cubic_update(&ca, 94, 1, t0 + ca.bic_K * HZ / 2048 + 1);
	KUNIT_EXPECT_GE(test, ca.cnt, 23U);		/* target 96 or 97 */
	KUNIT_EXPECT_LE(test, ca.cnt, 47U);
	/* at K, on the plateau: the target is Wmax */
	k_jiffies = ca.bic_K * HZ / 1024;
	xtcp_cubic_update(&ca, 99, 1, t0 + k_jiffies);
	KUNIT_EXPECT_EQ(test, ca.cnt, 99U);		/* 99 / (100 - 99) */
	/* 2 s past K: W = 100 + 0.4 * 8 = 103.2 */
	xtcp_cubic_update(&ca, 100, 1, t0 + k_jiffies + 2 * HZ);
	KUNIT_EXPECT_GE(test, ca.cnt, 33U);		/* 100 / (103 - 100) */
	KUNIT_EXPECT_LE(test, ca.cnt, 34U);
}

/*
 * The TCP-friendly region: cwnd at Wmax (K = 0), 401 segments ACKed within 70 ms (the
 * curve is recomputed at most every HZ / 32).  CUBIC's curve barely moves (cnt = 100 *
 * cwnd), Reno's estimate grows by one per cwnd * beta_scale / 8 = 100 * 15 / 8 = 187
 * ACKed segments: 2, so cnt = 100 / 2.
 */
static void xtcp_cubic_friendly_test(struct kunit *test)
{
	struct xtcp_cubic ca = { .last_max_cwnd = 100 };
	u32 t0 = 100000;

	xtcp_cubic_update(&ca, 100, 1, t0);
	KUNIT_EXPECT_EQ(test, ca.bic_K, 0U);
	KUNIT_EXPECT_EQ(test, ca.tcp_cwnd, 100U);
	xtcp_cubic_update(&ca, 100, 100, t0 + HZ / 32 + 1);
	KUNIT_EXPECT_EQ(test, ca.tcp_cwnd, 100U);	/* 101 ACKed: not yet */
	KUNIT_EXPECT_EQ(test, ca.cnt, 100U * 100);
	xtcp_cubic_update(&ca, 100, 300, t0 + 2 * (HZ / 32) + 3);
	KUNIT_EXPECT_EQ(test, ca.tcp_cwnd, 102U);
	KUNIT_EXPECT_EQ(test, ca.ack_cnt, 401U - 2 * 187);
	KUNIT_EXPECT_EQ(test, ca.cnt, 50U);
}

/* a loss: ssthresh = 717/1024 of cwnd; a second one below Wmax lowers Wmax further */
static void xtcp_cubic_loss_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	struct xtcp_cubic *ca = xtcp_ca(s->sk);

	lock_sock(s->sk);
	KUNIT_ASSERT_STREQ(test, xs->ca_ops->name, "cubic");
	xtcp_cong_init(s->sk);
	xs->snd_cwnd = 100;
	KUNIT_EXPECT_EQ(test, xs->ca_ops->ssthresh(s->sk), 70U);
	KUNIT_EXPECT_EQ(test, ca->last_max_cwnd, 100U);
	KUNIT_EXPECT_EQ(test, ca->epoch_start, 0U);
	xs->snd_cwnd = 80;		/* fast convergence: Wmax = 80 * (1 + 0.7) / 2 */
	KUNIT_EXPECT_EQ(test, xs->ca_ops->ssthresh(s->sk), 56U);
	KUNIT_EXPECT_EQ(test, ca->last_max_cwnd, 68U);
	/* a timeout starts over: the curve and Wmax are forgotten */
	xtcp_set_ca_state(s->sk, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, ca->last_max_cwnd, 0U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_LOSS);
	release_sock(s->sk);
}

static void xtcp_cubic_sample(struct sock *sk, s32 rtt_us)
{
	struct ack_sample sample = { .pkts_acked = 1, .rtt_us = rtt_us };

	xtcp_sk(sk)->ca_ops->pkts_acked(sk, &sample);
}

/*
 * HyStart's delay test: with a minimum RTT of 4 s (so that the ACK-train test, which
 * needs 2 s of ACKs, stays out of it) the threshold is 4 s + 16 ms.  A round whose
 * eight samples stay at it keeps slow start; one above it ends slow start.
 */
static void xtcp_cubic_hystart_delay_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	struct xtcp_cubic *ca = xtcp_ca(s->sk);
	unsigned long before = xtcp_mib_read(&init_net, XTCP_MIB_HYSTARTDELAYDETECT);
	int i;

	lock_sock(s->sk);
	xs->snd_una = 1000;
	xs->snd_nxt = 1000;
	xtcp_cong_init(s->sk);
	xs->snd_cwnd = 20;
	xtcp_cubic_sample(s->sk, 4000000);
	KUNIT_EXPECT_EQ(test, ca->delay_min, 4000000U);

	/* a round at the threshold: no exit */
	xs->snd_nxt = 5000;
	xs->snd_una = 2000;		/* past the first round's end: a new round */
	for (i = 0; i < 9; i++)
		xtcp_cubic_sample(s->sk, 4016000);
	KUNIT_EXPECT_EQ(test, ca->found, 0);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, XTCP_INFINITE_SSTHRESH);

	/* a round above it: the ninth sample ends slow start at cwnd */
	xs->snd_nxt = 9000;
	xs->snd_una = 6000;
	for (i = 0; i < 8; i++)
		xtcp_cubic_sample(s->sk, 4016001);
	KUNIT_EXPECT_EQ(test, ca->found, 0);
	xtcp_cubic_sample(s->sk, 4016001);
	KUNIT_EXPECT_EQ(test, ca->found, 1);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 20U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_HYSTARTDELAYDETECT) - before,
			1UL);
	release_sock(s->sk);
}

static struct kunit_case xtcp_cong_cases[] = {
	KUNIT_CASE(xtcp_cong_register_test),
	KUNIT_CASE(xtcp_cong_default_test),
	KUNIT_CASE(xtcp_cubic_curve_test),
	KUNIT_CASE(xtcp_cubic_friendly_test),
	KUNIT_CASE(xtcp_cubic_loss_test),
	KUNIT_CASE(xtcp_cubic_hystart_delay_test),
	{}
};

static struct kunit_suite xtcp_cong_suite = {
	.name = "xtcp_cong",
	.test_cases = xtcp_cong_cases,
};

kunit_test_suites(&xtcp_cong_suite);
