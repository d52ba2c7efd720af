// Command mapictl manages MAPI-style encrypted mail profiles, sessions and
// an outgoing spooler from the command line. See SPEC.md and docs/.
package main

import (
	"os"
)

func main() { os.Exit(run(interruptContext(), os.Args, os.Stdin, os.Stdout, os.Stderr)) }
