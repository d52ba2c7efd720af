// Package secure owns mapictl's cryptography and prompts: age identities and
// recipients, encryption and decryption of blobs (the profile's outer layer,
// secure ranges, spool and session files), the secure-range envelope codec,
// and the controlling terminal. It knows nothing of profiles.
//
// Every error it returns is an *[mapi.Error] whose message never holds a
// secret: key material, passphrases and decrypted values are never echoed,
// parse errors name a file and a line instead.
//
// # Identities
//
// [LoadIdentities] reads identities from one tier of a [Source], in SPEC §4's
// order and never mixed: the --identity files; else $MAPICTL_IDENTITY (key
// text) and $MAPICTL_IDENTITY_FILE; else the store's identity.txt. It accepts
// what age accepts: X25519 and post-quantum hybrid keys, SSH private keys,
// age plugin identities and passphrase-encrypted identity files. Nothing is
// prompted while loading: an encrypted identity asks its [PassphraseFunc]
// only when a decryption needs it, and at most once per file per process.
//
// # Recipients
//
// [ParseRecipient] and [ParseRecipientsFile] accept age1… (X25519), age1pq1…
// (hybrid), plugin recipients and ssh-ed25519/ssh-rsa keys;
// [NormalizeRecipient] gives the canonical text profiles store. age cannot
// encrypt one file to post-quantum and classic recipients at once: [CheckMix]
// says so before [Encrypt] is tried.
//
// # Blobs
//
// [Encrypt] and [EncryptArmored] write age files; [Decrypt] and
// [DecryptArmored] read them, up to [MaxPlaintext] bytes. No matching
// identity or a wrong passphrase is MAPI_E_NO_ACCESS (77); anything that is
// not age, fails to authenticate or is truncated is MAPI_E_CORRUPT_DATA (65);
// a cancelled prompt is MAPI_E_USER_CANCEL (130). No input makes them panic.
//
// # Secure ranges
//
// A section's secure.age is the armored encryption of a [Range] (SPEC §5):
// its secure props (tags with IDs 0x67F0–0x67FF only), its recipients and
// its binds hash. [SealRange] and [OpenRange] convert; unknown JSON fields
// survive a decode/encode round trip.
//
// # Keys
//
// [GenerateKey] makes X25519 or hybrid keys, [MarshalIdentityFile] writes
// them as age-keygen does (optionally passphrase-encrypted with scrypt and
// armored), [IdentityFromKey] parses a single secret key line.
//
// # Prompts
//
// This package knows no terminal: what it must ask the user is asked through
// functions it is handed, a [PassphraseFunc] in [Source] for encrypted
// identities and the age plugin UI set by [SetPluginUI] (both from
// internal/term in the command line). Their errors, MAPI_E_USER_CANCEL
// included, reach the caller unchanged.
package secure
