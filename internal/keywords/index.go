package keywords

import (
	"maps"
	"slices"
)

// shardCount splits every index map so that an update copies only the few
// shards its keys fall in, not the whole dictionary.
const shardCount = 64

// postings maps a lookup key to the variants that have it.
type postings map[string][]int32

// sharded is one index split by key hash. The array is copied by value
// when a snapshot is derived; its maps are shared until written.
type sharded [shardCount]postings

func shardOf(key string) int {
	// FNV-1a: cheap, and good enough to spread words over 64 shards.
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % shardCount)
}

func (s *sharded) get(key string) []int32 {
	m := s[shardOf(key)]
	if m == nil {
		return nil
	}
	return m[key]
}

// snapshot is an immutable compiled dictionary. Readers use it without
// locks; a writer derives a new one with a builder.
type snapshot struct {
	terms    []Term    // by term id; removed terms stay, unreferenced
	termVars [][]int32 // term id → its variants
	variants []variant // by variant id
	byKey    sharded   // Term.Key → {term id}
	exact    sharded   // variant.keys → variants
	sound    sharded   // coarse phone bigrams → variants (sound.go)
	tri      sharded   // trigrams of variant.joined → variants
	// maxTokens is the most words any variant has: the longest n-gram
	// worth looking up.
	maxTokens int
	// maxJoined is the longest variant.joined: a longer n-gram cannot
	// match any name.
	maxJoined int
	// maxPhones is the most phones any variant has.
	maxPhones int
	live      int // terms reachable through byKey
}

func (s *snapshot) termID(key string) (int32, bool) {
	ids := s.byKey.get(key)
	if len(ids) == 0 {
		return 0, false
	}
	return ids[0], true
}

// builder derives a new snapshot from an old one, copying each shard at
// most once. Only one builder may run at a time (Engine.mu); the slices it
// appends to may share backing arrays with older snapshots, which is safe
// because readers never look past their own snapshot's lengths.
type builder struct {
	s     *snapshot
	owned [4][shardCount]bool
}

func newBuilder(old *snapshot) *builder {
	s := *old
	return &builder{s: &s}
}

// index numbers: which sharded map of the snapshot a write goes to.
const (
	idxByKey = iota
	idxExact
	idxSound
	idxTri
)

func (b *builder) target(idx int) *sharded {
	switch idx {
	case idxByKey:
		return &b.s.byKey
	case idxExact:
		return &b.s.exact
	case idxSound:
		return &b.s.sound
	}
	return &b.s.tri
}

// shard returns a shard this builder may write to, cloning it the first
// time.
func (b *builder) shard(idx int, key string) postings {
	t := b.target(idx)
	n := shardOf(key)
	if !b.owned[idx][n] {
		if t[n] == nil {
			t[n] = make(postings)
		} else {
			t[n] = maps.Clone(t[n])
		}
		b.owned[idx][n] = true
	}
	return t[n]
}

func (b *builder) put(idx int, key string, id int32) {
	m := b.shard(idx, key)
	old := m[key]
	if slices.Contains(old, id) {
		return
	}
	// A fresh slice: the old one may be read by an older snapshot.
	ids := make([]int32, len(old), len(old)+1)
	copy(ids, old)
	m[key] = append(ids, id)
}

func (b *builder) drop(idx int, key string, id int32) {
	if !slices.Contains(b.target(idx).get(key), id) {
		return
	}
	m := b.shard(idx, key)
	ids := make([]int32, 0, len(m[key]))
	for _, x := range m[key] {
		if x != id {
			ids = append(ids, x)
		}
	}
	if len(ids) == 0 {
		delete(m, key)
		return
	}
	m[key] = ids
}

// add compiles a term into the snapshot, replacing any term with its key.
func (b *builder) add(t Term) {
	b.remove(t.Key)
	id := int32(len(b.s.terms))
	b.s.terms = append(b.s.terms, t)
	var vids []int32
	names := append([]string{t.Name}, t.Aliases...)
	seen := map[string]bool{}
	for i, name := range names {
		v, ok := newVariant(id, name, i > 0)
		if !ok || seen[v.joined] {
			continue
		}
		seen[v.joined] = true
		vid := int32(len(b.s.variants))
		b.s.variants = append(b.s.variants, v)
		vids = append(vids, vid)
		b.indexVariant(vid, &v, b.put)
		b.s.maxTokens = max(b.s.maxTokens, len(v.tokens))
		b.s.maxJoined = max(b.s.maxJoined, len(v.joined))
		b.s.maxPhones = max(b.s.maxPhones, len(v.phones))
	}
	b.s.termVars = append(b.s.termVars, vids)
	b.put(idxByKey, t.Key, id)
	b.s.live++
}

// remove unindexes the term with key, if there is one.
func (b *builder) remove(key string) bool {
	id, ok := b.s.termID(key)
	if !ok {
		return false
	}
	for _, vid := range b.s.termVars[id] {
		b.indexVariant(vid, &b.s.variants[vid], b.drop)
	}
	b.drop(idxByKey, key, id)
	b.s.live--
	return true
}

func (b *builder) indexVariant(vid int32, v *variant, op func(int, string, int32)) {
	for _, k := range v.keys {
		op(idxExact, k, vid)
	}
	for _, k := range v.soundKeys {
		op(idxSound, k, vid)
	}
	// Names spelled exactly or not at all need no trigram postings.
	if maxEdits(len(v.joined)) > 0 {
		for _, g := range trigramsOf(v.joined) {
			op(idxTri, g, vid)
		}
	}
}

// trigramsOf returns the distinct byte trigrams of s, without padding:
// n-grams are compared as whole words, so word-boundary trigrams add
// nothing.
func trigramsOf(s string) []string {
	if len(s) < 3 {
		return nil
	}
	out := make([]string, 0, len(s)-2)
	for i := 0; i+3 <= len(s); i++ {
		out = appendUnique(out, s[i:i+3])
	}
	return out
}

// compact rebuilds the snapshot from its live terms when removed terms
// have left more garbage than live data.
func compact(s *snapshot) *snapshot {
	if len(s.terms) < 2*s.live+1024 {
		return s
	}
	b := newBuilder(&snapshot{})
	for _, m := range s.byKey {
		for _, ids := range m {
			b.add(s.terms[ids[0]])
		}
	}
	return b.s
}

// getBytes is get for a key held in a byte buffer; the compiler does not
// copy the bytes for a map lookup, so the hot path does not allocate.
func (s *sharded) getBytes(key []byte) []int32 {
	h := uint32(2166136261)
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619
	}
	m := s[h%shardCount]
	if m == nil {
		return nil
	}
	return m[string(key)]
}
