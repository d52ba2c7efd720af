package transport

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Send delivers msg over the kept (or a new) connection: MAIL, one RCPT per
// recipient (refusals collected), DATA. See [Transport.Send]. After a
// network failure the connection is dropped; after a server refusal it is
// kept and reset before the next message.
func (t *smtpTransport) Send(ctx context.Context, env *Envelope, msg []byte) (*Result, error) {
	mailOpts, rcptOpts, err := smtpOptions(env)
	if err != nil {
		return nil, err
	}
	if len(env.To) == 0 {
		return nil, &Error{Kind: KindPermanent, Stage: StageRcpt, Message: "no recipients"}
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(ctx, StageConnect, err)
	}
	res, err := t.try(ctx, env, mailOpts, rcptOpts, msg)
	if e, ok := err.(*Error); ok && t.reused && e.Stage == StageMail && (e.SMTPCode == 0 || e.SMTPCode == 421) && ctx.Err() == nil {
		// The kept connection failed before this message's data (the
		// server closed it: its idle timeout, its limit of messages a
		// connection; or it stopped answering): no data went over it, so
		// once more on a new connection.
		if t.log != nil {
			t.log.note("kept connection no longer usable, reconnecting")
		}
		res, err = t.try(ctx, env, mailOpts, rcptOpts, msg)
	}
	return res, err
}

// try runs one transaction on the connection conn gives; after a network
// failure (or 421) the connection is dropped.
func (t *smtpTransport) try(ctx context.Context, env *Envelope, mo *smtp.MailOptions, ro *smtp.RcptOptions, msg []byte) (*Result, error) {
	sc, err := t.conn(ctx)
	if err != nil {
		return nil, err
	}
	stop := t.watch(ctx, sc)
	defer stop()
	t.dirty = true
	res, err := t.transaction(ctx, sc, env, mo, ro, msg)
	if err != nil {
		if e := err.(*Error); e.SMTPCode == 0 || e.SMTPCode == 421 {
			t.drop() // network failure: the connection state is unknown
		}
		return nil, err
	}
	t.dirty = false
	return res, nil
}

func (t *smtpTransport) transaction(ctx context.Context, sc *smtpConn, env *Envelope,
	mo *smtp.MailOptions, ro *smtp.RcptOptions, msg []byte) (*Result, error) {
	if ok, _ := sc.c.Extension("SMTPUTF8"); mo.UTF8 && !ok {
		return nil, &Error{Kind: KindPermanent, Stage: StageMail,
			Message: "the envelope has non-ascii addresses but the server does not offer SMTPUTF8"}
	}
	if err := sc.c.Mail(env.From, mo); err != nil {
		return nil, classify(ctx, StageMail, err)
	}
	res := &Result{}
	for _, to := range env.To {
		err := sc.c.Rcpt(to, ro)
		if err == nil {
			res.Accepted = append(res.Accepted, to)
			continue
		}
		e := classify(ctx, StageRcpt, err)
		if e.SMTPCode == 0 {
			return nil, e
		}
		res.Rejected = append(res.Rejected, Rejection{Address: to, SMTPCode: e.SMTPCode,
			EnhancedCode: e.EnhancedCode, Message: e.Message, Temporary: e.Temporary()})
	}
	if len(res.Accepted) == 0 {
		return nil, allRejected(res.Rejected)
	}
	w, err := sc.c.Data()
	if err != nil {
		return nil, classify(ctx, StageData, err)
	}
	if t.log != nil {
		t.log.beginData()
		defer t.log.endData()
	}
	if err := writeData(sc, w, msg, t.timeout); err != nil {
		return nil, classify(ctx, StageData, err)
	}
	if _, err := w.CloseWithResponse(); err != nil {
		return nil, classify(ctx, StageData, err)
	}
	return res, nil
}

// writeData copies msg into the DATA writer in chunks, each under its own
// write deadline (go-smtp sets none while the body is written).
func writeData(sc *smtpConn, w *smtp.DataCommand, msg []byte, timeout time.Duration) error {
	defer sc.conn.SetWriteDeadline(time.Time{})
	const chunk = 32 << 10
	for len(msg) > 0 {
		n := min(chunk, len(msg))
		sc.conn.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := w.Write(msg[:n]); err != nil {
			return err
		}
		msg = msg[n:]
	}
	sc.conn.SetWriteDeadline(time.Now().Add(timeout)) // final flush in Close
	return nil
}

// allRejected is the error when no recipient was accepted: temporary if any
// refusal was, else permanent; code and message of the first refusal.
func allRejected(rej []Rejection) *Error {
	e := &Error{Kind: KindPermanent, Stage: StageRcpt, Rejected: rej,
		SMTPCode: rej[0].SMTPCode, EnhancedCode: rej[0].EnhancedCode}
	for _, r := range rej {
		if r.Temporary {
			e.Kind = KindTemporary
		}
	}
	e.Message = fmt.Sprintf("all %d recipients rejected (%s: %s)", len(rej), rej[0].Address, rej[0].Message)
	if len(rej) == 1 {
		e.Message = fmt.Sprintf("recipient %s rejected: %s", rej[0].Address, rej[0].Message)
	}
	return e
}

// smtpOptions validates the envelope and converts its DSN parameters. The
// BODY parameter is go-smtp's: BODY=8BITMIME whenever the server offers
// 8BITMIME (harmless for 7-bit data), so env.Body is only validated.
func smtpOptions(env *Envelope) (*smtp.MailOptions, *smtp.RcptOptions, error) {
	if err := checkEnvelope(env); err != nil {
		return nil, nil, err
	}
	mo := &smtp.MailOptions{Return: smtp.DSNReturn(strings.ToUpper(env.DSNReturn)), EnvelopeID: env.EnvID}
	ro := &smtp.RcptOptions{}
	for _, n := range env.DSNNotify {
		ro.Notify = append(ro.Notify, smtp.DSNNotify(strings.ToUpper(n)))
	}
	if !isASCII(env.From) || !allASCII(env.To) {
		mo.UTF8 = true
	}
	return mo, ro, nil
}

func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
