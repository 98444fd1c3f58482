// Package search is gmc's typo- and sound-alike-tolerant search over a
// campaign's entities and the SRD reference entries.
//
// The work is split so that both store backends behave alike:
//
//   - Index turns a Document (an entity's names, aliases, tags, body text
//     and GM-only text) into what the stores keep: lookup keys (whole
//     words, joined neighbouring words, single-deletion variants and
//     Double Metaphone keys of every name word), the encoded name forms
//     the ranking reads, and word-normalised text for full-text indexes.
//   - ParseQuery turns the user's text into units (words and joined
//     neighbours) and Probe says which keys, words and fallbacks a backend
//     must look up. Every lookup is an index lookup with a bound on the
//     rows it reads; nothing scans.
//   - Run asks a Source (the store) for candidates and ranks them in Go,
//     the same code for SQLite and PostgreSQL: exact > prefix > fuzzy >
//     phonetic > full text, word by word. A Gatherer source (PostgreSQL)
//     checks the caller's membership, looks the keys and the text up,
//     chooses the candidates and loads them in one statement; others are
//     asked probe by probe (GatherEach).
//
// The deletion keys make edit-distance lookups exact B-tree lookups (the
// "symmetric delete" idea of SymSpell): a query word and a name word one
// edit apart (substitution, insertion, deletion, transposition) always
// share a key. Trigram indexes (pg_trgm, FTS5 trigram) are the fallback
// for queries the keys cannot place, because at 100,000 entities a trigram
// probe costs tens of milliseconds where the keys cost well under one.
package search
