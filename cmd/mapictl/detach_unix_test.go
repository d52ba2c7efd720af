//go:build unix

package main

import "syscall"

func detachTerminal() { _, _ = syscall.Setsid() }
