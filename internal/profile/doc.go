// Package profile owns mapictl profiles: the model (a profile and its
// sections, MAPI property bags), the file format of SPEC §5 (an age file
// whose plaintext is a JSON document, each section's secure range sealed
// again to its own recipients), names, and the store on disk (list, create,
// lock, atomic write, copy, rename, delete).
//
// # Contracts
//
//   - Unknown JSON fields of the profile, its sections and their secure blobs
//     survive a load and save.
//   - A file that fails to decrypt, authenticate or parse is MAPI_E_CORRUPT_DATA
//     (MAPI_E_NO_ACCESS when no identity matches) and is never rewritten.
//   - Secure tags (IDs 0x67F0–0x67FF) never appear in a section's props.
//   - Credentials are returned only when the range's recorded binds digest
//     matches the section's current security-relevant settings.
package profile
