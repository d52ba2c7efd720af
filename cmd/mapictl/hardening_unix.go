//go:build unix

package main

import "golang.org/x/sys/unix"

// disableCoreDumps keeps secrets held in memory out of core files: the core
// size limit becomes 0 and, where the system allows it, the process is made
// non-dumpable (see nonDumpable). Failures are ignored: this is defence in
// depth, not a precondition. Executed children start dumpable again.
func disableCoreDumps() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	nonDumpable()
}
