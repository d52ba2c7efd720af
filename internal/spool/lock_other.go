//go:build !unix

package spool

// removeWhileHeld: Windows refuses to delete a file that is open (Go opens
// files without FILE_SHARE_DELETE), so release removes the lock file after
// it unlocks and closes it.
const removeWhileHeld = false
