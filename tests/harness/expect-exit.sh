#!/bin/sh
# expect-exit.sh CODE COMMAND...: pass iff COMMAND exits with exactly CODE.
want=$1
shift
"$@"
got=$?
if [ "$got" = "$want" ]; then
	echo "PASS: exit status $got as expected"
	exit 0
fi
echo "FAIL: exit status $got, expected $want"
exit 1
