// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: listening and accepting, like net/ipv4/inet_connection_sock.c (inet_csk_accept,
 * inet_csk_listen_start, inet_csk_listen_stop) and inet_listen() in af_inet.c.
 *
 * A listener's accept queue is a singly linked list of children (xtcp_sock.accept_next)
 * protected by the listener's queue_lock, not its socket lock: the ACK that completes a
 * handshake appends its child in softirq even while accept() holds the socket lock
 * (xtcp_check_req()), and accept() takes from it under both.
 */
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <net/inet_common.h>
#include "xtcp.h"

/*
 * A child nobody will accept, locked: orphan it, abort it (RST) and let it go, like
 * inet_child_forget().  Its connection may have moved on (the peer's FIN: CLOSE_WAIT).
 */
static void __xtcp_child_forget(struct sock *child)
{
	sock_hold(child);	/* dropped by xtcp_destroy_sock() */
	sock_orphan(child);
	xtcp_orphan_add();
	if ((1 << child->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_RECV | TCPF_CLOSE_WAIT))
		xtcp_send_active_reset(child);
	if (child->sk_state == TCP_CLOSE)
		xtcp_destroy_sock(child);
	else
		xtcp_done(child);
	sock_put(child);	/* the accept queue's reference */
}

/**
 * xtcp_reqsk_queue_add - put a new child at the tail of the accept queue, like
 * inet_csk_reqsk_queue_add()
 * @listener: the listener (not locked)
 * @child: the child, locked; the queue takes over one of its references
 *
 * A listener that stopped listening meanwhile (close() drains the queue after the
 * state changes, under the same lock) takes no child: it is forgotten.
 *
 * Context: softirq or process (backlog).
 * Return: @child, or NULL if it was forgotten (unlocked, the caller's reference gone).
 */
struct sock *xtcp_reqsk_queue_add(struct sock *listener, struct sock *child)
{
	struct xtcp_sock *xl = xtcp_sk(listener);

	spin_lock_bh(&xl->queue_lock);
	if (unlikely(READ_ONCE(listener->sk_state) != TCP_LISTEN)) {
		spin_unlock_bh(&xl->queue_lock);
		__xtcp_child_forget(child);
		__acquire(&child->sk_lock.slock);	/* for sparse: the caller locked it */
		bh_unlock_sock(child);
		sock_put(child);
		return NULL;
	}
	xtcp_sk(child)->accept_next = NULL;
	if (xl->accept_tail)
		xtcp_sk(xl->accept_tail)->accept_next = child;
	else
		WRITE_ONCE(xl->accept_head, child);
	xl->accept_tail = child;
	sk_acceptq_added(listener);
	spin_unlock_bh(&xl->queue_lock);
	return child;
}

static struct sock *xtcp_accept_dequeue(struct sock *listener)
{
	struct xtcp_sock *xl = xtcp_sk(listener);
	struct sock *child;

	spin_lock_bh(&xl->queue_lock);
	child = xl->accept_head;
	if (child) {
		WRITE_ONCE(xl->accept_head, xtcp_sk(child)->accept_next);
		if (!xl->accept_head)
			xl->accept_tail = NULL;
		xtcp_sk(child)->accept_next = NULL;
		sk_acceptq_removed(listener);
	}
	spin_unlock_bh(&xl->queue_lock);
	return child;
}

static int xtcp_listen_start(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int err;

	/* nothing can reach the queues before the listener is hashed below */
	xs->accept_head = NULL;
	xs->accept_tail = NULL;
	INIT_HLIST_HEAD(&xs->syn_queue);
	xs->syn_qlen = 0;
	WRITE_ONCE(sk->sk_ack_backlog, 0);

	/* the state first: the port check below treats a listener more strictly */
	inet_sk_set_state(sk, TCP_LISTEN);
	err = -EADDRINUSE;
	if (!sk->sk_prot->get_port(sk, inet->inet_num)) {
		inet->inet_sport = htons(inet->inet_num);
		sk_dst_reset(sk);
		err = sk->sk_prot->hash(sk);
		if (!err)
			return 0;
	}
	inet_sk_set_state(sk, TCP_CLOSE);
	return err;
}

/**
 * xtcp_listen - listen(2), like inet_listen() + inet_csk_listen_start()
 * @sock: the socket
 * @backlog: accept queue length (already capped at net.core.somaxconn)
 *
 * An unbound socket gets an ephemeral port; calling listen() again on a listener
 * only changes its backlog.
 *
 * Context: process.
 * Return: 0, -EINVAL if the socket is connected or connecting, -EADDRINUSE if another
 * socket listens on the same port and address.
 */
int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	err = 0;
	if (sk->sk_state != TCP_LISTEN)
		err = xtcp_listen_start(sk);
out:
	release_sock(sk);
	return err;
}

/* Like inet_csk_wait_for_connect(): sleep until a child is queued. */
static int xtcp_wait_for_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT(wait);
	int err;

	for (;;) {
		prepare_to_wait_exclusive(sk_sleep(sk), &wait, TASK_INTERRUPTIBLE);
		release_sock(sk);
		if (!READ_ONCE(xtcp_sk(sk)->accept_head))
			timeo = schedule_timeout(timeo);
		/*
		 * A child queued in softirq since the check above leaves us here still
		 * TASK_INTERRUPTIBLE: lock_sock() may sleep, which is fine, as
		 * inet_csk_wait_for_connect() tells the debug check.
		 */
		sched_annotate_sleep();
		lock_sock(sk);
		err = 0;
		if (READ_ONCE(xtcp_sk(sk)->accept_head))
			break;
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!timeo)
			break;
	}
	finish_wait(sk_sleep(sk), &wait);
	return err;
}

/**
 * xtcp_accept - the next established connection of a listener, like inet_csk_accept()
 * @sk: the listener
 * @arg: flags (O_NONBLOCK) in, errno out
 *
 * Blocks until a connection is ready, for at most SO_RCVTIMEO; EAGAIN when non-blocking
 * or timed out, EINTR/ERESTARTSYS on a signal, EINVAL if @sk does not listen (or stops
 * listening while we wait).
 *
 * Context: process.
 * Return: the child socket, or NULL with @arg->err set.
 */
struct sock *xtcp_accept(struct sock *sk, struct proto_accept_arg *arg)
{
	struct sock *newsk = NULL;
	int error;

	lock_sock(sk);
	error = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;
	if (!READ_ONCE(xtcp_sk(sk)->accept_head)) {
		long timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);

		error = -EAGAIN;
		if (!timeo)
			goto out;
		error = xtcp_wait_for_connect(sk, timeo);
		if (error)
			goto out;
	}
	newsk = xtcp_accept_dequeue(sk);
	error = 0;
out:
	release_sock(sk);
	arg->err = error;
	return newsk;
}

/* __xtcp_child_forget() for a child taken from the accept queue, not locked. */
static void xtcp_child_forget(struct sock *child)
{
	local_bh_disable();
	bh_lock_sock(child);
	sock_hold(child);	/* alive until unlocked: the queue's reference goes inside */
	__xtcp_child_forget(child);
	bh_unlock_sock(child);
	local_bh_enable();
	sock_put(child);
}

/**
 * xtcp_listen_stop - a listener closes: drop its requests and un-accepted children,
 * like inet_csk_listen_stop()
 * @sk: the listener, locked, already out of the listening hash and no longer in
 *	TCP_LISTEN, so that no ACK completing a handshake adds a child after this
 *
 * Context: process, socket locked.
 */
void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_request_sock *req;
	struct sock *child;

	for (;;) {
		spin_lock_bh(&xs->queue_lock);
		req = hlist_entry_safe(xs->syn_queue.first, struct xtcp_request_sock, syn_node);
		if (req)
			refcount_inc(&req->common.skc_refcnt);
		spin_unlock_bh(&xs->queue_lock);
		if (!req)
			break;
		xtcp_reqsk_queue_drop(sk, req);
		xtcp_reqsk_put(req);
	}
	while ((child = xtcp_accept_dequeue(sk)))
		xtcp_child_forget(child);
}
