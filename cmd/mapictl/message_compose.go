package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
)

// composed is a message ready for the spool: its bytes, envelope
// recipients and Message-ID.
type composed struct {
	Msg       []byte
	To        []string
	MessageID string
}

// composeMessage builds the message of opts sent as t.From: message.Compose,
// or message.Prepare for --raw (recipients from the flags, else from the
// To, Cc and Bcc fields; Bcc fields are always stripped). Errors: 64 for
// bad addresses and headers, and for a --header or --raw sender field
// naming another address when t's section has address-override=false; 65
// for a malformed raw message, 66 for a missing input file.
func composeMessage(f *factory, opts *messageSendOptions, t *sendTarget) (*composed, error) {
	d := &message.Draft{From: t.From, Subject: opts.Subject, Date: nowFunc()}
	for _, list := range []struct {
		flag string
		in   []string
		out  *[]message.Address
	}{{"--to", opts.To, &d.To}, {"--cc", opts.Cc, &d.Cc}, {"--bcc", opts.Bcc, &d.Bcc}} {
		for _, s := range list.in {
			a, err := message.ParseAddress(s)
			if err != nil {
				return nil, mapi.Wrap(mapi.InvalidParameter, err, list.flag)
			}
			*list.out = append(*list.out, a)
		}
	}
	if opts.Raw != "" {
		return prepareRaw(f, opts, d, t)
	}
	d.Text = opts.Body
	if opts.BodyFile != "" {
		b, err := readInput(f, opts.BodyFile)
		if err != nil {
			return nil, err
		}
		d.Text = string(b)
	}
	if opts.HTMLFile != "" {
		b, err := readInput(f, opts.HTMLFile)
		if err != nil {
			return nil, err
		}
		d.HTML = string(b)
	}
	for _, path := range opts.Attach {
		b, err := readInput(f, path)
		if err != nil {
			return nil, err
		}
		d.Attachments = append(d.Attachments, message.Attachment{Filename: filepath.Base(path), Data: b})
	}
	for _, h := range opts.Headers {
		hd, err := message.ParseHeader(h)
		if err != nil {
			return nil, messageError(err)
		}
		d.Headers = append(d.Headers, hd)
	}
	if err := checkSenders(t, "", message.HeaderFields(d.Headers)); err != nil {
		return nil, err
	}
	msg, id, err := message.Compose(d)
	if err != nil {
		return nil, messageError(err)
	}
	return &composed{Msg: msg, To: d.Recipients(), MessageID: id}, nil
}

func prepareRaw(f *factory, opts *messageSendOptions, d *message.Draft, t *sendTarget) (*composed, error) {
	raw, err := readInput(f, opts.Raw)
	if err != nil {
		return nil, err
	}
	out, h, id, err := message.Prepare(raw, d.From.Domain(), nowFunc())
	if err != nil {
		return nil, messageError(err)
	}
	if err := checkSenders(t, "", h); err != nil {
		return nil, err
	}
	to := d.Recipients()
	if len(to) == 0 {
		if to, err = message.HeaderRecipients(h); err != nil {
			return nil, messageError(err)
		}
	}
	if len(to) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "the message names no recipient").
			WithHint("pass --to, --cc or --bcc")
	}
	return &composed{Msg: message.StripBcc(out), To: to, MessageID: id}, nil
}

// readInput reads a file given on the command line, or stdin for "-".
func readInput(f *factory, path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(f.IO.In)
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "read standard input")
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, mapi.Errorf(mapi.NotFound, "file %q does not exist", path)
	} else if err != nil {
		return nil, mapi.Errorf(mapi.DiskError, "cannot read %q", path)
	}
	return b, nil
}
