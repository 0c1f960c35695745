package list

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// members walks l from front to back, checking the back links on the way.
func members(t *testing.T, l *List, nodes []Node) []uint32 {
	t.Helper()
	var got []uint32
	prev := uint32(0)
	for i := l.Front(); i != 0; i = nodes[i].Next {
		if nodes[i].Prev != prev {
			t.Fatalf("slot %d: Prev = %d, want %d", i, nodes[i].Prev, prev)
		}
		got = append(got, i)
		prev = i
	}
	if l.Back() != prev {
		t.Fatalf("Back = %d, want %d", l.Back(), prev)
	}
	if l.Len() != len(got) {
		t.Fatalf("Len = %d, walked %d", l.Len(), len(got))
	}
	return got
}

func TestOperations(t *testing.T) {
	nodes := make([]Node, 8)
	var l List
	if got := members(t, &l, nodes); len(got) != 0 {
		t.Fatalf("zero List has members %v", got)
	}
	for i := uint32(1); i <= 4; i++ {
		l.PushFront(nodes, i)
	}
	steps := []struct {
		name string
		op   func()
		want []uint32
	}{
		{"pushed", func() {}, []uint32{4, 3, 2, 1}},
		{"move back to front", func() { l.MoveToFront(nodes, 1) }, []uint32{1, 4, 3, 2}},
		{"move front to front", func() { l.MoveToFront(nodes, 1) }, []uint32{1, 4, 3, 2}},
		{"remove middle", func() { l.Remove(nodes, 4) }, []uint32{1, 3, 2}},
		{"relocate back", func() { l.Relocate(nodes, 2, 7) }, []uint32{1, 3, 7}},
		{"relocate front", func() { l.Relocate(nodes, 1, 5) }, []uint32{5, 3, 7}},
		{"remove front", func() { l.Remove(nodes, 5) }, []uint32{3, 7}},
		{"remove back", func() { l.Remove(nodes, 7) }, []uint32{3}},
		{"remove last", func() { l.Remove(nodes, 3) }, nil},
	}
	for _, s := range steps {
		s.op()
		if diff := cmp.Diff(s.want, members(t, &l, nodes)); diff != "" {
			t.Fatalf("%s: members (-want +got):\n%s", s.name, diff)
		}
	}
}

func TestSharedNodes(t *testing.T) {
	nodes := make([]Node, 6)
	var a, b List
	a.PushFront(nodes, 1)
	b.PushFront(nodes, 2)
	a.PushFront(nodes, 3)
	b.PushFront(nodes, 4)
	if diff := cmp.Diff([]uint32{3, 1}, members(t, &a, nodes)); diff != "" {
		t.Fatalf("a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint32{4, 2}, members(t, &b, nodes)); diff != "" {
		t.Fatalf("b (-want +got):\n%s", diff)
	}
}
