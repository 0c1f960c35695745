package arena

import "encoding/binary"

// item is a parsed item header.
type item struct {
	key, value int // offsets of the key and the value (or its pointer) in the chunk
	klen, vlen int
	size       int64 // the custom size, if custom
	custom     bool
	external   bool // the value has a chunk of its own: value to end is its pointer
	end        int  // offset just past the item
}

// parseItem reads the item at off in data, checking every bound: a stale
// reference may point anywhere in a chunk.
func parseItem(data []byte, off int) (it item, ok bool) {
	p := off
	if p+2 <= len(data) && data[p]|data[p+1] < 0x80 && data[p]&1 == 0 { // the usual item
		it.klen, it.vlen = int(data[p]>>1), int(data[p+1])
		it.key = p + 2
		it.value = it.key + it.klen
		it.end = it.value + it.vlen
		return it, it.end <= len(data)
	}
	return parseLongItem(data, off)
}

// parseLongItem is parseItem for items with long lengths or flags.
func parseLongItem(data []byte, off int) (it item, ok bool) {
	p := off
	k, n := uvarintAt(data, p)
	if n <= 0 {
		return it, false
	}
	p += n
	v, n := uvarintAt(data, p)
	if n <= 0 {
		return it, false
	}
	p += n
	if k&1 != 0 {
		if p >= len(data) {
			return it, false
		}
		flags := data[p]
		p++
		it.custom, it.external = flags&customSize != 0, flags&externalValue != 0
	}
	if it.custom {
		s, n := uvarintAt(data, p)
		if n <= 0 {
			return it, false
		}
		p, it.size = p+n, int64(s)
	}
	stored := v // the bytes after the key
	if it.external {
		stored = pointerLen
	}
	rest := uint64(len(data) - p)
	if k>>1 > rest || stored > rest-k>>1 {
		return it, false
	}
	it.klen, it.vlen = int(k>>1), int(v)
	it.key, it.value = p, p+it.klen
	it.end = it.value + int(stored)
	return it, true
}

// uvarintAt reads the uvarint at p in data; n <= 0 if there is none.
func uvarintAt(data []byte, p int) (uint64, int) {
	if p >= len(data) {
		return 0, 0
	}
	return binary.Uvarint(data[p:])
}

// layout is how an item is stored: its length in its chunk (total), its
// flags, and whether its value gets a chunk of its own (external) or the
// whole item does (own).
type layout struct {
	total    int
	flags    byte
	external bool
	own      bool
	vlen     int // the value's length
}

// usualItem reports whether an item has the usual layout: one-byte
// lengths, no flags, its value inside, ItemBase + klen + vlen bytes long.
func usualItem(klen, vlen int, custom bool) bool { return klen < 64 && vlen < 128 && !custom }

// itemTotal returns the length of an item in its chunk (see layoutOf).
func itemTotal(klen, vlen int, size int64, custom bool) int {
	if usualItem(klen, vlen, custom) {
		return ItemBase + klen + vlen
	}
	return layoutOf(klen, vlen, size, custom).total
}

// layoutOf returns how the item of a key of klen bytes and a value of vlen
// bytes (and, if custom, the size a Sizer gave) is stored.
func layoutOf(klen, vlen int, size int64, custom bool) layout {
	if usualItem(klen, vlen, custom) {
		return layout{total: ItemBase + klen + vlen, vlen: vlen}
	}
	var flags byte
	if custom {
		flags = customSize
	}
	if vlen >= maxShared {
		ext := flags | externalValue
		if t := headerLen(klen, vlen, ext, size) + klen + pointerLen; t < maxShared {
			return layout{total: t, flags: ext, external: true, vlen: vlen}
		}
	}
	t := headerLen(klen, vlen, flags, size) + klen + vlen
	return layout{total: t, flags: flags, own: t >= maxShared, vlen: vlen}
}

// headerLen returns the length of an item's header.
func headerLen(klen, vlen int, flags byte, size int64) int {
	n := uvarintLen(uint64(klen)<<1) + uvarintLen(uint64(vlen))
	if flags != 0 {
		n++
	}
	if flags&customSize != 0 {
		n += uvarintLen(uint64(size))
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// charge returns what the built-in sizer charges an item of this layout,
// less the ItemBase bytes of header the owner's overhead counts: a shared
// item takes its length and a sixteenth more, for the arena's slack; a
// chunk of its own takes what the runtime allocates for it, whole pages.
func (l layout) charge() int64 {
	if l.own {
		return pages(l.total) - ItemBase
	}
	c := sharedCharge(l.total)
	if l.external {
		c += pages(l.vlen)
	}
	return c
}

// sharedCharge is what an item of total bytes in a shared chunk is
// charged.
func sharedCharge(total int) int64 { return int64(total - ItemBase + (total+15)/16) }

// pages rounds n up to whole runtime pages.
func pages(n int) int64 { return int64((n + largePage - 1) / largePage * largePage) }

// PackedSize is what the built-in sizer charges the item of a key of klen
// bytes and a value of vlen bytes, less ItemBase.
func PackedSize(klen, vlen int) int64 {
	if usualItem(klen, vlen, false) {
		return sharedCharge(ItemBase + klen + vlen)
	}
	return layoutOf(klen, vlen, 0, false).charge()
}

// Size returns what the entry whose item r names was charged: the size a
// Sizer gave, kept in the item, if custom; else what PackedSize charged,
// reading the item only when its value has a chunk of its own.
func (a *Arena) Size(r uint64, custom bool) int64 {
	switch {
	case custom:
		_, it := a.parse(r)
		return it.size
	case RefLen(r) == 0:
		return pages(len(a.at(refIdx(r)).data)) - ItemBase
	case refExternal(r):
		_, it := a.parse(r)
		return sharedCharge(RefLen(r)) + pages(it.vlen)
	}
	return sharedCharge(RefLen(r))
}

// Holds reports whether the live item r names, of key, already stores
// value (and, if custom, size).
func (a *Arena) Holds(r uint64, key string, value []byte, size int64, custom bool) bool {
	old, ok := a.Overwritable(r, key, value, size, custom)
	return ok && string(old) == string(value)
}

// Overwritable returns the value of the live item r names, of key, if an
// item of key and value (and, if custom, size) would be laid out as it is:
// then the owner may write value over it (see the package comment). It
// reads the item only when its length agrees.
func (a *Arena) Overwritable(r uint64, key string, value []byte, size int64, custom bool) ([]byte, bool) {
	n := RefLen(r)
	if usualItem(len(key), len(value), custom) {
		data, off := a.at(refIdx(r)).data, refOff(r)
		if n != ItemBase+len(key)+len(value) || data[off]&1 != 0 || data[off+1] != byte(len(value)) {
			return nil, false
		}
		v := off + ItemBase + len(key)
		return data[v : v+len(value)], true
	}
	if n != 0 && n != itemTotal(len(key), len(value), size, custom) {
		return nil, false
	}
	ch, it := a.parse(r)
	if it.vlen != len(value) || it.custom != custom || custom && it.size != size {
		return nil, false
	}
	if it.external {
		return a.table.Load().externalChunk(ch.data[it.value:it.end], it.vlen).data, true
	}
	return ch.data[it.value:it.end], true
}
