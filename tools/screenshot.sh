#!/usr/bin/env bash
# tools/screenshot.sh ISO OUT.png [bios|uefi] [SECONDS] [KEYS...]: boot ISO,
# type KEYS (QEMU key names, e.g. h i shift-1 ret) through the monitor's
# sendkey after SECONDS, and save the screen with the monitor's screendump.
set -euo pipefail
iso=$1 out=$2 mode=${3:-bios} wait=${4:-3}
shift $(($# < 4 ? $# : 4))
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
sock=$(mktemp -u /tmp/kiln-monitor.XXXXXX)
bios=()
[ "$mode" = uefi ] && bios=(-bios "$OVMF")
qemu-system-x86_64 -accel tcg -no-reboot -m 256M -display none -serial null "${bios[@]}" \
    -monitor "unix:$sock,server,nowait" -cdrom "$iso" &
qemu=$!
trap 'kill $qemu 2>/dev/null; rm -f "$sock"' EXIT
sleep "$wait"
monitor() { python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for cmd in sys.argv[2:]:
    s.sendall((cmd + "\n").encode()); time.sleep(0.3)
time.sleep(0.5)' "$sock" "$@"; }
cmds=()
for k in "$@"; do cmds+=("sendkey $k"); done
monitor "${cmds[@]}" "screendump $(realpath -m "$out") -f png"
sleep 1
echo "saved $out"
