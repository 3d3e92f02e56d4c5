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
 * Every entry point here runs in process context, from a system call on the socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/poll.h>
#include <linux/tcp.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <kunit/visibility.h>
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
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_done(struct sock *sk)
{
	xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
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
	INIT_HLIST_HEAD(&xs->syn_queue);
	xtcp_init_xmit_timers(sk);
	xs->rto = XTCP_TIMEOUT_INIT;
	xs->mss_cache = XTCP_MSS_DEFAULT;
	/* lookups run under RCU: free the memory only after a grace period */
	sock_set_flag(sk, SOCK_RCU_FREE);
	return 0;
}

/* connect(AF_UNSPEC): drop the connection (RST if it was up), like tcp_disconnect(). */
static int xtcp_disconnect(struct sock *sk, int flags)
{
	struct inet_sock *inet = inet_sk(sk);
	int old_state = sk->sk_state;

	if (old_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_listen_stop(sk);
	} else if ((1 << old_state) & (TCPF_ESTABLISHED | TCPF_SYN_RECV | TCPF_CLOSE_WAIT)) {
		xtcp_send_active_reset(sk);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	if (old_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	inet->inet_dport = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sk_dst_reset(sk);
	sk_error_report(sk);
	return 0;
}

/*
 * The byte stream comes with later work: on a connection, send and receive answer
 * EOPNOTSUPP.  Without one they answer as tcp_sendmsg() and tcp_recvmsg() do: a send
 * fails with EPIPE (and SIGPIPE unless MSG_NOSIGNAL), a receive with a pending error
 * (ECONNRESET after a reset, once) or ENOTCONN.
 */
static bool xtcp_connected(const struct sock *sk)
{
	return (1 << inet_sk_state_load(sk)) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT);
}

static int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	if (xtcp_connected(sk))
		return -EOPNOTSUPP;
	return sk_stream_error(sk, msg->msg_flags, -EPIPE);
}

static int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
			int *addr_len)
{
	if (xtcp_connected(sk))
		return -EOPNOTSUPP;
	return sock_error(sk) ?: -ENOTCONN;
}

/*
 * Socket options: IP-level ones are generic (ip_setsockopt); SOL_SOCKET never reaches a
 * protocol.  TCP-level options are not implemented yet: ENOPROTOOPT, as TCP answers an
 * option it does not know.
 */
static int xtcp_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
			   unsigned int optlen)
{
	if (level != SOL_TCP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	return -ENOPROTOOPT;
}

static int xtcp_getsockopt(struct sock *sk, int level, int optname, char __user *optval,
			   int __user *optlen)
{
	if (level != SOL_TCP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	return -ENOPROTOOPT;
}

/*
 * Final close, from inet_release(), like tcp_close().  Until connection teardown (FIN,
 * TIME_WAIT) exists, a connection is aborted with a RST; a listener drops its requests
 * and un-accepted children first.
 */
static void xtcp_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		xtcp_set_state(sk, TCP_CLOSE);
		xtcp_listen_stop(sk);
	} else if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_RECV | TCPF_CLOSE_WAIT)) {
		xtcp_send_active_reset(sk);
	}
	if (sk->sk_state != TCP_CLOSE)
		xtcp_set_state(sk, TCP_CLOSE);
	xtcp_clear_xmit_timers(sk);
	xtcp_put_port(sk);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

/*
 * xtcp_poll - the poll/epoll mask, like tcp_poll(): a listener is readable when a
 * connection waits in its accept queue; a connecting socket reports nothing until the
 * handshake ends; EPOLLHUP when closed or fully shut down, EPOLLIN|EPOLLRDHUP once
 * receiving is shut down, EPOLLOUT otherwise (no send buffer is accounted yet), and
 * EPOLLERR on a pending error (a refused non-blocking connect).
 */
static __poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait)
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
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (READ_ONCE(sk->sk_err) || !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.close		= xtcp_close,
	.connect	= xtcp_v4_connect,
	.disconnect	= xtcp_disconnect,
	.accept		= xtcp_accept,
	.init		= xtcp_init_sock,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.backlog_rcv	= xtcp_v4_do_rcv,
	.hash		= xtcp_hash,
	.unhash		= xtcp_unhash,
	.get_port	= xtcp_get_port,
	.put_port	= xtcp_put_port,
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
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
};
