// SPDX-License-Identifier: GPL-2.0
/*
 * static_client: a statically linked client and server for realprogs' checks of
 * xtcpize's modes.  Its sockets are socket(AF_INET, SOCK_STREAM, 0) calls into the libc
 * linked in: no dynamic loader runs, so no LD_PRELOAD library can wrap them, while
 * xtcpize's BPF mode changes them in the kernel.
 *
 *   static_client -l IP PORT   accept one connection and echo it back; prints
 *                              "listener PROTO" (the listener's SO_PROTOCOL) when listening
 *   static_client IP PORT      send 32 KiB, read them back; prints
 *                              "proto PROTO sent N got M same 0|1"
 * Exit status 0 if all went through (and, for the client, came back equal), 1 otherwise.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LEN	32768

static int proto_of(int fd)
{
	socklen_t len = sizeof(int);
	int v = -1;

	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len);
	return v;
}

static int serve(int fd)
{
	char buf[4096];
	ssize_t n;
	int c;

	printf("listener %d\n", proto_of(fd));
	fflush(stdout);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return 1;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, n) != n)
			return 1;
	close(c);
	return n < 0;
}

static int client(int fd)
{
	static char out[LEN], in[LEN];
	size_t got = 0, sent = 0;
	ssize_t n;
	int i;

	for (i = 0; i < LEN; i++)
		out[i] = (char)(i * 7 + 3);
	while (sent < LEN && (n = write(fd, out + sent, LEN - sent)) > 0)
		sent += n;
	shutdown(fd, SHUT_WR);
	while (got < LEN && (n = read(fd, in + got, LEN - got)) > 0)
		got += n;
	printf("proto %d sent %zu got %zu same %d\n", proto_of(fd), sent, got,
	       got == LEN && !memcmp(in, out, LEN));
	return !(got == LEN && !memcmp(in, out, LEN));
}

int main(int argc, char **argv)
{
	int listen_mode = argc == 4 && !strcmp(argv[1], "-l"), one = 1, fd;
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc != 3 && !listen_mode) {
		fprintf(stderr, "usage: static_client [-l] IP PORT\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[argc - 1]));
	if (inet_pton(AF_INET, argv[argc - 2], &a.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (listen_mode) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
			perror("bind/listen");
			return 1;
		}
		return serve(fd);
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	return client(fd);
}
