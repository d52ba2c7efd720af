package term

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	xterm "golang.org/x/term"
)

// progressEvery is the least time between two redraws of a progress bar:
// a count a reader can follow, not a flood of writes (a flush of 10,000
// messages redraws about ten times a second, not 10,000 times).
const progressEvery = 100 * time.Millisecond

// Progress returns the progress report of a long run (spool flush, spool
// list) on w: when w is a terminal, a function that redraws
// "[=====     ] done/total" in place, at most every progressEvery and always
// for the first and the last step, and ends the line once done reaches
// total; nil when w is not a terminal (a pipe or a file gets no progress).
func Progress(w io.Writer) func(done, total int) {
	fd, ok := w.(*os.File)
	if !ok || !xterm.IsTerminal(int(fd.Fd())) {
		return nil
	}
	return throttled(w, time.Now)
}

// Rows is the height of the terminal w is: 24 when the terminal does not
// say (a size of 0, as a fresh pseudo-terminal has), 0 when w is not a
// terminal.
func Rows(w io.Writer) int {
	fd, ok := w.(*os.File)
	if !ok || !xterm.IsTerminal(int(fd.Fd())) {
		return 0
	}
	if _, h, err := xterm.GetSize(int(fd.Fd())); err == nil && h > 0 {
		return h
	}
	return 24
}

// throttled is Progress's function on w with clock now.
func throttled(w io.Writer, now func() time.Time) func(done, total int) {
	var last time.Time
	drawn := false
	return func(done, total int) {
		t := now()
		if drawn && done < total && t.Sub(last) < progressEvery {
			return
		}
		drawn, last = true, t
		drawProgress(w, done, total)
	}
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
