package term

import (
	"fmt"
	"io"
	"os"
	"strings"

	xterm "golang.org/x/term"
)

// Progress returns the progress report of a long run (spool flush) on w:
// when w is a terminal, a function that redraws "[=====     ] done/total"
// in place and ends the line once done reaches total; nil when w is not a
// terminal (a pipe or a file gets no progress).
func Progress(w io.Writer) func(done, total int) {
	fd, ok := w.(*os.File)
	if !ok || !xterm.IsTerminal(int(fd.Fd())) {
		return nil
	}
	return func(done, total int) { drawProgress(w, done, total) }
}

// drawProgress redraws the bar of width 30 for done of total on w.
func drawProgress(w io.Writer, done, total int) {
	const width = 30
	n := width
	if total > 0 {
		n = done * width / total
	}
	fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
	if done >= total {
		fmt.Fprintln(w)
	}
}
