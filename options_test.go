package maxmem

import "testing"

// DefaultShards: four per CPU, a power of two in [8, 256], and no more
// than one per MinShardBytes of budget.
func TestDefaultShards(t *testing.T) {
	for _, tc := range []struct {
		maxMemory  int64
		cpus, want int
	}{
		{0, 1, 8}, {0, 2, 8}, {0, 3, 16}, {0, 64, 256}, {0, 1000, 256},
		{1 << 30, 2, 8}, {8 * MinShardBytes, 2, 8}, {8*MinShardBytes - 1, 2, 4},
		{2 * MinShardBytes, 64, 2}, {MinShardBytes, 2, 1}, {1, 2, 1},
	} {
		if got := DefaultShards(tc.maxMemory, tc.cpus); got != tc.want {
			t.Errorf("DefaultShards(%d, %d) = %d, want %d", tc.maxMemory, tc.cpus, got, tc.want)
		}
	}
	c, err := New(Options[string, int]{MaxMemory: 3 * MinShardBytes, Sizer: func(string, int) int64 { return 1 }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.shards) != 2 {
		t.Fatalf("New with a %d-byte budget made %d shards, want 2", 3*MinShardBytes, len(c.shards))
	}
}
