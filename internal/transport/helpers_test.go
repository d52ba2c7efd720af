package transport

import (
	"encoding/base64"
	"strconv"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func itoa(n int) string { return strconv.Itoa(n) }
