// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: congestion control, like net/ipv4/tcp_cong.c.
 *
 * The window arithmetic common to every algorithm (slow start, additive increase, what
 * happens on entering fast recovery or after a timeout) is here; what differs from one
 * algorithm to another sits behind struct xtcp_cong_ops.  Algorithms register by name
 * (xtcp_register_congestion_control(), exported: another module can bring one, see
 * cong/xtcp_vegas_lite.c); Reno (RFC 5681, below) and CUBIC (xtcp_cubic.c, the default
 * as in Linux) come with xtcp.  A socket takes its namespace's default
 * (net.xtcp.congestion_control) when it is created, TCP_CONGESTION chooses another, an
 * accepted connection has its listener's.  Every socket holds a reference on its
 * algorithm's module, so that module cannot be unloaded under it (rmmod: in use).
 *
 * cwnd and ssthresh count segments, as in Linux.  Everything here that touches a
 * connection runs with the socket locked (softirq, timer or process context).
 */
#include <linux/module.h>
#include "xtcp.h"

/*
 * The registered algorithms.  xtcp_cong_list_lock protects writes to the list and the
 * algorithms' flags; readers walk it under RCU.
 */
static DEFINE_SPINLOCK(xtcp_cong_list_lock);
static LIST_HEAD(xtcp_cong_list);

/**
 * xtcp_cong_find - the registered algorithm called @name, like tcp_ca_find()
 * @name: as TCP_CONGESTION gives it
 *
 * Context: under rcu_read_lock() or xtcp_cong_list_lock.
 * Return: the algorithm, or NULL if none of that name is registered.
 */
struct xtcp_cong_ops *xtcp_cong_find(const char *name)
{
	struct xtcp_cong_ops *e;

	list_for_each_entry_rcu(e, &xtcp_cong_list, list,
				lockdep_is_held(&xtcp_cong_list_lock))
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cong_find);

/*
 * The algorithm of that name; if none is registered and the caller may (CAP_NET_ADMIN,
 * as tcp_ca_find_autoload()), ask for the module that brings it, "xtcp-cong-NAME"
 * (XTCP_CONG_MODULE_ALIAS()).  Called under rcu_read_lock(), which it drops to load.
 */
static struct xtcp_cong_ops *xtcp_ca_find_autoload(const char *name)
{
	struct xtcp_cong_ops *ca = xtcp_cong_find(name);

#ifdef CONFIG_MODULES
	if (!ca && capable(CAP_NET_ADMIN)) {
		rcu_read_unlock();
		request_module("xtcp-cong-%s", name);
		rcu_read_lock();
		ca = xtcp_cong_find(name);
	}
#endif
	return ca;
}

/**
 * xtcp_register_congestion_control - make an algorithm available, like
 * tcp_register_congestion_control()
 * @ca: the algorithm: ssthresh and cong_avoid set, a name; owner THIS_MODULE
 *
 * Context: process.
 * Return: 0; -EINVAL if a required callback or the name is missing; -EEXIST if an
 * algorithm of that name is registered already.
 */
int xtcp_register_congestion_control(struct xtcp_cong_ops *ca)
{
	int ret = 0;

	if (!ca->ssthresh || !ca->cong_avoid || !ca->name[0]) {
		pr_err("congestion control \"%s\" does not implement the required ops\n",
		       ca->name);
		return -EINVAL;
	}
	spin_lock(&xtcp_cong_list_lock);
	if (xtcp_cong_find(ca->name)) {
		pr_notice("congestion control \"%s\" is already registered\n", ca->name);
		ret = -EEXIST;
	} else {
		list_add_tail_rcu(&ca->list, &xtcp_cong_list);
	}
	spin_unlock(&xtcp_cong_list_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(xtcp_register_congestion_control);

/**
 * xtcp_unregister_congestion_control - withdraw an algorithm, like
 * tcp_unregister_congestion_control()
 * @ca: a registered algorithm
 *
 * Called from the owner's module exit: no socket and no namespace default uses @ca
 * then, as each holds a reference on the owner and the module could not be unloaded.
 * Waits until no reader walks past it.
 *
 * Context: process.
 */
void xtcp_unregister_congestion_control(struct xtcp_cong_ops *ca)
{
	spin_lock(&xtcp_cong_list_lock);
	list_del_rcu(&ca->list);
	spin_unlock(&xtcp_cong_list_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(xtcp_unregister_congestion_control);

/* @sk starts afresh with @ca, whose module reference it already holds */
static void xtcp_ca_set_ops(struct sock *sk, const struct xtcp_cong_ops *ca)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->ca_ops, ca);
	xs->ca_initialized = 0;
	memset(xs->ca_priv, 0, sizeof(xs->ca_priv));
}

/* the algorithm's init() for a connection that starts using it (tcp_init_congestion_control()) */
static void xtcp_init_congestion_control(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_initialized && xs->ca_ops->release)
		xs->ca_ops->release(sk);
	memset(xs->ca_priv, 0, sizeof(xs->ca_priv));
	if (xs->ca_ops->init)
		xs->ca_ops->init(sk);
	xs->ca_initialized = 1;
}

/**
 * xtcp_assign_congestion_control - a new socket takes its namespace's default
 * algorithm, like tcp_assign_congestion_control()
 * @sk: the socket
 *
 * Reno if the default's module is on its way out.
 *
 * Context: process or softirq.
 */
void xtcp_assign_congestion_control(struct sock *sk)
{
	const struct xtcp_cong_ops *ca;

	rcu_read_lock();
	ca = rcu_dereference(xtcp_pernet(sock_net(sk))->ca_default);
	if (unlikely(!try_module_get(ca->owner)))
		ca = &xtcp_reno;
	rcu_read_unlock();
	xtcp_ca_set_ops(sk, ca);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_assign_congestion_control);

/**
 * xtcp_ca_openreq_child - a new connection's algorithm, like tcp_ca_openreq_child()
 * @sk: the child of a listener, just cloned: it shares the listener's ca_ops, without
 *	a reference of its own
 *
 * The listener's algorithm if TCP_CONGESTION chose it (and its module can be held),
 * else the namespace's default.  Must run before anything can free the child.
 *
 * Context: softirq, the child locked.
 */
void xtcp_ca_openreq_child(struct sock *sk)
{
	const struct xtcp_cong_ops *ca = xtcp_sk(sk)->ca_ops;

	if (xtcp_sk(sk)->ca_setsockopt && try_module_get(ca->owner))
		xtcp_ca_set_ops(sk, ca);
	else
		xtcp_assign_congestion_control(sk);
	xtcp_sk(sk)->ca_state = XTCP_CA_OPEN;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ca_openreq_child);

/**
 * xtcp_cleanup_congestion_control - the socket stops using its algorithm, like
 * tcp_cleanup_congestion_control(): release() if init() ran, and the module reference
 * @sk: the socket
 *
 * Context: any (the socket's destructor, or locked for a change of algorithm).
 */
void xtcp_cleanup_congestion_control(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_initialized && xs->ca_ops->release)
		xs->ca_ops->release(sk);
	xs->ca_initialized = 0;
	module_put(xs->ca_ops->owner);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cleanup_congestion_control);

/**
 * xtcp_set_congestion_control - TCP_CONGESTION, like tcp_set_congestion_control()
 * @sk: the socket, locked
 * @name: the algorithm's name
 * @cap_net_admin: the caller may choose any algorithm and have its module loaded
 *
 * A connection that has started (not CLOSE or LISTEN) initializes the new algorithm at
 * once; the others when their data transfer starts.
 *
 * Context: process, socket locked.
 * Return: 0; -ENOENT if no such algorithm is registered (or loadable); -EPERM if it is
 * not in net.xtcp.allowed_congestion_control and the caller lacks CAP_NET_ADMIN;
 * -EBUSY if its module is being unloaded.
 */
int xtcp_set_congestion_control(struct sock *sk, const char *name, bool cap_net_admin)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_cong_ops *ca;
	int err = 0;

	rcu_read_lock();
	ca = cap_net_admin ? xtcp_ca_find_autoload(name) : xtcp_cong_find(name);
	if (ca == xs->ca_ops) {
		xs->ca_setsockopt = 1;
	} else if (!ca) {
		err = -ENOENT;
	} else if (!((ca->flags & XTCP_CONG_NON_RESTRICTED) || cap_net_admin)) {
		err = -EPERM;
	} else if (!try_module_get(ca->owner)) {
		err = -EBUSY;
	} else {
		xtcp_cleanup_congestion_control(sk);
		xtcp_ca_set_ops(sk, ca);
		xs->ca_setsockopt = 1;
		if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			xtcp_init_congestion_control(sk);
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_congestion_control);

/**
 * xtcp_set_default_congestion_control - net.xtcp.congestion_control, like
 * tcp_set_default_congestion_control()
 * @net: the namespace
 * @name: the algorithm's name
 *
 * The namespace's default holds a reference on the algorithm's module, and the
 * algorithm becomes one the unprivileged may choose.  Only the initial namespace may
 * make an algorithm outside allowed_congestion_control its default.
 *
 * Context: process.
 * Return: 0, -ENOENT, -EPERM or -EBUSY (the module is being unloaded).
 */
int xtcp_set_default_congestion_control(struct net *net, const char *name)
{
	const struct xtcp_cong_ops *prev;
	struct xtcp_cong_ops *ca;
	int ret = 0;

	rcu_read_lock();
	ca = xtcp_ca_find_autoload(name);
	if (!ca) {
		ret = -ENOENT;
	} else if (!net_eq(net, &init_net) && !(ca->flags & XTCP_CONG_NON_RESTRICTED)) {
		ret = -EPERM;
	} else if (!try_module_get(ca->owner)) {
		ret = -EBUSY;
	} else {
		prev = unrcu_pointer(xchg(&xtcp_pernet(net)->ca_default, RCU_INITIALIZER(ca)));
		if (prev)
			module_put(prev->owner);
		spin_lock(&xtcp_cong_list_lock);
		ca->flags |= XTCP_CONG_NON_RESTRICTED;
		spin_unlock(&xtcp_cong_list_lock);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_default_congestion_control);

/**
 * xtcp_get_default_congestion_control - the name of @net's default algorithm
 * @net: the namespace
 * @name: TCP_CA_NAME_MAX bytes for it
 *
 * Context: any.
 */
void xtcp_get_default_congestion_control(struct net *net, char *name)
{
	rcu_read_lock();
	strscpy(name, rcu_dereference(xtcp_pernet(net)->ca_default)->name, TCP_CA_NAME_MAX);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_get_default_congestion_control);

/* the names of the registered algorithms with all of @flags, space-separated */
static void xtcp_get_cong_names(char *buf, size_t maxlen, u32 flags)
{
	struct xtcp_cong_ops *ca;
	size_t offs = 0;

	*buf = '\0';
	rcu_read_lock();
	list_for_each_entry_rcu(ca, &xtcp_cong_list, list) {
		if ((ca->flags & flags) != flags)
			continue;
		offs += snprintf(buf + offs, maxlen - offs, "%s%s", offs ? " " : "", ca->name);
		if (WARN_ON_ONCE(offs >= maxlen))
			break;
	}
	rcu_read_unlock();
}

/**
 * xtcp_get_available_congestion_control - net.xtcp.available_congestion_control
 * @buf: for the names of the registered algorithms, space-separated
 * @maxlen: its size
 *
 * Context: any.
 */
void xtcp_get_available_congestion_control(char *buf, size_t maxlen)
{
	xtcp_get_cong_names(buf, maxlen, 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_get_available_congestion_control);

/**
 * xtcp_get_allowed_congestion_control - net.xtcp.allowed_congestion_control
 * @buf: for the names of the algorithms anyone may choose, space-separated
 * @maxlen: its size
 *
 * Context: any.
 */
void xtcp_get_allowed_congestion_control(char *buf, size_t maxlen)
{
	xtcp_get_cong_names(buf, maxlen, XTCP_CONG_NON_RESTRICTED);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_get_allowed_congestion_control);

/**
 * xtcp_set_allowed_congestion_control - set net.xtcp.allowed_congestion_control, like
 * tcp_set_allowed_congestion_control()
 * @val: names of registered algorithms, space-separated; modified
 *
 * Context: process.
 * Return: 0, -ENOENT if a name is not registered (nothing changes then), -ENOMEM.
 */
int xtcp_set_allowed_congestion_control(char *val)
{
	char *saved, *clone, *name;
	struct xtcp_cong_ops *ca;
	int ret = 0;

	saved = kstrdup(val, GFP_USER);
	if (!saved)
		return -ENOMEM;
	clone = saved;
	spin_lock(&xtcp_cong_list_lock);
	while ((name = strsep(&clone, " ")) && *name) {
		if (!xtcp_cong_find(name)) {
			ret = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry(ca, &xtcp_cong_list, list)
		ca->flags &= ~XTCP_CONG_NON_RESTRICTED;
	while ((name = strsep(&val, " ")) && *name) {
		ca = xtcp_cong_find(name);
		if (ca)
			ca->flags |= XTCP_CONG_NON_RESTRICTED;
	}
out:
	spin_unlock(&xtcp_cong_list_lock);
	kfree(saved);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_allowed_congestion_control);

/**
 * xtcp_set_ca_state - the sender enters another congestion state, like tcp_set_ca_state()
 * @sk: the socket, locked
 * @ca_state: enum xtcp_ca_state
 *
 * The algorithm hears of it first (set_state).
 *
 * Context: softirq, timer or process, socket locked.
 */
void xtcp_set_ca_state(struct sock *sk, u8 ca_state)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_ops->set_state)
		xs->ca_ops->set_state(sk, ca_state);
	xs->ca_state = ca_state;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_ca_state);

/**
 * xtcp_ca_event - tell the algorithm of an event, like tcp_ca_event()
 * @sk: the socket, locked
 * @event: CA_EVENT_TX_START or CA_EVENT_LOSS
 *
 * Context: softirq, timer or process, socket locked.
 */
void xtcp_ca_event(struct sock *sk, enum tcp_ca_event event)
{
	const struct xtcp_cong_ops *ca = xtcp_sk(sk)->ca_ops;

	if (ca->cwnd_event)
		ca->cwnd_event(sk, event);
}

/**
 * xtcp_cong_module_init - register the algorithms xtcp brings: Reno and CUBIC
 *
 * Context: process, module init.
 * Return: 0 or a negative errno.
 */
int xtcp_cong_module_init(void)
{
	int err;

	err = xtcp_register_congestion_control(&xtcp_reno);
	if (err)
		return err;
	err = xtcp_cubic_register();
	if (err)
		xtcp_unregister_congestion_control(&xtcp_reno);
	return err;
}

/**
 * xtcp_cong_module_exit - unregister Reno and CUBIC
 *
 * Context: process, module exit (no socket and no namespace is left).
 */
void xtcp_cong_module_exit(void)
{
	xtcp_cubic_unregister();
	xtcp_unregister_congestion_control(&xtcp_reno);
}

/**
 * xtcp_cong_init_net - a namespace's default algorithm
 * @net: the namespace
 *
 * CUBIC in the initial namespace (as Debian's kernels set CONFIG_DEFAULT_TCP_CONG);
 * a new namespace starts with the initial one's, as tcp_sk_init() does, or Reno if
 * that one's module is going away.
 *
 * Context: process, pernet init.
 */
void xtcp_cong_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	const struct xtcp_cong_ops *ca = NULL;

	if (net_eq(net, &init_net)) {
		if (!xtcp_set_default_congestion_control(net, "cubic"))
			return;
	} else {
		rcu_read_lock();
		ca = rcu_dereference(xtcp_pernet(&init_net)->ca_default);
		if (!try_module_get(ca->owner))
			ca = NULL;
		rcu_read_unlock();
	}
	RCU_INIT_POINTER(xn->ca_default, ca ?: &xtcp_reno);
}

/**
 * xtcp_cong_exit_net - drop a namespace's hold on its default algorithm
 * @net: the namespace
 *
 * Context: process, pernet exit.
 */
void xtcp_cong_exit_net(struct net *net)
{
	const struct xtcp_cong_ops *ca;

	ca = rcu_dereference_protected(xtcp_pernet(net)->ca_default, true);
	module_put(ca->owner);
}

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
EXPORT_SYMBOL_GPL(xtcp_slow_start);

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
EXPORT_SYMBOL_GPL(xtcp_cong_avoid_ai);

/**
 * xtcp_reno_ssthresh - Reno's threshold after a loss: half the window (RFC 5681 eq. 4,
 * in segments: at least 2), like tcp_reno_ssthresh()
 * @sk: the socket, locked
 *
 * Context: softirq, timer or process, socket locked.
 * Return: the new ssthresh.
 */
u32 xtcp_reno_ssthresh(struct sock *sk)
{
	return max(xtcp_sk(sk)->snd_cwnd >> 1U, 2U);
}
EXPORT_SYMBOL_GPL(xtcp_reno_ssthresh);

/**
 * xtcp_reno_cong_avoid - Reno's growth: slow start below ssthresh, then one segment per
 * round trip, like tcp_reno_cong_avoid()
 * @sk: the socket, locked
 * @ack: the new snd_una
 * @acked: segments newly ACKed
 *
 * Context: softirq, timer or process, socket locked.
 */
void xtcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_is_cwnd_limited(xs))
		return;		/* the application, not the network, set the pace */
	if (xtcp_in_slow_start(xs)) {
		acked = xtcp_slow_start(xs, acked);
		if (!acked)
			return;
	}
	xtcp_cong_avoid_ai(xs, xs->snd_cwnd, acked);
}
EXPORT_SYMBOL_GPL(xtcp_reno_cong_avoid);

/**
 * xtcp_reno_undo_cwnd - the window after a reduction turned out spurious: the larger of
 * cwnd and cwnd before the reduction, like tcp_reno_undo_cwnd()
 * @sk: the socket, locked
 *
 * Context: softirq, timer or process, socket locked.
 * Return: the window to go on with.
 */
u32 xtcp_reno_undo_cwnd(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return max(xs->snd_cwnd, xs->prior_cwnd);
}
EXPORT_SYMBOL_GPL(xtcp_reno_undo_cwnd);

struct xtcp_cong_ops xtcp_reno = {
	.name		= "reno",
	.owner		= NULL,		/* part of xtcp.ko, which each socket holds anyway */
	.flags		= XTCP_CONG_NON_RESTRICTED,
	.ssthresh	= xtcp_reno_ssthresh,
	.cong_avoid	= xtcp_reno_cong_avoid,
	.undo_cwnd	= xtcp_reno_undo_cwnd,
};
EXPORT_SYMBOL_IF_KUNIT(xtcp_reno);

/**
 * xtcp_cong_init - a connection's congestion state at the start of data transfer
 * @sk: the socket, locked
 *
 * Initial window of RFC 6928 (10 segments), ssthresh "infinite" (RFC 5681 3.1); then
 * the algorithm's init().
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_cong_init(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_cwnd = XTCP_INIT_CWND;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	xs->snd_cwnd_cnt = 0;
	xs->ca_state = XTCP_CA_OPEN;
	xtcp_init_congestion_control(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cong_init);

/*
 * A reduction of cwnd begins (tcp_init_undo() with tcp_init_cwnd_reduction()'s part):
 * remember the window and threshold it replaces, and count from here the
 * retransmissions a D-SACK must show needless before it can be undone.
 */
static void xtcp_init_undo(struct xtcp_sock *xs)
{
	xs->prior_ssthresh = xtcp_current_ssthresh(xs);
	xs->prior_cwnd = xs->snd_cwnd;
	xs->undo_marker = xs->snd_una;
	xs->undo_retrans = xs->retrans_out ?: -1;	/* 0 would mean "undo now" */
	xs->undo_tsval = 0;
}

/**
 * xtcp_init_cwnd_reduction - a congestion signal reduces the window, like
 * tcp_init_cwnd_reduction() without PRR
 * @sk: the socket, locked
 *
 * ssthresh from the algorithm, cwnd down to it at once, the reduction's window of data
 * ending at high_seq (what was sent by now), a tail-loss probe's episode over (its
 * repair would reduce again); on an ECN connection the next new data says CWR.
 *
 * Context: softirq, process or timer, socket locked.
 */
void xtcp_init_cwnd_reduction(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->snd_ssthresh = xs->ca_ops->ssthresh(sk);
	xs->snd_cwnd = xs->snd_ssthresh;
	xs->snd_cwnd_cnt = 0;
	xs->high_seq = xs->snd_nxt;
	xs->tlp_high_seq = 0;
	xtcp_ecn_queue_cwr(xs);
}

/**
 * xtcp_enter_recovery - duplicate ACKs (or SACKs) say a segment was lost: fast
 * retransmit and fast recovery (RFC 5681 3.2, RFC 6582, RFC 6675)
 * @sk: the socket, locked
 *
 * ssthresh from the algorithm; cwnd drops to it at once (the "pipe" accounting of
 * xtcp_packets_in_flight() lets new segments out as duplicate ACKs arrive, which is
 * what NewReno's window inflation does).  Recovery lasts until @high_seq is ACKed.
 * What the window and threshold were is kept, in case the loss turns out not to have
 * been one (xtcp_init_undo()).  In the CWR state the window was reduced already for
 * this window of data: it is not reduced again, nor undone, and recovery ends where
 * CWR would have (tcp_enter_recovery() when tcp_in_cwnd_reduction()).
 * The caller marks what is lost; xtcp_write_xmit() retransmits it.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_enter_recovery(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ca_state == XTCP_CA_CWR) {
		xs->undo_marker = 0;
	} else {
		xtcp_init_undo(xs);
		xtcp_init_cwnd_reduction(sk);
	}
	xtcp_set_ca_state(sk, XTCP_CA_RECOVERY);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTRETRANS);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_enter_recovery);

/**
 * xtcp_enter_cwr - an ACK echoed a congestion mark (ECE) and nothing is lost: reduce
 * the window as for one loss, like tcp_enter_cwr() (RFC 3168 6.1.2)
 * @sk: the socket, locked, in the Open state
 *
 * ssthresh from the algorithm, cwnd down to it at once (as xtcp_enter_recovery()), the
 * next new data carries CWR; until @high_seq (what was sent by now) is ACKed, further
 * echoes do nothing and cwnd does not grow: one reduction per window of data.  Nothing
 * was lost, so there is nothing to undo.
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_enter_cwr(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->undo_marker = 0;
	xs->prior_ssthresh = 0;
	xtcp_init_cwnd_reduction(sk);
	xtcp_set_ca_state(sk, XTCP_CA_CWR);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_enter_cwr);

/**
 * xtcp_enter_loss - the retransmission timer expired (RFC 5681 3.1, RFC 6298 5.5)
 * @sk: the socket, locked
 *
 * ssthresh from the algorithm, which hears of the loss (CA_EVENT_LOSS) - unless the loss
 * it answers was already answered (a timeout during recovery, or repeating one), as
 * tcp_enter_loss() decides - cwnd one
 * segment, and every segment in flight not SACKed is taken for lost, as
 * tcp_timeout_mark_lost() does: what was SACKed is not sent again.  Unless the first
 * one is SACKed: the receiver then dropped what it SACKed (reneging, RFC 2018 8), and
 * every segment is taken for lost.  A timeout is never undone: xtcp has no spurious
 * timeout detection (F-RTO, Linux's tcp_try_undo_loss()).
 *
 * Context: timer, socket locked.
 */
void xtcp_enter_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);
	bool reneg = skb && (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED);

	if (xs->ca_state == XTCP_CA_OPEN || !xtcp_after(xs->high_seq, xs->snd_una) ||
	    (xs->ca_state == XTCP_CA_LOSS && !xs->backoff)) {
		xs->snd_ssthresh = xs->ca_ops->ssthresh(sk);
		xtcp_ca_event(sk, CA_EVENT_LOSS);
	}
	xs->undo_marker = 0;	/* a timeout is not undone (no F-RTO, RFC 5682) */
	xtcp_ecn_queue_cwr(xs);
	xs->snd_cwnd = 1;
	xs->snd_cwnd_cnt = 0;
	xs->high_seq = xs->snd_nxt;
	xs->tlp_high_seq = 0;	/* the RTO ends a probe's episode */
	xtcp_set_ca_state(sk, XTCP_CA_LOSS);
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
