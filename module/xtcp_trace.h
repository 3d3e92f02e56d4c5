/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp tracepoints, named like the kernel's tcp ones: xtcp:xtcp_set_state (the old
 * tcp:tcp_set_state), xtcp:xtcp_retransmit_syn and xtcp:xtcp_retransmit_synack (like
 * tcp:tcp_retransmit_skb for a SYN and tcp:tcp_retransmit_synack), with the IPv4 and
 * IPv6 addresses as TCP's (an IPv4 socket's v4-mapped in the latter).  The generic
 * sock:inet_sock_set_state fires too, with protocol 253.
 *
 *   echo 1 > /sys/kernel/tracing/events/xtcp/enable; cat /sys/kernel/tracing/trace_pipe
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>
#include <net/sock.h>
#include "xtcp.h"

#define xtcp_show_state(state) __print_symbolic(state,			\
	{ TCP_ESTABLISHED, "ESTABLISHED" }, { TCP_SYN_SENT, "SYN_SENT" },	\
	{ TCP_SYN_RECV, "SYN_RECV" }, { TCP_FIN_WAIT1, "FIN_WAIT1" },		\
	{ TCP_FIN_WAIT2, "FIN_WAIT2" }, { TCP_TIME_WAIT, "TIME_WAIT" },		\
	{ TCP_CLOSE, "CLOSE" }, { TCP_CLOSE_WAIT, "CLOSE_WAIT" },		\
	{ TCP_LAST_ACK, "LAST_ACK" }, { TCP_LISTEN, "LISTEN" },		\
	{ TCP_CLOSING, "CLOSING" }, { TCP_NEW_SYN_RECV, "NEW_SYN_RECV" })

TRACE_EVENT(xtcp_set_state,
	    TP_PROTO(const struct sock *sk, int oldstate, int newstate),
	    TP_ARGS(sk, oldstate, newstate),
	    TP_STRUCT__entry(__field(const void *, skaddr)
			     __field(int, oldstate)
			     __field(int, newstate)
			     __field(__u16, sport)
			     __field(__u16, dport)
			     __array(__u8, saddr, 4)
			     __array(__u8, daddr, 4)
			     __array(__u8, saddr_v6, 16)
			     __array(__u8, daddr_v6, 16)),
	    TP_fast_assign(__entry->skaddr = sk;
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate;
			   __entry->sport = sk->sk_num;
			   __entry->dport = ntohs(sk->sk_dport);
			   memcpy(__entry->saddr, &sk->sk_rcv_saddr, 4);
			   memcpy(__entry->daddr, &sk->sk_daddr, 4);
			   xtcp_skc_addrs6(&sk->__sk_common, __entry->saddr_v6,
					   __entry->daddr_v6)),
	    TP_printk("skaddr=%p sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 saddrv6=%pI6c daddrv6=%pI6c oldstate=%s newstate=%s",
		      __entry->skaddr, __entry->sport, __entry->dport, __entry->saddr,
		      __entry->daddr, __entry->saddr_v6, __entry->daddr_v6,
		      xtcp_show_state(__entry->oldstate),
		      xtcp_show_state(__entry->newstate))
);

/*
 * A SYN, a SYN-ACK or (after a retransmission timeout) the oldest data segment re-sent:
 * @skc is the socket (SYN) or the request minisocket
 * (SYN-ACK); both begin with the struct sock_common that holds the 4-tuple.
 */
DECLARE_EVENT_CLASS(xtcp_retransmit_class,
		    TP_PROTO(const struct sock_common *skc, unsigned int retransmits),
		    TP_ARGS(skc, retransmits),
		    TP_STRUCT__entry(__field(const void *, skaddr)
				     __field(__u16, sport)
				     __field(__u16, dport)
				     __array(__u8, saddr, 4)
				     __array(__u8, daddr, 4)
				     __array(__u8, saddr_v6, 16)
				     __array(__u8, daddr_v6, 16)
				     __field(unsigned int, retransmits)),
		    TP_fast_assign(__entry->skaddr = skc;
				   __entry->sport = skc->skc_num;
				   __entry->dport = ntohs(skc->skc_dport);
				   memcpy(__entry->saddr, &skc->skc_rcv_saddr, 4);
				   memcpy(__entry->daddr, &skc->skc_daddr, 4);
				   xtcp_skc_addrs6(skc, __entry->saddr_v6, __entry->daddr_v6);
				   __entry->retransmits = retransmits),
		    TP_printk("skaddr=%p sport=%hu dport=%hu saddr=%pI4 daddr=%pI4 saddrv6=%pI6c daddrv6=%pI6c retransmits=%u",
			      __entry->skaddr, __entry->sport, __entry->dport, __entry->saddr,
			      __entry->daddr, __entry->saddr_v6, __entry->daddr_v6,
			      __entry->retransmits)
);

DEFINE_EVENT(xtcp_retransmit_class, xtcp_retransmit_syn,
	     TP_PROTO(const struct sock_common *skc, unsigned int retransmits),
	     TP_ARGS(skc, retransmits)
);

DEFINE_EVENT(xtcp_retransmit_class, xtcp_retransmit_synack,
	     TP_PROTO(const struct sock_common *skc, unsigned int retransmits),
	     TP_ARGS(skc, retransmits)
);

DEFINE_EVENT(xtcp_retransmit_class, xtcp_retransmit_timeout,
	     TP_PROTO(const struct sock_common *skc, unsigned int retransmits),
	     TP_ARGS(skc, retransmits)
);

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE xtcp_trace
#include <trace/define_trace.h>
