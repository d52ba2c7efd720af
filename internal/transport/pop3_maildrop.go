package transport

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
)

// POP3Maildrop is one logged-on POP3 maildrop (RFC 1939 TRANSACTION
// state): the inbound engine's Source for POP3. Message IDs are UIDLs,
// which the server must support. It is not safe for concurrent use. Every
// method taking a ctx is interrupted when ctx ends (the connection is
// closed, the error is then temporary); the session cannot be used after
// an interrupted or failed exchange, and Close then only drops the
// connection, which deletes nothing (POP3 deletes only on QUIT).
type POP3Maildrop struct {
	s    *pop3Settings
	cr   Credentials
	log  *pop3Log
	raw  net.Conn // the TCP connection, closed to interrupt
	tp   *textproto.Conn
	capa map[string][]string // CAPA's answer by upper-case name; nil without CAPA

	ids   []string
	sizes []int64
	num   map[string]int // UIDL -> message number
	fresh bool           // ids and sizes are the server's current listing

	deleted bool // DELE sent and neither committed nor reset
	ended   bool // QUIT sent or the connection dropped
	broken  bool // an exchange failed: the dialogue is out of step
}

// pop3Window is how many commands may await their responses when the
// server offers PIPELINING (RFC 2449 §6.6). The bound keeps both sides
// from blocking on full socket buffers: its commands fit in any buffer.
const pop3Window = 32

// DialPOP3 connects to c's server, secures the connection (implicit TLS,
// or STLS, required, under "starttls": a server whose CAPA lacks STLS is
// refused with KindTLS before any credential is sent, and so is plaintext
// the server sent after its go-ahead), reads the greeting and CAPA, logs
// on (see authenticate) and lists the maildrop with UIDL and LIST. A
// server without UIDL is KindConfig (78), stage "select": without it
// nothing tells which messages were delivered after a dropped connection.
// Errors are *Error with the SPEC §8 stages; none holds a credential. On
// error nothing stays open.
func DialPOP3(ctx context.Context, c InboundConfig) (*POP3Maildrop, error) {
	s, err := pop3SettingsFrom(c)
	if err != nil {
		return nil, err
	}
	m := &POP3Maildrop{s: s, cr: c.Credentials, log: newPOP3Log(c.Log)}
	m.log.note("connecting to " + s.addr)
	d := net.Dialer{Timeout: s.timeout}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, classify(ctx, StageConnect, err)
	}
	m.raw = raw
	err = m.guard(ctx, func() error {
		if err := m.connect(ctx); err != nil {
			return err
		}
		if err := m.authenticate(ctx); err != nil {
			return err
		}
		return m.list(ctx)
	})
	if err != nil {
		raw.Close()
		return nil, err
	}
	return m, nil
}

// guard runs f with ctx armed to close the connection, so that a blocked
// read or write returns at once; an interrupted session is broken.
func (m *POP3Maildrop) guard(ctx context.Context, f func() error) error {
	if m.broken || m.ended {
		return &Error{Kind: KindTemporary, Stage: StageFetch, Message: "pop3 session already ended"}
	}
	stop := context.AfterFunc(ctx, func() { m.raw.Close() })
	err := f()
	if !stop() {
		m.broken = true
	}
	return err
}

// Validity is "": POP3 has no UIDVALIDITY.
func (m *POP3Maildrop) Validity() string { return "" }

// CanDelete is true: DELE and QUIT always confirm deletions.
func (m *POP3Maildrop) CanDelete() bool { return true }

// List returns every message's UIDL and the size LIST announces (0 for a
// message LIST omits), in message-number order.
func (m *POP3Maildrop) List(ctx context.Context) ([]string, []int64, error) {
	if !m.fresh {
		if err := m.guard(ctx, func() error { return m.list(ctx) }); err != nil {
			return nil, nil, err
		}
	}
	return append([]string(nil), m.ids...), append([]int64(nil), m.sizes...), nil
}

// list runs UIDL and LIST (pipelined when offered) and records them.
func (m *POP3Maildrop) list(ctx context.Context) error {
	_, pipe := m.capa["PIPELINING"]
	if err := m.queue("UIDL", "UIDL"); err != nil {
		return classify(ctx, StageSelect, err)
	}
	if pipe {
		if err := m.queue("LIST", "LIST"); err != nil {
			return classify(ctx, StageSelect, err)
		}
	}
	uidl, uerr := m.listing(StageSelect, "uidl")
	if rep, ok := uerr.(*pop3Reply); ok {
		if pipe { // the LIST answer is still to come
			m.listing(StageSelect, "list")
		}
		return &Error{Kind: KindConfig, Stage: StageSelect,
			Message: "server has no UIDL (server replied -ERR " + oneLine(rep.text) + ")",
			Hints:   []string{"without UIDL nothing tells which messages were already fetched: use the server's IMAP side (inbound=imap) if it has one"}}
	}
	if uerr != nil {
		return classify(ctx, StageSelect, uerr)
	}
	if !pipe {
		if err := m.queue("LIST", "LIST"); err != nil {
			return classify(ctx, StageSelect, err)
		}
	}
	list, err := m.listing(StageSelect, "list")
	if err != nil {
		return classify(ctx, StageSelect, err)
	}
	sizes := map[int]int64{}
	for _, l := range list {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		n, err1 := strconv.Atoi(f[0])
		sz, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 == nil && err2 == nil {
			sizes[n] = sz
		}
	}
	m.ids, m.sizes, m.num = nil, nil, map[string]int{}
	for _, l := range uidl {
		f := strings.Fields(l)
		n, err := strconv.Atoi(pop3Field(f, 0))
		if err != nil || len(f) != 2 || n < 1 {
			m.broken = true
			return &Error{Kind: KindPermanent, Stage: StageSelect, Message: "malformed uidl line " + strconv.Quote(pop3Trunc(l, 80))}
		}
		if _, dup := m.num[f[1]]; dup {
			return &Error{Kind: KindPermanent, Stage: StageSelect, Message: "server lists uidl " + strconv.Quote(pop3Trunc(f[1], 80)) + " twice"}
		}
		m.num[f[1]] = n
		m.ids = append(m.ids, f[1])
		m.sizes = append(m.sizes, sizes[n])
	}
	m.fresh = true
	return nil
}

// listing sends what is queued and reads one command's status and
// dot-terminated listing.
func (m *POP3Maildrop) listing(stage, what string) ([]string, error) {
	if err := m.flush(); err != nil {
		return nil, err
	}
	if _, err := m.readStatus(stage); err != nil {
		return nil, err
	}
	return m.readLines(what)
}

// queue writes a command line without flushing (pipelining); the next
// read flushes it.
func (m *POP3Maildrop) queue(line, shown string) error {
	m.log.client(shown)
	if _, err := m.tp.W.WriteString(line + "\r\n"); err != nil {
		m.broken = true
		return err
	}
	return nil
}

// flush sends the queued commands.
func (m *POP3Maildrop) flush() error {
	if err := m.tp.W.Flush(); err != nil {
		m.broken = true
		return err
	}
	return nil
}

// numbers maps ids to message numbers; an id not in the last listing is
// an error of stage.
func (m *POP3Maildrop) numbers(stage string, ids []string) ([]int, error) {
	if m.num == nil {
		return nil, &Error{Kind: KindPermanent, Stage: stage, Message: "maildrop not listed"}
	}
	nums := make([]int, len(ids))
	for i, id := range ids {
		n, ok := m.num[id]
		if !ok {
			return nil, &Error{Kind: KindPermanent, Stage: stage,
				Message: "message " + strconv.Quote(pop3Trunc(id, 80)) + " is not in the maildrop"}
		}
		nums[i] = n
	}
	return nums, nil
}

// Fetch retrieves ids with RETR, at most pop3Window commands ahead when
// the server offers PIPELINING, else one by one, and hands each message to
// deliver as a stream of exactly its bytes (see pop3DotReader): memory
// stays bounded whatever its size. What deliver leaves unread is
// discarded. If deliver returns an error, Fetch stops and returns it (after
// reading the responses already asked for, so the session stays usable); a
// connection that fails mid-message is an *Error of stage "fetch" whatever
// deliver made of it. An id not in the listing is refused before anything
// is sent.
func (m *POP3Maildrop) Fetch(ctx context.Context, ids []string, deliver func(id string, r io.Reader) error) error {
	nums, err := m.numbers(StageFetch, ids)
	if err != nil {
		return err
	}
	return m.guard(ctx, func() error {
		return m.pipeline(ctx, StageFetch, "RETR", nums, func(i int) error {
			dr := newPOP3DotReader(m.tp.R)
			derr := deliver(ids[i], dr)
			if _, err := io.Copy(io.Discard, dr); err != nil {
				m.broken = true
				return classify(ctx, StageFetch, err)
			}
			m.log.data(dr.n)
			return derr
		})
	})
}

// Delete marks ids deleted with DELE (pipelined as Fetch's RETR). Nothing
// is removed until Commit; Close without Commit undoes the marks.
func (m *POP3Maildrop) Delete(ctx context.Context, ids []string) error {
	nums, err := m.numbers(StageDelete, ids)
	if err != nil {
		return err
	}
	if len(nums) == 0 {
		return nil
	}
	m.fresh = false
	m.deleted = true
	return m.guard(ctx, func() error {
		return m.pipeline(ctx, StageDelete, "DELE", nums, nil)
	})
}

// pipeline sends "VERB n" for each of nums, keeping at most pop3Window (1
// without PIPELINING) unanswered, and calls body (if any) after each +OK
// to read what follows it. The first -ERR or body error is returned once
// every response asked for has been read.
func (m *POP3Maildrop) pipeline(ctx context.Context, stage, verb string, nums []int, body func(i int) error) error {
	window := 1
	if _, ok := m.capa["PIPELINING"]; ok {
		window = pop3Window
	}
	var first error
	sent := 0
	for done := 0; done < len(nums); done++ {
		for ; first == nil && sent < len(nums) && sent-done < window; sent++ {
			line := verb + " " + strconv.Itoa(nums[sent])
			if err := m.queue(line, line); err != nil {
				return classify(ctx, stage, err)
			}
		}
		if done >= sent {
			break // stopped early: nothing more awaits an answer
		}
		if err := m.flush(); err != nil {
			return classify(ctx, stage, err)
		}
		_, err := m.readStatus(stage)
		if err != nil {
			if _, ok := err.(*pop3Reply); !ok {
				return classify(ctx, stage, err)
			}
			if first == nil {
				first = err
			}
			continue
		}
		if body == nil {
			continue
		}
		if first != nil { // discard what was asked for before the failure
			dr := newPOP3DotReader(m.tp.R)
			if _, err := io.Copy(io.Discard, dr); err != nil {
				m.broken = true
				return classify(ctx, stage, err)
			}
			continue
		}
		if err := body(done); err != nil {
			if m.broken {
				return err
			}
			first = err
		}
	}
	if first != nil {
		if rep, ok := first.(*pop3Reply); ok {
			return rep.err()
		}
	}
	return first
}

// Commit sends QUIT: the server removes the messages marked deleted and
// answers +OK only when it did (RFC 1939 §6). nil means confirmed; the
// session has ended either way.
func (m *POP3Maildrop) Commit(ctx context.Context) error {
	err := m.guard(ctx, func() error {
		_, err := m.cmd(StageDelete, "QUIT")
		return err
	})
	m.ended = true
	m.raw.Close()
	if err != nil {
		e := classify(ctx, StageDelete, err)
		if _, ok := err.(*pop3Reply); ok {
			e.Kind = KindTemporary // some deletions failed; the next run retries them
		}
		return e
	}
	m.deleted = false
	return nil
}

// Close ends the session: RSET then QUIT when deletions were marked but
// not committed (QUIT only after RSET's +OK, so nothing unconfirmed is
// deleted: without it the connection is dropped, which deletes nothing),
// else QUIT. Safe after Commit and after a failure (then it only closes).
// Errors are *Error of stage "logout".
func (m *POP3Maildrop) Close() error {
	if m.ended || m.broken {
		m.ended = true
		m.raw.Close() // already closed, or out of step: dropped unconfirmed
		return nil
	}
	m.ended = true
	defer m.raw.Close()
	if m.deleted {
		if _, err := m.cmd(StageLogout, "RSET"); err != nil {
			return pop3LogoutErr(err)
		}
		m.deleted = false
	}
	if _, err := m.cmd(StageLogout, "QUIT"); err != nil {
		return pop3LogoutErr(err)
	}
	return nil
}

func pop3LogoutErr(err error) error {
	if rep, ok := err.(*pop3Reply); ok {
		return rep.err()
	}
	return classifyFailure(StageLogout, err)
}

// pop3Field returns f[i], or "" when f is shorter.
func pop3Field(f []string, i int) string {
	if i < len(f) {
		return f[i]
	}
	return ""
}

// String describes the session for debugging, without credentials.
func (m *POP3Maildrop) String() string { return fmt.Sprintf("pop3 %s", m.s.addr) }
