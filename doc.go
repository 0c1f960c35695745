// Package maxmem is an in-process cache with a hard byte budget and
// Redis's maxmemory rules.
//
// # TTLs
//
// A TTL means one thing wherever it is given, > 0 a TTL and 0 none, but
// where Redis refuses one or a negative one means more:
//
//	call                          TTL 0                TTL < 0
//	SetWithTTL (SET PX)           ErrInvalidTTL        ErrInvalidTTL
//	SetArgs, GetEx (PX)           none, or unchanged   ErrInvalidTTL
//	Expire, ExpireIf (PEXPIRE)    deletes the key      deletes the key
//	Loader, BulkLoader            no TTL               served, not cached
//	a Loader's ErrNotFound        remembered forever   not remembered
//	Options.RefreshAfter          no refresh           refused by New
//
// A deadline (ExpireAt) of the zero Time means none; one past stores a key
// that expires at once (SET) or deletes it (GETEX, PEXPIREAT); SET and
// GETEX refuse one at or before 1970, as Redis refuses PXAT 0.
package maxmem
