package transport

import (
	"encoding/base64"
	"strconv"

	"github.com/emersion/go-smtp"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func itoa(n int) string { return strconv.Itoa(n) }

// smtpRefusal is a server refusal with the given code.
func smtpRefusal(code int) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "refused"}
}
