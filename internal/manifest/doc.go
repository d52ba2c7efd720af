// Package manifest is mapictl's declarative profile description (SPEC §7,
// docs/manifest.md): the YAML model, its strict loader, the sources secrets
// come from, the plan an apply computes and the apply itself against a
// *profile.Profile, the export of a profile back into a manifest, and the
// conversion of a parsed Outlook PRF ([prf.File]) into profile sections.
//
// # Rules
//
//   - Loading is strict: unknown fields, duplicate keys, unknown properties,
//     kinds, transports and recipients age cannot parse are errors, and
//     nothing is resolved or written before the whole manifest checks out.
//   - A secret never appears in a manifest literally: every secure property
//     but the username comes from {env: VAR}, {file: PATH} (relative to the
//     manifest), {stdin: true} or {command: [argv...]}. The one exception is
//     {value: ...}, which `profile export --secure` writes and which [Load]
//     accepts only with [LoadOptions.AllowValues].
//   - Errors name sections, fields and lines, never a secret's value. Syntax
//     and schema errors are MAPI_E_CORRUPT_DATA (65), bad names, values and
//     recipients MAPI_E_INVALID_PARAMETER (64), a missing env var, file or a
//     failing command MAPI_E_UNCONFIGURED (78).
//   - [Apply] is idempotent: it compares decrypted content, secrets
//     included, and re-seals a secure range only when its values or
//     recipients change, so a second apply leaves the document byte-identical.
package manifest
