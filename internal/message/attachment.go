package message

import (
	"bytes"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

const octetStream = "application/octet-stream"

// DetectContentType returns the MIME type of an attachment: from the
// extension of name (mime.TypeByExtension) when it is known, else from the
// first bytes of data (http.DetectContentType), which gives
// "application/octet-stream" for anything unrecognized.
func DetectContentType(name string, data []byte) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(data)
}

// attachmentHeader returns the part header of a and the bytes to write. A
// detected type that go-message cannot write (a charset other than UTF-8 or
// US-ASCII, a multipart type) falls back to application/octet-stream; the
// same in a.ContentType is an [ErrInvalidHeader]. message/* parts travel as
// 7bit or 8bit with CRLF lines when they can, else as octet-stream.
func attachmentHeader(a Attachment) (gomail.AttachmentHeader, []byte, error) {
	var h gomail.AttachmentHeader
	name := a.Filename
	if strings.ContainsAny(name, "\r\n\x00") {
		return h, nil, headerErr("Content-Disposition", "filename contains CR, LF or NUL")
	}
	if name != "" {
		name = name[strings.LastIndexAny(name, `/\`)+1:]
	}
	ctype, params, err := attachmentType(a, name)
	if err != nil {
		return h, nil, err
	}
	data := a.Data
	if strings.HasPrefix(ctype, "message/") {
		if norm, cte, ok := messageData(data); ok {
			data = norm
			h.Set("Content-Transfer-Encoding", cte)
		} else {
			ctype, params = octetStream, map[string]string{}
		}
	}
	disp := map[string]string{}
	if name != "" {
		params["name"] = name
		disp["filename"] = name
	}
	// mime.FormatMediaType writes non-ASCII values as RFC 2231 name*=.
	h.Set("Content-Type", mime.FormatMediaType(ctype, params))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", disp))
	return h, data, nil
}

func attachmentType(a Attachment, name string) (string, map[string]string, error) {
	given := a.ContentType != ""
	raw := a.ContentType
	if !given {
		raw = DetectContentType(name, a.Data)
	}
	ctype, params, err := mime.ParseMediaType(raw)
	if err != nil || strings.ContainsAny(raw, "\r\n\x00") {
		if given {
			return "", nil, headerErr("Content-Type", "not a MIME type")
		}
		return octetStream, map[string]string{}, nil
	}
	cs := strings.ToLower(params["charset"])
	bad := strings.HasPrefix(ctype, "multipart/") || cs != "" && cs != "utf-8" && cs != "us-ascii"
	switch {
	case bad && given:
		return "", nil, headerErr("Content-Type", "multipart or charset other than utf-8 not supported")
	case bad:
		return octetStream, map[string]string{}, nil
	}
	return ctype, params, nil
}

// messageData converts data to CRLF lines and reports 7bit or 8bit when no
// line exceeds 998 bytes and no NUL occurs (RFC 2046 forbids base64 here).
func messageData(data []byte) ([]byte, string, bool) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", false
	}
	norm := []byte(crlf(string(data)))
	cte := "7bit"
	for _, line := range bytes.Split(norm, []byte("\r\n")) {
		if len(line) > maxLine {
			return nil, "", false
		}
		for _, c := range line {
			if c > '~' {
				cte = "8bit"
			}
		}
	}
	return norm, cte, true
}
