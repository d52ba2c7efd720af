package main

import "golang.org/x/sys/unix"

// nonDumpable sets PR_SET_DUMPABLE 0: no core file even if the limit is
// raised again, and no ptrace attach or /proc/PID/mem read by other
// processes of the same user.
func nonDumpable() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
