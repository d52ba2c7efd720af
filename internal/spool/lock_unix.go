//go:build unix

package spool

// removeWhileHeld: Unix unlinks an open file, so release removes the lock
// file before it unlocks.
const removeWhileHeld = true
