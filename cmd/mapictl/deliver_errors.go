package main

// Printing of delivery results. Which exit a result ends with is
// internal/delivery's (OutcomeError, TransportError): every transport
// failure becomes a *mapi.Error carrying the *transport.Error in its
// Detail, and -o json errors show its stage and SMTP codes here
// (addTransportDetail); mapi itself knows no SMTP.

import (
	"fmt"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/transport"
)

// addTransportDetail adds the stage and SMTP codes of the transport failure
// e carries (transport.ErrorDetail) to its -o json error object obj as
// "stage", "smtp_code" and "enhanced_code" (SPEC §9, docs/json.md), each
// only when set.
func addTransportDetail(obj *errorJSON, e *mapi.Error) {
	if te := transport.ErrorDetail(e); te != nil {
		obj.Stage, obj.SMTPCode, obj.EnhancedCode = te.Stage, te.SMTPCode, te.EnhancedCode
	}
}

// errStage is the transport stage e failed in, "" if none.
func errStage(e *mapi.Error) string {
	if te := transport.ErrorDetail(e); te != nil {
		return te.Stage
	}
	return ""
}

// rejectionLines formats each rejected recipient for text output
// ("rejected: ADDR CODE …", or "deferred: …" for a refusal for now), control
// characters (from the server's reply) escaped.
func rejectionLines(rs []transport.Rejection) []string {
	var out []string
	for _, r := range rs {
		word := "rejected:"
		if r.Temporary {
			word = "deferred:" // refused for now: it stays queued
		}
		parts := []string{word, r.Address}
		if r.SMTPCode != 0 {
			parts = append(parts, fmt.Sprint(r.SMTPCode))
		}
		if r.EnhancedCode != "" {
			parts = append(parts, r.EnhancedCode)
		}
		if r.Message != "" {
			parts = append(parts, r.Message)
		}
		out = append(out, textsafe.Escape(strings.Join(parts, " ")))
	}
	return out
}

// rejectionJSON is one rejected recipient in -o json output.
type rejectionJSON struct {
	Address  string `json:"address"`
	SMTPCode int    `json:"smtp_code"`
	Message  string `json:"message"`
}

func rejectionsJSON(rs []transport.Rejection) []rejectionJSON {
	out := []rejectionJSON{}
	for _, r := range rs {
		out = append(out, rejectionJSON{r.Address, r.SMTPCode, r.Message})
	}
	return out
}
