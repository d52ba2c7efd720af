package transport

import (
	"fmt"
	"strings"
)

// checkEnvelope rejects envelopes no transport may pass on: addresses with
// CR, LF, NUL or spaces, or starting with "-" (an option to sendmail), and
// unknown DSN or BODY values. Errors are *Error of KindPermanent, stage
// "mail" or "rcpt".
func checkEnvelope(env *Envelope) error {
	if env == nil {
		return &Error{Kind: KindPermanent, Stage: StageMail, Message: "no envelope"}
	}
	if err := checkAddr(env.From); err != nil {
		return &Error{Kind: KindPermanent, Stage: StageMail, Message: "sender: " + err.Error()}
	}
	for _, to := range env.To {
		if err := checkAddr(to); err != nil || to == "" {
			if err == nil {
				err = fmt.Errorf("empty address")
			}
			return &Error{Kind: KindPermanent, Stage: StageRcpt, Message: "recipient: " + err.Error()}
		}
	}
	bad := func(what, v string) error {
		return &Error{Kind: KindPermanent, Stage: StageMail, Message: fmt.Sprintf("invalid %s %q", what, v)}
	}
	switch strings.ToUpper(env.DSNReturn) {
	case "", "FULL", "HDRS":
	default:
		return bad("dsn return", env.DSNReturn)
	}
	switch strings.ToUpper(env.Body) {
	case "", "7BIT", "8BITMIME":
	default:
		return bad("body type", env.Body)
	}
	never := false
	for _, n := range env.DSNNotify {
		switch strings.ToUpper(n) {
		case "NEVER":
			never = true
		case "SUCCESS", "FAILURE", "DELAY":
		default:
			return bad("dsn notify", n)
		}
	}
	if never && len(env.DSNNotify) > 1 {
		return bad("dsn notify", strings.Join(env.DSNNotify, ","))
	}
	for _, r := range env.EnvID {
		if r < 0x21 || r > 0x7e {
			return bad("envelope id", env.EnvID)
		}
	}
	return nil
}

// checkAddr rejects control characters, whitespace and a leading "-".
func checkAddr(a string) error {
	if strings.HasPrefix(a, "-") {
		return fmt.Errorf("address %q starts with '-'", a)
	}
	for _, r := range a {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return fmt.Errorf("address %q contains a control character or space", a)
		}
	}
	return nil
}
