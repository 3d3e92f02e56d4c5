// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of how an xtcp connection ends, driven by crafted segments:
 *   - the close state machine: ESTABLISHED + FIN -> CLOSE_WAIT -> LAST_ACK -> CLOSE;
 *     ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT; the simultaneous close
 *     through CLOSING; a FIN out of order; data after close(); xtcp_close_state();
 *   - RSTs and SYNs on a synchronized connection (RFC 5961 challenge ACKs);
 *   - TIME_WAIT minisockets: what xtcp_timewait_state_process() answers, PAWS, the
 *     port they hold, their reuse by connect(), and the max_tw_buckets cap;
 *   - close() itself: the orphan's way to TIME_WAIT, and the RST for unread data;
 *   - keepalive: the schedule, its sysctl defaults, the timer's probes and its verdict,
 *     and xtcp_write_timeout().
 *
 * Each connection is a kernel socket in init_net put in ESTABLISHED by hand
 * (xtcp_test_establish()) and linked into the established hash and its port, so that
 * TIME_WAIT can take its place.  Its peer's end of the 4-tuple is held by a socket in
 * CLOSE, linked into the hash too: what the connection sends reaches it over loopback
 * and is dropped there without an answer (no RST comes back to reset the connection
 * under test).  A raw socket on our protocol keeps a copy of every segment, which is
 * how the tests see what was sent.  Segments from the peer are crafted and fed straight
 * to xtcp_rcv_state_process(), xtcp_timewait_state_process() or xtcp_rcv().
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <asm/ioctls.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

#define LO		htonl(INADDR_LOOPBACK)
#define ISS		XTCP_TEST_ISS		/* our ISN: our FIN is ISS + 1 */
#define D		(XTCP_TEST_IRS + 1)	/* the peer's first sequence number */
#define TW_ISN(snd_nxt)	((snd_nxt) + 65535 + 2)	/* a new incarnation's ISN */
#define XTCP_TD_BUF	128			/* IP and TCP headers of a copy */

static unsigned long xtcp_td_mib(enum xtcp_mib_field f)
{
	return xtcp_mib_read(&init_net, f);
}

/*
 * struct xtcp_td - one connection under test
 * @test: the test
 * @s: the connection, established by hand, hashed, holding @lport
 * @sk: its sock
 * @xs: the same, as an xtcp_sock
 * @cap: the raw socket that sees every segment sent
 * @buf: room for one copy
 * @lport: our port
 * @rport: the peer's
 */
struct xtcp_td {
	struct kunit *test;
	struct socket *s;
	struct sock *sk;
	struct xtcp_sock *xs;
	struct socket *cap;
	u8 *buf;
	u16 lport, rport;
};

/* What a segment we sent carried. */
struct xtcp_td_sent {
	u32 seq, ack;
	u8 flags;
	unsigned int len;
};

/* The peer's end: out of the established hash again, then released. */
static void xtcp_td_peer_release(void *arg)
{
	struct socket *peer = arg;

	xtcp_ehash_remove(peer->sk);
	inet_sk(peer->sk)->inet_num = 0;
	sock_release(peer);
}

/* The TIME_WAIT minisocket or socket on our 4-tuple, referenced, or NULL. */
static struct sock *xtcp_td_lookup(struct xtcp_td *td)
{
	struct sock *sk;

	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, LO, htons(td->rport), LO, htons(td->lport), 1);
	rcu_read_unlock();
	return sk;
}

/* Is anything in the established hash on our 4-tuple? */
static bool xtcp_td_in_hash(struct xtcp_td *td)
{
	struct sock *found = xtcp_td_lookup(td);

	if (found)
		xtcp_sock_gen_put(found);
	return found;
}

/* The TIME_WAIT minisocket on our 4-tuple, referenced, or NULL. */
static struct xtcp_timewait_sock *xtcp_td_tw(struct xtcp_td *td)
{
	struct sock *found = xtcp_td_lookup(td);

	if (found && found->sk_state == TCP_TIME_WAIT)
		return xtcp_twsk(found);
	if (found)
		xtcp_sock_gen_put(found);
	return NULL;
}

/* Whatever is left on @td's 4-tuple - a TIME_WAIT or a socket - let go of. */
static void xtcp_td_forget_tuple(struct xtcp_td *td)
{
	struct sock *found = xtcp_td_lookup(td);

	if (found && found->sk_state == TCP_TIME_WAIT)
		xtcp_tw_deschedule_put(xtcp_twsk(found));
	else if (found)
		xtcp_sock_gen_put(found);
}

/* Whatever a test left: the socket closed and unhashed, no TIME_WAIT on its 4-tuple. */
static void xtcp_td_cleanup(void *arg)
{
	struct xtcp_td *td = arg;

	lock_sock(td->sk);
	__skb_queue_purge(&td->sk->sk_receive_queue);
	xtcp_set_state(td->sk, TCP_CLOSE);
	inet_sk(td->sk)->inet_num = 0;
	release_sock(td->sk);
	xtcp_td_forget_tuple(td);
}

/*
 * A connection 127.0.0.1:@lport -> 127.0.0.1:@rport in ESTABLISHED, hashed and bound,
 * with its silent peer and a raw socket watching; all undone when the test ends.
 */
static struct xtcp_td *xtcp_td_new(struct kunit *test, u16 lport, u16 rport)
{
	struct xtcp_td *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	struct inet_sock *inet;
	struct socket *peer;
	bool hashed;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, td);
	td->test = test;
	td->lport = lport;
	td->rport = rport;
	td->buf = kunit_kzalloc(test, XTCP_TD_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, td->buf);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_RAW, xtcp_protocol,
					       &td->cap), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_test_release, td->cap), 0);
	WRITE_ONCE(td->cap->sk->sk_rcvtimeo, HZ);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM, xtcp_protocol,
					       &peer), 0);
	inet = inet_sk(peer->sk);
	inet->inet_rcv_saddr = LO;
	inet->inet_saddr = LO;
	inet->inet_num = rport;
	inet->inet_sport = htons(rport);
	inet->inet_daddr = LO;
	inet->inet_dport = htons(lport);
	xtcp_ehash_insert(peer->sk, NULL, NULL);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_td_peer_release, peer), 0);

	td->s = xtcp_test_kern_socket(test);
	td->sk = td->s->sk;
	td->xs = xtcp_sk(td->sk);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_td_cleanup, td), 0);
	lock_sock(td->sk);
	xtcp_test_establish(td->sk, lport, rport);
	err = xtcp_get_port(td->sk, lport);
	hashed = xtcp_ehash_insert(td->sk, NULL, NULL);
	release_sock(td->sk);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_TRUE(test, hashed);
	return td;
}

/* A net.xtcp sysctl set for the test, and its old value, restored when the test ends. */
struct xtcp_td_sysctl {
	int *p;
	int old;
};

static void xtcp_td_sysctl_restore(void *arg)
{
	struct xtcp_td_sysctl *c = arg;

	WRITE_ONCE(*c->p, c->old);
}

static void xtcp_td_sysctl_set(struct kunit *test, int *p, int val)
{
	struct xtcp_td_sysctl *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->p = p;
	c->old = READ_ONCE(*p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_td_sysctl_restore, c), 0);
	WRITE_ONCE(*p, val);
}

/* A segment from the peer, as xtcp_rcv() passes it to xtcp_rcv_state_process(). */
static struct sk_buff *xtcp_td_seg(struct xtcp_td *td, u32 seq, u32 ack, u8 flags,
				   unsigned int len)
{
	struct xtcp_test_seg seg = { .sport = td->rport, .dport = td->lport, .seq = seq,
				     .ack = ack, .flags = flags, .payload = len };

	return xtcp_test_rcv_skb(td->test, &seg);
}

/* The same with a timestamps option. */
static struct sk_buff *xtcp_td_seg_ts(struct xtcp_td *td, u32 seq, u32 ack, u8 flags,
				      u32 tsval)
{
	struct xtcp_test_seg seg = { .sport = td->rport, .dport = td->lport, .seq = seq,
				     .ack = ack, .flags = flags, .ts = true, .tsval = tsval };

	return xtcp_test_rcv_skb(td->test, &seg);
}

/* The same as ip_local_deliver_finish() hands it to xtcp_rcv(). */
static struct sk_buff *xtcp_td_wire(struct xtcp_td *td, u32 seq, u32 ack, u8 flags,
				    unsigned int len)
{
	struct xtcp_test_seg seg = { .sport = td->rport, .dport = td->lport, .seq = seq,
				     .ack = ack, .flags = flags, .payload = len };

	return xtcp_test_skb(td->test, &seg);
}

/* xtcp_rcv() as the IP layer calls it: softirqs off, under RCU. */
static void xtcp_td_rcv(struct sk_buff *skb)
{
	local_bh_disable();
	rcu_read_lock();
	xtcp_rcv(skb);
	rcu_read_unlock();
	local_bh_enable();
}

/*
 * The next segment the connection sent (any from @lport to @rport, a TIME_WAIT's
 * too), waiting up to a second if @wait; false if none.
 */
static bool xtcp_td_next(struct xtcp_td *td, struct xtcp_td_sent *out, bool wait)
{
	for (;;) {
		struct msghdr msg = {};
		struct kvec iov = { .iov_base = td->buf, .iov_len = XTCP_TD_BUF };
		const struct iphdr *iph = (const struct iphdr *)td->buf;
		const struct tcphdr *th;
		int n;

		n = kernel_recvmsg(td->cap, &msg, &iov, 1, XTCP_TD_BUF,
				   wait ? 0 : MSG_DONTWAIT);
		if (n < 0)
			return false;
		if (n < (int)sizeof(*iph) || n < iph->ihl * 4 + (int)sizeof(*th))
			continue;
		th = (const struct tcphdr *)(td->buf + iph->ihl * 4);
		if (ntohs(th->source) != td->lport || ntohs(th->dest) != td->rport)
			continue;
		out->seq = ntohl(th->seq);
		out->ack = ntohl(th->ack_seq);
		out->flags = tcp_flag_byte(th);
		out->len = ntohs(iph->tot_len) - iph->ihl * 4 - th->doff * 4;
		return true;
	}
}

/* The next segment sent was @flags, @seq, @ack, without data. */
static void xtcp_td_expect_sent(struct xtcp_td *td, const char *what, u8 flags, u32 seq,
				u32 ack)
{
	struct xtcp_td_sent seg;

	if (!xtcp_td_next(td, &seg, true)) {
		KUNIT_FAIL(td->test, "%s: nothing sent", what);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(td->test, seg.flags, flags, "%s: flags", what);
	KUNIT_EXPECT_EQ_MSG(td->test, seg.seq, seq, "%s: seq", what);
	KUNIT_EXPECT_EQ_MSG(td->test, seg.ack, ack, "%s: ack", what);
	KUNIT_EXPECT_EQ_MSG(td->test, seg.len, 0U, "%s: data", what);
}

/* Nothing more was sent (what was sent came back at once: loopback, in this context). */
static void xtcp_td_expect_quiet(struct xtcp_td *td, const char *what)
{
	struct xtcp_td_sent seg;

	if (xtcp_td_next(td, &seg, false))
		KUNIT_FAIL(td->test, "%s: sent flags %#x seq %u ack %u", what, seg.flags,
			   seg.seq, seg.ack);
}

/* SIOCINQ (FIONREAD), through the protocol's ioctl: xtcp_inq(). */
static int xtcp_td_inq(struct xtcp_td *td)
{
	int val = -1;

	KUNIT_EXPECT_EQ(td->test, td->sk->sk_prot->ioctl(td->sk, SIOCINQ, &val), 0);
	return val;
}

/* recv() with MSG_DONTWAIT into a scratch buffer. */
static int xtcp_td_read(struct xtcp_td *td, unsigned int len)
{
	void *buf = kunit_kzalloc(td->test, len, GFP_KERNEL);
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	if (!buf)
		return -ENOMEM;
	return kernel_recvmsg(td->s, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/*
 * The connection closes actively (by hand, as close() would): FIN_WAIT1 with our FIN
 * sent, FIN_WAIT2 on its ACK, TIME_WAIT on the peer's FIN, every segment of the peer
 * with a timestamp @tsval if non-zero.  Return the TIME_WAIT minisocket, referenced by
 * the caller, or NULL.
 */
static struct xtcp_timewait_sock *xtcp_td_time_wait(struct xtcp_td *td, u32 tsval)
{
	struct sk_buff *ack, *fin;

	if (tsval) {
		ack = xtcp_td_seg_ts(td, D, ISS + 2, TCPHDR_ACK, tsval);
		fin = xtcp_td_seg_ts(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, tsval);
	} else {
		ack = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK, 0);
		fin = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, 0);
	}
	lock_sock(td->sk);
	if (tsval) {
		td->xs->tstamp_ok = 1;
		td->xs->ts_recent = tsval - 1;
	}
	if (xtcp_close_state(td->sk))
		xtcp_send_fin(td->sk);
	xtcp_test_feed(td->sk, ack);
	xtcp_test_feed(td->sk, fin);
	release_sock(td->sk);
	return xtcp_td_tw(td);
}

/*
 * Would a connect() take @tw over (xtcp_twsk_unique())?  Asked for a scratch socket;
 * the reference a yes takes is given back.
 */
static bool xtcp_td_tw_unique(struct kunit *test, struct xtcp_timewait_sock *tw,
			      bool ephemeral)
{
	struct socket *s = xtcp_test_kern_socket(test);
	bool unique = xtcp_twsk_unique(s->sk, tw, ephemeral);

	if (unique)
		xtcp_tw_put(tw);
	kunit_release_action(test, xtcp_test_release, s);
	return unique;
}

/* --- 1. the close state machine */

/* xtcp_close_state(): the next state after close() or shutdown(SHUT_WR), and the FIN. */
static void xtcp_teardown_close_state_test(struct kunit *test)
{
	static const struct {
		int from, to;
		bool fin;
	} map[] = {
		{ TCP_ESTABLISHED, TCP_FIN_WAIT1, true },
		{ TCP_CLOSE_WAIT, TCP_LAST_ACK, true },
		{ TCP_FIN_WAIT1, TCP_FIN_WAIT1, false },
		{ TCP_FIN_WAIT2, TCP_FIN_WAIT2, false },
		{ TCP_CLOSING, TCP_CLOSING, false },
		{ TCP_LAST_ACK, TCP_LAST_ACK, false },
		{ TCP_SYN_SENT, TCP_CLOSE, false },
		{ TCP_SYN_RECV, TCP_CLOSE, false },	/* close() resets it first */
		{ TCP_LISTEN, TCP_CLOSE, false },
		{ TCP_CLOSE, TCP_CLOSE, false },
	};
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	unsigned int i;
	int fin;

	lock_sock(sk);
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		xtcp_set_state(sk, map[i].from);
		fin = xtcp_close_state(sk);
		KUNIT_EXPECT_EQ_MSG(test, sk->sk_state, map[i].to, "from state %d", map[i].from);
		KUNIT_EXPECT_EQ_MSG(test, !!fin, map[i].fin, "from state %d", map[i].from);
	}
	xtcp_set_state(sk, TCP_CLOSE);
	release_sock(sk);
}

/*
 * The peer closes first: data + FIN -> CLOSE_WAIT, the FIN ACKed and not counted as
 * data; we close -> LAST_ACK with our FIN sent; an ACK short of it changes nothing,
 * its ACK -> CLOSE.  The reader gets the data, then 0.
 */
static void xtcp_teardown_passive_close_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40501, 7701);
	struct sk_buff *fin = xtcp_td_seg(td, D, ISS + 1, TCPHDR_ACK | TCPHDR_FIN, 100);
	struct sk_buff *short_ack = xtcp_td_seg(td, D + 101, ISS + 1, TCPHDR_ACK, 0);
	struct sk_buff *fin_ack = xtcp_td_seg(td, D + 101, ISS + 2, TCPHDR_ACK, 0);
	struct xtcp_sock *xs = td->xs;
	struct sock *sk = td->sk;
	struct sk_buff *skb;
	unsigned long resets = xtcp_td_mib(XTCP_MIB_ESTABRESETS);
	u32 segs;
	__poll_t mask;
	int fin_action;

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin), 2);	/* its data was queued */
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 101U);		/* 100 bytes and the FIN */
	KUNIT_EXPECT_EQ(test, xs->bytes_received, 100ULL);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, RCV_SHUTDOWN);
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DONE));
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	skb = skb_peek(&sk->sk_receive_queue);
	if (skb)
		KUNIT_EXPECT_EQ(test, skb->len, 100U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, D + 101U);		/* the ACK went at once */
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 1, D + 101);

	fin_action = xtcp_close_state(sk);
	KUNIT_EXPECT_NE(test, fin_action, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_LAST_ACK);
	xtcp_send_fin(sk);
	KUNIT_EXPECT_EQ(test, xs->write_seq, ISS + 2U);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, ISS + 2U);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 1U);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 1U);
	skb = xtcp_rtx_queue_head(sk);
	if (skb) {
		KUNIT_EXPECT_TRUE(test, XTCP_SKB_CB(skb)->flags & TCPHDR_FIN);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, ISS + 1U);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, ISS + 2U);
		KUNIT_EXPECT_EQ(test, skb->len, 0U);
	}
	/* retransmitted like data: the tail-loss probe first, then the RTO */
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);
	xtcp_td_expect_sent(td, "our FIN", TCPHDR_ACK | TCPHDR_FIN, ISS + 1,
			    D + 101);

	segs = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, short_ack), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_LAST_ACK);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 1U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin_ack), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xs->snd_una, ISS + 2U);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 0U);
	KUNIT_EXPECT_TRUE(test, xtcp_rtx_queue_empty(sk));
	KUNIT_EXPECT_EQ(test, xs->pending, 0);
	KUNIT_EXPECT_FALSE(test, timer_pending(&xs->retransmit_timer));
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SHUTDOWN_MASK);
	KUNIT_EXPECT_EQ(test, sk->sk_err, 0);
	KUNIT_EXPECT_NULL(test, xs->bind_bucket);		/* its port is free */
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs);		/* nothing answers those ACKs */
	release_sock(sk);
	xtcp_td_expect_quiet(td, "after the ACK of our FIN");
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ESTABRESETS), resets);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));	/* no TIME_WAIT: it closed second */

	/* what was received stays readable: the 100 bytes, then the end of the stream */
	KUNIT_EXPECT_EQ(test, xtcp_td_inq(td), 100);
	mask = td->s->ops->poll(NULL, td->s, NULL);
	KUNIT_EXPECT_EQ(test, (__force u32)(mask & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)),
			(__force u32)(EPOLLIN | EPOLLRDHUP | EPOLLHUP));
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 200), 100);
	KUNIT_EXPECT_EQ(test, xtcp_td_inq(td), 0);
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 200), 0);
}

/*
 * We close first, through shutdown(SHUT_WR): FIN_WAIT1, FIN_WAIT2 on the ACK of our
 * FIN, TIME_WAIT on the peer's FIN.  The TIME_WAIT minisocket takes the socket's place
 * in the established hash and holds its port; the socket is closed.
 */
static void xtcp_teardown_active_close_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40502, 7702);
	struct sk_buff *fin_ack = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK, 0);
	struct sk_buff *fin = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, 0);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	struct socket *other = xtcp_test_kern_socket(test);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(td->lport),
				   .sin_addr.s_addr = LO };
	struct xtcp_sock *xs = td->xs;
	struct xtcp_timewait_sock *tw;
	struct sock *sk = td->sk;
	int tw_count = atomic_read(&xn->tw_count);
	u32 segs;

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(td->s, SHUT_WR), 0);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SEND_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, xs->write_seq, ISS + 2U);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, ISS + 2U);
	release_sock(sk);
	xtcp_td_expect_sent(td, "our FIN", TCPHDR_ACK | TCPHDR_FIN, ISS + 1, D);
	/* a second shutdown sends nothing more */
	segs = xs->segs_out;
	KUNIT_EXPECT_EQ(test, kernel_sock_shutdown(td->s, SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs);
	KUNIT_EXPECT_EQ(test, xs->write_seq, ISS + 2U);

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin_ack), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, xs->snd_una, ISS + 2U);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 0U);
	KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));	/* not an orphan */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 1U);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SHUTDOWN_MASK);
	KUNIT_EXPECT_TRUE(test, sk_unhashed(sk));
	KUNIT_EXPECT_NULL(test, xs->bind_bucket);
	release_sock(sk);
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 2, D + 1);

	tw = xtcp_td_tw(td);		/* the socket's place in the table */
	KUNIT_ASSERT_NOT_NULL(test, tw);
	KUNIT_EXPECT_EQ(test, tw->rcv_nxt, D + 1U);
	KUNIT_EXPECT_EQ(test, tw->snd_nxt, ISS + 2U);
	KUNIT_EXPECT_FALSE(test, tw->tstamp_ok);
	KUNIT_EXPECT_TRUE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_TRUE(test, time_after(tw->timer.expires,
					   jiffies + (READ_ONCE(xn->sysctl_tw_timeout) - 10) * HZ));
	/* the table's reference, the timer's and ours */
	KUNIT_EXPECT_EQ(test, refcount_read(&tw->common.skc_refcnt), 3U);
	KUNIT_EXPECT_EQ(test, atomic_read(&xn->tw_count), tw_count + 1);
	KUNIT_EXPECT_NOT_NULL(test, tw->tb);
	if (tw->tb)
		KUNIT_EXPECT_EQ(test, tw->tb->port, td->lport);
	/* it holds the port: bind() fails until it is gone */
	KUNIT_EXPECT_EQ(test, kernel_bind(other, (struct sockaddr *)&sin, sizeof(sin)),
			-EADDRINUSE);

	xtcp_tw_deschedule_put(tw);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
	KUNIT_EXPECT_EQ(test, atomic_read(&xn->tw_count), tw_count);
	KUNIT_EXPECT_EQ(test, kernel_bind(other, (struct sockaddr *)&sin, sizeof(sin)), 0);
}

/*
 * Both close at once: our FIN is out when the peer's comes (FIN_WAIT1 -> CLOSING), the
 * ACK of ours ends in TIME_WAIT.
 */
static void xtcp_teardown_simultaneous_close_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40503, 7703);
	struct sk_buff *fin = xtcp_td_seg(td, D, ISS + 1, TCPHDR_ACK | TCPHDR_FIN, 0);
	struct sk_buff *ack = xtcp_td_seg(td, D + 1, ISS + 2, TCPHDR_ACK, 0);
	struct xtcp_sock *xs = td->xs;
	struct xtcp_timewait_sock *tw;
	struct sock *sk = td->sk;
	int fin_action;

	lock_sock(sk);
	fin_action = xtcp_close_state(sk);
	KUNIT_EXPECT_NE(test, fin_action, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	if (fin_action)
		xtcp_send_fin(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSING);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 1U);
	KUNIT_EXPECT_EQ(test, xs->snd_una, ISS + 1U);		/* ours is not ACKed yet */
	KUNIT_EXPECT_EQ(test, xs->packets_out, 1U);
	KUNIT_EXPECT_TRUE(test, sk->sk_shutdown & RCV_SHUTDOWN);
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DONE));
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, ack), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_TRUE(test, sk_unhashed(sk));
	release_sock(sk);
	xtcp_td_expect_sent(td, "our FIN", TCPHDR_ACK | TCPHDR_FIN, ISS + 1, D);
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 2, D + 1);
	xtcp_td_expect_quiet(td, "after the ACK of our FIN");

	tw = xtcp_td_tw(td);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	KUNIT_EXPECT_EQ(test, tw->rcv_nxt, D + 1U);
	KUNIT_EXPECT_EQ(test, tw->snd_nxt, ISS + 2U);
	xtcp_tw_deschedule_put(tw);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
}

/*
 * A FIN out of order waits in the out-of-order queue, its data before it too; the
 * segment that fills the hole brings them in and the FIN then moves the connection to
 * CLOSE_WAIT.  The reader gets all the data, then 0.
 */
static void xtcp_teardown_ofo_fin_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40504, 7704);
	struct sk_buff *b = xtcp_td_seg(td, D + 100, ISS + 1, TCPHDR_ACK, 100);
	struct sk_buff *fin = xtcp_td_seg(td, D + 200, ISS + 1, TCPHDR_ACK | TCPHDR_FIN, 0);
	struct sk_buff *a = xtcp_td_seg(td, D, ISS + 1, TCPHDR_ACK, 100);
	unsigned long ofo = xtcp_td_mib(XTCP_MIB_OFOQUEUE);
	struct xtcp_sock *xs = td->xs;
	struct sock *sk = td->sk;
	struct sk_buff *skb;

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, b), 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin), 2);	/* a FIN alone is kept too */
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, 0);
	KUNIT_EXPECT_FALSE(test, sock_flag(sk, SOCK_DONE));
	KUNIT_EXPECT_EQ(test, skb_queue_len(&xs->out_of_order_queue), 2U);
	skb = skb_peek_tail(&xs->out_of_order_queue);
	if (skb) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, D + 200U);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, D + 201U);
	}
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_OFOQUEUE) - ofo, 2UL);

	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 201U);
	KUNIT_EXPECT_EQ(test, xs->bytes_received, 200ULL);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&xs->out_of_order_queue));
	KUNIT_EXPECT_NULL(test, xs->ofo_last);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 2U);	/* not the FIN */
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, RCV_SHUTDOWN);
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DONE));
	release_sock(sk);
	/* a duplicate ACK for each out-of-order segment, then one ACK of everything */
	xtcp_td_expect_sent(td, "ACK of the data out of order", TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_sent(td, "ACK of the FIN out of order", TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 1, D + 201);
	xtcp_td_expect_quiet(td, "the hole filled: no second ACK");

	KUNIT_EXPECT_EQ(test, xtcp_td_inq(td), 200);
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 500), 200);
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 500), 0);
}

/*
 * In FIN_WAIT2 data is still taken while we may read (a half-close); once close() has
 * said nobody reads (RCV_SHUTDOWN) new data resets the connection: the caller answers
 * with a RST (return 1), AbortOnData counts it.
 */
static void xtcp_teardown_data_after_close_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40505, 7705);
	struct sk_buff *fin_ack = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK, 0);
	struct sk_buff *data1 = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK, 100);
	struct sk_buff *data2 = xtcp_td_seg(td, D + 100, ISS + 2, TCPHDR_ACK, 100);
	unsigned long abort = xtcp_td_mib(XTCP_MIB_ABORTONDATA);
	struct xtcp_sock *xs = td->xs;
	struct sock *sk = td->sk;

	lock_sock(sk);
	if (xtcp_close_state(sk))
		xtcp_send_fin(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin_ack), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SEND_SHUTDOWN);

	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, data1), 2);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 100U);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ABORTONDATA), abort);

	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);	/* as close() sets it */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, data2), 1);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ABORTONDATA) - abort, 1UL);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, sk->sk_err, ECONNRESET);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, D + 100U);		/* the new data was not taken */
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	release_sock(sk);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));	/* no TIME_WAIT after a reset */
}

/* --- 2. RSTs and SYNs (RFC 5961) */

struct xtcp_td_mibs {
	unsigned long challenge, beyond, resets;
};

static void xtcp_td_mibs_read(struct xtcp_td_mibs *m)
{
	m->challenge = xtcp_td_mib(XTCP_MIB_CHALLENGEACK);
	m->beyond = xtcp_td_mib(XTCP_MIB_BEYONDWINDOW);
	m->resets = xtcp_td_mib(XTCP_MIB_ESTABRESETS);
}

/* Feed @skb to the established connection and check what it moved. */
static void xtcp_td_expect_ignored(struct xtcp_td *td, struct sk_buff *skb, const char *what,
				   unsigned long challenge, unsigned long beyond)
{
	struct kunit *test = td->test;
	struct xtcp_td_mibs m0, m1;
	u32 segs = td->xs->segs_out;

	xtcp_td_mibs_read(&m0);
	lock_sock(td->sk);
	KUNIT_EXPECT_EQ_MSG(test, xtcp_test_feed(td->sk, skb), 0, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, td->sk->sk_state, TCP_ESTABLISHED, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, td->sk->sk_err, 0, "%s", what);
	KUNIT_EXPECT_EQ_MSG(test, td->xs->rcv_nxt, D, "%s", what);
	release_sock(td->sk);
	xtcp_td_mibs_read(&m1);
	KUNIT_EXPECT_EQ_MSG(test, m1.challenge - m0.challenge, challenge, "%s: challenge ACKs",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, m1.beyond - m0.beyond, beyond, "%s: beyond window", what);
	KUNIT_EXPECT_EQ_MSG(test, m1.resets - m0.resets, 0UL, "%s: resets", what);
	KUNIT_EXPECT_EQ_MSG(test, td->xs->segs_out - segs, (u32)(challenge || beyond),
			    "%s: segments sent", what);
	if (challenge || beyond)
		xtcp_td_expect_sent(td, what, TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_quiet(td, what);
}

/*
 * In ESTABLISHED: a RST in the window but not at rcv_nxt, and a SYN anywhere, get a
 * challenge ACK; a RST outside the window is dropped; only the exact RST resets, with
 * ECONNRESET.  (Each rule alone: no rate limit here.)
 */
static void xtcp_teardown_rst_established_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40506, 7706);
	struct sk_buff *rst_in = xtcp_td_seg(td, D + 1000, 0, TCPHDR_RST, 0);
	struct sk_buff *rst_far = xtcp_td_seg(td, D + 0x40000000, 0, TCPHDR_RST, 0);
	struct sk_buff *rst_old = xtcp_td_seg(td, D - 70000, 0, TCPHDR_RST, 0);
	struct sk_buff *syn = xtcp_td_seg(td, D, 0, TCPHDR_SYN, 0);
	struct sk_buff *syn_far = xtcp_td_seg(td, D + 0x40000000, 0, TCPHDR_SYN, 0);
	struct sk_buff *rst = xtcp_td_seg(td, D, ISS + 1, TCPHDR_RST | TCPHDR_ACK, 0);
	struct xtcp_td_mibs m0, m1;
	struct sock *sk = td->sk;
	u32 segs;

	xtcp_td_sysctl_set(test, &xtcp_pernet(&init_net)->sysctl_invalid_ratelimit, 0);
	xtcp_td_expect_ignored(td, rst_in, "RST in the window", 1, 0);
	xtcp_td_expect_ignored(td, rst_far, "RST beyond the window", 0, 0);
	xtcp_td_expect_ignored(td, rst_old, "RST before the window", 0, 0);
	xtcp_td_expect_ignored(td, syn, "SYN in the window", 1, 0);
	xtcp_td_expect_ignored(td, syn_far, "SYN beyond the window", 1, 0);

	xtcp_td_mibs_read(&m0);
	segs = td->xs->segs_out;
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, rst), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, sk->sk_err, ECONNRESET);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SHUTDOWN_MASK);
	KUNIT_EXPECT_TRUE(test, sk_unhashed(sk));
	release_sock(sk);
	xtcp_td_mibs_read(&m1);
	KUNIT_EXPECT_EQ(test, m1.resets - m0.resets, 1UL);
	KUNIT_EXPECT_EQ(test, m1.challenge - m0.challenge, 0UL);
	KUNIT_EXPECT_EQ(test, td->xs->segs_out, segs);		/* never a RST to a RST */
	xtcp_td_expect_quiet(td, "exact RST");
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
	/* the reader: the error once, then the end */
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 10), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 10), 0);
}

/*
 * RFC 5961 5.2: an ACK of data never sent drops the segment, silently in ESTABLISHED
 * (Linux TCP is silent; an answer starts ACK storms); one older than snd_una minus the
 * largest window (never more than what was ACKed) drops it with a challenge ACK; an
 * ACK just a little old is only old, the data is taken.
 */
static void xtcp_teardown_ack_check_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40520, 7720);
	struct sk_buff *unsent = xtcp_td_seg(td, D, ISS + 1000, TCPHDR_ACK, 100);
	struct sk_buff *too_old = xtcp_td_seg(td, D, ISS, TCPHDR_ACK, 100);
	struct sk_buff *old = xtcp_td_seg(td, D, ISS + 1 - 1000, TCPHDR_ACK, 100);
	unsigned long challenge = xtcp_td_mib(XTCP_MIB_CHALLENGEACK);
	struct sock *sk = td->sk;

	xtcp_td_sysctl_set(test, &xtcp_pernet(&init_net)->sysctl_invalid_ratelimit, 0);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, unsent), 0);
	KUNIT_EXPECT_EQ(test, td->xs->rcv_nxt, D);
	release_sock(sk);
	xtcp_td_expect_quiet(td, "ACK of data never sent");
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_CHALLENGEACK), challenge);

	/* nothing ACKed yet: any ACK below snd_una is too old */
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, too_old), 0);
	KUNIT_EXPECT_EQ(test, td->xs->rcv_nxt, D);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_CHALLENGEACK) - challenge, 1UL);
	xtcp_td_expect_sent(td, "challenge ACK", TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_quiet(td, "after the challenge");

	/* 100000 bytes ACKed, a 65535-byte window: 1000 bytes old is fine */
	lock_sock(sk);
	td->xs->bytes_acked = 100000;
	td->xs->max_window = 65535;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, old), 2);
	KUNIT_EXPECT_EQ(test, td->xs->rcv_nxt, D + 100);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_CHALLENGEACK) - challenge, 1UL);
}

/* In CLOSE_WAIT the exact RST closes with EPIPE: the peer had said it was done. */
static void xtcp_teardown_rst_close_wait_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40507, 7707);
	struct sk_buff *fin = xtcp_td_seg(td, D, ISS + 1, TCPHDR_ACK | TCPHDR_FIN, 0);
	struct sk_buff *rst_in = xtcp_td_seg(td, D + 10, 0, TCPHDR_RST, 0);
	/* at the FIN's own sequence number, rcv_nxt - 1, as tcp_reset_check() takes it */
	struct sk_buff *rst = xtcp_td_seg(td, D, 0, TCPHDR_RST, 0);
	unsigned long resets = xtcp_td_mib(XTCP_MIB_ESTABRESETS);
	unsigned long challenge;
	struct sock *sk = td->sk;

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fin), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	challenge = xtcp_td_mib(XTCP_MIB_CHALLENGEACK);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, rst_in), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_CHALLENGEACK) - challenge, 1UL);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, rst), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, sk->sk_err, EPIPE);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ESTABRESETS) - resets, 1UL);
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 1, D + 1);
	xtcp_td_expect_sent(td, "challenge ACK", TCPHDR_ACK, ISS + 1, D + 1);
	xtcp_td_expect_quiet(td, "RST at the FIN");
}

/* --- 3. TIME_WAIT */

static enum xtcp_tw_status xtcp_td_tw_process(struct xtcp_timewait_sock *tw,
					      struct sk_buff *skb)
{
	enum xtcp_tw_status st = xtcp_timewait_state_process(tw, skb);

	kfree_skb(skb);
	return st;
}

/* Bring the TIME_WAIT timer near its end, to see whether a segment restarts it. */
static void xtcp_td_tw_timer_near_end(struct xtcp_timewait_sock *tw)
{
	mod_timer_pending(&tw->timer, jiffies + 5 * HZ);
}

static bool xtcp_td_tw_timer_restarted(struct xtcp_timewait_sock *tw)
{
	int timeo = READ_ONCE(xtcp_pernet(&init_net)->sysctl_tw_timeout) * HZ;

	return timer_pending(&tw->timer) &&
	       time_after(tw->timer.expires, jiffies + timeo / 2);
}

/*
 * What xtcp_timewait_state_process() answers, without timestamps: the peer's FIN again
 * -> ACK (and 2*MSL again); a bare ACK at rcv_nxt -> nothing (2*MSL again); a RST not
 * at rcv_nxt -> nothing; an old SYN -> ACK (the timer left alone); a new SYN -> a new
 * incarnation with an ISN beyond the old one; the exact RST kills it.  Without
 * timestamps the 4-tuple may not be reused by connect().
 */
static void xtcp_teardown_tw_rules_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40508, 7708);
	const u32 rcv_nxt = D + 1;
	struct sk_buff *refin = xtcp_td_seg(td, rcv_nxt - 1, ISS + 2,
					    TCPHDR_ACK | TCPHDR_FIN, 0);
	struct sk_buff *ack = xtcp_td_seg(td, rcv_nxt, ISS + 2, TCPHDR_ACK, 0);
	struct sk_buff *rst_in = xtcp_td_seg(td, rcv_nxt + 10, 0, TCPHDR_RST, 0);
	struct sk_buff *old_syn = xtcp_td_seg(td, rcv_nxt - 1000, 0, TCPHDR_SYN, 0);
	struct sk_buff *new_syn = xtcp_td_seg(td, rcv_nxt + 1000, 0, TCPHDR_SYN, 0);
	struct sk_buff *rst = xtcp_td_seg(td, rcv_nxt, 0, TCPHDR_RST, 0);
	unsigned long killed = xtcp_td_mib(XTCP_MIB_TWKILLED);
	struct xtcp_timewait_sock *tw;
	struct sock *found;

	tw = xtcp_td_time_wait(td, 0);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	KUNIT_EXPECT_EQ(test, tw->rcv_nxt, rcv_nxt);
	KUNIT_EXPECT_EQ(test, tw->snd_nxt, ISS + 2U);
	KUNIT_EXPECT_FALSE(test, xtcp_td_tw_unique(test, tw, false));

	xtcp_td_tw_timer_near_end(tw);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, refin), XTCP_TW_ACK);
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_timer_restarted(tw));

	xtcp_td_tw_timer_near_end(tw);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, ack), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_timer_restarted(tw));

	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, rst_in), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWKILLED), killed);

	/* an ACK-less SYN below rcv_nxt may be old or a new one: ACKed, no new 2*MSL */
	xtcp_td_tw_timer_near_end(tw);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, old_syn), XTCP_TW_ACK);
	KUNIT_EXPECT_FALSE(test, xtcp_td_tw_timer_restarted(tw));
	KUNIT_EXPECT_TRUE(test, timer_pending(&tw->timer));

	KUNIT_EXPECT_EQ(test, xtcp_timewait_state_process(tw, new_syn), XTCP_TW_SYN);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(new_syn)->tw_isn, TW_ISN(ISS + 2U));
	kfree_skb(new_syn);

	/* all of that left it in the table; the exact RST does not */
	found = xtcp_td_lookup(td);
	KUNIT_EXPECT_PTR_EQ(test, found, (struct sock *)&tw->common);
	if (found)
		xtcp_sock_gen_put(found);
	KUNIT_EXPECT_EQ(test, refcount_read(&tw->common.skc_refcnt), 3U);

	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, rst), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWKILLED) - killed, 1UL);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
	KUNIT_EXPECT_FALSE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_NULL(test, tw->tb);			/* the port is free */
	KUNIT_EXPECT_EQ(test, refcount_read(&tw->common.skc_refcnt), 1U);	/* ours */
	xtcp_tw_deschedule_put(tw);
}

/*
 * With timestamps: PAWS drops a segment with an older timestamp (ACKed, 2*MSL again);
 * a bare ACK with a newer one updates ts_recent; a SYN with a newer timestamp opens a
 * new incarnation even below rcv_nxt (RFC 6191), one with an older timestamp does not
 * even above it.  Once ts_recent is XTCP_PAWS_WRAP (36 min) old, an older timestamp
 * passes (the peer's clock may have wrapped).  A RST with an older timestamp is
 * dropped while ts_recent is less than a minute old (XTCP_PAWS_MSL), and kills the
 * TIME_WAIT after, as tcp_paws_reject() says.  connect() may reuse the 4-tuple.
 */
static void xtcp_teardown_tw_timestamps_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40509, 7709);
	const u32 rcv_nxt = D + 1;
	struct sk_buff *old_ack = xtcp_td_seg_ts(td, rcv_nxt, ISS + 2, TCPHDR_ACK, 1500);
	struct sk_buff *new_ack = xtcp_td_seg_ts(td, rcv_nxt, ISS + 2, TCPHDR_ACK, 2500);
	struct sk_buff *syn_low = xtcp_td_seg_ts(td, rcv_nxt - 1000, 0, TCPHDR_SYN, 3000);
	struct sk_buff *syn_old = xtcp_td_seg_ts(td, rcv_nxt + 1000, 0, TCPHDR_SYN, 1000);
	struct sk_buff *wrapped = xtcp_td_seg_ts(td, rcv_nxt, ISS + 2, TCPHDR_ACK, 1500);
	struct sk_buff *rst_early = xtcp_td_seg_ts(td, rcv_nxt, 0, TCPHDR_RST, 1000);
	struct sk_buff *rst = xtcp_td_seg_ts(td, rcv_nxt, 0, TCPHDR_RST, 1000);
	unsigned long killed = xtcp_td_mib(XTCP_MIB_TWKILLED);
	struct xtcp_timewait_sock *tw;

	xtcp_td_sysctl_set(test, &xtcp_pernet(&init_net)->sysctl_invalid_ratelimit, 0);
	tw = xtcp_td_time_wait(td, 2000);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	KUNIT_EXPECT_TRUE(test, tw->tstamp_ok);
	KUNIT_EXPECT_EQ(test, tw->ts_recent, 2000U);
	KUNIT_EXPECT_NE(test, tw->ts_recent_stamp, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_unique(test, tw, false));

	xtcp_td_tw_timer_near_end(tw);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, old_ack), XTCP_TW_ACK);
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_timer_restarted(tw));
	KUNIT_EXPECT_EQ(test, tw->ts_recent, 2000U);

	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, new_ack), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, tw->ts_recent, 2500U);

	KUNIT_EXPECT_EQ(test, xtcp_timewait_state_process(tw, syn_low), XTCP_TW_SYN);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(syn_low)->tw_isn, TW_ISN(ISS + 2U));
	kfree_skb(syn_low);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, syn_old), XTCP_TW_ACK);

	WRITE_ONCE(tw->ts_recent_stamp, ktime_get_seconds() - XTCP_PAWS_WRAP - 1);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, wrapped), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, tw->ts_recent, 1500U);

	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, rst_early), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWKILLED) - killed, 0UL);
	KUNIT_EXPECT_TRUE(test, xtcp_td_in_hash(td));
	WRITE_ONCE(tw->ts_recent_stamp, ktime_get_seconds() - XTCP_PAWS_MSL - 1);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, rst), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWKILLED) - killed, 1UL);
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
	xtcp_tw_deschedule_put(tw);
}

/* Feed @a then @b: one ACK (at rcv_nxt) comes back, for @a, none for @b. */
static void xtcp_td_one_answer(struct xtcp_td *td, struct sk_buff *a, struct sk_buff *b,
			       const char *answer, const char *skipped)
{
	lock_sock(td->sk);
	KUNIT_EXPECT_EQ(td->test, xtcp_test_feed(td->sk, a), 0);
	KUNIT_EXPECT_EQ(td->test, xtcp_test_feed(td->sk, b), 0);
	release_sock(td->sk);
	xtcp_td_expect_sent(td, answer, TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_quiet(td, skipped);
}

/*
 * Answers to segments outside the window, challenges included, are rate-limited per
 * connection (net.xtcp.invalid_ratelimit, as tcp_invalid_ratelimit): two peers that
 * disagree on the sequence space do not ACK each other for ever.  Data is always
 * answered; a TIME_WAIT and a request limit theirs too.
 */
static void xtcp_teardown_oow_ratelimit_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40521, 7721);
	struct sk_buff *far1 = xtcp_td_seg(td, D + 0x40000000, ISS + 1, TCPHDR_ACK, 0);
	struct sk_buff *far2 = xtcp_td_seg(td, D + 0x40000000, ISS + 1, TCPHDR_ACK, 0);
	struct sk_buff *dup = xtcp_td_seg(td, D - 100, ISS + 1, TCPHDR_ACK, 100);
	struct sk_buff *syn = xtcp_td_seg(td, D, 0, TCPHDR_SYN, 0);
	unsigned long seq0 = xtcp_td_mib(XTCP_MIB_ACKSKIPPEDSEQ);
	unsigned long chal0 = xtcp_td_mib(XTCP_MIB_ACKSKIPPEDCHALLENGE);
	unsigned long tw0 = xtcp_td_mib(XTCP_MIB_ACKSKIPPEDTIMEWAIT);
	struct sk_buff *tw_ack1, *tw_ack2, *tw_fin;
	struct xtcp_timewait_sock *tw;

	xtcp_td_sysctl_set(test, &xtcp_pernet(&init_net)->sysctl_invalid_ratelimit, 10 * HZ);
	xtcp_td_one_answer(td, far1, far2, "the first out-of-window ACK's answer",
			   "the second one");
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ACKSKIPPEDSEQ) - seq0, 1UL);

	/* old data is answered all the same; a challenge is not, this soon */
	xtcp_td_one_answer(td, dup, syn, "old data's ACK", "the challenge skipped");
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ACKSKIPPEDCHALLENGE) - chal0, 1UL);

	/* TIME_WAIT: a bare old ACK answered once; the peer's FIN again always */
	tw = xtcp_td_time_wait(td, 0);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	tw_ack1 = xtcp_td_seg(td, D - 5000, ISS + 2, TCPHDR_ACK, 0);
	tw_ack2 = xtcp_td_seg(td, D - 5000, ISS + 2, TCPHDR_ACK, 0);
	tw_fin = xtcp_td_seg(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, 0);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, tw_ack1), XTCP_TW_ACK);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, tw_ack2), XTCP_TW_SUCCESS);
	KUNIT_EXPECT_EQ(test, xtcp_td_tw_process(tw, tw_fin), XTCP_TW_ACK);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ACKSKIPPEDTIMEWAIT) - tw0, 1UL);
	xtcp_tw_deschedule_put(tw);
}

/* A socket connecting from a bound port to the 4-tuple of @td, by hand. */
static struct socket *xtcp_td_connecting(struct kunit *test, struct xtcp_td *td)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct inet_sock *inet = inet_sk(s->sk);

	inet->inet_rcv_saddr = LO;
	inet->inet_saddr = LO;
	inet->inet_num = td->lport;
	inet->inet_sport = htons(td->lport);
	inet->inet_daddr = LO;
	inet->inet_dport = htons(td->rport);
	return s;
}

static void xtcp_td_connecting_close(struct socket *s)
{
	lock_sock(s->sk);
	xtcp_set_state(s->sk, TCP_CLOSE);	/* out of the established hash */
	inet_sk(s->sk)->inet_num = 0;
	release_sock(s->sk);
}

/*
 * connect() over a TIME_WAIT (xtcp_hash_connect() for a port fixed by bind()): taken
 * over when it used timestamps (TWRecycled, ISN beyond the old sequence space), refused
 * without.
 */
static void xtcp_teardown_tw_reuse_test(struct kunit *test)
{
	struct xtcp_td *ts_td = xtcp_td_new(test, 40510, 7710);
	struct xtcp_td *td = xtcp_td_new(test, 40511, 7711);
	struct socket *c1 = xtcp_td_connecting(test, ts_td), *c2 = xtcp_td_connecting(test, td);
	unsigned long recycled = xtcp_td_mib(XTCP_MIB_TWRECYCLED);
	struct xtcp_timewait_sock *ts_tw, *tw;
	struct sock *found;
	int err;

	ts_tw = xtcp_td_time_wait(ts_td, 2000);
	KUNIT_ASSERT_NOT_NULL(test, ts_tw);
	tw = xtcp_td_time_wait(td, 0);
	if (!tw)
		xtcp_tw_deschedule_put(ts_tw);
	KUNIT_ASSERT_NOT_NULL(test, tw);

	/* without timestamps: refused, the TIME_WAIT stays */
	lock_sock(c2->sk);
	xtcp_set_state(c2->sk, TCP_SYN_SENT);
	err = xtcp_hash_connect(c2->sk);
	release_sock(c2->sk);
	KUNIT_EXPECT_EQ(test, err, -EADDRNOTAVAIL);
	found = xtcp_td_lookup(td);
	KUNIT_EXPECT_PTR_EQ(test, found, (struct sock *)&tw->common);
	if (found)
		xtcp_sock_gen_put(found);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWRECYCLED), recycled);
	xtcp_td_connecting_close(c2);

	/* with timestamps: the new connection takes the 4-tuple, the TIME_WAIT goes */
	lock_sock(c1->sk);
	xtcp_set_state(c1->sk, TCP_SYN_SENT);
	xtcp_sk(c1->sk)->iss = 0;
	err = xtcp_hash_connect(c1->sk);
	release_sock(c1->sk);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, xtcp_sk(c1->sk)->iss, TW_ISN(ISS + 2U));
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWRECYCLED) - recycled, 1UL);
	found = xtcp_td_lookup(ts_td);
	KUNIT_EXPECT_PTR_EQ(test, found, c1->sk);
	if (found)
		xtcp_sock_gen_put(found);
	KUNIT_EXPECT_FALSE(test, timer_pending(&ts_tw->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&ts_tw->common.skc_refcnt), 1U);	/* ours */
	xtcp_td_connecting_close(c1);

	xtcp_tw_deschedule_put(ts_tw);
	xtcp_tw_deschedule_put(tw);
}

/*
 * connect() over a TIME_WAIT with a port it picks (tcp_twsk_unique() for an ephemeral
 * port): only with net.xtcp.tw_reuse, once the old connection's last timestamp is over
 * a second old; 2 (the default) toward loopback only.  The search is narrowed to the
 * TIME_WAIT's port (IP_LOCAL_PORT_RANGE), in a bucket only connect() uses (one bind()
 * made is never searched), and the TIME_WAIT leaves the hash and the bucket as the new
 * socket enters them.
 */
static void xtcp_teardown_tw_reuse_ephemeral_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40513, 7713);
	struct socket *c = xtcp_td_connecting(test, td);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	unsigned long recycled = xtcp_td_mib(XTCP_MIB_TWRECYCLED);
	struct xtcp_timewait_sock *tw;
	__be32 old_daddr, old_saddr;
	int err[3], port = -1;
	struct sock *found;

	/* td's port as if connect() had picked it: its bucket only connect() uses */
	spin_lock_bh(&xn->bind_lock);
	td->xs->bind_bucket->connect_only = true;
	spin_unlock_bh(&xn->bind_lock);
	tw = xtcp_td_time_wait(td, 2000);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	inet_sk(c->sk)->inet_num = 0;		/* connect() picks the port ... */
	inet_sk(c->sk)->inet_sport = 0;
	WRITE_ONCE(inet_sk(c->sk)->local_port_range, (u32)td->lport << 16 | td->lport);
	xtcp_td_sysctl_set(test, &xn->sysctl_tw_reuse, 2);

	/* the loopback rule of tw_reuse 2: this TIME_WAIT's ends are on 127/8 */
	tw->ts_recent_stamp = ktime_get_seconds() - 2;
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_unique(test, tw, true));
	old_daddr = tw->common.skc_daddr;
	old_saddr = tw->common.skc_rcv_saddr;
	tw->common.skc_daddr = htonl(0xc0000201);
	tw->common.skc_rcv_saddr = htonl(0xc0000202);
	KUNIT_EXPECT_FALSE(test, xtcp_td_tw_unique(test, tw, true));
	KUNIT_EXPECT_TRUE(test, xtcp_td_tw_unique(test, tw, false));	/* bind(): yes */
	tw->common.skc_daddr = old_daddr;
	tw->common.skc_rcv_saddr = old_saddr;

	/* tw_reuse 0: refused; 1 with a timestamp of this second: refused; then taken */
	lock_sock(c->sk);
	xtcp_set_state(c->sk, TCP_SYN_SENT);
	WRITE_ONCE(xn->sysctl_tw_reuse, 0);
	err[0] = xtcp_hash_connect(c->sk);
	WRITE_ONCE(xn->sysctl_tw_reuse, 1);
	tw->ts_recent_stamp = ktime_get_seconds() + 10;	/* not a second old */
	err[1] = xtcp_hash_connect(c->sk);
	tw->ts_recent_stamp = ktime_get_seconds() - 2;
	xtcp_sk(c->sk)->iss = 0;
	err[2] = xtcp_hash_connect(c->sk);
	if (!err[2])
		port = c->sk->sk_num;
	release_sock(c->sk);

	KUNIT_EXPECT_EQ(test, err[0], -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, err[1], -EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, err[2], 0);
	KUNIT_EXPECT_EQ(test, port, (int)td->lport);
	KUNIT_EXPECT_EQ(test, xtcp_sk(c->sk)->iss, TW_ISN(ISS + 2U));
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWRECYCLED) - recycled, 1UL);
	found = xtcp_td_lookup(td);
	KUNIT_EXPECT_PTR_EQ(test, found, c->sk);
	if (found)
		xtcp_sock_gen_put(found);
	KUNIT_EXPECT_FALSE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_NULL(test, tw->tb);
	KUNIT_EXPECT_EQ(test, refcount_read(&tw->common.skc_refcnt), 1U);	/* ours */
	xtcp_td_connecting_close(c);
	xtcp_tw_deschedule_put(tw);
}

/* Above net.xtcp.max_tw_buckets no TIME_WAIT is kept: TWOverflow, the socket just closes. */
static void xtcp_teardown_tw_overflow_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40512, 7712);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	unsigned long overflow = xtcp_td_mib(XTCP_MIB_TWOVERFLOW);
	struct xtcp_timewait_sock *tw;

	xtcp_td_sysctl_set(test, &xn->sysctl_max_tw_buckets, 0);
	tw = xtcp_td_time_wait(td, 0);
	KUNIT_EXPECT_NULL(test, tw);
	if (tw)
		xtcp_tw_deschedule_put(tw);
	KUNIT_EXPECT_EQ(test, td->sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_TRUE(test, sk_unhashed(td->sk));
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_TWOVERFLOW) - overflow, 1UL);
}

/* A purge run in a thread; the test and the thread each hold a reference. */
struct xtcp_td_purge {
	struct completion done;
	refcount_t ref;
};

static void xtcp_td_purge_put(struct xtcp_td_purge *p)
{
	if (refcount_dec_and_test(&p->ref))
		kfree(p);
}

static int xtcp_td_purge_thread(void *arg)
{
	struct xtcp_td_purge *p = arg;

	xtcp_tw_purge_net(&init_net);
	complete(&p->done);
	xtcp_td_purge_put(p);
	return 0;
}

/*
 * A namespace going away ends its TIME_WAITs and then waits until the last one is
 * freed: one out of the table that a running timer handler or a lookup still holds
 * uses the namespace's bind hash and counters until its last reference goes.  Our
 * reference plays that holder; the purge must sleep until we drop it.
 */
static void xtcp_teardown_tw_purge_wait_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40522, 7722);
	unsigned long deadline = jiffies + 10 * HZ;
	struct xtcp_timewait_sock *tw;
	struct xtcp_td_purge *p;
	struct task_struct *t;

	tw = xtcp_td_time_wait(td, 0);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		xtcp_tw_deschedule_put(tw);
		KUNIT_FAIL(test, "out of memory");
		return;
	}
	init_completion(&p->done);
	refcount_set(&p->ref, 2);
	t = kthread_create(xtcp_td_purge_thread, p, "xtcp_purge");
	if (IS_ERR(t)) {
		kfree(p);
		xtcp_tw_deschedule_put(tw);
		KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t));
		return;
	}
	get_task_struct(t);
	wake_up_process(t);
	/*
	 * It ends the TIME_WAIT (out of the table, its timer's and the table's references
	 * dropped), then sleeps uninterruptibly in its wait - or, wrongly, returns.
	 */
	while (!completion_done(&p->done) &&
	       (refcount_read(&tw->common.skc_refcnt) != 1 || xtcp_td_in_hash(td) ||
		READ_ONCE(t->__state) != TASK_UNINTERRUPTIBLE) &&
	       time_before(jiffies, deadline))
		msleep(20);
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&p->done),
			       "the purge returned while a TIME_WAIT was alive");
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
	KUNIT_EXPECT_NULL(test, tw->tb);			/* its port is free */
	KUNIT_EXPECT_FALSE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&tw->common.skc_refcnt), 1U);	/* ours */
	xtcp_tw_put(tw);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&p->done, 10 * HZ), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&xtcp_pernet(&init_net)->tw_count), 0);
	xtcp_td_purge_put(p);
	put_task_struct(t);
}

/* --- close() */

/* The user's reference on a connection close() orphaned, and the connection if not over. */
static void xtcp_td_orphan_cleanup(void *arg)
{
	struct xtcp_td *td = arg;

	lock_sock(td->sk);
	if (td->sk->sk_state != TCP_CLOSE)
		xtcp_done(td->sk);	/* an orphan: destroyed */
	release_sock(td->sk);
	xtcp_td_forget_tuple(td);
	sock_put(td->sk);
}

/* close() @td's socket now, keeping a reference on its sock to watch it. */
static void xtcp_td_close(struct xtcp_td *td)
{
	struct kunit *test = td->test;

	sock_hold(td->sk);
	kunit_remove_action(test, xtcp_td_cleanup, td);
	kunit_remove_action(test, xtcp_test_release, td->s);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_td_orphan_cleanup, td), 0);
	sock_release(td->s);
	td->s = NULL;
}

/*
 * close() of an established connection: our FIN goes and the socket is orphaned; the
 * ACK of the FIN leaves it in FIN_WAIT2 under net.xtcp.fin_timeout; the peer's FIN
 * puts it in TIME_WAIT and destroys the socket.  The segments go through xtcp_rcv().
 */
static void xtcp_teardown_close_orphan_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40513, 7713);
	struct sk_buff *fin_ack = xtcp_td_wire(td, D, ISS + 2, TCPHDR_ACK, 0);
	struct sk_buff *fin = xtcp_td_wire(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, 0);
	const u32 fin_timeout = 60 * HZ;
	struct xtcp_timewait_sock *tw;
	struct sock *sk = td->sk;

	xtcp_td_sysctl_set(test, &xtcp_pernet(&init_net)->sysctl_fin_timeout, 60);
	xtcp_td_close(td);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DEAD));
	KUNIT_EXPECT_NULL(test, sk->sk_socket);
	KUNIT_EXPECT_EQ(test, sk->sk_shutdown, SHUTDOWN_MASK);
	xtcp_td_expect_sent(td, "our FIN", TCPHDR_ACK | TCPHDR_FIN, ISS + 1, D);

	xtcp_td_rcv(fin_ack);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);
	KUNIT_EXPECT_TRUE(test, timer_pending(&sk->sk_timer));	/* the FIN_WAIT2 timeout */
	KUNIT_EXPECT_TRUE(test, time_after_eq(sk->sk_timer.expires + 10 * HZ,
					      jiffies + fin_timeout));
	KUNIT_EXPECT_TRUE(test, time_before_eq(sk->sk_timer.expires, jiffies + fin_timeout));

	xtcp_td_rcv(fin);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), 1U);	/* destroyed: ours */
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 2, D + 1);
	tw = xtcp_td_tw(td);
	KUNIT_EXPECT_NOT_NULL(test, tw);
	if (tw) {
		KUNIT_EXPECT_EQ(test, tw->rcv_nxt, D + 1U);
		KUNIT_EXPECT_EQ(test, tw->snd_nxt, ISS + 2U);
		xtcp_tw_deschedule_put(tw);
	}
}

/*
 * An orphan in FIN_WAIT2 gets the peer's retransmission of data it already took with
 * the FIN collapsed onto it: the FIN is in order, so the connection goes to TIME_WAIT
 * and the socket is destroyed while the segment is being queued.  Nothing may touch the
 * segment after that (issue 10: a use-after-free the debug kernel reported).
 */
static void xtcp_teardown_orphan_old_data_fin_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40519, 7719);
	struct sk_buff *data = xtcp_td_wire(td, D, ISS + 1, TCPHDR_ACK, 100);
	struct sk_buff *fin_ack = xtcp_td_wire(td, D + 100, ISS + 2, TCPHDR_ACK, 0);
	struct sk_buff *again = xtcp_td_wire(td, D, ISS + 2, TCPHDR_ACK | TCPHDR_FIN, 100);
	unsigned long aborts = xtcp_td_mib(XTCP_MIB_ABORTONDATA);
	struct xtcp_timewait_sock *tw;
	struct sock *sk = td->sk;

	xtcp_td_rcv(data);
	KUNIT_EXPECT_EQ(test, xtcp_td_read(td, 100), 100);
	xtcp_td_expect_sent(td, "ACK of the data", TCPHDR_ACK, ISS + 1, D + 100);
	xtcp_td_close(td);
	xtcp_td_expect_sent(td, "our FIN", TCPHDR_ACK | TCPHDR_FIN, ISS + 1,
			    D + 100);
	xtcp_td_rcv(fin_ack);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);

	xtcp_td_rcv(again);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ABORTONDATA) - aborts, 0UL);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), 1U);	/* destroyed: ours */
	xtcp_td_expect_sent(td, "ACK of the FIN", TCPHDR_ACK, ISS + 2, D + 101);
	xtcp_td_expect_quiet(td, "after the ACK of the FIN");
	tw = xtcp_td_tw(td);
	KUNIT_EXPECT_NOT_NULL(test, tw);
	if (tw) {
		KUNIT_EXPECT_EQ(test, tw->rcv_nxt, D + 101U);
		xtcp_tw_deschedule_put(tw);
	}
}

/* close() with data not read: the connection is reset at once (AbortOnClose). */
static void xtcp_teardown_close_unread_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40514, 7714);
	struct sk_buff *data = xtcp_td_seg(td, D, ISS + 1, TCPHDR_ACK, 100);
	unsigned long aborts = xtcp_td_mib(XTCP_MIB_ABORTONCLOSE);
	struct sock *sk = td->sk;

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, data), 2);
	release_sock(sk);
	xtcp_td_expect_sent(td, "ACK of the data", TCPHDR_ACK, ISS + 1, D + 100);

	xtcp_td_close(td);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ABORTONCLOSE) - aborts, 1UL);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), 1U);	/* destroyed: ours */
	xtcp_td_expect_sent(td, "RST", TCPHDR_RST | TCPHDR_ACK, ISS + 1, D + 100);
	xtcp_td_expect_quiet(td, "after the RST");
	KUNIT_EXPECT_FALSE(test, xtcp_td_in_hash(td));
}

/* --- 4. keepalive */

/* setsockopt(IPPROTO_TCP) on a kernel socket. */
static int xtcp_td_setsockopt(struct socket *s, int opt, int val)
{
	return s->ops->setsockopt(s, SOL_TCP, opt, KERNEL_SOCKPTR(&val), sizeof(val));
}

/*
 * The keepalive parameters: the net.xtcp sysctls until the socket sets its own; then
 * xtcp_keepalive_when(): the rest of the idle time, a probe due every interval, dead
 * after TCP_KEEPCNT unanswered probes - or, with TCP_USER_TIMEOUT, once that long
 * passed with a probe unanswered, whatever the count.
 */
static void xtcp_teardown_keepalive_when_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	bool dead = true;

	/* nothing set: the sysctls, read when asked */
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_time(xs),
			(u32)READ_ONCE(xn->sysctl_keepalive_time) * HZ);
	xtcp_td_sysctl_set(test, &xn->sysctl_keepalive_time, 1234);
	xtcp_td_sysctl_set(test, &xn->sysctl_keepalive_intvl, 56);
	xtcp_td_sysctl_set(test, &xn->sysctl_keepalive_probes, 7);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_time(xs), 1234U * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_intvl(xs), 56U * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_probes(xs), 7);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 1000 * HZ, &dead), 234U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	xs->probes_out = 7;
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 1300 * HZ, &dead), 0U);
	KUNIT_EXPECT_TRUE(test, dead);
	xs->probes_out = 0;

	/* the socket's own, in seconds; out of range refused */
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_KEEPIDLE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_KEEPCNT, XTCP_MAX_KEEPCNT + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_KEEPIDLE, 10), 0);
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_KEEPINTVL, 3), 0);
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_KEEPCNT, 4), 0);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_time(xs), 10U * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_intvl(xs), 3U * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_probes(xs), 4);

	/* idle less than TCP_KEEPIDLE: wait for the rest */
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 4 * HZ, &dead), 6U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 10 * HZ - 1, &dead), 1U);
	KUNIT_EXPECT_FALSE(test, dead);
	/* at TCP_KEEPIDLE: a probe, the next one TCP_KEEPINTVL later */
	xs->probes_out = 0;
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 10 * HZ, &dead), 3U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	xs->probes_out = 3;
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 19 * HZ, &dead), 3U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	/* TCP_KEEPCNT probes unanswered: dead */
	xs->probes_out = 4;
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 22 * HZ, &dead), 0U);
	KUNIT_EXPECT_TRUE(test, dead);

	/* TCP_USER_TIMEOUT (ms) instead of the count */
	KUNIT_EXPECT_EQ(test, xtcp_td_setsockopt(s, TCP_USER_TIMEOUT, 30000), 0);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 22 * HZ, &dead), 3U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 30 * HZ, &dead), 0U);
	KUNIT_EXPECT_TRUE(test, dead);
	xs->probes_out = 0;		/* no probe sent yet: not dead, whatever the time */
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 40 * HZ, &dead), 3U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
	KUNIT_EXPECT_EQ(test, xtcp_keepalive_when(xs, 6 * HZ, &dead), 4U * HZ);
	KUNIT_EXPECT_FALSE(test, dead);
}

/*
 * The keepalive timer on a silent peer: SO_KEEPALIVE arms it, probes (ACKs for
 * snd_una - 1) go every interval, and after TCP_KEEPCNT of them a RST and ETIMEDOUT.
 */
static void xtcp_teardown_keepalive_timer_test(struct kunit *test)
{
	struct xtcp_td *td = xtcp_td_new(test, 40515, 7715);
	unsigned long probes = xtcp_td_mib(XTCP_MIB_KEEPALIVEPROBES);
	unsigned long aborts = xtcp_td_mib(XTCP_MIB_ABORTONTIMEOUT);
	struct xtcp_sock *xs = td->xs;
	struct sock *sk = td->sk;
	int i;

	lock_sock(sk);
	xs->keepalive_time = 2;		/* jiffies: what TCP_KEEPIDLE would say in seconds */
	xs->keepalive_intvl = 2;
	xs->keepalive_probes = 2;
	release_sock(sk);
	sock_set_keepalive(sk);
	KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_KEEPOPEN));

	for (i = 0; i < 250 && READ_ONCE(sk->sk_state) != TCP_CLOSE; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_state), TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_err), ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_KEEPALIVEPROBES) - probes, 2UL);
	KUNIT_EXPECT_EQ(test, xtcp_td_mib(XTCP_MIB_ABORTONTIMEOUT) - aborts, 1UL);
	xtcp_td_expect_sent(td, "first probe", TCPHDR_ACK, ISS, D);
	xtcp_td_expect_sent(td, "second probe", TCPHDR_ACK, ISS, D);
	xtcp_td_expect_sent(td, "RST", TCPHDR_RST | TCPHDR_ACK, ISS + 1, D);
	xtcp_td_expect_quiet(td, "after the RST");
}

/*
 * xtcp_write_timeout(): XTCP_RETRIES2 timeouts; with TCP_USER_TIMEOUT the time since the
 * first one instead (an orphan's too); an orphan net.xtcp.orphan_retries (0: 8).
 */
static void xtcp_teardown_write_timeout_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	struct sock *sk = s->sk;

	xtcp_td_sysctl_set(test, &xn->sysctl_orphan_retries, 0);
	lock_sock(sk);
	KUNIT_EXPECT_FALSE(test, xtcp_write_timeout(sk, XTCP_RETRIES2 - 1));
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, XTCP_RETRIES2));

	xs->user_timeout = 10000;
	xs->retrans_stamp = 0;		/* nothing timed out yet: the count */
	KUNIT_EXPECT_FALSE(test, xtcp_write_timeout(sk, XTCP_RETRIES2 - 1));
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, XTCP_RETRIES2));
	xs->retrans_stamp = (tcp_jiffies32 - HZ) ?: 1;
	KUNIT_EXPECT_FALSE(test, xtcp_write_timeout(sk, XTCP_RETRIES2 + 10));
	xs->retrans_stamp = (tcp_jiffies32 - 11 * HZ) ?: 1;
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, 1));

	sock_set_flag(sk, SOCK_DEAD);	/* an orphan: TCP_USER_TIMEOUT bounds it too */
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, 1));
	xs->user_timeout = 0;		/* without it: its own count */
	KUNIT_EXPECT_FALSE(test, xtcp_write_timeout(sk, XTCP_ORPHAN_RETRIES - 1));
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, XTCP_ORPHAN_RETRIES));
	WRITE_ONCE(xn->sysctl_orphan_retries, 3);
	KUNIT_EXPECT_FALSE(test, xtcp_write_timeout(sk, 2));
	KUNIT_EXPECT_TRUE(test, xtcp_write_timeout(sk, 3));
	sock_reset_flag(sk, SOCK_DEAD);
	xs->user_timeout = 0;
	xs->retrans_stamp = 0;
	release_sock(sk);
}

/*
 * TIME_WAITs last net.xtcp.tw_timeout, which the guest tests shorten to 2 s: long
 * enough here for none to end in the middle of a test.  Those an earlier test left are
 * waited for, as they may hold the ports used here.
 */
static int xtcp_teardown_saved_tw_timeout;

static int xtcp_teardown_suite_init(struct kunit_suite *suite)
{
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	int i;

	for (i = 0; i < 100 && atomic_read(&xn->tw_count); i++)
		msleep(50);
	xtcp_teardown_saved_tw_timeout = READ_ONCE(xn->sysctl_tw_timeout);
	WRITE_ONCE(xn->sysctl_tw_timeout, 60);
	return 0;
}

static void xtcp_teardown_suite_exit(struct kunit_suite *suite)
{
	WRITE_ONCE(xtcp_pernet(&init_net)->sysctl_tw_timeout, xtcp_teardown_saved_tw_timeout);
}

static struct kunit_case xtcp_teardown_cases[] = {
	KUNIT_CASE(xtcp_teardown_close_state_test),
	KUNIT_CASE(xtcp_teardown_passive_close_test),
	KUNIT_CASE(xtcp_teardown_active_close_test),
	KUNIT_CASE(xtcp_teardown_simultaneous_close_test),
	KUNIT_CASE(xtcp_teardown_ofo_fin_test),
	KUNIT_CASE(xtcp_teardown_data_after_close_test),
	KUNIT_CASE(xtcp_teardown_rst_established_test),
	KUNIT_CASE(xtcp_teardown_rst_close_wait_test),
	KUNIT_CASE(xtcp_teardown_tw_rules_test),
	KUNIT_CASE(xtcp_teardown_tw_timestamps_test),
	KUNIT_CASE(xtcp_teardown_tw_reuse_test),
	KUNIT_CASE(xtcp_teardown_tw_reuse_ephemeral_test),
	KUNIT_CASE(xtcp_teardown_tw_overflow_test),
	KUNIT_CASE(xtcp_teardown_tw_purge_wait_test),
	KUNIT_CASE(xtcp_teardown_close_orphan_test),
	KUNIT_CASE(xtcp_teardown_orphan_old_data_fin_test),
	KUNIT_CASE(xtcp_teardown_ack_check_test),
	KUNIT_CASE(xtcp_teardown_oow_ratelimit_test),
	KUNIT_CASE(xtcp_teardown_close_unread_test),
	KUNIT_CASE(xtcp_teardown_keepalive_when_test),
	KUNIT_CASE(xtcp_teardown_keepalive_timer_test),
	KUNIT_CASE(xtcp_teardown_write_timeout_test),
	{}
};

static struct kunit_suite xtcp_teardown_suite = {
	.name = "xtcp_teardown",
	.suite_init = xtcp_teardown_suite_init,
	.suite_exit = xtcp_teardown_suite_exit,
	.test_cases = xtcp_teardown_cases,
};

kunit_test_suites(&xtcp_teardown_suite);
