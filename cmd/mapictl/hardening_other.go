//go:build !linux

package main

// nonDumpable does nothing where there is no PR_SET_DUMPABLE.
func nonDumpable() {}
