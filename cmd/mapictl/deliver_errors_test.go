package main

import (
	"encoding/json"
	"testing"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// Issue 26: the SMTP stage and codes left mapi.Error for the transport's
// *Error it carries; the -o json error object keeps "stage", "smtp_code"
// and "enhanced_code" as before, each only when set.
func TestTransportDetailJSON(t *testing.T) {
	rej := []transport.Rejection{{Address: "a@x", SMTPCode: 550, EnhancedCode: "5.1.1", Message: "no"}}
	for _, tc := range []struct {
		name string
		e    *mapi.Error
		want string
	}{
		{"auth", delivery.TransportError(&transport.Error{Kind: transport.KindAuth, Stage: transport.StageAuth,
			SMTPCode: 535, EnhancedCode: "5.7.8", Message: "bad"}),
			`{"code":"","enhanced_code":"5.7.8","exit":0,"hresult":"","message":"","smtp_code":535,"stage":"auth"}`},
		{"connect", delivery.TransportError(&transport.Error{Kind: transport.KindTemporary, Stage: transport.StageConnect}),
			`{"code":"","exit":0,"hresult":"","message":"","stage":"connect"}`},
		{"partial", delivery.OutcomeError("id1", "partial", nil, rej, true), `{"code":"","enhanced_code":"5.1.1","exit":0,"hresult":"","message":"","smtp_code":550,"stage":"rcpt"}`},
		{"partial, none listed", delivery.OutcomeError("id1", "partial", nil, nil, false), `{"code":"","exit":0,"hresult":"","message":"","stage":"rcpt"}`},
		{"not a transport failure", mapi.Errorf(mapi.Busy, "locked"), `{"code":"","exit":0,"hresult":"","message":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var obj errorJSON
			addTransportDetail(&obj, tc.e)
			b, _ := json.Marshal(obj)
			if string(b) != tc.want {
				t.Fatalf("got %s, want %s", b, tc.want)
			}
		})
	}
	if s := errStage(delivery.TransportError(&transport.Error{Stage: transport.StageTLS, Kind: transport.KindTLS})); s != "tls" {
		t.Fatalf("errStage %q", s)
	}
}
