# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the xtcp scripts: cache location, messages, host packages.
# Sourced, never run.

XTCP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XTCP_CACHE=${XTCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xtcp}
# The Debian kernels we pin (scripts/kernel-stock falls back to the newest of the same
# series listed): 6.12 (the default stock kernel), Debian 12's 6.1, and sid's 7.2.
XTCP_STOCK_ABI=${XTCP_STOCK_ABI:-6.12.117+deb12}
XTCP_STOCK_ABI_6_1=${XTCP_STOCK_ABI_6_1:-6.1.0-57}
XTCP_STOCK_ABI_7_2=${XTCP_STOCK_ABI_7_2:-7.2.13+deb14}
XTCP_SID_MIRROR=${XTCP_SID_MIRROR:-http://deb.debian.org/debian}
export XTCP_TOP XTCP_CACHE

say() { printf '\033[1mxtcp:\033[0m %s\n' "$*" >&2; }
die() { printf 'xtcp: error: %s\n' "$*" >&2; exit 1; }

# need_pkgs PKG... - install the Debian packages that are missing (apt-get, no recommends).
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null || die "apt-get update failed"
	# The servers among them (nginx, redis, sshd) must not start on the host: a
	# policy-rc.d answering 101 stops their postinst from starting them (Docker images
	# ship one; otherwise one is put there for the install only).
	local policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# xtcp need_pkgs: no service starts during this install\nexit 101\n' |
			$sudo tee "$policy" > /dev/null && $sudo chmod 0755 "$policy"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
	local rc=$?
	[ -z "$policy" ] || $sudo rm -f "$policy"
	[ $rc -eq 0 ] || die "apt-get install ${missing[*]} failed"
}

# Packages every part of the harness needs on the host (the guests run the host's root, so
# the tests' tools are installed here too: tcpdump and tshark for the capture test, the
# servers and clients of the realprogs test, clang, libbpf-dev and bpftool for xtcpize's
# BPF mode;
# need_pkgs installs non-interactively, and wireshark-common's question whether
# non-root users may capture then takes its default, no).
XTCP_HOST_PKGS=(make gcc gcc-12 libc6-dev flex bison bc libelf-dev libssl-dev dwarves ccache
		rsync cpio xz-utils zstd kmod sparse busybox-static qemu-system-x86
		qemu-system-data iproute2 ethtool python3 perl mmdebstrap dkms tcpdump tshark
		nginx-light curl redis-server redis-tools iperf3 openssh-server openssh-client socat
		clang libbpf-dev bpftool binutils)

# kernel_release KDIR - the release modules built against KDIR are for, as uname -r says
# it (Debian's 6.1 headers have 6.1.NNN in kernel.release but 6.1.0-NN-amd64 here).
kernel_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null
}

# xtcp_version - the module's version, XTCP_VERSION of include/uapi/linux/xtcp.h.
xtcp_version() {
	sed -n 's/^#define XTCP_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$XTCP_TOP/include/uapi/linux/xtcp.h"
}

# build_chroot DIR - the build chroot (scripts/kernel-stock 7.2) DIR lies in, or nothing.
build_chroot() {
	local d
	d=$(readlink -f "$1")
	while [ "$d" != / ]; do
		[ -f "$d/.xtcp-chroot" ] && { echo "$d"; return; }
		d=$(dirname "$d")
	done
}

# in_chroot ROOT CMD... - run CMD in the build chroot ROOT, the repository bind-mounted
# at its own path and /proc mounted (objtool reads it), in a mount namespace of its own.
in_chroot() {
	local root=$1
	shift
	mkdir -p "$root$XTCP_TOP"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -ec 'mount --bind "$1" "$2$1"; mount -t proc proc "$2/proc"
		c=$2; shift 2; exec chroot "$c" "$@"' sh "$XTCP_TOP" "$root" "$@"
}

# newest_version PKG_GLOB_REGEX - print the newest package name matching a regex in apt's lists.
newest_pkg() {
	apt-cache pkgnames 2>/dev/null | grep -E "$1" | sort -V | tail -n 1
}
