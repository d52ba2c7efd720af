package main

// Output rules: -o json prints exactly one JSON value on stdout. Text output
// is an aligned table on a terminal and tab-separated fields when piped.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// printJSON writes v as one JSON document, with DEL and C1 controls
// (which encoding/json leaves raw) escaped too: values may quote servers.
func (f *factory) printJSON(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if f.IO.OutTTY {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := f.IO.Out.Write(textsafe.JSON(buf.Bytes()))
	return err
}

// table prints rows: aligned columns on a TTY (with a header), tab-separated
// without a header otherwise.
// Control characters in a cell (a server's reply in a reason, say) are
// printed escaped.
func (f *factory) table(header []string, rows [][]string) {
	for _, r := range rows {
		for i, c := range r {
			if !textsafe.Safe(c) {
				r[i] = textsafe.Escape(c)
			}
		}
	}
	if !f.IO.OutTTY {
		for _, r := range rows {
			fmt.Fprintln(f.IO.Out, strings.Join(r, "\t"))
		}
		return
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	if header != nil {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func (f *factory) println(a ...any) { fmt.Fprintln(f.IO.Out, a...) }

func (f *factory) printf(format string, a ...any) { fmt.Fprintf(f.IO.Out, format, a...) }

// plural formats "1 recipient", "2 recipients".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
