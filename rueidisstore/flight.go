package rueidisstore

import (
	"context"
	"time"

	"github.com/redis/rueidis"
)

// flightKey names one command on one Redis key.
type flightKey struct{ key, cmd string }

// A flight is a read sent to Redis that other readers of the same command
// wait for (rueidis.CacheEntry). val and err are written once, before done is
// closed, and read only after.
type flight struct {
	start time.Time     // when the first reader asked (Flight's now)
	ttl   time.Duration // the client-side TTL it asked for
	done  chan struct{}
	val   rueidis.RedisMessage
	err   error
}

func newFlight(start time.Time, ttl time.Duration) *flight {
	return &flight{start: start, ttl: ttl, done: make(chan struct{})}
}

// Wait returns the reply, or ctx's error if ctx ends first.
func (f *flight) Wait(ctx context.Context) (rueidis.RedisMessage, error) {
	select {
	case <-ctx.Done():
		return rueidis.RedisMessage{}, ctx.Err()
	case <-f.done:
		return f.val, f.err
	}
}

// deliver hands the reply to every Wait. It is called once.
func (f *flight) deliver(val rueidis.RedisMessage, err error) {
	f.val, f.err = val, err
	close(f.done)
}

// expiry returns the Unix millisecond at which the reply received at now
// stops being served: the client-side TTL from the flight's start, or, when
// the server gave a deadline (serverPXAT > 0, computed by rueidis as the
// arrival time plus the PTTL), that deadline moved back by the time the
// request took, whichever is sooner. The server read the PTTL after the
// flight started, so start+PTTL is no later than the key's real deadline.
func (f *flight) expiry(serverPXAT int64, now time.Time) int64 {
	pxat := f.start.Add(f.ttl).UnixMilli()
	if serverPXAT <= 0 {
		return pxat
	}
	took := now.Sub(f.start)
	tookMS := int64((max(took, 0) + time.Millisecond - 1) / time.Millisecond) // rounded up
	return min(pxat, serverPXAT-tookMS)
}
