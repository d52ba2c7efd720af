package main

// Output rules for errors (after age's tui.go): one line
// "mapictl: error: MESSAGE (MAPI_E_CODE)", then "mapictl: hint: …" lines;
// lowercase, no final period. With -o json, one JSON object on stderr.
// Messages never hold a secret: every error is built from names and codes.
// Text output escapes control characters (textsafe.Escape): an error can
// quote an SMTP server's reply, and a server must not reach the terminal
// with ESC sequences or a bare CR. JSON escapes them itself (DEL and C1 by
// textsafe.JSON).

import (
	"encoding/json"
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// exit prints err (if any) and returns the exit status for it.
func (f *factory) exit(err error) int {
	if err == nil {
		return 0
	}
	e := mapi.AsError(err)
	if f.jsonOutput() {
		obj := errorJSON{Code: e.Code.Name, HResult: fmt.Sprintf("0x%08X", e.Code.HResult),
			Exit: e.ExitStatus(), Message: e.Msg, Hints: e.Hints}
		addTransportDetail(&obj, e)
		b, _ := json.Marshal(struct {
			Error errorJSON `json:"error"`
		}{obj})
		fmt.Fprintln(f.IO.Err, string(textsafe.JSON(b)))
	} else {
		fmt.Fprintf(f.IO.Err, "mapictl: error: %s (%s)\n", textsafe.Escape(e.Msg), e.Code.Name)
		for _, h := range e.Hints {
			fmt.Fprintf(f.IO.Err, "mapictl: hint: %s\n", textsafe.Escape(h))
		}
	}
	return e.ExitStatus()
}

// errorJSON is the -o json error object of SPEC §9 (docs/json.md), its
// fields in the order encoding/json sorted the keys of the map it was.
type errorJSON struct {
	Code         string   `json:"code"`
	EnhancedCode string   `json:"enhanced_code,omitempty"`
	Exit         int      `json:"exit"`
	Hints        []string `json:"hints,omitempty"`
	HResult      string   `json:"hresult"`
	Message      string   `json:"message"`
	SMTPCode     int      `json:"smtp_code,omitempty"`
	Stage        string   `json:"stage,omitempty"`
}
