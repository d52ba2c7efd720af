package oauthtest

import (
	"fmt"
	"net/http"
)

// controlRoutes serves the test-control endpoints of ControlEndpoints.
func (p *Provider) controlRoutes(mux *http.ServeMux) {
	ok := func(w http.ResponseWriter, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, "ok")
	}
	mux.HandleFunc("POST /test/approve", func(w http.ResponseWriter, r *http.Request) {
		ok(w, p.ApproveDevice(r.FormValue("user_code")))
	})
	mux.HandleFunc("POST /test/deny", func(w http.ResponseWriter, r *http.Request) {
		ok(w, p.DenyDevice(r.FormValue("user_code")))
	})
	mux.HandleFunc("POST /test/revoke", func(w http.ResponseWriter, r *http.Request) {
		p.RevokeAll()
		ok(w, nil)
	})
	mux.HandleFunc("POST /test/down", func(w http.ResponseWriter, r *http.Request) {
		p.SetDown(r.FormValue("on") == "1")
		ok(w, nil)
	})
	mux.HandleFunc("POST /test/junk", func(w http.ResponseWriter, r *http.Request) {
		p.SetJunk(r.FormValue("kind"))
		ok(w, nil)
	})
	mux.HandleFunc("GET /test/counts", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "refresh=%d reuse=%d\n", p.RefreshCount(), p.ReuseCount())
	})
}
