//go:build !unix

package main

func detachTerminal() {}
