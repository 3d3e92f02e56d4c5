// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_socket: open an xtcp socket and say what happened.
 *   xtcp_socket [PROTOCOL]     (default 253)
 * Exits 0 if socket(AF_INET, SOCK_STREAM, PROTOCOL) worked, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/xtcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int protocol = argc > 1 ? atoi(argv[1]) : IPPROTO_XTCP;
	int fd = socket(AF_INET, SOCK_STREAM, protocol), got = 0;
	socklen_t len = sizeof(got);

	if (fd < 0) {
		printf("socket(AF_INET, SOCK_STREAM, %d) failed: %s (%s)\n", protocol,
		       strerrorname_np(errno), strerror(errno));
		return 1;
	}
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &got, &len);
	printf("socket(AF_INET, SOCK_STREAM, %d) = fd %d, a stream socket on IP protocol %d\n",
	       protocol, fd, got);
	close(fd);
	return 0;
}
