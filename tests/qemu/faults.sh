# Failure paths. Every kernel: I/O errors from null_blk's bad blocks under
# kml-deadline (the scheduler keeps scheduling, good blocks verify). Debug
# kernel only (where the kernel has fault injection and kmemleak): random
# slab and page allocation failures in insmod (kml's init), in weight
# commits and in ring resizes - each fails cleanly or succeeds, and the
# module leaks nothing and works afterwards.
# KML_FAULT_ROUNDS (default 40) sets the rounds per kind of fault.
# kml-qemu: --disk 0 --null-blk nr_devices=0 --timeout 600
. "$KML_GUEST_LIB"

rounds=${KML_FAULT_ROUNDS:-40}
grep -q " /sys/kernel/config " /proc/mounts || mount -t configfs none /sys/kernel/config
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK

# 1. A null_blk disk with 1 MiB of bad blocks (sectors 2048-4095).
D=/sys/kernel/config/nullb/kmlbad
mkdir $D
echo 1 >$D/memory_backed
echo 64 >$D/size
echo "+2048-4095" >$D/badblocks
before=$(ls /sys/block)
echo 1 >$D/power
# Newer kernels name the disk after the configfs folder, older ones nullb<index>.
new_disk() { for b in $(ls /sys/block); do echo "$before" | grep -qx "$b" || echo "$b"; done; }
disk=$(new_disk)
[ -n "$disk" ] || kml_fail "null_blk made no disk for $D"
dev=/dev/$disk
kml_wait_for "$dev" 5 test -b "$dev"
Q=/sys/block/${dev#/dev/}/queue
kml_insmod
echo kml-deadline >$Q/scheduler
echo 1 >$Q/iosched/use_model
if dd if=$dev of=/dev/null bs=4k count=1 skip=300 iflag=direct 2>/dev/null; then
	# Seen on 6.1: its null_blk accepts the badblocks list but serves the I/O.
	echo "this kernel's null_blk does not fail bad blocks: I/O errors not tested here"
else
	good=0 bad=0
	for i in $(seq 0 63); do
		# 4 KiB blocks 256..511 are bad; alternate good and bad ones.
		blk=$((i % 2 ? 256 + i * 4 : 1024 + i * 4))
		if dd if=$dev of=/dev/null bs=4k count=1 skip=$blk iflag=direct 2>/dev/null; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
		fi
	done
	kml_expect_eq "reads of bad blocks fail, the others succeed" "$good good $bad bad" "32 good 32 bad"
	kml_expect "writes into bad blocks fail" sh -c "! dd if=/dev/zero of=$dev bs=4k count=4 seek=300 oflag=direct 2>/dev/null"
fi
kml_host /usr/bin/fio --eta=never --output=/dev/shm/v.out --name=good --filename=$dev \
	--offset=8m --size=16m --rw=randwrite --bsrange=4k-128k --direct=1 --ioengine=libaio \
	--iodepth=16 --verify=crc32c --verify_fatal=1 --verify_state_save=0 ||
	{ cat /dev/shm/v.out; kml_fail "fio verify on the good blocks after I/O errors"; }
grep -E '^(decisions|samples) ' $Q/iosched/stats
echo none >$Q/scheduler
kml_rmmod

# 2. Allocation failures (debug kernel only).
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
if [ ! -d $FS ] || [ ! -d $FP ]; then
	echo "no fault injection in this kernel: allocation failures skipped"
	kml_expect_clean_dmesg
	exit 0
fi
for f in $FS $FP; do
	echo Y >$f/task-filter
	echo N >$f/ignore-gfp-wait
	echo 0 >$f/verbose
	echo -1 >$f/times
	echo 0 >$f/interval
	echo 0 >$f/space
done
echo N >$FP/ignore-gfp-highmem
echo 0 >$FP/min-order

# failing CMD...: run CMD with allocations failing at random (task-filter:
# only this command's, exec included). Its status is printed, never fatal.
# Only for programs in the initramfs: a failed page fault on a file read over
# 9p leaves that file unusable in the guest; kml-devtest's --make-it-fail
# confines the faults to the one system call under test instead.
failing() {
	sh -c 'echo 1 >/proc/self/make-it-fail; exec "$@"' sh "$@" >/dev/null 2>&1 && echo ok || echo failed
}

loads=0 refused=0
for f in $FS $FP; do
	echo 10 >$f/probability
	for r in $(seq $rounds); do
		if [ "$(failing insmod "$KML_KO")" = ok ]; then
			loads=$((loads + 1))
			kml_expect_eq "self-test after a faulted load" "$(kml_sys selftest)" ok
			kml_rmmod
		else
			refused=$((refused + 1))
			kml_expect "no module left after a failed load" sh -c '! grep -q "^kml " /proc/modules'
			kml_expect "no /dev/kml after a failed load" test ! -e /dev/kml
		fi
	done
	echo 0 >$f/probability
done
echo "insmod with failing allocations: $loads loaded, $refused refused cleanly"

kml_insmod
sizes=$(for r in $(seq $rounds); do echo $((64 << (r % 6))); done)
: >/dev/shm/commits
: >/dev/shm/resizes
v=1
for f in $FS $FP; do
	echo 20 >$f/probability
	kml_devtest commit linear --version $v --repeat $rounds --make-it-fail >>/dev/shm/commits
	kml_devtest write /sys/kernel/kml/ring_slots $sizes --make-it-fail >>/dev/shm/resizes
	echo 0 >$f/probability
	v=$((v + rounds))
done
# outcomes FILE: "N ok, M ENOMEM, ..." from kml-devtest's lines.
outcomes() { sort "$1" | uniq -c | awk '{ s = s (NR > 1 ? ", " : "") $1 " " $2 } END { print s }'; }
echo "under failing allocations: commits $(outcomes /dev/shm/commits); ring resizes $(outcomes /dev/shm/resizes)"
for f in commits resizes; do
	kml_expect_eq "every $f round reported" "$(wc -l </dev/shm/$f)" $((2 * rounds))
	kml_expect "some $f failed with ENOMEM (the faults reached kml)" grep -q '^ENOMEM$' /dev/shm/$f
	kml_expect "only ok or ENOMEM for $f" sh -c "! grep -qvE '^(ok|ENOMEM)$' /dev/shm/$f"
done
kml_expect_eq "a commit works afterwards" "$(kml_devtest commit mlp --version 777)" ok
echo 1024 >/sys/kernel/kml/ring_slots
kml_expect_eq "ring resized afterwards" "$(kml_sys ring_slots)" 1024
kml_rmmod

if [ -w $KMEMLEAK ]; then
	sleep 6 # kmemleak reports objects older than 5 s
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/results/kmemleak.txt
	kml_expect "kmemleak finds nothing of kml's" sh -c '! grep -q "kml" /results/kmemleak.txt'
	echo "kmemleak: $(grep -c 'unreferenced object' /results/kmemleak.txt) unreferenced objects in all, none from kml"
fi
kml_expect_clean_dmesg
