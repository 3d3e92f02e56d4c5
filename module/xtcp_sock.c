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
#include "xtcp.h"

/*
 * Calls that later work (the handshake, the byte stream) will implement answer as Linux
 * answers an operation a protocol does not support: EOPNOTSUPP.
 */
static int xtcp_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	return -EOPNOTSUPP;
}

static int xtcp_bind(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	return -EOPNOTSUPP;
}

static int xtcp_listen(struct socket *sock, int backlog)
{
	return -EOPNOTSUPP;
}

/* connect(AF_UNSPEC) on a socket that never connected: nothing to undo, as in TCP. */
static int xtcp_disconnect(struct sock *sk, int flags)
{
	return 0;
}

/* Like inet_csk_accept(): only a listener has connections to hand out. */
static struct sock *xtcp_accept(struct sock *sk, struct proto_accept_arg *arg)
{
	arg->err = -EINVAL;
	return NULL;
}

/*
 * Like tcp_sendmsg() and tcp_recvmsg() on a socket that is not connected: a send fails
 * with EPIPE (and SIGPIPE unless MSG_NOSIGNAL), a receive with ENOTCONN.
 */
static int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	return sk_stream_error(sk, msg->msg_flags, -EPIPE);
}

static int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
			int *addr_len)
{
	return -ENOTCONN;
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

/* Final close, from inet_release(): the socket is not in any table yet. */
static void xtcp_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	inet_sk_set_state(sk, TCP_CLOSE);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

/*
 * xtcp_poll - the poll/epoll mask, computed as tcp_poll() does for the states xtcp
 * reaches so far: EPOLLHUP when closed or fully shut down, EPOLLIN|EPOLLRDHUP once
 * receiving is shut down, and EPOLLOUT (no send buffer is accounted yet).
 */
static __poll_t xtcp_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	u8 shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || inet_sk_state_load(sk) == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
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
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.bind		= xtcp_bind,
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
