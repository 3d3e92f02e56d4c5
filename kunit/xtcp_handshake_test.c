// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of xtcp's tables and of the handshake state machine, driven by crafted
 * segments fed to the input path, on kernel sockets in init_net.
 *
 * Segments the module sends in answer go out through loopback; while bottom halves are
 * disabled they wait in the backlog, so a test sees the state its own segment made
 * before any answer comes back.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/inet.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/net.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

#define LO	htonl(INADDR_LOOPBACK)

/*
 * A kernel socket released when the test ends, even after a failed assertion (the
 * module stays pinned otherwise); released before with xtcp_test_put().
 */
static struct socket *xtcp_test_socket(struct kunit *test)
{
	return xtcp_test_kern_socket(test);
}

static void xtcp_test_put(struct kunit *test, struct socket *sock)
{
	kunit_release_action(test, xtcp_test_release, sock);
}

static struct socket *xtcp_test_listener(struct kunit *test, __be32 addr, u16 port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = addr };
	struct socket *sock = xtcp_test_socket(test);

	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(sock, 8), 0);
	return sock;
}

/* Give @sk a local and remote address by hand, as bind/connect would. */
static void xtcp_test_tuple(struct sock *sk, __be32 laddr, u16 lport, __be32 raddr, u16 rport)
{
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_rcv_saddr = laddr;
	inet->inet_saddr = laddr;
	inet->inet_num = lport;
	inet->inet_sport = htons(lport);
	inet->inet_daddr = raddr;
	inet->inet_dport = htons(rport);
}

static void xtcp_lhash_specific_first_test(struct kunit *test)
{
	struct socket *any = xtcp_test_socket(test), *one = xtcp_test_socket(test);
	struct sock *found[3];

	xtcp_test_tuple(any->sk, htonl(INADDR_ANY), 7201, 0, 0);
	xtcp_test_tuple(one->sk, LO, 7201, 0, 0);
	xtcp_hash(any->sk);
	xtcp_hash(one->sk);

	rcu_read_lock();
	found[0] = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(7201), 1,
					NULL, 0);
	found[1] = xtcp_lookup_listener(&init_net, LO, htons(40000), htonl(0x7f000002),
					htons(7201), 1, NULL, 0);
	found[2] = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(7202), 1,
					NULL, 0);
	rcu_read_unlock();

	KUNIT_EXPECT_PTR_EQ(test, found[0], one->sk);	/* the specific address wins */
	KUNIT_EXPECT_PTR_EQ(test, found[1], any->sk);	/* the wildcard takes the rest */
	KUNIT_EXPECT_NULL(test, found[2]);		/* another port: nobody */
	if (found[0])
		sock_put(found[0]);
	if (found[1])
		sock_put(found[1]);

	xtcp_unhash(any->sk);
	xtcp_unhash(one->sk);
	rcu_read_lock();
	found[0] = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(7201), 1,
					NULL, 0);
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, found[0]);
	inet_sk(any->sk)->inet_num = 0;
	inet_sk(one->sk)->inet_num = 0;
	xtcp_test_put(test, any);
	xtcp_test_put(test, one);
}

/*
 * Of listeners on one address and port, the one bound to the segment's device wins over
 * an unbound one, whichever was hashed first (compute_score(): 2 against 1); a segment
 * from another device finds the unbound one.
 */
static void xtcp_lhash_device_score_test(struct kunit *test)
{
	struct socket *dev = xtcp_test_socket(test), *any = xtcp_test_socket(test);
	struct sock *found[2];

	xtcp_test_tuple(dev->sk, htonl(INADDR_ANY), 7205, 0, 0);
	dev->sk->sk_bound_dev_if = 1;
	xtcp_test_tuple(any->sk, htonl(INADDR_ANY), 7205, 0, 0);
	xtcp_hash(dev->sk);
	xtcp_hash(any->sk);	/* first in the chain now */

	rcu_read_lock();
	found[0] = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(7205), 1,
					NULL, 0);
	found[1] = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(7205), 2,
					NULL, 0);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, found[0], dev->sk);
	KUNIT_EXPECT_PTR_EQ(test, found[1], any->sk);
	if (found[0])
		sock_put(found[0]);
	if (found[1])
		sock_put(found[1]);
	xtcp_unhash(dev->sk);
	xtcp_unhash(any->sk);
	inet_sk(dev->sk)->inet_num = 0;
	inet_sk(any->sk)->inet_num = 0;
	xtcp_test_put(test, dev);
	xtcp_test_put(test, any);
}

static struct sock *xtcp_test_lookup(u16 rport, u16 lport)
{
	struct sock *sk;

	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, LO, htons(rport), LO, htons(lport), 1);
	rcu_read_unlock();
	return sk;
}

/* The head of an established-hash chain, and what a helper puts back in it. */
struct xtcp_divert_ctx {
	struct hlist_nulls_head *chain;
	struct hlist_nulls_node *first;
};

/* Put the chain's real first node back a little later, from another CPU. */
static int xtcp_divert_restore(void *arg)
{
	struct xtcp_divert_ctx *ctx = arg;

	msleep(20);
	rcu_assign_pointer(hlist_nulls_first_rcu(ctx->chain), ctx->first);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * A socket re-hashed into another chain (a new connect()) while a lockless lookup
 * stands on it takes the lookup along: the walk goes on in the other chain, where its
 * target is not.  The chains end in a nulls marker naming the chain, and a walk that
 * ends in another chain's starts again (__inet_lookup_established()).  What such a
 * walk sees is set up for good here: b's chain starts with a, which lives in another
 * chain; after 20 ms a helper on another CPU puts b back at the head.  The lookup of
 * b must wait for it instead of answering "no socket" (a RST to a live connection).
 */
static void xtcp_ehash_nulls_test(struct kunit *test)
{
	struct socket *a = xtcp_test_socket(test), *b = xtcp_test_socket(test);
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	u32 mask = xn->ehash_mask, chain;
	struct xtcp_divert_ctx ctx;
	struct task_struct *helper;
	struct sock *found = NULL;
	int cpu, other;
	u16 p;

	xtcp_test_tuple(b->sk, LO, 7401, LO, 40001);
	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(b->sk, NULL, NULL));
	chain = b->sk->sk_hash & mask;
	for (p = 41000; p < 65000; p++) {	/* a in a chain of its own */
		xtcp_test_tuple(a->sk, LO, 7401, LO, p);
		xtcp_ehash_insert(a->sk, NULL, NULL);
		if ((a->sk->sk_hash & mask) != chain &&
		    is_a_nulls(a->sk->sk_nulls_node.next))
			break;
		xtcp_ehash_remove(a->sk);
	}
	KUNIT_EXPECT_LT(test, p, 65000);
	ctx.chain = &xn->ehash[chain];
	ctx.first = &b->sk->sk_nulls_node;

	/*
	 * The lookup spins until the helper runs, so the two must stay on different
	 * CPUs: without preemption (PREEMPT_NONE), a lookup that migrated to the
	 * helper's CPU would spin there for ever.
	 */
	migrate_disable();
	cpu = smp_processor_id();
	other = cpumask_any_but(cpu_online_mask, cpu);
	helper = other < nr_cpu_ids && p < 65000 ?
		 kthread_create(xtcp_divert_restore, &ctx, "xtcp-divert") : NULL;
	if (!IS_ERR_OR_NULL(helper)) {
		kthread_bind(helper, other);
		spin_lock_bh(xtcp_ehash_lock(xn, chain));
		rcu_assign_pointer(hlist_nulls_first_rcu(ctx.chain), &a->sk->sk_nulls_node);
		spin_unlock_bh(xtcp_ehash_lock(xn, chain));
		wake_up_process(helper);
		found = xtcp_test_lookup(40001, 7401);
		kthread_stop(helper);
	}
	migrate_enable();
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(helper));
	KUNIT_EXPECT_PTR_EQ(test, found, b->sk);
	if (found)
		sock_put(found);

	xtcp_ehash_remove(a->sk);
	xtcp_ehash_remove(b->sk);
	inet_sk(a->sk)->inet_num = 0;
	inet_sk(b->sk)->inet_num = 0;
	xtcp_test_put(test, a);
	xtcp_test_put(test, b);
}

/* ---- IPv6: one set of tables for both families ---- */

/* An IPv6 xtcp kernel socket, released when the test ends if not before. */
static struct socket *xtcp_test_socket6(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET6, SOCK_STREAM, xtcp_protocol,
					       &sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_test_release, sock), 0);
	return sock;
}

/* A socket of the family of address @addr (IPv6 if it has a colon). */
static struct socket *xtcp_test_socket_of(struct kunit *test, const char *addr)
{
	if (strchr(addr, ':'))
		return xtcp_test_socket6(test);
	return xtcp_test_socket(test);
}

static struct in6_addr xtcp_test_in6(const char *addr)
{
	struct in6_addr a = {};

	in6_pton(addr, -1, a.s6_addr, -1, NULL);
	return a;
}

/* bind() @sock to @addr (IPv6 text, or dotted IPv4 for an IPv4 socket) and @port. */
static int xtcp_test_bind(struct socket *sock, const char *addr, u16 port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				     .sin6_addr = xtcp_test_in6(addr) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = in_aton(addr) };

	if (sock->sk->sk_family == AF_INET6)
		return kernel_bind(sock, (struct sockaddr *)&sin6, sizeof(sin6));
	return kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
}

/*
 * The bind conflicts of IPv4 and IPv6 on one port, as inet_bind_conflict() rules
 * (no SO_REUSEADDR): the IPv6 wildcard holds the IPv4 one too unless IPV6_V6ONLY, a
 * v4-mapped address is its IPv4 address, an IPv6 address meets only IPv6 ones.
 */
static void xtcp_bind_v4_v6_test(struct kunit *test)
{
	static const struct {
		const char *first, *second;
		bool v6only, conflict;
	} cases[] = {
		{ "0.0.0.0", "::", false, true },
		{ "0.0.0.0", "::", true, false },
		{ "127.0.0.1", "::ffff:127.0.0.1", false, true },
		{ "127.0.0.1", "::ffff:127.0.0.2", false, false },
		{ "::1", "0.0.0.0", false, false },
		{ "::", "::1", false, true },
		{ "::1", "::1", false, true },
		{ "::", "127.0.0.1", false, true },
		{ "::", "127.0.0.1", true, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct socket *a = xtcp_test_socket_of(test, cases[i].first);
		struct socket *b = xtcp_test_socket_of(test, cases[i].second);
		int want = 0;
		u16 port = 7501 + i;

		/* V6ONLY goes on the IPv6 socket of the pair */
		if (cases[i].v6only && a->sk->sk_family == AF_INET6)
			a->sk->sk_ipv6only = 1;
		else if (cases[i].v6only)
			b->sk->sk_ipv6only = 1;
		if (cases[i].conflict)
			want = -EADDRINUSE;
		KUNIT_EXPECT_EQ_MSG(test, xtcp_test_bind(a, cases[i].first, port), 0, "%s",
				    cases[i].first);
		KUNIT_EXPECT_EQ_MSG(test, xtcp_test_bind(b, cases[i].second, port), want,
				    "%s then %s, V6ONLY %d", cases[i].first, cases[i].second,
				    cases[i].v6only);
		xtcp_test_put(test, b);
		xtcp_test_put(test, a);
	}
}

/* Listen on @addr (IPv6) and @port, V6ONLY as @v6only. */
static struct socket *xtcp_test_listener6(struct kunit *test, const char *addr, u16 port,
					  bool v6only)
{
	struct socket *sock = xtcp_test_socket6(test);

	sock->sk->sk_ipv6only = v6only;
	KUNIT_ASSERT_EQ(test, xtcp_test_bind(sock, addr, port), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(sock, 8), 0);
	return sock;
}

/* The listener an IPv4 (@v6 false) or IPv6 SYN from the loopback to @port finds. */
static struct sock *xtcp_test_find_listener(bool v6, u16 port)
{
	struct in6_addr lo6 = in6addr_loopback;
	struct sock *sk;

	rcu_read_lock();
	if (v6)
		sk = xtcp6_lookup_listener(&init_net, &lo6, htons(40000), &lo6, htons(port), 1,
					   NULL, 0);
	else
		sk = xtcp_lookup_listener(&init_net, LO, htons(40000), LO, htons(port), 1,
					  NULL, 0);
	rcu_read_unlock();
	if (sk)
		sock_put(sk);	/* only its identity is compared */
	return sk;
}

/*
 * Listeners of both families: an IPv6 one on :: takes IPv4 SYNs too (a dual-stack
 * listener) unless IPV6_V6ONLY; then an IPv4 listener on the same port takes those.
 */
static void xtcp_listen_v4_v6_test(struct kunit *test)
{
	struct socket *dual = xtcp_test_listener6(test, "::", 7521, false);
	struct socket *only = xtcp_test_listener6(test, "::", 7522, true);
	struct socket *v4 = xtcp_test_listener(test, htonl(INADDR_ANY), 7522);
	struct socket *one = xtcp_test_listener6(test, "::1", 7523, false);

	KUNIT_EXPECT_PTR_EQ(test, xtcp_test_find_listener(false, 7521), dual->sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_test_find_listener(true, 7521), dual->sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_test_find_listener(false, 7522), v4->sk);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_test_find_listener(true, 7522), only->sk);
	/* an IPv6 address other than :: is IPv6-only */
	KUNIT_EXPECT_NULL(test, xtcp_test_find_listener(false, 7523));
	KUNIT_EXPECT_PTR_EQ(test, xtcp_test_find_listener(true, 7523), one->sk);
	xtcp_test_put(test, one);
	xtcp_test_put(test, v4);
	xtcp_test_put(test, only);
	xtcp_test_put(test, dual);
	KUNIT_EXPECT_NULL(test, xtcp_test_find_listener(true, 7521));
}

/* Give an IPv6 socket a 4-tuple by hand, as connect() would (inet_rcv_saddr as Linux). */
static void xtcp_test_tuple6(struct sock *sk, const char *laddr, u16 lport, const char *raddr,
			     u16 rport)
{
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_v6_rcv_saddr = xtcp_test_in6(laddr);
	sk->sk_v6_daddr = xtcp_test_in6(raddr);
	inet6_sk(sk)->saddr = sk->sk_v6_rcv_saddr;
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	inet->inet_num = lport;
	inet->inet_sport = htons(lport);
	inet->inet_dport = htons(rport);
}

/*
 * The established hash keyed by IPv6 4-tuples: found by its own, not by another port
 * or address, never by an IPv4 lookup; an IPv6 socket with a v4-mapped peer is found
 * by the IPv4 lookup of its IPv4 4-tuple.
 */
static void xtcp_ehash_v6_test(struct kunit *test)
{
	struct in6_addr l = xtcp_test_in6("2001:db8::1"), r = xtcp_test_in6("2001:db8::2");
	struct socket *a = xtcp_test_socket6(test), *m = xtcp_test_socket6(test);
	__be32 l4 = in_aton("10.0.0.1"), r4 = in_aton("10.0.0.2");
	struct sock *found[5];

	xtcp_test_tuple6(a->sk, "2001:db8::1", 7531, "2001:db8::2", 40001);
	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(a->sk, NULL, NULL));
	xtcp_test_tuple6(m->sk, "::ffff:10.0.0.1", 7532, "::ffff:10.0.0.2", 40002);
	inet_sk(m->sk)->inet_rcv_saddr = l4;
	inet_sk(m->sk)->inet_daddr = r4;
	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(m->sk, NULL, NULL));

	rcu_read_lock();
	found[0] = xtcp6_lookup_established(&init_net, &r, htons(40001), &l, htons(7531), 1);
	found[1] = xtcp6_lookup_established(&init_net, &r, htons(40009), &l, htons(7531), 1);
	found[2] = xtcp6_lookup_established(&init_net, &l, htons(40001), &r, htons(7531), 1);
	found[3] = xtcp_lookup_established(&init_net, LOOPBACK4_IPV6, htons(40001),
					   LOOPBACK4_IPV6, htons(7531), 1);
	found[4] = xtcp_lookup_established(&init_net, r4, htons(40002), l4, htons(7532), 1);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, found[0], a->sk);
	KUNIT_EXPECT_NULL(test, found[1]);
	KUNIT_EXPECT_NULL(test, found[2]);
	KUNIT_EXPECT_NULL(test, found[3]);
	KUNIT_EXPECT_PTR_EQ(test, found[4], m->sk);
	if (found[0])
		sock_put(found[0]);
	if (found[4])
		sock_put(found[4]);

	xtcp_ehash_remove(a->sk);
	xtcp_ehash_remove(m->sk);
	inet_sk(a->sk)->inet_num = 0;
	inet_sk(m->sk)->inet_num = 0;
	xtcp_test_put(test, m);
	xtcp_test_put(test, a);
}

static void xtcp_ehash_tuple_test(struct kunit *test)
{
	struct socket *a = xtcp_test_socket(test), *b = xtcp_test_socket(test);
	struct socket *c = xtcp_test_socket(test);
	struct sock *found[3];

	xtcp_test_tuple(a->sk, LO, 7301, LO, 40001);
	xtcp_test_tuple(b->sk, LO, 7301, LO, 40002);	/* differs only in remote port */
	xtcp_test_tuple(c->sk, LO, 7301, LO, 40001);	/* the same 4-tuple as a */
	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(a->sk, NULL, NULL));
	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(b->sk, NULL, NULL));

	found[0] = xtcp_test_lookup(40001, 7301);
	found[1] = xtcp_test_lookup(40002, 7301);
	found[2] = xtcp_test_lookup(40003, 7301);
	KUNIT_EXPECT_PTR_EQ(test, found[0], a->sk);
	KUNIT_EXPECT_PTR_EQ(test, found[1], b->sk);
	KUNIT_EXPECT_NULL(test, found[2]);
	if (found[0])
		sock_put(found[0]);
	if (found[1])
		sock_put(found[1]);

	/* a connect that would duplicate a's 4-tuple finds no port */
	KUNIT_EXPECT_EQ(test, xtcp_hash_connect(c->sk), -EADDRNOTAVAIL);

	xtcp_ehash_remove(a->sk);
	found[0] = xtcp_test_lookup(40001, 7301);
	KUNIT_EXPECT_NULL(test, found[0]);
	xtcp_ehash_remove(b->sk);
	inet_sk(a->sk)->inet_num = 0;
	inet_sk(b->sk)->inet_num = 0;
	inet_sk(c->sk)->inet_num = 0;
	xtcp_test_put(test, a);
	xtcp_test_put(test, b);
	xtcp_test_put(test, c);
}

static void xtcp_ephemeral_port_test(struct kunit *test)
{
	struct socket *s = xtcp_test_socket(test);
	int low, high;

	inet_get_local_port_range(&init_net, &low, &high);
	lock_sock(s->sk);
	KUNIT_EXPECT_EQ(test, xtcp_get_port(s->sk, 0), 0);
	KUNIT_EXPECT_GE(test, (int)s->sk->sk_num, low);
	KUNIT_EXPECT_LE(test, (int)s->sk->sk_num, high);
	xtcp_put_port(s->sk);
	KUNIT_EXPECT_EQ(test, (int)s->sk->sk_num, 0);
	release_sock(s->sk);
	xtcp_test_put(test, s);
}

/*
 * connect() from 127.0.0.1 to @daddr:@dport, the local port picked by
 * xtcp_hash_connect() from @lo..@hi (IP_LOCAL_PORT_RANGE; 0, 0: the namespace's
 * range).  Return: its error; the port in *@port.
 */
static int xtcp_test_hash_connect(struct socket *s, __be32 daddr, u16 dport, u16 lo, u16 hi,
				  int *port)
{
	struct inet_sock *inet = inet_sk(s->sk);
	int err;

	lock_sock(s->sk);
	inet->inet_rcv_saddr = LO;
	inet->inet_saddr = LO;
	inet->inet_daddr = daddr;
	inet->inet_dport = htons(dport);
	WRITE_ONCE(inet->local_port_range, (u32)hi << 16 | lo);
	xtcp_set_state(s->sk, TCP_SYN_SENT);
	err = xtcp_hash_connect(s->sk);
	*port = err ? -1 : s->sk->sk_num;
	release_sock(s->sk);
	return err;
}

/* Out of the tables again, as a failed connect() leaves it (its port given back). */
static void xtcp_test_unconnect(struct socket *s)
{
	lock_sock(s->sk);
	xtcp_set_state(s->sk, TCP_CLOSE);
	release_sock(s->sk);
}

/*
 * connect()'s ports (inet_hash_connect()): a port only connect()s use is shared toward
 * other destinations, never by two connections of one 4-tuple; bind() cannot take it
 * from them (EADDRINUSE); once free again and bound, connect() never picks it.  The
 * search is narrowed to one port P (IP_LOCAL_PORT_RANGE).
 */
static void xtcp_connect_port_share_test(struct kunit *test)
{
	struct socket *a = xtcp_test_socket(test), *b = xtcp_test_socket(test);
	struct socket *c = xtcp_test_socket(test), *d = xtcp_test_socket(test);
	const u16 P = 60990;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(P),
				   .sin_addr.s_addr = htonl(INADDR_ANY) };
	int err[4], port[4], bound[2];

	err[0] = xtcp_test_hash_connect(a, htonl(0xc0000201), 80, P, P, &port[0]);
	err[1] = xtcp_test_hash_connect(b, htonl(0xc0000202), 80, P, P, &port[1]);
	err[2] = xtcp_test_hash_connect(c, htonl(0xc0000201), 80, P, P, &port[2]);
	bound[0] = kernel_bind(d, (struct sockaddr *)&sin, sizeof(sin));
	KUNIT_EXPECT_EQ(test, err[0], 0);
	KUNIT_EXPECT_EQ(test, port[0], (int)P);
	KUNIT_EXPECT_EQ(test, err[1], 0);		/* another destination: shared */
	KUNIT_EXPECT_EQ(test, port[1], (int)P);
	KUNIT_EXPECT_EQ(test, err[2], -EADDRNOTAVAIL);	/* a's 4-tuple */
	KUNIT_EXPECT_EQ(test, bound[0], -EADDRINUSE);

	xtcp_test_unconnect(a);
	xtcp_test_unconnect(b);
	xtcp_test_unconnect(c);
	sin.sin_addr.s_addr = LO;
	bound[1] = kernel_bind(d, (struct sockaddr *)&sin, sizeof(sin));
	err[3] = xtcp_test_hash_connect(c, htonl(0xc0000203), 80, P, P, &port[3]);
	KUNIT_EXPECT_EQ(test, bound[1], 0);
	KUNIT_EXPECT_EQ(test, err[3], -EADDRNOTAVAIL);	/* bind() holds it */
	xtcp_test_unconnect(c);
	xtcp_test_put(test, a);
	xtcp_test_put(test, b);
	xtcp_test_put(test, c);
	xtcp_test_put(test, d);
}

/*
 * Where connect()'s search starts (RFC 6056 3.3.4, xtcp_secure_port_offset()): the same
 * for one destination within 10 s, another for another destination or 10 s later; then
 * successive connect()s toward one destination move on by random steps, even ports
 * first: not a sequence an attacker can follow.
 */
static void xtcp_connect_port_random_test(struct kunit *test)
{
	u64 first = xtcp_secure_port_offset(LO, htonl(0xc0000201), htons(80), 7);
	int i, port[16], start[8], odd = 0, same_step = 0, same_start = 0;
	struct socket *s = xtcp_test_socket(test);
	u64 offsets[16];

	KUNIT_EXPECT_EQ(test, xtcp_secure_port_offset(LO, htonl(0xc0000201), htons(80), 7), first);
	KUNIT_EXPECT_NE(test, xtcp_secure_port_offset(LO, htonl(0xc0000201), htons(80), 8), first);
	for (i = 0; i < 16; i++)
		offsets[i] = xtcp_secure_port_offset(LO, htonl(0xc0000201 + i), htons(80), 7);
	for (i = 1; i < 16; i++)
		KUNIT_EXPECT_NE(test, offsets[i], offsets[0]);

	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_EQ(test, xtcp_test_hash_connect(s, htonl(0xc0000201), 80, 0, 0,
							     &port[i]), 0);
		xtcp_test_unconnect(s);
		odd += port[i] & 1;
		if (i > 1 && port[i] - port[i - 1] == port[1] - port[0])
			same_step++;
	}
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, xtcp_test_hash_connect(s, htonl(0xc0000210 + i), 80, 0, 0,
							     &start[i]), 0);
		xtcp_test_unconnect(s);
		same_start += start[i] == start[0];
	}
	KUNIT_EXPECT_EQ(test, odd, 0);
	KUNIT_EXPECT_LT(test, same_step, 14);
	KUNIT_EXPECT_LT(test, same_start, 8);
	xtcp_test_put(test, s);
}

static struct sk_buff *xtcp_craft(struct kunit *test, u16 sport, u16 dport, u32 seq, u32 ack,
				  u8 flags, u16 mss)
{
	struct xtcp_test_seg seg = { .sport = sport, .dport = dport, .seq = seq, .ack = ack,
				     .flags = flags, .mss = mss };

	return xtcp_test_skb(test, &seg);
}

static void xtcp_feed(struct sk_buff *skb)
{
	rcu_read_lock();
	xtcp_rcv(skb);
	rcu_read_unlock();
}

/*
 * Close an accepted connection to the silent TEST-NET-1 peer with a RST (SO_LINGER 0):
 * a FIN would wait for its ACK long after the test, keeping the module in use.
 */
static void xtcp_release_abort(struct socket *s)
{
	sock_no_linger(s->sk);
	sock_release(s);
}

/*
 * SYN -> request minisocket + SYN-ACK; an ACK of something else -> RST; the right ACK
 * -> child in ESTABLISHED on the accept queue, in the request's place in the hash.
 */
static void xtcp_passive_open_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7401), *acc = NULL;
	struct xtcp_sock *xl = xtcp_sk(l->sk);
	unsigned long segs, rsts, segs_synack, rsts_badack;
	struct sock *req, *child, *queued;
	u32 snt_isn = 0, rcv_isn = 0, qlen_syn, qlen_badack, qlen_child;
	u16 req_mss = 0;
	int req_state = -1, child_state = -1, queued_state = -1;
	struct sk_buff *syn, *bad_ack, *ack;

	/* made now: with bottom halves off, nothing may sleep */
	syn = xtcp_craft(test, 40100, 7401, 1000, 0, TCPHDR_SYN, 1000);
	bad_ack = xtcp_craft(test, 40100, 7401, 1001, 0, TCPHDR_ACK, 0);
	ack = xtcp_craft(test, 40100, 7401, 1001, 0, TCPHDR_ACK, 0);
	segs = xtcp_mib_read(&init_net, XTCP_MIB_OUTSEGS);
	rsts = xtcp_mib_read(&init_net, XTCP_MIB_OUTRSTS);

	local_bh_disable();
	xtcp_feed(syn);
	req = xtcp_test_lookup(40100, 7401);
	if (req) {
		req_state = req->sk_state;
		if (req_state == TCP_NEW_SYN_RECV) {
			snt_isn = xtcp_rsk(req)->snt_isn;
			rcv_isn = xtcp_rsk(req)->rcv_isn;
			req_mss = xtcp_rsk(req)->mss;
		}
		xtcp_sock_gen_put(req);
	}
	segs_synack = xtcp_mib_read(&init_net, XTCP_MIB_OUTSEGS) - segs;
	qlen_syn = xl->syn_qlen;

	xtcp_feed(xtcp_test_set_ack(bad_ack, snt_isn + 5));
	rsts_badack = xtcp_mib_read(&init_net, XTCP_MIB_OUTRSTS) - rsts;
	qlen_badack = xl->syn_qlen;

	xtcp_feed(xtcp_test_set_ack(ack, snt_isn + 1));
	qlen_child = xl->syn_qlen;
	queued = READ_ONCE(xl->accept_head);
	if (queued)
		queued_state = queued->sk_state;
	child = xtcp_test_lookup(40100, 7401);
	if (child) {
		child_state = child->sk_state;
		xtcp_sock_gen_put(child);
	}
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, req_state, TCP_NEW_SYN_RECV);
	KUNIT_EXPECT_EQ(test, rcv_isn, 1000U);
	KUNIT_EXPECT_EQ(test, req_mss, 1000);
	KUNIT_EXPECT_EQ(test, qlen_syn, 1U);
	KUNIT_EXPECT_EQ(test, segs_synack, 1UL);
	KUNIT_EXPECT_EQ(test, rsts_badack, 1UL);
	KUNIT_EXPECT_EQ(test, qlen_badack, 1U);		/* the request survives a bad ACK */
	KUNIT_EXPECT_EQ(test, qlen_child, 0U);
	KUNIT_EXPECT_EQ(test, queued_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, child_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, child, queued);

	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), 0);
	if (acc)
		sock_release(acc);
	xtcp_test_put(test, l);
}

/* Drive a socket put in SYN_SENT by hand with one crafted segment. */
static int xtcp_synsent_feed(struct kunit *test, struct socket *s, u32 seq, u32 ack, u8 flags)
{
	struct sk_buff *skb = xtcp_craft(test, 7501, 40200, seq, ack, flags, 0);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	int ret;

	cb->seq = seq;
	cb->end_seq = seq + !!(flags & TCPHDR_SYN);
	cb->ack_seq = ack;
	cb->flags = flags;
	ret = xtcp_rcv_state_process(s->sk, skb);
	kfree_skb(skb);
	return ret;
}

static struct socket *xtcp_test_synsent(struct kunit *test)
{
	struct socket *s = xtcp_test_socket(test);

	lock_sock(s->sk);
	xtcp_test_tuple(s->sk, LO, 40200, LO, 7501);
	xtcp_sk(s->sk)->iss = 5000;
	xtcp_sk(s->sk)->snd_una = 5000;
	xtcp_sk(s->sk)->snd_nxt = 5001;
	xtcp_sk(s->sk)->advmss = 1460;
	xtcp_set_state(s->sk, TCP_SYN_SENT);
	return s;
}

static void xtcp_synsent_test(struct kunit *test)
{
	struct socket *s = xtcp_test_synsent(test);

	/* an ACK of something we never sent: answer RST, stay */
	KUNIT_EXPECT_EQ(test, xtcp_synsent_feed(test, s, 0, 9999, TCPHDR_ACK), 1);
	KUNIT_EXPECT_EQ(test, s->sk->sk_state, TCP_SYN_SENT);
	/* a RST with such an ACK is ignored */
	KUNIT_EXPECT_EQ(test, xtcp_synsent_feed(test, s, 0, 9999, TCPHDR_RST | TCPHDR_ACK), 0);
	KUNIT_EXPECT_EQ(test, s->sk->sk_state, TCP_SYN_SENT);
	/* a RST acknowledging our SYN: refused */
	KUNIT_EXPECT_EQ(test, xtcp_synsent_feed(test, s, 0, 5001, TCPHDR_RST | TCPHDR_ACK), 0);
	KUNIT_EXPECT_EQ(test, s->sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, s->sk->sk_err, ECONNREFUSED);
	inet_sk(s->sk)->inet_num = 0;
	release_sock(s->sk);
	xtcp_test_put(test, s);

	s = xtcp_test_synsent(test);
	/* SYN-ACK: established, with the peer's sequence numbers */
	KUNIT_EXPECT_EQ(test, xtcp_synsent_feed(test, s, 700, 5001, TCPHDR_SYN | TCPHDR_ACK), 0);
	KUNIT_EXPECT_EQ(test, s->sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_sk(s->sk)->rcv_nxt, 701U);
	KUNIT_EXPECT_EQ(test, xtcp_sk(s->sk)->snd_una, 5001U);
	KUNIT_EXPECT_EQ(test, xtcp_sk(s->sk)->mss_cache, XTCP_MSS_DEFAULT);	/* no MSS option */
	/*
	 * Closed here, without a word: close() would send a FIN and leave an orphan
	 * retransmitting it, which no RST reaches (the socket is in no table).
	 */
	xtcp_set_state(s->sk, TCP_CLOSE);
	release_sock(s->sk);
	inet_sk(s->sk)->inet_num = 0;
	xtcp_test_put(test, s);
}

/* A SYN over IPv6 from @saddr:@sport to ::1:@dport, with an MSS option if @mss. */
static struct sk_buff *xtcp_craft6(struct kunit *test, const struct in6_addr *saddr, u16 sport,
				   u16 dport, u16 mss)
{
	struct xtcp_test_seg seg = { .sport = sport, .dport = dport, .seq = 1000,
				     .flags = TCPHDR_SYN, .mss = mss, .saddr6 = saddr };

	return xtcp_test_skb(test, &seg);
}

/* The MSS of the request from @raddr:@rport to ::1:@lport (v4-mapped: IPv4); 0 if none. */
static u16 xtcp_test_req_mss(const struct in6_addr *raddr, u16 rport, u16 lport)
{
	struct sock *req;
	u16 mss = 0;

	rcu_read_lock();
	if (ipv6_addr_v4mapped(raddr))
		req = xtcp_lookup_established(&init_net, raddr->s6_addr32[3], htons(rport), LO,
					      htons(lport), 1);
	else
		req = xtcp6_lookup_established(&init_net, raddr, htons(rport),
					       &in6addr_loopback, htons(lport), 1);
	rcu_read_unlock();
	if (req) {
		if (req->sk_state == TCP_NEW_SYN_RECV)
			mss = xtcp_rsk(req)->mss;
		xtcp_sock_gen_put(req);
	}
	return mss;
}

/*
 * A dual-stack listener on [::]: a SYN without an MSS option means 1220 over IPv6 (the
 * least IPv6 MTU less both headers, as tcp_request_sock_ipv6_ops.mss_clamp), 536 over
 * IPv4 (RFC 9293); an MSS option is taken over either; an IPv6 SYN from a v4-mapped
 * address makes no request and counts in InErrs (tcp_v6_conn_request()).
 */
static void xtcp_v6_syn_mss_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener6(test, "::", 7411, false);
	struct in6_addr lo6 = in6addr_loopback, mapped = xtcp_test_in6("::ffff:127.0.0.1");
	struct xtcp_test_seg v4 = { .sport = 40301, .dport = 7411, .seq = 1000,
				    .flags = TCPHDR_SYN };
	struct sk_buff *syn6, *syn4, *syn6_mss, *syn_mapped;
	unsigned long errs = xtcp_mib_read(&init_net, XTCP_MIB_INERRS);
	u16 mss6 = 0, mss4 = 0, mss6_opt = 0, mss_mapped = 1;

	syn6 = xtcp_craft6(test, &lo6, 40300, 7411, 0);
	syn4 = xtcp_test_skb(test, &v4);
	syn6_mss = xtcp_craft6(test, &lo6, 40302, 7411, 1000);
	syn_mapped = xtcp_craft6(test, &mapped, 40303, 7411, 0);

	/* the SYN-ACKs wait for bottom halves: no RST of theirs ends a request meanwhile */
	local_bh_disable();
	xtcp_feed(syn6);
	mss6 = xtcp_test_req_mss(&lo6, 40300, 7411);
	xtcp_feed(syn4);
	mss4 = xtcp_test_req_mss(&mapped, 40301, 7411);
	xtcp_feed(syn6_mss);
	mss6_opt = xtcp_test_req_mss(&lo6, 40302, 7411);
	xtcp_feed(syn_mapped);
	mss_mapped = xtcp_test_req_mss(&mapped, 40303, 7411);
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, mss6, 1220);
	KUNIT_EXPECT_EQ(test, mss4, 536);
	KUNIT_EXPECT_EQ(test, mss6_opt, 1000);
	KUNIT_EXPECT_EQ(test, mss_mapped, 0);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_INERRS), errs + 1);
	xtcp_test_put(test, l);
}

/*
 * An IPv6 socket in SYN_SENT, ::1:40210 to ::1:7511: a SYN-ACK without an MSS option
 * leaves it sending 1220-byte segments (tcp_v6_connect()'s mss_clamp), not IPv4's 536.
 */
static void xtcp_synsent6_test(struct kunit *test)
{
	struct socket *s = xtcp_test_socket6(test);
	struct in6_addr lo6 = in6addr_loopback;
	struct xtcp_test_seg seg = { .sport = 7511, .dport = 40210, .seq = 700, .ack = 5001,
				     .flags = TCPHDR_SYN | TCPHDR_ACK, .saddr6 = &lo6 };
	struct sock *sk = s->sk;
	struct sk_buff *skb;

	lock_sock(sk);
	sk->sk_v6_daddr = lo6;
	sk->sk_v6_rcv_saddr = lo6;
	inet6_sk(sk)->saddr = lo6;
	inet_sk(sk)->inet_num = 40210;
	inet_sk(sk)->inet_sport = htons(40210);
	inet_sk(sk)->inet_dport = htons(7511);
	xtcp_sk(sk)->iss = 5000;
	xtcp_sk(sk)->snd_una = 5000;
	xtcp_sk(sk)->snd_nxt = 5001;
	xtcp_sk(sk)->advmss = 1440;
	xtcp_set_state(sk, TCP_SYN_SENT);

	skb = xtcp_test_rcv_skb(test, &seg);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_state_process(sk, skb), 0);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->mss_cache, XTCP6_MSS_DEFAULT);
	/* closed without a word, as xtcp_synsent_test() does */
	xtcp_set_state(sk, TCP_CLOSE);
	release_sock(sk);
	inet_sk(sk)->inet_num = 0;
	xtcp_test_put(test, s);
}

/*
 * An ICMP "port unreachable" as the IP layer hands it to xtcp_v4_err(): skb->data at
 * the quoted IP header of a segment from 127.0.0.1:@lport to :@rport with sequence
 * number @seq.
 */
static struct sk_buff *xtcp_test_icmp(struct kunit *test, u16 lport, u16 rport, u32 seq)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + 64, GFP_KERNEL);
	struct icmphdr *icmph;
	struct tcphdr *th;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	icmph = skb_put_zero(skb, sizeof(*icmph));
	skb_reset_transport_header(skb);
	icmph->type = ICMP_DEST_UNREACH;
	icmph->code = ICMP_PORT_UNREACH;
	xtcp_test_put_iphdr(skb, sizeof(*th));
	th = skb_put_zero(skb, 8);	/* what ICMP quotes of our header */
	th->source = htons(lport);
	th->dest = htons(rport);
	th->seq = htonl(seq);
	skb_pull(skb, sizeof(*icmph));
	skb->dev = init_net.loopback_dev;
	return skb;
}

/* xtcp_v4_err() as icmp_unreach() calls it: softirqs off, under RCU. */
static void xtcp_test_err(struct sk_buff *skb)
{
	local_bh_disable();
	rcu_read_lock();
	xtcp_v4_err(skb, 0);
	rcu_read_unlock();
	local_bh_enable();
	kfree_skb(skb);
}

/*
 * An ICMP error fails a connecting socket only if it quotes our SYN (its sequence
 * number in [snd_una, snd_nxt], as tcp_v4_err() checks): a forged "port unreachable"
 * with any other number is counted and ignored (it used to fail the connect with
 * ECONNREFUSED).
 */
static void xtcp_icmp_seq_test(struct kunit *test)
{
	unsigned long oow = xtcp_mib_read(&init_net, XTCP_MIB_OUTOFWINDOWICMPS);
	struct socket *s = xtcp_test_synsent(test);
	struct sock *sk = s->sk;

	KUNIT_EXPECT_TRUE(test, xtcp_ehash_insert(sk, NULL, NULL));
	release_sock(sk);

	xtcp_test_err(xtcp_test_icmp(test, 40200, 7501, 5000 + 5000));
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_err), 0);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_OUTOFWINDOWICMPS), oow + 1);
	xtcp_test_err(xtcp_test_icmp(test, 40200, 7501, 5000 - 1));
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_OUTOFWINDOWICMPS), oow + 2);

	/* our SYN's: the connect fails as TCP's does */
	xtcp_test_err(xtcp_test_icmp(test, 40200, 7501, 5000));
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_err), ECONNREFUSED);

	lock_sock(sk);
	xtcp_set_state(sk, TCP_CLOSE);
	inet_sk(sk)->inet_num = 0;
	release_sock(sk);
	xtcp_test_put(test, s);
}

/*
 * shutdown(SHUT_WR) during a simultaneous open: the FIN is queued when the ACK that
 * completes the open arrives, in softirq.  Its segment must be allocated without
 * sleeping (the debug kernel reported "sleeping function called from invalid
 * context" for the __GFP_NOFAIL allocation it used).
 */
static void xtcp_simopen_shutdown_fin_test(struct kunit *test)
{
	struct socket *s = xtcp_test_synsent(test);
	struct sock *sk = s->sk;
	struct sk_buff *skb;
	int ret;

	xtcp_sk(sk)->rcv_nxt = 701;
	xtcp_set_state(sk, TCP_SYN_RECV);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
	skb = xtcp_craft(test, 7501, 40200, 701, 5001, TCPHDR_ACK, 0);
	XTCP_SKB_CB(skb)->seq = 701;
	XTCP_SKB_CB(skb)->end_seq = 701;
	XTCP_SKB_CB(skb)->ack_seq = 5001;
	XTCP_SKB_CB(skb)->flags = TCPHDR_ACK;
	local_bh_disable();
	ret = xtcp_rcv_state_process(sk, skb);
	local_bh_enable();
	if (ret != 2)
		kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->write_seq, 5002U);
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->snd_nxt, 5002U);	/* the FIN went */
	skb = xtcp_rtx_queue_tail(sk);
	KUNIT_EXPECT_NOT_NULL(test, skb);
	if (skb)
		KUNIT_EXPECT_TRUE(test, XTCP_SKB_CB(skb)->flags & TCPHDR_FIN);
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	xtcp_set_state(sk, TCP_CLOSE);
	release_sock(sk);
	inet_sk(sk)->inet_num = 0;
	xtcp_test_put(test, s);
}

/*
 * A SYN cookie is taken only by a listener that sent cookies in the last two minutes
 * (tcp_synq_no_recent_overflow()): a valid cookie in an ACK out of the blue is answered
 * with a RST and makes nothing; once the listener answered a SYN with a cookie
 * (net.xtcp.syncookies 2 here), the same ACK makes the connection.
 */
static void xtcp_cookie_recent_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7402), *acc = NULL;
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	int syncookies = READ_ONCE(xn->sysctl_syncookies);
	unsigned long recv = xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESRECV);
	unsigned long sent = xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESSENT);
	unsigned long rsts = xtcp_mib_read(&init_net, XTCP_MIB_OUTRSTS);
	struct sk_buff *ack1, *syn, *ack2;
	struct sock *queued[2];
	unsigned long rst1;
	u32 cookie;

	cookie = xtcp_cookie_make(LO, LO, htons(7402), htons(40110), 2000,
				  xtcp_cookie_mssind(1000, false), xtcp_cookie_count());
	ack1 = xtcp_craft(test, 40110, 7402, 2001, cookie + 1, TCPHDR_ACK, 0);
	syn = xtcp_craft(test, 40110, 7402, 2000, 0, TCPHDR_SYN, 1000);
	ack2 = xtcp_craft(test, 40110, 7402, 2001, cookie + 1, TCPHDR_ACK, 0);

	local_bh_disable();
	xtcp_feed(ack1);
	rst1 = xtcp_mib_read(&init_net, XTCP_MIB_OUTRSTS) - rsts;
	queued[0] = READ_ONCE(xtcp_sk(l->sk)->accept_head);
	WRITE_ONCE(xn->sysctl_syncookies, 2);
	xtcp_feed(syn);
	xtcp_feed(ack2);
	queued[1] = READ_ONCE(xtcp_sk(l->sk)->accept_head);
	WRITE_ONCE(xn->sysctl_syncookies, syncookies);
	local_bh_enable();

	KUNIT_EXPECT_NULL(test, queued[0]);
	KUNIT_EXPECT_EQ(test, rst1, 1UL);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESSENT) - sent, 1UL);
	KUNIT_EXPECT_NOT_NULL(test, queued[1]);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESRECV) - recv, 1UL);
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), queued[1] ? 0 : -EAGAIN);
	if (acc)
		sock_release(acc);
	xtcp_test_put(test, l);
}

/*
 * A segment to 127.0.0.1:@dport from @saddr:@sport, with @len data bytes (zeros) at
 * @seq, ACKing @ack.
 */
static struct sk_buff *xtcp_craft_from(struct kunit *test, __be32 saddr, u16 sport, u16 dport,
				       u32 seq, u32 ack, u8 flags, unsigned int len)
{
	struct xtcp_test_seg seg = { .saddr = saddr, .sport = sport, .dport = dport, .seq = seq,
				     .ack = ack, .flags = flags, .payload = len };

	if (flags & TCPHDR_SYN)
		seg.mss = 1000;

	return xtcp_test_skb(test, &seg);
}

/*
 * What the listener on @lport holds for the TEST-NET-1 peer's port @sport: the state
 * of its request or socket (-1: nothing), with the request's ISN or the connection's
 * rcv_nxt.  Softirq-safe: called with bottom halves off or on.
 */
static int xtcp_peer_lookup(u16 sport, u16 lport, u32 *snt_isn, u32 *rcv_nxt)
{
	struct sock *sk;
	int state = -1;

	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, htonl(0xc0000201), htons(sport), LO,
				     htons(lport), 1);
	rcu_read_unlock();
	if (sk) {
		state = sk->sk_state;
		if (state == TCP_NEW_SYN_RECV && snt_isn)
			*snt_isn = xtcp_rsk(sk)->snt_isn;
		if (state == TCP_ESTABLISHED && rcv_nxt)
			*rcv_nxt = READ_ONCE(xtcp_sk(sk)->rcv_nxt);
		xtcp_sock_gen_put(sk);
	}
	return state;
}

/*
 * The handshake's last ACK and the first data right behind it arrive while a process
 * holds the listener (in accept(), a setsockopt): the ACK is handled at once, without
 * the listener's lock, and makes the child, which then takes the data.  (Both waited in
 * the listener's backlog: the ACK made the child, the data found the listener with no
 * request left for it, was dropped and answered with a RST.)  The peer is 192.0.2.1
 * (TEST-NET-1): what the listener and the child send it goes nowhere, as no RST of a
 * port with nobody behind it may come back to reset the request.
 */
static void xtcp_synrecv_race_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7403), *acc = NULL;
	const __be32 peer = htonl(0xc0000201);
	struct sk_buff *syn, *ack, *data;
	int child_state = -1, backlog;
	u32 snt_isn = 0, rcv_nxt = 0;
	struct sock *sk;

	syn = xtcp_craft_from(test, peer, 40120, 7403, 3000, 0, TCPHDR_SYN, 0);
	ack = xtcp_craft_from(test, peer, 40120, 7403, 3001, 0, TCPHDR_ACK, 0);
	data = xtcp_craft_from(test, peer, 40120, 7403, 3001, 0, TCPHDR_ACK | TCPHDR_PSH, 100);
	local_bh_disable();
	xtcp_feed(syn);
	local_bh_enable();
	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, peer, htons(40120), LO, htons(7403), 1);
	rcu_read_unlock();
	if (sk) {
		if (sk->sk_state == TCP_NEW_SYN_RECV)
			snt_isn = xtcp_rsk(sk)->snt_isn;
		xtcp_sock_gen_put(sk);
	}

	lock_sock(l->sk);	/* as accept() does */
	local_bh_disable();
	xtcp_feed(xtcp_test_set_ack(ack, snt_isn + 1));
	xtcp_feed(xtcp_test_set_ack(data, snt_isn + 1));
	local_bh_enable();
	release_sock(l->sk);

	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, peer, htons(40120), LO, htons(7403), 1);
	rcu_read_unlock();
	if (sk) {
		child_state = sk->sk_state;
		if (child_state == TCP_ESTABLISHED)
			rcv_nxt = READ_ONCE(xtcp_sk(sk)->rcv_nxt);
		xtcp_sock_gen_put(sk);
	}
	backlog = READ_ONCE(l->sk->sk_ack_backlog);
	KUNIT_EXPECT_NE(test, snt_isn, 0U);
	KUNIT_EXPECT_EQ(test, child_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, rcv_nxt, 3101U);
	KUNIT_EXPECT_EQ(test, backlog, 1);
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), backlog ? 0 : -EAGAIN);
	if (acc)
		sock_release(acc);
	xtcp_test_put(test, l);
}

/*
 * PAWS in SYN_RECV (tcp_check_req()): the SYN's timestamp is the request's ts_recent;
 * an ACK carrying an older one is a segment of an old incarnation and makes no child
 * (PAWSEstab); the request waits for the real one.  The peer is TEST-NET-1, as above.
 */
static void xtcp_req_paws_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7406), *acc = NULL;
	struct xtcp_test_seg seg = { .saddr = htonl(0xc0000201), .sport = 40140, .dport = 7406,
				     .seq = 5000, .flags = TCPHDR_SYN, .mss = 1000, .ts = true,
				     .tsval = 1000 };
	int old_state, new_state;
	struct sk_buff *syn, *old, *ack;
	unsigned long paws;
	u32 snt_isn = 0;

	syn = xtcp_test_skb(test, &seg);
	seg.seq = 5001;
	seg.flags = TCPHDR_ACK;
	seg.mss = 0;
	seg.tsval = 500;
	old = xtcp_test_skb(test, &seg);
	seg.tsval = 1001;
	ack = xtcp_test_skb(test, &seg);
	paws = xtcp_mib_read(&init_net, XTCP_MIB_PAWSESTAB);

	local_bh_disable();
	xtcp_feed(syn);
	xtcp_peer_lookup(40140, 7406, &snt_isn, NULL);
	xtcp_feed(xtcp_test_set_ack(old, snt_isn + 1));
	old_state = xtcp_peer_lookup(40140, 7406, NULL, NULL);
	xtcp_feed(xtcp_test_set_ack(ack, snt_isn + 1));
	new_state = xtcp_peer_lookup(40140, 7406, NULL, NULL);
	local_bh_enable();

	KUNIT_EXPECT_NE(test, snt_isn, 0U);
	KUNIT_EXPECT_EQ(test, old_state, TCP_NEW_SYN_RECV);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_PAWSESTAB), paws + 1);
	KUNIT_EXPECT_EQ(test, new_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), 0);
	if (acc)
		xtcp_release_abort(acc);
	xtcp_test_put(test, l);
}

/*
 * The SYN again, for a request (tcp_check_req()): the SYN-ACK goes again, but at most
 * once per net.xtcp.invalid_ratelimit, so that a flood of one SYN draws no flood of
 * SYN-ACKs; the others are counted in AckSkippedSynRecv.  Four copies of the SYN
 * within a few ms: two SYN-ACKs (the first answer and one repeat), two skipped.
 */
static void xtcp_req_syn_again_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7408);
	struct xtcp_test_seg seg = { .saddr = htonl(0xc0000201), .sport = 40160, .dport = 7408,
				     .seq = 7000, .flags = TCPHDR_SYN, .mss = 1000 };
	unsigned long out, skipped;
	struct sk_buff *syn[4];
	int i, state;

	for (i = 0; i < 4; i++)
		syn[i] = xtcp_test_skb(test, &seg);
	out = xtcp_mib_read(&init_net, XTCP_MIB_OUTSEGS);
	skipped = xtcp_mib_read(&init_net, XTCP_MIB_ACKSKIPPEDSYNRECV);
	local_bh_disable();
	for (i = 0; i < 4; i++)
		xtcp_feed(syn[i]);
	state = xtcp_peer_lookup(40160, 7408, NULL, NULL);
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, state, TCP_NEW_SYN_RECV);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_OUTSEGS), out + 2);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_ACKSKIPPEDSYNRECV),
			skipped + 2);
	xtcp_test_put(test, l);
}

/*
 * A socket filter (SO_ATTACH_FILTER) that cuts every packet to 20 bytes, on a
 * listener (its children inherit it): the handshake's last ACK carries 100 bytes and
 * a timestamp (a 32-byte header).  As tcp_filter() does, the cut stops at the header:
 * the child is made, the data is cut off (not ACKed, the peer sends it again), and the
 * segment is read from what is left.  (Cut to 20 bytes, the header's options would be
 * read beyond the segment and pulling the header would leave a negative length.)
 */
static void xtcp_filter_trim_test(struct kunit *test)
{
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 20);
	struct socket *l = xtcp_test_listener(test, LO, 7407), *acc = NULL;
	struct xtcp_test_seg seg = { .saddr = htonl(0xc0000201), .sport = 40150, .dport = 7407,
				     .seq = 6000, .flags = TCPHDR_SYN, .mss = 1000 };
	struct sock_fprog fprog = { .len = 1 };
	int state, attached;
	struct sk_buff *syn, *ack;
	unsigned long user;
	u32 snt_isn = 0, rcv_nxt = 0;

	user = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_NE(test, user, 0UL);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)user, &insn, sizeof(insn)), 0UL);
	fprog.filter = (struct sock_filter __user *)user;
	syn = xtcp_test_skb(test, &seg);
	seg.seq = 6001;
	seg.flags = TCPHDR_ACK | TCPHDR_PSH;
	seg.mss = 0;
	seg.ts = true;
	seg.tsval = 7;
	seg.payload = 100;
	ack = xtcp_test_skb(test, &seg);

	lock_sock(l->sk);
	attached = sk_attach_filter(&fprog, l->sk);
	release_sock(l->sk);
	local_bh_disable();
	xtcp_feed(syn);
	xtcp_peer_lookup(40150, 7407, &snt_isn, NULL);
	xtcp_feed(xtcp_test_set_ack(ack, snt_isn + 1));
	state = xtcp_peer_lookup(40150, 7407, NULL, &rcv_nxt);
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, attached, 0);
	KUNIT_EXPECT_NE(test, snt_isn, 0U);
	KUNIT_EXPECT_EQ(test, state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, rcv_nxt, 6001U);
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), 0);
	if (acc)
		xtcp_release_abort(acc);
	xtcp_test_put(test, l);
}

/*
 * Two ACKs of one SYN cookie waiting in the listener's backlog (the second, data, was
 * looked up before the first made the connection): one connection, not two - the
 * second child would duplicate the first's 4-tuple (Linux's found_dup_sk).
 */
static void xtcp_cookie_dup_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7404), *acc = NULL;
	struct xtcp_net *xn = xtcp_pernet(&init_net);
	int syncookies = READ_ONCE(xn->sysctl_syncookies), backlog;
	unsigned long recv = xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESRECV);
	struct sk_buff *syn, *ack, *data;
	u32 cookie;

	cookie = xtcp_cookie_make(LO, LO, htons(7404), htons(40130), 4000,
				  xtcp_cookie_mssind(1000, false), xtcp_cookie_count());
	syn = xtcp_craft(test, 40130, 7404, 4000, 0, TCPHDR_SYN, 1000);
	ack = xtcp_craft(test, 40130, 7404, 4001, cookie + 1, TCPHDR_ACK, 0);
	data = xtcp_craft_from(test, LO, 40130, 7404, 4001, cookie + 1, TCPHDR_ACK | TCPHDR_PSH,
			       100);

	WRITE_ONCE(xn->sysctl_syncookies, 2);
	local_bh_disable();
	xtcp_feed(syn);
	local_bh_enable();
	lock_sock(l->sk);
	local_bh_disable();
	xtcp_feed(ack);
	xtcp_feed(data);
	local_bh_enable();
	release_sock(l->sk);
	WRITE_ONCE(xn->sysctl_syncookies, syncookies);

	backlog = READ_ONCE(l->sk->sk_ack_backlog);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_SYNCOOKIESRECV) - recv, 2UL);
	KUNIT_EXPECT_EQ(test, backlog, 1);
	while (kernel_accept(l, &acc, O_NONBLOCK) == 0) {
		sock_release(acc);
		acc = NULL;
	}
	xtcp_test_put(test, l);
}

/*
 * A request of a closing listener, marked unlinked by whoever drops it but still in the
 * hash for a moment (close() between its two steps): a segment that finds it drops it
 * and looks again, and must not find it again.  (It did, forever: the drop left the
 * hash to the first dropper, and a softirq running between that one's two steps spun.)
 */
static void xtcp_closing_listener_req_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7405);
	const __be32 peer = htonl(0xc0000202);
	struct xtcp_sock *xl = xtcp_sk(l->sk);
	struct sock *req, *again = NULL;
	struct sk_buff *syn, *ack;

	syn = xtcp_craft_from(test, peer, 40140, 7405, 5000, 0, TCPHDR_SYN, 0);
	ack = xtcp_craft_from(test, peer, 40140, 7405, 5001, 0, TCPHDR_ACK, 0);
	local_bh_disable();
	xtcp_feed(syn);
	local_bh_enable();
	rcu_read_lock();
	req = xtcp_lookup_established(&init_net, peer, htons(40140), LO, htons(7405), 1);
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, req && req->sk_state == TCP_NEW_SYN_RECV);
	if (!req || req->sk_state != TCP_NEW_SYN_RECV)
		goto out;

	spin_lock_bh(&xl->queue_lock);
	WRITE_ONCE(xtcp_rsk(req)->unlinked, true);
	spin_unlock_bh(&xl->queue_lock);
	WRITE_ONCE(l->sk->sk_state, TCP_CLOSE);
	local_bh_disable();
	xtcp_feed(xtcp_test_set_ack(ack, xtcp_rsk(req)->snt_isn + 1));
	local_bh_enable();
	rcu_read_lock();
	again = xtcp_lookup_established(&init_net, peer, htons(40140), LO, htons(7405), 1);
	rcu_read_unlock();

	/* as it was, so that closing the listener drops the request for good */
	WRITE_ONCE(l->sk->sk_state, TCP_LISTEN);
	spin_lock_bh(&xl->queue_lock);
	WRITE_ONCE(xtcp_rsk(req)->unlinked, false);
	spin_unlock_bh(&xl->queue_lock);
	KUNIT_EXPECT_NULL(test, again);
	if (again)
		xtcp_sock_gen_put(again);
out:
	if (req)
		xtcp_sock_gen_put(req);
	xtcp_test_put(test, l);
}

/*
 * TCP_DEFER_ACCEPT (tcp_check_req()): a handshake's ACK without data is dropped, the
 * request remembering it (acked) and counted (DeferAcceptDrop); the data that follows
 * makes the child, with it.  Once the request's timer ran out defer_accept times, a
 * bare ACK makes the child too.  The peer is TEST-NET-1, as above.
 */
static void xtcp_defer_accept_test(struct kunit *test)
{
	struct socket *l = xtcp_test_listener(test, LO, 7409), *acc = NULL;
	const __be32 peer = htonl(0xc0000201);
	unsigned long drops = xtcp_mib_read(&init_net, XTCP_MIB_DEFERACCEPTDROP);
	struct sk_buff *syn, *ack, *data, *syn2, *ack2;
	int state_after_ack = -1, acked = -1, child_state = -1, child2_state = -1;
	u32 snt_isn = 0, snt_isn2 = 0, rcv_nxt = 0;
	struct sock *sk;

	WRITE_ONCE(xtcp_sk(l->sk)->defer_accept, 3);
	syn = xtcp_craft_from(test, peer, 40140, 7409, 5000, 0, TCPHDR_SYN, 0);
	ack = xtcp_craft_from(test, peer, 40140, 7409, 5001, 0, TCPHDR_ACK, 0);
	data = xtcp_craft_from(test, peer, 40140, 7409, 5001, 0, TCPHDR_ACK | TCPHDR_PSH, 100);
	syn2 = xtcp_craft_from(test, peer, 40141, 7409, 6000, 0, TCPHDR_SYN, 0);
	ack2 = xtcp_craft_from(test, peer, 40141, 7409, 6001, 0, TCPHDR_ACK, 0);

	local_bh_disable();
	xtcp_feed(syn);
	xtcp_feed(syn2);
	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, peer, htons(40140), LO, htons(7409), 1);
	if (sk && sk->sk_state == TCP_NEW_SYN_RECV)
		snt_isn = xtcp_rsk(sk)->snt_isn;
	if (sk)
		xtcp_sock_gen_put(sk);
	sk = xtcp_lookup_established(&init_net, peer, htons(40141), LO, htons(7409), 1);
	if (sk && sk->sk_state == TCP_NEW_SYN_RECV) {
		snt_isn2 = xtcp_rsk(sk)->snt_isn;
		/* its timer ran out three times: the deferral is over */
		WRITE_ONCE(xtcp_rsk(sk)->num_retrans, 3);
	}
	if (sk)
		xtcp_sock_gen_put(sk);
	rcu_read_unlock();

	xtcp_feed(xtcp_test_set_ack(ack, snt_isn + 1));
	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, peer, htons(40140), LO, htons(7409), 1);
	if (sk) {
		state_after_ack = sk->sk_state;
		if (state_after_ack == TCP_NEW_SYN_RECV)
			acked = xtcp_rsk(sk)->acked;
		xtcp_sock_gen_put(sk);
	}
	rcu_read_unlock();

	xtcp_feed(xtcp_test_set_ack(data, snt_isn + 1));
	xtcp_feed(xtcp_test_set_ack(ack2, snt_isn2 + 1));
	rcu_read_lock();
	sk = xtcp_lookup_established(&init_net, peer, htons(40140), LO, htons(7409), 1);
	if (sk) {
		child_state = sk->sk_state;
		if (child_state == TCP_ESTABLISHED)
			rcv_nxt = READ_ONCE(xtcp_sk(sk)->rcv_nxt);
		xtcp_sock_gen_put(sk);
	}
	sk = xtcp_lookup_established(&init_net, peer, htons(40141), LO, htons(7409), 1);
	if (sk) {
		child2_state = sk->sk_state;
		xtcp_sock_gen_put(sk);
	}
	rcu_read_unlock();
	local_bh_enable();

	KUNIT_EXPECT_NE(test, snt_isn, 0U);
	KUNIT_EXPECT_EQ(test, state_after_ack, TCP_NEW_SYN_RECV);	/* no child yet */
	KUNIT_EXPECT_EQ(test, acked, 1);
	KUNIT_EXPECT_EQ(test, xtcp_mib_read(&init_net, XTCP_MIB_DEFERACCEPTDROP) - drops, 1UL);
	KUNIT_EXPECT_EQ(test, child_state, TCP_ESTABLISHED);		/* the data made it */
	KUNIT_EXPECT_EQ(test, rcv_nxt, 5101U);
	KUNIT_EXPECT_EQ(test, child2_state, TCP_ESTABLISHED);		/* deferral over */
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), 0);
	if (acc)
		xtcp_release_abort(acc);
	acc = NULL;
	KUNIT_EXPECT_EQ(test, kernel_accept(l, &acc, O_NONBLOCK), 0);
	if (acc)
		xtcp_release_abort(acc);
	xtcp_test_put(test, l);
}

static struct kunit_case xtcp_handshake_cases[] = {
	KUNIT_CASE(xtcp_lhash_specific_first_test),
	KUNIT_CASE(xtcp_lhash_device_score_test),
	KUNIT_CASE(xtcp_ehash_tuple_test),
	KUNIT_CASE(xtcp_bind_v4_v6_test),
	KUNIT_CASE(xtcp_listen_v4_v6_test),
	KUNIT_CASE(xtcp_ehash_v6_test),
	KUNIT_CASE(xtcp_ehash_nulls_test),
	KUNIT_CASE(xtcp_connect_port_share_test),
	KUNIT_CASE(xtcp_connect_port_random_test),
	KUNIT_CASE(xtcp_ephemeral_port_test),
	KUNIT_CASE(xtcp_passive_open_test),
	KUNIT_CASE(xtcp_synsent_test),
	KUNIT_CASE(xtcp_synsent6_test),
	KUNIT_CASE(xtcp_v6_syn_mss_test),
	KUNIT_CASE(xtcp_icmp_seq_test),
	KUNIT_CASE(xtcp_simopen_shutdown_fin_test),
	KUNIT_CASE(xtcp_cookie_recent_test),
	KUNIT_CASE(xtcp_synrecv_race_test),
	KUNIT_CASE(xtcp_req_paws_test),
	KUNIT_CASE(xtcp_req_syn_again_test),
	KUNIT_CASE(xtcp_filter_trim_test),
	KUNIT_CASE(xtcp_cookie_dup_test),
	KUNIT_CASE(xtcp_closing_listener_req_test),
	KUNIT_CASE(xtcp_defer_accept_test),
	{}
};

static struct kunit_suite xtcp_handshake_suite = {
	.name = "xtcp_handshake",
	.test_cases = xtcp_handshake_cases,
};

kunit_test_suites(&xtcp_handshake_suite);
