//go:build !unix

package main

// disableCoreDumps does nothing where there is no core-size limit to set.
func disableCoreDumps() {}
