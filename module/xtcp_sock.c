// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the socket calls - struct proto (the protocol's half, like tcp_prot in
 * net/ipv4/tcp_ipv4.c) and struct proto_ops (the BSD socket half, like inet_stream_ops
 * in net/ipv4/af_inet.c).
 *
 * The generic inet_* socket calls are reused where they are protocol-neutral: they rely
 * on TCP's state numbers (include/net/tcp_states.h), which xtcp uses too.  listen and
 * poll are our own, because inet_listen() and tcp_poll() are TCP-specific.
 *
 * The data path (sendmsg, recvmsg, ioctl) is in xtcp_stream.c, socket options in
 * xtcp_sockopt.c.  Every entry point here runs in process context, from a system call
 * on the socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/poll.h>
#include <linux/tcp.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include "xtcp.h"
#include "xtcp_trace.h"

/**
 * xtcp_set_state - move @sk to @state, like tcp_set_state()
 * @sk: the socket, locked
 * @state: the new TCP state
 *
 * Leaving for CLOSE takes the socket out of the tables and releases its port unless
 * bind() fixed it; a connection attempt that ends there counts in AttemptFails.  The
 * xtcp:xtcp_set_state and the generic sock:inet_sock_set_state tracepoints fire.
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_set_state(struct sock *sk, int state)
{
	int oldstate = sk->sk_state;

	if (state == TCP_CLOSE) {
		if ((1 << oldstate) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
		sk->sk_prot->unhash(sk);
		if (xtcp_sk(sk)->bind_bucket && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xtcp_put_port(sk);
	}
	trace_xtcp_set_state(sk, oldstate, state);
	inet_sk_set_state(sk, state);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_state);

/**
 * xtcp_done - the connection is over: close and wake whoever waits, like tcp_done()
 * @sk: the socket, locked
 *
 * What was queued for sending is dropped; what was received stays readable.  An
 * orphan (closed by its user) is destroyed.
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_done(struct sock *sk)
{
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		xtcp_destroy_sock(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_done);

/*
 * Orphans: sockets their user closed that still finish their connection (FIN_WAIT1,
 * FIN_WAIT2, CLOSING, LAST_ACK), machine-wide, like tcp_orphan_count; bounded by
 * net.xtcp.max_orphans (like tcp_max_orphans).  An atomic: no lock.
 */
static atomic_t xtcp_orphan_count = ATOMIC_INIT(0);
int xtcp_sysctl_max_orphans = 8192;

/**
 * xtcp_orphan_add - count a socket that was just orphaned
 *
 * Context: any.
 */
void xtcp_orphan_add(void)
{
	atomic_inc(&xtcp_orphan_count);
}

/**
 * xtcp_orphans - how many orphans there are now, machine-wide
 *
 * Context: any.
 * Return: the count.
 */
int xtcp_orphans(void)
{
	return atomic_read(&xtcp_orphan_count);
}

/**
 * xtcp_too_many_orphans - are there more orphans than net.xtcp.max_orphans allows?
 *
 * Context: any.
 * Return: true if so.
 */
bool xtcp_too_many_orphans(void)
{
	return atomic_read(&xtcp_orphan_count) > READ_ONCE(xtcp_sysctl_max_orphans);
}

/**
 * xtcp_destroy_sock - an orphan reached CLOSE: free what it holds, like
 * inet_csk_destroy_sock()
 * @sk: the socket, locked, dead and closed; the reference close() left on it for
 *	this is dropped here
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_destroy_sock(struct sock *sk)
{
	WARN_ON_ONCE(sk->sk_state != TCP_CLOSE || !sock_flag(sk, SOCK_DEAD));
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	sk_mem_reclaim(sk);
	xtcp_put_port(sk);
	atomic_dec(&xtcp_orphan_count);
	sock_put(sk);
}

/*
 * ACKs freed send-buffer space: wake writers and pollers, like sk_stream_write_space()
 * (which the kernel does not export).  Softirq, timer or process context.
 */
static void xtcp_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock || !__sk_stream_is_writeable(sk, 1))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/* The last reference is gone (after an RCU grace period): count it out, free its memory. */
static void xtcp_sock_destruct(struct sock *sk)
{
	xtcp_cleanup_congestion_control(sk);
	sk_sockets_allocated_dec(sk);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		inet6_sock_destruct(sk);	/* its IPv6 state, then inet_sock_destruct() */
		return;
	}
#endif
	inet_sock_destruct(sk);
}

/**
 * xtcp_init_sock - a new socket from socket(), like tcp_init_sock()
 * @sk: the socket
 *
 * Context: process.
 * Return: 0.
 */
int xtcp_init_sock(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	INIT_HLIST_NODE(&xs->listen_node);
	spin_lock_init(&xs->queue_lock);
	INIT_HLIST_HEAD(&xs->syn_queue);
	xs->rtx_queue = RB_ROOT;
	INIT_LIST_HEAD(&xs->tsorted_sent_queue);
	skb_queue_head_init(&xs->out_of_order_queue);
	xtcp_init_xmit_timers(sk);
	xs->af_ops = &xtcp_ipv4_af_ops;		/* xtcp_v6_init_sock() changes it */
	xs->rto = XTCP_TIMEOUT_INIT;
	xs->mss_cache = XTCP_MSS_DEFAULT;
	xtcp_assign_congestion_control(sk);
	xs->scaling_ratio = 128;	/* half, until received segments tell */
	xs->snd_cwnd = XTCP_INIT_CWND;
	xs->snd_ssthresh = XTCP_INFINITE_SSTHRESH;
	sk->sk_write_space = xtcp_write_space;
	sk->sk_destruct = xtcp_sock_destruct;
	sk_sockets_allocated_inc(sk);
	/* super-segments of our own type (xtcp_offload.c): sk_setup_caps() sees the route */
	sk->sk_gso_type = SKB_GSO_SCTP;
	/* buffer sizes as tcp_init_sock() takes them from net.ipv4.tcp_wmem/rmem */
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(xtcp_sysctl_wmem[1]));
	WRITE_ONCE(sk->sk_rcvbuf, READ_ONCE(xtcp_sysctl_rmem[1]));
	/* lookups run under RCU: free the memory only after a grace period */
	sock_set_flag(sk, SOCK_RCU_FREE);
	return 0;
}

/**
 * xtcp_reset_conn_state - what one connection learnt, forgotten: RTT, RTO, backoff and
 * the statistics, for a socket that starts a new connection
 * @xs: the socket (locked) or a child being set up
 *
 * Context: any.
 */
void xtcp_reset_conn_state(struct xtcp_sock *xs)
{
	xs->srtt_us = 0;
	xs->rttvar_us = 0;
	xs->rto = XTCP_TIMEOUT_INIT;
	xs->backoff = 0;
	xs->retransmits = 0;
	xs->dup_acks = 0;
	xs->probes_out = 0;
	xs->total_retrans = 0;
	xs->bytes_acked = 0;
	xs->bytes_received = 0;
	xs->segs_in = 0;
	xs->segs_out = 0;
	xs->data_segs_out = 0;
	xs->dsack_dups = 0;
	xs->undo_marker = 0;
	xs->prior_ssthresh = 0;
	xs->wstamp_ns = 0;
	xs->rcv_dropped = 0;
	xs->ack_nomem = 0;
	xs->quick_acks = 0;
}

/* Does a connection in @state still reach the peer, so that aborting it needs a RST? */
static bool xtcp_need_reset(const struct sock *sk, int state)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return ((1 << state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT | TCPF_FIN_WAIT1 |
				TCPF_FIN_WAIT2 | TCPF_SYN_RECV)) ||
	       (xs->snd_nxt != xs->write_seq && (1 << state) & (TCPF_CLOSING | TCPF_LAST_ACK));
}

/*
 * connect(AF_UNSPEC), and close() with SO_LINGER 0: drop the connection (RST if it
 * was up), like tcp_disconnect().  Process context, socket locked.
 */
static int xtcp_disconnect(struct sock *sk, int flags)
{
	struct inet_sock *inet = inet_sk(sk);
	int old_state = sk->sk_state;

	if (old_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_listen_stop(sk);
	} else if (xtcp_need_reset(sk, old_state)) {
		xtcp_send_active_reset(sk);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	if (old_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	xtcp_purge_queues(sk);
	__skb_queue_purge(&sk->sk_receive_queue);
	sk_mem_reclaim(sk);
	xtcp_reset_conn_state(xtcp_sk(sk));	/* as after tcp_disconnect() */
	inet->inet_dport = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	sk_dst_reset(sk);
	sk_error_report(sk);
	return 0;
}

/*
 * With SO_LINGER, close() waits up to @timeout for our FIN to be ACKed, a signal or an
 * error, like sk_stream_wait_close() (which 7.2 no longer exports).  Process context,
 * socket locked (sk_wait_event() releases it while sleeping).
 */
static void xtcp_wait_close(struct sock *sk, long timeout)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	if (!timeout)
		return;
	add_wait_queue(sk_sleep(sk), &wait);
	do {
		if (sk_wait_event(sk, &timeout,
				  !((1 << READ_ONCE(sk->sk_state)) &
				    (TCPF_FIN_WAIT1 | TCPF_CLOSING | TCPF_LAST_ACK)), &wait))
			break;
	} while (!signal_pending(current) && timeout);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/*
 * Final close, from inet_release() (process context), like tcp_close():
 * - a listener drops its requests and resets its un-accepted children;
 * - unread data: the connection is aborted with a RST (RFC 2525 2.17: data was lost);
 * - SO_LINGER with a zero timeout: aborted with a RST;
 * - otherwise a FIN follows the queued data (FIN_WAIT1 or LAST_ACK), and with SO_LINGER
 *   close() waits up to its timeout for the FIN to be ACKed.
 * Then the socket is orphaned: it lives on, owned by no file, until its connection is
 * over (FIN_WAIT2 for at most net.xtcp.fin_timeout), unless there are too many orphans
 * (net.xtcp.max_orphans): then it is reset at once.
 */
static void xtcp_close(struct sock *sk, long timeout)
{
	bool unread;
	int state;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_listen_stop(sk);
		goto adjudge_to_death;
	}
	unread = xtcp_inq(sk) > 0;
	__skb_queue_purge(&sk->sk_receive_queue);
	sk_mem_reclaim(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto adjudge_to_death;	/* reset meanwhile */
	if (unread) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONCLOSE);
		xtcp_send_active_reset(sk);
		xtcp_set_state(sk, TCP_CLOSE);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONLINGER);
		xtcp_disconnect(sk, 0);
	} else if (sk->sk_state == TCP_SYN_RECV) {
		xtcp_send_active_reset(sk);	/* a simultaneous open not yet complete */
		xtcp_set_state(sk, TCP_CLOSE);
	} else if (xtcp_close_state(sk)) {
		xtcp_send_fin(sk);
	}
	xtcp_wait_close(sk, timeout);

adjudge_to_death:
	state = sk->sk_state;
	sock_hold(sk);		/* dropped by xtcp_destroy_sock() */
	sock_orphan(sk);
	xtcp_orphan_add();
	release_sock(sk);	/* the backlog may move the connection on */

	local_bh_disable();
	bh_lock_sock(sk);
	if (state != TCP_CLOSE && sk->sk_state == TCP_CLOSE)
		goto out;	/* the backlog or a deferred timer closed it: destroyed */
	if (sk->sk_state == TCP_FIN_WAIT2)
		xtcp_reset_keepalive_timer(sk, xtcp_fin_timeout(sk));
	if (sk->sk_state != TCP_CLOSE && xtcp_too_many_orphans()) {
		net_info_ratelimited("xtcp: too many orphaned sockets\n");
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONMEMORY);
		if (xtcp_need_reset(sk, sk->sk_state))
			xtcp_send_active_reset(sk);
		xtcp_set_state(sk, TCP_CLOSE);
	}
	if (sk->sk_state == TCP_CLOSE)
		xtcp_destroy_sock(sk);
out:
	bh_unlock_sock(sk);
	local_bh_enable();
	sock_put(sk);		/* the user's reference */
}

/*
 * shutdown(2) after inet_shutdown() set sk_shutdown, like tcp_shutdown(): SHUT_WR (or
 * SHUT_RDWR) sends a FIN after the queued data; the other direction stays open.
 * Process context, socket locked.
 */
static void xtcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return;
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT) && xtcp_close_state(sk))
		xtcp_send_fin(sk);
}

/**
 * xtcp_set_keepalive - SO_KEEPALIVE turned on or off (struct proto .keepalive), like
 * tcp_set_keepalive()
 * @sk: the socket, locked
 * @val: on or off
 *
 * Context: process, socket locked.
 */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val && !sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_reset_keepalive_timer(sk, xtcp_keepalive_time(xtcp_sk(sk)));
	else if (!val)
		xtcp_delete_keepalive_timer(sk);
}

/**
 * xtcp_poll - the poll/epoll mask, like tcp_poll()
 * @file: the socket's file
 * @sock: the socket
 * @wait: the poll table
 *
 * A listener is readable when a
 * connection waits in its accept queue; a connecting socket reports nothing until the
 * handshake ends.  EPOLLIN once SO_RCVLOWAT bytes can be read (or receiving is shut
 * down, with EPOLLRDHUP), EPOLLOUT while the send buffer has room (else the writer is
 * woken by sk_stream_write_space() when ACKs free some), EPOLLHUP when closed or fully
 * shut down, EPOLLERR on a pending error.
 *
 * Context: process.
 * Return: the mask.
 */
__poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);

	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(xtcp_sk(sk)->accept_head) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (xtcp_stream_readable(sk, sock_rcvlowat(sk, 0, INT_MAX)))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (shutdown & SEND_SHUTDOWN) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else if (__sk_stream_is_writeable(sk, 1)) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			/* an ACK may have freed space since: look again after the bit is set */
			smp_mb__after_atomic();
			if (__sk_stream_is_writeable(sk, 1))
				mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) || !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

/*
 * Memory accounting of all xtcp sockets together, like tcp_memory_allocated and
 * net.ipv4.tcp_mem: pages charged, the limits (net.xtcp.mem: no pressure below [0],
 * pressure above [1], hard limit [2]; set at module load from the machine's memory)
 * and the per-socket buffer defaults and maxima (net.xtcp.wmem, net.xtcp.rmem).
 */
static atomic_long_t xtcp_memory_allocated;
static struct percpu_counter xtcp_sockets_allocated;
static DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
static unsigned long xtcp_memory_pressure;
long xtcp_sysctl_mem[3];
EXPORT_SYMBOL_IF_KUNIT(xtcp_sysctl_mem);
int xtcp_sysctl_wmem[3] = { 4096, 16384, 4 * 1024 * 1024 };
EXPORT_SYMBOL_IF_KUNIT(xtcp_sysctl_wmem);
int xtcp_sysctl_rmem[3] = { 4096, 131072, 6 * 1024 * 1024 };
EXPORT_SYMBOL_IF_KUNIT(xtcp_sysctl_rmem);

/* Memory pressure starts (counted once), like tcp_enter_memory_pressure(). */
static void xtcp_enter_memory_pressure(struct sock *sk)
{
	if (!READ_ONCE(xtcp_memory_pressure) && !cmpxchg(&xtcp_memory_pressure, 0, 1))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_MEMORYPRESSURES);
}

static void xtcp_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xtcp_memory_pressure, 0);
}

/**
 * xtcp_init_mem - net.xtcp.mem from the machine's memory, as tcp_init_mem() does, and
 * the count of xtcp sockets that memory pressure decisions read
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int xtcp_init_mem(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;

	limit = max(limit, 128UL);
	xtcp_sysctl_mem[0] = limit / 4 * 3;
	xtcp_sysctl_mem[1] = limit;
	xtcp_sysctl_mem[2] = xtcp_sysctl_mem[0] * 2;
	return percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
}

/**
 * xtcp_exit_mem - undo xtcp_init_mem(), once every socket is gone
 *
 * Context: process, module exit (or a failed init).
 */
void xtcp_exit_mem(void)
{
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

/**
 * xtcp_sockets_count - xtcp sockets that exist now, machine-wide
 *
 * Context: any.
 * Return: the count.
 */
long xtcp_sockets_count(void)
{
	return percpu_counter_sum_positive(&xtcp_sockets_allocated);
}

/**
 * xtcp_memory_allocated_pages - pages all xtcp sockets hold now
 *
 * Each CPU keeps up to net.core.mem_pcpu_rsv pages charged or freed before it adds them
 * to the total, so the total alone can read below zero for a while (pages freed on
 * one CPU, charged on another): it is read as zero then, as proto_memory_allocated()
 * does for /proc/net/sockstat.
 *
 * Context: any.
 * Return: the count.
 */
long xtcp_memory_allocated_pages(void)
{
	return proto_memory_allocated(&xtcp_prot);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_memory_allocated_pages);

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.connect	= xtcp_v4_connect,
	.disconnect	= xtcp_disconnect,
	.shutdown	= xtcp_shutdown,
	.keepalive	= xtcp_set_keepalive,
	.accept		= xtcp_proto_accept,
	.init		= xtcp_init_sock,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_proto_recvmsg,
	.stream_memory_free	= xtcp_stream_memory_free,
	.backlog_rcv	= xtcp_do_rcv,
	.release_cb	= xtcp_release_cb,
	.hash		= xtcp_hash,
	.unhash		= xtcp_unhash,
	.get_port	= xtcp_get_port,
	.put_port	= xtcp_put_port,
	.ioctl		= xtcp_proto_ioctl,
	.enter_memory_pressure	= xtcp_enter_memory_pressure,
	.leave_memory_pressure	= xtcp_leave_memory_pressure,
	.memory_allocated	= &xtcp_memory_allocated,
	.per_cpu_fw_alloc	= &xtcp_memory_per_cpu_fw_alloc,
	.memory_pressure	= &xtcp_memory_pressure,
	.sockets_allocated	= &xtcp_sockets_allocated,
	.sysctl_mem	= xtcp_sysctl_mem,
	.sysctl_wmem	= xtcp_sysctl_wmem,
	.sysctl_rmem	= xtcp_sysctl_rmem,
	.max_header	= XTCP_MAX_HEADER,
	.obj_size	= sizeof(struct xtcp_sock),
	.no_autobind	= true,
};

const struct proto_ops xtcp_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
#ifdef XTCP_HAVE_SPLICE_EOF
	.splice_eof	= xtcp_splice_eof,
#endif
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
};
