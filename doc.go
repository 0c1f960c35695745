// Package maxmem is an in-process cache with a hard byte budget and
// Redis's maxmemory rules.
//
// # TTLs
//
// A TTL has one meaning wherever it is given: > 0 a TTL, 0 none. Where
// Redis refuses a TTL, or a negative one means something else, the call
// says so; this is what each call does with 0 and with a negative TTL:
//
//	call                            TTL 0                 TTL < 0
//	SetWithTTL (SET PX)             ErrInvalidTTL         ErrInvalidTTL
//	SetArgs.TTL (SET PX)            no TTL (SET clears)   ErrInvalidTTL
//	GetExArgs.TTL (GETEX PX)        TTL left as it is     ErrInvalidTTL
//	Expire, ExpireIf (PEXPIRE)      deletes the key       deletes the key
//	Loader, BulkLoader              no TTL                value served, not cached
//	Loader's ErrNotFound            remembered, no TTL    not remembered
//	Options.RefreshAfter            no refresh            New: ErrInvalidArgument
//
// Deadlines (SetArgs.ExpireAt, GetExArgs.ExpireAt, ExpireAt): the zero
// Time means none; one already past stores the key, which expires at once
// (SET), or deletes it (GETEX, PEXPIREAT); SET and GETEX refuse one at or
// before 1970 with ErrInvalidTTL, as Redis refuses PXAT 0. A value served
// but not cached counts in Stats.UncachedLoads. The TTL replies are
// NoExpiry (-1) for a key without TTL and Missing (-2) for no key.
package maxmem
