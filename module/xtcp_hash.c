// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the socket tables of a network namespace, like net/ipv4/inet_hashtables.c.
 *
 *   bind hash (bhash)         port -> bucket -> sockets bound to it    inet_bind_bucket
 *   listening hash (lhash2)   local port + address -> listeners         lhash2
 *   established hash (ehash)  4-tuple -> sockets and request socks      ehash
 *
 * A segment is looked up in the established hash first, then among listeners, a
 * specific local address before the wildcard, as __inet_lookup() does.  Listeners
 * sharing an address and port with SO_REUSEPORT form a group (struct sock_reuseport,
 * the generic net/core/sock_reuseport.c that TCP and UDP use): a SYN goes to the member
 * a hash of its 4-tuple picks, or the one a program attached to the group picks
 * (SO_ATTACH_REUSEPORT_CBPF/EBPF).  Lookups run in
 * softirq under RCU and take a reference on what they return; listeners and connected
 * sockets are freed after an RCU grace period (SOCK_RCU_FREE), request minisockets
 * through call_rcu(), so a reader never touches freed memory.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <net/route.h>
#include <net/sock_reuseport.h>
#include "xtcp.h"

static u32 xtcp_hash_secret __read_mostly;

/*
 * A segment's 4-tuple as the tables look it up, by its IP version: the peer's
 * address and port (s), ours (d, with the port in host order), the device it came on.
 */
struct xtcp_tuple {
	bool v6;
	__be32 saddr, daddr;
	const struct in6_addr *saddr6, *daddr6;
	__be16 sport;
	u16 hnum;
	int dif;
};

static u32 xtcp_ehashfn(__be32 laddr, u16 lport, __be32 faddr, __be16 fport)
{
	return jhash_3words((__force u32)laddr, (__force u32)faddr,
			    ((u32)lport) << 16 | (__force u32)fport, xtcp_hash_secret);
}

/* The established-hash key of a tuple, like inet_ehashfn() and inet6_ehashfn(). */
static u32 xtcp_tuple_hash(const struct xtcp_tuple *t)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (t->v6)
		return jhash_3words((__force u32)t->daddr6->s6_addr32[3],
				    __ipv6_addr_jhash(t->saddr6, xtcp_hash_secret),
				    ((u32)t->hnum) << 16 | (__force u32)t->sport,
				    xtcp_hash_secret);
#endif
	return xtcp_ehashfn(t->daddr, t->hnum, t->saddr, t->sport);
}

/*
 * The tuple of a segment to @sk (or to a request or TIME_WAIT: the same sock_common)
 * arriving at local port @lport.  A v4-mapped IPv6 socket talks IPv4.
 */
static void xtcp_skc_tuple(const struct sock_common *skc, u16 lport, struct xtcp_tuple *t)
{
	t->v6 = xtcp_skc_v6(skc);
#if IS_ENABLED(CONFIG_IPV6)
	t->saddr6 = &skc->skc_v6_daddr;
	t->daddr6 = &skc->skc_v6_rcv_saddr;
#endif
	t->saddr = skc->skc_daddr;
	t->daddr = skc->skc_rcv_saddr;
	t->sport = skc->skc_dport;
	t->hnum = lport;
	t->dif = skc->skc_bound_dev_if;
}

/*
 * The listening-hash chain of a local address and port, like ipv4_portaddr_hash()
 * and ipv6_portaddr_hash(): an IPv6 wildcard or v4-mapped address shares the chain
 * of its IPv4 equivalent, where an IPv4 lookup finds a dual-stack listener.
 */
static struct hlist_head *xtcp_lhash2_head(struct xtcp_net *xn, __be32 laddr, u16 lport)
{
	u32 hash;

	hash = jhash_2words((__force u32)laddr, lport, xtcp_hash_secret);
	return &xn->lhash2[hash & (XTCP_LHASH_SIZE - 1)];
}

#if IS_ENABLED(CONFIG_IPV6)
static struct hlist_head *xtcp6_lhash2_head(struct xtcp_net *xn, const struct in6_addr *laddr,
					    u16 lport)
{
	u32 hash;

	if (ipv6_addr_any(laddr))
		return xtcp_lhash2_head(xn, htonl(INADDR_ANY), lport);
	if (ipv6_addr_v4mapped(laddr))
		return xtcp_lhash2_head(xn, laddr->s6_addr32[3], lport);
	hash = jhash_2words(__ipv6_addr_jhash(laddr, xtcp_hash_secret), lport,
			    xtcp_hash_secret);
	return &xn->lhash2[hash & (XTCP_LHASH_SIZE - 1)];
}
#endif

/* The chain of a listener's address and port. */
static struct hlist_head *xtcp_lhash2_head_sk(struct xtcp_net *xn, const struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return xtcp6_lhash2_head(xn, &sk->sk_v6_rcv_saddr, sk->sk_num);
#endif
	return xtcp_lhash2_head(xn, sk->sk_rcv_saddr, sk->sk_num);
}

static struct hlist_head *xtcp_bhash_head(struct xtcp_net *xn, u16 port)
{
	return &xn->bhash[port & (XTCP_BHASH_SIZE - 1)];
}

/*
 * Chains of each namespace's established hash: the module parameter, or (0) one per 32
 * pages of memory between 1024 and 65536, near what alloc_large_system_hash() gives
 * TCP's (8192 with 1 GiB).
 */
unsigned int xtcp_ehash_entries;
module_param_named(ehash_entries, xtcp_ehash_entries, uint, 0444);
MODULE_PARM_DESC(ehash_entries,
		 "chains of each namespace's established hash: a power of 2, 16-1048576 (0: from memory)");

/**
 * xtcp_ehash_entries_init - check the ehash_entries parameter, or size it from memory
 *
 * Context: process, module init.
 * Return: 0, or -EINVAL for a size that is not a power of 2 in 16..1048576.
 */
int xtcp_ehash_entries_init(void)
{
	unsigned long pages = totalram_pages();

	if (!xtcp_ehash_entries) {
		xtcp_ehash_entries = clamp_val(roundup_pow_of_two(pages / 32 ?: 1), 1024, 65536);
		return 0;
	}
	if (!is_power_of_2(xtcp_ehash_entries) || xtcp_ehash_entries < 16 ||
	    xtcp_ehash_entries > (1U << 20))
		return -EINVAL;
	return 0;
}

/**
 * xtcp_hash_init_net - set up the empty tables of a new namespace
 * @xn: its xtcp state
 *
 * Context: process, from the pernet init hook.
 * Return: 0, or -ENOMEM.
 */
int xtcp_hash_init_net(struct xtcp_net *xn)
{
	u32 i;

	xn->ehash = kvmalloc_array(xtcp_ehash_entries, sizeof(*xn->ehash), GFP_KERNEL_ACCOUNT);
	if (!xn->ehash)
		return -ENOMEM;
	xn->ehash_mask = xtcp_ehash_entries - 1;
	xn->ehash_locks_mask = min_t(u32, XTCP_EHASH_LOCKS, xtcp_ehash_entries) - 1;
	for (i = 0; i <= xn->ehash_mask; i++)
		INIT_HLIST_NULLS_HEAD(&xn->ehash[i], i);
	for (i = 0; i < XTCP_EHASH_LOCKS; i++)
		spin_lock_init(&xn->ehash_locks[i]);
	for (i = 0; i < XTCP_LHASH_SIZE; i++)
		INIT_HLIST_HEAD(&xn->lhash2[i]);
	for (i = 0; i < XTCP_BHASH_SIZE; i++)
		INIT_HLIST_HEAD(&xn->bhash[i]);
	spin_lock_init(&xn->lhash_lock);
	spin_lock_init(&xn->bind_lock);
	xn->port_rover = get_random_u32();
	atomic_set(&xn->tw_count, 0);
	return 0;
}

/**
 * xtcp_hash_exit_net - free the tables of a namespace that goes away (all empty)
 * @xn: its xtcp state
 *
 * Context: process, from the pernet exit hook.
 */
void xtcp_hash_exit_net(struct xtcp_net *xn)
{
	kvfree(xn->ehash);
}

/* ---- bind hash ---- */

/* Does a socket (or a TIME_WAIT) bound to a port receive IPv4 on it? */
static bool xtcp_skc_v4_side(const struct sock_common *c)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (c->skc_family == AF_INET6 && !ipv6_addr_v4mapped(&c->skc_v6_rcv_saddr))
		return !c->skc_ipv6only && ipv6_addr_any(&c->skc_v6_rcv_saddr);
#endif
	return true;
}

/*
 * May two sockets (or a socket and a TIME_WAIT) bound to one port receive the same
 * segments by their local addresses, like inet_rcv_saddr_equal() with wildcards
 * matching?  An IPv6 socket on :: without IPV6_V6ONLY, or on a v4-mapped address,
 * also holds that address's IPv4 side (its skc_rcv_saddr: 0 or the IPv4 address);
 * IPv6 addresses meet only IPv6 ones.
 */
static bool xtcp_addr_overlap(const struct sock_common *a, const struct sock_common *b)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (a->skc_family == AF_INET6 && b->skc_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&a->skc_v6_rcv_saddr) &&
	    !ipv6_addr_v4mapped(&b->skc_v6_rcv_saddr) &&
	    (ipv6_addr_any(&a->skc_v6_rcv_saddr) || ipv6_addr_any(&b->skc_v6_rcv_saddr) ||
	     ipv6_addr_equal(&a->skc_v6_rcv_saddr, &b->skc_v6_rcv_saddr)))
		return true;
#endif
	if (!xtcp_skc_v4_side(a) || !xtcp_skc_v4_side(b))
		return false;
	return !a->skc_rcv_saddr || !b->skc_rcv_saddr || a->skc_rcv_saddr == b->skc_rcv_saddr;
}

/*
 * Like inet_bind_conflict() as inet_csk_get_port() asks it: may @sk use a port @sk2
 * holds?  Not if they can receive the same segments (same device or unbound,
 * overlapping addresses), unless both set SO_REUSEADDR and @sk2 is not listening, or
 * both set SO_REUSEPORT and @sk2 belongs to the same user (whoever a TIME_WAIT's socket
 * belonged to) - and @sk is in no group yet (a program attached before bind() gave it
 * one of its own).  A TIME_WAIT holds its port with the options of the socket it was.
 */
static bool xtcp_bind_conflict(struct sock *sk, const struct xtcp_bind_bucket *tb)
{
	bool reuseport = sk->sk_reuseport && !rcu_access_pointer(sk->sk_reuseport_cb);
	kuid_t uid = xtcp_sk_uid(sk);
	struct xtcp_timewait_sock *tw;
	struct sock *sk2;

	hlist_for_each_entry(tw, &tb->tw_owners, bind_node) {
		if (sk->sk_bound_dev_if && tw->common.skc_bound_dev_if &&
		    sk->sk_bound_dev_if != tw->common.skc_bound_dev_if)
			continue;
		if (!xtcp_addr_overlap(&sk->__sk_common, &tw->common))
			continue;
		if (sk->sk_reuse && tw->reuse)
			continue;
		if (reuseport && tw->reuseport)
			continue;
		return true;
	}

	sk_for_each_bound(sk2, &tb->owners) {
		if (sk2 == sk)
			continue;
		if (sk->sk_bound_dev_if && sk2->sk_bound_dev_if &&
		    sk->sk_bound_dev_if != sk2->sk_bound_dev_if)
			continue;
		if (!xtcp_addr_overlap(&sk->__sk_common, &sk2->__sk_common))
			continue;
		if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN)
			continue;
		if (reuseport && sk2->sk_reuseport && uid_eq(uid, xtcp_sk_uid(sk2)))
			continue;
		return true;
	}
	return false;
}

static struct xtcp_bind_bucket *xtcp_bind_bucket_find(struct xtcp_net *xn, u16 port)
{
	struct xtcp_bind_bucket *tb;

	hlist_for_each_entry(tb, xtcp_bhash_head(xn, port), node)
		if (tb->port == port)
			return tb;
	return NULL;
}

static struct xtcp_bind_bucket *xtcp_bind_bucket_create(struct xtcp_net *xn, u16 port,
							bool connect_only)
{
	struct xtcp_bind_bucket *tb = kmalloc(sizeof(*tb), GFP_ATOMIC);

	if (tb) {
		tb->port = port;
		tb->connect_only = connect_only;
		INIT_HLIST_HEAD(&tb->owners);
		INIT_HLIST_HEAD(&tb->tw_owners);
		hlist_add_head(&tb->node, xtcp_bhash_head(xn, port));
	}
	return tb;
}

/* Free @tb once nothing holds its port.  bind_lock held. */
static void xtcp_bind_bucket_destroy(struct xtcp_bind_bucket *tb)
{
	if (hlist_empty(&tb->owners) && hlist_empty(&tb->tw_owners)) {
		hlist_del(&tb->node);
		kfree(tb);
	}
}

static void xtcp_bind_hash(struct sock *sk, struct xtcp_bind_bucket *tb)
{
	inet_sk(sk)->inet_num = tb->port;
	sk_add_bind_node(sk, &tb->owners);
	xtcp_sk(sk)->bind_bucket = tb;
}

/*
 * For bind() to port 0 (and autobind): a port nobody holds, from
 * net.ipv4.ip_local_port_range, starting at a moving random offset like
 * inet_csk_find_open_port().  Called with bind_lock held.
 */
static u16 xtcp_find_free_port(struct xtcp_net *xn, struct net *net)
{
	int low, high;
	u32 range, i, port;

	inet_get_local_port_range(net, &low, &high);
	range = high - low + 1;
	for (i = 0; i < range; i++) {
		port = low + (xn->port_rover + i) % range;
		if (inet_is_local_reserved_port(net, port))
			continue;
		if (!xtcp_bind_bucket_find(xn, port)) {
			xn->port_rover += i + 1;
			return port;
		}
	}
	return 0;
}

/**
 * xtcp_get_port - bind @sk to port @snum, or to a free ephemeral port if 0
 * @sk: the socket (locked by the caller)
 * @snum: the port, host order
 *
 * Like inet_csk_get_port().  Called by inet_bind() (struct proto .get_port), by listen()
 * to re-check a bound port now that the socket listens, and to autobind.
 *
 * Context: process, socket locked.
 * Return: 0 on success, -EADDRINUSE if the port is taken or none is free.
 */
int xtcp_get_port(struct sock *sk, unsigned short snum)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_bind_bucket *tb;
	int ret = -EADDRINUSE;

	spin_lock_bh(&xn->bind_lock);
	if (xs->bind_bucket) {
		/* already bound: listen() asks whether it may listen there */
		ret = xtcp_bind_conflict(sk, xs->bind_bucket) ? -EADDRINUSE : 0;
		goto out;
	}
	if (!snum) {
		snum = xtcp_find_free_port(xn, sock_net(sk));
		if (!snum)
			goto out;
	}
	tb = xtcp_bind_bucket_find(xn, snum);
	if (tb && xtcp_bind_conflict(sk, tb))
		goto out;
	if (!tb)
		tb = xtcp_bind_bucket_create(xn, snum, false);
	if (!tb)
		goto out;
	tb->connect_only = false;	/* connect() no longer shares it */
	xtcp_bind_hash(sk, tb);
	ret = 0;
out:
	spin_unlock_bh(&xn->bind_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_get_port);

/**
 * xtcp_put_port - release @sk's port, like inet_put_port()
 * @sk: the socket
 *
 * Context: process or softirq.
 */
void xtcp_put_port(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_bind_bucket *tb;

	spin_lock_bh(&xn->bind_lock);
	tb = xs->bind_bucket;
	if (tb) {
		__sk_del_bind_node(sk);
		xs->bind_bucket = NULL;
		inet_sk(sk)->inet_num = 0;
		xtcp_bind_bucket_destroy(tb);
	}
	spin_unlock_bh(&xn->bind_lock);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_put_port);

/**
 * xtcp_bind_tw - a TIME_WAIT minisocket takes its socket's port too
 * @tw: the minisocket
 * @tb: the socket's bucket (NULL: nothing to hold)
 *
 * Context: softirq or process.
 */
void xtcp_bind_tw(struct xtcp_timewait_sock *tw, struct xtcp_bind_bucket *tb)
{
	struct xtcp_net *xn = xtcp_pernet(read_pnet(&tw->common.skc_net));

	if (!tb)
		return;
	spin_lock_bh(&xn->bind_lock);
	hlist_add_head(&tw->bind_node, &tb->tw_owners);
	tw->tb = tb;
	spin_unlock_bh(&xn->bind_lock);
}

/* A TIME_WAIT minisocket gives its port up; bind_lock held. */
static void __xtcp_unbind_tw(struct xtcp_timewait_sock *tw)
{
	if (tw->tb) {
		hlist_del_init(&tw->bind_node);
		xtcp_bind_bucket_destroy(tw->tb);
		tw->tb = NULL;
	}
}

/**
 * xtcp_unbind_tw - a TIME_WAIT minisocket gives its port up
 * @tw: the minisocket
 *
 * Context: softirq, timer or process.
 */
void xtcp_unbind_tw(struct xtcp_timewait_sock *tw)
{
	struct xtcp_net *xn = xtcp_pernet(read_pnet(&tw->common.skc_net));

	spin_lock_bh(&xn->bind_lock);
	__xtcp_unbind_tw(tw);
	spin_unlock_bh(&xn->bind_lock);
}

/**
 * xtcp_inherit_port - a new child takes its listener's port, like __inet_inherit_port()
 * @listener: the listening socket (not locked: it may be closing meanwhile)
 * @child: the socket created for an accepted connection
 *
 * Context: softirq or process.
 * Return: 0, or -ENOENT if the listener no longer holds its port.
 */
int xtcp_inherit_port(struct sock *listener, struct sock *child)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(child));
	struct xtcp_bind_bucket *tb;

	spin_lock_bh(&xn->bind_lock);
	tb = xtcp_sk(listener)->bind_bucket;
	if (tb)
		xtcp_bind_hash(child, tb);
	spin_unlock_bh(&xn->bind_lock);
	return tb ? 0 : -ENOENT;
}

/* ---- listening hash ---- */

/* Are two listeners on the same local address, of the same family? */
static bool xtcp_same_laddr(const struct sock *sk, const struct sock *sk2)
{
	if (sk->sk_family != sk2->sk_family)
		return false;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return ipv6_addr_equal(&sk->sk_v6_rcv_saddr, &sk2->sk_v6_rcv_saddr);
#endif
	return sk->sk_rcv_saddr == sk2->sk_rcv_saddr;
}

/* Is a listener on its family's wildcard address? */
static bool xtcp_laddr_any(const struct sock *sk)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return ipv6_addr_any(&sk->sk_v6_rcv_saddr);
#endif
	return !sk->sk_rcv_saddr;
}

/*
 * A SO_REUSEPORT listener joins the group of the others on its address and port with
 * the same device and user, or starts one, like inet_reuseport_add_sock().  lhash_lock
 * held.
 */
static int xtcp_reuseport_add_sock(struct sock *sk, struct hlist_head *head)
{
	kuid_t uid = xtcp_sk_uid(sk);
	struct xtcp_sock *xs2;

	hlist_for_each_entry(xs2, head, listen_node) {
		struct sock *sk2 = (struct sock *)xs2;

		if (sk2 != sk && sk2->sk_num == sk->sk_num && xtcp_same_laddr(sk, sk2) &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if && sk2->sk_reuseport &&
		    xs2->bind_bucket == xtcp_sk(sk)->bind_bucket &&
		    uid_eq(uid, xtcp_sk_uid(sk2)))
			return reuseport_add_sock(sk, sk2, xtcp_laddr_any(sk));
	}
	return reuseport_alloc(sk, xtcp_laddr_any(sk));
}

/**
 * xtcp_hash - put a listening socket in the listening hash (struct proto .hash), like
 * __inet_hash()
 * @sk: the socket, already bound
 *
 * Context: process, socket locked.
 * Return: 0, or -ENOMEM if a SO_REUSEPORT group could not be made or grown.
 */
int xtcp_hash(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct hlist_head *head = xtcp_lhash2_head_sk(xn, sk);
	int err = 0;

	spin_lock_bh(&xn->lhash_lock);
	if (sk->sk_reuseport)
		err = xtcp_reuseport_add_sock(sk, head);
	/*
	 * An IPv6 SO_REUSEPORT listener goes last, as __inet_hash() puts it: an IPv4 one on
	 * the port, met first, takes the IPv4 segments (xtcp_lhash2_lookup()).
	 */
	if (!err && IS_ENABLED(CONFIG_IPV6) && sk->sk_reuseport && sk->sk_family == AF_INET6)
		hlist_add_tail_rcu(&xtcp_sk(sk)->listen_node, head);
	else if (!err)
		hlist_add_head_rcu(&xtcp_sk(sk)->listen_node, head);
	spin_unlock_bh(&xn->lhash_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_hash);

/**
 * xtcp_unhash - take @sk out of the listening or established hash (struct proto .unhash)
 * @sk: the socket
 *
 * Context: process or softirq, socket locked.
 */
void xtcp_unhash(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!hlist_unhashed(&xs->listen_node)) {
		spin_lock_bh(&xn->lhash_lock);
		if (rcu_access_pointer(sk->sk_reuseport_cb))
			reuseport_stop_listen_sock(sk);	/* leaves its group */
		hlist_del_init_rcu(&xs->listen_node);
		spin_unlock_bh(&xn->lhash_lock);
	}
	xtcp_ehash_remove(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_unhash);

/*
 * Does listener @sk take segments of @t to local address @laddr (@t's, or the
 * wildcard)?  An IPv4 segment goes to an IPv4 listener, or to an IPv6 one that is
 * not IPV6_V6ONLY on :: (skc_rcv_saddr 0) or on the v4-mapped form of its address;
 * an IPv6 segment to an IPv6 listener.
 */
static bool xtcp_listener_match(const struct sock *sk, const struct xtcp_tuple *t,
				__be32 laddr, const struct in6_addr *laddr6)
{
	if (sk->sk_num != t->hnum || (sk->sk_bound_dev_if && sk->sk_bound_dev_if != t->dif))
		return false;
#if IS_ENABLED(CONFIG_IPV6)
	if (t->v6)
		return sk->sk_family == AF_INET6 &&
		       ipv6_addr_equal(&sk->sk_v6_rcv_saddr, laddr6);
	if (sk->sk_family == AF_INET6 &&
	    (ipv6_only_sock(sk) || !(ipv6_addr_any(&sk->sk_v6_rcv_saddr) ||
				     ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))))
		return false;
#endif
	return sk->sk_rcv_saddr == laddr;
}

/*
 * How well listener @sk fits a segment of @t to @laddr (or @laddr6), as compute_score()
 * and compute_score6() weigh it: 0 not at all; 1, and 1 more if it is bound to the
 * device the segment came by, if it is an IPv4 listener taking an IPv4 segment (rather
 * than a dual-stack IPv6 one), and if it last took a segment on this CPU.
 */
static int xtcp_listener_score(const struct sock *sk, const struct xtcp_tuple *t,
			       __be32 laddr, const struct in6_addr *laddr6)
{
	int score;

	if (!xtcp_listener_match(sk, t, laddr, laddr6))
		return 0;
	score = sk->sk_bound_dev_if ? 2 : 1;
	if (!t->v6 && sk->sk_family == AF_INET)
		score++;
	if (READ_ONCE(sk->sk_incoming_cpu) == raw_smp_processor_id())
		score++;
	return score;
}

/*
 * The listener on @laddr (or @laddr6) and @t's port for a segment of @t, like
 * inet_lhash2_lookup(): the best fit (xtcp_listener_score()), but the first listener
 * that fits better than those before it and belongs to a SO_REUSEPORT group gives the
 * group's choice at once (reuseport_select_sock(): by a hash of the 4-tuple, or by the
 * group's program, which sees @skb's payload @doff bytes on; an ERR_PTR if it drops
 * the segment).
 */
static struct sock *xtcp_lhash2_lookup(struct xtcp_net *xn, const struct xtcp_tuple *t,
				       __be32 laddr, const struct in6_addr *laddr6,
				       struct sk_buff *skb, int doff)
{
	struct sock *result = NULL;
	struct hlist_head *head;
	struct xtcp_sock *xs;
	int score, hiscore = 0;

#if IS_ENABLED(CONFIG_IPV6)
	if (t->v6)
		head = xtcp6_lhash2_head(xn, laddr6, t->hnum);
	else
#endif
		head = xtcp_lhash2_head(xn, laddr, t->hnum);
	hlist_for_each_entry_rcu(xs, head, listen_node) {
		struct sock *sk = (struct sock *)xs, *sk2;

		score = xtcp_listener_score(sk, t, laddr, laddr6);
		if (score <= hiscore)
			continue;
		if (sk->sk_reuseport) {
			sk2 = reuseport_select_sock(sk, xtcp_tuple_hash(t), skb, doff);
			if (IS_ERR(sk2))	/* the group's program dropped it */
				return sk2;
			if (sk2)
				return refcount_inc_not_zero(&sk2->sk_refcnt) ? sk2 : NULL;
		}
		result = sk;
		hiscore = score;
	}
	return result && refcount_inc_not_zero(&result->sk_refcnt) ? result : NULL;
}

/**
 * xtcp_lookup_listener - the listener for a segment, like __inet_lookup_listener()
 * @net: namespace of the arriving segment
 * @saddr: its source address
 * @sport: its source port
 * @daddr: its destination (our) address
 * @dport: its destination (our) port
 * @dif: the device it arrived on
 * @skb: the segment, its data at the xtcp header (NULL: none, as for KUnit)
 * @doff: the length of that header
 *
 * A listener bound to @daddr wins over one bound to the wildcard address; of a
 * SO_REUSEPORT group, one member is chosen (xtcp_lhash2_lookup()).
 *
 * Context: softirq or process, rcu_read_lock() held.
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_lookup_listener(struct net *net, __be32 saddr, __be16 sport,
				  __be32 daddr, __be16 dport, int dif,
				  struct sk_buff *skb, int doff)
{
	struct xtcp_tuple t = { .saddr = saddr, .daddr = daddr, .sport = sport,
				.hnum = ntohs(dport), .dif = dif };
	struct xtcp_net *xn = xtcp_pernet(net);
	struct sock *sk;

	sk = xtcp_lhash2_lookup(xn, &t, daddr, NULL, skb, doff);
	if (!sk)
		sk = xtcp_lhash2_lookup(xn, &t, htonl(INADDR_ANY), NULL, skb, doff);
	return IS_ERR(sk) ? NULL : sk;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_listener);

#if IS_ENABLED(CONFIG_IPV6)
/**
 * xtcp6_lookup_listener - the listener for an IPv6 segment, like
 * inet6_lookup_listener()
 * @net: namespace of the arriving segment
 * @saddr: its source address
 * @sport: its source port
 * @daddr: its destination (our) address
 * @dport: its destination (our) port
 * @dif: the device it arrived on
 * @skb: the segment, its data at the xtcp header (NULL: none, as for KUnit)
 * @doff: the length of that header
 *
 * Context: softirq or process, rcu_read_lock() held.
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp6_lookup_listener(struct net *net, const struct in6_addr *saddr,
				   __be16 sport, const struct in6_addr *daddr, __be16 dport,
				   int dif, struct sk_buff *skb, int doff)
{
	struct xtcp_tuple t = { .v6 = true, .saddr6 = saddr, .daddr6 = daddr, .sport = sport,
				.hnum = ntohs(dport), .dif = dif };
	struct xtcp_net *xn = xtcp_pernet(net);
	struct sock *sk;

	sk = xtcp_lhash2_lookup(xn, &t, 0, daddr, skb, doff);
	if (!sk)
		sk = xtcp_lhash2_lookup(xn, &t, 0, &in6addr_any, skb, doff);
	return IS_ERR(sk) ? NULL : sk;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp6_lookup_listener);
#endif

/* ---- established hash ---- */

static u32 xtcp_ehash_slot(const struct xtcp_net *xn, u32 hash)
{
	return hash & xn->ehash_mask;
}

static struct hlist_nulls_head *xtcp_ehash_chain(struct xtcp_net *xn, u32 hash)
{
	return &xn->ehash[xtcp_ehash_slot(xn, hash)];
}

/* Link @sk into its chain; the table takes a reference.  Chain lock held. */
static void xtcp_ehash_link(struct xtcp_net *xn, struct sock *sk, u32 hash)
{
	sk->sk_hash = hash;
	refcount_inc(&sk->sk_refcnt);
	hlist_nulls_add_head_rcu(&sk->sk_nulls_node, xtcp_ehash_chain(xn, hash));
}

/* Is @skc the socket (request, TIME_WAIT) of tuple @t, like inet_match(), inet6_match()? */
static bool xtcp_ehash_match(const struct sock_common *skc, u32 hash,
			     const struct xtcp_tuple *t)
{
	if (skc->skc_hash != hash || skc->skc_dport != t->sport || skc->skc_num != t->hnum ||
	    (skc->skc_bound_dev_if && skc->skc_bound_dev_if != t->dif))
		return false;
#if IS_ENABLED(CONFIG_IPV6)
	if (t->v6)
		return skc->skc_family == AF_INET6 &&
		       ipv6_addr_equal(&skc->skc_v6_daddr, t->saddr6) &&
		       ipv6_addr_equal(&skc->skc_v6_rcv_saddr, t->daddr6);
#endif
	return !xtcp_skc_v6(skc) && skc->skc_daddr == t->saddr && skc->skc_rcv_saddr == t->daddr;
}

/* The socket or request of tuple @t, referenced; see xtcp_lookup_established(). */
static struct sock *__xtcp_lookup_established(struct net *net, const struct xtcp_tuple *t)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	u32 hash = xtcp_tuple_hash(t);
	const struct hlist_nulls_node *node;
	struct sock_common *skc;

begin:
	hlist_nulls_for_each_entry_rcu(skc, node, xtcp_ehash_chain(xn, hash), skc_nulls_node) {
		if (!xtcp_ehash_match(skc, hash, t) || !refcount_inc_not_zero(&skc->skc_refcnt))
			continue;
		if (unlikely(!xtcp_ehash_match(skc, hash, t))) {
			xtcp_sock_gen_put((struct sock *)skc);
			goto begin;
		}
		return (struct sock *)skc;
	}
	if (get_nulls_value(node) != xtcp_ehash_slot(xn, hash))
		goto begin;
	return NULL;
}

/**
 * xtcp_lookup_established - the socket or request for a 4-tuple, like
 * __inet_lookup_established()
 * @net: namespace of the arriving segment
 * @saddr: its source (the peer's) address
 * @sport: its source port
 * @daddr: its destination (our) address
 * @dport: its destination (our) port
 * @dif: the device it arrived on
 *
 * A socket that moved to another chain while the walk stood on it (re-hashed by a
 * new connect()) leads the walk into that chain: ending in another chain's nulls
 * marker, it starts again.  What matched is checked again once referenced, in case
 * it was re-hashed with another 4-tuple meanwhile.
 *
 * Context: softirq or process, rcu_read_lock() held.
 * Return: a full socket or a request minisocket (sk_state TCP_NEW_SYN_RECV) with a
 * reference held, or NULL.
 */
struct sock *xtcp_lookup_established(struct net *net, __be32 saddr, __be16 sport,
				     __be32 daddr, __be16 dport, int dif)
{
	struct xtcp_tuple t = { .saddr = saddr, .daddr = daddr, .sport = sport,
				.hnum = ntohs(dport), .dif = dif };

	return __xtcp_lookup_established(net, &t);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_established);

#if IS_ENABLED(CONFIG_IPV6)
/**
 * xtcp6_lookup_established - the socket or request for an IPv6 4-tuple, like
 * __inet6_lookup_established()
 * @net: namespace of the arriving segment
 * @saddr: its source (the peer's) address
 * @sport: its source port
 * @daddr: its destination (our) address
 * @dport: its destination (our) port
 * @dif: the device it arrived on
 *
 * Context: softirq or process, rcu_read_lock() held.
 * Return: a full socket or a request minisocket with a reference held, or NULL.
 */
struct sock *xtcp6_lookup_established(struct net *net, const struct in6_addr *saddr,
				      __be16 sport, const struct in6_addr *daddr,
				      __be16 dport, int dif)
{
	struct xtcp_tuple t = { .v6 = true, .saddr6 = saddr, .daddr6 = daddr, .sport = sport,
				.hnum = ntohs(dport), .dif = dif };

	return __xtcp_lookup_established(net, &t);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp6_lookup_established);
#endif

/**
 * xtcp_ehash_insert - add @sk to the established hash, replacing @osk if given
 * @sk: a socket or request minisocket with its 4-tuple set
 * @osk: a request minisocket @sk replaces (the child of a completed handshake), or NULL
 * @found_dup_sk: if not NULL (and no @osk), set to whether another socket holds the
 *	same 4-tuple already, in which case nothing is inserted
 *
 * Like inet_ehash_insert().  The table holds a reference on @sk.  If @osk is given but
 * no longer hashed (its request was dropped, or its handshake completed on another
 * CPU, meanwhile), nothing is inserted.  A child made from a SYN cookie checks for a
 * duplicate: two ACKs of one cookie could otherwise make two connections of one.
 *
 * Context: softirq or process.
 * Return: true if @sk was inserted.
 */
bool xtcp_ehash_insert(struct sock *sk, struct sock *osk, bool *found_dup_sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	const struct hlist_nulls_node *node;
	struct sock_common *skc;
	struct xtcp_tuple t;
	spinlock_t *lock;	/* the tuple's chain's */
	bool ok = true;
	u32 hash;

	xtcp_skc_tuple(&sk->__sk_common, sk->sk_num, &t);
	hash = xtcp_tuple_hash(&t);
	lock = xtcp_ehash_lock(xn, hash);

	spin_lock_bh(lock);
	if (osk) {
		ok = !hlist_nulls_unhashed(&osk->sk_nulls_node);
		if (ok)
			hlist_nulls_del_init_rcu(&osk->sk_nulls_node);
	} else if (found_dup_sk) {
		*found_dup_sk = false;
		hlist_nulls_for_each_entry(skc, node, xtcp_ehash_chain(xn, hash), skc_nulls_node) {
			if (xtcp_ehash_match(skc, hash, &t)) {
				*found_dup_sk = true;
				ok = false;
				break;
			}
		}
	}
	if (ok)
		xtcp_ehash_link(xn, sk, hash);
	spin_unlock_bh(lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ehash_insert);

/**
 * xtcp_ehash_unlink - take a socket or request out of the established hash
 * @sk: the socket or request minisocket
 *
 * Context: softirq or process.
 * Return: whether it was there; if so the caller now owns the table's reference.
 */
bool xtcp_ehash_unlink(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	spinlock_t *lock = xtcp_ehash_lock(xn, sk->sk_hash);
	bool was_hashed;

	spin_lock_bh(lock);
	was_hashed = !hlist_nulls_unhashed(&sk->sk_nulls_node);
	if (was_hashed)
		hlist_nulls_del_init_rcu(&sk->sk_nulls_node);
	spin_unlock_bh(lock);
	return was_hashed;
}

/**
 * xtcp_ehash_remove - take a full socket out of the established hash
 * @sk: the socket (never the last reference: the caller holds one)
 *
 * Context: softirq or process.
 */
void xtcp_ehash_remove(struct sock *sk)
{
	if (xtcp_ehash_unlink(sk))
		__sock_put(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ehash_remove);

/*
 * Is the 4-tuple of @sk with local port @lport free, or held by a TIME_WAIT it may
 * take over (xtcp_twsk_unique())?  If so @sk enters the established hash with that
 * port, and the TIME_WAIT leaves it in the same critical section, so that a lookup
 * never finds both, as __inet_check_established().  With @twp the TIME_WAIT, which
 * still holds the port and its timer, is returned referenced for the caller to end;
 * without (a port fixed by bind()) it is ended here.  Bottom halves off.
 */
static int __xtcp_check_established(struct sock *sk, u16 lport,
				    struct xtcp_timewait_sock **twp)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_timewait_sock *tw = NULL;
	const struct hlist_nulls_node *node;
	struct sock_common *skc;
	struct xtcp_tuple t;
	spinlock_t *lock;	/* the tuple's chain's */
	u32 hash;

	xtcp_skc_tuple(&sk->__sk_common, lport, &t);
	hash = xtcp_tuple_hash(&t);
	lock = xtcp_ehash_lock(xn, hash);
	spin_lock(lock);
	hlist_nulls_for_each_entry(skc, node, xtcp_ehash_chain(xn, hash), skc_nulls_node) {
		if (!xtcp_ehash_match(skc, hash, &t))
			continue;
		if (skc->skc_state == TCP_TIME_WAIT &&
		    xtcp_twsk_unique(sk, xtcp_twsk((struct sock *)skc), !!twp)) {
			tw = xtcp_twsk((struct sock *)skc);
			break;
		}
		spin_unlock(lock);
		return -EADDRNOTAVAIL;
	}
	inet_sk(sk)->inet_num = lport;
	inet_sk(sk)->inet_sport = htons(lport);
	xtcp_ehash_link(xn, sk, hash);
	if (tw) {
		hlist_nulls_del_init_rcu(&tw->common.skc_nulls_node);
		refcount_dec(&tw->common.skc_refcnt);	/* the table's; ours remains */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TWRECYCLED);
	}
	spin_unlock(lock);
	if (twp)
		*twp = tw;
	else if (tw)
		xtcp_tw_deschedule_put(tw);
	return 0;
}

/*
 * RFC 6056 3.3.4 (Algorithm 4), as Linux: the search for a local port starts at a
 * keyed hash of the destination (xtcp_secure_port_offset()) plus a counter from this
 * table, indexed by the hash's low bits; each success moves the counter on by a
 * random 2-16 ports, so the next connect() toward that destination does not take
 * the next port.  Shared by all namespaces, drawn at random at first use; updated
 * without a lock (a lost update costs nothing).
 */
#define XTCP_PERTURB_SIZE	BIT(16)
static u32 xtcp_table_perturb[XTCP_PERTURB_SIZE];

/**
 * xtcp_hash_secrets_init - draw the tables' secrets: the hash key and the port
 * search's perturbation table
 *
 * Linux draws its own at first use (net_get_random_once()), as TCP starts early in
 * boot; a module loads once the random pool is ready.  Drawing them here also keeps
 * the first connection from patching kernel text (the once-keys are static branches).
 *
 * Context: process, module init.
 */
void xtcp_hash_secrets_init(void)
{
	get_random_bytes(&xtcp_hash_secret, sizeof(xtcp_hash_secret));
	get_random_bytes(xtcp_table_perturb, sizeof(xtcp_table_perturb));
}

/**
 * xtcp_hash_connect - pick the local port of a connecting socket and hash it, like
 * inet_hash_connect()
 * @sk: a socket in SYN_SENT with its addresses and destination port set
 *
 * A socket bound by bind() keeps its port if the 4-tuple is unique, or held by a
 * TIME_WAIT it may take over (then ended, and xtcp_sock.iss set beyond it).  Otherwise
 * a port from net.ipv4.ip_local_port_range (or IP_LOCAL_PORT_RANGE) whose 4-tuple is
 * free, searched from where RFC 6056's algorithm 4 says, in the namespace's range the
 * ports of its low end's parity first, as Linux.  A port only other connect()s use is
 * shared, toward other
 * destinations (so one namespace keeps far more connections than it has ports); one
 * bind() or listen() uses is skipped.
 *
 * Context: process, socket locked.
 * Return: 0, -EADDRNOTAVAIL if no port can be used, -ENOMEM.
 */
int xtcp_hash_connect(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_timewait_sock *tw = NULL;
	u32 remaining, offset, index, step, i;
	struct xtcp_bind_bucket *tb;
	int low, high, port, ret;
	bool local_ports;
	u64 port_offset;

	if (sk->sk_num) {
		local_bh_disable();
		ret = __xtcp_check_established(sk, sk->sk_num, NULL);
		local_bh_enable();
		return ret;
	}
	local_ports = xtcp_local_port_range(sk, &low, &high);
	step = local_ports ? 1 : 2;
	high++;				/* [low, high) */
	remaining = high - low;
	if (!local_ports && remaining > 1)
		remaining &= ~1U;
#if IS_ENABLED(CONFIG_IPV6)
	if (xtcp_skc_v6(&sk->__sk_common))
		port_offset = xtcp_v6_secure_port_offset(&sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr,
							 sk->sk_dport, jiffies / (10 * HZ));
	else
#endif
		port_offset = xtcp_secure_port_offset(sk->sk_rcv_saddr, sk->sk_daddr,
						      sk->sk_dport, jiffies / (10 * HZ));
	index = port_offset & (XTCP_PERTURB_SIZE - 1);
	offset = READ_ONCE(xtcp_table_perturb[index]) + (port_offset >> 32);
	offset %= remaining;
	if (!local_ports)
		offset &= ~1U;		/* ports of low's parity first */
other_parity_scan:
	port = low + offset;
	for (i = 0; i < remaining; i += step, port += step) {
		if (port >= high)
			port -= remaining;
		if (inet_is_local_reserved_port(sock_net(sk), port))
			continue;
		spin_lock_bh(&xn->bind_lock);
		tb = xtcp_bind_bucket_find(xn, port);
		if (tb && !tb->connect_only)
			goto next_port;
		if (!tb)
			tb = xtcp_bind_bucket_create(xn, port, true);
		if (!tb) {
			spin_unlock_bh(&xn->bind_lock);
			return -ENOMEM;
		}
		if (!__xtcp_check_established(sk, port, &tw))
			goto ok;
		xtcp_bind_bucket_destroy(tb);	/* if it was new */
next_port:
		spin_unlock_bh(&xn->bind_lock);
		cond_resched();
	}
	if (!local_ports) {		/* then the other parity */
		offset++;
		if ((offset & 1) && remaining > 1)
			goto other_parity_scan;
	}
	return -EADDRNOTAVAIL;

ok:
	i = max_t(u32, i, get_random_u32_below(8) * step);
	WRITE_ONCE(xtcp_table_perturb[index], READ_ONCE(xtcp_table_perturb[index]) + i + step);
	xtcp_bind_hash(sk, tb);
	if (tw)
		__xtcp_unbind_tw(tw);
	spin_unlock_bh(&xn->bind_lock);
	if (tw)
		xtcp_tw_deschedule_put(tw);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_hash_connect);

/**
 * xtcp_sock_gen_put - drop a reference from a lookup, on a socket or a request
 * @sk: what a lookup returned: a socket, a request or a TIME_WAIT minisocket
 *
 * Context: any.
 */
void xtcp_sock_gen_put(struct sock *sk)
{
	if (sk->sk_state == TCP_NEW_SYN_RECV)
		xtcp_reqsk_put(xtcp_rsk(sk));
	else if (sk->sk_state == TCP_TIME_WAIT)
		xtcp_tw_put(xtcp_twsk(sk));
	else
		sock_put(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sock_gen_put);
