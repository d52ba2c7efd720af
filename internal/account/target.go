package account

import "github.com/mapictl/mapictl/internal/delivery"

// Target is where a message sent through a goes ([delivery.Target]): the
// profile, section and session the spool record names, a's From, the
// current session's snapshot (whose key seals it besides the store's), the
// flush's transport ([Resolver.Resolve]), and FixedSender when a's section
// does not allow other senders (address-override=false).
func (r *Resolver) Target(a *Account) *delivery.Target {
	return &delivery.Target{Profile: a.Profile, SectionUID: a.UID, Section: a.Name, Session: a.Session,
		From: a.From, Resolve: r.Resolve(a), Snap: r.Session, FixedSender: !a.Outbound.AddressOverride}
}
