package prf

// idDisplayName is PR_DISPLAY_NAME's property ID.
const idDisplayName = 0x3001

// serviceMapping reads (once) the section-6 mapping in section ms: optional
// ServiceName=, SectionGUID= and MDBGUID= (32 hex digits), at least one of
// ServiceName and SectionGUID, and property mappings.
func (p *parser) serviceMapping(ms *section) (*mapping, *Error) {
	if m := p.services[fold(ms.name)]; m != nil {
		return m, nil
	}
	var svc, sguid, mguid string
	m, err := readMapping(ms, func(e entry) (bool, *Error) {
		switch fold(e.key) {
		case "servicename":
			svc = e.value
		case "sectionguid", "mdbguid":
			g, ok := parseGUID(e.value)
			if !ok {
				return true, errorf(ms.name, e.line, "%s must be 32 hex digits", e.key)
			}
			if fold(e.key) == "sectionguid" {
				sguid = g
			} else {
				mguid = g
			}
		default:
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if svc == "" && sguid == "" {
		return nil, errorf(ms.name, ms.line, "mapping section has neither ServiceName nor SectionGUID")
	}
	m.serviceName, m.sectionGUID, m.mdbGUID = svc, sguid, mguid
	p.services[fold(ms.name)] = m
	return m, nil
}

// service resolves the [Service List] entry e: its mapping section must
// exist and be valid; its values section ([e.key]), when present, may hold
// only mapped keys plus UniqueService and OverwriteExistingService, each
// value of its mapped type. The service's Name is its Name= value, else the
// value of a string key mapped to PR_DISPLAY_NAME (ID 0x3001, e.g. the
// Personal Address Book's NameOfPAB), else the mapping's name. A missing values section adds the service with
// no properties, as Outlook does.
func (p *parser) service(list *section, e entry) (Service, *Error) {
	ms, err := p.mappingSection(list, e)
	if err != nil {
		return Service{}, err
	}
	m, err := p.serviceMapping(ms)
	if err != nil {
		return Service{}, err
	}
	s := Service{ID: e.key, Mapping: e.value, ServiceName: m.serviceName,
		SectionGUID: m.sectionGUID, MDBGUID: m.mdbGUID, Line: e.line}
	vs := p.ini.section(e.key)
	if vs == nil {
		s.Name = s.Mapping
		return s, nil
	}
	seen := map[uint32]string{} // property ID -> key that set it
	named := false              // a Name= key set s.Name
	for _, ve := range vs.entries {
		v := p.expand(ve.value)
		switch fold(ve.key) {
		case "uniqueservice", "overwriteexistingservice":
			if v == "" {
				continue
			}
			b, ok := parseBool(v)
			if !ok {
				return Service{}, errorf(vs.name, ve.line, "%s must be Yes, No, True, False, 1 or 0", ve.key)
			}
			if fold(ve.key) == "uniqueservice" {
				s.Unique = &b
			} else {
				s.OverwriteExisting = &b
			}
			continue
		}
		mk, ok := m.keys[fold(ve.key)]
		if !ok {
			return Service{}, errorf(vs.name, ve.line, "key %q has no mapping in [%s]", ve.key, ms.name)
		}
		if v == "" {
			continue
		}
		val, msg := parseValue(uint16(mk.tag), v)
		if msg != "" {
			return Service{}, errorf(vs.name, ve.line, "%s: %s (mapped in [%s] line %d)", ve.key, msg, ms.name, mk.line)
		}
		if other, dup := seen[mk.tag>>16]; dup {
			return Service{}, errorf(vs.name, ve.line, "%s sets the same property as %s", ve.key, other)
		}
		seen[mk.tag>>16] = ve.key
		prop := Prop{Key: mk.key, Tag: mk.tag, Value: val, Line: ve.line}
		if IsSecure(mk.tag) {
			s.Secure = append(s.Secure, prop)
		} else {
			s.Props = append(s.Props, prop)
		}
		if str, isStr := val.(string); isStr {
			switch {
			case fold(mk.key) == "name":
				s.Name, named = str, true
			case mk.tag>>16 == idDisplayName && !named:
				s.Name = str
			}
		}
	}
	if s.Name == "" {
		s.Name = s.Mapping
	}
	return s, nil
}
