package prf

import "strings"

// accountMapping reads (once) the section-7 mapping in section ms, which
// must name AccountType= and may hold only property mappings besides.
func (p *parser) accountMapping(ms *section) (*mapping, *Error) {
	if m := p.accounts[fold(ms.name)]; m != nil {
		return m, nil
	}
	var typ string
	m, err := readMapping(ms, func(e entry) (bool, *Error) {
		if fold(e.key) != "accounttype" {
			return false, nil
		}
		typ = e.value
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if typ == "" {
		return nil, errorf(ms.name, ms.line, "account mapping section has no AccountType")
	}
	m.accountType = typ
	p.accounts[fold(ms.name)] = m
	return m, nil
}

// accountValues is an account section's set values, typed by the mapping.
type accountValues struct {
	sec  *section
	vals map[string]any    // folded key -> value
	line map[string]int    // folded key -> line
	typ  map[string]uint16 // folded key -> mapped type
}

func (a *accountValues) str(key string) (string, *Error) {
	v, ok := a.vals[fold(key)]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(a.sec.name, a.line[fold(key)], "%s is mapped as %s, not a string type", key, typeName(a.typ[fold(key)]))
	}
	return s, nil
}

func (a *accountValues) num(key string, min, max int) (int, *Error) {
	v, ok := a.vals[fold(key)]
	if !ok {
		return 0, nil
	}
	var n int
	switch v := v.(type) {
	case int32:
		n = int(v)
	case bool:
		if v {
			n = 1
		}
	default:
		return 0, errorf(a.sec.name, a.line[fold(key)], "%s is mapped as %s, not PT_LONG", key, typeName(a.typ[fold(key)]))
	}
	if n < min || n > max {
		return 0, errorf(a.sec.name, a.line[fold(key)], "%s must be between %d and %d", key, min, max)
	}
	return n, nil
}

// account resolves the [Internet Account List] entry e through its
// section-7 mapping and reads its values section, which must exist, hold
// only mapped keys (plus UniqueService and OverwriteExistingService) and
// name an SMTPServer.
func (p *parser) account(list *section, e entry) (Account, *Error) {
	ms, err := p.mappingSection(list, e)
	if err != nil {
		return Account{}, err
	}
	m, err := p.accountMapping(ms)
	if err != nil {
		return Account{}, err
	}
	vs := p.ini.section(e.key)
	if vs == nil {
		return Account{}, errorf(list.name, e.line, "account section [%s] not found", e.key)
	}
	a := Account{ID: e.key, Mapping: e.value, AccountType: m.accountType, Raw: map[string]string{}, Line: e.line}
	av := &accountValues{sec: vs, vals: map[string]any{}, line: map[string]int{}, typ: map[string]uint16{}}
	for _, ve := range vs.entries {
		v := p.expand(ve.value)
		a.Raw[ve.key] = v
		switch fold(ve.key) {
		case "uniqueservice", "overwriteexistingservice":
			if _, ok := parseBool(v); v != "" && !ok {
				return Account{}, errorf(vs.name, ve.line, "%s must be Yes, No, True, False, 1 or 0", ve.key)
			}
			continue
		}
		mk, ok := m.keys[fold(ve.key)]
		if !ok {
			return Account{}, errorf(vs.name, ve.line, "key %q has no mapping in [%s]", ve.key, ms.name)
		}
		if v == "" {
			continue
		}
		val, msg := parseValue(uint16(mk.tag), v)
		if msg != "" {
			return Account{}, errorf(vs.name, ve.line, "%s: %s (mapped in [%s] line %d)", ve.key, msg, ms.name, mk.line)
		}
		k := fold(ve.key)
		av.vals[k], av.line[k], av.typ[k] = val, ve.line, uint16(mk.tag)
	}
	if err := a.fill(av); err != nil {
		return Account{}, err
	}
	if a.SMTPServer == "" {
		label := a.AccountName
		if label == "" {
			label = a.ID
		}
		return Account{}, errorf(vs.name, vs.line, "account %q has no SMTPServer", label)
	}
	return a, nil
}

// fill picks the account's fields out of its typed values.
func (a *Account) fill(av *accountValues) *Error {
	var err *Error
	str := func(dst *string, key string) {
		if err == nil {
			*dst, err = av.str(key)
		}
	}
	num := func(dst *int, key string, min, max int) {
		if err == nil {
			*dst, err = av.num(key, min, max)
		}
	}
	str(&a.AccountName, "AccountName")
	str(&a.DisplayName, "DisplayName")
	str(&a.EmailAddress, "EmailAddress")
	str(&a.ReplyEmailAddress, "ReplyEmailAddress")
	str(&a.Organization, "Organization")
	prefixes := []string{"POP3", "IMAP"}
	switch strings.ToUpper(a.AccountType) {
	case "POP3":
		prefixes = prefixes[:1]
	case "IMAP":
		prefixes = prefixes[1:]
	}
	for _, pre := range prefixes {
		if a.IncomingServer == "" {
			str(&a.IncomingServer, pre+"Server")
			if a.IncomingServer != "" {
				a.IncomingProtocol = strings.ToLower(pre)
			}
		}
		if a.IncomingUser == "" {
			str(&a.IncomingUser, pre+"UserName")
		}
		if a.IncomingPort == 0 {
			num(&a.IncomingPort, pre+"Port", 0, 65535)
		}
	}
	if a.IncomingProtocol != "" {
		a.IncomingSecurity = incomingSecurity(av, a.IncomingProtocol, a.IncomingPort, num)
	}
	if _, ok := av.vals[fold("LeaveOnServer")]; ok && a.IncomingProtocol == "pop3" {
		var leave int
		num(&leave, "LeaveOnServer", -1<<31, 1<<31-1)
		u := uint32(leave)
		a.LeaveOnServer = &u
	}
	str(&a.SMTPServer, "SMTPServer")
	num(&a.SMTPPort, "SMTPPort", 0, 65535)
	var sec, auth int
	num(&sec, "SMTPSecureConnection", -1<<31, 1<<31-1)
	if err == nil && (sec < 0 || sec > 2) {
		err = errorf(av.sec.name, av.line[fold("SMTPSecureConnection")],
			"SMTPSecureConnection must be 0 (none), 1 (TLS) or 2 (STARTTLS)")
	}
	num(&auth, "SMTPUseAuth", -1<<31, 1<<31-1)
	num(&a.SMTPAuthMethod, "SMTPAuthMethod", -1<<31, 1<<31-1)
	str(&a.SMTPUserName, "SMTPUserName")
	if err != nil {
		return err
	}
	a.SMTPSecurity = [...]string{"none", "tls", "starttls"}[sec]
	a.SMTPUseAuth = auth != 0
	if a.SMTPUseAuth && a.SMTPAuthMethod == 0 && a.IncomingUser != "" {
		a.SMTPUserName = a.IncomingUser
	}
	return nil
}

// incomingSecurity reads POP3UseSSL or IMAPUseSSL: 0 is "none", 2
// "starttls", any other value "tls" (implicit). Absent, it follows the port:
// "tls" on the implicit-TLS port (IMAP 993, POP3 995), else "none", which is
// Outlook's default.
func incomingSecurity(av *accountValues, proto string, port int, num func(*int, string, int, int)) string {
	key := map[string]string{"pop3": "POP3UseSSL", "imap": "IMAPUseSSL"}[proto]
	if _, ok := av.vals[fold(key)]; !ok {
		if (proto == "imap" && port == 993) || (proto == "pop3" && port == 995) {
			return "tls"
		}
		return "none"
	}
	var ssl int
	num(&ssl, key, -1<<31, 1<<31-1)
	switch ssl {
	case 0:
		return "none"
	case 2:
		return "starttls"
	}
	return "tls"
}
