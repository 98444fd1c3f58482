// Package textmatch holds the string-matching primitives that fuzzy and
// phonetic name search and live keyword spotting in speech-recogniser
// transcripts are built from: normalisation, tokenisation, edit distances,
// Jaro–Winkler, pg_trgm-compatible trigram similarity and Double Metaphone.
//
// Everything here is stateless and safe for concurrent use. The distance and
// similarity functions run once per transcribed word against every candidate
// name, so they avoid heap allocation for words of up to 64 runes and count
// in runes, never bytes, so that "Thálindra" and "Thalindra" are one edit
// apart rather than two.
package textmatch
