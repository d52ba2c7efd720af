package message

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Request is a message as message send's command line describes it: the
// address flags as given (--to, --cc, --bcc: one address each, never split
// on commas), the subject, text and HTML bodies, attachments and extra
// headers, or Raw, a prepared message to send as it is. Paths name files;
// "-" reads Stdin.
type Request struct {
	From            Address
	To, Cc, Bcc     []string
	Subject, Text   string
	TextFile        string // replaces Text when set
	HTMLFile, Raw   string
	Attach, Headers []string
	Date            time.Time
	Stdin           io.Reader
	// CheckSenders, when set, is handed the sender fields of the message
	// (the --header fields, or the whole header of Raw) before it is
	// composed; its error is returned as it is.
	CheckSenders func(h gomail.Header) error
}

// Composed is a message ready for the spool: its bytes, envelope
// recipients and Message-ID.
type Composed struct {
	Msg       []byte
	To        []string
	MessageID string
}

// Compose builds the message of r sent as r.From: [Compose], or [Prepare]
// for Raw (recipients from the address flags, else from the To, Cc and Bcc
// fields; Bcc fields are always stripped). Every error is a *mapi.Error:
// 64 for bad addresses (naming the flag) and headers, 65 for a malformed
// raw message, 66 for a missing input file, MAPI_E_DISK_ERROR for one that
// cannot be read, and CheckSenders' own.
func (r *Request) Compose() (*Composed, error) {
	d := &Draft{From: r.From, Subject: r.Subject, Date: r.Date}
	for _, list := range []struct {
		flag string
		in   []string
		out  *[]Address
	}{{"--to", r.To, &d.To}, {"--cc", r.Cc, &d.Cc}, {"--bcc", r.Bcc, &d.Bcc}} {
		for _, s := range list.in {
			a, err := ParseAddress(s)
			if err != nil {
				return nil, mapi.Wrap(mapi.InvalidParameter, err, list.flag)
			}
			*list.out = append(*list.out, a)
		}
	}
	if r.Raw != "" {
		return r.prepareRaw(d)
	}
	d.Text = r.Text
	for _, in := range []struct {
		path string
		out  *string
	}{{r.TextFile, &d.Text}, {r.HTMLFile, &d.HTML}} {
		if in.path != "" {
			b, err := r.read(in.path)
			if err != nil {
				return nil, err
			}
			*in.out = string(b)
		}
	}
	for _, path := range r.Attach {
		b, err := r.read(path)
		if err != nil {
			return nil, err
		}
		d.Attachments = append(d.Attachments, Attachment{Filename: filepath.Base(path), Data: b})
	}
	for _, h := range r.Headers {
		hd, err := ParseHeader(h)
		if err != nil {
			return nil, MAPIError(err)
		}
		d.Headers = append(d.Headers, hd)
	}
	if err := r.checkSenders(HeaderFields(d.Headers)); err != nil {
		return nil, err
	}
	msg, id, err := Compose(d)
	if err != nil {
		return nil, MAPIError(err)
	}
	return &Composed{Msg: msg, To: d.Recipients(), MessageID: id}, nil
}

func (r *Request) prepareRaw(d *Draft) (*Composed, error) {
	raw, err := r.read(r.Raw)
	if err != nil {
		return nil, err
	}
	out, h, id, err := Prepare(raw, d.From.Domain(), r.Date)
	if errors.Is(err, ErrMalformed) {
		// Strict, unlike sendmail's PrepareLoose: --raw is typed by a user
		// who sees the exit status, and a text without header here is most
		// likely a body given to the wrong flag.
		return nil, MAPIError(err).(*mapi.Error).WithHint(
			"--raw takes a whole message: header fields, an empty line, then the body; a text body goes with --body-file")
	}
	if err != nil {
		return nil, MAPIError(err)
	}
	if err := r.checkSenders(h); err != nil {
		return nil, err
	}
	to := d.Recipients()
	if len(to) == 0 {
		if to, err = HeaderRecipients(h); err != nil {
			return nil, MAPIError(err)
		}
	}
	if len(to) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "the message names no recipient").
			WithHint("pass --to, --cc or --bcc")
	}
	return &Composed{Msg: StripBcc(out), To: to, MessageID: id}, nil
}

func (r *Request) checkSenders(h gomail.Header) error {
	if r.CheckSenders == nil {
		return nil
	}
	return r.CheckSenders(h)
}

// read reads a file given on the command line, or r.Stdin for "-".
func (r *Request) read(path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(r.Stdin)
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
