package main

import "github.com/mapictl/mapictl/internal/mapi"

// runSendmailArgs is replaced when the sendmail front end lands (issue 8).
var runSendmailArgs = func(f *factory, name string, args []string) error {
	return mapi.Errorf(mapi.Unconfigured, "mapictl does not act as %s yet", name)
}
