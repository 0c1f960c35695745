package info

import "testing"

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1536: "1.50K", 2 << 20: "2.00M", 3 << 30: "3.00G", 1 << 62: "4096.00P"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHeap(t *testing.T) {
	if inuse, objects := Heap(); inuse == 0 || objects == 0 {
		t.Fatalf("Heap() = %d, %d", inuse, objects)
	}
}
