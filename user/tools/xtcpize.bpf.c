// SPDX-License-Identifier: GPL-2.0
/*
 * xtcpize's BPF mode (kernels from 6.6): an fmod_ret program on update_socket_protocol(),
 * the hook net/socket.c's __sys_socket() calls for the protocol socket() is to create
 * (MPTCP's mptcpify selftest uses it the same way).  For a task in the target cgroup
 * (or below it) an AF_INET or AF_INET6 SOCK_STREAM socket asked for with protocol 0 or
 * IPPROTO_TCP
 * gets protocol xtcp_proto instead, whatever made the system call: a libc, a static
 * binary, Go's runtime.
 *
 * The loader (xtcpize.c) sets xtcp_proto and puts the cgroup's directory in slot 0 of
 * the cgroup array.  Anything else returns 0: with fmod_ret, 0 lets the next program on
 * the hook and then the kernel's own function run (which returns the protocol asked
 * for), so that several xtcpize instances, each with its own cgroup, and another user
 * of the hook do not stand in each other's way; a non-zero value ends the call with it.
 */
#include <linux/bpf.h>
#include <linux/xtcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define AF_INET		2
#define AF_INET6	10
#define SOCK_STREAM	1
#define SOCK_TYPE_MASK	0xf
#define IPPROTO_TCP	6

char LICENSE[] SEC("license") = "GPL";

const volatile int xtcp_proto = IPPROTO_XTCP;
__u64 moved;		/* sockets given xtcp_proto, for xtcpize -v */

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

SEC("fmod_ret/update_socket_protocol")
int BPF_PROG(xtcpize, int family, int type, int protocol)
{
	if (!xtcp_proto || (family != AF_INET && family != AF_INET6) || (type & SOCK_TYPE_MASK) != SOCK_STREAM ||
	    (protocol && protocol != IPPROTO_TCP) ||
	    bpf_current_task_under_cgroup(&target, 0) != 1)
		return 0;
	__sync_fetch_and_add(&moved, 1);
	return xtcp_proto;
}
