// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the data path's buffers and windows (issue 9):
 *   - a queued segment larger than the window the peer offers now is cut to fit when
 *     the persist timer fires (tcp_write_wakeup()), instead of probing forever;
 *   - xtcp_fragment(): sequence numbers, flags, lengths and memory of both parts;
 *   - only full-sized segments set the receive scaling ratio, so a short one does
 *     not shrink the window below the segments the sender has cut; the window's
 *     share of free memory is capped below what packed segments reach;
 *   - a receive buffer full of in-window data grows instead of dropping it
 *     (tcp_clamp_window()), unless SO_RCVBUF fixed it;
 *   - a fixed buffer full of small segments is packed into pages (tcp_collapse()) to
 *     take the next in-order segment, and the reader gets the same bytes; in-order
 *     segments are appended to the queue's last where they can be (tcp_try_coalesce());
 *   - a segment for a socket a process holds is appended to the backlog's last when it
 *     follows it with the same header (tcp_add_backlog()), even past the limit;
 *   - data received twice is reported once in a D-SACK block, before the others;
 *   - the window scale comes from the largest buffer the socket may grow to;
 *   - the receiver's RTT samples (a window's worth of data, our timestamps echoed) and
 *     receive-buffer autotuning against worked numbers;
 *   - the send buffer follows the congestion window (tcp_sndbuf_expand());
 *   - RACK (RFC 8985): which segments a delivery shows lost, the reordering window and
 *     its timer, a lost retransmission;
 *   - the tail-loss probe (RFC 8985 7): its timeout against worked numbers, what it
 *     sends (new data, else the last segment again), one per episode, and what the
 *     ACKs that follow make of it;
 *   - a retransmit timer re-armed for later while its callback waited does nothing; the
 *     retransmit and delayed-ACK timers leave their work to release_sock() when a
 *     process owns the socket (tcp_release_cb());
 *   - cwnd grows on an ACK of the whole flight (one per super-segment), and only while
 *     the flight used it (tcp_cwnd_validate());
 *   - super-segments in the queues: sent as one, ACKed in part, cut by a SACK block, by
 *     a retransmission of one segment and by the tail-loss probe, each counter kept;
 *   - TCP Small Queues: a sender with more than one segment in flight stops while too
 *     much of it waits below, and its packets' destructor starts it again (a tasklet,
 *     or release_sock()); the pieces of a super-segment cut in software keep its owner;
 *   - segmentation offload: a crafted super-segment cut by the stack
 *     (skb_gso_segment() -> inet_gso_segment() -> xtcp4_gso_segment()) into pieces with
 *     the right sequence numbers, flags, lengths, data and valid checksums, with the
 *     checksums done in software or left to the device; a device that takes it whole;
 *   - receive offload: crafted segments through the IPv4 GRO entry to
 *     xtcp4_gro_receive(): what merges into one super-segment (which the stack cuts
 *     back into the same segments) and what ends the train or stays apart, as
 *     tcp_gro_receive() decides; the checksum checked with our protocol number.
 *
 * Sockets are kernel sockets in init_net, put in ESTABLISHED by hand and in no table:
 * what they send goes out through loopback and finds no socket there.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/log2.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/checksum.h>
#include <net/dsfield.h>
#include <net/gso.h>
#include <net/ip.h>
#include <net/sock.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

#define XTCP_DP_LPORT	41001
#define XTCP_DP_RPORT	41002

/* A data segment of @len zero bytes from the peer at @seq, ACKing nothing new. */
static struct sk_buff *xtcp_dp_data(struct kunit *test, u32 seq, unsigned int len)
{
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = seq, .ack = XTCP_TEST_ISS + 1,
				     .flags = TCPHDR_ACK, .payload = len };

	return xtcp_test_rcv_skb(test, &seg);
}

/* Queue @len bytes with send(MSG_DONTWAIT); the caller's socket is not locked. */
static int xtcp_dp_send(struct socket *s, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_sendmsg(s, &msg, &iov, 1, len);
}

/* Forget the connection: no timer, no queued segment, no RST to nobody. */
static void xtcp_dp_forget(struct sock *sk)
{
	lock_sock(sk);
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_set_state(sk, TCP_CLOSE);
	inet_sk(sk)->inet_num = 0;
	release_sock(sk);
}

/* An established socket whose peer offered 64 KiB once and offers nothing now. */
static struct socket *xtcp_dp_sender(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_sock *xs = xtcp_sk(s->sk);

	lock_sock(s->sk);
	xtcp_test_establish(s->sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	xs->mss_cache = 65000;		/* a loopback-sized MSS: segments of max_window / 2 */
	xs->max_window = 65536;
	xs->snd_wnd = 0;
	release_sock(s->sk);
	return s;
}

static void xtcp_datapath_wakeup_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1;
	unsigned long probes;
	struct socket *s;
	struct sk_buff *head;
	struct xtcp_sock *xs;
	struct sock *sk;
	void *buf;

	buf = kunit_kzalloc(test, 32768, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_sender(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	/* 32 KiB queued as one segment (half the largest window); the window is shut */
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 32768), 32768);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 1U);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_PROBE0);

	/*
	 * The peer's window opens to 26000 bytes only (its buffer measured small segments):
	 * the persist timer sends what fits instead of a probe the peer answers with the
	 * same window, forever.
	 */
	xs->snd_wnd = 26000;
	probes = xtcp_mib_read(&init_net, XTCP_MIB_WINPROBE);
	xtcp_send_probe0(sk);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_WINPROBE), probes);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 26000);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 1U);
	/* (no assertion may end the test with the socket locked) */
	head = xtcp_rtx_queue_head(sk);
	KUNIT_EXPECT_NOT_NULL(test, head);
	if (head)
		KUNIT_EXPECT_EQ(test, head->len, 26000U);
	head = skb_peek(&sk->sk_write_queue);
	KUNIT_EXPECT_NOT_NULL(test, head);
	if (head) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(head)->seq, una + 26000);
		KUNIT_EXPECT_EQ(test, head->len, 32768U - 26000);
	}
	/* new data went: the tail-loss probe runs (RFC 8985 7.2) */
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);

	/* with the window full again, the timer probes: nothing more is sent */
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	xs->snd_una = xs->snd_nxt;
	xs->write_seq = xs->snd_nxt;
	xs->snd_wnd = 0;
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 1000), 1000);
	lock_sock(sk);
	probes = xtcp_mib_read(&init_net, XTCP_MIB_WINPROBE);
	xtcp_send_probe0(sk);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_WINPROBE), probes + 1);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 26000);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 1U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_fragment_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1;
	struct sk_buff *a, *b;
	unsigned int truesize;
	struct socket *s;
	struct sock *sk;
	int queued;
	void *buf;

	buf = kunit_kzalloc(test, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_sender(test);
	sk = s->sk;
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 3000), 3000);

	lock_sock(sk);
	a = skb_peek(&sk->sk_write_queue);
	KUNIT_EXPECT_NOT_NULL(test, a);
	if (!a || a->len != 3000)
		goto out;	/* no assertion may end the test with the socket locked */
	XTCP_SKB_CB(a)->flags |= TCPHDR_PSH | TCPHDR_FIN;	/* as xtcp_send_fin() would */
	XTCP_SKB_CB(a)->end_seq++;
	truesize = a->truesize;
	queued = sk->sk_wmem_queued;
	KUNIT_EXPECT_EQ(test, xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, a, 1000, 1000), 0);
	b = a->next;
	KUNIT_EXPECT_PTR_NE(test, b, (struct sk_buff *)&sk->sk_write_queue);
	if (b == (struct sk_buff *)&sk->sk_write_queue)
		goto out;
	KUNIT_EXPECT_EQ(test, a->len, 1000U);
	KUNIT_EXPECT_EQ(test, b->len, 2000U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(a)->seq, una);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(a)->end_seq, una + 1000);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b)->seq, una + 1000);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b)->end_seq, una + 3001);
	/* PSH and FIN go with the end of the data */
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(a)->flags, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b)->flags, TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN);
	/* the moved data takes its memory along; the new header is charged */
	KUNIT_EXPECT_EQ(test, a->truesize + b->truesize, truesize + (b->truesize - 2000));
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued + (int)(b->truesize - 2000));
	/* the data itself: 1000 + 2000 bytes of the original, 1 + 2 segments of 1000 */
	KUNIT_EXPECT_EQ(test, a->data_len, 1000U);
	KUNIT_EXPECT_EQ(test, b->data_len, 2000U);
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(a), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_skb_mss(a), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(b), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_skb_mss(b), 1000U);

	/* a window exactly the data's: the FIN alone stays behind */
	KUNIT_EXPECT_EQ(test, xtcp_fragment(sk, XTCP_FRAG_IN_WRITE_QUEUE, b, 2000, 1000), 0);
	KUNIT_EXPECT_EQ(test, b->len, 2000U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b)->end_seq, una + 3000);
	KUNIT_EXPECT_EQ(test, b->next->len, 0U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b->next)->seq, una + 3000);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(b->next)->end_seq, una + 3001);
	KUNIT_EXPECT_TRUE(test, XTCP_SKB_CB(b->next)->flags & TCPHDR_FIN);
out:
	release_sock(sk);
	xtcp_dp_forget(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, 0);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_ratio_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1;
	struct sk_buff *full, *small;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 ratio, want;

	full = xtcp_dp_data(test, d, 1000);
	small = xtcp_dp_data(test, d + 1000, 200);
	want = (1000U << 8) / full->truesize;
	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	KUNIT_EXPECT_EQ(test, xs->scaling_ratio, 128);	/* until a full segment tells */
	KUNIT_EXPECT_EQ(test, xs->rcv_mss, 536U);
	/* larger than rcv_mss: it sets the ratio and the receive MSS */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, full), 2);
	KUNIT_EXPECT_EQ(test, xs->scaling_ratio, want);
	KUNIT_EXPECT_EQ(test, xs->rcv_mss, 1000U);
	ratio = xs->scaling_ratio;
	/* a short segment (a writer's tail) leaves both alone */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, small), 2);
	KUNIT_EXPECT_EQ(test, xs->scaling_ratio, ratio);
	KUNIT_EXPECT_EQ(test, xs->rcv_mss, 1000U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 1200);
	/*
	 * The window offers the measured share of free memory, at most 232/256 however
	 * little overhead a segment had: what it lets in fits once packed (240/256)
	 */
	xs->scaling_ratio = 128;
	KUNIT_EXPECT_EQ(test, xtcp_win_from_space(xs, 25600), 12800U);
	KUNIT_EXPECT_EQ(test, xtcp_space_from_win(xs, 12800), 25600U);
	xs->scaling_ratio = 250;
	KUNIT_EXPECT_EQ(test, xtcp_win_from_space(xs, 25600), 23200U);
	KUNIT_EXPECT_EQ(test, xtcp_space_from_win(xs, 23200), 25600U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_rmem_test(struct kunit *test)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	const u32 d = XTCP_TEST_IRS + 1;
	struct kvec iov = { .iov_len = 2000 };
	struct sk_buff *a, *b, *c, *c2;
	unsigned long dropped;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;

	iov.iov_base = kunit_kzalloc(test, iov.iov_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iov.iov_base);
	a = xtcp_dp_data(test, d, 1000);
	b = xtcp_dp_data(test, d + 1000, 1000);
	c = xtcp_dp_data(test, d + 2000, 1000);
	c2 = xtcp_dp_data(test, d + 2000, 1000);
	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	/* a buffer smaller than one segment's memory, a window of 65535 offered earlier */
	WRITE_ONCE(sk->sk_rcvbuf, 1500);
	dropped = xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED);
	/* the buffer is not over its size yet: taken, as Linux takes it */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_GT(test, atomic_read(&sk->sk_rmem_alloc), 1500);
	/* now it is: the buffer grows to what it holds, the data offered for is taken */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, b), 2);
	KUNIT_EXPECT_GT(test, sk->sk_rcvbuf, 1500);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 2000);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED), dropped);
	/*
	 * A buffer fixed by SO_RCVBUF does not grow: in-order data is dropped, not ACKed,
	 * while the reader has data to take; the ACK offers a zero window (Linux's
	 * ICSK_ACK_NOMEM), so that the peer stops sending what would be dropped.
	 */
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	WRITE_ONCE(sk->sk_rcvbuf, 1500);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, c), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_rcvbuf, 1500);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 2000);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED), dropped + 1);
	KUNIT_EXPECT_EQ(test, xs->rcv_wnd, 0U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 2000);
	KUNIT_EXPECT_FALSE(test, (int)xs->ack_nomem);	/* the ACK went */
	release_sock(sk);

	/* reading makes room, and an ACK reopens the window: the segment is taken now */
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(s, &msg, &iov, 1, 2000, MSG_DONTWAIT), 2000);
	lock_sock(sk);
	KUNIT_EXPECT_GT(test, xtcp_receive_window(xs), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, c2), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 3000);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* A data segment from the peer at @seq whose bytes say where they are in the stream. */
static struct sk_buff *xtcp_dp_pattern(struct kunit *test, u32 seq, unsigned int len)
{
	struct sk_buff *skb = xtcp_dp_data(test, seq, len);
	u8 *p = (u8 *)tcp_hdr(skb) + tcp_hdrlen(skb);
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = (u8)((seq + i) * 7);
	return skb;
}

/* Read @len bytes and check they are the stream's from @seq on (xtcp_dp_pattern()). */
static void xtcp_dp_expect_read(struct kunit *test, struct socket *s, u32 seq,
				unsigned int len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct kvec iov;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	iov.iov_base = buf;
	iov.iov_len = len;
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(s, &msg, &iov, 1, len, MSG_DONTWAIT), (int)len);
	for (i = 0; i < len; i++)
		if (buf[i] != (u8)((seq + i) * 7))
			break;
	KUNIT_EXPECT_EQ(test, i, len);
}

/* An established socket of the peer's data, locked: the caller releases it. */
static struct socket *xtcp_dp_receiver(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);

	lock_sock(s->sk);
	xtcp_test_establish(s->sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	return s;
}

/*
 * A clone of a pattern segment, as a device that keeps the original hands it over
 * (veth a sender's clone): its data cannot be appended to another segment.  The
 * original is freed when the test ends.
 */
static struct sk_buff *xtcp_dp_cloned(struct kunit *test, u32 seq, unsigned int len)
{
	struct sk_buff *skb = xtcp_dp_pattern(test, seq, len), *c;

	c = skb_clone(skb, GFP_KERNEL);
	if (!c || kunit_add_action_or_reset(test, (kunit_action_t *)kfree_skb, skb))
		kfree_skb(c);
	KUNIT_ASSERT_NOT_NULL(test, c);
	return c;
}

/* net.xtcp.mem as it was (memory pressure ends with the next charge under mem[0]) */
static void xtcp_dp_restore_mem(void *saved)
{
	memcpy(xtcp_sysctl_mem, saved, sizeof(xtcp_sysctl_mem));
}

/*
 * Over the hard memory limit (net.xtcp.mem[2]) with nothing queued to read, in-order
 * data is charged anyway, as Linux does (sk_forced_mem_schedule()): dropping it could
 * only stall the stream, for no reading would free memory.  The ACK offers a zero
 * window all the same.
 */
static void xtcp_datapath_nomem_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1;
	long *saved = kunit_kmalloc(test, sizeof(xtcp_sysctl_mem), GFP_KERNEL);
	struct sk_buff *a = xtcp_dp_pattern(test, d, 8000);
	unsigned long dropped = xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED);
	struct socket *s;
	struct sock *sk;
	struct xtcp_sock *xs;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	/* more than a socket keeps charged ahead (under a page) */
	KUNIT_ASSERT_GT(test, a->truesize, (unsigned int)PAGE_SIZE);
	memcpy(saved, xtcp_sysctl_mem, sizeof(xtcp_sysctl_mem));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_dp_restore_mem, saved), 0);
	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	sk_mem_reclaim(sk);
	/* below any count: what CPUs hold back of it is not added in yet (sk_memory_allocated()) */
	xtcp_sysctl_mem[0] = -1;
	xtcp_sysctl_mem[1] = -1;
	xtcp_sysctl_mem[2] = -1;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 8000);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED), dropped);
	KUNIT_EXPECT_EQ(test, xs->rcv_wnd, 0U);
	KUNIT_EXPECT_GE(test, atomic_read(&sk->sk_rmem_alloc), 8000);	/* charged */
	sk->sk_prot->leave_memory_pressure(sk);
	release_sock(sk);
	kunit_release_action(test, xtcp_dp_restore_mem, saved);
	xtcp_dp_expect_read(test, s, d, 8000);
	KUNIT_EXPECT_EQ(test, atomic_read(&sk->sk_rmem_alloc), 0);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * PAWS on a connection (tcp_validate_incoming(), tcp_paws_check()): a timestamp two
 * ticks older than ts_recent is stale (PAWSEstab), one tick older passes
 * (TCP_PAWS_WINDOW) without moving ts_recent back, and once ts_recent is
 * XTCP_PAWS_WRAP (36 min) old any timestamp passes (its clock may have wrapped).
 */
static void xtcp_datapath_paws_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1;
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = d, .ack = XTCP_TEST_ISS + 1, .flags = TCPHDR_ACK,
				     .payload = 100, .ts = true, .tsval = 998 };
	struct sk_buff *stale, *fresh, *wrapped;
	unsigned long paws;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;

	stale = xtcp_test_rcv_skb(test, &seg);
	seg.tsval = 999;
	fresh = xtcp_test_rcv_skb(test, &seg);
	seg.seq = d + 100;
	seg.tsval = 5;
	wrapped = xtcp_test_rcv_skb(test, &seg);
	paws = xtcp_mib_read(&init_net, XTCP_MIB_PAWSESTAB);
	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	xs->tstamp_ok = 1;
	xs->ts_recent = 1000;
	xs->ts_recent_stamp = ktime_get_seconds();

	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, stale), 0);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_PAWSESTAB), paws + 1);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, fresh), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 100);
	KUNIT_EXPECT_EQ(test, xs->ts_recent, 1000U);
	xs->ts_recent_stamp = ktime_get_seconds() - XTCP_PAWS_WRAP - 1;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, wrapped), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 200);
	KUNIT_EXPECT_EQ(test, xs->ts_recent, 5U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_PAWSESTAB), paws + 1);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * The window grows as data comes (tcp_grow_window()): from the handshake's 65535, each
 * full segment whose memory the window's share accounts for adds two of our segments
 * (rcv_ssthresh), and the window offers no more than that however large the free
 * buffer; under memory pressure it falls to four segments, and grows again after.
 */
static void xtcp_datapath_grow_window_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1;
	struct sk_buff *a = xtcp_dp_pattern(test, d, 1000);
	struct sk_buff *b = xtcp_dp_pattern(test, d + 1000, 1000);
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 win;

	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	xs->rcv_wscale = 7;
	WRITE_ONCE(sk->sk_rcvbuf, 4 << 20);
	KUNIT_EXPECT_EQ(test, xs->rcv_ssthresh, 65535U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_ssthresh, 65535U + 2 * 1460);
	win = xtcp_window_now(sk);
	KUNIT_EXPECT_EQ(test, win, ALIGN(65535U + 2 * 1460, 128));

	/* (the next charge below net.xtcp.mem[0] would end the pressure: none here) */
	sk->sk_prot->enter_memory_pressure(sk);
	xtcp_grow_window(sk, b);
	sk->sk_prot->leave_memory_pressure(sk);
	KUNIT_EXPECT_EQ(test, xs->rcv_ssthresh, 4U * 1460);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, b), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_ssthresh, 4U * 1460 + 2 * 1460);
	release_sock(sk);
	xtcp_dp_expect_read(test, s, d, 2000);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A receive buffer (fixed by SO_RCVBUF) filled by small segments that cannot be
 * appended to each other, each taking far more memory than its data, while the window
 * assumed the share a large segment gave: the next in-order segment is taken once the
 * queue is packed into whole pages (tcp_prune_queue() -> tcp_collapse()) instead of
 * being dropped; the reader gets the same bytes, from the middle of the first segment
 * it had begun.
 */
static void xtcp_datapath_collapse_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, n = 13, len = 100;
	unsigned long collapsed, pruned, dropped;
	struct sk_buff *skb;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 i;

	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	skb = xtcp_dp_cloned(test, d, len);
	WRITE_ONCE(sk->sk_rcvbuf, n * skb->truesize - 1);
	xs->scaling_ratio = 200;	/* as a 64 KiB super-segment sets it */
	collapsed = xtcp_mib_read(&init_net, XTCP_MIB_RCVCOLLAPSED);
	pruned = xtcp_mib_read(&init_net, XTCP_MIB_PRUNECALLED);
	dropped = xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED);
	/* n segments: the last one takes the memory beyond the buffer (Linux takes it) */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 2);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_cloned(test, d + i * len, len)),
				2);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), n);
	KUNIT_EXPECT_GT(test, atomic_read(&sk->sk_rmem_alloc), sk->sk_rcvbuf);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_PRUNECALLED), pruned);
	release_sock(sk);

	/* the reader takes half of the first */
	xtcp_dp_expect_read(test, s, d, len / 2);

	/* the next one: the queue is packed, it is taken, nothing dropped */
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_cloned(test, d + n * len, len)), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + (n + 1) * len);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_PRUNECALLED), pruned + 1);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVCOLLAPSED), collapsed + n);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVDROPPED), dropped);
	/* one packed segment of what was left unread, then the new one */
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 2U);
	skb = skb_peek(&sk->sk_receive_queue);
	if (skb) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, d + len / 2);
		KUNIT_EXPECT_EQ(test, skb->len, n * len - len / 2);
	}
	KUNIT_EXPECT_LE(test, atomic_read(&sk->sk_rmem_alloc), sk->sk_rcvbuf);
	release_sock(sk);

	/* the reader gets every byte, in order */
	xtcp_dp_expect_read(test, s, d + len / 2, (n + 1) * len - len / 2);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * In-order segments whose data can move are appended to the receive queue's last
 * (tcp_try_coalesce()): one segment queued, charged about what the data takes; one
 * that overlaps what is queued is not; the reader gets every byte.
 */
static void xtcp_datapath_coalesce_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, len = 100;
	unsigned long coalesced;
	struct sk_buff *skb;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	int rmem;

	coalesced = xtcp_mib_read(&init_net, XTCP_MIB_RCVCOALESCE);
	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	/* the first has room after its data, as a driver's receive buffer may */
	skb = xtcp_dp_pattern(test, d, len);
	KUNIT_EXPECT_EQ(test, pskb_expand_head(skb, 0, 4 * len, GFP_ATOMIC), 0);
	rmem = skb->truesize;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_pattern(test, d + len, len)), 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_pattern(test, d + 2 * len, len)), 2);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_RCVCOALESCE), coalesced + 2);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	/* the small data fit the first one's room: nothing more charged */
	KUNIT_EXPECT_EQ(test, atomic_read(&sk->sk_rmem_alloc), rmem);
	skb = skb_peek(&sk->sk_receive_queue);
	if (skb) {
		KUNIT_EXPECT_EQ(test, skb->len, 3 * len);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, d + 3 * len);
	}
	/* one that overlaps what is queued (a peer's retransmission, cut otherwise) */
	skb = xtcp_dp_pattern(test, d + 5 * len / 2, 3 * len / 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 2);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 2U);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 4 * len);
	release_sock(sk);
	xtcp_dp_expect_read(test, s, d, 4 * len);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A pattern segment whose data is in a page, as skb_segment() leaves each segment it
 * cuts from a super-segment: the header in the head, the data in a fragment; with a
 * timestamps option of @tsval if @tsval is not 0.  Its checksum is not set (nothing
 * past xtcp_rcv() checks it).
 */
static struct sk_buff *xtcp_dp_paged(struct kunit *test, u32 seq, unsigned int len, u32 tsval)
{
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = seq, .ack = XTCP_TEST_ISS + 1,
				     .flags = TCPHDR_ACK, .ts = tsval != 0, .tsval = tsval };
	struct sk_buff *skb = xtcp_test_rcv_skb(test, &seg);
	struct page *page = alloc_page(GFP_KERNEL);
	u8 *p;
	unsigned int i;

	if (!page)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	for (i = 0; i < len; i++)
		p[i] = (u8)((seq + i) * 7);
	skb_add_rx_frag(skb, 0, page, 0, len, PAGE_SIZE);
	ip_hdr(skb)->tot_len = htons(ip_hdrlen(skb) + skb->len);
	XTCP_SKB_CB(skb)->end_seq = seq + len;
	return skb;
}

/* xtcp_rcv()'s call for a socket a process holds: true if @skb was dropped (freed). */
static bool xtcp_dp_backlog(struct sock *sk, struct sk_buff *skb)
{
	bool dropped;

	local_bh_disable();
	bh_lock_sock(sk);
	dropped = xtcp_add_backlog(sk, skb);
	bh_unlock_sock(sk);
	local_bh_enable();
	if (dropped)
		kfree_skb(skb);
	return dropped;
}

/*
 * A segment for a socket a process holds goes to its backlog, appended to the last
 * one there when it follows it with the same header (tcp_add_backlog()): its head is
 * freed, the backlog counts its data only, and past the backlog's limit it is still
 * taken while one that cannot be appended is dropped.  Different timestamps, a gap, a
 * FIN before it or a SYN keep segments apart; the ACK and window are the latest.
 * release_sock() then processes it all: the reader gets every byte.
 */
static void xtcp_datapath_backlog_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, len = 1400;
	unsigned long coalesced, drops;
	struct sk_buff *skb, *head;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 blen;

	coalesced = xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGCOALESCE);
	drops = xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGDROP);
	s = xtcp_dp_receiver(test);	/* locked: a process holds it */
	sk = s->sk;
	xs = xtcp_sk(sk);

	/* three in a row with the same timestamp: one segment in the backlog */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d, len, 100)));
	head = sk->sk_backlog.head;
	KUNIT_ASSERT_NOT_NULL(test, head);
	blen = sk->sk_backlog.len;
	KUNIT_EXPECT_EQ(test, blen, head->truesize);
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + len, len, 100)));
	skb = xtcp_dp_paged(test, d + 2 * len, len, 100);
	tcp_hdr(skb)->window = htons(1000);
	tcp_hdr(skb)->psh = 1;
	XTCP_SKB_CB(skb)->ack_seq = XTCP_TEST_ISS + 1;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, skb));
	KUNIT_EXPECT_PTR_EQ(test, sk->sk_backlog.tail, head);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGCOALESCE), coalesced + 2);
	KUNIT_EXPECT_EQ(test, head->len, tcp_hdrlen(head) + 3 * len);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(head)->end_seq, d + 3 * len);
	/* it counts as the three segments it holds (segs_in), of the size each had */
	KUNIT_EXPECT_EQ(test, skb_shinfo(head)->gso_segs, 3);
	KUNIT_EXPECT_EQ(test, skb_shinfo(head)->gso_size, len);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(head)->window), 1000);
	KUNIT_EXPECT_TRUE(test, tcp_hdr(head)->psh);
	/* what the backlog counts grew by the pages only, not by two more heads */
	KUNIT_EXPECT_EQ(test, sk->sk_backlog.len, blen + 2 * PAGE_SIZE);

	/* a newer timestamp, a gap, the hole filled (it does not follow the last): apart */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 3 * len, len, 101)));
	KUNIT_EXPECT_PTR_NE(test, sk->sk_backlog.tail, head);
	head = sk->sk_backlog.tail;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 5 * len, len, 101)));
	KUNIT_EXPECT_PTR_NE(test, sk->sk_backlog.tail, head);
	head = sk->sk_backlog.tail;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 4 * len, len, 101)));
	KUNIT_EXPECT_PTR_NE(test, sk->sk_backlog.tail, head);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGCOALESCE), coalesced + 2);

	/*
	 * The backlog over its limit (a small buffer): a segment that follows the last is
	 * still taken (the peer's retransmission of [5, 6) here), one that does not is
	 * dropped and counted.
	 */
	WRITE_ONCE(sk->sk_rcvbuf, SOCK_MIN_RCVBUF);
	WRITE_ONCE(sk->sk_sndbuf, SOCK_MIN_SNDBUF);
	blen = sk->sk_backlog.len;
	sk->sk_backlog.len = 2 * SOCK_MIN_RCVBUF + SOCK_MIN_SNDBUF / 2 + 64 * 1024;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 5 * len, len, 101)));
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGCOALESCE), coalesced + 3);
	KUNIT_EXPECT_TRUE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 7 * len, len, 102)));
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_BACKLOGDROP), drops + 1);
	sk->sk_backlog.len = blen;
	WRITE_ONCE(sk->sk_rcvbuf, 1 << 20);

	/* release_sock() processes it: every byte to the reader, nothing lost */
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 6 * len);
	KUNIT_EXPECT_NULL(test, sk->sk_backlog.head);
	xtcp_dp_expect_read(test, s, d, 6 * len);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* Free what the backlog holds, unprocessed. */
static void xtcp_dp_backlog_purge(struct sock *sk)
{
	struct sk_buff *skb = sk->sk_backlog.head, *next;

	while (skb) {
		next = skb->next;
		skb_mark_not_on_list(skb);
		kfree_skb(skb);
		skb = next;
	}
	sk->sk_backlog.head = NULL;
	sk->sk_backlog.tail = NULL;
	sk->sk_backlog.len = 0;
}

/* A paged segment that follows the backlog's last one, with @flags added. */
static struct sk_buff *xtcp_dp_next(struct kunit *test, struct sock *sk, u8 flags)
{
	u32 seq = XTCP_SKB_CB(sk->sk_backlog.tail)->end_seq;
	struct sk_buff *skb = xtcp_dp_paged(test, seq, 1400, 0);

	tcp_flag_byte(tcp_hdr(skb)) |= flags;
	XTCP_SKB_CB(skb)->flags |= flags;
	XTCP_SKB_CB(skb)->end_seq += !!(flags & TCPHDR_FIN);
	return skb;
}

/* Whether @skb, which follows the backlog's last segment, is appended to it. */
static bool xtcp_dp_appended(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = sk->sk_backlog.tail;

	return !xtcp_dp_backlog(sk, skb) && sk->sk_backlog.tail == tail;
}

/* net.xtcp.backlog_ack_defer of init_net as it was */
static void xtcp_dp_restore_ack_defer(void *saved)
{
	WRITE_ONCE(xtcp_pernet(&init_net)->sysctl_backlog_ack_defer, *(int *)saved);
}

/*
 * Segments [@from, @to) of @len bytes after @d, each with a timestamp of its own (so
 * that none joins another), into the backlog of @sk, which the test holds; then
 * release_sock() processes them.  The caller holds the socket again after.
 */
static void xtcp_dp_backlog_replay(struct kunit *test, struct sock *sk, u32 d, u32 len,
				   u32 from, u32 to)
{
	u32 i;

	for (i = from; i < to; i++)
		KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + i * len, len,
									   100 + i)));
	release_sock(sk);
	lock_sock(sk);
}

/*
 * Segments a process's hold left in the backlog are ACKed once, when release_sock()
 * has processed them all (net.xtcp.backlog_ack_defer, tcp_backlog_ack_defer): one ACK,
 * not one per segment, although the connection is in quick-ack mode.  An out-of-order
 * one is not held back: its duplicate ACK goes at once (RFC 5681 4.2).  With the
 * sysctl 0, each segment is ACKed as it is processed.
 */
static void xtcp_datapath_backlog_ack_test(struct kunit *test)
{
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	const u32 d = XTCP_TEST_IRS + 1, len = 1000;
	int *saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 segs_out;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	*saved = READ_ONCE(xn->sysctl_backlog_ack_defer);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_dp_restore_ack_defer, saved),
			0);
	WRITE_ONCE(xn->sysctl_backlog_ack_defer, 1);
	s = xtcp_dp_receiver(test);	/* locked: a process holds it */
	sk = s->sk;
	xs = xtcp_sk(sk);
	xs->quick_acks = XTCP_QUICKACKS;

	/* four in order: four segments in the backlog */
	segs_out = xs->segs_out;
	xtcp_dp_backlog_replay(test, sk, d, len, 0, 4);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 4 * len);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 4 * len);	/* that ACK covers them all */
	KUNIT_EXPECT_FALSE(test, (int)xs->ack_deferred);

	/* a gap, then the hole filled: the duplicate ACK at once, one ACK at the end */
	segs_out = xs->segs_out;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 5 * len, len, 104)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d + 4 * len, len, 105)));
	release_sock(sk);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 6 * len);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 2U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 6 * len);

	/* not deferred: each segment ACKed (quick-ack mode) as release_sock() goes */
	WRITE_ONCE(xn->sysctl_backlog_ack_defer, 0);
	segs_out = xs->segs_out;
	xtcp_dp_backlog_replay(test, sk, d, len, 6, 9);
	KUNIT_EXPECT_EQ(test, xs->rcv_nxt, d + 9 * len);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 3U);
	release_sock(sk);
	xtcp_dp_expect_read(test, s, d, 9 * len);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * An ACK that finds no memory is not lost: it stays owed, the delayed-ACK timer armed
 * to try again (__tcp_send_ack()).  The allocation fails by the task's fail-nth
 * (fault injection), which needs CONFIG_FAILSLAB.
 */
static void xtcp_datapath_ack_nomem_test(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 segs_out;

	s = xtcp_dp_receiver(test);	/* locked */
	sk = s->sk;
	xs = xtcp_sk(sk);
	KUNIT_EXPECT_FALSE(test, (int)xs->ack_pending);
	segs_out = xs->segs_out;
	WRITE_ONCE(current->fail_nth, 1);	/* the next allocation fails */
	xtcp_send_ack(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(current->fail_nth), 0U);
	WRITE_ONCE(current->fail_nth, 0);
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs_out);
	KUNIT_EXPECT_TRUE(test, (int)xs->ack_pending);
	KUNIT_EXPECT_TRUE(test, timer_pending(&xs->delack_timer));
	/* with memory again it goes */
	xtcp_send_ack(sk);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_FALSE(test, (int)xs->ack_pending);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
#else
	kunit_skip(test, "fault injection (CONFIG_FAILSLAB) is not built");
#endif
}

/*
 * More than one full segment unacknowledged is ACKed at once only if the window's
 * right edge moves at least as far as the last ACK put it, or the reader waits for
 * SO_RCVLOWAT bytes (__tcp_ack_snd_check()); otherwise the ACK waits for the reader
 * (xtcp_cleanup_rbuf()) or the delayed-ACK timer: a reader that lags is ACKed less
 * often.
 */
static void xtcp_datapath_ack_edge_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, len = 1000;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 segs_out;

	s = xtcp_dp_receiver(test);	/* locked */
	sk = s->sk;
	xs = xtcp_sk(sk);
	xs->quick_acks = 0;
	xs->rcv_mss = len;
	/* room enough that the window stays what was offered last (rcv_ssthresh bounds it) */
	WRITE_ONCE(sk->sk_rcvbuf, 4 << 20);
	xs->rcv_wnd = xtcp_window_now(sk);

	/* the window as large as offered: the second segment is ACKed at once */
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d, len, 100)), 2);
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs_out);
	KUNIT_EXPECT_TRUE(test, (int)xs->ack_pending);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + len, len, 101)), 2);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 2 * len);

	/* a larger window was offered before than the free space gives now: no ACK */
	xs->rcv_wnd = xtcp_window_now(sk) + 16 * len;
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + 2 * len, len, 102)), 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + 3 * len, len, 103)), 2);
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs_out);
	KUNIT_EXPECT_TRUE(test, (int)xs->ack_pending);	/* the delayed ACK is armed */
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 2 * len);

	/* unless the reader waits for more than is there (SO_RCVLOWAT) */
	WRITE_ONCE(sk->sk_rcvlowat, 8 * len);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + 4 * len, len, 104)), 2);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 5 * len);
	WRITE_ONCE(sk->sk_rcvlowat, 1);

	/* held back again, the reader's read sends it (xtcp_cleanup_rbuf()) */
	xs->rcv_wnd = xtcp_window_now(sk) + 16 * len;
	segs_out = xs->segs_out;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + 5 * len, len, 105)), 2);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_paged(test, d + 6 * len, len, 106)), 2);
	KUNIT_EXPECT_EQ(test, xs->segs_out, segs_out);
	release_sock(sk);
	xtcp_dp_expect_read(test, s, d, 7 * len);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->segs_out - segs_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->rcv_wup, d + 7 * len);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * What keeps a following segment apart in the backlog, as tcp_add_backlog(): a FIN
 * before it, a SYN, RST or URG, ECE or CWR not alike, another DS field; and, unlike
 * Linux, which counts them in gso_segs, a segment without data on either side.  A FIN is
 * appended to the data it follows, and processing that one segment does what both
 * would: the data read, the connection in CLOSE_WAIT.
 */
static void xtcp_datapath_backlog_flags_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, len = 1400;
	struct sk_buff *skb;
	struct socket *s;
	struct sock *sk;

	s = xtcp_dp_receiver(test);
	sk = s->sk;
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d, len, 0)));
	KUNIT_EXPECT_TRUE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_FIN)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, 0)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_SYN)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_RST)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_URG)));
	/* nor is anything appended to those */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, 0)));
	KUNIT_EXPECT_TRUE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, 0)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_ECE)));
	KUNIT_EXPECT_TRUE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_ECE)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_next(test, sk, TCPHDR_CWR)));
	skb = xtcp_dp_next(test, sk, TCPHDR_CWR);
	ipv4_change_dsfield(ip_hdr(skb), 0, 0x20);
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, skb));
	xtcp_dp_backlog_purge(sk);

	/* pure ACKs, the same twice: each its own, a duplicate ACK to count; no data after */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_data(test, d, 0)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_data(test, d, 0)));
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_paged(test, d, len, 0)));
	/* nor a pure ACK after data */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_appended(sk, xtcp_dp_data(test, d + len, 0)));
	xtcp_dp_backlog_purge(sk);

	/* data, then data and FIN: one segment; processed, it ends the peer's stream */
	KUNIT_EXPECT_FALSE(test, xtcp_dp_backlog(sk, xtcp_dp_paged(test, d, len, 0)));
	skb = xtcp_dp_paged(test, d + len, len, 0);
	tcp_hdr(skb)->fin = 1;
	XTCP_SKB_CB(skb)->flags |= TCPHDR_FIN;
	XTCP_SKB_CB(skb)->end_seq++;
	KUNIT_EXPECT_TRUE(test, xtcp_dp_appended(sk, skb));
	KUNIT_EXPECT_TRUE(test, tcp_hdr(sk->sk_backlog.tail)->fin);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(sk->sk_backlog.tail)->end_seq, d + 2 * len + 1);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->rcv_nxt, d + 2 * len + 1);
	KUNIT_EXPECT_EQ(test, (int)sk->sk_state, TCP_CLOSE_WAIT);
	xtcp_dp_expect_read(test, s, d, 2 * len);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * Data received twice is reported in a D-SACK block (RFC 2883, tcp_dsack_set()): the
 * ACK to an old duplicate carries it, and an ACK puts a pending one before the
 * out-of-order queue's blocks, once; without SACK there is none.
 */
static void xtcp_datapath_dsack_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1, len = 100;
	struct xtcp_sack_block sp[3];
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;

	s = xtcp_dp_receiver(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_pattern(test, d, len)), 2);
	/* the same again (a needless retransmission): its ACK reported it */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_pattern(test, d, len)), 0);
	KUNIT_EXPECT_EQ(test, xs->dsack.start, d);
	KUNIT_EXPECT_EQ(test, xs->dsack.end, d + len);
	KUNIT_EXPECT_FALSE(test, (int)xs->dsack_pending);	/* it went with that ACK */

	/* out of order data, then a pending report: the D-SACK block first, once */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_pattern(test, d + 2 * len, len)), 2);
	xtcp_dsack_set(xs, d + 10, d + 20);
	KUNIT_EXPECT_EQ(test, xtcp_ack_sack_blocks(xs, sp, 3), 2);
	KUNIT_EXPECT_EQ(test, sp[0].start, d + 10);
	KUNIT_EXPECT_EQ(test, sp[0].end, d + 20);
	KUNIT_EXPECT_EQ(test, sp[1].start, d + 2 * len);
	KUNIT_EXPECT_EQ(test, sp[1].end, d + 3 * len);
	KUNIT_EXPECT_EQ(test, xtcp_ack_sack_blocks(xs, sp, 3), 1);
	KUNIT_EXPECT_EQ(test, sp[0].start, d + 2 * len);

	/* no SACK on the connection: no D-SACK either */
	xs->rx_opt.sack_ok = 0;
	xtcp_dsack_set(xs, d, d + len);
	KUNIT_EXPECT_FALSE(test, (int)xs->dsack_pending);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * While all xtcp sockets together are over net.xtcp.mem[1], a receiver's window offers
 * at most four of its segments (Linux clamps rcv_ssthresh to 4 MSS): it offered its
 * free buffer, and 64 flows in a small guest went over the hard limit and dropped
 * in-order data.  The pressure's start is counted once.
 */
static void xtcp_datapath_pressure_test(struct kunit *test)
{
	unsigned long n = xtcp_mib_read(&init_net, XTCP_MIB_MEMORYPRESSURES);
	struct socket *s = xtcp_dp_receiver(test);
	struct sock *sk = s->sk;
	u32 before, under, after;

	xtcp_sk(sk)->advmss = 1000;
	WRITE_ONCE(sk->sk_rcvbuf, 1 << 20);
	before = xtcp_window_now(sk);
	sk->sk_prot->enter_memory_pressure(sk);
	sk->sk_prot->enter_memory_pressure(sk);
	under = xtcp_window_now(sk);
	sk->sk_prot->leave_memory_pressure(sk);
	after = xtcp_window_now(sk);
	release_sock(sk);

	KUNIT_EXPECT_GT(test, before, 4000U);
	KUNIT_EXPECT_EQ(test, under, 4000U);
	KUNIT_EXPECT_EQ(test, after, before);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_MEMORYPRESSURES), n + 1);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_wscale_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	int rmem2 = READ_ONCE(xtcp_sysctl_rmem[2]);
	int space = max_t(int, rmem2, READ_ONCE(sysctl_rmem_max));

	/* the larger of net.xtcp.rmem[2] and net.core.rmem_max, scaled as Linux does */
	KUNIT_EXPECT_EQ(test, xtcp_max_rcv_space(sk), space);
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(xtcp_max_rcv_space(sk)),
			clamp(ilog2(space) - 15, 0, 14));
	/* by default, 6 MiB (above rmem_max's 208 KiB): 7, as Linux TCP's SYN offers */
	if (rmem2 == 6 * 1024 * 1024 && READ_ONCE(sysctl_rmem_max) <= (u32)rmem2)
		KUNIT_EXPECT_EQ(test, xtcp_select_wscale(xtcp_max_rcv_space(sk)), 7);
	/* whatever the buffer is now: it may grow */
	WRITE_ONCE(sk->sk_rcvbuf, 4096);
	KUNIT_EXPECT_EQ(test, xtcp_max_rcv_space(sk),
			max_t(int, rmem2, READ_ONCE(sysctl_rmem_max)));
	/* SO_RCVBUF 65536 (doubled to 131072): the window it offers, 65536: scale 1 */
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	WRITE_ONCE(sk->sk_rcvbuf, 131072);
	KUNIT_EXPECT_EQ(test, xtcp_max_rcv_space(sk), 65536);
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(xtcp_max_rcv_space(sk)), 1);
	WRITE_ONCE(sk->sk_rcvbuf, 8 * 1024 * 1024);	/* rmem_max raised, SO_RCVBUF 4M */
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(xtcp_max_rcv_space(sk)), 7);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_autotune_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);

	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	/* the initial measure: ten segments or the window, from the start */
	KUNIT_EXPECT_EQ(test, xs->rcvq_space, 14600U);
	KUNIT_EXPECT_EQ(test, xs->rcvq_seq, xs->copied_seq);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 0U);

	/* receiver RTT samples, kept times eight */
	xtcp_rcv_rtt_update(xs, 1000, true);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 8000U);
	xtcp_rcv_rtt_update(xs, 2000, true);		/* a window sample: minimum only */
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 8000U);
	xtcp_rcv_rtt_update(xs, 500, true);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 4000U);
	xtcp_rcv_rtt_update(xs, 1000, false);		/* a timestamp: 7/8 old + new */
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 4500U);

	/*
	 * A 10 ms round trip; 100000 bytes read in 20 ms after 14600 the round trip before:
	 * rcvwin = 2 * 100000 + 16 * 1460 = 223360, grown by 2 * 223360 * 85400 / 14600
	 * (2 * 1306503) = 2836366; the buffer for it at a ratio of 1/2: 5672732 bytes.
	 */
	xs->rcv_rtt_us = 10000 << 3;
	xs->scaling_ratio = 128;
	xs->copied_seq += 100000;
	xs->rcv_nxt = xs->copied_seq;
	xs->rcvq_time = xtcp_clock_us() - 20000;
	xtcp_rcv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_rcvbuf, 5672732);
	KUNIT_EXPECT_EQ(test, xs->rcvq_space, 100000U);
	KUNIT_EXPECT_EQ(test, xs->rcvq_seq, xs->copied_seq);

	/* less than a round trip (60 s) after the last measure: nothing is measured */
	xs->rcv_rtt_us = 60000000U << 3;
	xs->rcvq_time = xtcp_clock_us();
	xs->copied_seq += 500000;
	xs->rcv_nxt = xs->copied_seq;
	xtcp_rcv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, xs->rcvq_space, 100000U);
	KUNIT_EXPECT_EQ(test, xs->rcvq_seq, xs->copied_seq - 500000);

	/* 150000 taken from the queue, 100000 still in it: 50000 read, no growth */
	xs->rcv_rtt_us = 10000 << 3;
	xs->rcvq_time = xtcp_clock_us() - 20000;
	xs->rcvq_seq = xs->copied_seq - 150000;
	xs->rcv_nxt = xs->copied_seq + 100000;
	xtcp_rcv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_rcvbuf, 5672732);
	KUNIT_EXPECT_EQ(test, xs->rcvq_space, 100000U);

	/* far more: capped at net.xtcp.rmem[2] */
	xs->copied_seq = xs->rcv_nxt;
	xs->rcvq_seq = xs->copied_seq - 4000000;
	xs->rcvq_time = xtcp_clock_us() - 20000;
	xtcp_rcv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_rcvbuf, READ_ONCE(xtcp_sysctl_rmem[2]));

	/* SO_RCVBUF: measured, never grown */
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	WRITE_ONCE(sk->sk_rcvbuf, 200000);
	xs->rcvq_space = 14600;
	xs->rcvq_seq = xs->copied_seq - 100000;
	xs->rcvq_time = xtcp_clock_us() - 20000;
	xtcp_rcv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_rcvbuf, 200000);
	KUNIT_EXPECT_EQ(test, xs->rcvq_space, 100000U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static void xtcp_datapath_sndbuf_test(struct kunit *test)
{
	/* an MSS of 1800 with its headers takes 4 KiB; each segment counts that + an sk_buff */
	const int per_mss = 4096 + SKB_DATA_ALIGN(sizeof(struct sk_buff));
	struct socket *s = xtcp_test_kern_socket(test);
	struct socket *fixed = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);

	lock_sock(sk);
	WRITE_ONCE(sk->sk_sndbuf, 16384);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	/* established: room for twice the initial window (1460-byte segments: >= 2 KiB) */
	KUNIT_EXPECT_GE(test, sk->sk_sndbuf,
			2 * 10 * (2048 + (int)SKB_DATA_ALIGN(sizeof(struct sk_buff))));
	WRITE_ONCE(sk->sk_sndbuf, 16384);
	xs->mss_cache = 1800;
	xtcp_sndbuf_expand(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_sndbuf, 2 * 10 * per_mss);
	xs->snd_cwnd = 100;
	xtcp_sndbuf_expand(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_sndbuf, 2 * 100 * per_mss);
	/* it never shrinks */
	xs->snd_cwnd = 20;
	xtcp_sndbuf_expand(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_sndbuf, 2 * 100 * per_mss);
	/* at most net.xtcp.wmem[2] */
	xs->snd_cwnd = 100000;
	xtcp_sndbuf_expand(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_sndbuf, READ_ONCE(xtcp_sysctl_wmem[2]));
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);

	/* SO_SNDBUF fixed it: the connection keeps it */
	sk = fixed->sk;
	lock_sock(sk);
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	WRITE_ONCE(sk->sk_sndbuf, 42000);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	KUNIT_EXPECT_EQ(test, sk->sk_sndbuf, 42000);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, fixed);
}

static void xtcp_datapath_rcv_rtt_test(struct kunit *test)
{
	const u32 d = XTCP_TEST_IRS + 1;
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .ack = XTCP_TEST_ISS + 1, .flags = TCPHDR_ACK,
				     .payload = 1000, .ts = true, .tsval = 100 };
	struct sk_buff *a, *b, *c, *e;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	u32 est, tsecr;

	a = xtcp_dp_data(test, d, 1000);
	b = xtcp_dp_data(test, d + 1000, 1000);
	/* echoing a timestamp of ours from 30 ms ago */
	tsecr = xtcp_clock_ms() - 30;
	seg.tsecr = tsecr;
	seg.seq = d + 2000;
	c = xtcp_test_rcv_skb(test, &seg);
	seg.seq = d + 3000;		/* the same echo again: no second sample */
	e = xtcp_test_rcv_skb(test, &seg);
	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	/* the window-long sample: it starts with the first data, ends a window later */
	xs->rcv_wnd = 1000;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, a), 2);
	KUNIT_EXPECT_NE(test, xs->rcv_rtt_time, 0U);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_seq, d + 2000);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, 0U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, b), 2);
	KUNIT_EXPECT_GT(test, xs->rcv_rtt_us, 0U);
	/* a window-long sample is a minimum: under the 30 ms a timestamp will say */
	est = xs->rcv_rtt_us;
	KUNIT_EXPECT_LT(test, est, 30000U << 3);
	/* with timestamps, a full-sized segment echoing ours: 7/8 old + the sample */
	xs->tstamp_ok = 1;
	xs->tsoffset = 0;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, c), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_last_tsecr, tsecr);
	KUNIT_EXPECT_GE(test, xs->rcv_rtt_us, est - (est >> 3) + 30000);
	est = xs->rcv_rtt_us;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, e), 2);
	KUNIT_EXPECT_EQ(test, xs->rcv_rtt_us, est);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* A sent segment [@seq, @seq + 1000) in the retransmission queue, sent @ago us ago. */
static struct sk_buff *xtcp_dp_sent(struct kunit *test, u32 seq, u32 now, u32 ago)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	XTCP_SKB_CB(skb)->seq = seq;
	XTCP_SKB_CB(skb)->end_seq = seq + 1000;
	XTCP_SKB_CB(skb)->tx_time = now - ago;
	XTCP_SKB_CB(skb)->sacked = 0;
	XTCP_SKB_CB(skb)->pcount = 1;
	return skb;
}

static void xtcp_datapath_rack_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), timeout, t;
	struct sk_buff *seg[5];
	int i;

	/* A, B, C, D sent 52, 51, 50.5 and 50 ms ago, E just now */
	seg[0] = xtcp_dp_sent(test, 1000, now, 52000);
	seg[1] = xtcp_dp_sent(test, 2000, now, 51000);
	seg[2] = xtcp_dp_sent(test, 3000, now, 50500);
	seg[3] = xtcp_dp_sent(test, 4000, now, 50000);
	seg[4] = xtcp_dp_sent(test, 5000, now, 10);
	lock_sock(sk);
	for (i = 0; i < 5; i++)
		xtcp_rtx_queue_add(sk, seg[i]);
	xs->packets_out = 5;
	xs->snd_una = 1000;
	xs->snd_nxt = 6000;
	xs->srtt_us = 60000;
	xs->min_rtt_us = 40000;
	xs->ca_state = XTCP_CA_OPEN;

	/* nothing delivered: nothing to judge by */
	KUNIT_EXPECT_EQ(test, xtcp_rack_detect_loss(sk), 0U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 0U);

	/* D is SACKed: its round trip, 50 ms, is RACK's */
	XTCP_SKB_CB(seg[3])->sacked = XTCP_SKB_SACKED;
	list_del_init(xtcp_skb_tsorted(seg[3]));
	xs->sacked_out = 1;
	xtcp_rack_advance(xs, 0, 5000, now - 50000, xtcp_clock_us());
	KUNIT_EXPECT_EQ(test, xs->rack_mstamp, now - 50000);
	KUNIT_EXPECT_EQ(test, xs->rack_end_seq, 5000U);
	KUNIT_EXPECT_GE(test, xs->rack_rtt_us, 50000U);
	/* a retransmitted segment ACKed sooner than the smallest RTT: not taken */
	t = xtcp_clock_us();
	xtcp_rack_advance(xs, XTCP_SKB_EVER_RETRANS, 6000, t, t);
	KUNIT_EXPECT_EQ(test, xs->rack_end_seq, 5000U);

	/* one SACKed, no reordering seen: a window of min_rtt / 4 = 10 ms */
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd(xs), 10000U);
	timeout = xtcp_rack_detect_loss(sk);
	/*
	 * A, B, C are 2, 1 and 0.5 ms past D's round trip, within the window: the timer
	 * is for C's 9.5 ms left (less the time this took); E, sent after D, is not judged
	 */
	KUNIT_EXPECT_EQ(test, xs->lost_out, 0U);
	KUNIT_EXPECT_GT(test, timeout, 0U);
	KUNIT_EXPECT_LE(test, timeout, 9500U);

	/* DupThresh SACKed and no reordering seen: no window, A, B and C are lost */
	xs->sacked_out = XTCP_DUPTHRESH;
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd(xs), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_rack_detect_loss(sk), 0U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[i])->sacked, XTCP_SKB_LOST);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[4])->sacked, 0);
	/* they wait for their retransmission out of RACK's order: E is left in it */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.next), seg[4]);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.prev), seg[4]);
	/* once the path was seen to reorder, the window stays, at most SRTT */
	xs->reord_seen = 1;
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd(xs), 10000U);
	xs->min_rtt_us = 400000;
	KUNIT_EXPECT_EQ(test, xtcp_rack_reo_wnd(xs), 60000U);
	xs->reord_seen = 0;
	xs->min_rtt_us = 40000;

	/*
	 * A was retransmitted 45 ms ago; E, sent after that, is delivered 10 us after it
	 * left: A's copy is lost too - taken for lost again, no longer in flight.
	 */
	XTCP_SKB_CB(seg[0])->sacked |= XTCP_SKB_RETRANS | XTCP_SKB_EVER_RETRANS;
	XTCP_SKB_CB(seg[0])->tx_time = now - 45000;
	/* RACK's order is the order of sending: A's copy, then E */
	list_move_tail(xtcp_skb_tsorted(seg[0]), &xs->tsorted_sent_queue);
	list_move_tail(xtcp_skb_tsorted(seg[4]), &xs->tsorted_sent_queue);
	xs->retrans_out = 1;
	xs->ca_state = XTCP_CA_RECOVERY;
	xtcp_rack_advance(xs, 0, 6000, now - 10, xtcp_clock_us());
	KUNIT_EXPECT_EQ(test, xtcp_rack_detect_loss(sk), 0U);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 3U);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[0])->sacked,
			XTCP_SKB_LOST | XTCP_SKB_EVER_RETRANS);

	/* the segments were never charged to the socket: free them here */
	for (i = 0; i < 5; i++) {
		xtcp_rtx_queue_unlink(sk, seg[i]);
		kfree_skb(seg[i]);
	}
	xs->packets_out = 0;
	xs->lost_out = 0;
	xs->sacked_out = 0;
	xs->ca_state = XTCP_CA_OPEN;
	release_sock(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * An established socket that sends through loopback, whose timers wait seconds (a long
 * SRTT and RTO) so that none fires while a test drives it by hand; Nagle off.
 */
static struct socket *xtcp_dp_quiet_sender(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct xtcp_sock *xs = xtcp_sk(s->sk);

	lock_sock(s->sk);
	xtcp_test_establish(s->sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	xs->srtt_us = 5 * USEC_PER_SEC;
	xs->rttvar_us = USEC_PER_SEC;
	xs->rto = 10 * HZ;
	xs->nonagle = XTCP_NAGLE_OFF;
	release_sock(s->sk);
	return s;
}

/* A pure ACK of @ack from the peer (window 65535, no data). */
static struct sk_buff *xtcp_dp_ack(struct kunit *test, u32 ack)
{
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = XTCP_TEST_IRS + 1, .ack = ack, .flags = TCPHDR_ACK };

	return xtcp_test_rcv_skb(test, &seg);
}

/*
 * The retransmit timer: what it is armed for, and @when jiffies after it was armed,
 * some time between @start (read before) and now - however many ticks passed meanwhile
 * on a slow emulator.
 */
static void xtcp_dp_expect_timer(struct kunit *test, const struct xtcp_sock *xs, u8 what,
				 unsigned long start, u32 when)
{
	unsigned long expires = xs->retransmit_timer.expires;

	KUNIT_EXPECT_EQ(test, xs->pending, what);
	KUNIT_EXPECT_TRUE(test, timer_pending(&xs->retransmit_timer));
	KUNIT_EXPECT_GE(test, (long)(expires - start), (long)when);
	KUNIT_EXPECT_LE(test, (long)(expires - jiffies), (long)when);
}

/*
 * The receiver shrank its window to zero under two segments in flight (out of memory,
 * as Linux's ICSK_ACK_NOMEM does): the second is not retransmitted beyond the window,
 * the RTO sends the first as the window's probe without counting a timeout - even past
 * XTCP_RETRIES2 retransmissions, the connection lives while the peer answers - and only
 * a peer silent for twice the largest RTO ends it (tcp_retransmit_timer()).
 */
static void xtcp_datapath_zero_window_rto_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1460;
	unsigned long timeouts;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	void *buf;
	u32 total;

	buf = kunit_kzalloc(test, 2 * mss, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_quiet_sender(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 2 * mss), 2 * mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 2 * mss);
	xs->snd_wnd = 0;		/* what the peer's ACK of nothing offered */
	timeouts = xtcp_mib_read(&init_net, XTCP_MIB_TIMEOUTS);
	total = xs->total_retrans;
	KUNIT_EXPECT_EQ(test, xtcp_retransmit_skb(sk, xtcp_rtx_queue_tail(sk), 1), -EAGAIN);
	KUNIT_EXPECT_EQ(test, xs->total_retrans, total);

	xs->retransmits = XTCP_RETRIES2;
	xs->rcv_tstamp = tcp_jiffies32;
	xtcp_rto_expired(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_err, 0);
	KUNIT_EXPECT_EQ(test, (int)sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xs->total_retrans, total + 1);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_TIMEOUTS), timeouts);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_RETRANS);

	xs->rcv_tstamp = tcp_jiffies32 - 2 * XTCP_RTO_MAX - 1;
	xs->retrans_stamp = xs->rcv_tstamp;
	xtcp_rto_expired(sk);
	KUNIT_EXPECT_EQ(test, sk->sk_err, ETIMEDOUT);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* The probe timeout against worked numbers (tcp_schedule_loss_probe()). */
static void xtcp_datapath_tlp_schedule_test(struct kunit *test)
{
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 now = xtcp_clock_us(), end;
	struct sk_buff *seg[2];
	unsigned long start;
	int i;

	seg[0] = xtcp_dp_sent(test, 1000, now, 80000);
	seg[1] = xtcp_dp_sent(test, 2000, now, 0);
	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	for (i = 0; i < 2; i++)
		xtcp_rtx_queue_add(sk, seg[i]);
	xs->packets_out = 2;
	xs->srtt_us = 10000;
	xs->rto = 3 * HZ;

	/* two in flight: 2 * SRTT + 2 ms */
	start = jiffies;
	KUNIT_EXPECT_TRUE(test, xtcp_schedule_loss_probe(sk, true));
	xtcp_dp_expect_timer(test, xs, XTCP_TIME_LOSS_PROBE, start, usecs_to_jiffies(22000));
	/* one: 2 * SRTT + 200 ms, room for the peer's delayed ACK */
	xs->packets_out = 1;
	start = jiffies;
	KUNIT_EXPECT_TRUE(test, xtcp_schedule_loss_probe(sk, true));
	xtcp_dp_expect_timer(test, xs, XTCP_TIME_LOSS_PROBE, start, usecs_to_jiffies(220000));
	/* never after the RTO: restarting now (100 ms) ... */
	xs->rto = HZ / 10;
	start = jiffies;
	KUNIT_EXPECT_TRUE(test, xtcp_schedule_loss_probe(sk, true));
	xtcp_dp_expect_timer(test, xs, XTCP_TIME_LOSS_PROBE, start, HZ / 10);
	/*
	 * ... or running since the head left, 80 ms ago: 20 ms left, less the time the
	 * call took (at most end - now)
	 */
	now = xtcp_clock_us();
	XTCP_SKB_CB(seg[0])->tx_time = now - 80000;
	start = jiffies;
	KUNIT_EXPECT_TRUE(test, xtcp_schedule_loss_probe(sk, false));
	end = xtcp_clock_us();
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);
	KUNIT_EXPECT_GE(test, (long)(xs->retransmit_timer.expires - start),
			(long)usecs_to_jiffies(20000 - min(end - now, 20000U)));
	KUNIT_EXPECT_LE(test, (long)(xs->retransmit_timer.expires - jiffies),
			(long)usecs_to_jiffies(20000));
	/* no RTT sample yet: one second */
	xs->srtt_us = 0;
	xs->rto = 3 * HZ;
	start = jiffies;
	KUNIT_EXPECT_TRUE(test, xtcp_schedule_loss_probe(sk, true));
	xtcp_dp_expect_timer(test, xs, XTCP_TIME_LOSS_PROBE, start, XTCP_TIMEOUT_INIT);

	/* none without SACK, during a recovery, nor with net.xtcp.early_retrans 2 */
	xs->rx_opt.sack_ok = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_schedule_loss_probe(sk, true));
	xs->rx_opt.sack_ok = 1;
	xs->ca_state = XTCP_CA_RECOVERY;
	KUNIT_EXPECT_FALSE(test, xtcp_schedule_loss_probe(sk, true));
	xs->ca_state = XTCP_CA_OPEN;
	WRITE_ONCE(xn->sysctl_early_retrans, 2);
	KUNIT_EXPECT_FALSE(test, xtcp_schedule_loss_probe(sk, true));
	WRITE_ONCE(xn->sysctl_early_retrans, 3);

	xtcp_clear_xmit_timers(sk);
	for (i = 0; i < 2; i++) {
		xtcp_rtx_queue_unlink(sk, seg[i]);
		kfree_skb(seg[i]);
	}
	xs->packets_out = 0;
	xtcp_set_state(sk, TCP_CLOSE);
	inet_sk(sk)->inet_num = 0;
	release_sock(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * The probe itself (tcp_send_loss_probe()) and the ACKs after it
 * (tcp_process_tlp_ack()), on a connection that sends through loopback: timeouts of
 * seconds (a long SRTT) keep the real timer from firing meanwhile.
 */
static void xtcp_datapath_tlp_probe_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1460;
	unsigned long probes, recoveries;
	struct socket *s;
	struct sk_buff *last;
	struct xtcp_sock *xs;
	struct sock *sk;
	void *buf;

	buf = kunit_kzalloc(test, 8 * mss, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_quiet_sender(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	xs->snd_cwnd = 2;
	release_sock(sk);

	/* 4 segments: 2 go (cwnd), and the probe timer runs */
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 4 * mss), 4 * mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 2 * mss);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);

	/* the probe: new data, although cwnd is full */
	probes = xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES);
	xtcp_send_loss_probe(sk);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES), probes + 1);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 3 * mss);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 3U);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, una + 3 * mss);
	KUNIT_EXPECT_FALSE(test, xs->tlp_retrans);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_RETRANS);	/* the RTO, from now */
	/* one at a time: while it is outstanding the timer only becomes the RTO */
	xtcp_send_loss_probe(sk);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES), probes + 1);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 3 * mss);

	/* an ACK below the probe keeps the episode; one covering it ends it (new data) */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, una + 3 * mss);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 3 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, 0U);
	/* the ACK let the last segment go; the probe timer runs again */
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 4 * mss);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);

	/* nothing new to send: the last segment goes again */
	xtcp_send_loss_probe(sk);
	last = xtcp_rtx_queue_tail(sk);
	KUNIT_EXPECT_NOT_NULL(test, last);
	if (last) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(last)->seq, una + 3 * mss);
		/* sent again, but not a copy in flight (Linux's probe is not either) */
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(last)->sacked, XTCP_SKB_EVER_RETRANS);
	}
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES), probes + 2);
	KUNIT_EXPECT_TRUE(test, xs->tlp_retrans);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, una + 4 * mss);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 0U);

	/*
	 * Its ACK, then a pure duplicate of it: the original and the probe both arrived,
	 * nothing was lost, cwnd stays.
	 */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 4 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, una + 4 * mss);
	recoveries = xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBERECOVERY);
	xs->snd_cwnd = 10;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 4 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 10U);
	release_sock(sk);

	/*
	 * Another probe retransmits the tail, then new data goes; an ACK beyond the probe
	 * means the probe repaired a loss: cwnd is reduced once, no recovery.
	 */
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, mss), mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 5 * mss);
	xtcp_send_loss_probe(sk);
	KUNIT_EXPECT_TRUE(test, xs->tlp_retrans);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, una + 5 * mss);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, mss), mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 6 * mss);
	xs->snd_cwnd = 10;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 6 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 7U);	/* CUBIC's: 10 * 717 / 1024 */
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 7U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBERECOVERY),
			recoveries + 1);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A whole flight ACKed by one ACK, as a super-segment's is: slow start still grows cwnd
 * by what was ACKed (it did not: the ACK left nothing in flight and congestion control
 * was skipped, so cwnd stayed at 10 for good).  A flight that did not fill cwnd grows it
 * only up to twice its size.
 */
static void xtcp_datapath_flight_ack_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1460;
	struct socket *s;
	struct xtcp_sock *xs;
	struct sock *sk;
	void *buf;

	buf = kunit_kzalloc(test, 16 * mss, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_quiet_sender(test);
	sk = s->sk;
	xs = xtcp_sk(sk);

	/* 12 segments queued: cwnd (10) sends 10; their one ACK makes cwnd 20 */
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 12 * mss), 12 * mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 10U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 10 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 20U);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 2U);	/* the 2 left went */
	/* their ACK: the flight was 2 of cwnd 20, more than twice that: no growth */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 12 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 20U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* A pure ACK of @ack from the peer that SACKs [@start, @end). */
static struct sk_buff *xtcp_dp_sack(struct kunit *test, u32 ack, u32 start, u32 end)
{
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = XTCP_TEST_IRS + 1, .ack = ack, .flags = TCPHDR_ACK,
				     .sack = true, .sack_start = start, .sack_end = end };

	return xtcp_test_rcv_skb(test, &seg);
}

/*
 * A quiet sender with MSS @mss that sent @n segments of @mss bytes one by one (Nagle is
 * off: each went at once, as a segment of its own).
 */
static struct socket *xtcp_dp_sent_singles(struct kunit *test, u32 mss, unsigned int n)
{
	void *buf = kunit_kzalloc(test, mss, GFP_KERNEL);
	struct socket *s;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_quiet_sender(test);
	lock_sock(s->sk);
	xtcp_sk(s->sk)->mss_cache = mss;
	release_sock(s->sk);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, mss), (int)mss);
	return s;
}

/*
 * Which segment an ACK's round trip is taken from, as tcp_clean_rtx_queue() and
 * tcp_ack_update_rtt(): SRTT from the oldest one ACKed (it was the newest, which left
 * out how long the receiver held its ACK and let tail-loss probes fire early), from a
 * SACKed one when the ACK moves nothing, and none when it ACKs a retransmitted one.
 */
static void xtcp_datapath_rtt_sample_test(struct kunit *test)
{
	static const u32 ago_ms[] = { 3000, 2000, 500, 1000, 800 };
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000, slack = 500 * USEC_PER_MSEC;
	struct socket *s = xtcp_dp_sent_singles(test, mss, ARRAY_SIZE(ago_ms));
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	struct sock *sk = s->sk;
	struct sk_buff *skb;
	u32 now, srtt, i;

	/* five segments sent 3, 2, 0.5, 1 and 0.8 s ago; the third was retransmitted */
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 5U);
	now = xtcp_clock_us();
	i = 0;
	skb_rbtree_walk(skb, &xs->rtx_queue)
		if (i < ARRAY_SIZE(ago_ms))
			XTCP_SKB_CB(skb)->tx_time = now - ago_ms[i++] * USEC_PER_MSEC;
	skb = xtcp_rtx_queue_head(sk);
	if (skb)
		skb = skb_rb_next(skb_rb_next(skb));
	if (skb)
		XTCP_SKB_CB(skb)->sacked |= XTCP_SKB_EVER_RETRANS;
	xs->srtt_us = 0;
	xs->min_rtt_us = U32_MAX;

	/* the first two ACKed: SRTT from the first (3 s), the smallest RTT the second's */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 2 * mss)), 0);
	KUNIT_EXPECT_GE(test, xs->srtt_us, 3 * USEC_PER_SEC);
	KUNIT_EXPECT_LT(test, xs->srtt_us, 3 * USEC_PER_SEC + slack);
	KUNIT_EXPECT_GE(test, xs->min_rtt_us, 2 * USEC_PER_SEC);
	KUNIT_EXPECT_LT(test, xs->min_rtt_us, 2 * USEC_PER_SEC + slack);
	KUNIT_EXPECT_EQ(test, xs->backoff, 0);

	/* the fourth SACKed, nothing ACKed: its 1 s is a sample */
	srtt = xs->srtt_us;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una + 2 * mss, una + 3 * mss,
							      una + 4 * mss)), 0);
	KUNIT_EXPECT_GE(test, xs->srtt_us, (7 * srtt + USEC_PER_SEC) / 8);
	KUNIT_EXPECT_LT(test, xs->srtt_us, (7 * srtt + USEC_PER_SEC + slack) / 8);
	KUNIT_EXPECT_GE(test, xs->min_rtt_us, USEC_PER_SEC);
	KUNIT_EXPECT_LT(test, xs->min_rtt_us, USEC_PER_SEC + slack);

	/* the rest ACKed, the retransmitted one among them: no sample (Karn) */
	srtt = xs->srtt_us;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 5 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 0U);
	KUNIT_EXPECT_EQ(test, xs->srtt_us, srtt);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * Does every counter agree with the retransmission queue: packets_out the segments
 * its members count for, sacked_out/lost_out/retrans_out those of the marked ones?
 */
static void xtcp_dp_expect_counts(struct kunit *test, const struct xtcp_sock *xs)
{
	u32 packets = 0, sacked = 0, lost = 0, retrans = 0;
	struct sk_buff *skb;

	skb_rbtree_walk(skb, &xs->rtx_queue) {
		u32 pcount = xtcp_skb_pcount(skb);
		u8 bits = XTCP_SKB_CB(skb)->sacked;

		KUNIT_EXPECT_EQ(test, pcount, skb->len > 1000 ? DIV_ROUND_UP(skb->len, 1000) : 1);
		packets += pcount;
		sacked += bits & XTCP_SKB_SACKED ? pcount : 0;
		lost += bits & XTCP_SKB_LOST ? pcount : 0;
		retrans += bits & XTCP_SKB_RETRANS ? pcount : 0;
	}
	KUNIT_EXPECT_EQ(test, xs->packets_out, packets);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, sacked);
	KUNIT_EXPECT_EQ(test, xs->lost_out, lost);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, retrans);
}

/* A segment of the retransmission queue: [@seq, @seq + @len), no FIN, @sacked its bits */
static void xtcp_dp_expect_seg(struct kunit *test, const struct sk_buff *skb, u32 seq,
			       u32 len, u8 sacked)
{
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, seq);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, seq + len);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->sacked, sacked);
}

/*
 * Super-segments in the queues (tcp_skb_pcount()): 8 segments of 1000 bytes queued
 * and sent as one; an ACK of part of it frees what it covers (tcp_trim_head()), a
 * SACK block cuts it where the block's segments begin and end
 * (tcp_match_skb_to_sack()), a retransmission of one segment cuts it off the rest,
 * the tail-loss probe sends the last segment alone; every counter follows.
 */
/* A quiet sender (MSS @mss) whose route takes super-segments. */
static struct socket *xtcp_dp_super_sender(struct kunit *test, u32 mss)
{
	struct socket *s = xtcp_dp_quiet_sender(test);
	struct sock *sk = s->sk;

	lock_sock(sk);
	xtcp_sk(sk)->mss_cache = mss;
	xtcp_sk(sk)->max_window = 65535;
	sk->sk_route_caps = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO | NETIF_F_GSO_SCTP;
	sk->sk_gso_max_size = GSO_LEGACY_MAX_SIZE;
	sk->sk_gso_max_segs = GSO_MAX_SEGS;
	release_sock(sk);
	return s;
}

/* A super-segment sender that sent @n segments of @mss bytes, as one, none ACKed yet. */
static struct socket *xtcp_dp_super_sent(struct kunit *test, u32 mss, u32 n)
{
	void *buf = kunit_kzalloc(test, n * mss, GFP_KERNEL);
	struct socket *s;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_super_sender(test, mss);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, n * mss), n * mss);
	return s;
}

/*
 * The path MTU drops after a timeout resent the head at the old size: the head's copy is
 * lost too, and the head goes again at once cut to the new MSS (xtcp_simple_retransmit(),
 * as tcp_simple_retransmit()), every counter following the cuts.
 */
static void xtcp_datapath_pmtu_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	struct socket *s = xtcp_dp_super_sent(test, mss, 4);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	lock_sock(sk);
	skb = xtcp_rtx_queue_head(sk);
	if (!skb || xtcp_skb_pcount(skb) != 4) {
		KUNIT_FAIL(test, "4 segments were not sent as one");
		goto out;
	}
	/* a timeout: all lost, the first segment resent at 1000 bytes */
	xtcp_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xtcp_retransmit_skb(sk, skb, 1), 0);
	xtcp_dp_expect_seg(test, skb, una, mss, XTCP_SKB_LOST | XTCP_SKB_RETRANS |
						XTCP_SKB_EVER_RETRANS);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 4U);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 1U);

	/* then an MTU of 640: MSS 600 */
	KUNIT_EXPECT_EQ(test, xtcp_sync_mss(sk, 640), 600U);
	KUNIT_EXPECT_EQ(test, xs->pmtu_cookie, 640U);
	KUNIT_EXPECT_EQ(test, xtcp_current_mss(sk), 600U);
	xs->snd_cwnd = 1;
	xtcp_simple_retransmit(sk);
	/* the head went again at once: 600 bytes of it, the rest cut off and still lost */
	skb = xtcp_rtx_queue_head(sk);
	xtcp_dp_expect_seg(test, skb, una, 600, XTCP_SKB_LOST | XTCP_SKB_RETRANS |
						XTCP_SKB_EVER_RETRANS);
	xtcp_dp_expect_seg(test, skb_rb_next(skb), una + 600, 400,
			   XTCP_SKB_LOST | XTCP_SKB_EVER_RETRANS);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 1U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 5U);
	KUNIT_EXPECT_EQ(test, xs->packets_out, 5U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_LOSS);
	xtcp_dp_expect_counts(test, xs);
out:
	release_sock(sk);
	xtcp_dp_forget(sk);
}

static void xtcp_datapath_super_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	struct sk_buff *skb;
	struct socket *s;
	struct xtcp_sock *xs;
	struct sock *sk;
	int queued;
	void *buf;

	buf = kunit_kzalloc(test, 8 * mss, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_super_sender(test, mss);
	sk = s->sk;
	xs = xtcp_sk(sk);

	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 8 * mss), 8 * mss);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 8 * mss);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 1U);
	skb = xtcp_rtx_queue_head(sk);
	if (!skb)
		goto out;	/* no assertion may end the test with the socket locked */
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(skb), 8U);
	KUNIT_EXPECT_EQ(test, xtcp_skb_mss(skb), mss);
	xtcp_dp_expect_counts(test, xs);
	/* sent 4 s ago: what its ACKs and SACKs measure keeps every timer seconds away */
	XTCP_SKB_CB(skb)->tx_time = xtcp_clock_us() - 4 * USEC_PER_SEC;

	/* 2.5 segments ACKed: their bytes and memory go, 6 segments are left */
	queued = sk->sk_wmem_queued;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 2500)), 0);
	KUNIT_EXPECT_EQ(test, xs->snd_una, una + 2500);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued - 2500);
	skb = xtcp_rtx_queue_head(sk);
	xtcp_dp_expect_seg(test, skb, una + 2500, 5500, 0);
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(skb), 6U);
	xtcp_dp_expect_counts(test, xs);

	/*
	 * SACK of [4500, 6500): cut twice, the middle two segments SACKed.  A reordering
	 * path with a long RTT: RACK waits (a second) before it takes the rest for lost.
	 */
	xs->reord_seen = 1;
	xs->min_rtt_us = 4 * USEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una + 2500, una + 4500,
							      una + 6500)), 0);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 3U);
	skb = xtcp_rtx_queue_head(sk);
	xtcp_dp_expect_seg(test, skb, una + 2500, 2000, 0);
	xtcp_dp_expect_seg(test, skb_rb_next(skb), una + 4500, 2000, XTCP_SKB_SACKED);
	xtcp_dp_expect_seg(test, skb_rb_next(skb_rb_next(skb)), una + 6500, 1500, 0);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 2U);
	xtcp_dp_expect_counts(test, xs);
	/* RACK's order: the SACKed middle left it, the two other parts kept their place */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.next), skb);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.prev),
			    skb_rb_last(&xs->rtx_queue));
	KUNIT_EXPECT_TRUE(test, list_empty(xtcp_skb_tsorted(skb_rb_next(skb))));

	/* one segment of the first goes again: it is cut off the rest */
	KUNIT_EXPECT_EQ(test, xtcp_retransmit_skb(sk, skb, 1), 0);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 4U);
	xtcp_dp_expect_seg(test, skb, una + 2500, 1000, XTCP_SKB_RETRANS | XTCP_SKB_EVER_RETRANS);
	xtcp_dp_expect_seg(test, skb_rb_next(skb), una + 3500, 1000, 0);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 1U);
	xtcp_dp_expect_counts(test, xs);
	/* sent last now, it is last in RACK's order; the part cut off it is first */
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.prev), skb);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_tsorted_skb(xs->tsorted_sent_queue.next),
			    skb_rb_next(skb));
	/* it left as one segment: nothing of the whole's offload state stayed on it */
	KUNIT_EXPECT_FALSE(test, skb_is_gso(skb));

	/* the tail-loss probe: the last segment alone */
	xs->ca_state = XTCP_CA_OPEN;
	xs->tlp_high_seq = 0;
	xtcp_send_loss_probe(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 5U);
	skb = xtcp_rtx_queue_tail(sk);
	xtcp_dp_expect_seg(test, skb, una + 7500, 500, XTCP_SKB_EVER_RETRANS);
	xtcp_dp_expect_seg(test, skb_rb_prev(skb), una + 6500, 1000, 0);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 1U);
	xtcp_dp_expect_counts(test, xs);
	KUNIT_EXPECT_FALSE(test, skb_is_gso(skb));

	/* all of it ACKed: nothing left, memory given back */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 8 * mss)), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_rtx_queue_empty(sk));
	xtcp_dp_expect_counts(test, xs);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, 0);
	release_sock(sk);

	/*
	 * A FIN that rides on a sent super-segment (xtcp_send_fin() without memory), and
	 * an ACK of its data only: the data goes, the FIN stays in flight alone.  The
	 * ACKs above set a pacing rate from the 5 s SRTT, which would cut the three
	 * segments in two transmissions (xtcp_tso_segs()): the path is fast again.
	 */
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 3 * mss), 3 * mss);
	lock_sock(sk);
	skb = xtcp_rtx_queue_tail(sk);
	KUNIT_EXPECT_NOT_NULL(test, skb);
	if (!skb)
		goto out;
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(skb), 3U);
	XTCP_SKB_CB(skb)->flags |= TCPHDR_FIN;
	XTCP_SKB_CB(skb)->end_seq++;
	xs->write_seq++;
	xs->snd_nxt++;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 11 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->snd_una, una + 11 * mss);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 1U);
	skb = xtcp_rtx_queue_head(sk);
	if (skb) {
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, una + 11 * mss);
		KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, una + 11 * mss + 1);
		KUNIT_EXPECT_EQ(test, skb->len, 0U);
		KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(skb), 1U);
	}
	KUNIT_EXPECT_EQ(test, xs->packets_out, 1U);
out:
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * The scoreboard at large windows: a SACK block is not walked again where the previous
 * ACK's blocks covered it (recv_sack_cache); retransmission resumes at a hint below
 * which nothing waits; the RTO restarts it from the head and keeps the SACKs.
 */
static void xtcp_datapath_scoreboard_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	struct socket *s = xtcp_dp_sent_singles(test, mss, 6);
	struct xtcp_sock *xs = xtcp_sk(s->sk);
	struct sock *sk = s->sk;
	struct sk_buff *seg[6], *skb;
	u32 now, i;

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 6U);
	/* sent 20 s ago, 1 ms apart, on a path that reorders: RACK waits seconds */
	now = xtcp_clock_us();
	i = 0;
	skb_rbtree_walk(skb, &xs->rtx_queue) {
		if (i == ARRAY_SIZE(seg))
			break;
		XTCP_SKB_CB(skb)->tx_time = now - 20 * USEC_PER_SEC + i * USEC_PER_MSEC;
		seg[i++] = skb;
	}
	if (i != ARRAY_SIZE(seg))
		goto out;	/* no assertion may end the test with the socket locked */
	xs->reord_seen = 1;

	/* [2000, 4000) SACKed: the block is remembered */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una, una + 2 * mss,
							      una + 4 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 2U);
	KUNIT_EXPECT_EQ(test, xs->recv_sack_cache[0].start, una + 2 * mss);
	KUNIT_EXPECT_EQ(test, xs->recv_sack_cache[0].end, una + 4 * mss);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 0U);

	/*
	 * The block grows to [2000, 5000): only [4000, 5000) is walked.  (The third
	 * segment's mark is taken off by hand to see that: a walk would put it back.)
	 */
	XTCP_SKB_CB(seg[2])->sacked = 0;
	xs->sacked_out--;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una, una + 2 * mss,
							      una + 5 * mss)), 0);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[2])->sacked, 0);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[4])->sacked, XTCP_SKB_SACKED);
	XTCP_SKB_CB(seg[2])->sacked = XTCP_SKB_SACKED;
	xs->sacked_out++;
	xtcp_dp_expect_counts(test, xs);

	/*
	 * A tail-loss probe sends the last segment again.  Then three SACKed and no more
	 * reordering: RACK takes the first two for lost; the next ACK starts recovery and
	 * both go again, the probe's copy holding back neither (it stood for the second
	 * one's retransmission, which then waited for the RTO), and the hint stops at the
	 * first segment after them, as none below it waits.
	 */
	xs->ca_state = XTCP_CA_OPEN;
	xs->tlp_high_seq = 0;
	xtcp_send_loss_probe(sk);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(seg[5])->sacked, XTCP_SKB_EVER_RETRANS);
	xs->reord_seen = 0;
	KUNIT_EXPECT_EQ(test, xtcp_rack_detect_loss(sk), 0U);
	KUNIT_EXPECT_EQ(test, xs->lost_out, 2U);
	KUNIT_EXPECT_TRUE(test, list_empty(xtcp_skb_tsorted(seg[0])));
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una, una + 2 * mss,
							      una + 5 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, xs->retrans_out, 2U);
	KUNIT_EXPECT_TRUE(test, XTCP_SKB_CB(seg[0])->sacked & XTCP_SKB_RETRANS);
	KUNIT_EXPECT_TRUE(test, XTCP_SKB_CB(seg[1])->sacked & XTCP_SKB_RETRANS);
	KUNIT_EXPECT_PTR_EQ(test, xs->retransmit_skb_hint, seg[2]);
	/* a segment below the hint found lost moves it down */
	xtcp_verify_retransmit_hint(xs, seg[1]);
	KUNIT_EXPECT_PTR_EQ(test, xs->retransmit_skb_hint, seg[1]);
	xtcp_dp_expect_counts(test, xs);

	/*
	 * The RTO: what is not SACKed is lost (the probed segment too), the SACKs and
	 * their cache are kept; retransmission starts from the head
	 */
	xtcp_enter_loss(sk);
	KUNIT_EXPECT_NULL(test, xs->retransmit_skb_hint);
	KUNIT_EXPECT_EQ(test, xs->recv_sack_cache[0].end, una + 5 * mss);
	KUNIT_EXPECT_TRUE(test, list_empty(&xs->tsorted_sent_queue));
	KUNIT_EXPECT_EQ(test, xs->lost_out, 3U);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 3U);
	xtcp_dp_expect_counts(test, xs);

	/* an ACK of all: the queue, and with it the hint, empty */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 6 * mss)), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_rtx_queue_empty(sk));
	KUNIT_EXPECT_NULL(test, xs->retransmit_skb_hint);
	xtcp_dp_expect_counts(test, xs);
out:
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A SACK block that grows over a segment cut at the edge of the previous block: the
 * segment is matched against the whole block, not only against the part not walked
 * before (it was, and half of it was never SACKed).
 */
static void xtcp_datapath_sack_edge_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	struct socket *s = xtcp_dp_super_sent(test, mss, 5);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	lock_sock(sk);
	skb = xtcp_rtx_queue_head(sk);
	if (!skb)
		goto out;	/* no assertion may end the test with the socket locked */
	KUNIT_EXPECT_EQ(test, xtcp_skb_pcount(skb), 5U);
	/* sent 4 s ago on a path that reorders: RACK waits a second */
	XTCP_SKB_CB(skb)->tx_time = xtcp_clock_us() - 4 * USEC_PER_SEC;
	xs->reord_seen = 1;

	/* [2500, 5000) SACKed: cut at 3000, the last two segments SACKed */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una, una + 2500,
							      una + 5 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 2U);
	/* [500, 5000): the first segment is cut off, the next two are SACKed whole */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una, una + 500,
							      una + 5 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->sacked_out, 4U);
	KUNIT_EXPECT_EQ(test, xtcp_test_rtx_len(sk), 3U);
	xtcp_dp_expect_seg(test, xtcp_rtx_queue_head(sk), una, 1000, 0);
	xtcp_dp_expect_seg(test, skb_rb_next(xtcp_rtx_queue_head(sk)), una + 1000, 2000,
			   XTCP_SKB_SACKED);
	xtcp_dp_expect_counts(test, xs);
out:
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

#define XTCP_DP_GSO_MSS		1000
#define XTCP_DP_GSO_LEN		3500	/* 4 pieces, the last one short */
#define XTCP_DP_GSO_SEQ		0xfffffc00	/* the pieces wrap around */

/*
 * An IPv4 header of protocol ours, DF set, for @tcplen bytes of xtcp header and data,
 * at the head of @skb (headroom reserved); the transport header right after it.
 */
static void xtcp_dp_put_iph(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			    unsigned int tcplen, u8 ttl, u16 id)
{
	struct iphdr *iph;

	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = ttl;
	iph->id = htons(id);
	iph->frag_off = htons(IP_DF);
	iph->protocol = xtcp_protocol;
	iph->saddr = saddr;
	iph->daddr = daddr;
	iph->tot_len = htons(sizeof(*iph) + tcplen);
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
}

/* A super-segment as it reaches the device: skb->data at the IP header. */
static struct sk_buff *xtcp_dp_super(struct kunit *test, u8 flags)
{
	unsigned int tcplen = sizeof(struct tcphdr) + XTCP_DP_GSO_LEN;
	__be32 saddr = htonl(0x0a000001), daddr = htonl(0x0a000002);
	struct sk_buff *skb;
	struct page *page;
	struct tcphdr *th;
	struct iphdr *iph;
	u8 *data;
	int i;

	skb = alloc_skb(MAX_HEADER + sizeof(*iph) + sizeof(*th), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	page = alloc_page(GFP_KERNEL);
	if (!page)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	data = page_address(page);
	for (i = 0; i < XTCP_DP_GSO_LEN; i++)
		data[i] = i * 7 + 3;
	xtcp_dp_put_iph(skb, saddr, daddr, tcplen, 64, 0);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = htons(XTCP_DP_LPORT);
	th->dest = htons(XTCP_DP_RPORT);
	th->seq = htonl(XTCP_DP_GSO_SEQ);
	th->ack_seq = htonl(77);
	tcp_flag_byte(th) = flags;
	th->doff = sizeof(*th) / 4;
	th->window = htons(1000);
	skb_add_rx_frag(skb, 0, page, 0, XTCP_DP_GSO_LEN, PAGE_SIZE);
	/* as xtcp_csum() leaves it: the pseudo-header's sum, the rest to whoever cuts it */
	th->check = ~csum_tcpudp_magic(saddr, daddr, tcplen, xtcp_protocol, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb->protocol = htons(ETH_P_IP);
	skb_shinfo(skb)->gso_size = XTCP_DP_GSO_MSS;
	skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(XTCP_DP_GSO_LEN, XTCP_DP_GSO_MSS);
	skb_shinfo(skb)->gso_type = SKB_GSO_SCTP;
	return skb;
}

/* Check the pieces @segs of xtcp_dp_super(@flags), then free them. */
static void xtcp_dp_check_pieces(struct kunit *test, struct sk_buff *segs, u8 flags)
{
	u8 *buf = kunit_kzalloc(test, XTCP_DP_GSO_MSS, GFP_KERNEL);
	struct sk_buff *skb, *next;
	unsigned int off = 0;
	int n = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (skb = segs; skb; skb = next, n++) {
		const struct iphdr *iph = ip_hdr(skb);
		const struct tcphdr *th = tcp_hdr(skb);
		unsigned int len = min(XTCP_DP_GSO_LEN - off, (unsigned int)XTCP_DP_GSO_MSS);
		unsigned int tcplen = skb->len - skb_transport_offset(skb);
		u8 want = flags & ~(TCPHDR_FIN | TCPHDR_PSH | TCPHDR_CWR);
		unsigned int i;
		__sum16 sum;

		next = skb->next;
		if (!skb->next)
			want |= flags & (TCPHDR_FIN | TCPHDR_PSH);
		if (!n)
			want |= flags & TCPHDR_CWR;
		KUNIT_EXPECT_EQ(test, tcplen, (unsigned int)sizeof(*th) + len);
		KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), sizeof(*iph) + tcplen);
		KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
		KUNIT_EXPECT_EQ(test, ntohl(th->seq), XTCP_DP_GSO_SEQ + off);
		KUNIT_EXPECT_EQ(test, tcp_flag_byte(th), want);
		/* a device's sum, in software */
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			KUNIT_EXPECT_EQ(test, skb_checksum_help(skb), 0);
		sum = csum_tcpudp_magic(iph->saddr, iph->daddr, tcplen, xtcp_protocol,
					skb_checksum(skb, skb_transport_offset(skb), tcplen, 0));
		KUNIT_EXPECT_EQ(test, (__force u16)sum, 0);
		KUNIT_EXPECT_EQ(test, skb_copy_bits(skb, skb_transport_offset(skb) + sizeof(*th),
						    buf, len), 0);
		for (i = 0; i < len; i++)
			if (buf[i] != (u8)((off + i) * 7 + 3))
				break;
		KUNIT_EXPECT_EQ(test, i, len);
		off += len;
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, off, XTCP_DP_GSO_LEN);
}

static void xtcp_datapath_gso_test(struct kunit *test)
{
	const u8 flags = TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN | TCPHDR_CWR;
	struct sk_buff *skb, *segs;

	/* checksums in software: a device without NETIF_F_HW_CSUM */
	skb = xtcp_dp_super(test, flags);
	segs = skb_gso_segment(skb, NETIF_F_SG);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(segs));
	if (!IS_ERR_OR_NULL(segs)) {
		KUNIT_EXPECT_NE(test, (int)segs->ip_summed, CHECKSUM_PARTIAL);
		xtcp_dp_check_pieces(test, segs, flags);
	}
	kfree_skb(skb);

	/* left to a device that sums any protocol; one that sums TCP only does not count */
	skb = xtcp_dp_super(test, TCPHDR_ACK);
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(segs));
	if (!IS_ERR_OR_NULL(segs)) {
		KUNIT_EXPECT_EQ(test, (int)segs->ip_summed, CHECKSUM_PARTIAL);
		xtcp_dp_check_pieces(test, segs, TCPHDR_ACK);
	}
	kfree_skb(skb);
	skb = xtcp_dp_super(test, TCPHDR_ACK | TCPHDR_PSH);
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_IP_CSUM);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(segs));
	if (!IS_ERR_OR_NULL(segs)) {
		KUNIT_EXPECT_NE(test, (int)segs->ip_summed, CHECKSUM_PARTIAL);
		xtcp_dp_check_pieces(test, segs, TCPHDR_ACK | TCPHDR_PSH);
	}
	kfree_skb(skb);

	/* a device that takes our super-segments (veth, loopback): not cut */
	skb = xtcp_dp_super(test, TCPHDR_ACK);
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO_SCTP);
	KUNIT_EXPECT_NULL(test, segs);
	kfree_skb(skb);

	/* a TCP super-segment with our protocol number is not ours to cut */
	skb = xtcp_dp_super(test, TCPHDR_ACK);
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	segs = skb_gso_segment(skb, NETIF_F_SG);
	KUNIT_EXPECT_TRUE(test, IS_ERR(segs));
	kfree_skb(skb);
}

/*
 * GRO: segments as a device's NAPI poll hands them to napi_gro_receive() (skb->data at
 * the IP header), fed to the IPv4 entry the GRO core finds by EtherType
 * (gro_find_receive_by_type(): inet_gro_receive(), which finds ours by protocol
 * number).  What dev_gro_receive() does around it - the device's same_flow guess, the
 * GRO state of a new packet, holding it, passing up what must go alone or was
 * completed - and napi_gro_complete() are done by hand, in a list of our own.
 */
struct xtcp_dp_gro_seg {
	u32 off;		/* seq XTCP_DP_GSO_SEQ + off; data as xtcp_dp_super()'s */
	unsigned int len;
	u8 flags;		/* 0: ACK */
	u32 ack;		/* 0: 77 */
	u16 sport;		/* 0: XTCP_DP_LPORT */
	u16 window;		/* 0: 1000 */
	u32 tsval;		/* non-zero: a timestamps option (NOP NOP TS) */
	u8 ttl;			/* 0: 64 */
	/*
	 * 0: the sum left to the device (CHECKSUM_PARTIAL, as over veth); else the whole
	 * sum, done with this protocol number in the pseudo-header (CHECKSUM_NONE)
	 */
	u8 csum_proto;
	bool linear;		/* the data in the linear part, not in a page fragment */
};

#define XTCP_DP_GRO_MAX	8

static struct sk_buff *xtcp_dp_gro_skb(struct kunit *test, const struct xtcp_dp_gro_seg *g,
				       u16 id)
{
	__be32 saddr = htonl(0x0a000001), daddr = htonl(0x0a000002);
	unsigned int thlen = sizeof(struct tcphdr) + (g->tsval ? TCPOLEN_TSTAMP_ALIGNED : 0);
	unsigned int tcplen = thlen + g->len, i;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	u8 *data = NULL;

	skb = alloc_skb(MAX_HEADER + sizeof(*iph) + tcplen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	xtcp_dp_put_iph(skb, saddr, daddr, tcplen, g->ttl ?: 64, id);
	th = skb_put_zero(skb, thlen);
	th->source = htons(g->sport ?: XTCP_DP_LPORT);
	th->dest = htons(XTCP_DP_RPORT);
	th->seq = htonl(XTCP_DP_GSO_SEQ + g->off);
	th->ack_seq = htonl(g->ack ?: 77);
	tcp_flag_byte(th) = g->flags ?: TCPHDR_ACK;
	th->doff = thlen / 4;
	th->window = htons(g->window ?: 1000);
	if (g->tsval) {
		__be32 *opt = (__be32 *)(th + 1);

		*opt++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*opt++ = htonl(g->tsval);
		*opt = htonl(1);
	}
	if (g->linear) {
		data = skb_put(skb, g->len);
	} else if (g->len) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page)
			kfree_skb(skb);
		KUNIT_ASSERT_NOT_NULL(test, page);
		data = page_address(page);
		skb_add_rx_frag(skb, 0, page, 0, g->len, PAGE_SIZE);
	}
	for (i = 0; i < g->len; i++)
		data[i] = (g->off + i) * 7 + 3;
	if (!g->csum_proto) {
		th->check = ~csum_tcpudp_magic(saddr, daddr, tcplen, xtcp_protocol, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	} else {
		th->check = csum_tcpudp_magic(saddr, daddr, tcplen, g->csum_proto,
					      skb_checksum(skb, sizeof(*iph), tcplen, 0));
		skb->ip_summed = CHECKSUM_NONE;
	}
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;	/* whose gro_ipv4_max_size bounds a packet */
	return skb;
}

/* napi_gro_complete(): a merged packet completed by the protocols, then passed up. */
static void xtcp_dp_gro_up(struct sk_buff *skb, struct sk_buff **up, int *n, int *err)
{
	if (NAPI_GRO_CB(skb)->count == 1) {
		skb_shinfo(skb)->gso_size = 0;
	} else {
		skb->encapsulation = 0;
		*err |= gro_find_complete_by_type(htons(ETH_P_IP))->callbacks.gro_complete(skb, 0);
	}
	up[(*n)++] = skb;
}

/*
 * Feed @segs in order, as one NAPI poll would, then flush what is held; the packets
 * that went up, in order, are put in @up.  Return how many.
 */
static int xtcp_dp_gro_run(struct kunit *test, const struct xtcp_dp_gro_seg *segs, int n,
			   struct sk_buff **up)
{
	struct packet_offload *ptype = gro_find_receive_by_type(htons(ETH_P_IP));
	struct sk_buff *skbs[XTCP_DP_GRO_MAX], *skb, *pp, *tmp;
	int i, n_up = 0, err = 0;
	LIST_HEAD(held);

	KUNIT_ASSERT_NOT_NULL(test, ptype);
	KUNIT_ASSERT_LE(test, n, XTCP_DP_GRO_MAX);
	for (i = 0; i < n; i++)
		skbs[i] = xtcp_dp_gro_skb(test, &segs[i], 4000 + i);	/* IDs counting */

	rcu_read_lock();
	local_bh_disable();
	for (i = 0; i < n; i++) {
		skb = skbs[i];
		/* the device's guess: everything held is of this flow (one hash bucket) */
		list_for_each_entry(tmp, &held, list)
			NAPI_GRO_CB(tmp)->same_flow = 1;
		memset(NAPI_GRO_CB(skb), 0, sizeof(*NAPI_GRO_CB(skb)));
		NAPI_GRO_CB(skb)->count = 1;

		pp = ptype->callbacks.gro_receive(&held, skb);
		if (pp) {
			skb_list_del_init(pp);
			xtcp_dp_gro_up(pp, up, &n_up, &err);
		}
		if (NAPI_GRO_CB(skb)->same_flow) {
			/* merged: what is left of it goes, unless it is in a frag_list */
			if (NAPI_GRO_CB(skb)->free)
				consume_skb(skb);
		} else if (NAPI_GRO_CB(skb)->flush) {
			up[n_up++] = skb;
		} else {
			NAPI_GRO_CB(skb)->last = skb;
			skb_shinfo(skb)->gso_size = skb_gro_len(skb);
			list_add(&skb->list, &held);
		}
	}
	/* the end of the poll: the oldest first */
	list_for_each_entry_safe_reverse(skb, tmp, &held, list) {
		skb_list_del_init(skb);
		xtcp_dp_gro_up(skb, up, &n_up, &err);
	}
	local_bh_enable();
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, err, 0);
	return n_up;
}

static void xtcp_dp_gro_free(struct sk_buff **up, int n)
{
	while (n--)
		kfree_skb(up[n]);
}

/*
 * Four segments that follow each other, checksummed as @csum_proto says (see struct
 * xtcp_dp_gro_seg), their data in their linear parts if @linear (merged then through
 * the frag_list), the last one short with the flags @last (PSH, FIN; CWR goes on the
 * first) are one packet: the super-segment xtcp_dp_super() crafts, which the stack
 * cuts again into the same four (checksums in software).
 */
static void xtcp_dp_gro_train(struct kunit *test, u8 csum_proto, bool linear, u8 last)
{
	struct xtcp_dp_gro_seg segs[4] = {
		{ .off = 0, .len = 1000 }, { .off = 1000, .len = 1000 },
		{ .off = 2000, .len = 1000 },
		{ .off = 3000, .len = 500, .flags = (last & ~TCPHDR_CWR) | TCPHDR_ACK },
	};
	struct sk_buff *up[XTCP_DP_GRO_MAX], *skb, *pieces;
	const unsigned int tcplen = sizeof(struct tcphdr) + XTCP_DP_GSO_LEN;
	const struct iphdr *iph;
	struct tcphdr *th;
	int i, n;

	if (last & TCPHDR_CWR)
		segs[0].flags = TCPHDR_ACK | TCPHDR_CWR;
	for (i = 0; i < 4; i++) {
		segs[i].csum_proto = csum_proto;
		segs[i].linear = linear;
	}
	n = xtcp_dp_gro_run(test, segs, 4, up);
	KUNIT_ASSERT_EQ(test, n, 1);
	skb = up[0];
	iph = ip_hdr(skb);
	th = tcp_hdr(skb);
	KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)sizeof(*iph) + tcplen);
	KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), sizeof(*iph) + tcplen);
	KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_type, SKB_GSO_SCTP);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, XTCP_DP_GSO_MSS);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_segs, 4);
	KUNIT_EXPECT_EQ(test, skb_has_frag_list(skb), linear);
	KUNIT_EXPECT_EQ(test, tcp_flag_byte(th), last | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, ntohl(th->seq), XTCP_DP_GSO_SEQ);
	/* the checksum left to whoever delivers or cuts it, with our protocol number */
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
	KUNIT_EXPECT_PTR_EQ(test, skb->head + skb->csum_start, (unsigned char *)th);
	KUNIT_EXPECT_EQ(test, skb->csum_offset, offsetof(struct tcphdr, check));
	KUNIT_EXPECT_EQ(test, (__force u16)th->check,
			(__force u16)~csum_tcpudp_magic(iph->saddr, iph->daddr, tcplen,
							xtcp_protocol, 0));

	pieces = skb_gso_segment(skb, NETIF_F_SG);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(pieces));
	if (!IS_ERR_OR_NULL(pieces))
		xtcp_dp_check_pieces(test, pieces, last | TCPHDR_ACK);
	xtcp_dp_gro_free(up, n);
}

static void xtcp_datapath_gro_train_test(struct kunit *test)
{
	/* the sender left the sums to the device; data in pages, as veth hands them on */
	xtcp_dp_gro_train(test, 0, false, TCPHDR_PSH);
	/* whole sums, checked with our protocol number; data in the linear parts */
	xtcp_dp_gro_train(test, xtcp_protocol, true, TCPHDR_PSH | TCPHDR_FIN);
	/* CWR on the first segment stays there */
	xtcp_dp_gro_train(test, xtcp_protocol, false, TCPHDR_PSH | TCPHDR_CWR);
}

struct xtcp_dp_gro_case {
	const char *what;
	struct xtcp_dp_gro_seg segs[3];
	int n;
	/* the packets that go up, and the segments in each */
	int n_up;
	unsigned int segs_up[3];
};

static const struct xtcp_dp_gro_case xtcp_dp_gro_cases[] = {
	{ "contiguous", { { .off = 0, .len = 1000 }, { .off = 1000, .len = 1000 } }, 2,
	  1, { 2 } },
	{ "a gap", { { .off = 0, .len = 1000 }, { .off = 2000, .len = 1000 } }, 2,
	  2, { 1, 1 } },
	{ "the same segment again", { { .off = 0, .len = 1000 }, { .off = 0, .len = 1000 } },
	  2, 2, { 1, 1 } },
	{ "another flag (ECE)", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .flags = TCPHDR_ACK | TCPHDR_ECE } }, 2, 2, { 1, 1 } },
	{ "CWR after the first", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .flags = TCPHDR_ACK | TCPHDR_CWR } }, 2, 2, { 1, 1 } },
	{ "URG", { { .off = 0, .len = 1000, .flags = TCPHDR_ACK | TCPHDR_URG },
	  { .off = 1000, .len = 1000 } }, 2, 2, { 1, 1 } },
	{ "another ACK number", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .ack = 78 } }, 2, 2, { 1, 1 } },
	{ "another window", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .window = 999 } }, 2, 2, { 1, 1 } },
	{ "the same options", { { .off = 0, .len = 1000, .tsval = 5 },
	  { .off = 1000, .len = 1000, .tsval = 5 } }, 2, 1, { 2 } },
	{ "other options (the timestamp ticked)", { { .off = 0, .len = 1000, .tsval = 5 },
	  { .off = 1000, .len = 1000, .tsval = 6 } }, 2, 2, { 1, 1 } },
	{ "options on one only", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .tsval = 5 } }, 2, 2, { 1, 1 } },
	{ "another flow", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .sport = XTCP_DP_LPORT + 1 } }, 2, 2, { 1, 1 } },
	{ "another TTL", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .ttl = 63 } }, 2, 2, { 1, 1 } },
	{ "longer than the first", { { .off = 0, .len = 500 },
	  { .off = 500, .len = 1000 } }, 2, 2, { 1, 1 } },
	{ "a short one ends the train", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 500 }, { .off = 1500, .len = 1000 } }, 3, 2, { 2, 1 } },
	{ "PSH ends the train", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .flags = TCPHDR_ACK | TCPHDR_PSH },
	  { .off = 2000, .len = 1000 } }, 3, 2, { 2, 1 } },
	{ "no data", { { .off = 0, .len = 1000 }, { .off = 1000, .len = 0 } }, 2,
	  2, { 1, 1 } },
	/* the bad one goes up alone, at once (xtcp_rcv() drops it), the other later */
	{ "a checksum with IPPROTO_TCP in the pseudo-header", { { .off = 0, .len = 1000 },
	  { .off = 1000, .len = 1000, .csum_proto = IPPROTO_TCP } }, 2, 2, { 1, 1 } },
	{ "whole checksums with ours", { { .off = 0, .len = 1000, .csum_proto = 253 },
	  { .off = 1000, .len = 1000, .csum_proto = 253 } }, 2, 1, { 2 } },
};

static void xtcp_dp_gro_case_desc(const struct xtcp_dp_gro_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xtcp_dp_gro, xtcp_dp_gro_cases, xtcp_dp_gro_case_desc);

/* What merges and what ends the train or stays apart, as tcp_gro_receive() decides. */
static void xtcp_datapath_gro_flush_test(struct kunit *test)
{
	const struct xtcp_dp_gro_case *c = test->param_value;
	struct xtcp_dp_gro_seg segs[3];
	struct sk_buff *up[XTCP_DP_GRO_MAX];
	int i, n;

	memcpy(segs, c->segs, sizeof(segs));
	/* the cases say 253 for "ours": the module may own another number */
	for (i = 0; i < c->n; i++)
		if (segs[i].csum_proto == 253)
			segs[i].csum_proto = xtcp_protocol;
	n = xtcp_dp_gro_run(test, segs, c->n, up);
	KUNIT_EXPECT_EQ(test, n, c->n_up);
	for (i = 0; i < n && i < c->n_up; i++) {
		unsigned int segs_in = skb_is_gso(up[i]) ? skb_shinfo(up[i])->gso_segs : 1;

		KUNIT_EXPECT_EQ_MSG(test, segs_in, c->segs_up[i], "packet %d", i);
		/* a lone segment stays as it came, but for a checksum GRO checked */
		if (segs_in == 1)
			KUNIT_EXPECT_FALSE(test, skb_is_gso(up[i]));
	}
	/* what GRO found corrupt is left for xtcp_rcv() to check and drop */
	for (i = 0; i < n; i++)
		if (c->segs[1].csum_proto == IPPROTO_TCP && up[i]->len == 1040 &&
		    ntohl(tcp_hdr(up[i])->seq) == XTCP_DP_GSO_SEQ + 1000)
			KUNIT_EXPECT_EQ(test, (int)up[i]->ip_summed, CHECKSUM_NONE);
	xtcp_dp_gro_free(up, n);
}

/*
 * The retransmit and delayed-ACK timers against the socket's owner and the lock
 * (tcp_write_timer(), tcp_delack_timer(), tcp_release_cb()): a timer whose callback
 * finds the event re-armed for later does nothing but sleep again; one that finds the
 * socket owned leaves its work to release_sock(), which does it at once.  The
 * callbacks are called by hand, with the reference a pending timer holds.
 */
static void xtcp_datapath_timer_owned_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1460;
	unsigned long probes, timeouts, delacks;
	bool deferred_rto, deferred_ack;
	struct socket *s;
	struct xtcp_sock *xs;
	struct sock *sk;
	void *buf;

	buf = kunit_kzalloc(test, 2 * mss, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	s = xtcp_dp_quiet_sender(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 2 * mss), 2 * mss);

	/* the probe is seconds away: a callback that runs now only sleeps again */
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 2 * mss);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);
	probes = xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES);
	xtcp_write_timer_handler(sk);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_LOSSPROBES), probes);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_LOSS_PROBE);
	KUNIT_EXPECT_TRUE(test, timer_pending(&xs->retransmit_timer));
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 2 * mss);
	release_sock(sk);

	/*
	 * An ACK owed when the delayed-ACK timer expires while a process owns the
	 * socket: the callback leaves it to release_sock(), which sends it at once.
	 */
	lock_sock(sk);
	xs->ack_pending = 1;
	delacks = xtcp_mib_read(&init_net, XTCP_MIB_DELAYEDACKS);
	sock_hold(sk);
	local_bh_disable();
	xs->delack_timer.function(&xs->delack_timer);
	local_bh_enable();
	deferred_ack = test_bit(XTCP_DELACK_TIMER_DEFERRED, &sk->sk_tsq_flags);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_DELAYEDACKS), delacks);
	KUNIT_EXPECT_TRUE(test, xs->ack_pending);
	KUNIT_EXPECT_FALSE(test, timer_pending(&xs->delack_timer));
	release_sock(sk);
	KUNIT_EXPECT_TRUE(test, deferred_ack);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_DELAYEDACKS), delacks + 1);
	KUNIT_EXPECT_FALSE(test, xs->ack_pending);

	lock_sock(sk);
	/* the same for the RTO: retransmitted at once, not a retry delay later */
	sk_stop_timer(sk, &xs->retransmit_timer);
	xs->pending = XTCP_TIME_RETRANS;
	xs->timeout = jiffies - 1;
	timeouts = xtcp_mib_read(&init_net, XTCP_MIB_TIMEOUTS);
	sock_hold(sk);			/* what the pending timer held */
	local_bh_disable();
	xs->retransmit_timer.function(&xs->retransmit_timer);
	local_bh_enable();
	deferred_rto = test_bit(XTCP_WRITE_TIMER_DEFERRED, &sk->sk_tsq_flags);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_TIMEOUTS), timeouts);
	KUNIT_EXPECT_FALSE(test, timer_pending(&xs->retransmit_timer));
	release_sock(sk);
	KUNIT_EXPECT_TRUE(test, deferred_rto);
	KUNIT_EXPECT_EQ(test, sk->sk_tsq_flags & XTCPF_DEFERRED_ALL, 0UL);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_TIMEOUTS), timeouts + 1);
	KUNIT_EXPECT_EQ(test, xs->retransmits, 1);
	KUNIT_EXPECT_EQ(test, xs->pending, XTCP_TIME_RETRANS);	/* backed off */
	/* the references the deferred work held were given back */
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt),
			1 + timer_pending(&xs->retransmit_timer) +
			timer_pending(&xs->delack_timer));
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * The pacing rate (tcp_update_pacing_rate()): cwnd * MSS per SRTT, twice that while cwnd
 * is below half of ssthresh, 1.2 times after; packets in flight count if above cwnd;
 * never above SO_MAX_PACING_RATE; left alone before an RTT sample.
 */
static void xtcp_datapath_pacing_rate_test(struct kunit *test)
{
	struct socket *s = xtcp_dp_quiet_sender(test);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);

	lock_sock(sk);
	xs->mss_cache = 1448;
	xs->snd_cwnd = 10;
	xs->snd_ssthresh = 100;
	xs->srtt_us = 10000;
	xtcp_update_pacing_rate(sk);	/* 14480 bytes per 10 ms, 200 % */
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_pacing_rate), 2896000UL);
	xs->snd_ssthresh = 20;		/* cwnd 10 is half of it: 120 % */
	xtcp_update_pacing_rate(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_pacing_rate), 1737600UL);
	xs->packets_out = 20;		/* more in flight than cwnd */
	xtcp_update_pacing_rate(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_pacing_rate), 3475200UL);
	xs->packets_out = 0;
	WRITE_ONCE(sk->sk_max_pacing_rate, 1000000UL);
	xtcp_update_pacing_rate(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_pacing_rate), 1000000UL);
	xs->srtt_us = 0;
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	xtcp_update_pacing_rate(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_pacing_rate), ~0UL);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* net.xtcp.limit_output_bytes of init_net as it was */
static void xtcp_dp_restore_limit(void *saved)
{
	WRITE_ONCE(xtcp_pernet(&init_net)->sysctl_limit_output_bytes, *(int *)saved);
}

/*
 * A packet of @sk's waiting below it (in a qdisc, a device queue), as
 * xtcp_transmit_skb() owns the data it sends: freeing it calls xtcp_wfree().
 */
static struct sk_buff *xtcp_dp_in_flight(struct kunit *test, struct sock *sk)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb->sk = sk;
	skb->destructor = xtcp_wfree;
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
	return skb;
}

/* Free @skb as a device's completion does, letting softirqs (the tasklet) run after. */
static void xtcp_dp_tx_done(struct sk_buff *skb)
{
	local_bh_disable();
	kfree_skb(skb);
	local_bh_enable();
}

/*
 * TCP Small Queues (tcp_small_queue_check(), tcp_wfree()): over the limit of what
 * may wait below the socket, with more than one segment in flight, the sender stops;
 * the destructor of a sent packet starts it again through this CPU's tasklet, or
 * through release_sock() when a process holds the socket.  With one segment in
 * flight or none it never stops.  Over loopback sent packets are freed at once: one
 * kept back (xtcp_dp_in_flight()) makes the queue below, and the limit is 2 bytes.
 */
static void xtcp_datapath_tsq_test(struct kunit *test)
{
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	const u32 una = XTCP_TEST_ISS + 1;
	int *saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	void *buf = kunit_kzalloc(test, 1000, GFP_KERNEL);
	struct sk_buff *held;
	struct xtcp_sock *xs;
	struct socket *s;
	struct sock *sk;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	*saved = READ_ONCE(xn->sysctl_limit_output_bytes);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_dp_restore_limit, saved), 0);
	/* sk_wmem_alloc's own unit and the one xtcp_wfree() keeps while the tasklet sends */
	WRITE_ONCE(xn->sysctl_limit_output_bytes, 2);

	s = xtcp_test_kern_socket(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	xtcp_test_establish(sk, XTCP_DP_LPORT, XTCP_DP_RPORT);
	xs->nonagle = XTCP_NAGLE_OFF;
	xs->snd_cwnd = 100;
	sk->sk_route_caps &= ~NETIF_F_GSO_MASK;	/* one segment per send */
	release_sock(sk);

	/* nothing or one segment in flight: never held back, whatever waits below */
	held = xtcp_dp_in_flight(test, sk);
	lock_sock(sk);
	KUNIT_EXPECT_FALSE(test, xtcp_small_queue_check(sk, held, 0));
	release_sock(sk);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 1000), 1000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(xs->snd_nxt), una + 2000);

	/* two in flight and a packet below: the third waits, the socket marked */
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 1000), 1000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(xs->snd_nxt), una + 2000);
	KUNIT_EXPECT_TRUE(test, test_bit(XTCP_TSQ_THROTTLED, &sk->sk_tsq_flags));

	/* the packet leaves while a process holds the socket: release_sock() sends */
	lock_sock(sk);
	xtcp_dp_tx_done(held);
	KUNIT_EXPECT_FALSE(test, test_bit(XTCP_TSQ_THROTTLED, &sk->sk_tsq_flags));
	KUNIT_EXPECT_FALSE(test, test_bit(XTCP_TSQ_QUEUED, &sk->sk_tsq_flags));
	KUNIT_EXPECT_TRUE(test, test_bit(XTCP_TSQ_DEFERRED, &sk->sk_tsq_flags));
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 2000);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_wmem_alloc), 1U);
	release_sock(sk);
	KUNIT_EXPECT_FALSE(test, test_bit(XTCP_TSQ_DEFERRED, &sk->sk_tsq_flags));
	KUNIT_EXPECT_EQ(test, READ_ONCE(xs->snd_nxt), una + 3000);

	/* again, the socket free: the tasklet sends at once */
	held = xtcp_dp_in_flight(test, sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 1000), 1000);
	KUNIT_EXPECT_EQ(test, READ_ONCE(xs->snd_nxt), una + 3000);
	xtcp_dp_tx_done(held);
	KUNIT_EXPECT_EQ(test, READ_ONCE(xs->snd_nxt), una + 4000);
	KUNIT_EXPECT_EQ(test, sk->sk_tsq_flags & (XTCPF_TSQ_THROTTLED | XTCPF_TSQ_QUEUED |
						  XTCPF_TSQ_DEFERRED), 0UL);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_wmem_alloc), 1U);

	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A super-segment a socket sent, cut in software: each piece is the socket's, so that
 * the small queues hear of it as the last one leaves, not when the stack frees the
 * whole (tcp_gso_segment()); sk_wmem_alloc counts the pieces, and nothing once freed.
 */
static void xtcp_datapath_gso_owner_test(struct kunit *test)
{
	struct socket *s = xtcp_test_kern_socket(test);
	struct sock *sk = s->sk;
	struct sk_buff *skb, *segs, *next;
	unsigned int sum = 0, base = refcount_read(&sk->sk_wmem_alloc);
	int n = 0;

	skb = xtcp_dp_super(test, TCPHDR_ACK);
	skb->sk = sk;
	skb->destructor = xtcp_wfree;
	refcount_add(skb->truesize, &sk->sk_wmem_alloc);
	segs = skb_gso_segment(skb, NETIF_F_SG);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(segs));
	kfree_skb(skb);
	for (skb = segs; skb; skb = skb->next, n++) {
		KUNIT_EXPECT_PTR_EQ(test, skb->sk, sk);
		KUNIT_EXPECT_TRUE(test, skb->destructor == xtcp_wfree);
		sum += skb->truesize;
	}
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_wmem_alloc), base + sum);
	for (skb = segs; skb; skb = next) {
		next = skb->next;
		skb_mark_not_on_list(skb);
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_wmem_alloc), base);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * A route whose device does no segmentation ("ethtool -K DEV gso off"): sk_setup_caps()
 * leaves the socket no GSO, as it would TCP's but that it adds it for IPPROTO_TCP;
 * xtcp_gso_caps() adds it for us the same way - super-segments, the stack cutting them
 * before the device - but through IPsec without offload (a dst with a header length).
 * A device that segments keeps what sk_setup_caps() gave.
 */
static void xtcp_datapath_gso_caps_test(struct kunit *test)
{
	struct socket *s = xtcp_dp_super_sender(test, 1000);
	struct net_device *dev = alloc_netdev(0, "xk%d", NET_NAME_UNKNOWN, ether_setup);
	struct dst_entry dst = { .dev = dev };
	struct sock *sk = s->sk;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	dev->gso_max_size = 65536;
	dev->gso_max_segs = 100;
	lock_sock(sk);
	sk->sk_route_caps = NETIF_F_SG;		/* what sk_setup_caps() leaves: no GSO */
	sk->sk_gso_max_segs = 1;
	xtcp_gso_caps(sk, &dst);
	KUNIT_EXPECT_TRUE(test, sk_can_gso(sk));
	KUNIT_EXPECT_TRUE(test, sk->sk_route_caps & NETIF_F_GSO);
	KUNIT_EXPECT_TRUE(test, sk->sk_route_caps & NETIF_F_HW_CSUM);
	KUNIT_EXPECT_EQ(test, sk->sk_gso_max_size, 65536U - (MAX_TCP_HEADER + 1));
	KUNIT_EXPECT_EQ(test, sk->sk_gso_max_segs, 100U);
	KUNIT_EXPECT_GT(test, xtcp_tso_segs(sk, 1000), 1U);

	/* IPsec without offload: segments one by one, and no coming back to it */
	sk->sk_route_caps = NETIF_F_SG;
	sk->sk_gso_max_segs = 1;
	dst.header_len = 16;
	xtcp_gso_caps(sk, &dst);
	KUNIT_EXPECT_FALSE(test, sk_can_gso(sk));
	KUNIT_EXPECT_TRUE(test, sk->sk_route_caps & NETIF_F_GSO);
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 1U);

	/* a device that segments: left as sk_setup_caps() set it */
	sk->sk_route_caps = NETIF_F_SG | NETIF_F_GSO | NETIF_F_GSO_SCTP;
	sk->sk_gso_max_size = 30000;
	sk->sk_gso_max_segs = 20;
	xtcp_gso_caps(sk, &dst);
	KUNIT_EXPECT_EQ(test, sk->sk_route_caps, NETIF_F_SG | NETIF_F_GSO | NETIF_F_GSO_SCTP);
	KUNIT_EXPECT_EQ(test, sk->sk_gso_max_size, 30000U);
	KUNIT_EXPECT_EQ(test, sk->sk_gso_max_segs, 20U);
	release_sock(sk);
	free_netdev(dev);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/*
 * Super-segments sized by the pacing rate (tcp_tso_autosize()), whether the flow is
 * paced or not: about 1 ms of data, plus an allowance of 64 KB halved per 512 us of min
 * RTT, at least min_tso_segs (2), at most what the route takes; one segment on a route
 * that takes no super-segments at all.
 */
static void xtcp_datapath_tso_autosize_test(struct kunit *test)
{
	struct socket *s = xtcp_dp_super_sender(test, 1000);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 whole = (GSO_LEGACY_MAX_SIZE - 1 - XTCP_MAX_HEADER) / 1000;

	lock_sock(sk);
	xs->min_rtt_us = 10000;
	WRITE_ONCE(sk->sk_pacing_rate, 1024000UL);
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 2U);	/* not paced: sized too */
	/* the fq qdisc paces it; the release pairs with the sender's acquire */
	smp_store_release(&sk->sk_pacing_status, SK_PACING_FQ);
	xs->min_rtt_us = 100;			/* a LAN: the whole allowance */
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), whole);
	WRITE_ONCE(sk->sk_pacing_rate, 1024000UL);	/* 1000 bytes a ms */
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), whole);
	xs->min_rtt_us = 10000;			/* 10 ms: no allowance left */
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 2U);	/* min_tso_segs */
	WRITE_ONCE(sk->sk_pacing_rate, 10240000UL);
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 10U);
	xs->min_rtt_us = 1024;			/* 64 KB >> 2 */
	WRITE_ONCE(sk->sk_pacing_rate, 1024000UL);
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), (1000U + GSO_LEGACY_MAX_SIZE / 4) / 1000);
	sk->sk_gso_max_segs = 5;
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 5U);
	sk->sk_route_caps &= ~NETIF_F_GSO_MASK;	/* IPsec without offload */
	KUNIT_EXPECT_EQ(test, xtcp_tso_segs(sk, 1000), 1U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* An ACK of @ack echoing a congestion mark (ECE) */
static struct sk_buff *xtcp_dp_ece_ack(struct kunit *test, u32 ack)
{
	struct sk_buff *skb = xtcp_dp_ack(test, ack);

	tcp_hdr(skb)->ece = 1;
	return skb;
}

/*
 * An ACK echoing a CE mark (ECE) reduces cwnd as a loss would, once per window of data
 * (the CWR state, tcp_enter_cwr()): ssthresh from the algorithm, cwnd down to it, CWR
 * queued for the next new data; echoes before what was sent by then is ACKed change
 * nothing, nor does cwnd grow; an ACK beyond that ends it, and the next echo reduces
 * again.  Without ECN negotiated, ECE means nothing.
 */
static void xtcp_datapath_ecn_cwr_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	void *buf = kunit_kzalloc(test, 40 * mss, GFP_KERNEL);
	struct socket *s = xtcp_dp_super_sender(test, mss);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, xtcp_set_congestion_control(sk, "reno", true), 0);
	lock_sock(sk);
	xs->snd_cwnd = 20;
	xs->snd_wnd = 65535;
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 40 * mss), 40 * mss);
	lock_sock(sk);
	KUNIT_ASSERT_EQ(test, xs->snd_nxt, una + 20 * mss);

	/* not negotiated: an ACK with ECE is an ACK, slow start goes on (2 more sent) */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ece_ack(test, una + mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 21U);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 22 * mss);

	/*
	 * negotiated: halved (Reno), CWR queued, until snd_nxt of now is ACKed; a
	 * tail-loss probe's episode ends (its repair would reduce again)
	 */
	xs->ecn_flags = XTCP_ECN_OK;
	xs->tlp_high_seq = xs->snd_nxt;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ece_ack(test, una + 2 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->tlp_high_seq, 0U);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_CWR);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xs->high_seq, una + 22 * mss);
	KUNIT_EXPECT_TRUE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);
	KUNIT_EXPECT_EQ(test, xs->undo_marker, 0U);

	/* another echo of the same window, and ACKs without: no change, no growth */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ece_ack(test, una + 4 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 12 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_CWR);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 22 * mss);	/* 10 in flight: full */

	/* room for 2: the first new data carries CWR, the flag is spent */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 14 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->snd_nxt, una + 24 * mss);
	KUNIT_EXPECT_FALSE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);

	/*
	 * What was in flight at the echo is ACKed: CWR still, until more is (the CWR bit
	 * reached the receiver); then Open, and the next echo reduces again
	 */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 22 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_CWR);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 23 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ece_ack(test, una + 24 * mss)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_CWR);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 5U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 5U);
	KUNIT_EXPECT_TRUE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

/* net.xtcp.tso_win_divisor of init_net as it was */
static void xtcp_dp_restore_divisor(void *saved)
{
	WRITE_ONCE(xtcp_pernet(&init_net)->sysctl_tso_win_divisor, *(int *)saved);
}

/*
 * One case of xtcp_datapath_tso_defer_test: 20 segments of 1000 bytes in flight (cwnd
 * 20, Reno in congestion avoidance), more queued; an ACK of @acked segments, whose
 * round trip makes the next ACK due @due_us after it (the head sent @ago_us before,
 * SRTT @srtt_us) frees the window for that many; net.xtcp.tso_win_divisor @divisor.
 */
struct xtcp_dp_defer_case {
	u32 acked, ago_us, srtt_us;
	int divisor;
	bool idle;	/* nothing sent for 2 ms before the ACK */
	u32 sent;	/* segments that go on that ACK */
	const char *what;
};

static const struct xtcp_dp_defer_case xtcp_dp_defer_cases[] = {
	/* the head's ACK due in about 0.4 ms: wait for it rather than send 2 */
	{ 2, 9500, 10000, 3, false, 0, "2 free, the next ACK imminent: wait" },
	/* a third of the window free: that goes */
	{ 8, 9500, 10000, 3, false, 8, "8 free (a third of 20): send" },
	/* the next ACK one SRTT away: send what the window takes */
	{ 2, 1000, 1000000, 3, false, 2, "2 free, the next ACK far: send" },
	/* the sender was quiet for a millisecond: waiting would only make a burst */
	{ 2, 9500, 10000, 3, true, 2, "2 free, nothing sent for 2 ms: send" },
	/* divisor 0: wait only for fewer than 4 segments */
	{ 2, 9500, 10000, 0, false, 0, "divisor 0, 2 free: wait" },
	{ 4, 9500, 10000, 0, false, 4, "divisor 0, 4 free: send" },
};

/*
 * A super-segment waits for the ACK about to come rather than leave with the few
 * segments the congestion window has room for (xtcp_tso_should_defer(), as
 * tcp_tso_should_defer()): while the next ACK is due within min(1 ms, SRTT / 2) and
 * less than a net.xtcp.tso_win_divisor-th of the window is free.
 */
static void xtcp_datapath_tso_defer_test(struct kunit *test)
{
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	const u32 una = XTCP_TEST_ISS + 1, mss = 1000;
	int *saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	void *buf = kunit_kzalloc(test, 40 * mss, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, saved);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	*saved = READ_ONCE(xn->sysctl_tso_win_divisor);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_dp_restore_divisor, saved), 0);
	for (i = 0; i < ARRAY_SIZE(xtcp_dp_defer_cases); i++) {
		const struct xtcp_dp_defer_case *c = &xtcp_dp_defer_cases[i];
		struct socket *s = xtcp_dp_super_sender(test, mss);
		struct sock *sk = s->sk;
		struct xtcp_sock *xs = xtcp_sk(sk);
		struct sk_buff *skb;
		u32 now;

		WRITE_ONCE(xn->sysctl_tso_win_divisor, c->divisor);
		KUNIT_ASSERT_EQ(test, xtcp_set_congestion_control(sk, "reno", true), 0);
		lock_sock(sk);
		xs->snd_cwnd = 20;
		xs->snd_ssthresh = 20;
		xs->snd_wnd = 65535;
		xs->srtt_us = c->srtt_us;
		xs->min_rtt_us = 1000;	/* super-segments of 32 KB at least (the allowance) */
		release_sock(sk);
		KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 40 * mss), 40 * mss);
		lock_sock(sk);
		KUNIT_EXPECT_EQ_MSG(test, xs->snd_nxt, una + 20 * mss, "%s", c->what);
		now = xtcp_clock_us();
		skb_rbtree_walk(skb, &xs->rtx_queue)
			XTCP_SKB_CB(skb)->tx_time = now - c->ago_us;
		/* the last transmission recent however slow the machine, or 2 ms ago */
		xs->wstamp_ns = c->idle ? ktime_get_ns() - 2 * NSEC_PER_MSEC :
					  ktime_get_ns() + NSEC_PER_SEC;
		KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + c->acked * mss)),
				0);
		KUNIT_EXPECT_EQ_MSG(test, xs->snd_cwnd, 20U, "%s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, xs->snd_nxt, una + (20 + c->sent) * mss, "%s", c->what);
		/* waiting, the sender still has its retransmission timer (or probe) armed */
		KUNIT_EXPECT_TRUE_MSG(test, timer_pending(&xs->retransmit_timer), "%s", c->what);
		if (!c->sent) {
			/* the ACK it waited for: 8 free, a third of the window, they go */
			xs->wstamp_ns = ktime_get_ns() + NSEC_PER_SEC;
			KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 8 * mss)),
					0);
			KUNIT_EXPECT_EQ_MSG(test, xs->snd_nxt, una + 28 * mss, "%s", c->what);
		}
		release_sock(sk);
		xtcp_dp_forget(sk);
		kunit_release_action(test, xtcp_test_release, s);
	}
}

/* What a sender sent beyond snd_una, read without its lock (the pacing timer sends) */
static u32 xtcp_dp_in_flight_bytes(const struct xtcp_sock *xs)
{
	return READ_ONCE(xs->snd_nxt) - READ_ONCE(xs->snd_una);
}

/*
 * A socket that paces itself (SK_PACING_NEEDED, as SO_MAX_PACING_RATE makes it): at
 * 100 KB/s, super-segments of 2 segments of 1000 bytes (min_tso_segs), the first 10
 * segments go at once, then each 2000 bytes wait their time (20 ms, the first half of
 * it) and the pacing timer sends them; without pacing all 20 go at once.
 */
static void xtcp_datapath_pacing_test(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 20000, GFP_KERNEL);
	int paced;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (paced = 0; paced < 2; paced++) {
		struct socket *s = xtcp_dp_super_sender(test, 1000);
		struct sock *sk = s->sk;
		struct xtcp_sock *xs = xtcp_sk(sk);
		unsigned long deadline;
		u64 start;

		lock_sock(sk);
		xs->snd_cwnd = 100;
		xs->min_rtt_us = 100000;
		WRITE_ONCE(sk->sk_pacing_rate, 100000UL);
		if (paced) {
			/* as SO_MAX_PACING_RATE: pairs with the sender's acquire */
			smp_store_release(&sk->sk_pacing_status, SK_PACING_NEEDED);
		}
		release_sock(sk);
		start = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, xtcp_dp_send(s, buf, 20000), 20000);
		if (!paced) {
			KUNIT_EXPECT_EQ(test, xtcp_dp_in_flight_bytes(xs), 20000U);
			KUNIT_EXPECT_FALSE(test, hrtimer_active(&xs->pacing_timer));
			xtcp_dp_forget(sk);
			kunit_release_action(test, xtcp_test_release, s);
			continue;
		}
		KUNIT_EXPECT_GE(test, xtcp_dp_in_flight_bytes(xs), 10000U);
		KUNIT_EXPECT_LT(test, xtcp_dp_in_flight_bytes(xs), 20000U);
		KUNIT_EXPECT_TRUE(test, hrtimer_active(&xs->pacing_timer));
		/* the pacing timer sends the rest: at least 4 waits of 10-20 ms */
		deadline = jiffies + 10 * HZ;
		while (xtcp_dp_in_flight_bytes(xs) < 20000 && time_before(jiffies, deadline))
			usleep_range(1000, 2000);
		KUNIT_EXPECT_EQ(test, xtcp_dp_in_flight_bytes(xs), 20000U);
		KUNIT_EXPECT_GE(test, ktime_get_ns() - start, 40ULL * NSEC_PER_MSEC);
		KUNIT_EXPECT_EQ(test, READ_ONCE(xs->data_segs_out), 20U);
		xtcp_dp_forget(sk);
		kunit_release_action(test, xtcp_test_release, s);
	}
}

/* An ACK of @ack carrying timestamps: @tsecr echoed, with SACK block [@start, @end) if set */
static struct sk_buff *xtcp_dp_ts_ack(struct kunit *test, u32 ack, u32 tsecr, u32 start,
				      u32 end)
{
	struct xtcp_test_seg seg = { .sport = XTCP_DP_RPORT, .dport = XTCP_DP_LPORT,
				     .seq = XTCP_TEST_IRS + 1, .ack = ack, .flags = TCPHDR_ACK,
				     .ts = true, .tsval = 1000, .tsecr = tsecr,
				     .sack = start != end, .sack_start = start, .sack_end = end };

	return xtcp_test_rcv_skb(test, &seg);
}

/*
 * A sender of 10 segments of 1000 bytes (cwnd 10, ssthresh 20) that entered fast
 * recovery (cwnd 7 with CUBIC) and retransmitted the first one; timestamps on.
 */
static struct socket *xtcp_dp_recovering(struct kunit *test)
{
	struct socket *s = xtcp_dp_sent_singles(test, 1000, 10);
	struct sock *sk = s->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);

	lock_sock(sk);
	xs->tstamp_ok = 1;
	xs->snd_cwnd = 10;
	xs->snd_ssthresh = 20;
	xtcp_enter_recovery(sk);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 7U);
	KUNIT_EXPECT_EQ(test, xs->prior_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xs->prior_ssthresh, 20U);
	KUNIT_EXPECT_EQ(test, xs->undo_marker, XTCP_TEST_ISS + 1);
	xtcp_mark_skb_lost(xs, xtcp_rtx_queue_head(sk));
	KUNIT_EXPECT_EQ(test, xtcp_retransmit_skb(sk, xtcp_rtx_queue_head(sk), 1), 0);
	KUNIT_EXPECT_EQ(test, xs->undo_retrans, 1);
	KUNIT_EXPECT_NE(test, xs->undo_tsval, 0U);
	release_sock(sk);
	return s;
}

/*
 * A fast retransmission that was needless is undone (tcp_try_undo_dsack(),
 * tcp_try_undo_recovery()): the D-SACK of the retransmitted segment (the original came
 * first) restores cwnd and ssthresh at once; so does the end of recovery by an ACK
 * echoing a timestamp older than the retransmission (Eifel), but not one echoing the
 * retransmission's own.  A D-SACK of more than was ever retransmitted is ignored.
 */
static void xtcp_datapath_undo_test(struct kunit *test)
{
	const u32 una = XTCP_TEST_ISS + 1;
	unsigned long dsack_undo = xtcp_mib_read(&init_net, XTCP_MIB_DSACKUNDO);
	unsigned long full_undo = xtcp_mib_read(&init_net, XTCP_MIB_FULLUNDO);
	unsigned long dubious = xtcp_mib_read(&init_net, XTCP_MIB_DSACKIGNORED);
	struct sk_buff *skb;
	struct socket *s;
	struct xtcp_sock *xs;
	struct sock *sk;
	u32 tsval;

	/* D-SACK: the original arrived (ACK 1000), then the copy (D-SACK below the ACK) */
	s = xtcp_dp_recovering(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	xs->tstamp_ok = 0;
	/* an ECN connection: the reduction queued CWR for the peer */
	xs->ecn_flags = XTCP_ECN_OK | XTCP_ECN_QUEUE_CWR;
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 1000)), 0);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 7U);	/* nothing known yet */
	/* a D-SACK of five segments, one retransmitted: dubious, ignored */
	skb = xtcp_dp_sack(test, una + 1000, una - 4000, una + 1000);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 0);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_DSACKIGNORED), dubious + 1);
	KUNIT_EXPECT_EQ(test, xs->undo_retrans, 1);
	KUNIT_EXPECT_TRUE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);	/* no new data went */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_sack(test, una + 1000, una, una + 1000)),
			0);
	KUNIT_EXPECT_EQ(test, xs->undo_retrans, 0);
	KUNIT_EXPECT_EQ(test, xs->undo_marker, 0U);
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 20U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_DSACKUNDO), dsack_undo + 1);
	/* undone: no reduction to tell the peer of (tcp_ecn_withdraw_cwr()) */
	KUNIT_EXPECT_FALSE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);
	/* the end of recovery keeps the window restored */
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, xtcp_dp_ack(test, una + 10000)), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_GE(test, xs->snd_cwnd, 10U);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);

	/* timestamps: the ACK that ends recovery echoes the original's */
	s = xtcp_dp_recovering(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	tsval = xs->undo_tsval;
	skb = xtcp_dp_ts_ack(test, una + 10000, tsval - 5, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	/* back to 10, and slow start below ssthresh 20 again grows it by what was ACKed */
	KUNIT_EXPECT_EQ(test, xs->snd_cwnd, 20U);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 20U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_FULLUNDO), full_undo + 1);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);

	/* ... it echoes the retransmission's: the loss was real, cwnd stays reduced */
	s = xtcp_dp_recovering(test);
	sk = s->sk;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	tsval = xs->undo_tsval;
	skb = xtcp_dp_ts_ack(test, una + 10000, tsval, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_test_feed(sk, skb), 0);
	KUNIT_EXPECT_EQ(test, xs->ca_state, XTCP_CA_OPEN);
	/* 7, and CUBIC's growth from there */
	KUNIT_EXPECT_LT(test, xs->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, xs->snd_ssthresh, 7U);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_FULLUNDO), full_undo + 1);
	release_sock(sk);
	xtcp_dp_forget(sk);
	kunit_release_action(test, xtcp_test_release, s);
}

static struct kunit_case xtcp_datapath_cases[] = {
	KUNIT_CASE(xtcp_datapath_wakeup_test),
	KUNIT_CASE(xtcp_datapath_fragment_test),
	KUNIT_CASE(xtcp_datapath_ratio_test),
	KUNIT_CASE(xtcp_datapath_rmem_test),
	KUNIT_CASE(xtcp_datapath_collapse_test),
	KUNIT_CASE(xtcp_datapath_coalesce_test),
	KUNIT_CASE(xtcp_datapath_backlog_test),
	KUNIT_CASE(xtcp_datapath_backlog_flags_test),
	KUNIT_CASE(xtcp_datapath_backlog_ack_test),
	KUNIT_CASE(xtcp_datapath_ack_edge_test),
	KUNIT_CASE(xtcp_datapath_ack_nomem_test),
	KUNIT_CASE(xtcp_datapath_dsack_test),
	KUNIT_CASE(xtcp_datapath_pressure_test),
	KUNIT_CASE(xtcp_datapath_nomem_test),
	KUNIT_CASE(xtcp_datapath_paws_test),
	KUNIT_CASE(xtcp_datapath_grow_window_test),
	KUNIT_CASE(xtcp_datapath_wscale_test),
	KUNIT_CASE(xtcp_datapath_rcv_rtt_test),
	KUNIT_CASE(xtcp_datapath_autotune_test),
	KUNIT_CASE(xtcp_datapath_sndbuf_test),
	KUNIT_CASE(xtcp_datapath_rack_test),
	KUNIT_CASE(xtcp_datapath_tlp_schedule_test),
	KUNIT_CASE(xtcp_datapath_tlp_probe_test),
	KUNIT_CASE(xtcp_datapath_timer_owned_test),
	KUNIT_CASE(xtcp_datapath_zero_window_rto_test),
	KUNIT_CASE(xtcp_datapath_flight_ack_test),
	KUNIT_CASE(xtcp_datapath_rtt_sample_test),
	KUNIT_CASE(xtcp_datapath_scoreboard_test),
	KUNIT_CASE(xtcp_datapath_sack_edge_test),
	KUNIT_CASE(xtcp_datapath_super_test),
	KUNIT_CASE(xtcp_datapath_pmtu_test),
	KUNIT_CASE(xtcp_datapath_gso_test),
	KUNIT_CASE(xtcp_datapath_pacing_rate_test),
	KUNIT_CASE(xtcp_datapath_tso_autosize_test),
	KUNIT_CASE(xtcp_datapath_tso_defer_test),
	KUNIT_CASE(xtcp_datapath_ecn_cwr_test),
	KUNIT_CASE(xtcp_datapath_gso_caps_test),
	KUNIT_CASE(xtcp_datapath_tsq_test),
	KUNIT_CASE(xtcp_datapath_gso_owner_test),
	KUNIT_CASE(xtcp_datapath_pacing_test),
	KUNIT_CASE(xtcp_datapath_undo_test),
	KUNIT_CASE(xtcp_datapath_gro_train_test),
	KUNIT_CASE_PARAM(xtcp_datapath_gro_flush_test, xtcp_dp_gro_gen_params),
	{}
};

static struct kunit_suite xtcp_datapath_suite = {
	.name = "xtcp_datapath",
	.test_cases = xtcp_datapath_cases,
};

kunit_test_suites(&xtcp_datapath_suite);
