// Package prf parses Outlook profile (PRF) files into a neutral, validated
// [File] that a caller turns into a profile of its own. It imports nothing of
// mapictl's own: property tags are plain uint32 (high 16 bits the property
// ID, low 16 bits the type) and values are Go values typed by the mapping.
//
// # Format
//
// A PRF is INI-style text in up to seven kinds of sections: [General],
// [Service List], [Internet Account List], one values section per service
// (e.g. [Service1]) and per account (e.g. [Account1]), the service mapping
// sections (e.g. [LDAP Directory], naming ServiceName= and mapping each key
// to a property as `Key=PT_TYPE,0xNNNN`) and the account mapping sections
// ([I_Mail], [IMAP_I_Mail], [INET_HTTP], naming AccountType=).
//
// Parse accepts UTF-8 with or without a byte-order mark, UTF-16 with a
// byte-order mark (little or big endian) and, when the bytes are not valid
// UTF-8, Windows-1252 ("ANSI"). Lines end in CRLF or LF. A line whose first
// non-blank character is `;` is a comment; `;` elsewhere is part of the value.
// Section and key names are compared case-insensitively and trimmed of
// blanks, as are values; a value wrapped in a matching pair of double or
// single quotes loses them, as GetPrivateProfileString does.
//
// # Decisions
//
//   - An empty value (`ServerName=`) means "not set": Outlook's own exports
//     list every mapped key, most of them empty.
//   - OverwriteProfile defaults to "no" when absent or empty, the choice
//     that never replaces an existing profile.
//   - `%VAR%` in a value is expanded through the caller's lookup function,
//     as ExpandEnvironmentStrings does: an undefined variable, and a lone
//     `%`, stay in the value literally. [ParseReport] lists what it
//     expanded, and [File.Unexpanded] what it left (the caller warns;
//     [SupplyHint] says how to supply it).
//   - A key repeated in one section with the same value is read at its
//     first occurrence, as GetPrivateProfileString does, and noted in
//     [File.Warnings]: the Office Customization Tool writes [IMAP_I_Mail]
//     with Organization, EmailAddress and others twice. What is ambiguous
//     stays an error: a key repeated with a different value (which one did
//     the author mean?) and a [section] header repeated (Windows would
//     read the first and silently drop the second's keys).
//   - Keys in a service or account section must be mapped, except
//     UniqueService and OverwriteExistingService; keys in [General] that
//     Parse does not interpret are kept in [File.General] without checks.
//   - A service's Name is its Name= value, else a string it maps to
//     PR_DISPLAY_NAME (ID 0x3001), else its mapping's name. Properties with
//     IDs 0x67F0-0x67FF go to [Service.Secure], never to [Service.Props].
//   - A [Service List] entry without a values section is a service with no
//     properties; an account entry without its section is an error, as is
//     an account without SMTPServer or two accounts with one AccountName.
//   - Parse reports the file as written: a caller's `--name` overriding
//     ProfileName and ModifyDefaultProfileIfPresent is the caller's job.
//   - Sections that nothing references (mappings of services the file does
//     not add, say) are not examined.
//   - Anything malformed or unresolvable is an [*Error] naming the section
//     and line, and no [File] is returned. Error text names keys, sections
//     and lines, never a value that could be a secret.
package prf
